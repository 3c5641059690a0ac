# lib/proto: field tables of the core APIs (ApiVersions, Metadata,
# DescribeCluster, Produce, InitProducerId, Fetch, ListOffsets, SASL).
libkafkalite_internal_la_SOURCES += \
	lib/proto/msg_api_versions.c \
	lib/proto/msg_fetch.c \
	lib/proto/msg_metadata.c \
	lib/proto/msg_produce.c \
	lib/proto/msg_sasl.c \
	lib/proto/msg_txn.c
noinst_HEADERS += \
	lib/proto/msg_api_versions.h \
	lib/proto/msg_fetch.h \
	lib/proto/msg_metadata.h \
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
