# lib/producer: build fragment (see Makefile.am): accumulator, sender,
# partitioners, idempotence, transactions, delivery reports; and its tests.
libkafkalite_internal_la_SOURCES += \
	lib/producer/accumulator.c \
	lib/producer/idempotence.c \
	lib/producer/partitioner.c \
	lib/producer/producer.c \
	lib/producer/purge.c \
	lib/producer/report.c \
	lib/producer/sender.c \
	lib/producer/stats.c \
	lib/producer/topics.c \
	lib/producer/txn.c \
	lib/producer/txn_coord.c \
	lib/producer/txn_io.c \
	lib/producer/txn_offsets.c
noinst_HEADERS += \
	lib/producer/producer_impl.h
kafkaliteinclude_HEADERS += \
	include/kafkalite/message.h \
	include/kafkalite/producer.h

if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_producer
TESTS += tests/interop/test_producer
tests_interop_test_producer_SOURCES = tests/interop/test_producer.c tests/interop/mock_util.c tests/interop/mock_util.h
tests_interop_test_producer_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_producer_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
check_PROGRAMS += tests/interop/test_producer_api
TESTS += tests/interop/test_producer_api
tests_interop_test_producer_api_SOURCES = tests/interop/test_producer_api.c tests/interop/mock_util.c \
	tests/interop/mock_util.h
tests_interop_test_producer_api_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_producer_api_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

# the idempotent producer against the embedded broker
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_producer_idempotence
TESTS += tests/integration/test_producer_idempotence
tests_integration_test_producer_idempotence_SOURCES = tests/integration/test_producer_idempotence.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h \
	tests/integration/broker_wire.c tests/integration/broker_wire.h \
	tests/interop/wire_client.c tests/interop/wire_client.h
tests_integration_test_producer_idempotence_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_producer_idempotence_LDADD = $(TEST_LIBS)
endif

# the transactional producer against the embedded broker, read back by
# librdkafka's read_committed and read_uncommitted consumers
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_producer_txn
TESTS += tests/interop/test_producer_txn
tests_interop_test_producer_txn_SOURCES = \
	tests/interop/test_producer_txn.c \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_interop_test_producer_txn_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_producer_txn_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
