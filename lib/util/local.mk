# lib/util: buffers, reader, arena, errors, version.
libkafkalite_internal_la_SOURCES += \
	lib/util/arena.c \
	lib/util/buf.c \
	lib/util/clock.c \
	lib/util/cond.c \
	lib/util/error.c \
	lib/util/reader.c \
	lib/util/version.c
noinst_HEADERS += \
	lib/util/arena.h \
	lib/util/buf.h \
	lib/util/clock.h \
	lib/util/cond.h \
	lib/util/error_obj.h \
	lib/util/reader.h
kafkaliteinclude_HEADERS += \
	include/kafkalite/common.h \
	include/kafkalite/conf.h \
	include/kafkalite/error.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_util_LDADD = $(TEST_LIBS)
endif
