# examples/: small programs a user copies from. wire_demo is the README's
# first command until the broker exists; built, not installed.
noinst_PROGRAMS += examples/wire_demo
examples_wire_demo_SOURCES = examples/wire_demo.c
examples_wire_demo_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

# embedded (the README's first command): the embedded broker, the producer
# and a consumer group through the public API only; make check runs it and
# it exits non-zero unless every message was read back once and the data
# and the group's offsets survived the restart.
noinst_PROGRAMS += examples/embedded
examples_embedded_SOURCES = examples/embedded.c
examples_embedded_CPPFLAGS = -I$(top_srcdir)/include
examples_embedded_LDADD = libkafkalite.la
TESTS += examples/embedded

# The examples a user copies from, installed as documentation and built
# here against the public API only. make check runs each against the
# embedded broker: producer through a driver script that feeds it lines,
# test_with_broker (a Check suite, as a user's own test would be) directly.
exampledir = $(docdir)/examples
dist_example_DATA = \
	examples/consumer.c \
	examples/embedded.c \
	examples/exactly_once.c \
	examples/idempotent_producer.c \
	examples/producer.c \
	examples/test_with_broker.c

noinst_PROGRAMS += examples/producer
examples_producer_SOURCES = examples/producer.c
examples_producer_CPPFLAGS = -I$(top_srcdir)/include
examples_producer_LDADD = libkafkalite.la
TESTS += tests/tools/test_example_producer.sh
EXTRA_DIST += tests/tools/test_example_producer.sh tests/tools/broker_lib.sh

# consumer and idempotent_producer, driven by one script against `kafkalite
# broker` that checks what they print and what they stored and committed.
noinst_PROGRAMS += examples/consumer examples/idempotent_producer
examples_consumer_SOURCES = examples/consumer.c
examples_consumer_CPPFLAGS = -I$(top_srcdir)/include
examples_consumer_LDADD = libkafkalite.la
examples_idempotent_producer_SOURCES = examples/idempotent_producer.c
examples_idempotent_producer_CPPFLAGS = -I$(top_srcdir)/include
examples_idempotent_producer_LDADD = libkafkalite.la
TESTS += tests/tools/test_example_clients.sh
EXTRA_DIST += tests/tools/test_example_clients.sh

if HAVE_CHECK
check_PROGRAMS += examples/test_with_broker
examples_test_with_broker_SOURCES = examples/test_with_broker.c
examples_test_with_broker_CPPFLAGS = -I$(top_srcdir)/include
examples_test_with_broker_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
examples_test_with_broker_LDADD = libkafkalite.la $(CHECK_LIBS)
TESTS += examples/test_with_broker
endif

# exactly_once: consume-transform-produce in transactions, run by a script
# against `kafkalite broker` that checks each input line comes out once.
noinst_PROGRAMS += examples/exactly_once
examples_exactly_once_SOURCES = examples/exactly_once.c
examples_exactly_once_CPPFLAGS = -I$(top_srcdir)/include
examples_exactly_once_LDADD = libkafkalite.la
TESTS += tests/tools/test_example_exactly_once.sh
EXTRA_DIST += tests/tools/test_example_exactly_once.sh
# its crash test: EOS_KILLS SIGKILLs (50 by default) mid-transaction, then
# each input line must be in the read_committed output exactly once
TESTS += tests/tools/test_example_exactly_once_crash.sh
EXTRA_DIST += tests/tools/test_example_exactly_once_crash.sh
