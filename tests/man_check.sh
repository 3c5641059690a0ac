#!/bin/sh
# Lints every man page with groff's warnings turned on: any warning fails.
# Pages are read from the man/ folder so that .so links resolve.
set -eu
cd "${srcdir:-.}/man"
status=0
for page in man*/*.[0-9]; do
    out=$(groff -ww -z -man "$page" 2>&1) || status=1
    if [ -n "$out" ]; then
        echo "$page: $out"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "man pages: $(ls man*/*.[0-9] | wc -l) checked, no warnings"
exit "$status"
