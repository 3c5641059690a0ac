# lib/consumer: build fragment (see Makefile.am): the partition assignors
# and the consumer-protocol metadata they exchange, and the group member
# (cgrp*: coordinator, membership, heartbeats, offsets).
libkafkalite_internal_la_SOURCES += \
	lib/consumer/assignor.c \
	lib/consumer/assignor_plan.c \
	lib/consumer/assignor_range.c \
	lib/consumer/assignor_roundrobin.c \
	lib/consumer/assignor_sticky.c \
	lib/consumer/assignor_sticky_data.c \
	lib/consumer/cgrp.c \
	lib/consumer/cgrp_coord.c \
	lib/consumer/cgrp_heartbeat.c \
	lib/consumer/cgrp_join.c \
	lib/consumer/cgrp_offsets.c \
	lib/consumer/cgrp_request.c \
	lib/consumer/cgrp_topics.c
noinst_HEADERS += \
	lib/consumer/assignor.h \
	lib/consumer/assignor_plan.h \
	lib/consumer/assignor_sticky.h \
	lib/consumer/cgrp.h \
	lib/consumer/cgrp_impl.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_assignor
TESTS += tests/unit/test_assignor
tests_unit_test_assignor_SOURCES = tests/unit/test_assignor.c
tests_unit_test_assignor_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_assignor_LDADD = $(TEST_LIBS)
endif

CGRP_TEST_SOURCES = \
	tests/integration/cgrp_harness.c \
	tests/integration/cgrp_harness.h \
	$(BROKER_WIRE_TEST_SOURCES)

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_cgrp_offsets
TESTS += tests/integration/test_cgrp_offsets
tests_integration_test_cgrp_offsets_SOURCES = tests/integration/test_cgrp_offsets.c $(CGRP_TEST_SOURCES)
tests_integration_test_cgrp_offsets_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_cgrp_offsets_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_cgrp
TESTS += tests/integration/test_cgrp
tests_integration_test_cgrp_SOURCES = tests/integration/test_cgrp.c $(CGRP_TEST_SOURCES)
tests_integration_test_cgrp_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_cgrp_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_cgrp_mock
TESTS += tests/interop/test_cgrp_mock
tests_interop_test_cgrp_mock_SOURCES = \
	tests/interop/test_cgrp_mock.c \
	tests/interop/mock_util.c \
	tests/interop/mock_util.h \
	tests/integration/cgrp_harness.c \
	tests/integration/cgrp_harness.h
tests_interop_test_cgrp_mock_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_cgrp_mock_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

# lib/consumer: the consumer handle, its assignment, fetcher and offset
# lookups (the assignors are in local.mk).
libkafkalite_internal_la_SOURCES += \
	lib/consumer/assignment.c \
	lib/consumer/consumer.c \
	lib/consumer/fetch_parse.c \
	lib/consumer/fetcher.c \
	lib/consumer/group.c \
	lib/consumer/group_metadata.c \
	lib/consumer/list_offsets.c \
	lib/consumer/queries.c \
	lib/consumer/txn_filter.c
noinst_HEADERS += lib/consumer/consumer_impl.h lib/consumer/group_metadata.h
kafkaliteinclude_HEADERS += include/kafkalite/consumer.h

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_consumer
TESTS += tests/integration/test_consumer
tests_integration_test_consumer_SOURCES = tests/integration/test_consumer.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_consumer_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_consumer_LDADD = $(TEST_LIBS)

# Compressed batches with a valid CRC that do not decode, in the log.
check_PROGRAMS += tests/integration/test_consumer_corrupt_batch
TESTS += tests/integration/test_consumer_corrupt_batch
tests_integration_test_consumer_corrupt_batch_SOURCES = tests/integration/test_consumer_corrupt_batch.c \
	$(CORRUPT_BATCH_TEST_SOURCES) $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_consumer_corrupt_batch_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_consumer_corrupt_batch_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_consumer_group
TESTS += tests/integration/test_consumer_group
tests_integration_test_consumer_group_SOURCES = tests/integration/test_consumer_group.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_consumer_group_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_consumer_group_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_consumer_rdkafka
TESTS += tests/interop/test_consumer_rdkafka
tests_interop_test_consumer_rdkafka_SOURCES = tests/interop/test_consumer_rdkafka.c \
	tests/interop/mock_util.c tests/interop/mock_util.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_interop_test_consumer_rdkafka_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_consumer_rdkafka_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

# The consumer's acceptance tests (issue 7): a group member killed with
# SIGKILL (eager and cooperative-sticky), bad input reported through poll,
# and commits under the mock cluster's injected group errors.

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_consumer_failover
TESTS += tests/integration/test_consumer_failover
tests_integration_test_consumer_failover_SOURCES = tests/integration/test_consumer_failover.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_consumer_failover_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_consumer_failover_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_consumer_bad_input
TESTS += tests/integration/test_consumer_bad_input
tests_integration_test_consumer_bad_input_SOURCES = tests/integration/test_consumer_bad_input.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_consumer_bad_input_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_consumer_bad_input_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_consumer_mock
TESTS += tests/interop/test_consumer_mock
tests_interop_test_consumer_mock_SOURCES = tests/interop/test_consumer_mock.c \
	tests/interop/mock_util.c tests/interop/mock_util.h
tests_interop_test_consumer_mock_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_consumer_mock_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_fetch_parse
TESTS += tests/unit/test_fetch_parse
tests_unit_test_fetch_parse_SOURCES = tests/unit/test_fetch_parse.c
tests_unit_test_fetch_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_fetch_parse_LDADD = $(TEST_LIBS)
endif

# isolation.level against librdkafka's transactional producers.
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_consumer_txn
TESTS += tests/interop/test_consumer_txn
tests_interop_test_consumer_txn_SOURCES = tests/interop/test_consumer_txn.c \
	tests/interop/rdkafka_clients.c tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_interop_test_consumer_txn_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_consumer_txn_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
