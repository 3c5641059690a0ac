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

# lib/net: broker connections (conn.c) on the event loop, TLS over them
# (tls.c), and their tests.
libkafkalite_internal_la_SOURCES += \
	lib/net/conn.c \
	lib/net/tls.c \
	lib/net/tls_wbio.c
noinst_HEADERS += \
	lib/net/conn.h \
	lib/net/tls.h \
	lib/net/tls_wbio.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_conn
TESTS += tests/unit/test_conn
tests_unit_test_conn_SOURCES = tests/unit/test_conn.c
tests_unit_test_conn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conn_LDADD = $(TEST_LIBS)
endif

# SCRAM (RFC 5802/7677), the SASL mechanism's arithmetic, tested on the
# RFCs' vectors.
libkafkalite_internal_la_SOURCES += lib/net/scram.c lib/net/scram_server.c
noinst_HEADERS += lib/net/scram.h lib/net/scram_internal.h
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_scram
TESTS += tests/unit/test_scram
tests_unit_test_scram_SOURCES = tests/unit/test_scram.c
tests_unit_test_scram_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_scram_LDADD = $(TEST_LIBS)
endif

# GSSAPI (Kerberos) through cyrus-sasl, for the client and the broker.
libkafkalite_internal_la_SOURCES += lib/net/sasl_cyrus.c
noinst_HEADERS += lib/net/sasl_cyrus.h
