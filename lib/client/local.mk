# lib/client: the core every client handle shares (I/O thread, brokers and
# their connections, ApiVersions, metadata cache, logging, the retry
# back-off, coordinator lookups, the application calls that wait for the
# I/O thread).
libkafkalite_internal_la_SOURCES += \
	lib/client/backoff.c \
	lib/client/conf_table.c \
	lib/client/client_broker.c \
	lib/client/client.c \
	lib/client/coordinator.c \
	lib/client/kinit.c \
	lib/client/log.c \
	lib/client/message.c \
	lib/client/metadata.c \
	lib/client/oauthbearer.c \
	lib/client/oauthbearer_token.c \
	lib/client/sasl.c \
	lib/client/sasl_gssapi.c \
	lib/client/security.c \
	lib/client/sync_call.c \
	lib/client/topic_partition.c
noinst_HEADERS += \
	lib/client/backoff.h \
	lib/client/conf_table.h \
	lib/client/client.h \
	lib/client/client_impl.h \
	lib/client/coordinator.h \
	lib/client/log.h \
	lib/client/message_impl.h \
	lib/client/oauthbearer.h \
	lib/client/sync_call.h
kafkaliteinclude_HEADERS += include/kafkalite/topic_partition.h include/kafkalite/oauthbearer.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_backoff
TESTS += tests/unit/test_backoff
tests_unit_test_backoff_SOURCES = tests/unit/test_backoff.c
tests_unit_test_backoff_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_backoff_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_sync_call
TESTS += tests/unit/test_sync_call
tests_unit_test_sync_call_SOURCES = tests/unit/test_sync_call.c
tests_unit_test_sync_call_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sync_call_LDADD = $(TEST_LIBS)
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_client
TESTS += tests/interop/test_client
tests_interop_test_client_SOURCES = tests/interop/test_client.c tests/interop/mock_util.c tests/interop/mock_util.h
tests_interop_test_client_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_client_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
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
