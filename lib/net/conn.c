/* A broker connection on the event loop (see conn.h): socket set-up (TCP,
 * then the TLS handshake when configured) and back-off, the write queue
 * (writev of whole frames, in order, or TLS records), frame reassembly on
 * read, correlation-id matching and request timeouts. */
#include "net/conn.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/buf.h"

#define READ_CHUNK (64 * 1024)
#define MAX_IOV 64
#define MAX_READS_PER_EVENT 16

typedef struct conn_req {
    struct conn_req *next;
    uint8_t *frame; /* NULL once fully written */
    size_t len, written;
    int32_t correlation_id;
    unsigned flags;
    int64_t deadline_ms; /* 0: none */
    bool timed_out; /* written, then expired: fails with TIMED_OUT */
    kl_conn_response_cb *cb;
    void *arg;
} conn_req_t;

typedef struct req_list {
    conn_req_t *head, *tail;
    size_t count;
} req_list_t;

struct kl_conn {
    kl_loop_t *loop;
    char *host;
    int port;
    char *name;
    kl_conn_config_t cfg;
    kl_conn_state_cb *state_cb;
    void *opaque;
    kl_conn_state_t state;
    int fd;
    kl_io_t io;
    kl_tls_t *tls;              /* the TLS session over fd, when configured */
    kl_timer_t setup_timer;     /* set-up deadline; also reports deferred failures */
    kl_timer_t reconnect_timer; /* end of the back-off */
    kl_timer_t request_timer;   /* earliest request deadline */
    /* handshake requests, other requests, being written, awaiting a response */
    req_list_t hs_queue, queue, outq, inflight;
    uint8_t *rbuf;
    size_t rlen, rcap;
    int64_t backoff_ms;      /* current back-off; 0 before the first failure */
    int64_t next_connect_ms; /* not before this */
    unsigned generation;     /* bumped by every close */
    int32_t next_correlation_id;
    uint64_t rand_state;     /* back-off jitter */
    unsigned addr_index;     /* rotates through the resolved addresses */
    bool defer_failure;      /* setup_timer reports failure_reason */
    char failure_reason[160];
};

/* ---- small helpers ------------------------------------------------------ */

static void list_push(req_list_t *l, conn_req_t *r)
{
    r->next = NULL;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->count++;
}

static conn_req_t *list_pop(req_list_t *l)
{
    conn_req_t *r = l->head;
    if (r) {
        l->head = r->next;
        if (!l->head)
            l->tail = NULL;
        l->count--;
        r->next = NULL;
    }
    return r;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void complete(kl_conn_t *conn, conn_req_t *r, kl_err_t err, bool sent, const uint8_t *frame,
                     size_t len)
{
    free(r->frame);
    r->cb(conn, err, sent, frame, len, r->arg);
    free(r);
}

/* Fails every request of list (detached first, so callbacks may send). */
static void fail_list(kl_conn_t *conn, req_list_t *l, kl_err_t err)
{
    req_list_t mine = *l;
    memset(l, 0, sizeof *l);
    conn_req_t *r;
    while ((r = list_pop(&mine)))
        complete(conn, r, r->timed_out ? KL_ERR_TIMED_OUT : err, r->written > 0, NULL, 0);
}

/* Back-off with +-20% jitter, so that clients do not reconnect in step.
 * A private generator: the application's random() sequence stays its own. */
static int64_t jitter(kl_conn_t *conn, int64_t ms)
{
    if (ms <= 0)
        return 0;
    uint64_t x = conn->rand_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    conn->rand_state = x;
    int64_t span = ms * 2 / 5;
    return ms - ms / 5 + (span > 0 ? (int64_t)(x % (uint64_t)(span + 1)) : 0);
}

/* ---- closing ------------------------------------------------------------ */

static void close_socket(kl_conn_t *conn)
{
    kl_tls_free(conn->tls);
    conn->tls = NULL;
    if (conn->fd >= 0) {
        kl_io_stop(conn->loop, &conn->io);
        close(conn->fd);
        conn->fd = -1;
    }
    kl_timer_stop(conn->loop, &conn->setup_timer);
    kl_timer_stop(conn->loop, &conn->request_timer);
    conn->rlen = 0;
    conn->defer_failure = false;
}

static void do_close(kl_conn_t *conn, kl_err_t err, const char *reason, bool notify)
{
    kl_conn_state_t was = conn->state;
    conn->generation++;
    close_socket(conn);
    conn->state = KL_CONN_DOWN;
    if (was != KL_CONN_DOWN) {
        conn->backoff_ms = conn->backoff_ms ? conn->backoff_ms * 2 : conn->cfg.backoff_ms;
        if (conn->backoff_ms > conn->cfg.backoff_max_ms)
            conn->backoff_ms = conn->cfg.backoff_max_ms;
        conn->next_connect_ms = kl_clock_ms() + jitter(conn, conn->backoff_ms);
    }
    /* Written requests first: they are the oldest. */
    fail_list(conn, &conn->inflight, err);
    fail_list(conn, &conn->outq, err);
    fail_list(conn, &conn->hs_queue, err);
    fail_list(conn, &conn->queue, err);
    if (notify && was != KL_CONN_DOWN && conn->state_cb)
        conn->state_cb(conn, KL_CONN_DOWN, err, reason, conn->opaque);
}

void kl_conn_close(kl_conn_t *conn, kl_err_t err, const char *reason) { do_close(conn, err, reason, true); }

static void fail_errno(kl_conn_t *conn, const char *what, int errnum)
{
    char reason[160];
    snprintf(reason, sizeof reason, "%s: %s", what, strerror(errnum));
    kl_conn_close(conn, KL_ERR_TRANSPORT, reason);
}

/* A TLS failure: during the handshake, or the broker refusing our
 * certificate just after it (TLS 1.3), it is about the certificates or the
 * settings (KL_ERR_SSL: retrying will not help the requests); otherwise it
 * is a broken connection like any other. */
static void fail_tls(kl_conn_t *conn, const char *stage)
{
    char reason[320];
    snprintf(reason, sizeof reason, "%s: %s", stage, kl_tls_reason(conn->tls));
    bool ssl = conn->state == KL_CONN_TLS || kl_tls_verify_failed(conn->tls);
    kl_conn_close(conn, ssl ? KL_ERR_SSL : KL_ERR_TRANSPORT, reason);
}

/* ---- writing ------------------------------------------------------------ */

static size_t busy(const kl_conn_t *conn) { return conn->outq.count + conn->inflight.count; }

/* Moves the requests that may be written now onto outq. */
static void select_writes(kl_conn_t *conn)
{
    if (conn->state < KL_CONN_HANDSHAKE)
        return;
    while (conn->hs_queue.head)
        list_push(&conn->outq, list_pop(&conn->hs_queue));
    if (conn->state != KL_CONN_READY)
        return;
    while (conn->queue.head && busy(conn) < (size_t)conn->cfg.max_in_flight)
        list_push(&conn->outq, list_pop(&conn->queue));
}

static void update_interest(kl_conn_t *conn)
{
    uint32_t want = KL_IO_READ | (conn->outq.head ? KL_IO_WRITE : 0);
    if (conn->fd >= 0 && conn->io.events != want && kl_io_start(conn->loop, &conn->io, want) != 0)
        fail_errno(conn, "epoll", errno);
}

/* Accounts for w bytes written from the head of outq: whole requests move
 * on to wait for their response, or onto *done when none is expected. */
static void account_written(kl_conn_t *conn, size_t w, req_list_t *done)
{
    while (conn->outq.head && w >= conn->outq.head->len - conn->outq.head->written) {
        conn_req_t *r = list_pop(&conn->outq);
        w -= r->len - r->written;
        r->written = r->len;
        free(r->frame);
        r->frame = NULL;
        list_push(r->flags & KL_CONN_F_NO_RESPONSE ? done : &conn->inflight, r);
    }
    if (conn->outq.head)
        conn->outq.head->written += w;
}

/* Writes the head of outq: the head frame through TLS, or a vector of
 * frames over TCP. The bytes written, 0 when the socket is full, -1 after
 * a failure (the connection is closed). */
static ssize_t write_out(kl_conn_t *conn)
{
    if (conn->tls) {
        conn_req_t *r = conn->outq.head;
        size_t n = 0;
        kl_tls_status_t st = kl_tls_write(conn->tls, r->frame + r->written, r->len - r->written, &n);
        if (st == KL_TLS_OK)
            return (ssize_t)n;
        if (st == KL_TLS_WANT_READ || st == KL_TLS_WANT_WRITE)
            return 0;
        /* A broker that refused our certificate after the handshake (TLS
         * 1.3) sent its alert before it closed: read it for the reason. */
        uint8_t alert[64];
        if (kl_tls_read(conn->tls, alert, sizeof alert, &n) == KL_TLS_FAILED && kl_tls_verify_failed(conn->tls)) {
            fail_tls(conn, "TLS read");
            return -1;
        }
        if (st == KL_TLS_CLOSED) {
            kl_conn_close(conn, KL_ERR_TRANSPORT, "connection closed by the broker");
            return -1;
        }
        fail_tls(conn, "TLS write");
        return -1;
    }
    struct iovec iov[MAX_IOV];
    int n = 0;
    for (conn_req_t *r = conn->outq.head; r && n < MAX_IOV; r = r->next, n++) {
        iov[n].iov_base = r->frame + r->written;
        iov[n].iov_len = r->len - r->written;
    }
    /* sendmsg, not writev: a peer that closed must not raise SIGPIPE in
     * the application (MSG_NOSIGNAL) */
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    for (;;) {
        ssize_t w = sendmsg(conn->fd, &msg, MSG_NOSIGNAL);
        if (w >= 0)
            return w;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        fail_errno(conn, "write", errno);
        return -1;
    }
}

/* Writes as much of outq as the socket takes. Callbacks run only after the
 * bookkeeping is done, so a callback that sends (and so comes back here)
 * finds every offset up to date. */
static void pump_writes(kl_conn_t *conn)
{
    req_list_t done = {0};
    select_writes(conn);
    while (conn->outq.head) {
        ssize_t w = write_out(conn);
        if (w <= 0)
            break;
        account_written(conn, (size_t)w, &done);
        if (conn->outq.head && !conn->tls)
            break; /* the socket is full (TLS writes one frame at a time) */
        select_writes(conn);
    }
    if (conn->fd >= 0)
        update_interest(conn);
    conn_req_t *r;
    while ((r = list_pop(&done)))
        complete(conn, r, KL_ERR_NONE, true, NULL, 0);
}

/* ---- reading ------------------------------------------------------------ */

static bool ensure_room(kl_conn_t *conn, size_t need)
{
    if (conn->rcap - conn->rlen >= need)
        return true;
    size_t cap = conn->rcap ? conn->rcap : READ_CHUNK;
    while (cap - conn->rlen < need)
        cap *= 2;
    uint8_t *p = realloc(conn->rbuf, cap);
    if (!p)
        return false;
    conn->rbuf = p;
    conn->rcap = cap;
    return true;
}

static void dispatch(kl_conn_t *conn, const uint8_t *frame, size_t len)
{
    int32_t corr = (int32_t)kl_load_be32(frame);
    conn_req_t *prev = NULL, *r = conn->inflight.head;
    while (r && r->correlation_id != corr) {
        prev = r;
        r = r->next;
    }
    if (!r) {
        kl_conn_close(conn, KL_ERR_TRANSPORT, "response with an unknown correlation id");
        return;
    }
    if (prev)
        prev->next = r->next;
    else
        conn->inflight.head = r->next;
    if (conn->inflight.tail == r)
        conn->inflight.tail = prev;
    conn->inflight.count--;
    complete(conn, r, KL_ERR_NONE, true, frame, len);
}

/* Hands every whole frame in the buffer to its request; keeps the rest. */
static void process_frames(kl_conn_t *conn)
{
    unsigned gen = conn->generation;
    size_t off = 0;
    while (conn->rlen - off >= 4) {
        uint32_t size = kl_load_be32(conn->rbuf + off);
        if (size < 4 || size > conn->cfg.max_frame) {
            char reason[96];
            snprintf(reason, sizeof reason, "response frame of %u bytes (limit %zu)", size,
                     conn->cfg.max_frame);
            kl_conn_close(conn, KL_ERR_TRANSPORT, reason);
            return;
        }
        if (conn->rlen - off - 4 < size)
            break;
        dispatch(conn, conn->rbuf + off + 4, size);
        if (gen != conn->generation)
            return;
        off += 4 + (size_t)size;
    }
    memmove(conn->rbuf, conn->rbuf + off, conn->rlen - off);
    conn->rlen -= off;
    if (conn->rlen >= 4 && !ensure_room(conn, 4 + kl_load_be32(conn->rbuf) - conn->rlen))
        kl_conn_close(conn, KL_ERR_NOMEM, "out of memory for a response");
}

/* Reads into the buffer's free room: the bytes read, 0 when there is
 * nothing to read now, -1 after a failure or the broker's close (the
 * connection is closed). */
static ssize_t read_in(kl_conn_t *conn)
{
    uint8_t *p = conn->rbuf + conn->rlen;
    size_t room = conn->rcap - conn->rlen;
    if (conn->tls) {
        size_t n = 0;
        switch (kl_tls_read(conn->tls, p, room, &n)) {
        case KL_TLS_OK:
            return (ssize_t)n;
        case KL_TLS_WANT_READ:
        case KL_TLS_WANT_WRITE:
            return 0;
        case KL_TLS_CLOSED:
            kl_conn_close(conn, KL_ERR_TRANSPORT, "connection closed by the broker");
            return -1;
        default:
            fail_tls(conn, "TLS read");
            return -1;
        }
    }
    for (;;) {
        ssize_t n = read(conn->fd, p, room);
        if (n > 0)
            return n;
        if (n == 0) {
            kl_conn_close(conn, KL_ERR_TRANSPORT, "connection closed by the broker");
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fail_errno(conn, "read", errno);
            return -1;
        }
        return 0;
    }
}

/* Bytes TLS decrypted but not handed over: no socket event will announce
 * them, so they are read before returning to the loop. */
static bool tls_pending(const kl_conn_t *conn) { return conn->tls && kl_tls_pending(conn->tls) > 0; }

static void read_some(kl_conn_t *conn)
{
    unsigned gen = conn->generation;
    for (int i = 0; gen == conn->generation && (i < MAX_READS_PER_EVENT || tls_pending(conn)); i++) {
        if (!ensure_room(conn, READ_CHUNK / 4)) {
            kl_conn_close(conn, KL_ERR_NOMEM, "out of memory for a response");
            return;
        }
        ssize_t n = read_in(conn);
        if (n <= 0)
            return;
        conn->rlen += (size_t)n;
        process_frames(conn);
    }
}

/* ---- connecting --------------------------------------------------------- */

static void set_state(kl_conn_t *conn, kl_conn_state_t state)
{
    conn->state = state;
    if (conn->state_cb)
        conn->state_cb(conn, state, KL_ERR_NONE, NULL, conn->opaque);
}

/* Runs the TLS handshake as far as the socket allows. */
static void tls_step(kl_conn_t *conn)
{
    uint32_t want = 0;
    switch (kl_tls_handshake(conn->tls)) {
    case KL_TLS_OK: {
        unsigned gen = conn->generation;
        set_state(conn, KL_CONN_HANDSHAKE);
        if (gen == conn->generation)
            pump_writes(conn); /* also sets the socket interest */
        return;
    }
    case KL_TLS_WANT_READ:
        want = KL_IO_READ;
        break;
    case KL_TLS_WANT_WRITE:
        want = KL_IO_WRITE;
        break;
    default:
        fail_tls(conn, "TLS handshake");
        return;
    }
    if (kl_io_start(conn->loop, &conn->io, want) != 0)
        fail_errno(conn, "epoll", errno);
}

static void on_connected(kl_conn_t *conn)
{
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        soerr = errno;
    if (soerr) {
        fail_errno(conn, "TCP connect", soerr);
        return;
    }
    unsigned gen = conn->generation;
    if (conn->cfg.tls) {
        conn->tls = kl_tls_new(conn->cfg.tls, conn->fd, conn->host);
        if (!conn->tls) {
            kl_conn_close(conn, KL_ERR_NOMEM, "TLS handshake: out of memory");
            return;
        }
        set_state(conn, KL_CONN_TLS);
        if (gen == conn->generation)
            tls_step(conn);
        return;
    }
    set_state(conn, KL_CONN_HANDSHAKE);
    if (gen == conn->generation)
        pump_writes(conn);
}

static void on_io(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    (void)loop;
    kl_conn_t *conn = io->opaque;
    if (conn->state == KL_CONN_CONNECTING) {
        on_connected(conn);
        return;
    }
    if (conn->state == KL_CONN_TLS) {
        tls_step(conn);
        return;
    }
    unsigned gen = conn->generation;
    if (events & (KL_IO_READ | KL_IO_ERROR | KL_IO_HUP))
        read_some(conn);
    /* Responses free in-flight slots: queued requests may go now (and a
     * TLS write may have waited for the socket to be readable). */
    if (gen == conn->generation && ((events & KL_IO_WRITE) || conn->queue.head || (conn->tls && conn->outq.head)))
        pump_writes(conn);
}

/* Reports a failure from the loop rather than from inside the caller. */
static void defer_failure(kl_conn_t *conn, const char *what, const char *detail)
{
    snprintf(conn->failure_reason, sizeof conn->failure_reason, "%s: %s", what, detail);
    conn->defer_failure = true;
    kl_timer_start(conn->loop, &conn->setup_timer, 0);
}

static void on_setup_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_conn_t *conn = t->opaque;
    char reason[160];
    if (conn->defer_failure)
        snprintf(reason, sizeof reason, "%s", conn->failure_reason);
    else
        snprintf(reason, sizeof reason, "connection set-up timed out after %lld ms (%s)",
                 (long long)conn->cfg.setup_timeout_ms,
                 conn->state == KL_CONN_CONNECTING ? "in TCP connect"
                 : conn->state == KL_CONN_TLS     ? "in the TLS handshake"
                                                  : "in the handshake: ApiVersions or SASL");
    kl_conn_close(conn, KL_ERR_TRANSPORT, reason);
}

static int open_socket(kl_conn_t *conn, const char **what, int *errnum)
{
    char port[16];
    snprintf(port, sizeof port, "%d", conn->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    /* Blocking resolution on the loop thread: brokers are few and usually
     * named by IP or /etc/hosts; an asynchronous resolver can come later. */
    int gai = getaddrinfo(conn->host, port, &hints, &res);
    if (gai != 0) {
        *what = gai_strerror(gai);
        *errnum = 0;
        return -1;
    }
    unsigned n = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next)
        n++;
    struct addrinfo *a = res;
    for (unsigned i = conn->addr_index++ % n; i > 0; i--)
        a = a->ai_next;
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *what = "socket";
        *errnum = errno;
    } else {
        int nodelay = !conn->cfg.nagle;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            *what = "TCP connect";
            *errnum = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static void start_connect(kl_conn_t *conn)
{
    conn->state = KL_CONN_CONNECTING;
    const char *what = NULL;
    int errnum = 0;
    int fd = open_socket(conn, &what, &errnum);
    if (fd < 0) {
        defer_failure(conn, errnum ? what : "resolve", errnum ? strerror(errnum) : what);
        return;
    }
    conn->fd = fd;
    kl_io_init(&conn->io, fd, on_io, conn);
    if (kl_io_start(conn->loop, &conn->io, KL_IO_WRITE) != 0) {
        defer_failure(conn, "epoll", strerror(errno));
        return;
    }
    kl_timer_start(conn->loop, &conn->setup_timer, conn->cfg.setup_timeout_ms);
    if (conn->state_cb)
        conn->state_cb(conn, KL_CONN_CONNECTING, KL_ERR_NONE, NULL, conn->opaque);
}

static void on_reconnect_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_conn_connect(t->opaque);
}

void kl_conn_connect(kl_conn_t *conn)
{
    if (conn->state != KL_CONN_DOWN || kl_timer_active(&conn->reconnect_timer))
        return;
    int64_t wait = conn->next_connect_ms - kl_clock_ms();
    if (wait > 0)
        kl_timer_start(conn->loop, &conn->reconnect_timer, wait);
    else
        start_connect(conn);
}

void kl_conn_set_ready(kl_conn_t *conn)
{
    if (conn->state != KL_CONN_HANDSHAKE)
        return;
    kl_timer_stop(conn->loop, &conn->setup_timer);
    conn->backoff_ms = 0;
    unsigned gen = conn->generation;
    set_state(conn, KL_CONN_READY);
    if (gen == conn->generation)
        pump_writes(conn);
}

/* ---- requests and their timeouts ---------------------------------------- */

static int64_t earliest_deadline(const req_list_t *lists, int n)
{
    int64_t min = INT64_MAX;
    for (int i = 0; i < n; i++)
        for (const conn_req_t *r = lists[i].head; r; r = r->next)
            if (r->deadline_ms && r->deadline_ms < min)
                min = r->deadline_ms;
    return min;
}

/* Moves the expired requests of l that were never written onto *dead;
 * marks the written ones. True when one was written: the connection must
 * then close, as its byte stream is out of step with what we still expect
 * (and a half-written frame cannot be taken back). */
static bool expire_list(req_list_t *l, int64_t now, req_list_t *dead)
{
    bool close_it = false;
    conn_req_t *prev = NULL, *r = l->head;
    while (r) {
        conn_req_t *next = r->next;
        if (r->deadline_ms && r->deadline_ms <= now) {
            if (r->written > 0) {
                r->timed_out = true;
                close_it = true;
            } else {
                if (prev)
                    prev->next = next;
                else
                    l->head = next;
                if (l->tail == r)
                    l->tail = prev;
                l->count--;
                list_push(dead, r);
                r = next;
                continue;
            }
        }
        prev = r;
        r = next;
    }
    return close_it;
}

static void arm_request_timer(kl_conn_t *conn)
{
    req_list_t lists[4] = {conn->hs_queue, conn->queue, conn->outq, conn->inflight};
    int64_t min = earliest_deadline(lists, 4);
    if (min == INT64_MAX)
        kl_timer_stop(conn->loop, &conn->request_timer);
    else
        kl_timer_start(conn->loop, &conn->request_timer, min - kl_clock_ms());
}

static void on_request_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_conn_t *conn = t->opaque;
    int64_t now = kl_clock_ms();
    req_list_t dead = {0};
    bool close_it = expire_list(&conn->inflight, now, &dead);
    close_it |= expire_list(&conn->outq, now, &dead);
    expire_list(&conn->hs_queue, now, &dead);
    expire_list(&conn->queue, now, &dead);
    unsigned gen = conn->generation;
    conn_req_t *r;
    while ((r = list_pop(&dead)))
        complete(conn, r, KL_ERR_TIMED_OUT, false, NULL, 0);
    if (gen != conn->generation)
        return;
    if (close_it)
        kl_conn_close(conn, KL_ERR_TRANSPORT, "request timed out");
    else
        arm_request_timer(conn);
}

void kl_conn_send(kl_conn_t *conn, uint8_t *frame, size_t len, int32_t correlation_id, unsigned flags,
                  int64_t timeout_ms, kl_conn_response_cb *cb, void *arg)
{
    conn_req_t *r = calloc(1, sizeof *r);
    if (!r) {
        free(frame);
        cb(conn, KL_ERR_NOMEM, false, NULL, 0, arg);
        return;
    }
    r->frame = frame;
    r->len = len;
    r->correlation_id = correlation_id;
    r->flags = flags;
    r->deadline_ms = timeout_ms > 0 ? kl_clock_ms() + timeout_ms : 0;
    r->cb = cb;
    r->arg = arg;
    list_push(flags & KL_CONN_F_HANDSHAKE ? &conn->hs_queue : &conn->queue, r);
    if (r->deadline_ms &&
        (!kl_timer_active(&conn->request_timer) || r->deadline_ms < conn->request_timer.due_ms))
        kl_timer_start(conn->loop, &conn->request_timer, timeout_ms);
    if (conn->state == KL_CONN_DOWN)
        kl_conn_connect(conn);
    else if (conn->state >= KL_CONN_HANDSHAKE)
        pump_writes(conn);
}

/* ---- life cycle and accessors ------------------------------------------- */

kl_conn_t *kl_conn_new(kl_loop_t *loop, const char *host, int port, const kl_conn_config_t *config,
                       kl_conn_state_cb *state_cb, void *opaque)
{
    kl_conn_t *conn = calloc(1, sizeof *conn);
    if (!conn)
        return NULL;
    conn->loop = loop;
    conn->cfg = *config;
    if (conn->cfg.max_in_flight < 1)
        conn->cfg.max_in_flight = 1;
    conn->state_cb = state_cb;
    conn->opaque = opaque;
    conn->fd = -1;
    conn->state = KL_CONN_DOWN;
    conn->rand_state = ((uint64_t)(uintptr_t)conn ^ (uint64_t)kl_clock_ms() * 0x9e3779b97f4a7c15ull) | 1;
    kl_timer_init(&conn->setup_timer, on_setup_timer, conn);
    kl_timer_init(&conn->reconnect_timer, on_reconnect_timer, conn);
    kl_timer_init(&conn->request_timer, on_request_timer, conn);
    kl_conn_set_address(conn, host, port);
    if (!conn->host) {
        free(conn);
        return NULL;
    }
    return conn;
}

void kl_conn_set_address(kl_conn_t *conn, const char *host, int port)
{
    if (conn->host && strcmp(conn->host, host) == 0 && conn->port == port)
        return;
    char *h = dup_str(host);
    size_t n = strlen(host) + 16;
    char *name = malloc(n);
    if (!h || !name) {
        free(h);
        free(name);
        return;
    }
    snprintf(name, n, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    free(conn->host);
    free(conn->name);
    conn->host = h;
    conn->name = name;
    conn->port = port;
    if (conn->state != KL_CONN_DOWN)
        kl_conn_close(conn, KL_ERR_TRANSPORT, "broker address changed");
}

void kl_conn_destroy(kl_conn_t *conn)
{
    if (!conn)
        return;
    do_close(conn, KL_ERR_DESTROY, "destroyed", false);
    kl_timer_stop(conn->loop, &conn->reconnect_timer);
    free(conn->rbuf);
    free(conn->host);
    free(conn->name);
    free(conn);
}

int32_t kl_conn_next_correlation_id(kl_conn_t *conn)
{
    conn->next_correlation_id = (conn->next_correlation_id + 1) & INT32_MAX;
    return conn->next_correlation_id;
}

kl_conn_state_t kl_conn_state(const kl_conn_t *conn) { return conn->state; }

size_t kl_conn_outstanding(const kl_conn_t *conn)
{
    return conn->hs_queue.count + conn->queue.count + conn->outq.count + conn->inflight.count;
}

bool kl_conn_can_send(const kl_conn_t *conn)
{
    return conn->state == KL_CONN_READY &&
           conn->queue.count + busy(conn) < (size_t)conn->cfg.max_in_flight;
}

static size_t list_unwritten(const req_list_t *l)
{
    size_t n = 0;
    for (const conn_req_t *r = l->head; r; r = r->next)
        n += r->len - r->written;
    return n;
}

size_t kl_conn_unwritten(const kl_conn_t *conn)
{
    return list_unwritten(&conn->hs_queue) + list_unwritten(&conn->queue) + list_unwritten(&conn->outq);
}

const char *kl_conn_name(const kl_conn_t *conn) { return conn->name; }
void *kl_conn_opaque(const kl_conn_t *conn) { return conn->opaque; }
