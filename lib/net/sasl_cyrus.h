/* GSSAPI (Kerberos) exchanges through cyrus-sasl, for both ends: a client
 * session towards service/host (sasl_client_*) and a server session for
 * service/host (sasl_server_*), stepped with the peer's raw tokens (what
 * Kafka's SaslAuthenticate carries). No security layer is negotiated
 * (Kafka never wraps the stream after authentication). cyrus-sasl's
 * global state is set up once per process, with pthread mutexes; the
 * server's keytab is read by the GSSAPI plugin when it loads, so it is one
 * per process (kl_cyrus_server_init()). Built without cyrus-sasl, the
 * constructors fail and say so. Thread-safe: a session is used by one
 * thread at a time. */
#ifndef KL_NET_SASL_CYRUS_H
#define KL_NET_SASL_CYRUS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kl_cyrus kl_cyrus_t;

typedef enum {
    KL_CYRUS_FAILED = -1, /* why says cyrus-sasl's reason */
    KL_CYRUS_CONTINUE = 0, /* send *out, wait for the peer's next token */
    KL_CYRUS_DONE = 1      /* authenticated; send *out when *out_len > 0 */
} kl_cyrus_status_t;

/* A client session for GSSAPI towards service@host (the credentials come
 * from the default Kerberos credential cache); NULL with why filled. */
kl_cyrus_t *kl_cyrus_client_new(const char *service, const char *host, char *why, size_t why_size);

/* Loads cyrus-sasl's server side, the GSSAPI plugin reading keytab (NULL:
 * the default keytab, KRB5_KTNAME). Once per process: a later call with
 * another keytab fails, as does a missing GSSAPI plugin
 * (libsasl2-modules-gssapi-mit). */
bool kl_cyrus_server_init(const char *keytab, char *why, size_t why_size);
/* A server session accepting GSSAPI for service/host (host: the instance
 * of the keytab's service principal); NULL with why filled. */
kl_cyrus_t *kl_cyrus_server_new(const char *service, const char *host, char *why, size_t why_size);

/* One step with the peer's token (a client's first step takes none):
 * *out (owned by the session, valid until the next step) is the token to
 * send. */
kl_cyrus_status_t kl_cyrus_step(kl_cyrus_t *s, const void *in, size_t len, const void **out, size_t *out_len,
                                char *why, size_t why_size);
/* Server: the authenticated principal (e.g. kafkaclient@REALM or the
 * short name cyrus-sasl gives), once done; "" before. */
const char *kl_cyrus_user(kl_cyrus_t *s);
void kl_cyrus_free(kl_cyrus_t *s);

#endif
