# lib/client: the core every client handle shares (I/O thread, brokers and
# their connections, ApiVersions, metadata cache, logging, the retry
# back-off).
libkafkalite_internal_la_SOURCES += \
	lib/client/backoff.c \
	lib/client/client_broker.c \
	lib/client/client.c \
	lib/client/log.c \
	lib/client/message.c \
	lib/client/metadata.c \
	lib/client/oauthbearer.c \
	lib/client/oauthbearer_token.c \
	lib/client/sasl.c \
	lib/client/security.c \
	lib/client/topic_partition.c
noinst_HEADERS += \
	lib/client/backoff.h \
	lib/client/client.h \
	lib/client/client_impl.h \
	lib/client/log.h \
	lib/client/message_impl.h \
	lib/client/oauthbearer.h
kafkaliteinclude_HEADERS += include/kafkalite/topic_partition.h include/kafkalite/oauthbearer.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_backoff
TESTS += tests/unit/test_backoff
tests_unit_test_backoff_SOURCES = tests/unit/test_backoff.c
tests_unit_test_backoff_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_backoff_LDADD = $(TEST_LIBS)
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_client
TESTS += tests/interop/test_client
tests_interop_test_client_SOURCES = tests/interop/test_client.c tests/interop/mock_util.c tests/interop/mock_util.h
tests_interop_test_client_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_client_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

# lib/producer (its own fragment later): accumulator, sender, partitioners,
# delivery reports; plus the hashes its partitioners use.
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
	lib/util/murmur2.c
noinst_HEADERS += \
	lib/producer/producer_impl.h \
	lib/util/murmur2.h
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

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_oauthbearer
TESTS += tests/unit/test_oauthbearer
tests_unit_test_oauthbearer_SOURCES = tests/unit/test_oauthbearer.c
tests_unit_test_oauthbearer_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_oauthbearer_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_topic_partition
TESTS += tests/unit/test_topic_partition
tests_unit_test_topic_partition_SOURCES = tests/unit/test_topic_partition.c
tests_unit_test_topic_partition_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_topic_partition_LDADD = $(TEST_LIBS)
endif
