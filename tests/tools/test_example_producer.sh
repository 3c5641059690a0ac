#!/bin/sh
# Runs examples/producer against `kafkalite broker`: every line of its
# input is delivered and counted, the messages are stored once each and in
# order (read back with kcat when installed, else with `kafkalite
# consume`), and a bad command line exits 2.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
PRODUCER=${PRODUCER:-./examples/producer}

start_broker --override num.partitions=1
i=1
: >"$work/lines"
while [ "$i" -le 300 ]; do
    echo "line $i of the example" >>"$work/lines"
    i=$((i + 1))
done
"$PRODUCER" "$bootstrap" example <"$work/lines" >"$work/producer.out" 2>"$work/producer.err" ||
    fail "the producer example failed"
[ "$(cat "$work/producer.out")" = "300 sent, 300 delivered, 0 failed" ] || fail "unexpected summary"

# Read back exactly (each line once, in order): with kcat when installed,
# else with `kafkalite consume`.
if command -v kcat >/dev/null 2>&1; then
    kcat -b "$bootstrap" -C -t example -o beginning -e -q >"$work/consumed" || fail "kcat could not consume"
else
    "$KAFKALITE" consume -b "$bootstrap" -t example -o beginning -e -f '%s\n' >"$work/consumed" \
        2>"$work/consume.err" || fail "kafkalite consume could not consume"
fi
cmp -s "$work/lines" "$work/consumed" || fail "the stored messages differ from the lines"

"$PRODUCER" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no arguments: not a usage error"
stop_broker
echo "examples/producer: 300 lines delivered and stored"
exit 0
