#!/bin/sh
# Runs examples/producer against `kafkalite broker`: every line of its
# input is delivered and counted, the messages are stored in order (read
# back with kcat when installed, else found in the segment file), and a bad
# command line exits 2.
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

if command -v kcat >/dev/null 2>&1; then
    kcat -b "$bootstrap" -C -t example -o beginning -e -q >"$work/consumed" || fail "kcat could not consume"
    cmp -s "$work/lines" "$work/consumed" || fail "the stored messages differ from the lines"
else
    n=$(grep -a -o 'line [0-9]* of the example' "$work/logs/example-0/00000000000000000000.log" | sort -u | wc -l)
    [ "$n" -eq 300 ] || fail "the segment holds $n of the 300 lines"
fi

"$PRODUCER" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no arguments: not a usage error"
stop_broker
echo "examples/producer: 300 lines delivered and stored"
exit 0
