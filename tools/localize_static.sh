#!/bin/sh
# Makes the installed static library show only the public API: its objects
# are linked into one relocatable object and every hidden symbol (all but
# the kl_* functions marked KL_EXPORT) becomes local, so an application
# that links libkafkalite.a cannot collide with names like conn_close.
# The shared library gets the same effect from its export list.
# Usage: localize_static.sh LIB.a LD OBJCOPY AR   (a missing LIB.a: nothing)
set -eu
lib=$1 ld=$2 objcopy=$3 ar=$4
[ -f "$lib" ] || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # LD may carry options (libtool's "ld -m elf_x86_64")
$ld -r -o "$tmp/kafkalite.o" --whole-archive "$lib"
$objcopy --localize-hidden "$tmp/kafkalite.o"
rm -f "$lib"
$ar rcs "$lib" "$tmp/kafkalite.o"
