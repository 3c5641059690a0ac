/* Broker connections: framing, in-order serving and non-blocking writes
 * (see conn.h). */
#include "broker/conn.h"
#include "broker/group_wire.h"
#include "util/clock.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (64u * 1024)
/* Stop serving a connection's requests while this much output waits for
 * the client to read it: a slow reader then slows only itself. */
#define OUT_HIGH_WATER (8u << 20)
/* Buffers that grew past this are freed once empty; smaller ones are kept
 * for the next request (a producer's next megabyte would otherwise be
 * fresh pages to fault in and zero, every time) until the connection goes
 * quiet (conn_trim()). */
#define KEEP_BUFFER_BYTES (8u << 20)
/* Reads per readiness callback, so one busy client cannot starve others. */
#define READS_PER_WAKEUP 4

static size_t out_pending(const broker_conn_t *c) { return c->out.len - c->out_sent; }

static bool is_parked(const broker_conn_t *c) { return c->parked || c->group_call; }

bool conn_is_idle(const broker_conn_t *c) { return !is_parked(c); }

void conn_trim(broker_conn_t *c)
{
    if (is_parked(c) || out_pending(c) > 0 || c->in.len > c->in_start)
        return;
    kl_buf_free(&c->in); /* leaves an empty buffer, usable as it is */
    kl_buf_free(&c->out);
    c->in_start = 0;
    c->out_sent = 0;
}

static bool can_serve(const broker_conn_t *c) { return !is_parked(c) && out_pending(c) < OUT_HIGH_WATER; }

/* Watches for what the connection can use now. */
static bool conn_update_events(broker_conn_t *c)
{
    uint32_t want = (can_serve(c) ? KL_IO_READ : 0) | (out_pending(c) ? KL_IO_WRITE : 0);
    if (c->io.active && want == c->io.events)
        return true;
    if (kl_io_start(c->broker->loop, &c->io, want) != 0) {
        broker_log(c->broker, BROKER_LOG_WARN, "%s: cannot watch the connection: %s", c->peer, strerror(errno));
        conn_close(c);
        return false;
    }
    return true;
}

/* Writes what it can; false when the connection was closed. */
static bool conn_flush(broker_conn_t *c)
{
    while (out_pending(c) > 0) {
        ssize_t n = send(c->io.fd, c->out.data + c->out_sent, out_pending(c), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            broker_log(c->broker, BROKER_LOG_DEBUG, "%s: write failed: %s", c->peer, strerror(errno));
            conn_close(c);
            return false;
        }
        c->out_sent += (size_t)n;
        c->last_active_ms = kl_clock_ms();
    }
    if (out_pending(c) == 0) {
        c->out_sent = 0;
        if (c->out.cap > KEEP_BUFFER_BYTES)
            kl_buf_free(&c->out);
        kl_buf_reset(&c->out);
    }
    return true;
}

/* The size of the frame at in_start: -1 when fewer than 4 bytes are in,
 * -2 when the size is negative or beyond socket.request.max.bytes. */
static int64_t frame_size(const broker_conn_t *c)
{
    if (c->in.len - c->in_start < 4)
        return -1;
    int32_t size = (int32_t)kl_load_be32(c->in.data + c->in_start);
    if (size < 0 || size > c->broker->request_max_bytes)
        return -2;
    return size;
}

static void log_bad_size(broker_conn_t *c)
{
    broker_log(c->broker, BROKER_LOG_WARN,
               "%s: closing the connection: request size %d is negative or beyond socket.request.max.bytes (%d)",
               c->peer, (int32_t)kl_load_be32(c->in.data + c->in_start), (int)c->broker->request_max_bytes);
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
    if (is_parked(c) || c->in_start == 0)
        return;
    size_t left = c->in.len - c->in_start;
    if (left == 0 && c->in.cap > KEEP_BUFFER_BYTES)
        kl_buf_free(&c->in);
    else if (left > 0)
        memmove(c->in.data, c->in.data + c->in_start, left);
    c->in.len = left;
    c->in_start = 0;
}

/* Serves the whole frames read so far; false when the connection closed. */
static bool conn_serve(broker_conn_t *c)
{
    while (can_serve(c)) {
        int64_t size = frame_size(c);
        if (size == -2) {
            log_bad_size(c);
            conn_close(c);
            return false;
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
            return false;
        }
        if (st == BROKER_REQ_PARKED)
            break;
        request_done(c);
    }
    compact_input(c);
    return true;
}

/* Reads once; false when the connection closed (EOF, error, bad size). */
static bool conn_read(broker_conn_t *c, bool *again)
{
    size_t want = READ_CHUNK;
    int64_t size = frame_size(c);
    if (size == -2) {
        log_bad_size(c);
        conn_close(c);
        return false;
    }
    if (size >= 0) {
        size_t missing = 4 + (size_t)size - (c->in.len - c->in_start);
        if (missing > want)
            want = missing;
    }
    uint8_t *dst = kl_buf_reserve(&c->in, want);
    if (!dst) {
        broker_log(c->broker, BROKER_LOG_ERR, "%s: out of memory for a %zu-byte read", c->peer, want);
        conn_close(c);
        return false;
    }
    ssize_t n = recv(c->io.fd, dst, want, 0);
    *again = n > 0 && (size_t)n == want;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return true;
    if (n <= 0) {
        broker_log(c->broker, BROKER_LOG_DEBUG, "%s: connection closed by the client", c->peer);
        conn_close(c);
        return false;
    }
    c->in.len += (size_t)n;
    c->last_active_ms = kl_clock_ms();
    return true;
}

static void on_conn_io(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    broker_conn_t *c = io->opaque;
    (void)loop;
    if (events & (KL_IO_ERROR | KL_IO_HUP)) {
        conn_close(c);
        return;
    }
    if ((events & KL_IO_WRITE) && !conn_flush(c))
        return;
    if (events & KL_IO_READ) {
        bool again = true;
        for (int i = 0; i < READS_PER_WAKEUP && again && can_serve(c); i++) {
            if (!conn_read(c, &again) || !conn_serve(c))
                return;
        }
    }
    if (conn_flush(c))
        conn_update_events(c);
}

void conn_resume(broker_conn_t *c, bool ok)
{
    c->parked = NULL;
    if (!ok) {
        conn_close(c);
        return;
    }
    request_done(c);
    if (conn_serve(c) && conn_flush(c))
        conn_update_events(c);
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
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    snprintf(c->ip, sizeof c->ip, "%s", ip);
    c->last_active_ms = kl_clock_ms();
    kl_buf_init(&c->in, 0);
    kl_buf_init(&c->out, 0);
    kl_arena_init(&c->arena, 0);
    kl_io_init(&c->io, fd, on_conn_io, c);
    set_socket_options(broker, fd);
    c->next = broker->conns;
    if (broker->conns)
        broker->conns->prev = c;
    broker->conns = c;
    broker->conn_limits.count++;
    broker_log(broker, BROKER_LOG_DEBUG, "%s: connected on %s", peer, listener->name);
    conn_update_events(c);
}

void conn_close(broker_conn_t *c)
{
    kl_broker_t *b = c->broker;
    if (c->parked)
        fetch_cancel(c->parked);
    if (c->group_call)
        groups_conn_closed(c);
    kl_io_stop(b->loop, &c->io);
    close(c->io.fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        b->conns = c->next;
    b->conn_limits.count--;
    if (c->next)
        c->next->prev = c->prev;
    kl_arena_free(&c->arena);
    kl_buf_free(&c->in);
    kl_buf_free(&c->out);
    free(c);
}

void conn_close_all(kl_broker_t *broker)
{
    while (broker->conns)
        conn_close(broker->conns);
}
