# lib/record: record batches v2 (writer, reader, broker checks), legacy
# message sets (their checksums are in lib/util).
# The compression codecs follow below.
libkafkalite_internal_la_SOURCES += \
	lib/record/batch.c \
	lib/record/batch_writer.c \
	lib/record/control.c \
	lib/record/msgset.c
noinst_HEADERS += \
	lib/record/batch.h \
	lib/record/batch_layout.h \
	lib/record/control.h \
	lib/record/msgset.h \
	lib/record/varint.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_record
TESTS += tests/unit/test_record
tests_unit_test_record_SOURCES = tests/unit/test_record.c tests/unit/test_msgset.c tests/unit/legacy_message.c \
	tests/unit/legacy_message.h
tests_unit_test_record_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_record_LDADD = $(TEST_LIBS)
endif

# lib/record compression codecs: compress.c dispatches to one file per codec;
# a codec whose library configure did not find is left out of the build and
# reports KL_ERR_UNSUPPORTED_FEATURE (see compress.h).
libkafkalite_internal_la_SOURCES += lib/record/compress.c
noinst_HEADERS += \
	lib/record/compress.h \
	lib/record/compress_impl.h
if HAVE_ZLIB
libkafkalite_internal_la_SOURCES += lib/record/compress_gzip.c
endif
if HAVE_SNAPPY
libkafkalite_internal_la_SOURCES += lib/record/compress_snappy.c
endif
if HAVE_LZ4
libkafkalite_internal_la_SOURCES += lib/record/compress_lz4.c
endif
if HAVE_ZSTD
libkafkalite_internal_la_SOURCES += lib/record/compress_zstd.c
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_compress
TESTS += tests/unit/test_compress
tests_unit_test_compress_SOURCES = tests/unit/test_compress.c
tests_unit_test_compress_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_compress_LDADD = $(TEST_LIBS)
endif
