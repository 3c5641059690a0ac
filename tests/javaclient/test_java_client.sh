#!/bin/bash
# Apache Kafka's Java client (kafka-clients $KL_KAFKA_VERSION, 4.4.0 unless
# set) against `kafkalite broker`: JavaClient.java's scenarios (AdminClient,
# producer codecs and headers, classic groups, offsets) and JavaTxn.java's
# (transactions: abort and read_committed, offsets in a transaction,
# fencing), compiled at test time against the jars tests/kafka/fetch
# brought. Skips (fails under KL_TEST_NO_SKIP=1) without java or those jars.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/kafka/kafka_lib.sh"
kl_kafka_require
kl_kafka_javac "$work/classes" "$srcdir/tests/javaclient/JavaClient.java" \
    "$srcdir/tests/javaclient/JavaTxn.java" 2>"$work/javac.err" ||
    fail "JavaClient.java does not compile against kafka-clients $KL_KAFKA_VERSION: $(head -n 5 "$work/javac.err")"
start_broker --override group.initial.rebalance.delay.ms=0
kl_kafka_java_class "$work/classes" JavaClient "$bootstrap" "v$KL_KAFKA_VERSION-" \
    >"$work/java.out" 2>"$work/java.err" </dev/null
status=$?
cat "$work/java.out"
[ "$status" -eq 0 ] || fail "the Java client $KL_KAFKA_VERSION failed a scenario (exit status $status)"
[ "$(grep -c '^ok ' "$work/java.out")" -eq 9 ] || fail "not every scenario ran"
stop_broker
echo "PASS: the Java client $KL_KAFKA_VERSION against kafkalite broker"
