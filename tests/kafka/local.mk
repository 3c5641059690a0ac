# Suites that run against Apache Kafka (issue 14): tests/kafka/fetch brings
# the jars (called by .ci/deps), tests/kafka/cluster starts KRaft nodes on
# loopback, tests/kafka/tool runs Kafka's tools and small Java programs.
# Each suite skips when Kafka cannot be had (fails under KL_TEST_NO_SKIP=1);
# `./configure --disable-kafka-tests` leaves them out (CI's sanitizer pass).
EXTRA_DIST += tests/kafka/pom.xml tests/kafka/fetch tests/kafka/cluster tests/kafka/tool \
	tests/kafka/kafka_lib.sh tests/kafka/test_lib.sh tests/kafka/java/Consume.java tests/kafka/java/Partition.java \
	tests/kafka/java/GroupMember.java

if KAFKA_TESTS
TESTS += tests/kafka/test_cluster.sh tests/kafka/test_kafkalite_tools.sh
endif
EXTRA_DIST += tests/kafka/test_cluster.sh tests/kafka/test_kafkalite_tools.sh

# Our clients against a three-node Kafka: test_kafka_clients.sh starts the
# cluster once and runs each of these programs against it.
KAFKA_CLIENT_TESTS = tests/kafka/test_kafka_producer tests/kafka/test_kafka_consumer tests/kafka/test_kafka_admin \
	tests/kafka/test_kafka_group_mixed tests/kafka/test_kafka_timeout tests/kafka/test_kafka_coordinator \
	tests/kafka/test_kafka_failover
if HAVE_CHECK
check_PROGRAMS += $(KAFKA_CLIENT_TESTS)
if KAFKA_TESTS
TESTS += tests/kafka/test_kafka_clients.sh
endif
endif
EXTRA_DIST += tests/kafka/test_kafka_clients.sh
KAFKA_FIXTURE = tests/kafka/kafka_fixture.c tests/kafka/kafka_fixture.h
tests_kafka_test_kafka_producer_SOURCES = tests/kafka/test_kafka_producer.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_producer_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_producer_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_consumer_SOURCES = tests/kafka/test_kafka_consumer.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_consumer_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_consumer_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_admin_SOURCES = tests/kafka/test_kafka_admin.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_admin_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_admin_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_timeout_SOURCES = tests/kafka/test_kafka_timeout.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_timeout_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_timeout_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_group_mixed_SOURCES = tests/kafka/test_kafka_group_mixed.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_group_mixed_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_group_mixed_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_failover_SOURCES = tests/kafka/test_kafka_failover.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_failover_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_failover_LDADD = $(TEST_LIBS)
tests_kafka_test_kafka_coordinator_SOURCES = tests/kafka/test_kafka_coordinator.c $(KAFKA_FIXTURE)
tests_kafka_test_kafka_coordinator_CFLAGS = $(TEST_CFLAGS)
tests_kafka_test_kafka_coordinator_LDADD = $(TEST_LIBS)

# Our transactional producer against Kafka, read back with librdkafka's
# read_committed consumer (built only with librdkafka; the runner says
# SKIP without it, a failure under KL_TEST_NO_SKIP=1).
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/kafka/test_kafka_txn
endif
endif
tests_kafka_test_kafka_txn_SOURCES = tests/kafka/test_kafka_txn.c $(KAFKA_FIXTURE) \
	tests/interop/rdkafka_clients.c tests/interop/rdkafka_clients.h
tests_kafka_test_kafka_txn_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_kafka_test_kafka_txn_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
