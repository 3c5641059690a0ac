# lib/consumer: build fragment (see Makefile.am): the partition assignors
# and the consumer-protocol metadata they exchange.
libkafkalite_internal_la_SOURCES += \
	lib/consumer/assignor.c \
	lib/consumer/assignor_plan.c \
	lib/consumer/assignor_range.c \
	lib/consumer/assignor_roundrobin.c \
	lib/consumer/assignor_sticky.c \
	lib/consumer/assignor_sticky_data.c
noinst_HEADERS += \
	lib/consumer/assignor.h \
	lib/consumer/assignor_plan.h \
	lib/consumer/assignor_sticky.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_assignor
TESTS += tests/unit/test_assignor
tests_unit_test_assignor_SOURCES = tests/unit/test_assignor.c
tests_unit_test_assignor_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_assignor_LDADD = $(TEST_LIBS)
endif
