/* A client connection of the broker. Two threads share it:
 *
 * - its network thread (net_threads.h) owns the socket: it reads bytes
 *   into `in` until at least one whole request frame is there (the size
 *   checked against socket.request.max.bytes before anything is allocated
 *   for the body), then lends `in` to the broker loop and stops reading;
 *   it writes the responses the broker loop publishes (conn_io.c);
 * - the broker loop decodes and serves the lent frames one after the
 *   other, encoding the responses into `resp`, publishes them as one chunk
 *   of the output queue and hands `in` back (conn.c). A parked request (a
 *   fetch waiting for data, a group call) keeps `in`, holding back the
 *   requests behind it as Kafka does by muting the channel; what was
 *   answered before it is published and written meanwhile.
 *
 * Responses thus leave in request order, a slow reader stops only its own
 * serving (OUT_HIGH_WATER), and neither thread waits for the other: every
 * hand-over is a task posted to the other's loop (kl_loop_post()), whose
 * queue orders the hand-over after the writes before it.
 *
 * Closing is two-sided: whichever side decides to close (a bad request or
 * the idle sweep on the broker loop; EOF, an error or a bad frame size on
 * the network thread) marks the connection closing, finishes its own side
 * and tells the other. Each side holds a reference, and so does every
 * posted task; the last one frees the connection. */
#ifndef KL_BROKER_CONN_H
#define KL_BROKER_CONN_H

#include <stdatomic.h>

#include "broker/dispatch.h"
#include "broker/net_threads.h"
#include "broker/server.h"
#include "net/scram.h"
#include "net/tls.h"
#include "util/buf.h"
#include "util/clock.h"

/* Stop serving a connection's requests while this much output waits for
 * the client to read it: a slow reader then slows only itself. */
#define CONN_OUT_HIGH_WATER (8u << 20)
/* Buffers that grew past this are freed once empty; smaller ones are kept
 * for the next request (a producer's next megabyte would otherwise be
 * fresh pages to fault in and zero, every time) until the connection goes
 * quiet (conn_trim()). */
#define CONN_KEEP_BUFFER_BYTES (8u << 20)

/* A request parked on its connection (a fetch waiting for data, a group
 * request waiting in the coordinator): it keeps the connection's input,
 * holding back the requests behind it, until it is answered
 * (conn_resume()) or the connection closes, which calls cancel so that
 * nothing answers into the closed connection later. Embedded in the
 * parked request's own state (conn_park()). */
typedef struct broker_parked broker_parked_t;
struct broker_parked {
    void (*cancel)(broker_conn_t *conn, broker_parked_t *parked);
};

/* Responses published by the broker loop, in order, for the network
 * thread to write. */
typedef struct conn_chunk {
    struct conn_chunk *next;
    kl_buf_t buf;
} conn_chunk_t;

struct broker_conn {
    /* Set at accept, then read-only. */
    kl_broker_t *broker;
    broker_listener_t *listener;
    broker_net_t *net;
    char peer[64];
    char ip[48]; /* the peer's address, for max.connections.per.ip */

    /* Any thread. */
    atomic_int refs;
    atomic_bool closing;
    /* Last read or write, for connections.max.idle.ms (conn_touch()). */
    _Atomic int64_t last_active_ms;
    /* When the first bytes of a frame still incomplete arrived (0: none),
     * for socket.request.read.timeout.ms; set by the network thread. */
    _Atomic int64_t frame_started_ms;
    /* Bytes published and not yet written; changed under out_lock. */
    atomic_size_t out_queued;
    pthread_mutex_t out_lock; /* guards out_head, out_tail and spare */
    conn_chunk_t *out_head, *out_tail;
    kl_buf_t spare; /* a written chunk's buffer, for the next responses */

    /* Set by the network thread before it lends the first frame (the TLS
     * client certificate's subject, when there is one), then the broker
     * loop's: who the connection is, "User:ANONYMOUS" until SASL says. */
    char principal[320];

    /* The broker loop's. */
    /* SASL listeners: what the handshake chose (SASL_MECH_*; 0: no
     * SaslHandshake yet), the SCRAM exchange under way, and whether
     * authentication succeeded (other listeners: always true). */
    unsigned sasl_mechanism;
    kl_scram_srv_t *scram;
    char *sasl_error; /* OAUTHBEARER: "<the JSON error sent>: <why>", awaiting the client's \1 */
    struct kl_cyrus *gssapi; /* the GSSAPI exchange under way */
    bool authenticated;
    /* KIP-368: when the session ends (kl_clock_ms(); 0: never), after
     * which any request but a re-authentication closes the connection;
     * and whether a re-authentication is under way. */
    int64_t session_expires_ms;
    bool reauthenticating;
    bool close_after_reply; /* a refused authentication: close once answered */
    broker_conn_t *prev, *next; /* broker->conns */
    bool req_closed;
    kl_buf_t resp;    /* responses encoded since the last publishing */
    kl_arena_t arena; /* the current request's decoded body */
    broker_request_t req;
    size_t frame_size; /* the current request's frame, size prefix included */
    broker_parked_t *parked; /* the request parked (conn_park()), or NULL */

    /* The network thread's, but while in_lent, the broker loop's. */
    kl_buf_t in; /* bytes read; the next frame starts at in_start */
    size_t in_start;
    size_t in_charged; /* to queued.max.request.bytes (request_pool.h) */

    /* The network thread's. */
    kl_io_t io;
    kl_tls_t *tls;  /* TLS listeners: the session over io.fd */
    bool tls_ready; /* its handshake is done */
    bool net_closed;
    bool in_lent;
    bool pool_paused; /* not reading: queued.max.request.bytes reached */
    kl_timer_t pool_timer; /* tries reading again */
    size_t head_sent; /* bytes of out_head written */
};

/* Notes I/O on conn now (any thread). */
static inline void conn_touch(broker_conn_t *conn)
{
    atomic_store_explicit(&conn->last_active_ms, kl_clock_ms(), memory_order_relaxed);
}
/* When conn last read or wrote (any thread). */
static inline int64_t conn_last_active(const broker_conn_t *conn)
{
    return atomic_load_explicit(&conn->last_active_ms, memory_order_relaxed);
}
static inline size_t conn_out_queued(const broker_conn_t *conn) { return atomic_load(&conn->out_queued); }

/* ---- broker loop (conn.c) ---- */

/* Takes over fd, a freshly accepted socket from ip (peer: "ip:port"), and
 * gives it to a network thread. */
void conn_accept(kl_broker_t *broker, broker_listener_t *listener, int fd, const char *ip, const char *peer);
/* Closes the connection (its parked request is cancelled); it is freed
 * once its network thread lets go of it too. */
void conn_close(broker_conn_t *conn);
/* Nothing of ours is pending on the connection (no parked request): the
 * client is the one that has gone quiet. */
bool conn_is_idle(const broker_conn_t *conn);
/* Frees the connection's buffers when nothing is in them (a quiet
 * connection gives its memory back). */
void conn_trim(broker_conn_t *conn);
/* Closes and frees every connection: at stop, on the application thread,
 * once the broker loop and the network threads are joined. */
void conn_close_all(kl_broker_t *broker);
/* The request being served parks (its handler returns BROKER_REQ_PARKED):
 * conn holds parked until conn_resume() or its close cancels it. */
void conn_park(broker_conn_t *conn, broker_parked_t *parked);
/* The parked request of conn was answered (ok) or failed (the connection
 * closes): serve the ones behind it. */
void conn_resume(broker_conn_t *conn, bool ok);

/* Tasks the network thread posts to the broker loop: serve the frames in
 * the lent input; the network side has closed. */
void conn_serve_task(void *conn);
void conn_closed_task(void *conn);

/* ---- both ---- */

/* Posts fn(conn) to loop holding a reference for it; fn ends with
 * conn_unref(). Aborts (logged) when out of memory: a lost hand-over
 * would hang the connection. */
void conn_post(kl_loop_t *loop, kl_task_fn *fn, broker_conn_t *conn);
void conn_unref(broker_conn_t *conn);
/* The size of the frame at in_start: -1 when fewer than 4 bytes are in,
 * -2 when the size is negative or beyond socket.request.max.bytes. */
int64_t conn_frame_size(const broker_conn_t *conn);
/* Logs the bad size conn_frame_size() refused. */
void conn_log_bad_size(const broker_conn_t *conn);

/* ---- network thread (conn_io.c); the tasks are posted by the broker
 * loop with conn_post() ---- */

/* Starts reading the connection. */
void conn_io_attach_task(void *conn);
/* Takes `in` back, writes what was published, reads again. */
void conn_io_handback_task(void *conn);
/* Writes what was published. */
void conn_io_flush_task(void *conn);
/* Closes the network side. */
void conn_io_close_task(void *conn);
/* Frees idle buffers. */
void conn_io_trim_task(void *conn);
/* Closes the network side now: on the network thread, or on any thread
 * once the network threads are joined. */
void conn_io_close(broker_conn_t *conn);

#endif
