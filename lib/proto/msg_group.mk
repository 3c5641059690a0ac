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
