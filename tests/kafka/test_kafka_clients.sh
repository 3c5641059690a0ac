#!/bin/bash
# Our producer, consumer and admin client (the Check programs
# tests/kafka/test_kafka_*: mixed groups with Java members, failover
# included) against one three-node Apache Kafka cluster,
# started here once for all of them (KL_KAFKA_BOOTSTRAP tells them where,
# KL_KAFKA_CLUSTER_DIR lets one stop and restart a node).
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/kafka/test_lib.sh"
kafka_cluster_up 3
export KL_KAFKA_BOOTSTRAP=$bootstrap
# test_kafka_group_mixed runs Java members beside ours. The last four
# kill, shut down and restart nodes: they go last.
export KL_KAFKA_CLUSTER_DIR=$kafka_dir/cluster
status=0
for t in producer consumer admin group_mixed timeout coordinator failover txn; do
    if [ ! -x "./tests/kafka/test_kafka_$t" ]; then
        # only test_kafka_txn is optional: it needs librdkafka
        echo "SKIP: test_kafka_$t was not built (no librdkafka)"
        [ "${KL_TEST_NO_SKIP:-}" = 1 ] && status=1
        continue
    fi
    start=$SECONDS
    ./tests/kafka/test_kafka_$t || status=1
    echo "test_kafka_$t: $((SECONDS - start)) s"
done
exit $status
