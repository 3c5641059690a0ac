# lib/storage: build fragment (see Makefile.am): the partition log
# (segments, offset index, recovery).
libkafkalite_internal_la_SOURCES += \
	lib/storage/file.c \
	lib/storage/log.c \
	lib/storage/segment.c
noinst_HEADERS += \
	lib/storage/file.h \
	lib/storage/log.h \
	lib/storage/segment.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_storage
TESTS += tests/unit/test_storage
tests_unit_test_storage_SOURCES = tests/unit/test_storage.c
tests_unit_test_storage_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_storage_LDADD = $(TEST_LIBS)
endif
