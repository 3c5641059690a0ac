#!/bin/sh
# Checks the staged `make install` (tests/install-stage, made by make
# check; see tests/install.mk) the way a user meets it: every example
# installed under the doc directory builds out of tree with only
# `pkg-config --cflags --libs kafkalite` (plus check for the Check
# example), test_with_broker runs against the installed library, and the
# command and the man pages are where man and the shell look.
set -u
stage=${INSTALL_STAGE:-$PWD/tests/install-stage}
work=$(mktemp -d /tmp/kl-install-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    exit 1
}

[ -d "$stage" ] || fail "no staged install at $stage"
so=$(find "$stage" -name libkafkalite.so | head -n 1)
[ -n "$so" ] || fail "libkafkalite.so not installed"
libdir=$(dirname "$so")
[ -f "$libdir/pkgconfig/kafkalite.pc" ] || fail "kafkalite.pc not installed"
# The .pc file names the configured prefix; the sysroot points it at the
# staging directory.
PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
# A sanitizer build's library needs its runtime in the program too.
extra=
if nm -D "$so" | grep -q __asan_init; then
    extra="-fsanitize=address,undefined"
fi

examples=$(find "$stage" -path '*/doc/*/examples/*.c' | sort)
[ -n "$examples" ] || fail "no examples installed"
built=0
for src in $examples; do
    name=$(basename "$src" .c)
    packages=kafkalite
    if grep -q '<check.h>' "$src"; then
        if ! pkg-config --exists check; then
            echo "$name: skipped (Check has no pkg-config file here)"
            continue
        fi
        packages="kafkalite check"
    fi
    # shellcheck disable=SC2046,SC2086
    ${CC:-cc} -Wall -Wextra -Werror $extra -o "$work/$name" "$src" $(pkg-config --cflags --libs $packages) \
        2>"$work/$name.err" || { cat "$work/$name.err"; fail "$name does not build out of tree"; }
    built=$((built + 1))
done
echo "built out of tree: $built examples"

if [ -x "$work/test_with_broker" ]; then
    (cd "$work" && LD_LIBRARY_PATH="$libdir" CK_FORK=${CK_FORK:-yes} ./test_with_broker) >"$work/run.out" 2>&1 ||
        { cat "$work/run.out"; fail "test_with_broker failed against the installed library"; }
    grep -q "100%" "$work/run.out" || fail "test_with_broker ran no test"
fi

bin=$(find "$stage" -path '*/bin/kafkalite' | head -n 1)
[ -n "$bin" ] || fail "the kafkalite command is not installed"
LD_LIBRARY_PATH="$libdir" "$bin" --version | grep -q "^kafkalite [0-9]" || fail "kafkalite --version"
for page in man1/kafkalite.1 man1/kafkalite-produce.1 man1/kafkalite-consume.1 man1/kafkalite-perf.1 \
    man3/kl_produce.3 man5/kafkalite.conf.5 man5/kafkalite-broker.properties.5; do
    [ -n "$(find "$stage" -path "*/man/$page")" ] || fail "$page not installed"
done
echo "installed library, command, man pages and examples: usable from outside the tree"
exit 0
