#!/bin/bash
# The Kafka test infrastructure itself: a one-node KRaft cluster starts and
# answers Metadata, Kafka's kafka-topics tool creates a topic on it, kcat
# writes to it and the Java consumer (a single-file program on the fetched
# jars) reads back exactly what was written; then the cluster stops.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/kafka/test_lib.sh"
command -v kcat >/dev/null 2>&1 || kl_kafka_skip "kcat not installed"
kafka_cluster_up 1

fail() { echo "FAIL: $*"; tail -n 20 "$kafka_dir"/cluster/node1/server.log; exit 1; }

kafka_tool kafka-topics --bootstrap-server "$bootstrap" --create --topic infra \
    --partitions 2 --replication-factor 1 >"$kafka_dir/create.out" 2>&1 ||
    fail "kafka-topics --create: $(cat "$kafka_dir/create.out")"
kafka_tool kafka-topics --bootstrap-server "$bootstrap" --list >"$kafka_dir/list.out" 2>&1 ||
    fail "kafka-topics --list"
grep -qx infra "$kafka_dir/list.out" || fail "kafka-topics --list lacks the topic: $(cat "$kafka_dir/list.out")"

printf 'one\ntwo\nthree\n' | kcat -P -b "$bootstrap" -t infra -p 1 || fail "kcat could not produce"
kafka_java "$srcdir/tests/kafka/java/Consume.java" "$bootstrap" infra 3 60000 \
    >"$kafka_dir/consume.out" 2>"$kafka_dir/consume.err" ||
    fail "Java consumer: $(tail -n 20 "$kafka_dir/consume.err")"
expected=$(printf '1\t0\t-\tone\t\n1\t1\t-\ttwo\t\n1\t2\t-\tthree\t')
[ "$(cat "$kafka_dir/consume.out")" = "$expected" ] ||
    fail "Java consumer read: $(cat "$kafka_dir/consume.out")"

"$srcdir/tests/kafka/cluster" stop "$kafka_dir/cluster"
! pgrep -f "$kafka_dir/cluster" >/dev/null || fail "a Kafka node survived cluster stop"
echo "PASS: Kafka $KL_KAFKA_VERSION cluster, kafka-topics, kcat and the Java consumer"
