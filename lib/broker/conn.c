/* Broker connections, the broker loop's side: accepting, in-order serving
 * of the frames a network thread lends, publishing the responses, closing
 * (see conn.h). */
#include "broker/conn.h"
#include "broker/sasl_gssapi.h"
#include "broker/group_wire.h"
#include "broker/request_pool.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool is_parked(const broker_conn_t *c) { return c->parked != NULL; }

bool conn_is_idle(const broker_conn_t *c) { return !is_parked(c); }

static bool can_serve(const broker_conn_t *c)
{
    return !is_parked(c) && conn_out_queued(c) + c->resp.len < CONN_OUT_HIGH_WATER;
}

void conn_post(kl_loop_t *loop, kl_task_fn *fn, broker_conn_t *c)
{
    atomic_fetch_add(&c->refs, 1);
    if (kl_loop_post(loop, fn, c) == 0)
        return;
    /* A hand-over that never arrives would leave the connection hung
     * (its input never served or given back, its socket never closed),
     * and no recovery is safe while the other thread may still use the
     * descriptor: stop loudly, as a timer that cannot be armed does. */
    broker_log(c->broker, BROKER_LOG_ERR, "%s: out of memory handing the connection between threads", c->peer);
    abort();
}

static void conn_free(broker_conn_t *c)
{
    for (conn_chunk_t *ch = c->out_head, *next; ch; ch = next) {
        next = ch->next;
        kl_buf_free(&ch->buf);
        free(ch);
    }
    pthread_mutex_destroy(&c->out_lock);
    kl_tls_free(c->tls);
    kl_scram_srv_free(c->scram);
    free(c->sasl_error);
    broker_gssapi_conn_free(c);
    kl_arena_free(&c->arena);
    kl_buf_free(&c->in);
    request_pool_settle(c); /* gives back what the input held */
    kl_buf_free(&c->resp);
    kl_buf_free(&c->spare);
    free(c);
}

void conn_unref(broker_conn_t *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        conn_free(c);
}

int64_t conn_frame_size(const broker_conn_t *c)
{
    if (c->in.len - c->in_start < 4)
        return -1;
    int32_t size = (int32_t)kl_load_be32(c->in.data + c->in_start);
    if (size < 0 || size > c->broker->request_max_bytes)
        return -2;
    return size;
}

void conn_log_bad_size(const broker_conn_t *c)
{
    broker_log_limited(c->broker, &c->broker->log_limits.bad_input, BROKER_LOG_WARN,
               "%s: closing the connection: request size %d is negative or beyond socket.request.max.bytes (%d)",
               c->peer, (int32_t)kl_load_be32(c->in.data + c->in_start), (int)c->broker->request_max_bytes);
}

void conn_trim(broker_conn_t *c)
{
    if (is_parked(c) || c->req_closed)
        return;
    kl_buf_free(&c->resp); /* published: nothing is in it */
    conn_post(c->net->loop, conn_io_trim_task, c);
}

/* Forgets the request just answered. */
static void request_done(broker_conn_t *c)
{
    c->in_start += c->frame_size;
    c->frame_size = 0;
    kl_arena_free(&c->arena);
}

/* Moves the unread tail to the front (never while a request is parked:
 * its decoded body points into the frame). */
static void compact_input(broker_conn_t *c)
{
    if (c->in_start == 0)
        return;
    size_t left = c->in.len - c->in_start;
    if (left == 0 && (c->in.cap > CONN_KEEP_BUFFER_BYTES || request_pool_full(c)))
        kl_buf_free(&c->in);
    else if (left > 0)
        memmove(c->in.data, c->in.data + c->in_start, left);
    c->in.len = left;
    c->in_start = 0;
    request_pool_settle(c); /* the frames served no longer count */
}

/* Queues the responses encoded so far for the network thread; false when
 * there were none. */
static bool publish(broker_conn_t *c)
{
    if (c->resp.len == 0)
        return false;
    conn_chunk_t *ch = malloc(sizeof *ch);
    if (!ch) {
        broker_log(c->broker, BROKER_LOG_ERR, "%s: closing the connection: out of memory queueing a response",
                   c->peer);
        conn_close(c);
        return false;
    }
    ch->next = NULL;
    ch->buf = c->resp;
    pthread_mutex_lock(&c->out_lock);
    atomic_fetch_add(&c->out_queued, ch->buf.len);
    if (c->out_tail)
        c->out_tail->next = ch;
    else
        c->out_head = ch;
    c->out_tail = ch;
    c->resp = c->spare; /* an empty buffer that may have room */
    kl_buf_init(&c->spare, 0);
    pthread_mutex_unlock(&c->out_lock);
    return true;
}

/* Serves the whole frames lent so far, publishes their answers, and hands
 * the input back unless a request is parked. */
static void serve(broker_conn_t *c)
{
    while (can_serve(c)) {
        int64_t size = conn_frame_size(c);
        if (size == -2) {
            conn_log_bad_size(c);
            conn_close(c);
            return;
        }
        if (size < 0 || c->in.len - c->in_start < 4 + (size_t)size)
            break;
        c->frame_size = 4 + (size_t)size;
        /* Decoded arrays cannot outgrow a small multiple of the frame. */
        kl_arena_init(&c->arena, 8 * (size_t)size + 65536);
        c->req = (broker_request_t){.broker = c->broker, .conn = c, .arena = &c->arena};
        broker_req_status_t st = broker_dispatch(&c->req, c->in.data + c->in_start + 4, (size_t)size);
        if (st == BROKER_REQ_CLOSE) {
            conn_close(c);
            return;
        }
        if (st == BROKER_REQ_PARKED)
            break;
        request_done(c);
        if (c->close_after_reply) {
            publish(c);
            conn_close(c); /* the network thread writes the answer first */
            return;
        }
    }
    bool published = publish(c);
    if (c->req_closed)
        return;
    if (is_parked(c)) {
        if (published)
            conn_post(c->net->loop, conn_io_flush_task, c);
        return;
    }
    compact_input(c);
    conn_post(c->net->loop, conn_io_handback_task, c);
}

void conn_serve_task(void *arg)
{
    broker_conn_t *c = arg;
    if (!c->req_closed)
        serve(c);
    conn_unref(c);
}

void conn_closed_task(void *arg)
{
    broker_conn_t *c = arg;
    conn_close(c);
    conn_unref(c);
}

void conn_park(broker_conn_t *c, broker_parked_t *parked) { c->parked = parked; }

void conn_resume(broker_conn_t *c, bool ok)
{
    c->parked = NULL;
    if (!ok) {
        conn_close(c);
        return;
    }
    request_done(c);
    serve(c);
}

static void set_socket_options(const kl_broker_t *b, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (b->socket_send_buffer > 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b->socket_send_buffer, sizeof b->socket_send_buffer);
    if (b->socket_receive_buffer > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b->socket_receive_buffer, sizeof b->socket_receive_buffer);
}

void conn_accept(kl_broker_t *broker, broker_listener_t *listener, int fd, const char *ip, const char *peer)
{
    broker_conn_t *c = calloc(1, sizeof *c);
    if (!c) {
        broker_log(broker, BROKER_LOG_ERR, "out of memory accepting a connection from %s", peer);
        close(fd);
        return;
    }
    c->broker = broker;
    c->listener = listener;
    c->net = net_threads_pick(broker);
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    snprintf(c->ip, sizeof c->ip, "%s", ip);
    snprintf(c->principal, sizeof c->principal, "User:ANONYMOUS");
    c->authenticated = listener->security == SEC_PLAINTEXT || listener->security == SEC_SSL;
    atomic_init(&c->refs, 2); /* the broker loop's and the network thread's */
    atomic_init(&c->closing, false);
    atomic_init(&c->out_queued, 0);
    atomic_init(&c->frame_started_ms, 0);
    conn_touch(c);
    pthread_mutex_init(&c->out_lock, NULL);
    kl_buf_init(&c->in, 0);
    kl_buf_init(&c->resp, 0);
    kl_buf_init(&c->spare, 0);
    kl_arena_init(&c->arena, 0);
    kl_io_init(&c->io, fd, NULL, c); /* the network thread sets the callback */
    set_socket_options(broker, fd);
    c->next = broker->conns;
    if (broker->conns)
        broker->conns->prev = c;
    broker->conns = c;
    broker->conn_limits.count++;
    broker_log(broker, BROKER_LOG_DEBUG, "%s: connected on %s", peer, listener->name);
    conn_post(c->net->loop, conn_io_attach_task, c);
}

void conn_close(broker_conn_t *c)
{
    if (c->req_closed)
        return;
    c->req_closed = true;
    atomic_store(&c->closing, true);
    kl_broker_t *b = c->broker;
    broker_parked_t *parked = c->parked;
    c->parked = NULL;
    if (parked)
        parked->cancel(c, parked);
    if (c->prev)
        c->prev->next = c->next;
    else
        b->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    b->conn_limits.count--;
    conn_post(c->net->loop, conn_io_close_task, c);
    conn_unref(c);
    listeners_resume(b); /* a descriptor is about to be free */
}

void conn_close_all(kl_broker_t *broker)
{
    while (broker->conns) {
        broker_conn_t *c = broker->conns;
        atomic_fetch_add(&c->refs, 1);
        conn_close(c);
        conn_io_close(c); /* the network threads are joined */
        conn_unref(c);
    }
}
