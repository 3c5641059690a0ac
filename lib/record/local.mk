# lib/record: record batches v2 (writer, reader, broker checks), legacy
# message sets; plus the checksums they use (lib/util/crc32c, crc32).
# compress.mk brings the codecs.
libkafkalite_internal_la_SOURCES += \
	lib/util/crc32.c \
	lib/util/crc32c.c \
	lib/record/batch.c \
	lib/record/batch_writer.c \
	lib/record/control.c \
	lib/record/msgset.c
noinst_HEADERS += \
	lib/util/crc32.h \
	lib/util/crc32c.h \
	lib/record/batch.h \
	lib/record/batch_layout.h \
	lib/record/control.h \
	lib/record/msgset.h \
	lib/record/varint.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_crc32c tests/unit/test_record
TESTS += tests/unit/test_crc32c tests/unit/test_record
tests_unit_test_crc32c_SOURCES = tests/unit/test_crc32c.c
tests_unit_test_crc32c_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_crc32c_LDADD = $(TEST_LIBS)
tests_unit_test_record_SOURCES = tests/unit/test_record.c tests/unit/test_msgset.c tests/unit/legacy_message.c \
	tests/unit/legacy_message.h
tests_unit_test_record_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_record_LDADD = $(TEST_LIBS)
endif
