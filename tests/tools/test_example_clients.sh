#!/bin/sh
# Runs examples/idempotent_producer and examples/consumer against `kafkalite
# broker`: the producer's numbered messages are stored once each and in
# order; the consumer prints them, says what the group assigned it, leaves
# cleanly on SIGINT having committed what it printed (a second run prints
# only newer messages); bad command lines exit 2.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
IDEMPOTENT=${IDEMPOTENT:-./examples/idempotent_producer}
CONSUMER=${CONSUMER:-./examples/consumer}

start_broker --override num.partitions=2

# True when file $1 has at least $2 lines.
has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# ---- idempotent producer: 2000 numbered messages, stored once, in order
"$IDEMPOTENT" "$bootstrap" numbers 2000 >"$work/idem.out" 2>"$work/idem.err" || fail "idempotent_producer failed"
[ "$(cat "$work/idem.out")" = "2000 sent, 2000 delivered, 0 failed" ] || fail "idempotent_producer: $(cat "$work/idem.out")"
"$KAFKALITE" consume -b "$bootstrap" -t numbers -p 0 -o beginning -e >"$work/numbers.out" 2>"$work/numbers.err" ||
    fail "could not read the numbers back"
seq 0 1999 | cmp -s - "$work/numbers.out" || fail "the stored numbers are not 0..1999 once each in order"

# ---- consumer: prints everything, commits, leaves on SIGINT
"$CONSUMER" "$bootstrap" printers numbers >"$work/c1.out" 2>"$work/c1.err" &
cpid=$!
wait_for has_lines "$work/c1.out" 2000 || fail "the consumer printed $(wc -l <"$work/c1.out") of 2000"
kill -INT "$cpid"
wait "$cpid"
status=$?
[ "$status" -eq 0 ] || fail "consumer: exit status $status after SIGINT"
sort -n "$work/c1.out" | cmp -s - "$work/numbers.out" || fail "the consumer did not print each message once"
grep -q "^assigned: numbers\[0\] numbers\[1\]$" "$work/c1.err" || fail "no assignment reported"
grep -q "^revoked: numbers\[0\] numbers\[1\]$" "$work/c1.err" || fail "no revocation reported on leaving"
grep -q "^2000 messages printed$" "$work/c1.err" || fail "no count at the end"

# A second run of the group prints only what is new: the offsets were committed.
"$IDEMPOTENT" "$bootstrap" numbers 5 >/dev/null 2>&1 || fail "producing 5 more failed"
"$CONSUMER" "$bootstrap" printers numbers >"$work/c2.out" 2>"$work/c2.err" &
cpid=$!
wait_for has_lines "$work/c2.out" 5 || fail "the second consumer printed $(wc -l <"$work/c2.out") of 5"
kill -TERM "$cpid"
wait "$cpid" || fail "consumer: non-zero exit after SIGTERM"
[ "$(tr '\n' ' ' <"$work/c2.out")" = "0 1 2 3 4 " ] || fail "second run printed: $(head -c 200 "$work/c2.out")"

# ---- bad command lines
"$CONSUMER" "$bootstrap" printers >/dev/null 2>&1
[ $? -eq 2 ] || fail "consumer without a topic: not a usage error"
"$IDEMPOTENT" "$bootstrap" >/dev/null 2>&1
[ $? -eq 2 ] || fail "idempotent_producer without a topic: not a usage error"

stop_broker
echo "examples/idempotent_producer and examples/consumer: stored once in order, printed, committed"
exit 0
