# lib/util: build fragment (see Makefile.am).
# Configuration: the engine in lib/util and the two tables it is driven by,
# the client's (kl_conf_new) and the embedded broker's (kl_broker_conf_new).
libkafkalite_internal_la_SOURCES += \
	lib/util/conf.c \
	lib/util/conf_scoped.c \
	lib/client/conf_table.c \
	lib/broker/conf_table.c
noinst_HEADERS += \
	lib/util/conf.h \
	lib/util/conf_scoped.h \
	lib/client/conf_table.h \
	lib/broker/conf_table.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_conf
TESTS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)
endif
