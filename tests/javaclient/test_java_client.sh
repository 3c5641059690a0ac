#!/bin/bash
# Apache Kafka's Java client (kafka-clients $KL_KAFKA_VERSION, 4.4.0 unless
# set) against `kafkalite broker`: JavaClient.java's scenarios (AdminClient,
# producer codecs and headers, classic groups, offsets), compiled at test
# time against the jars tests/kafka/fetch brought. Skips (fails under
# KL_TEST_NO_SKIP=1) without java or those jars.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/tools/broker_lib.sh"
. "$srcdir/tests/kafka/kafka_lib.sh"
kl_kafka_require
start_broker --override group.initial.rebalance.delay.ms=0
kl_kafka_java "$srcdir/tests/javaclient/JavaClient.java" "$bootstrap" "v$KL_KAFKA_VERSION-" \
    >"$work/java.out" 2>"$work/java.err" </dev/null
status=$?
cat "$work/java.out"
[ "$status" -eq 0 ] || fail "the Java client $KL_KAFKA_VERSION failed a scenario (exit status $status)"
[ "$(grep -c '^ok ' "$work/java.out")" -eq 6 ] || fail "not every scenario ran"
stop_broker
echo "PASS: the Java client $KL_KAFKA_VERSION against kafkalite broker"
