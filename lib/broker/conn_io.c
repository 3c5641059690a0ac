/* Broker connections, the network thread's side: the TLS handshake on
 * TLS listeners, reading frames, lending them to the broker loop, writing
 * the published responses without blocking, closing the socket (see
 * conn.h). TLS sessions are lib/net/tls.c's, shared with the client. */
#include "broker/conn.h"
#include "broker/request_pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (64u * 1024)
/* Reads per readiness callback, so one busy client cannot starve others. */
#define READS_PER_WAKEUP 4

static bool below_water(const broker_conn_t *c) { return conn_out_queued(c) < CONN_OUT_HIGH_WATER; }

static void tls_log_failure(broker_conn_t *c, const char *stage)
{
    broker_log_limited(c->broker, &c->broker->log_limits.bad_input, BROKER_LOG_WARN,
                       "%s: closing the connection on %s: TLS %s failed: %s", c->peer, c->listener->name, stage,
                       kl_tls_reason(c->tls));
}

/* A TLS step's status as recv(2)/send(2) say it: n moved, 0 at the end of
 * the stream, -1 with errno (EAGAIN: not now). */
static ssize_t tls_result(broker_conn_t *c, kl_tls_status_t st, size_t n, const char *stage)
{
    switch (st) {
    case KL_TLS_OK:
        return (ssize_t)n;
    case KL_TLS_WANT_READ:
    case KL_TLS_WANT_WRITE:
        errno = EAGAIN;
        return -1;
    case KL_TLS_CLOSED:
        return 0;
    default:
        tls_log_failure(c, stage);
        errno = EPROTO;
        return -1;
    }
}

static ssize_t io_recv(broker_conn_t *c, void *dst, size_t want)
{
    if (!c->tls)
        return recv(c->io.fd, dst, want, 0);
    size_t n = 0;
    kl_tls_status_t st = kl_tls_read(c->tls, dst, want, &n);
    return tls_result(c, st, n, "read");
}

static ssize_t io_send(broker_conn_t *c, const void *src, size_t len)
{
    if (!c->tls)
        return send(c->io.fd, src, len, MSG_NOSIGNAL);
    size_t n = 0;
    kl_tls_status_t st = kl_tls_write(c->tls, src, len, &n);
    return tls_result(c, st, n, "write");
}

/* Decrypted bytes waiting inside the TLS session: no readiness event will
 * announce them. */
static bool tls_buffered(const broker_conn_t *c) { return c->tls && kl_tls_pending(c->tls) > 0; }

void conn_io_close(broker_conn_t *c)
{
    if (c->net_closed)
        return;
    c->net_closed = true;
    atomic_store(&c->closing, true);
    if (c->pool_paused && kl_timer_active(&c->pool_timer))
        kl_timer_stop(c->net->loop, &c->pool_timer);
    c->pool_paused = false;
    kl_io_stop(c->net->loop, &c->io);
    close(c->io.fd);
    conn_post(c->broker->loop, conn_closed_task, c);
    conn_unref(c);
}

/* Done with the head chunk: its buffer becomes the spare when there is
 * none and it is not too big. */
static void pop_head(broker_conn_t *c)
{
    pthread_mutex_lock(&c->out_lock);
    conn_chunk_t *ch = c->out_head;
    c->out_head = ch->next;
    if (!c->out_head)
        c->out_tail = NULL;
    if (!c->spare.data && ch->buf.cap <= CONN_KEEP_BUFFER_BYTES) {
        kl_buf_reset(&ch->buf);
        c->spare = ch->buf;
        kl_buf_init(&ch->buf, 0);
    }
    pthread_mutex_unlock(&c->out_lock);
    kl_buf_free(&ch->buf);
    free(ch);
}

/* Writes what it can of the published output; false when closed. */
static bool flush(broker_conn_t *c)
{
    for (;;) {
        pthread_mutex_lock(&c->out_lock);
        conn_chunk_t *ch = c->out_head; /* the broker loop only appends */
        pthread_mutex_unlock(&c->out_lock);
        if (!ch)
            return true;
        while (c->head_sent < ch->buf.len) {
            ssize_t n = io_send(c, ch->buf.data + c->head_sent, ch->buf.len - c->head_sent);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return true;
            if (n <= 0) {
                broker_log(c->broker, BROKER_LOG_DEBUG, "%s: write failed: %s", c->peer, strerror(errno));
                conn_io_close(c);
                return false;
            }
            c->head_sent += (size_t)n;
            atomic_fetch_sub(&c->out_queued, (size_t)n);
            conn_touch(c);
        }
        c->head_sent = 0;
        pop_head(c);
    }
}

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

/* The pool is at its bound: stop reading and try again shortly. */
static void pool_pause(broker_conn_t *c)
{
    kl_broker_t *b = c->broker;
    c->pool_paused = true;
    kl_timer_start(c->net->loop, &c->pool_timer, REQUEST_POOL_RETRY_MS);
    broker_log_limited(b, &b->log_limits.memory, BROKER_LOG_WARN,
                       "%s: not reading for now: %zu bytes of requests are being read or queued "
                       "(queued.max.request.bytes %lld)",
                       c->peer, request_pool_used(c), (long long)b->queued_max_request_bytes);
}

/* Reads once; false when the connection closed (EOF, error, bad size). */
static bool read_some(broker_conn_t *c, bool *again)
{
    *again = false;
    size_t want = READ_CHUNK;
    int64_t size = conn_frame_size(c);
    if (size == -2) {
        conn_log_bad_size(c);
        conn_io_close(c);
        return false;
    }
    size_t have = c->in.len - c->in_start;
    size_t frame_end = size >= 0 ? c->in_start + 4 + (size_t)size : 0;
    /* The rest of a big frame in steps that grow with what has come: a
     * client that announces a big frame and sends it slowly holds about
     * what it sent, not what it announced. */
    if (size >= 0 && 4 + (size_t)size > have + want) {
        size_t rest = 4 + (size_t)size - have;
        size_t step = max_size(have, READ_CHUNK);
        want = rest < step ? rest : step;
    }
    /* The pool is charged for the whole frame once its size is known, so
     * a frame admitted is read to the end without asking again. */
    if (!request_pool_charge(c, max_size(max_size(c->in.cap, c->in.len + want), frame_end), true)) {
        pool_pause(c);
        return true;
    }
    uint8_t *dst = kl_buf_reserve(&c->in, want);
    request_pool_charge(c, max_size(c->in.cap, frame_end), false);
    if (!dst) {
        broker_log(c->broker, BROKER_LOG_ERR, "%s: out of memory for a %zu-byte read", c->peer, want);
        conn_io_close(c);
        return false;
    }
    ssize_t n = io_recv(c, dst, want);
    *again = n > 0 && ((size_t)n == want || tls_buffered(c));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return true;
    if (n <= 0) {
        broker_log(c->broker, BROKER_LOG_DEBUG, "%s: connection closed by the client", c->peer);
        conn_io_close(c);
        return false;
    }
    c->in.len += (size_t)n;
    conn_touch(c);
    return true;
}

/* Notes when the frame at in_start began arriving, while it is incomplete
 * (socket.request.read.timeout.ms). */
static void note_partial_frame(broker_conn_t *c, bool partial)
{
    int64_t started = atomic_load_explicit(&c->frame_started_ms, memory_order_relaxed);
    if (!partial && started)
        atomic_store_explicit(&c->frame_started_ms, 0, memory_order_relaxed);
    else if (partial && !started)
        atomic_store_explicit(&c->frame_started_ms, kl_clock_ms(), memory_order_relaxed);
}

static void watch(broker_conn_t *c, uint32_t want)
{
    if (c->io.active && want == c->io.events)
        return;
    if (kl_io_start(c->net->loop, &c->io, want) != 0) {
        broker_log(c->broker, BROKER_LOG_WARN, "%s: cannot watch the connection: %s", c->peer, strerror(errno));
        conn_io_close(c);
    }
}

/* TLS listeners: steps the handshake; true once it is done, false while
 * it waits for the socket (watched) or when it failed (closed). */
static bool tls_handshake(broker_conn_t *c)
{
    if (!c->tls || c->tls_ready)
        return true;
    kl_tls_status_t st = kl_tls_handshake(c->tls);
    if (st == KL_TLS_WANT_READ || st == KL_TLS_WANT_WRITE) {
        watch(c, st == KL_TLS_WANT_READ ? KL_IO_READ : KL_IO_WRITE);
        return false;
    }
    if (st != KL_TLS_OK) {
        tls_log_failure(c, "handshake");
        conn_io_close(c);
        return false;
    }
    c->tls_ready = true;
    conn_touch(c);
    char subject[256], desc[128];
    kl_tls_peer_subject(c->tls, subject, sizeof subject);
    if (c->listener->security == SEC_SSL)
        snprintf(c->principal, sizeof c->principal, "User:%s", subject);
    broker_log(c->broker, BROKER_LOG_DEBUG, "%s: TLS handshake done on %s (%s), client certificate: %s", c->peer,
               c->listener->name, kl_tls_describe(c->tls, desc, sizeof desc), subject);
    return true;
}

/* Reads a few times while there is something to read; false when the
 * connection closed. */
static bool read_burst(broker_conn_t *c)
{
    bool again = true;
    for (int i = 0; i < READS_PER_WAKEUP && again && below_water(c); i++)
        if (!read_some(c, &again))
            return false;
    return true;
}

/* Writes, lends the input when a whole frame is in it, and watches for
 * what the connection can use next. */
static void pump(broker_conn_t *c)
{
    if (!tls_handshake(c))
        return;
    for (;;) {
        if (!flush(c))
            return;
        if (c->in_lent)
            break;
        int64_t size = conn_frame_size(c);
        if (size == -2) {
            conn_log_bad_size(c);
            conn_io_close(c);
            return;
        }
        /* a whole frame waiting for the output to drain is no partial one */
        bool whole = size >= 0 && c->in.len - c->in_start >= 4 + (size_t)size;
        note_partial_frame(c, !whole && c->in.len > c->in_start);
        if (whole && below_water(c)) {
            c->in_lent = true;
            conn_post(c->broker->loop, conn_serve_task, c);
            break;
        }
        /* bytes decrypted before the input was lent: read them now */
        if (whole || c->pool_paused || !below_water(c) || !tls_buffered(c))
            break;
        size_t before = c->in.len;
        if (!read_burst(c))
            return;
        if (c->in.len == before)
            break; /* only part of a record is buffered: the socket brings the rest */
    }
    bool reading = !c->in_lent && !c->pool_paused && below_water(c);
    watch(c, (reading ? KL_IO_READ : 0) | (conn_out_queued(c) ? KL_IO_WRITE : 0));
}

static void on_io(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    broker_conn_t *c = io->opaque;
    (void)loop;
    bool gone = events & (KL_IO_ERROR | KL_IO_HUP);
    if (c->tls && !c->tls_ready && gone) {
        /* A client that refuses the handshake sends its alert and often
         * resets the connection (closing with our records unread): the
         * alert is still there to read, and it says why. */
        kl_tls_status_t st = kl_tls_handshake(c->tls);
        if (st != KL_TLS_OK && st != KL_TLS_WANT_READ && st != KL_TLS_WANT_WRITE)
            tls_log_failure(c, "handshake");
        conn_io_close(c);
        return;
    }
    if (gone) {
        conn_io_close(c);
        return;
    }
    if (c->tls && !c->tls_ready) {
        pump(c); /* the handshake goes first */
        return;
    }
    if ((events & KL_IO_WRITE) && !flush(c))
        return;
    if ((events & KL_IO_READ) && !c->in_lent && !read_burst(c))
        return;
    pump(c);
}

static void on_pool_retry(kl_loop_t *loop, kl_timer_t *timer)
{
    broker_conn_t *c = timer->opaque;
    (void)loop;
    c->pool_paused = false;
    if (!c->net_closed)
        pump(c);
}

void conn_io_attach_task(void *arg)
{
    broker_conn_t *c = arg;
    c->io.cb = on_io;
    kl_timer_init(&c->pool_timer, on_pool_retry, c);
    if (c->listener->tls && !atomic_load(&c->closing)) {
        c->tls = kl_tls_new(c->listener->tls, c->io.fd, NULL);
        if (!c->tls)
            broker_log(c->broker, BROKER_LOG_ERR, "%s: out of memory for a TLS session", c->peer);
    }
    if (atomic_load(&c->closing) || (c->listener->tls && !c->tls))
        conn_io_close(c);
    else
        pump(c);
    conn_unref(c);
}

void conn_io_handback_task(void *arg)
{
    broker_conn_t *c = arg;
    c->in_lent = false;
    if (!c->net_closed)
        pump(c);
    conn_unref(c);
}

void conn_io_flush_task(void *arg)
{
    broker_conn_t *c = arg;
    if (!c->net_closed)
        pump(c);
    conn_unref(c);
}

void conn_io_close_task(void *arg)
{
    broker_conn_t *c = arg;
    /* What was published leaves first, as far as the socket takes it at
     * once (a refused authentication's answer). */
    if (!c->net_closed && (!c->tls || c->tls_ready) && conn_out_queued(c) > 0)
        flush(c);
    conn_io_close(c);
    conn_unref(c);
}

void conn_io_trim_task(void *arg)
{
    broker_conn_t *c = arg;
    if (!c->net_closed && !c->in_lent && c->in.len == c->in_start && conn_out_queued(c) == 0) {
        kl_buf_free(&c->in);
        c->in_start = 0;
        request_pool_settle(c);
        pthread_mutex_lock(&c->out_lock);
        kl_buf_free(&c->spare);
        pthread_mutex_unlock(&c->out_lock);
    }
    conn_unref(c);
}
