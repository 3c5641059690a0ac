#!/bin/sh
# make check: each fuzz target, built with the ordinary compiler against
# replay_main.c, runs once over its seed corpus (made fresh by
# make_seeds.sh), so the harnesses and their invariants cannot rot between
# libFuzzer runs (`make fuzz`). Under --enable-sanitizers this is an
# ASan/UBSan run of every seed.
set -eu
srcdir=${srcdir:-.}
if [ ! -x tests/unit/test_proto_core ]; then
    echo "SKIP: the protocol unit tests (Check) are not built; they make the protocol seeds"
    [ "${KL_TEST_NO_SKIP:-}" = 1 ] && exit 1
    exit 77
fi
seeds=$(mktemp -d "${TMPDIR:-/tmp}/kl-fuzz-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
sh "$srcdir/tests/fuzz/make_seeds.sh" "$seeds" .
for t in request response batch msgset fetch storage properties; do
    n=$(ls "$seeds/$t" | wc -l)
    [ "$n" -gt 0 ] || { echo "FAIL: no seeds for $t"; exit 1; }
    ./tests/fuzz/replay_"$t" "$seeds/$t"
done
