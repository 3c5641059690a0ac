# lib/proto: the wire codec engine, headers and the API table. The message
# tables themselves come in through msg_*.mk.
libkafkalite_internal_la_SOURCES += \
	lib/proto/api.c \
	lib/proto/codec.c \
	lib/proto/header.c
noinst_HEADERS += \
	lib/proto/api.h \
	lib/proto/codec.h \
	lib/proto/header.h \
	lib/proto/schema.h \
	lib/proto/types.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_proto_codec
TESTS += tests/unit/test_proto_codec
tests_unit_test_proto_codec_SOURCES = tests/unit/test_proto_codec.c
tests_unit_test_proto_codec_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_codec_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_proto_roundtrip
TESTS += tests/unit/test_proto_roundtrip
tests_unit_test_proto_roundtrip_SOURCES = tests/unit/test_proto_roundtrip.c
tests_unit_test_proto_roundtrip_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_roundtrip_LDADD = $(TEST_LIBS)
endif

# lib/proto: field tables of the core APIs (ApiVersions, Metadata,
# DescribeCluster, Produce, InitProducerId, Fetch, ListOffsets,
# OffsetForLeaderEpoch, SASL).
libkafkalite_internal_la_SOURCES += \
	lib/proto/msg_api_versions.c \
	lib/proto/msg_fetch.c \
	lib/proto/msg_metadata.c \
	lib/proto/msg_offset_for_leader_epoch.c \
	lib/proto/msg_produce.c \
	lib/proto/msg_sasl.c \
	lib/proto/msg_txn.c
noinst_HEADERS += \
	lib/proto/msg_api_versions.h \
	lib/proto/msg_fetch.h \
	lib/proto/msg_metadata.h \
	lib/proto/msg_offset_for_leader_epoch.h \
	lib/proto/msg_produce.h \
	lib/proto/msg_sasl.h \
	lib/proto/msg_txn.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_proto_core
TESTS += tests/unit/test_proto_core
tests_unit_test_proto_core_SOURCES = tests/unit/test_proto_core.c tests/unit/proto_vector.c tests/unit/proto_vector.h
tests_unit_test_proto_core_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_core_LDADD = $(TEST_LIBS)
endif

# lib/proto: build fragment (see Makefile.am).
# Group membership, committed offsets and the consumer protocol's embedded
# subscription/assignment: field tables for the generic codec.
libkafkalite_internal_la_SOURCES += \
	lib/proto/msg_consumer_protocol.c \
	lib/proto/msg_group.c \
	lib/proto/msg_offset.c
noinst_HEADERS += \
	lib/proto/msg_consumer_protocol.h \
	lib/proto/msg_group.h \
	lib/proto/msg_offset.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_proto_group
TESTS += tests/unit/test_proto_group
tests_unit_test_proto_group_SOURCES = tests/unit/test_proto_group.c tests/unit/proto_vector.c tests/unit/proto_vector.h
tests_unit_test_proto_group_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_group_LDADD = $(TEST_LIBS)
endif

# lib/proto: build fragment for the admin message families (topic admin,
# configs, ACLs, client quotas, log dirs, producers, transactions, SCRAM) and
# their unit tests.
libkafkalite_internal_la_SOURCES += \
	lib/proto/msg_acl.c \
	lib/proto/msg_client_quotas.c \
	lib/proto/msg_config.c \
	lib/proto/msg_describe_producers.c \
	lib/proto/msg_log_dirs.c \
	lib/proto/msg_scram.c \
	lib/proto/msg_topic_admin.c \
	lib/proto/msg_txn_admin.c
noinst_HEADERS += \
	lib/proto/msg_acl.h \
	lib/proto/msg_client_quotas.h \
	lib/proto/msg_config.h \
	lib/proto/msg_describe_producers.h \
	lib/proto/msg_log_dirs.h \
	lib/proto/msg_scram.h \
	lib/proto/msg_topic_admin.h \
	lib/proto/msg_txn_admin.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_proto_admin
TESTS += tests/unit/test_proto_admin
tests_unit_test_proto_admin_SOURCES = tests/unit/test_proto_admin.c tests/unit/proto_vector.c tests/unit/proto_vector.h
tests_unit_test_proto_admin_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_admin_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_proto_describe
TESTS += tests/unit/test_proto_describe
tests_unit_test_proto_describe_SOURCES = tests/unit/test_proto_describe.c tests/unit/proto_vector.c tests/unit/proto_vector.h
tests_unit_test_proto_describe_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_describe_LDADD = $(TEST_LIBS)
endif
