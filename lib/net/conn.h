/* A non-blocking TCP connection to one Kafka broker, driven by a kl_loop:
 * connect with a setup timeout (TCP, then TLS when configured), a queue of framed requests written in
 * order, in-flight requests matched to responses by correlation id, a
 * timeout per request, and reconnect back-off with jitter. It knows framing
 * (int32 size + content) but no API: the owner (lib/client) encodes
 * requests, runs the handshake (ApiVersions) and decodes responses.
 * Everything runs on the loop thread. */
#ifndef KL_NET_CONN_H
#define KL_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "net/loop.h"
#include "net/tls.h"

typedef struct kl_conn kl_conn_t;

typedef enum kl_conn_state {
    KL_CONN_DOWN,       /* no socket; may be waiting out the back-off */
    KL_CONN_CONNECTING, /* TCP connect in progress */
    KL_CONN_TLS,        /* TCP up, TLS handshake in progress */
    KL_CONN_HANDSHAKE,  /* TCP up: only handshake requests are written */
    KL_CONN_READY       /* the owner finished the handshake */
} kl_conn_state_t;

/* How a request ended. err: KL_ERR_NONE (frame holds the response content,
 * after the size, valid only during the call), KL_ERR_TRANSPORT (the
 * connection failed or closed), KL_ERR_TIMED_OUT (no response within the
 * request's timeout), KL_ERR_DESTROY (closed by the owner). sent: some of
 * the request reached the socket, so the broker may have acted on it. */
typedef void kl_conn_response_cb(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame,
                                 size_t len, void *arg);

/* Called on every state change; err and reason say why for DOWN (reason is
 * a static or short-lived string naming the stage: "TCP connect: ...",
 * "TLS handshake: ..."). A refused certificate or TLS setting closes with
 * KL_ERR_SSL. */
typedef void kl_conn_state_cb(kl_conn_t *conn, kl_conn_state_t state, kl_err_t err, const char *reason,
                              void *opaque);

typedef struct kl_conn_config {
    int64_t setup_timeout_ms;  /* TCP connect + handshake, until READY */
    int64_t backoff_ms;        /* first reconnect back-off, doubled per failure */
    int64_t backoff_max_ms;    /* ... up to this */
    size_t max_frame;          /* largest response accepted */
    int max_in_flight;         /* requests written and awaiting a response */
    bool nagle;                /* keep Nagle's algorithm (no TCP_NODELAY): false by default */
    kl_tls_ctx_t *tls;         /* TLS over TCP when set (not owned: outlives the connection) */
} kl_conn_config_t;

/* kl_conn_send() flags. */
#define KL_CONN_F_HANDSHAKE 0x1   /* may be written before READY */
#define KL_CONN_F_NO_RESPONSE 0x2 /* completes once written (Produce acks=0) */

/* A connection to host:port, DOWN until kl_conn_connect() or a send. NULL
 * when out of memory. Callbacks (state_cb, response callbacks) may send and
 * close, but must not destroy the connection they are called for. */
kl_conn_t *kl_conn_new(kl_loop_t *loop, const char *host, int port, const kl_conn_config_t *config,
                       kl_conn_state_cb *state_cb, void *opaque);
/* Closes (requests fail with KL_ERR_DESTROY, without a state callback) and
 * frees. NULL is allowed. */
void kl_conn_destroy(kl_conn_t *conn);

/* Changes the address used by the next connect (a broker that moved);
 * closes the current connection when the address differs. */
void kl_conn_set_address(kl_conn_t *conn, const char *host, int port);

/* Starts connecting when DOWN: now, or once the back-off has passed. Never
 * fails synchronously: errors come back through the state callback. */
void kl_conn_connect(kl_conn_t *conn);
/* The owner's handshake is done: queued requests start flowing, and the
 * back-off is reset. */
void kl_conn_set_ready(kl_conn_t *conn);
/* Closes the socket; every queued and in-flight request fails with err
 * (sent tells which were written), then the state callback reports DOWN.
 * The next connect waits out the back-off. */
void kl_conn_close(kl_conn_t *conn, kl_err_t err, const char *reason);

/* The correlation id for the next request (unique per connection). */
int32_t kl_conn_next_correlation_id(kl_conn_t *conn);

/* Queues a whole request frame (size prefix included), taking ownership of
 * frame (malloc'd; freed once written). The response, a failure or the
 * timeout (timeout_ms from now; <= 0: none) ends in exactly one call of cb.
 * A DOWN connection starts connecting. */
void kl_conn_send(kl_conn_t *conn, uint8_t *frame, size_t len, int32_t correlation_id, unsigned flags,
                  int64_t timeout_ms, kl_conn_response_cb *cb, void *arg);

kl_conn_state_t kl_conn_state(const kl_conn_t *conn);
/* Requests queued or in flight. */
size_t kl_conn_outstanding(const kl_conn_t *conn);
/* READY and fewer than max_in_flight requests outstanding. */
bool kl_conn_can_send(const kl_conn_t *conn);
/* Bytes of queued frames not written to the socket yet. */
size_t kl_conn_unwritten(const kl_conn_t *conn);
/* "host:port", for logs. */
const char *kl_conn_name(const kl_conn_t *conn);
void *kl_conn_opaque(const kl_conn_t *conn);

#endif
