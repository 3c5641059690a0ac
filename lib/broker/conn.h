/* A client connection of the broker: reads size-prefixed request frames
 * (the size checked against socket.request.max.bytes before anything is
 * allocated for the body), serves them one after the other so responses
 * leave in request order, and writes responses without blocking the loop.
 * A parked request (a fetch waiting for data) holds back the ones behind
 * it, as Kafka does by muting the channel. */
#ifndef KL_BROKER_CONN_H
#define KL_BROKER_CONN_H

#include "broker/dispatch.h"
#include "broker/server.h"
#include "util/buf.h"

struct broker_conn {
    kl_broker_t *broker;
    broker_conn_t *prev, *next;
    broker_listener_t *listener;
    kl_io_t io;
    char peer[64];
    char ip[48];            /* the peer's address, for max.connections.per.ip */
    int64_t last_active_ms; /* last read or write, for connections.max.idle.ms */
    kl_buf_t in;      /* bytes read; the next frame starts at in_start */
    size_t in_start;
    kl_buf_t out;     /* encoded responses; out_sent of them written */
    size_t out_sent;
    kl_arena_t arena; /* the current request's decoded body */
    broker_request_t req;
    size_t frame_size; /* the current request's frame, size prefix included */
    broker_fetch_t *parked;
    void *group_call; /* a group request parked in the coordinator (group_handlers.c) */
};

/* Takes over fd, a freshly accepted socket from ip (peer: "ip:port"). */
void conn_accept(kl_broker_t *broker, broker_listener_t *listener, int fd, const char *ip, const char *peer);
/* Closes and frees the connection (its parked request is cancelled). */
void conn_close(broker_conn_t *conn);
/* Nothing of ours is pending on the connection (no parked request): the
 * client is the one that has gone quiet. */
bool conn_is_idle(const broker_conn_t *conn);
/* Frees the connection's buffers when nothing is in them (a quiet
 * connection gives its memory back). */
void conn_trim(broker_conn_t *conn);
/* Closes and frees every connection (at stop). */
void conn_close_all(kl_broker_t *broker);
/* The parked request of conn was answered (ok) or failed (the connection
 * closes): serve the ones behind it. conn may be closed (freed) by the
 * time this returns. */
void conn_resume(broker_conn_t *conn, bool ok);

#endif
