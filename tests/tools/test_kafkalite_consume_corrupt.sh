#!/bin/sh
# `kafkalite consume` meeting compressed batches whose CRC checks out but
# whose records do not decode (planted in the log while the broker is
# down, as an older broker stored them): it prints the records around
# them, names each bad one's partition and offset on stderr, reaches the
# end with -e instead of waiting forever, and exits 1.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
PLANT=${PLANT:-./tests/tools/plant_corrupt_batch}

start_broker
printf 'a\nb\nc\n' | "$KAFKALITE" produce -b "$bootstrap" -t bad -p 0 >"$work/produce.out" 2>&1 ||
    fail "produce failed"
stop_broker
for kind in stream records none; do # offsets 3-7, 8-12, 13-17
    "$PLANT" "$work/logs" bad 0 "$kind" 2>"$work/plant.err"
    status=$?
    if [ "$status" -eq 77 ]; then
        [ "${KL_TEST_NO_SKIP:-0}" = 1 ] && fail "$(cat "$work/plant.err")"
        echo "SKIP: $(cat "$work/plant.err")"
        exit 77
    fi
    [ "$status" -eq 0 ] || fail "plant_corrupt_batch $kind: $(cat "$work/plant.err")"
done
start_broker

"$KAFKALITE" consume -b "$bootstrap" -t bad -o beginning -e >"$work/consume.out" 2>"$work/consume.err" &
consumer=$!
background=$consumer
wait_for sh -c "! kill -0 $consumer 2>/dev/null" || fail "consume -e never exited"
wait "$consumer"
status=$?
background=
[ "$status" -eq 1 ] || fail "consume: exit status $status, expected 1"
printf 'a\nb\nc\nc0\nc1\nc2\nc3\nc4\n' >"$work/expected"
cmp -s "$work/expected" "$work/consume.out" || fail "consume printed: $(cat "$work/consume.out")"
grep -q 'bad \[0\] at offset 3: ' "$work/consume.err" || fail "no error naming offset 3: $(cat "$work/consume.err")"
grep -q 'bad \[0\] at offset 8: ' "$work/consume.err" || fail "no error naming offset 8: $(cat "$work/consume.err")"
stop_broker
echo PASS
