#!/bin/bash
# Our producer, consumer and admin client (the Check programs
# tests/kafka/test_kafka_*) against one three-node Apache Kafka cluster,
# started here once for all of them (KL_KAFKA_BOOTSTRAP tells them where).
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/kafka/test_lib.sh"
kafka_cluster_up 3
export KL_KAFKA_BOOTSTRAP=$bootstrap
status=0
for t in producer; do
    ./tests/kafka/test_kafka_$t || status=1
done
exit $status
