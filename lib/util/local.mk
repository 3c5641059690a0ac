# lib/util: buffers, reader, arena, errors, version, the configuration
# engine (driven by lib/client's and lib/broker's tables), hashes and
# checksums.
libkafkalite_internal_la_SOURCES += \
	lib/util/arena.c \
	lib/util/buf.c \
	lib/util/clock.c \
	lib/util/cond.c \
	lib/util/crc32.c \
	lib/util/crc32c.c \
	lib/util/conf.c \
	lib/util/conf_scoped.c \
	lib/util/error.c \
	lib/util/errstr.c \
	lib/util/mem.c \
	lib/util/murmur2.c \
	lib/util/reader.c \
	lib/util/version.c
noinst_HEADERS += \
	lib/util/arena.h \
	lib/util/buf.h \
	lib/util/clock.h \
	lib/util/cond.h \
	lib/util/crc32.h \
	lib/util/crc32c.h \
	lib/util/conf.h \
	lib/util/conf_scoped.h \
	lib/util/error_obj.h \
	lib/util/errstr.h \
	lib/util/murmur2.h \
	lib/util/reader.h
kafkaliteinclude_HEADERS += \
	include/kafkalite/common.h \
	include/kafkalite/conf.h \
	include/kafkalite/error.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_util tests/unit/test_crc32c
TESTS += tests/unit/test_util tests/unit/test_crc32c
tests_unit_test_crc32c_SOURCES = tests/unit/test_crc32c.c
tests_unit_test_crc32c_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_crc32c_LDADD = $(TEST_LIBS)
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_util_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_conf
TESTS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)
endif
