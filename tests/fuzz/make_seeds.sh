#!/bin/sh
# Builds the seed corpora of the fuzz targets in DIR/<target>/ from the
# build tree BUILD: the protocol unit tests write each hand-built vector
# they check as a request or response seed (KL_FUZZ_SEED_DIR, see
# tests/unit/proto_vector.c), and gen_seeds writes the rest. Nothing is
# committed: the seeds follow the vectors and the writers as they change.
set -eu
dir=$1
build=${2:-.}
rm -rf "$dir"
for t in request response batch msgset fetch storage properties; do
    mkdir -p "$dir/$t"
done
for t in test_proto_core test_proto_group test_proto_admin; do
    KL_FUZZ_SEED_DIR=$dir CK_FORK=no CK_VERBOSITY=silent "$build/tests/unit/$t" >/dev/null
done
"$build/tests/fuzz/gen_seeds" "$dir"
# Records of the batch writer are also what a Fetch answer carries.
cp "$dir"/batch/* "$dir"/msgset/
