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
