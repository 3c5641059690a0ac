# lib/net: broker connections (conn.c) on the event loop, and their test.
libkafkalite_internal_la_SOURCES += \
	lib/net/conn.c
noinst_HEADERS += \
	lib/net/conn.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_conn
TESTS += tests/unit/test_conn
tests_unit_test_conn_SOURCES = tests/unit/test_conn.c
tests_unit_test_conn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conn_LDADD = $(TEST_LIBS)
endif
