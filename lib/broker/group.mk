# lib/broker: build fragment (see Makefile.am) for the group coordinator:
# classic groups' state machine, committed offsets and their persistence
# in __consumer_offsets; and its unit tests.
libkafkalite_internal_la_SOURCES += \
	lib/broker/group_admin.c \
	lib/broker/group_coord.c \
	lib/broker/group_join.c \
	lib/broker/group_leave.c \
	lib/broker/group_map.c \
	lib/broker/group_offset_delete.c \
	lib/broker/group_offset_fetch.c \
	lib/broker/group_offsets.c \
	lib/broker/group_rebalance.c \
	lib/broker/group_records.c \
	lib/broker/group_state.c \
	lib/broker/group_static.c \
	lib/broker/group_store.c \
	lib/broker/group_sync.c \
	lib/broker/group_timer.c \
	lib/broker/group_txn_offsets.c \
	lib/broker/group_view.c
noinst_HEADERS += \
	lib/broker/group.h \
	lib/broker/group_internal.h \
	lib/broker/group_records.h \
	lib/broker/group_view.h

# The coordinator wired into the broker: its request handlers, the
# __consumer_offsets topic, its timer and appends.
libkafkalite_internal_la_SOURCES += \
	lib/broker/group_handlers.c \
	lib/broker/group_wire.c
noinst_HEADERS += lib/broker/group_wire.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_group_state
TESTS += tests/unit/test_group_state
tests_unit_test_group_state_SOURCES = \
	tests/unit/test_group_state.c \
	tests/unit/group_fixture.c \
	tests/unit/group_fixture.h
tests_unit_test_group_state_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_group_state_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_group_offsets
TESTS += tests/unit/test_group_offsets
tests_unit_test_group_offsets_SOURCES = \
	tests/unit/test_group_offsets.c \
	tests/unit/group_fixture.c \
	tests/unit/group_fixture.h
tests_unit_test_group_offsets_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_group_offsets_LDADD = $(TEST_LIBS)

# Replaying damaged __consumer_offsets batches.
check_PROGRAMS += tests/unit/test_group_load
TESTS += tests/unit/test_group_load
tests_unit_test_group_load_SOURCES = tests/unit/test_group_load.c tests/unit/group_fixture.c \
	tests/unit/group_fixture.h
tests_unit_test_group_load_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_group_load_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_group_txn_offsets
TESTS += tests/unit/test_group_txn_offsets
tests_unit_test_group_txn_offsets_SOURCES = tests/unit/test_group_txn_offsets.c tests/unit/group_fixture.c \
	tests/unit/group_fixture.h
tests_unit_test_group_txn_offsets_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_group_txn_offsets_LDADD = $(TEST_LIBS)
endif

# The group APIs over the wire, with the blocking test client.
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_group_wire
TESTS += tests/integration/test_group_wire
tests_integration_test_group_wire_SOURCES = \
	tests/integration/test_group_wire.c \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
tests_integration_test_group_wire_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_group_wire_LDADD = $(TEST_LIBS)

# DeleteTopics removes the topic's committed offsets from the groups.
check_PROGRAMS += tests/integration/test_group_topic_deleted
TESTS += tests/integration/test_group_topic_deleted
tests_integration_test_group_topic_deleted_SOURCES = tests/integration/test_group_topic_deleted.c \
	$(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_group_topic_deleted_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_group_topic_deleted_LDADD = $(TEST_LIBS)

# Loading __consumer_offsets past damaged batches, or taking it offline.
check_PROGRAMS += tests/integration/test_group_load_damage
TESTS += tests/integration/test_group_load_damage
tests_integration_test_group_load_damage_SOURCES = tests/integration/test_group_load_damage.c \
	$(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_group_load_damage_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_group_load_damage_LDADD = $(TEST_LIBS)
endif

# Consumer groups of real clients (librdkafka, kcat) on the broker.
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_broker_groups
TESTS += tests/interop/test_broker_groups
RDKAFKA_CLIENTS_TEST_SOURCES = \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_interop_test_broker_groups_SOURCES = tests/interop/test_broker_groups.c $(RDKAFKA_CLIENTS_TEST_SOURCES)
tests_interop_test_broker_groups_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_groups_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
# Static membership (group.instance.id) with librdkafka consumers.
check_PROGRAMS += tests/interop/test_broker_static_members
TESTS += tests/interop/test_broker_static_members
tests_interop_test_broker_static_members_SOURCES = tests/interop/test_broker_static_members.c \
	$(RDKAFKA_CLIENTS_TEST_SOURCES)
tests_interop_test_broker_static_members_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_static_members_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
