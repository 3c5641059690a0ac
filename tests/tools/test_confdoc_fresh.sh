#!/bin/sh
# The generated configuration reference in the tree (CONFIGURATION.md and
# the man5 pages) must be what tools/gen_confdoc writes from the property
# tables today: regenerates into a temporary directory and fails with the
# diff when a committed copy is stale. `make update-docs` fixes that.
set -u
GEN=${GEN_CONFDOC:-./tools/gen_confdoc}
top=${srcdir:-.}
work=$(mktemp -d /tmp/kl-confdoc-XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

"$GEN" "$work" || { echo "FAIL: gen_confdoc failed"; exit 1; }
files=$(cd "$work" && find . -type f | sort)
[ -n "$files" ] || { echo "FAIL: gen_confdoc wrote nothing"; exit 1; }
status=0
for f in $files; do
    if ! diff -u "$top/$f" "$work/$f"; then
        echo "FAIL: $f is stale: run 'make update-docs' and commit the result"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "configuration docs up to date:" $files
exit "$status"
