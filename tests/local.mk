# tests shared by several modules (integration, interop).

# Interop with librdkafka's in-process mock cluster: our codec and record
# batches against a real peer, over loopback (tests/interop/).
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_rdkafka_wire
TESTS += tests/interop/test_rdkafka_wire
tests_interop_test_rdkafka_wire_SOURCES = \
	tests/interop/test_rdkafka_wire.c \
	tests/interop/wire_client.c \
	tests/interop/wire_client.h
tests_interop_test_rdkafka_wire_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_rdkafka_wire_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

# kafka-python (Debian python3-kafka) against the `kafkalite broker` daemon;
# skips itself when the module is missing.
TESTS += tests/interop/test_kafka_python.sh
EXTRA_DIST += tests/interop/test_kafka_python.sh tests/interop/kafka_python_check.py

# Issue 13's crash loop: the `kafkalite broker` daemon SIGKILLed under
# librdkafka load (CRASH_KILLS kills, 50 by default; `make soak` runs more).
if HAVE_CHECK
if HAVE_RDKAFKA
check_PROGRAMS += tests/interop/test_crash_loop
TESTS += tests/interop/test_crash_loop
tests_interop_test_crash_loop_SOURCES = \
	tests/interop/test_crash_loop.c \
	tests/interop/crash_daemon.c \
	tests/interop/crash_daemon.h \
	tests/interop/crash_damage.c \
	tests/interop/crash_damage.h \
	tests/interop/rdkafka_clients.c \
	tests/interop/rdkafka_clients.h
tests_interop_test_crash_loop_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_interop_test_crash_loop_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif

SOAK_KILLS = 500
.PHONY: soak
soak: tests/interop/test_crash_loop$(EXEEXT) tools/kafkalite$(EXEEXT)
	CRASH_KILLS=$(SOAK_KILLS) tests/interop/test_crash_loop

# A log callback on every kind of handle: every line reaches it, none goes
# to standard error (issue 16).
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_log_callback
TESTS += tests/integration/test_log_callback
tests_integration_test_log_callback_SOURCES = \
	tests/integration/test_log_callback.c \
	tests/integration/broker_fixture.c \
	tests/integration/broker_fixture.h
tests_integration_test_log_callback_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_log_callback_LDADD = $(TEST_LIBS)
endif

# The install test: before the tests run, `make check` stages a
# `make install` under tests/install-stage (DESTDIR, so it works the same
# inside distcheck and never touches the real prefix); the test then builds
# every installed example out of tree with nothing but pkg-config, runs
# the self-contained one, and checks the man pages and the command landed.
INSTALL_STAGE = tests/install-stage
check_DATA = $(INSTALL_STAGE).stamp
$(INSTALL_STAGE).stamp: $(lib_LTLIBRARIES) $(bin_PROGRAMS) $(pkgconfig_DATA) $(include_HEADERS) \
		$(kafkaliteinclude_HEADERS) $(dist_example_DATA) $(dist_man_MANS)
	rm -rf $(INSTALL_STAGE)
	$(MAKE) $(AM_MAKEFLAGS) install DESTDIR=$(abs_builddir)/$(INSTALL_STAGE) >/dev/null
	touch $@
CLEANFILES += $(INSTALL_STAGE).stamp
clean-local: clean-install-stage
.PHONY: clean-install-stage
clean-install-stage:
	rm -rf $(INSTALL_STAGE)

TESTS += tests/tools/test_install.sh
EXTRA_DIST += tests/tools/test_install.sh
