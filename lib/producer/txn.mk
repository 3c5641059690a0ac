# lib/producer: the transactional producer (transactional.id), and its
# tests against the embedded broker (read back by librdkafka's
# read_committed consumer).
libkafkalite_internal_la_SOURCES += \
	lib/producer/txn.c \
	lib/producer/txn_io.c \
	lib/producer/txn_offsets.c

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
