/* TLS and SASL for the client benchmarks (-S): the security protocols a
 * round can run over, the certificates made at the start (a CA and a
 * broker certificate for localhost and 127.0.0.1, EC P-256, by the
 * openssl command), the embedded broker's listeners (PLAINTEXT, SSL and
 * SASL_SSL on one broker, a SCRAM user in its store) and the settings
 * both clients get for each protocol: the same names and values on both
 * (librdkafka's names, which kafkalite accepts). */
#ifndef KL_BENCH_SECURITY_H
#define KL_BENCH_SECURITY_H

#include <stddef.h>

#include <kafkalite.h>

enum { BENCH_PLAINTEXT, BENCH_SSL, BENCH_SASL_SSL, BENCH_NPROTOCOLS };

/* "plaintext", "ssl", "sasl_ssl": the -S names. */
extern const char *const bench_protocol_names[BENCH_NPROTOCOLS];
/* Kafka's listener names: "PLAINTEXT", "SSL", "SASL_SSL". */
extern const char *const bench_listener_names[BENCH_NPROTOCOLS];

#define BENCH_SASL_USER "bench"
#define BENCH_SASL_PASSWORD "bench-secret"

typedef struct bench_security {
    char dir[64];
    char ca[96];   /* the CA certificate both clients trust */
    char cert[96]; /* the broker's certificate, signed by the CA */
    char key[96];  /* its key */
    const char *mechanism; /* SASL_SSL's: SCRAM-SHA-256 or PLAIN */
} bench_security_t;

/* The protocols of a -S list (comma-separated, split in place) into
 * protocols[BENCH_NPROTOCOLS], in its order; their count, 0 when the list
 * is empty or too long. Dies on an unknown or repeated name. When one is
 * not plaintext, makes the certificates into *s with SASL_SSL's
 * mechanism (bench_security_make()); else leaves s->dir empty. */
int bench_protocols_parse(char *list, int *protocols, const char *mechanism, bench_security_t *s);

/* Makes the certificates in a new temporary directory (dies when the
 * openssl command fails) and keeps mechanism, which must be SCRAM-SHA-256
 * or PLAIN. */
void bench_security_make(bench_security_t *s, const char *mechanism);
/* Removes the directory. */
void bench_security_remove(bench_security_t *s);

/* Most strings bench_security_props() writes, the NULL included. */
#define BENCH_SECURITY_MAX_PROPS 15
/* The client settings of protocol, name/value pairs and a NULL, into
 * out; their count of strings (the NULL not counted). Plaintext: only
 * security.protocol. */
size_t bench_security_props(const bench_security_t *s, int protocol, const char **out);
/* Prints them, " name=value" each, the password masked. */
void bench_security_print(const bench_security_t *s, int protocol);

/* Sets the embedded broker's listeners (one per protocol, port 0), its
 * certificate and key, and writes the SCRAM user into the credential
 * store of log_dir (which must be its log.dirs); dies on failure. */
void bench_security_broker_conf(const bench_security_t *s, kl_conf_t *conf, const char *log_dir);

/* The host:port of protocol's listener in listeners
 * ("PLAINTEXT://127.0.0.1:1234,SSL://..."), or listeners itself when it
 * names no protocol (the mock cluster's bootstrap); dies when missing. */
void bench_bootstrap_for(const char *listeners, int protocol, char *out, size_t size);

#endif
