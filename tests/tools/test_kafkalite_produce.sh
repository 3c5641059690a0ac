#!/bin/sh
# End-to-end test of `kafkalite produce` and `kafkalite perf produce`
# against `kafkalite broker` on a free port: lines go in with keys and
# headers and come back out once each and in order (read with kcat when
# installed, otherwise with `kafkalite consume`), failures exit 1 saying
# how many, an unreachable bootstrap gives up within delivery.timeout.ms,
# bad usage exits 2, and perf prints its figures.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"

# Runs kafkalite with the remaining arguments, stdin from $1, and checks
# the exit status is $2. Output in $work/run.out and run.err.
expect_status() {
    input=$1 want=$2
    shift 2
    "$KAFKALITE" "$@" <"$input" >"$work/run.out" 2>"$work/run.err"
    got=$?
    [ "$got" -eq "$want" ] || fail "kafkalite $*: exit status $got, expected $want"
}

start_broker --override num.partitions=1

# ---- lines with keys and a header, every one delivered
: >"$work/lines"
i=1
while [ "$i" -le 500 ]; do
    echo "key-$i:value $i: with the delimiter again" >>"$work/lines"
    i=$((i + 1))
done
echo "no delimiter on this line" >>"$work/lines"
echo "" >>"$work/lines" # an empty message
expect_status "$work/lines" 0 produce -b "$bootstrap" -t lines -K : -H origin=test -H n=2 -c -X linger.ms=1
[ "$(cat "$work/run.out")" = "502 delivered, 0 failed" ] || fail "counts: $(cat "$work/run.out")"

# Read back exactly (each message once, in order, with its key and
# headers): with kcat when installed, else with `kafkalite consume`.
sed 's/^\([^:]*\):\(.*\)$/\1|\2|origin=test,n=2/' "$work/lines" |
    sed 's/^no delimiter on this line$/|no delimiter on this line|origin=test,n=2/; s/^$/||origin=test,n=2/' \
        >"$work/expected"
if command -v kcat >/dev/null 2>&1; then
    reader=kcat
    kcat -b "$bootstrap" -C -t lines -o beginning -e -q -f '%k|%s|%h\n' >"$work/consumed" ||
        fail "kcat could not consume"
else
    reader="kafkalite consume"
    "$KAFKALITE" consume -b "$bootstrap" -t lines -o beginning -e -f '%k|%s|%h\n' >"$work/consumed" \
        2>"$work/consume.err" || fail "kafkalite consume could not consume"
fi
diff "$work/expected" "$work/consumed" >"$work/diff.out" || fail "consumed messages differ (see diff.out)"
echo "read back with $reader: keys, values and headers as produced"

# ---- an explicit partition; an empty input
echo "to partition 0" >"$work/one"
expect_status "$work/one" 0 produce -b "$bootstrap" -t lines -p 0 -c
[ "$(cat "$work/run.out")" = "1 delivered, 0 failed" ] || fail "-p 0: $(cat "$work/run.out")"
expect_status /dev/null 0 produce -b "$bootstrap" -t lines -c
[ "$(cat "$work/run.out")" = "0 delivered, 0 failed" ] || fail "empty input: $(cat "$work/run.out")"

# ---- failures: exit 1 naming how many
printf 'a\nb\nc\n' >"$work/three"
expect_status "$work/three" 1 produce -b "$bootstrap" -t lines -p 7 -X delivery.timeout.ms=5000
grep -q "3 of 3 messages failed" "$work/run.err" || fail "no count of the failures to a missing partition"

start=$(date +%s)
expect_status "$work/three" 1 produce -b 127.0.0.1:1 -t lines -X delivery.timeout.ms=1000 \
    -X reconnect.backoff.ms=10
elapsed=$(($(date +%s) - start))
grep -q "3 of 3 messages failed" "$work/run.err" || fail "unreachable bootstrap: no count of the failures"
[ "$elapsed" -le 30 ] || fail "unreachable bootstrap took ${elapsed}s with delivery.timeout.ms=1000"

# ---- SIGINT: the lines already written are still sent, and flushed at once
# although linger.ms would hold them for 20 s; the counts are printed and
# the status is 130 (issue 13 fault 7: they were lost, nothing was said)
mkfifo "$work/fifo"
"$KAFKALITE" produce -b "$bootstrap" -t interrupted -X linger.ms=20000 <"$work/fifo" \
    >"$work/sigint.out" 2>"$work/sigint.err" &
producer=$!
background=$producer
exec 3>"$work/fifo"
printf 'one\ntwo\n' >&3
wait_for catches_sigint "$producer" || fail "produce never installed its SIGINT handler"
start=$(date +%s)
kill -INT "$producer"
wait "$producer"
status=$?
elapsed=$(($(date +%s) - start))
background=
exec 3>&-
[ "$status" -eq 130 ] || fail "SIGINT: exit status $status, expected 130"
grep -q "2 delivered, 0 failed" "$work/sigint.err" || fail "SIGINT: no \"2 delivered, 0 failed\""
[ "$elapsed" -le 15 ] || fail "SIGINT: the flush took ${elapsed}s"
"$KAFKALITE" consume -b "$bootstrap" -t interrupted -o beginning -e >"$work/interrupted.out" 2>&1 ||
    fail "could not read back the interrupted topic"
[ "$(cat "$work/interrupted.out")" = "$(printf 'one\ntwo')" ] || fail "SIGINT: the topic holds \"$(cat "$work/interrupted.out")\""

# ---- Kafka's console-producer options: parse.key, key.separator, a
# properties file, --sync, --opt=value; a line without the separator stops
printf 'acks=all\nlinger.ms=1\n' >"$work/producer.properties"
printf 'k1=v1\nk2=v2\n' >"$work/keyed"
expect_status "$work/keyed" 0 produce --bootstrap-server "$bootstrap" --topic=keyed --property parse.key=true \
    --property key.separator== --producer.config "$work/producer.properties" --sync -c
[ "$(cat "$work/run.out")" = "2 delivered, 0 failed" ] || fail "Kafka's options: $(cat "$work/run.out")"
"$KAFKALITE" consume -b "$bootstrap" -t keyed -o beginning -e -f '%k|%s\n' >"$work/keyed.out" 2>&1
[ "$(cat "$work/keyed.out")" = "$(printf 'k1|v1\nk2|v2')" ] || fail "parse.key: \"$(cat "$work/keyed.out")\""
printf 'k3\tv3\nno separator\nk4\tv4\n' >"$work/bad-keyed"
expect_status "$work/bad-keyed" 1 produce -b "$bootstrap" -t keyed --property parse.key=true -c
grep -q 'no key separator found on line 2: "no separator"' "$work/run.err" || fail "parse.key: no error for line 2"
[ "$(cat "$work/run.out")" = "1 delivered, 0 failed" ] || fail "parse.key: line 1 was not delivered"
expect_status "$work/bad-keyed" 0 produce -b "$bootstrap" -t keyed --property parse.key=true \
    --property ignore.error=true -c
[ "$(cat "$work/run.out")" = "3 delivered, 0 failed" ] || fail "ignore.error: $(cat "$work/run.out")"
printf 'nope\n' >"$work/bad.properties"
expect_status /dev/null 1 produce -b "$bootstrap" -t keyed --producer.config "$work/bad.properties"
grep -q "bad.properties:1" "$work/run.err" || fail "a bad --producer.config line is not named"
expect_status /dev/null 2 produce --broker-list "$bootstrap" --topic keyed --sycn
grep -q "unknown option --sycn (did you mean --sync?)" "$work/run.err" || fail "no suggestion for --sycn"
expect_status /dev/null 2 produce -t x --property parse.key=maybe

# ---- parse.headers with null.marker, a --reader-config file that a
# --property overrides, Kafka's own --line-reader, the producer-property
# aliases; another line reader class is refused
printf 'parse.headers=true\nparse.key=true\nkey.separator=;\nnull.marker=NULL\n' >"$work/reader.properties"
printf 'h1:a,h2:NULL\tk1|v1\n\tNULL|v2\nh3:c\tk3|NULL\n' >"$work/headed"
expect_status "$work/headed" 0 produce -b "$bootstrap" -t headed --reader-config "$work/reader.properties" \
    --property 'key.separator=|' --line-reader org.apache.kafka.tools.LineMessageReader -H fixed=1 \
    --batch-size 16384 --max-partition-memory-bytes 16384 --metadata-expiry-ms 60000 --max-memory-bytes 1000000 -c
[ "$(cat "$work/run.out")" = "3 delivered, 0 failed" ] || fail "parse.headers: $(cat "$work/run.out")"
"$KAFKALITE" consume -b "$bootstrap" -t headed -o beginning -e -f '%k|%S|%s|%h\n' >"$work/headed.out" 2>&1
[ "$(cat "$work/headed.out")" = "$(printf 'k1|2|v1|fixed=1,h1=a,h2=\n|2|v2|fixed=1\nk3|-1||fixed=1,h3=c')" ] ||
    fail "parse.headers: \"$(cat "$work/headed.out")\""
printf 'no delimiter\n' >"$work/unheaded"
expect_status "$work/unheaded" 1 produce -b "$bootstrap" -t headed --property parse.headers=true
grep -q 'no headers delimiter found on line 1: "no delimiter"' "$work/run.err" || fail "parse.headers: no error"
expect_status /dev/null 2 produce -b "$bootstrap" -t headed --line-reader com.example.OwnReader
grep -q "only Kafka's line reader" "$work/run.err" || fail "--line-reader: no reason given"
expect_status /dev/null 1 produce -b "$bootstrap" -t headed --batch-size 0
expect_status /dev/null 2 produce -b "$bootstrap" -t headed --property headers.delimiter=

# ---- --max-block-ms: with the queue full (one message, unreachable
# broker), the next lines fail after that long instead of waiting for the
# first one's delivery timeout
printf 'a\nb\nc\n' >"$work/blocked"
expect_status "$work/blocked" 1 produce -b 127.0.0.1:1 -t blocked -X queue.buffering.max.messages=1 \
    -X delivery.timeout.ms=4000 --max-block-ms 200
[ "$(grep -c "message refused: Local queue is full" "$work/run.err")" -eq 2 ] ||
    fail "--max-block-ms: lines b and c did not fail on the full queue"
grep -q "3 of 3 messages failed" "$work/run.err" || fail "--max-block-ms: no count of the failures"

# ---- bad usage exits 2; a bad property is a refused configuration (1)
expect_status /dev/null 2 produce -b "$bootstrap"
grep -q -- "-t topic is required" "$work/run.err" || fail "no message for the missing -t"
expect_status /dev/null 2 produce -t x -Z
expect_status /dev/null 2 produce -t x -p many
expect_status /dev/null 2 produce -t x -p
expect_status /dev/null 2 produce -t x -X linger.ms
expect_status /dev/null 2 produce -t x -H novalue
expect_status /dev/null 2 produce -t x extra
expect_status /dev/null 1 produce -t x -X no.such.property=1
grep -q "no.such.property" "$work/run.err" || fail "the refused property is not named"
expect_status /dev/null 0 produce --help
grep -q "usage: kafkalite produce" "$work/run.out" || fail "produce --help"

# ---- perf produce: figures at the end, no progress line off a terminal
expect_status /dev/null 0 perf produce -b "$bootstrap" -t perf -n 3000 -s 64
grep -q "^3000 messages of 64 bytes to perf in .* msg/s, .* MB/s$" "$work/run.out" ||
    fail "perf: no throughput line"
grep -q "^delivery latency ms: p50 [0-9.]*, p95 [0-9.]*, p99 [0-9.]*, max [0-9.]*$" "$work/run.out" ||
    fail "perf: no latency line"
! grep -q "$(printf '\r')" "$work/run.out" || fail "perf: progress line written to a file"
expect_status /dev/null 0 perf produce -b "$bootstrap" -t perf -n 200 -s 10 -r 1000
grep -q "^200 messages" "$work/run.out" || fail "perf with -r"
# Kafka's long options; a run of 6 s says every 5 s what it sent, as
# kafka-producer-perf-test.sh does, in a pipe too
expect_status /dev/null 0 perf produce --topic perf --num-records 6000 --record-size 10 --throughput 1000 \
    --producer-props bootstrap.servers="$bootstrap" acks=1
grep -q "^[0-9]* records sent, [0-9.]* records/sec ([0-9.]* MB/sec), [0-9.]* ms avg latency, [0-9.]* ms max latency\.$" \
    "$work/run.out" || fail "perf: no 5-second line during a 6 s run"
grep -q "^6000 messages of 10 bytes" "$work/run.out" || fail "perf with Kafka's options: no summary"
expect_status /dev/null 1 perf produce -b 127.0.0.1:1 -t perf -n 5 -X delivery.timeout.ms=1000
grep -q "5 of 5 messages failed" "$work/run.err" || fail "perf: failures not counted"
expect_status /dev/null 2 perf
expect_status /dev/null 2 perf produce -t perf -n 0
expect_status /dev/null 2 perf bogus

# The daemon keeps Kafka's first-rebalance delay (an embedded broker's is 0).
expect_status /dev/null 0 configs -b "$bootstrap" --describe --broker 1 --all
grep -q "group.initial.rebalance.delay.ms=3000" "$work/run.out" || fail "the daemon's rebalance delay is not 3000"

# ---- nothing waits in silence (issue 18): an unreachable broker is named
# with the reason and the time the command gives up, every few seconds
echo hi >"$work/hi"
expect_status "$work/hi" 1 produce -b 127.0.0.1:1 -t x -X delivery.timeout.ms=7000
grep -q "cannot reach 127.0.0.1:1 (\(TCP \)\{0,1\}connect: Connection refused).*trying until [0-9][0-9]:[0-9][0-9]:[0-9][0-9]" \
    "$work/run.err" || fail "unreachable: no line saying whom it tries, why and until when"
[ "$(grep -c "cannot reach" "$work/run.err")" -ge 2 ] || fail "unreachable: said it once, then nothing"

# ---- a missing topic with auto-creation off is an error naming it, at once
stop_broker
start_broker --override num.partitions=1 --override auto.create.topics.enable=false
start=$(date +%s)
expect_status "$work/hi" 1 produce -b "$bootstrap" -t absent
grep -q "topic absent does not exist" "$work/run.err" || fail "produce: the missing topic is not named"
expect_status /dev/null 1 perf produce -b "$bootstrap" -t absent -n 10
grep -q "topic absent does not exist" "$work/run.err" || fail "perf produce: the missing topic is not named"
expect_status /dev/null 1 consume -b "$bootstrap" -t absent -g waiting -e
grep -q "topic absent does not exist" "$work/run.err" || fail "consume -g: the missing topic is not named"
[ $(($(date +%s) - start)) -le 20 ] || fail "the missing topic took $(($(date +%s) - start))s to report"

stop_broker
echo "kafkalite produce and perf produce: delivered, read back, failures counted, bad usage refused"
exit 0
