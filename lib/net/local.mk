# lib/net: the event loop (and, later, sockets, TLS and SASL).
libkafkalite_internal_la_SOURCES += \
	lib/net/loop.c
noinst_HEADERS += \
	lib/net/loop.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_loop
TESTS += tests/unit/test_loop
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c
tests_unit_test_loop_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_loop_LDADD = $(TEST_LIBS)
endif
