#!/bin/sh
# End-to-end test of `kafkalite consume` and `kafkalite perf consume`
# against `kafkalite broker` on a free port: lines produced with
# `kafkalite produce` (keys, headers, empty and delimiter-less lines) come
# back byte for byte with -e, in every format placeholder; -p, -o and -c
# choose what is read; a group member commits what it printed, so a second
# run with the same -g prints only what came since; SIGINT ends it cleanly;
# bad usage exits 2.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"

# Runs kafkalite with the remaining arguments (stdin from $1) and checks
# the exit status is $2. Output in $work/run.out and run.err.
expect_status() {
    input=$1 want=$2
    shift 2
    "$KAFKALITE" "$@" <"$input" >"$work/run.out" 2>"$work/run.err"
    got=$?
    [ "$got" -eq "$want" ] || fail "kafkalite $*: exit status $got, expected $want"
}

start_broker --override num.partitions=3

# ---- what goes in comes out, byte for byte: keys, values, headers
: >"$work/lines"
i=1
while [ "$i" -le 300 ]; do
    printf 'key-%d:value %d: tab\there, a %%s and a \\n\n' "$i" "$i" >>"$work/lines"
    i=$((i + 1))
done
echo "no delimiter on this line" >>"$work/lines"
echo "" >>"$work/lines" # an empty message
expect_status "$work/lines" 0 produce -b "$bootstrap" -t lines -p 0 -K : -H origin=test -H n=2
expect_status /dev/null 0 consume -b "$bootstrap" -t lines -o beginning -e -f '%k:%s\n'
# The delimiter-less and empty lines have no key: they print as ":value".
sed 's/^no delimiter on this line$/:&/; s/^$/:/' "$work/lines" >"$work/expected"
cmp -s "$work/expected" "$work/run.out" || fail "keys and values differ from the produced lines"

expect_status /dev/null 0 consume -b "$bootstrap" -t lines --from-beginning -e \
    -f '%t|%p|%o|%K|%S|%h|%%\t|\\\n'
[ "$(wc -l <"$work/run.out")" -eq 302 ] || fail "placeholders: $(wc -l <"$work/run.out") lines, expected 302"
[ "$(sed -n 1p "$work/run.out")" = "$(printf 'lines|0|0|5|32|origin=test,n=2|%%\t|\\')" ] ||
    fail "placeholders: first line is \"$(sed -n 1p "$work/run.out")\""
[ "$(sed -n 302p "$work/run.out")" = "$(printf 'lines|0|301|-1|0|origin=test,n=2|%%\t|\\')" ] ||
    fail "placeholders: last line is \"$(sed -n 302p "$work/run.out")\""
expect_status /dev/null 0 consume -b "$bootstrap" -t lines -o beginning -c 1 -f '%T\n'
ts=$(cat "$work/run.out")
now_ms=$(($(date +%s) * 1000))
[ "$ts" -gt $((now_ms - 600000)) ] && [ "$ts" -le $((now_ms + 1000)) ] || fail "%T: $ts is not a recent time"

# ---- -o OFFSET, -c COUNT, -p PARTITION
expect_status /dev/null 0 consume -b "$bootstrap" -t lines -p 0 -o 298 -c 3 -f '%o %s\n'
printf '298 value 299: tab\there, a %%s and a \\n\n299 value 300: tab\there, a %%s and a \\n\n300 no delimiter on this line\n' \
    >"$work/expected"
cmp -s "$work/expected" "$work/run.out" || fail "-p 0 -o 298 -c 3: $(cat "$work/run.out")"
expect_status /dev/null 0 consume -b "$bootstrap" -t lines -o 302 -e
[ ! -s "$work/run.out" ] || fail "-o at the end printed something"

# ---- every partition (three here): -e waits for the end of each one
printf 'a\nb\nc\nd\ne\nf\n' >"$work/six"
expect_status "$work/six" 0 produce -b "$bootstrap" -t six -K : -X partitioner=random
expect_status /dev/null 0 consume -b "$bootstrap" -t six -o beginning -e
[ "$(sort "$work/run.out" | tr -d '\n')" = "abcdef" ] || fail "six: $(cat "$work/run.out")"

# ---- a group commits what it printed: the next run prints only the new
printf 'g1\ng2\ng3\n' >"$work/g"
expect_status "$work/g" 0 produce -b "$bootstrap" -t grouped
expect_status /dev/null 0 consume -b "$bootstrap" -t grouped -g readers --from-beginning -e
[ "$(sort "$work/run.out" | tr '\n' ' ')" = "g1 g2 g3 " ] || fail "group, first run: $(cat "$work/run.out")"
expect_status /dev/null 0 consume -b "$bootstrap" -t grouped -g readers --from-beginning -e
[ ! -s "$work/run.out" ] || fail "group, second run printed again: $(cat "$work/run.out")"
printf 'g4\n' >"$work/g4"
expect_status "$work/g4" 0 produce -b "$bootstrap" -t grouped
# --from-beginning only matters where the group has no offset yet (a
# partition that was empty): g4 is printed, the others are not again.
expect_status /dev/null 0 consume -b "$bootstrap" -t grouped -g readers --from-beginning -e
[ "$(cat "$work/run.out")" = "g4" ] || fail "group, third run: $(cat "$work/run.out")"
expect_status /dev/null 0 consume -b "$bootstrap" -t grouped -g others --from-beginning -c 4
[ "$(sort "$work/run.out" | tr '\n' ' ')" = "g1 g2 g3 g4 " ] || fail "another group: $(cat "$work/run.out")"

# ---- SIGINT: a clean exit (0) that commits what was printed
"$KAFKALITE" consume -b "$bootstrap" -t grouped -g waiter --from-beginning >"$work/wait.out" 2>"$work/wait.err" &
cpid=$!
wait_for grep -q g4 "$work/wait.out" || fail "the waiting consumer printed nothing"
kill -INT "$cpid"
wait "$cpid"
status=$?
[ "$status" -eq 0 ] || fail "SIGINT: exit status $status"
expect_status /dev/null 0 consume -b "$bootstrap" -t grouped -g waiter --from-beginning -e
[ ! -s "$work/run.out" ] || fail "after SIGINT the group's offsets were not committed"

# ---- SIGINT while no broker answers: the first one stops it at once
# (issue 13 fault 7: it took 29 s), with or without a group
for mode in assign group; do
    if [ "$mode" = group ]; then set -- -g lonely; else set --; fi
    "$KAFKALITE" consume -b 127.0.0.1:1 -t nowhere "$@" >"$work/lost.out" 2>"$work/lost-$mode.err" &
    cpid=$!
    background=$cpid
    wait_for catches_sigint "$cpid" || fail "consume ($mode) never installed its SIGINT handler"
    start=$(date +%s)
    kill -INT "$cpid"
    wait "$cpid"
    status=$?
    elapsed=$(($(date +%s) - start))
    background=
    [ "$status" -eq 0 ] || fail "SIGINT with no broker ($mode): exit status $status"
    [ "$elapsed" -le 5 ] || fail "SIGINT with no broker ($mode): it took ${elapsed}s to stop"
done

# ---- Kafka's console-consumer options
printf 'a\tone\nb\ttwo\n' >"$work/kv"
expect_status "$work/kv" 0 produce -b "$bootstrap" -t kafkaish -p 1 --property parse.key=true -H h=v
expect_status /dev/null 0 consume --bootstrap-server "$bootstrap" --topic kafkaish --partition 1 \
    --offset earliest --max-messages 2 --property print.key=true --property print.offset=true \
    --property print.partition=true --property print.headers=true --property key.separator=' | '
[ "$(cat "$work/run.out")" = "$(printf 'Partition:1 | Offset:0 | h:v | a | one\nPartition:1 | Offset:1 | h:v | b | two')" ] ||
    fail "print.* properties: $(cat "$work/run.out")"
expect_status /dev/null 0 consume --bootstrap-server="$bootstrap" --topic=kafkaish --from-beginning \
    --property print.timestamp=true --property print.value=false --timeout-ms 1500
[ "$(grep -c '^CreateTime:[0-9]*$' "$work/run.out")" -eq 2 ] || fail "print.timestamp: $(cat "$work/run.out")"
printf 'isolation.level=read_uncommitted\n' >"$work/consumer.properties"
expect_status /dev/null 0 consume --bootstrap-server "$bootstrap" --include 'kafka.*' --group inc \
    --from-beginning --max-messages 2 --consumer.config "$work/consumer.properties" \
    --isolation-level read_committed --consumer-property client.id=inc
[ "$(sort "$work/run.out" | tr '\n' ' ')" = "one two " ] || fail "--include: $(cat "$work/run.out")"
expect_status /dev/null 2 consume -b "$bootstrap" --topic kafkaish --from-begining
grep -q "unknown option --from-begining (did you mean --from-beginning?)" "$work/run.err" ||
    fail "no suggestion for --from-begining"
expect_status /dev/null 2 consume -b "$bootstrap" --topic kafkaish --property print.nothing=true
expect_status /dev/null 2 consume -b "$bootstrap" --topic kafkaish --include 'x.*'
expect_status /dev/null 2 consume -b "$bootstrap" --topic kafkaish --property print.key=true -f '%s\n'

# ---- perf consume
expect_status /dev/null 0 perf produce -b "$bootstrap" -t perf -n 5000 -s 50
expect_status /dev/null 0 perf consume -b "$bootstrap" -t perf
grep -q "^5000 messages (250000 bytes) from perf in .* msg/s, .* MB/s$" "$work/run.out" ||
    fail "perf consume: $(cat "$work/run.out")"
! grep -q "$(printf '\r')" "$work/run.out" || fail "perf consume: progress line written to a file"
expect_status /dev/null 0 perf consume -b "$bootstrap" -t perf -n 100 -g perfgroup
grep -q "^100 messages (5000 bytes)" "$work/run.out" || fail "perf consume -n 100 -g: $(cat "$work/run.out")"
expect_status /dev/null 1 perf consume -b "$bootstrap" -t perf -n 6000
grep -q "ended after 5000 of 6000" "$work/run.err" || fail "perf consume: a short topic is not reported"

# ---- bad usage exits 2; a refused property 1
expect_status /dev/null 2 consume -b "$bootstrap"
grep -q -- "-t topic is required" "$work/run.err" || fail "no message for the missing -t"
expect_status /dev/null 2 consume -t x -Z
expect_status /dev/null 2 consume -t x --bogus
expect_status /dev/null 2 consume -t x -o middle
expect_status /dev/null 2 consume -t x -c 0
expect_status /dev/null 2 consume -t x -f '%q'
expect_status /dev/null 2 consume -t x -f 'tail\'
expect_status /dev/null 2 consume -t x -g g -p 0
expect_status /dev/null 2 consume -t x -g g -o 5
expect_status /dev/null 2 consume -t x -o end --from-beginning
expect_status /dev/null 2 consume -t x extra
expect_status /dev/null 1 consume -t x -X no.such.property=1
grep -q "no.such.property" "$work/run.err" || fail "the refused property is not named"
expect_status /dev/null 0 consume --help
grep -q "usage: kafkalite consume" "$work/run.out" || fail "consume --help"
expect_status /dev/null 2 perf consume -n 5
expect_status /dev/null 2 perf consume -t x -n 0

stop_broker
echo "kafkalite consume and perf consume: read back byte for byte, groups commit, bad usage refused"
exit 0
