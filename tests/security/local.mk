# Our client's TLS and SASL (issue 17), without Kafka: the embedded broker
# behind an in-process TLS proxy, certificates made on the fly.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_client_tls
TESTS += tests/security/test_client_tls
tests_security_test_client_tls_SOURCES = tests/security/test_client_tls.c \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/tls_proxy.c tests/security/tls_proxy.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_client_tls_CFLAGS = $(TEST_CFLAGS)
tests_security_test_client_tls_LDADD = $(TEST_LIBS)
endif
endif

# kl_tls_write's batching of records (lib/net/tls_wbio.c) on a socket pair.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_tls_write
TESTS += tests/security/test_tls_write
tests_security_test_tls_write_SOURCES = tests/security/test_tls_write.c \
	tests/security/tls_certs.c tests/security/tls_certs.h
tests_security_test_tls_write_CFLAGS = $(TEST_CFLAGS)
tests_security_test_tls_write_LDADD = $(TEST_LIBS)
endif
endif

# ... and against Apache Kafka's SSL, SASL_SSL and SASL_PLAINTEXT listeners
# (one node, started once by the script; left out by --disable-kafka-tests).
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_kafka_security
tests_security_test_kafka_security_SOURCES = tests/security/test_kafka_security.c \
	tests/security/sec_client.c tests/security/sec_client.h
tests_security_test_kafka_security_CFLAGS = $(TEST_CFLAGS)
tests_security_test_kafka_security_LDADD = $(TEST_LIBS)
if KAFKA_TESTS
TESTS += tests/security/test_kafka_security.sh
endif
endif
endif
EXTRA_DIST += tests/security/test_kafka_security.sh

# Our broker's SSL, SASL_PLAINTEXT and SASL_SSL listeners, with our client.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_broker_security
TESTS += tests/security/test_broker_security
tests_security_test_broker_security_SOURCES = tests/security/test_broker_security.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_broker_security_CFLAGS = $(TEST_CFLAGS)
tests_security_test_broker_security_LDADD = $(TEST_LIBS)
endif
endif

# ... and with librdkafka (kcat's library) over SASL_SSL.
if HAVE_CHECK
if HAVE_SSL
if HAVE_RDKAFKA
check_PROGRAMS += tests/security/test_broker_rdkafka_security
TESTS += tests/security/test_broker_rdkafka_security
tests_security_test_broker_rdkafka_security_SOURCES = tests/security/test_broker_rdkafka_security.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_broker_rdkafka_security_CFLAGS = $(TEST_CFLAGS) $(RDKAFKA_CFLAGS)
tests_security_test_broker_rdkafka_security_LDADD = $(TEST_LIBS) $(RDKAFKA_LIBS)
endif
endif
endif

# SASL/GSSAPI (Kerberos): test_gssapi.sh starts a KDC, then runs our client
# against our broker and, with librdkafka, librdkafka against our broker.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_gssapi
TESTS += tests/security/test_gssapi.sh
tests_security_test_gssapi_SOURCES = tests/security/test_gssapi.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_gssapi_CFLAGS = $(TEST_CFLAGS)
tests_security_test_gssapi_LDADD = $(TEST_LIBS)
endif
endif
EXTRA_DIST += tests/security/test_gssapi.sh tests/security/kdc_lib.sh tests/security/lsan_gssapi.supp

# Per-listener settings (listener.name.<l>.*), PLAIN users from a
# listener's sasl.jaas.config, and OAUTHBEARER, with our client.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_broker_sasl_listeners
TESTS += tests/security/test_broker_sasl_listeners
tests_security_test_broker_sasl_listeners_SOURCES = tests/security/test_broker_sasl_listeners.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_broker_sasl_listeners_CFLAGS = $(TEST_CFLAGS)
tests_security_test_broker_sasl_listeners_LDADD = $(TEST_LIBS)
endif
endif

# Our client's OAUTHBEARER token refresh callback, with our broker.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_client_oauth_refresh
TESTS += tests/security/test_client_oauth_refresh
tests_security_test_client_oauth_refresh_SOURCES = tests/security/test_client_oauth_refresh.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_client_oauth_refresh_CFLAGS = $(TEST_CFLAGS)
tests_security_test_client_oauth_refresh_LDADD = $(TEST_LIBS)
endif
endif

# KIP-368 re-authentication, our client with our broker.
if HAVE_CHECK
if HAVE_SSL
check_PROGRAMS += tests/security/test_sasl_reauth
TESTS += tests/security/test_sasl_reauth
tests_security_test_sasl_reauth_SOURCES = tests/security/test_sasl_reauth.c \
	tests/security/sec_broker.c tests/security/sec_broker.h \
	tests/security/tls_certs.c tests/security/tls_certs.h \
	tests/security/sec_client.c tests/security/sec_client.h \
	tests/integration/broker_fixture.c tests/integration/broker_fixture.h
tests_security_test_sasl_reauth_CFLAGS = $(TEST_CFLAGS)
tests_security_test_sasl_reauth_LDADD = $(TEST_LIBS)
endif
endif
