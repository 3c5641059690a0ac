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
