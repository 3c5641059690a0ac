# lib/consumer: the consumer handle, its assignment, fetcher and offset
# lookups (the assignors are in local.mk).
libkafkalite_internal_la_SOURCES += \
	lib/consumer/assignment.c \
	lib/consumer/consumer.c \
	lib/consumer/fetch_parse.c \
	lib/consumer/fetcher.c \
	lib/consumer/group.c \
	lib/consumer/list_offsets.c \
	lib/consumer/queries.c \
	lib/consumer/txn_filter.c
noinst_HEADERS += lib/consumer/consumer_impl.h
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
