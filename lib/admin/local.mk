# lib/admin: the admin client (topics, configs, records, offsets, groups)
# and its integration suite against the embedded broker.
libkafkalite_internal_la_SOURCES += \
	lib/admin/admin.c \
	lib/admin/call.c \
	lib/admin/client_quotas.c \
	lib/admin/configs.c \
	lib/admin/group_offsets.c \
	lib/admin/groups.c \
	lib/admin/metadata.c \
	lib/admin/offsets.c \
	lib/admin/results.c \
	lib/admin/scram_users.c \
	lib/admin/topics.c
noinst_HEADERS += lib/admin/admin_impl.h
kafkaliteinclude_HEADERS += include/kafkalite/admin.h

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_admin
TESTS += tests/integration/test_admin
tests_integration_test_admin_SOURCES = \
	tests/integration/test_admin.c \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h \
	tests/integration/broker_wire.c \
	tests/integration/broker_wire.h \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
tests_integration_test_admin_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_admin_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_admin_quotas
TESTS += tests/integration/test_admin_quotas
tests_integration_test_admin_quotas_SOURCES = \
	tests/integration/test_admin_quotas.c \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_integration_test_admin_quotas_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_admin_quotas_LDADD = $(TEST_LIBS)
endif

# the group coordinator lookup's retry rule, against librdkafka's mock cluster
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_admin_coordinator
TESTS += tests/interop/test_admin_coordinator
tests_interop_test_admin_coordinator_SOURCES = tests/interop/test_admin_coordinator.c tests/interop/mock_util.c \
	tests/interop/mock_util.h
tests_interop_test_admin_coordinator_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_admin_coordinator_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
