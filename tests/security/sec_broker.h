/* The embedded broker with every kind of listener for the security tests:
 * PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL on 127.0.0.1 (ports picked
 * by the system), TLS with a test certificate, and SCRAM users written to
 * its credential store before it starts. Failures abort the Check test. */
#ifndef KL_TEST_SEC_BROKER_H
#define KL_TEST_SEC_BROKER_H

#include <kafkalite.h>

#include "security/tls_certs.h"

/* Users every secured broker knows (SCRAM-SHA-256 and -512 both). */
#define SEC_USER "alice"
#define SEC_PASSWORD "alice-secret"

typedef struct sec_broker {
    char dir[64];
    kl_broker_t *broker;
    int plaintext, ssl, sasl_plaintext, sasl_ssl; /* the bound ports */
} sec_broker_t;

/* The log lines of the brokers started since the last call (up to 16
 * KiB; lines above KAFKALITE_BROKER_LOG's level are not made), copied
 * into buf; then forgotten. */
void sec_broker_take_log(char *buf, size_t size);

/* Starts a broker on a fresh directory with SEC_USER's credentials, the
 * certificate certs->good and its key, plus name/value pairs ending with
 * NULL. */
void sec_broker_start(sec_broker_t *sb, const tls_certs_t *certs, ...);
/* Stops it and starts it again on the same directory and settings (new
 * ports). */
void sec_broker_restart(sec_broker_t *sb);
/* Stops it and removes the directory. */
void sec_broker_stop(sec_broker_t *sb);

#endif
