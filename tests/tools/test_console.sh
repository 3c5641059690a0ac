#!/bin/sh
# The broker's HTTP console against `kafkalite broker` on OS-picked ports:
# /healthz and /readyz; /metrics passes `promtool check metrics`, counts
# what was produced and what a consumer fetched, the error codes answered,
# the fsyncs of a flush.messages=1 topic, the busy time of the network
# threads, the broker loop and the I/O threads (a flush.ms topic), and
# its consumer-group lag equals the LAG column of `kafkalite groups
# --describe` (and the JSON API's); the JSON API's
# cluster, topics and groups; bad parameters answered 400 with the reason,
# unknown paths and names 404, other methods 405.
set -u
. "${srcdir:-.}/tests/tools/broker_lib.sh"
. "${srcdir:-.}/tests/tools/console_lib.sh"
command -v promtool >/dev/null 2>&1 || skip "promtool not installed (Debian prometheus)"

console_start --override offsets.topic.num.partitions=3
B=$bootstrap
grep -q "console listening on $url" "$work/broker.err" || fail "the console address was not logged"

# ---- health
get healthz 200 /healthz
expect healthz '^ok$'
get readyz 200 /readyz
expect readyz '^ready$'
expect readyz 'group coordinator: loaded'

# ---- some data: 40 messages on t-0, 5 on t-1, a group at offset 3 of both
"$KAFKALITE" topics -b "$B" --create --topic t --partitions 2 >/dev/null 2>&1 || fail "cannot create t"
seq 1 40 | "$KAFKALITE" produce -b "$B" -t t -p 0 >/dev/null 2>&1 || fail "cannot produce to t-0"
seq 1 5 | "$KAFKALITE" produce -b "$B" -t t -p 1 >/dev/null 2>&1 || fail "cannot produce to t-1"
"$KAFKALITE" groups -b "$B" --reset-offsets --group g1 --topic t --to-offset 3 --execute >/dev/null 2>&1 ||
    fail "cannot commit offsets for g1"

# ---- metrics
get metrics 200 /metrics
promtool check metrics <"$work/metrics.out" >"$work/promtool.out" 2>&1 || fail "promtool check metrics failed"
expect metrics '^kafkalite_topic_messages_in_total{topic="t"} 45$'
expect metrics '^kafkalite_partition_log_end_offset{topic="t",partition="0"} 40$'
expect metrics '^kafkalite_partition_log_start_offset{topic="t",partition="1"} 0$'
expect metrics '^kafkalite_requests_total{api="Produce"} [1-9]'
expect metrics '^kafkalite_request_duration_seconds_count{api="Produce"} [1-9]'
expect metrics '^kafkalite_connections [0-9]'
expect metrics '^process_resident_memory_bytes [1-9]'
expect metrics '^process_open_fds [1-9]'
expect metrics '^kafkalite_topic_bytes_out_total{topic="t"} 0$'
expect metrics '^kafkalite_topic_messages_out_total{topic="t"} 0$'

# value of the sample $2 (a whole sample name with its labels) in $work/$1.out
sample() {
    awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print "none" }' "$work/$1.out"
}

# What a consumer fetched is counted out: all 45 messages, and the bytes of
# both partitions' logs (each batch fetched once).
"$KAFKALITE" consume -b "$B" -t t -o beginning -e -f '%p %o\n' >"$work/consumed.out" 2>"$work/consume.err" ||
    fail "cannot consume t: $(cat "$work/consume.err")"
[ "$(wc -l <"$work/consumed.out")" -eq 45 ] || fail "consumed $(wc -l <"$work/consumed.out") messages of t, not 45"
get metrics-out 200 /metrics
promtool check metrics <"$work/metrics-out.out" >"$work/promtool.out" 2>&1 || fail "promtool check metrics failed"
expect metrics-out '^kafkalite_topic_messages_out_total{topic="t"} 45$'
size0=$(sample metrics-out 'kafkalite_partition_size_bytes{topic="t",partition="0"}')
size1=$(sample metrics-out 'kafkalite_partition_size_bytes{topic="t",partition="1"}')
out=$(sample metrics-out 'kafkalite_topic_bytes_out_total{topic="t"}')
[ "$out" = "$((size0 + size1))" ] || fail "bytes out of t: $out, the logs hold $size0 + $size1 bytes"
# The network threads read and wrote that consume (one of the 3 of
# num.network.threads, so their sum), the broker loop served it: their busy
# times grew.
busy_sum() { # $1: a .out; prints the sum of the samples of family $2
    awk -v f="$2" 'index($1, f) == 1 && substr($1, length(f) + 1, 1) ~ /^[{]?$/ { n++; s += $2 }
        END { if (n) printf "%.6f %d\n", s, n; else print "none" }' "$work/$1.out"
}
for busy in kafkalite_network_thread_busy_seconds_total:3 kafkalite_request_handler_busy_seconds_total:1; do
    set -- $(busy_sum metrics "${busy%:*}") $(busy_sum metrics-out "${busy%:*}")
    [ "${2:-}" = "${busy#*:}" ] && [ "${4:-}" = "${busy#*:}" ] ||
        fail "${busy%:*}: not ${busy#*:} samples before and after the consume: $*"
    awk -v a="$1" -v b="$3" 'BEGIN { exit !(a > 0 && b > a) }' ||
        fail "${busy%:*}: $1 s before the consume, $3 s after"
done

# Error codes in answers are counted per API and code: creating t again is
# answered TOPIC_ALREADY_EXISTS (36).
grep -q 'kafkalite_response_errors_total{api="CreateTopics"' "$work/metrics-out.out" &&
    fail "CreateTopics errors counted before any"
"$KAFKALITE" topics -b "$B" --create --topic t --partitions 2 >/dev/null 2>&1 && fail "t was created twice"
get metrics-errors 200 /metrics
expect metrics-errors '^kafkalite_response_errors_total{api="CreateTopics",code="36",error="TOPIC_ALREADY_EXISTS"} 1$'

# A flush.messages=1 topic fsyncs every produce before its answer: the
# flush histogram counts them.
flushes() { # sets $flush_count
    get "$1" 200 /metrics
    flush_count=$(sample "$1" kafkalite_log_flush_duration_seconds_count)
    inf=$(sample "$1" 'kafkalite_log_flush_duration_seconds_bucket{le="+Inf"}')
    [ "$flush_count" = "$inf" ] || fail "flush histogram: count $flush_count, +Inf bucket $inf"
}
flushes flush-before
before=$flush_count
"$KAFKALITE" topics -b "$B" --create --topic synced --partitions 1 --config flush.messages=1 >/dev/null 2>&1 ||
    fail "cannot create synced"
for i in 1 2 3; do
    echo "m$i" | "$KAFKALITE" produce -b "$B" -t synced >/dev/null 2>&1 || fail "cannot produce to synced"
done
flushes flush-after
after=$flush_count
[ "$after" -ge $((before + 3)) ] || fail "3 synced produces: flush count went from $before to $after"

# The I/O threads (8 of num.io.threads) fsync a flush.ms topic's new
# messages when they are due: their busy time grows.
set -- $(busy_sum flush-after kafkalite_io_thread_busy_seconds_total)
[ "${2:-}" = 8 ] || fail "kafkalite_io_thread_busy_seconds_total: not 8 samples: $*"
io_before=$1
"$KAFKALITE" topics -b "$B" --create --topic timed --partitions 1 --config flush.ms=20 >/dev/null 2>&1 ||
    fail "cannot create timed"
echo m | "$KAFKALITE" produce -b "$B" -t timed >/dev/null 2>&1 || fail "cannot produce to timed"
io_grew() {
    get io-busy 200 /metrics
    set -- $(busy_sum io-busy kafkalite_io_thread_busy_seconds_total)
    awk -v a="$io_before" -v b="${1:-0}" 'BEGIN { exit !(b > a) }'
}
wait_for io_grew || fail "the I/O threads' busy seconds stayed at $io_before after a flush.ms=20 produce"

# The lag metric per partition equals `kafkalite groups --describe`'s LAG
# column, and the JSON API's.
"$KAFKALITE" groups -b "$B" --describe --group g1 >"$work/describe.out" 2>&1 || fail "groups --describe failed"
awk '$1 == "g1" && $2 == "t" { print $3, $6 }' "$work/describe.out" | sort >"$work/lag_cli.out"
sed -n 's/^kafkalite_consumer_group_lag{group="g1",topic="t",partition="\([0-9]*\)"} \(.*\)$/\1 \2/p' \
    "$work/metrics.out" | sort >"$work/lag_metric.out"
[ "$(wc -l <"$work/lag_cli.out")" -eq 2 ] || fail "groups --describe does not show two partitions"
cmp -s "$work/lag_cli.out" "$work/lag_metric.out" ||
    fail "lag: groups --describe says $(cat "$work/lag_cli.out"), /metrics $(cat "$work/lag_metric.out")"
grep -qx "0 37" "$work/lag_cli.out" || fail "lag of t-0 is not 40 - 3"
get group 200 /api/v1/groups/g1
expect group '"partition":0,"committed_offset":3,"log_end_offset":40,"lag":37'
expect group '"partition":1,"committed_offset":3,"log_end_offset":5,"lag":2'
expect group '"total_lag":39'

# A group with a member: its client id and host are shown.
"$KAFKALITE" consume -b "$B" -t t -g g2 -X client.id=console-test >/dev/null 2>"$work/consumer.err" &
background=$!
member_shown() {
    curl -sS --max-time 30 -o "$work/member.out" "$url/api/v1/groups/g2" &&
        grep -q '"members":\[{"member_id":"console-test-[^"]*","client_id":"console-test","host":"/127.0.0.1"}\]' \
            "$work/member.out"
}
wait_for member_shown || fail "the consumer of g2 is not shown as its member: $(cat "$work/member.out")"
kill -TERM "$background"
wait "$background"

# ---- the JSON API
get cluster 200 /api/v1/cluster
expect cluster '"broker_id":1,'
expect cluster "\"console\":\"$url\""
expect cluster '"log_dirs":\[{"path":'
get topics 200 /api/v1/topics
expect topics '"name":"t","internal":false,"partition_count":2'
grep -q __consumer_offsets "$work/topics.out" && fail "internal topics listed without internal=true"
get topics-internal 200 '/api/v1/topics?internal=true'
expect topics-internal '"name":"__consumer_offsets","internal":true'
get topic 200 /api/v1/topics/t
expect topic '"partition":0,"leader":1,"replicas":\[1\],"isr":\[1\],"online":true,"log_start_offset":0,"log_end_offset":40'
get groups 200 /api/v1/groups
expect groups '"group":"g1","state":"Empty"'

# ---- what is refused
get bad-bool 400 '/api/v1/topics?internal=maybe'
expect bad-bool 'internal must be true or false'
get bad-param 400 '/api/v1/cluster?verbose=1'
expect bad-param 'unknown parameter: verbose'
get bad-name 400 '/api/v1/topics/bad!name'
expect bad-name 'not a valid topic name'
get no-topic 404 /api/v1/topics/nothere
expect no-topic 'no such topic: nothere'
get no-group 404 /api/v1/groups/nothere
get no-api 404 /api/v1/brokers
get no-page 404 /index.html
get put 405 /api/v1/topics -X PUT
expect put 'PUT is not allowed'

stop_broker
echo "console: health, metrics (promtool clean, lag as groups --describe), JSON API and refusals checked"
