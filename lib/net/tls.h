/* TLS for Kafka connections, on OpenSSL, for both ends: a context built
 * once per client from librdkafka-style settings (CA, client certificate
 * and key, ciphers, verification) or once per broker listener (its
 * certificate and key, the CA that signs client certificates,
 * ssl.client.auth), and per connection a non-blocking session that the
 * connection (the client's lib/net/conn.c, the broker's
 * lib/broker/conn_io.c) drives from its event loop: handshake, read,
 * write. Built without OpenSSL, creating a context fails with a clear
 * message. */
#ifndef KL_NET_TLS_H
#define KL_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct kl_tls_ctx kl_tls_ctx_t;
typedef struct kl_tls kl_tls_t;

/* A server's demand for client certificates (Kafka's ssl.client.auth). */
typedef enum { KL_TLS_CLIENT_AUTH_NONE, KL_TLS_CLIENT_AUTH_REQUESTED, KL_TLS_CLIENT_AUTH_REQUIRED } kl_tls_client_auth_t;

/* NULL strings mean "not set". */
typedef struct kl_tls_config {
    const char *ca_location;   /* CA file or directory; NULL: the system store */
    const char *ca_pem;        /* CA certificates as PEM text */
    const char *cert_location; /* client certificate (chain) file, PEM */
    const char *cert_pem;
    const char *key_location;  /* client private key file, PEM */
    const char *key_pem;
    const char *key_password;
    const char *cipher_suites; /* OpenSSL cipher list for TLS 1.2 */
    /* ssl.crl.location: a file of CRLs (PEM, or one DER) the peer's chain
     * is checked against when the peer is verified; NULL: no CRL check. */
    const char *crl_location;
    bool verify_certificate;   /* enable.ssl.certificate.verification */
    bool verify_hostname;      /* ssl.endpoint.identification.algorithm=https */
    /* A server (broker listener) context: the certificate and key are its
     * own and required; the CA settings check client certificates, which
     * client_auth asks for (verify_* are then unused). */
    bool server;
    kl_tls_client_auth_t client_auth;
} kl_tls_config_t;

/* NULL with errstr filled when a file cannot be read, a PEM is bad, the key
 * does not match the certificate, or TLS is not compiled in. */
kl_tls_ctx_t *kl_tls_ctx_new(const kl_tls_config_t *config, char *errstr, size_t errstr_size);
void kl_tls_ctx_destroy(kl_tls_ctx_t *ctx);

/* A session on the connected socket fd: with a client context, for host
 * (the name checked against the certificate, and sent as SNI unless it is
 * an IP address); with a server context, accepting (host unused, may be
 * NULL). NULL when out of memory. */
kl_tls_t *kl_tls_new(kl_tls_ctx_t *ctx, int fd, const char *host);
void kl_tls_free(kl_tls_t *tls);

/* Result of a step: done, needs the socket readable or writable, closed by
 * the peer, or failed (kl_tls_reason() says why). */
typedef enum { KL_TLS_OK, KL_TLS_WANT_READ, KL_TLS_WANT_WRITE, KL_TLS_CLOSED, KL_TLS_FAILED } kl_tls_status_t;

kl_tls_status_t kl_tls_handshake(kl_tls_t *tls);
/* *n: bytes moved when KL_TLS_OK (> 0). A write takes up to a few 16 KB
 * records at once; with KL_TLS_OK and *n < len part of them may wait in
 * the session for the socket: the caller calls again with the rest (at
 * KL_TLS_WANT_WRITE, once the socket is writable), as after any partial
 * write. */
kl_tls_status_t kl_tls_read(kl_tls_t *tls, void *buf, size_t len, size_t *n);
kl_tls_status_t kl_tls_write(kl_tls_t *tls, const void *buf, size_t len, size_t *n);
/* Bytes buffered inside the session, not yet read: decrypted ones, or
 * (then at least 1) bytes read ahead from the socket and not yet
 * decrypted, which may be only part of a record (a read then says
 * KL_TLS_WANT_READ). No socket event announces either. */
size_t kl_tls_pending(const kl_tls_t *tls);
/* Why the last step failed, in words: "certificate verify failed: unknown
 * CA (unable to get local issuer certificate)", "hostname mismatch", ... */
const char *kl_tls_reason(const kl_tls_t *tls);
/* True when the failure was about a certificate: the peer's, or ours that
 * the peer refused with an alert (even after the handshake, as TLS 1.3
 * clients learn it). */
bool kl_tls_verify_failed(const kl_tls_t *tls);
/* The peer's certificate subject after the handshake, as Kafka's
 * principal names it ("CN=alice,O=example", RFC 2253), or "ANONYMOUS"
 * when the peer sent none. */
const char *kl_tls_peer_subject(const kl_tls_t *tls, char *buf, size_t size);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs. */
const char *kl_tls_describe(const kl_tls_t *tls, char *buf, size_t size);

#endif
