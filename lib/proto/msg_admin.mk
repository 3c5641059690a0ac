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
