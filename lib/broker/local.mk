# lib/broker: build fragment (see Makefile.am). The embedded broker's
# server: public API, listeners and connections, dispatch table, request
# handlers, topic registry, configuration table; and its tests.
kafkaliteinclude_HEADERS += include/kafkalite/broker.h
libkafkalite_internal_la_SOURCES += \
	lib/broker/api_versions.c \
	lib/broker/client_quotas.c \
	lib/broker/broker.c \
	lib/broker/broker_log.c \
	lib/broker/configs.c \
	lib/broker/configs_alter.c \
	lib/broker/conf_table.c \
	lib/broker/console.c \
	lib/broker/console_api.c \
	lib/broker/console_args.c \
	lib/broker/console_job.c \
	lib/broker/console_messages.c \
	lib/broker/console_mutate.c \
	lib/broker/console_metrics.c \
	lib/broker/console_text.c \
	lib/broker/conn.c \
	lib/broker/conn_io.c \
	lib/broker/conn_limits.c \
	lib/broker/create_partitions.c \
	lib/broker/delete_records.c \
	lib/broker/describe_log_dirs.c \
	lib/broker/describe_producers.c \
	lib/broker/dispatch.c \
	lib/broker/fetch.c \
	lib/broker/log_dirs.c \
	lib/broker/log_limit.c \
	lib/broker/log_worker.c \
	lib/broker/metrics.c \
	lib/broker/offset_for_leader_epoch.c \
	lib/broker/housekeeping.c \
	lib/broker/list_offsets.c \
	lib/broker/listener.c \
	lib/broker/listener_security.c \
	lib/broker/meta_properties.c \
	lib/broker/oauthbearer_validate.c \
	lib/broker/offline.c \
	lib/broker/metadata.c \
	lib/broker/net_threads.c \
	lib/broker/partition_metadata.c \
	lib/broker/partition_txn.c \
	lib/broker/produce.c \
	lib/broker/producer_ids.c \
	lib/broker/producer_state.c \
	lib/broker/recovery_report.c \
	lib/broker/request_pool.c \
	lib/broker/topic_admin.c \
	lib/broker/topic_catalog.c \
	lib/broker/topic_config.c \
	lib/broker/topic_rebuild.c \
	lib/broker/topics.c \
	lib/broker/jaas.c \
	lib/broker/sasl.c \
	lib/broker/sasl_conf.c \
	lib/broker/sasl_gssapi.c \
	lib/broker/scram_store.c \
	lib/broker/scram_users.c \
	lib/broker/txn_admin.c \
	lib/broker/txn_coordinator.c \
	lib/broker/txn_handlers.c \
	lib/broker/txn_log.c
if HAVE_MICROHTTPD
libkafkalite_internal_la_SOURCES += lib/broker/console_http.c
nodist_libkafkalite_internal_la_SOURCES = lib/broker/console_assets.c
endif

# The console page (console/), compiled into the library as byte arrays.
CONSOLE_ASSETS = console/index.html console/console.css console/console.js
EXTRA_DIST += $(CONSOLE_ASSETS) console/screenshot.png tools/embed_assets.sh
BUILT_SOURCES = lib/broker/console_assets.c
CLEANFILES += lib/broker/console_assets.c
lib/broker/console_assets.c: $(CONSOLE_ASSETS) tools/embed_assets.sh
	$(AM_V_GEN)$(MKDIR_P) lib/broker && \
	$(SHELL) $(srcdir)/tools/embed_assets.sh $@ $(srcdir)/console/index.html $(srcdir)/console/console.css \
		$(srcdir)/console/console.js
noinst_HEADERS += \
	lib/broker/conf_table.h \
	lib/broker/conn.h \
	lib/broker/console.h \
	lib/broker/console_assets.h \
	lib/broker/console_internal.h \
	lib/broker/console_job.h \
	lib/broker/metrics.h \
	lib/broker/conn_limits.h \
	lib/broker/dispatch.h \
	lib/broker/housekeeping.h \
	lib/broker/log_limit.h \
	lib/broker/net_threads.h \
	lib/broker/producer_state.h \
	lib/broker/request_pool.h \
	lib/broker/server.h \
	lib/broker/topics.h \
	lib/broker/jaas.h \
	lib/broker/oauthbearer_validate.h \
	lib/broker/sasl_conf.h \
	lib/broker/sasl_gssapi.h \
	lib/broker/scram_store.h \
	lib/broker/txn_coordinator.h \
	lib/broker/wire_error.h

BROKER_WIRE_TEST_SOURCES = \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h \
	tests/integration/broker_wire.c \
	tests/integration/broker_wire.h \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
# Damaged batches with a valid CRC, to produce or plant in a log.
CORRUPT_BATCH_TEST_SOURCES = tests/integration/corrupt_batch.c tests/integration/corrupt_batch.h tests/test_skip.h

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker
TESTS += tests/integration/test_broker
tests_integration_test_broker_SOURCES = \
	tests/integration/test_broker.c \
	$(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_LDADD = $(TEST_LIBS)

# OAUTHBEARER's unsecured validation and the sasl.jaas.config reader.
check_PROGRAMS += tests/unit/test_oauthbearer_validate
TESTS += tests/unit/test_oauthbearer_validate
tests_unit_test_oauthbearer_validate_SOURCES = tests/unit/test_oauthbearer_validate.c
tests_unit_test_oauthbearer_validate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_oauthbearer_validate_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_producer_state
TESTS += tests/unit/test_producer_state
tests_unit_test_producer_state_SOURCES = tests/unit/test_producer_state.c
tests_unit_test_producer_state_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_producer_state_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_partition_txn
TESTS += tests/unit/test_partition_txn
tests_unit_test_partition_txn_SOURCES = tests/unit/test_partition_txn.c tests/unit/txn_append.c tests/unit/txn_append.h
tests_unit_test_partition_txn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_partition_txn_LDADD = $(TEST_LIBS)

# The transaction coordinator driven directly, across restarts.
check_PROGRAMS += tests/integration/test_txn_coordinator
TESTS += tests/integration/test_txn_coordinator
tests_integration_test_txn_coordinator_SOURCES = tests/integration/test_txn_coordinator.c \
	tests/unit/txn_append.c tests/unit/txn_append.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_txn_coordinator_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_txn_coordinator_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_idempotence
TESTS += tests/integration/test_broker_idempotence
tests_integration_test_broker_idempotence_SOURCES = tests/integration/test_broker_idempotence.c \
	$(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_idempotence_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_idempotence_LDADD = $(TEST_LIBS)

# The HTTP console through the public API.
check_PROGRAMS += tests/integration/test_broker_console
TESTS += tests/integration/test_broker_console
tests_integration_test_broker_console_SOURCES = tests/integration/test_broker_console.c \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_integration_test_broker_console_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_console_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_admin
TESTS += tests/integration/test_broker_admin
tests_integration_test_broker_admin_SOURCES = tests/integration/test_broker_admin.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_admin_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_admin_LDADD = $(TEST_LIBS)

# Compressed batches with a valid CRC whose records do not decode.
check_PROGRAMS += tests/integration/test_broker_corrupt_batch
TESTS += tests/integration/test_broker_corrupt_batch
tests_integration_test_broker_corrupt_batch_SOURCES = tests/integration/test_broker_corrupt_batch.c \
	$(CORRUPT_BATCH_TEST_SOURCES) $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_corrupt_batch_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_corrupt_batch_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_log
TESTS += tests/integration/test_broker_log
tests_integration_test_broker_log_SOURCES = tests/integration/test_broker_log.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_log_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_log_LDADD = $(TEST_LIBS)

# Durability to the disk: fsync/fdatasync recorded, crash images rebuilt.
check_PROGRAMS += tests/integration/test_broker_durability
TESTS += tests/integration/test_broker_durability
tests_integration_test_broker_durability_SOURCES = tests/integration/test_broker_durability.c \
	tests/integration/sync_shadow.c tests/integration/sync_shadow.h $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_durability_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_durability_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_conns
TESTS += tests/integration/test_broker_conns
tests_integration_test_broker_conns_SOURCES = tests/integration/test_broker_conns.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_conns_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_conns_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_net_threads
TESTS += tests/integration/test_broker_net_threads
tests_integration_test_broker_net_threads_SOURCES = tests/integration/test_broker_net_threads.c \
	$(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_net_threads_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_net_threads_LDADD = $(TEST_LIBS)
endif

# Real clients against the broker: librdkafka (linked) and kcat (spawned).
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_broker_rdkafka
TESTS += tests/interop/test_broker_rdkafka
tests_interop_test_broker_rdkafka_SOURCES = \
	tests/interop/test_broker_rdkafka.c \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_interop_test_broker_rdkafka_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_rdkafka_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)

# librdkafka's transactional producer and read_committed consumer.
check_PROGRAMS += tests/interop/test_broker_rdkafka_txn
TESTS += tests/interop/test_broker_rdkafka_txn
tests_interop_test_broker_rdkafka_txn_SOURCES = \
	tests/interop/test_broker_rdkafka_txn.c \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
tests_interop_test_broker_rdkafka_txn_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_rdkafka_txn_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)

# DescribeTransactions, ListTransactions and DescribeProducers while
# librdkafka's transactional producers run.
check_PROGRAMS += tests/interop/test_broker_txn_admin
TESTS += tests/interop/test_broker_txn_admin
tests_interop_test_broker_txn_admin_SOURCES = \
	tests/interop/test_broker_txn_admin.c \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
tests_interop_test_broker_txn_admin_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_txn_admin_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)

# Offsets committed in librdkafka's transactions.
check_PROGRAMS += tests/interop/test_broker_rdkafka_txn_offsets
TESTS += tests/interop/test_broker_rdkafka_txn_offsets
tests_interop_test_broker_rdkafka_txn_offsets_SOURCES = \
	tests/interop/test_broker_rdkafka_txn_offsets.c \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_interop_test_broker_rdkafka_txn_offsets_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_broker_rdkafka_txn_offsets_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker_compaction
TESTS += tests/integration/test_broker_compaction
tests_integration_test_broker_compaction_SOURCES = tests/integration/test_broker_compaction.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_compaction_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_compaction_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker_quotas
TESTS += tests/integration/test_broker_quotas
tests_integration_test_broker_quotas_SOURCES = tests/integration/test_broker_quotas.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_quotas_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_quotas_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_broker_log_dirs
TESTS += tests/integration/test_broker_log_dirs
tests_integration_test_broker_log_dirs_SOURCES = tests/integration/test_broker_log_dirs.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_log_dirs_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_log_dirs_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker_recovery
TESTS += tests/integration/test_broker_recovery
tests_integration_test_broker_recovery_SOURCES = tests/integration/test_broker_recovery.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_recovery_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_recovery_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker_offline
TESTS += tests/integration/test_broker_offline
tests_integration_test_broker_offline_SOURCES = tests/integration/test_broker_offline.c $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_offline_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_offline_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_broker_resources
TESTS += tests/integration/test_broker_resources
tests_integration_test_broker_resources_SOURCES = tests/integration/test_broker_resources.c \
	tests/integration/child_broker.c tests/integration/child_broker.h $(BROKER_WIRE_TEST_SOURCES)
tests_integration_test_broker_resources_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_broker_resources_LDADD = $(TEST_LIBS)
endif

# lib/broker: build fragment (see Makefile.am) for the group coordinator:
# classic groups' state machine, committed offsets and their persistence
# in __consumer_offsets; and its unit tests.
libkafkalite_internal_la_SOURCES += \
	lib/broker/group_admin.c \
	lib/broker/group_commit.c \
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
