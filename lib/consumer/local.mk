# lib/consumer: build fragment (see Makefile.am): the partition assignors
# and the consumer-protocol metadata they exchange, and the group member
# (cgrp*: coordinator, membership, heartbeats, offsets).
libkafkalite_internal_la_SOURCES += \
	lib/consumer/assignor.c \
	lib/consumer/assignor_plan.c \
	lib/consumer/assignor_range.c \
	lib/consumer/assignor_roundrobin.c \
	lib/consumer/assignor_sticky.c \
	lib/consumer/assignor_sticky_data.c \
	lib/consumer/cgrp.c \
	lib/consumer/cgrp_coord.c \
	lib/consumer/cgrp_heartbeat.c \
	lib/consumer/cgrp_join.c \
	lib/consumer/cgrp_offsets.c \
	lib/consumer/cgrp_request.c \
	lib/consumer/cgrp_topics.c
noinst_HEADERS += \
	lib/consumer/assignor.h \
	lib/consumer/assignor_plan.h \
	lib/consumer/assignor_sticky.h \
	lib/consumer/cgrp.h \
	lib/consumer/cgrp_impl.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_assignor
TESTS += tests/unit/test_assignor
tests_unit_test_assignor_SOURCES = tests/unit/test_assignor.c
tests_unit_test_assignor_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_assignor_LDADD = $(TEST_LIBS)
endif

CGRP_TEST_SOURCES = \
	tests/integration/cgrp_harness.c \
	tests/integration/cgrp_harness.h \
	$(BROKER_WIRE_TEST_SOURCES)

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_cgrp_offsets
TESTS += tests/integration/test_cgrp_offsets
tests_integration_test_cgrp_offsets_SOURCES = tests/integration/test_cgrp_offsets.c $(CGRP_TEST_SOURCES)
tests_integration_test_cgrp_offsets_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_cgrp_offsets_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_cgrp
TESTS += tests/integration/test_cgrp
tests_integration_test_cgrp_SOURCES = tests/integration/test_cgrp.c $(CGRP_TEST_SOURCES)
tests_integration_test_cgrp_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_cgrp_LDADD = $(TEST_LIBS)
endif

if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_cgrp_mock
TESTS += tests/interop/test_cgrp_mock
tests_interop_test_cgrp_mock_SOURCES = \
	tests/interop/test_cgrp_mock.c \
	tests/interop/mock_util.c \
	tests/interop/mock_util.h \
	tests/integration/cgrp_harness.c \
	tests/integration/cgrp_harness.h
tests_interop_test_cgrp_mock_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_cgrp_mock_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
