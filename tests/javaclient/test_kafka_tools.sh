#!/bin/bash
# Apache Kafka's own tools against `kafkalite broker` (issue 15), each run
# as a user would and its output checked: kafka-topics, the console
# producer and consumer, kafka-consumer-groups (describe with lag, members,
# state, offset resets, delete), kafka-configs, kafka-get-offsets,
# kafka-delete-records, kafka-log-dirs, kafka-broker-api-versions,
# kafka-transactions (list, describe, describe-producers, against a
# transaction the Java client holds open, then commits) and the two perf
# tools. Skips (fails under KL_TEST_NO_SKIP=1) without Kafka's jars.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/kafka/kafka_lib.sh"
kl_kafka_require
start_broker --override group.initial.rebalance.delay.ms=0
b=$bootstrap

# kt NAME TOOL ARGS...: runs one of Kafka's tools (output in $work/NAME.out
# and .err); fails the test unless it exits 0.
kt() {
    name=$1
    shift
    kl_kafka_tool "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null || fail "$*: exit status $?"
}
has() { grep -q -- "$2" "$work/$1.out" || fail "$1: no '$2' in: $(cat "$work/$1.out")"; }
lacks() { ! grep -q -- "$2" "$work/$1.out" || fail "$1: '$2' in: $(cat "$work/$1.out")"; }
# rows NAME AWK-CONDITION COUNT: COUNT lines of NAME.out satisfy the condition.
rows() {
    n=$(awk "$2" "$work/$1.out" | wc -l)
    [ "$n" -eq "$3" ] || fail "$1: $n lines, not $3, match $2 in: $(cat "$work/$1.out")"
}

# kafka-topics
kt create kafka-topics --bootstrap-server "$b" --create --topic tt --partitions 3 --replication-factor 1
has create "Created topic tt."
kt again kafka-topics --bootstrap-server "$b" --create --if-not-exists --topic tt --partitions 3 --replication-factor 1
kl_kafka_tool kafka-topics --bootstrap-server "$b" --create --topic tt --partitions 3 \
    >"$work/dup.out" 2>&1 && fail "creating tt twice succeeded"
has dup "already exists"
kt alter kafka-topics --bootstrap-server "$b" --alter --topic tt --partitions 4
kt describe kafka-topics --bootstrap-server "$b" --describe --topic tt
has describe "PartitionCount: 4"
has describe "ReplicationFactor: 1"
rows describe '/Partition: [0-3]\tLeader: 1\tReplicas: 1\tIsr: 1/' 4
kt list kafka-topics --bootstrap-server "$b" --list
grep -qx tt "$work/list.out" || fail "--list: $(cat "$work/list.out")"

# the console producer with keys, the console consumer in a group
seq 1 40 | sed 's/.*/k&:v&/' >"$work/sent"
kl_kafka_tool kafka-console-producer --bootstrap-server "$b" --topic tt \
    --property parse.key=true --property key.separator=: <"$work/sent" >"$work/produce.out" 2>"$work/produce.err" ||
    fail "kafka-console-producer: exit status $?"
kt consume kafka-console-consumer --bootstrap-server "$b" --topic tt --from-beginning --group tg \
    --property print.key=true --property key.separator=: --max-messages 40 --timeout-ms 60000
has consume "^k1:v1$"
sort "$work/sent" | cmp -s - <(grep '^k' "$work/consume.out" | sort) ||
    fail "the console consumer read other messages: $(head "$work/consume.out")"
grep -q "Processed a total of 40 messages" "$work/consume.err" || fail "consumer: $(cat "$work/consume.err")"

# kafka-consumer-groups: the group committed everything (lag 0), then 10 more
seq 41 50 | sed 's/.*/k&:v&/' | kl_kafka_tool kafka-console-producer --bootstrap-server "$b" --topic tt \
    --reader-property parse.key=true --reader-property key.separator=: >"$work/produce.out" 2>"$work/produce.err" ||
    fail "kafka-console-producer: exit status $?"
kt glist kafka-consumer-groups --bootstrap-server "$b" --list
grep -qx tg "$work/glist.out" || fail "--list: $(cat "$work/glist.out")"
kt gdesc kafka-consumer-groups --bootstrap-server "$b" --describe --group tg
rows gdesc '$1 == "tg" && $2 == "tt" && $5 - $4 == $6' 4
lag=$(awk '$1 == "tg" { s += $6 } END { print s }' "$work/gdesc.out")
[ "$lag" -eq 10 ] || fail "total lag $lag, not 10: $(cat "$work/gdesc.out")"
kt gstate kafka-consumer-groups --bootstrap-server "$b" --describe --group tg --state
rows gstate '$1 == "tg" && $5 == "Empty" && $6 == 0' 1
kt gmembers kafka-consumer-groups --bootstrap-server "$b" --describe --group tg --members
grep -q "Consumer group 'tg' has no active members" "$work/gmembers.err" || fail "--members: $(cat "$work/gmembers.err")"
rows gmembers '$1 == "tg"' 0
# a member that stays while we look: --members and --state see it
# (java itself in the background, so that $background is its pid)
# shellcheck disable=SC2086
java $KL_KAFKA_TOOL_OPTS -cp "$KL_KAFKA_JARS/*" "$(kl_kafka_main_class kafka-console-consumer)" \
    --bootstrap-server "$b" --topic tt --group tg2 --timeout-ms 120000 >"$work/live.out" 2>"$work/live.err" &
background=$!
member_seen() {
    kl_kafka_tool kafka-consumer-groups --bootstrap-server "$b" --describe --group tg2 --members \
        >"$work/gmembers2.out" 2>"$work/gmembers2.err" &&
        awk '$1 == "tg2" && $5 == 4' "$work/gmembers2.out" | grep -q .
}
TIMEOUT_TENTHS=600 wait_for member_seen || fail "--members never showed the live consumer with 4 partitions"
rows gmembers2 '$1 == "tg2" && $4 == "console-consumer"' 1
kt gstate2 kafka-consumer-groups --bootstrap-server "$b" --describe --group tg2 --state
rows gstate2 '$1 == "tg2" && $4 == "range" && $5 == "Stable" && $6 == 1' 1
kill "$background"
wait "$background" 2>/dev/null
background=

# offset resets: to the earliest, shift by, to a date before everything
kt reset kafka-consumer-groups --bootstrap-server "$b" --reset-offsets --group tg --topic tt --to-earliest --execute
rows reset '$1 == "tg" && $2 == "tt" && $4 == 0' 4
kt shift kafka-consumer-groups --bootstrap-server "$b" --reset-offsets --group tg --topic tt --shift-by 2 --execute
rows shift '$1 == "tg" && $2 == "tt" && $4 == 2' 4
kt gdesc kafka-consumer-groups --bootstrap-server "$b" --describe --group tg
rows gdesc '$1 == "tg" && $4 == 2' 4
kt dated kafka-consumer-groups --bootstrap-server "$b" --reset-offsets --group tg --all-topics \
    --to-datetime 2000-01-01T00:00:00.000 --execute
rows dated '$1 == "tg" && $2 == "tt" && $4 == 0' 4
kt gdelete kafka-consumer-groups --bootstrap-server "$b" --delete --group tg
has gdelete "Deletion of requested consumer groups ('tg') was successful."
kt glist kafka-consumer-groups --bootstrap-server "$b" --list
! grep -qx tg "$work/glist.out" || fail "tg outlived --delete"

# kafka-configs
kt calter kafka-configs --bootstrap-server "$b" --entity-type topics --entity-name tt --alter \
    --add-config retention.ms=3600000,max.message.bytes=65536
kt cdesc kafka-configs --bootstrap-server "$b" --entity-type topics --entity-name tt --describe
has cdesc "retention.ms=3600000"
has cdesc "max.message.bytes=65536"
kt calter kafka-configs --bootstrap-server "$b" --entity-type topics --entity-name tt --alter \
    --delete-config retention.ms
kt cdesc kafka-configs --bootstrap-server "$b" --entity-type topics --entity-name tt --describe
lacks cdesc "retention.ms=3600000"
has cdesc "max.message.bytes=65536"

# kafka-get-offsets, kafka-delete-records, kafka-log-dirs
kt offsets kafka-get-offsets --bootstrap-server "$b" --topic tt
[ "$(awk -F: '$1 == "tt" { s += $3 } END { print s }' "$work/offsets.out")" -eq 50 ] ||
    fail "end offsets do not add up to 50: $(cat "$work/offsets.out")"
p0=$(awk -F: '$1 == "tt" && $2 == 0 { print $3 }' "$work/offsets.out")
[ "$p0" -ge 2 ] || fail "partition 0 holds $p0 records, too few to trim"
printf '{"partitions":[{"topic":"tt","partition":0,"offset":2}],"version":1}\n' >"$work/delete.json"
kt delete kafka-delete-records --bootstrap-server "$b" --offset-json-file "$work/delete.json"
has delete "partition: tt-0	low_watermark: 2"
kt earliest kafka-get-offsets --bootstrap-server "$b" --topic tt --time -2
has earliest "^tt:0:2$"
kt logdirs kafka-log-dirs --bootstrap-server "$b" --describe --topic-list tt
logdir=$(cd "$work/logs" && pwd -P)
has logdirs "\"logDir\":\"$logdir\""
[ "$(grep -o '"partition":"tt-[0-3]","size":[1-9][0-9]*,"offsetLag":0,"isFuture":false' "$work/logdirs.out" | wc -l)" -eq 4 ] ||
    fail "kafka-log-dirs: $(cat "$work/logdirs.out")"

# kafka-broker-api-versions: what ApiVersions advertises
kt apis kafka-broker-api-versions --bootstrap-server "$b"
has apis "Produce(0): 3 to 11 \[usable: "
has apis "DescribeLogDirs(35): 0 to 4 \[usable: 4\]"
has apis "OffsetForLeaderEpoch(23): 0 to 4 \[usable: 4\]"
has apis "DescribeProducers(61): 0 \[usable: 0\]"
has apis "DescribeTransactions(65): 0 \[usable: 0\]"
has apis "ListTransactions(66): 0 to 1 \[usable: 1\]"
has apis "SaslHandshake(17): 0 to 1 \[usable: 1\]"
has apis "SaslAuthenticate(36): 0 to 2 \[usable: 2\]"
has apis "AlterUserScramCredentials(51): 0 \[usable: 0\]"
has apis "CreateAcls(30): UNSUPPORTED"

# kafka-transactions, with a transaction the Java client holds open
# (TxnHold.java, java itself in the background so that $background is
# its pid; it commits on a line sent to its stdin)
kt ttopic kafka-topics --bootstrap-server "$b" --create --topic ttx --partitions 1 --replication-factor 1
mkfifo "$work/hold.in"
# shellcheck disable=SC2086
java $KL_KAFKA_TOOL_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$KL_KAFKA_JARS/*" \
    "$srcdir/tests/javaclient/TxnHold.java" "$b" tools-tx ttx <"$work/hold.in" >"$work/hold.out" 2>"$work/hold.err" &
background=$!
exec 3>"$work/hold.in"
TIMEOUT_TENTHS=1200 wait_for grep -qx open "$work/hold.out" || fail "the Java producer never opened its transaction"
kt tlist kafka-transactions --bootstrap-server "$b" list
rows tlist '$1 == "tools-tx" && $2 == 1 && $3 ~ /^[0-9]+$/ && $4 == "Ongoing"' 1
pid_tx=$(awk '$1 == "tools-tx" { print $3 }' "$work/tlist.out")
kt tdesc kafka-transactions --bootstrap-server "$b" describe --transactional-id tools-tx
# CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState
# TransactionTimeoutMs CurrentTransactionStartTimeMs TransactionDurationMs
# TopicPartitions
rows tdesc "\$1 == 1 && \$2 == \"tools-tx\" && \$3 == $pid_tx && \$5 == \"Ongoing\" && \$6 == 60000 && \$9 == \"ttx-0\"" 1
kt tprod kafka-transactions --bootstrap-server "$b" describe-producers --topic ttx --partition 0
# ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp
# CurrentTransactionStartOffset: its records at 0 and 1
rows tprod "\$1 == $pid_tx && \$4 == 1 && \$6 == 0" 1
kl_kafka_tool kafka-transactions --bootstrap-server "$b" describe --transactional-id nobody-tx \
    >"$work/tnone.out" 2>&1 && fail "describe of an unknown transactional id succeeded"
has tnone "the ID could not be found"
echo commit >&3
exec 3>&-
wait "$background" || fail "the Java producer failed: $(cat "$work/hold.err")"
background=
has hold "^committed$"
kt tdesc2 kafka-transactions --bootstrap-server "$b" describe --transactional-id tools-tx
rows tdesc2 '$2 == "tools-tx" && $5 == "CompleteCommit"' 1
kt tlist2 kafka-transactions --bootstrap-server "$b" list
rows tlist2 '$1 == "tools-tx" && $4 == "CompleteCommit"' 1
kt tread kafka-console-consumer --bootstrap-server "$b" --topic ttx --from-beginning --max-messages 2 \
    --isolation-level read_committed --timeout-ms 60000
[ "$(cat "$work/tread.out")" = "held-0
held-1" ] || fail "read_committed read: $(cat "$work/tread.out")"

# the perf tools
kt pperf kafka-producer-perf-test --topic perf --num-records 20000 --record-size 100 --throughput -1 \
    --producer-props bootstrap.servers="$b" acks=all
has pperf "^20000 records sent"
kt cperf kafka-consumer-perf-test --bootstrap-server "$b" --topic perf --messages 20000 --timeout 60000
rows cperf 'BEGIN { FS = ", " } $5 == 20000' 1

kt tdelete kafka-topics --bootstrap-server "$b" --delete --topic tt
kt list kafka-topics --bootstrap-server "$b" --list
! grep -qx tt "$work/list.out" || fail "tt outlived --delete"
stop_broker
echo "PASS: Kafka $KL_KAFKA_VERSION's tools against kafkalite broker"
