/* A TLS-terminating proxy for tests: listens on 127.0.0.1 (port 0), does
 * the server side of TLS with the certificate it is given, and relays the
 * decrypted bytes to a plaintext backend (the embedded broker), so our
 * client's TLS path is tested against a whole broker without Kafka. One
 * thread accepts, one per connection relays; destroy stops and joins
 * them all. */
#ifndef KL_TEST_TLS_PROXY_H
#define KL_TEST_TLS_PROXY_H

typedef struct tls_proxy tls_proxy_t;

/* Listening at once (so its port can be advertised before the backend
 * starts); serves nothing until tls_proxy_start(). */
tls_proxy_t *tls_proxy_new(void);
int tls_proxy_port(const tls_proxy_t *proxy);
/* Serves cert (PEM chain file) and key to each client and relays to
 * 127.0.0.1:backend_port. client_ca non-NULL: clients must present a
 * certificate it signed (mutual TLS). */
void tls_proxy_start(tls_proxy_t *proxy, const char *cert, const char *key, const char *client_ca,
                     int backend_port);
/* TLS handshakes that completed, and that failed. */
int tls_proxy_handshakes(tls_proxy_t *proxy);
int tls_proxy_failed_handshakes(tls_proxy_t *proxy);
void tls_proxy_destroy(tls_proxy_t *proxy);

#endif
