/* Unit tests for lib/net/conn: a toy server on the same loop answers
 * frames ([size][correlation id][payload]) by echoing, stays silent, closes,
 * sends an oversized frame or never accepts, and the tests check matching,
 * the handshake gate, max in flight, timeouts, disconnects and back-off. */
#include <check.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn.h"
#include "util/buf.h"
#include "test_timing.h"

#define RUN_UNTIL(loop, cond, ms)                                      \
    do {                                                               \
        int64_t until_ = kl_clock_ms() + (ms);                         \
        while (!(cond) && kl_clock_ms() < until_)                      \
            kl_loop_run_once((loop), 10);                              \
    } while (0)

/* ------------------------------------------------------------ toy server */

typedef enum { SRV_ECHO, SRV_SILENT, SRV_CLOSE_AFTER, SRV_HUGE_FRAME } srv_mode_t;

typedef struct server {
    kl_loop_t *loop;
    int lfd, cfd, port;
    kl_io_t lio, cio;
    uint8_t buf[1 << 16];
    size_t len;
    srv_mode_t mode;
    int close_after;
    int seen;          /* request frames read */
    int32_t first_corr; /* correlation id of the first request read */
} server_t;

static void srv_answer(server_t *s, const uint8_t *frame, uint32_t size)
{
    uint8_t out[4 + 4096];
    if (s->mode == SRV_HUGE_FRAME) {
        kl_store_be32(out, 1u << 30);
        memcpy(out + 4, frame, 4); /* the request's correlation id */
        ck_assert_int_eq(write(s->cfd, out, 8), 8);
        return;
    }
    ck_assert_uint_le(size, 4096);
    kl_store_be32(out, size);
    memcpy(out + 4, frame, size);
    ck_assert_int_eq(write(s->cfd, out, 4 + size), (ssize_t)(4 + size));
}

static void srv_close_client(server_t *s)
{
    kl_io_stop(s->loop, &s->cio);
    close(s->cfd);
    s->cfd = -1;
}

static void srv_on_client(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    (void)loop;
    (void)events;
    server_t *s = io->opaque;
    ssize_t n = read(s->cfd, s->buf + s->len, sizeof s->buf - s->len);
    if (n <= 0) {
        srv_close_client(s);
        return;
    }
    s->len += (size_t)n;
    size_t off = 0;
    while (s->len - off >= 4 && s->len - off - 4 >= kl_load_be32(s->buf + off)) {
        uint32_t size = kl_load_be32(s->buf + off);
        if (s->seen++ == 0)
            s->first_corr = (int32_t)kl_load_be32(s->buf + off + 4);
        if (s->mode == SRV_ECHO || s->mode == SRV_HUGE_FRAME)
            srv_answer(s, s->buf + off + 4, size);
        off += 4 + size;
        if (s->mode == SRV_CLOSE_AFTER && s->seen == s->close_after) {
            srv_close_client(s);
            return;
        }
    }
    memmove(s->buf, s->buf + off, s->len - off);
    s->len -= off;
}

static void srv_on_accept(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    (void)events;
    server_t *s = io->opaque;
    int fd = accept(s->lfd, NULL, NULL);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_lt(s->cfd, 0); /* one client at a time */
    s->cfd = fd;
    s->len = 0;
    kl_io_init(&s->cio, fd, srv_on_client, s);
    ck_assert_int_eq(kl_io_start(loop, &s->cio, KL_IO_READ), 0);
}

/* Listens on a loopback port the OS picks; accepts only when asked. */
static void srv_start(server_t *s, kl_loop_t *loop, srv_mode_t mode, bool accept_clients)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
    s->mode = mode;
    s->cfd = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(s->lfd, 8), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&sa, &sl), 0);
    s->port = ntohs(sa.sin_port);
    kl_io_init(&s->lio, s->lfd, srv_on_accept, s);
    if (accept_clients)
        ck_assert_int_eq(kl_io_start(loop, &s->lio, KL_IO_READ), 0);
}

static void srv_stop(server_t *s)
{
    if (s->cfd >= 0)
        srv_close_client(s);
    kl_io_stop(s->loop, &s->lio);
    close(s->lfd);
}

/* A port nothing listens on: bound, then closed. */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

/* ------------------------------------------------------------ the client */

#define MAXREQ 256

typedef struct result {
    int done;
    kl_err_t err;
    bool sent;
    char payload[32];
} result_t;

typedef struct client {
    kl_conn_t *conn;
    result_t res[MAXREQ];
    int completed;
    int order[MAXREQ]; /* request index in completion order */
    kl_conn_state_t states[64];
    int64_t state_ms[64];
    int nstates;
    kl_err_t down_err;
    bool ready_on_handshake;
    bool reconnect_on_down;
} client_t;

static void on_state(kl_conn_t *conn, kl_conn_state_t state, kl_err_t err, const char *reason, void *opaque)
{
    client_t *c = opaque;
    (void)reason;
    if (c->nstates < 64) {
        c->state_ms[c->nstates] = kl_clock_ms();
        c->states[c->nstates++] = state;
    }
    if (state == KL_CONN_DOWN)
        c->down_err = err;
    if (state == KL_CONN_HANDSHAKE && c->ready_on_handshake)
        kl_conn_set_ready(conn);
    if (state == KL_CONN_DOWN && c->reconnect_on_down)
        kl_conn_connect(conn);
}

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    result_t *r = arg;
    ck_assert_int_eq(r->done, 0); /* exactly one completion */
    r->done = 1;
    r->err = err;
    r->sent = sent;
    if (frame && len > 4) {
        ck_assert_uint_lt(len - 4, sizeof r->payload);
        memcpy(r->payload, frame + 4, len - 4);
    }
}

static void send_req(client_t *c, int i, unsigned flags, int64_t timeout_ms)
{
    char payload[32];
    int n = snprintf(payload, sizeof payload, "request %d", i);
    kl_buf_t b;
    kl_buf_init(&b, 0);
    int32_t corr = kl_conn_next_correlation_id(c->conn);
    kl_buf_put_i32(&b, 4 + n);
    kl_buf_put_i32(&b, corr);
    kl_buf_put(&b, payload, (size_t)n);
    size_t len;
    uint8_t *frame = kl_buf_steal(&b, &len);
    kl_conn_send(c->conn, frame, len, corr, flags, timeout_ms, on_response, &c->res[i]);
}

static int count_done(const client_t *c, int n)
{
    int done = 0;
    for (int i = 0; i < n; i++)
        done += c->res[i].done;
    return done;
}

static int count_state(const client_t *c, kl_conn_state_t state)
{
    int n = 0;
    for (int i = 0; i < c->nstates; i++)
        n += c->states[i] == state;
    return n;
}

static kl_conn_config_t config(int max_in_flight)
{
    kl_conn_config_t cfg = {
        .setup_timeout_ms = 2000,
        .backoff_ms = 20,
        .backoff_max_ms = 80,
        .max_frame = 1 << 20,
        .max_in_flight = max_in_flight,
    };
    return cfg;
}

static void client_init(client_t *c, kl_loop_t *loop, int port, const kl_conn_config_t *cfg)
{
    memset(c, 0, sizeof *c);
    c->conn = kl_conn_new(loop, "127.0.0.1", port, cfg, on_state, c);
    ck_assert_ptr_nonnull(c->conn);
}

/* ------------------------------------------------------------ tests */

START_TEST(test_requests_match_and_wait_for_handshake)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_ECHO, true);
    client_t c;
    kl_conn_config_t cfg = config(5);
    client_init(&c, loop, s.port, &cfg);
    /* 100 ordinary requests queued first, then the handshake request: the
     * handshake must still be the first the server reads. */
    for (int i = 1; i <= 100; i++)
        send_req(&c, i, 0, 5000);
    send_req(&c, 0, KL_CONN_F_HANDSHAKE, 5000);
    RUN_UNTIL(loop, c.res[0].done, 5000);
    ck_assert_int_eq(c.res[0].err, KL_ERR_NONE);
    ck_assert_int_eq(count_done(&c, 101), 1); /* nothing else before ready */
    ck_assert_int_eq(s.first_corr, 101);       /* the handshake's id */
    ck_assert_int_le(kl_conn_outstanding(c.conn), 100);
    kl_conn_set_ready(c.conn);
    RUN_UNTIL(loop, count_done(&c, 101) == 101, 5000);
    for (int i = 0; i <= 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "request %d", i);
        ck_assert_int_eq(c.res[i].err, KL_ERR_NONE);
        ck_assert_str_eq(c.res[i].payload, want);
    }
    ck_assert_int_eq(kl_conn_state(c.conn), KL_CONN_READY);
    ck_assert_int_eq(kl_conn_outstanding(c.conn), 0);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_disconnect_fails_every_request)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_CLOSE_AFTER, true);
    s.close_after = 3;
    client_t c;
    kl_conn_config_t cfg = config(3);
    client_init(&c, loop, s.port, &cfg);
    c.ready_on_handshake = true;
    for (int i = 0; i < 10; i++)
        send_req(&c, i, 0, 5000);
    RUN_UNTIL(loop, count_done(&c, 10) == 10, 5000);
    int sent = 0;
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(c.res[i].err, KL_ERR_TRANSPORT);
        sent += c.res[i].sent;
    }
    ck_assert_int_eq(sent, 3); /* max in flight: the other 7 never left */
    ck_assert_int_eq(kl_conn_state(c.conn), KL_CONN_DOWN);
    ck_assert_int_eq(c.down_err, KL_ERR_TRANSPORT);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_request_timeout_closes)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_SILENT, true);
    client_t c;
    kl_conn_config_t cfg = config(1);
    client_init(&c, loop, s.port, &cfg);
    c.ready_on_handshake = true;
    int64_t start = kl_clock_ms();
    send_req(&c, 0, 0, 100);
    send_req(&c, 1, 0, 20000); /* waits behind max in flight 1 */
    RUN_UNTIL(loop, count_done(&c, 2) == 2, 20000);
    int64_t took = kl_clock_ms() - start;
    ck_assert_int_eq(c.res[0].err, KL_ERR_TIMED_OUT);
    ck_assert(c.res[0].sent);
    ck_assert_int_eq(c.res[1].err, KL_ERR_TRANSPORT);
    ck_assert(!c.res[1].sent);
    ck_assert_int_ge(took, 100);
    /* the 100 ms timer, not the other request's 20 s */
    ck_assert_int_lt(took, KL_TEST_SLACK_MS(1000));
    ck_assert_int_eq(kl_conn_state(c.conn), KL_CONN_DOWN);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

/* kl_conn_unwritten() counts every queued frame's bytes until the socket
 * took them. */
START_TEST(test_unwritten_counts_queued_frames)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_ECHO, true);
    client_t c;
    kl_conn_config_t cfg = config(5);
    client_init(&c, loop, s.port, &cfg);
    c.ready_on_handshake = true;
    ck_assert_uint_eq(kl_conn_unwritten(c.conn), 0);
    size_t want = 0;
    for (int i = 0; i < 20; i++) {
        send_req(&c, i, 0, 5000);
        want += 8 + (size_t)snprintf(NULL, 0, "request %d", i);
        ck_assert_uint_eq(kl_conn_unwritten(c.conn), want); /* not connected yet */
    }
    RUN_UNTIL(loop, count_done(&c, 20) == 20, 5000);
    ck_assert_uint_eq(kl_conn_unwritten(c.conn), 0);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_no_response_request_completes_when_written)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_SILENT, true);
    client_t c;
    kl_conn_config_t cfg = config(1);
    client_init(&c, loop, s.port, &cfg);
    c.ready_on_handshake = true;
    for (int i = 0; i < 5; i++)
        send_req(&c, i, KL_CONN_F_NO_RESPONSE, 5000);
    RUN_UNTIL(loop, count_done(&c, 5) == 5 && s.seen == 5, 5000);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(c.res[i].err, KL_ERR_NONE);
        ck_assert(c.res[i].sent);
    }
    ck_assert_int_eq(s.seen, 5);
    ck_assert_int_eq(kl_conn_outstanding(c.conn), 0);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_refused_connect_backs_off)
{
    kl_loop_t *loop = kl_loop_new();
    client_t c;
    kl_conn_config_t cfg = config(1);
    client_init(&c, loop, dead_port(), &cfg);
    c.reconnect_on_down = true;
    send_req(&c, 0, 0, 5000);
    /* connect attempts with back-off 20, 40, 80, 80 ms (+-20%) */
    RUN_UNTIL(loop, count_state(&c, KL_CONN_CONNECTING) >= 5, 5000);
    ck_assert_int_ge(count_state(&c, KL_CONN_CONNECTING), 5);
    ck_assert_int_eq(c.res[0].err, KL_ERR_TRANSPORT);
    ck_assert(!c.res[0].sent);
    const int64_t want[] = {20, 40, 80, 80};
    int k = 0;
    int64_t last_down = 0;
    for (int i = 0; i < c.nstates && k < 4; i++) {
        if (c.states[i] == KL_CONN_DOWN)
            last_down = c.state_ms[i];
        else if (c.states[i] == KL_CONN_CONNECTING && last_down) {
            int64_t gap = c.state_ms[i] - last_down;
            ck_assert_msg(gap >= want[k] * 4 / 5 - 1 && gap <= want[k] * 6 / 5 + 50,
                          "back-off %d: %lld ms, want about %lld", k, (long long)gap, (long long)want[k]);
            k++;
        }
    }
    ck_assert_int_eq(k, 4);
    ck_assert_int_eq(c.down_err, KL_ERR_TRANSPORT);
    kl_conn_destroy(c.conn);
    kl_loop_destroy(loop);
}
END_TEST

/* The TCP_NODELAY of this process's socket connected to port; -1 if none. */
static int nodelay_of_socket_to(int port)
{
    for (int fd = 3; fd < 1024; fd++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET ||
            ntohs(peer.sin_port) != port)
            continue;
        int v = -1;
        len = sizeof v;
        ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
        return v != 0;
    }
    return -1;
}

/* Nagle's algorithm is off (TCP_NODELAY) unless the config keeps it
 * (socket.nagle.disable=false); _i is cfg.nagle. */
START_TEST(test_nagle_setting)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_ECHO, true);
    client_t c;
    kl_conn_config_t cfg = config(1);
    cfg.nagle = _i;
    client_init(&c, loop, s.port, &cfg);
    send_req(&c, 0, KL_CONN_F_HANDSHAKE, 5000);
    RUN_UNTIL(loop, c.res[0].done, 5000);
    ck_assert_int_eq(c.res[0].err, KL_ERR_NONE);
    ck_assert_int_eq(nodelay_of_socket_to(s.port), !cfg.nagle);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_setup_timeout)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_SILENT, false); /* the kernel completes TCP; nobody answers */
    client_t c;
    kl_conn_config_t cfg = config(1);
    cfg.setup_timeout_ms = 100;
    client_init(&c, loop, s.port, &cfg);
    send_req(&c, 0, 0, 20000);
    int64_t start = kl_clock_ms();
    RUN_UNTIL(loop, c.res[0].done, 20000);
    ck_assert_int_eq(c.res[0].err, KL_ERR_TRANSPORT);
    int64_t took = kl_clock_ms() - start;
    ck_assert_int_ge(took, 100);
    /* the 100 ms setup timer, not the request's 20 s */
    ck_assert_int_lt(took, KL_TEST_SLACK_MS(1000));
    ck_assert_int_eq(kl_conn_state(c.conn), KL_CONN_DOWN);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_oversized_response_closes)
{
    kl_loop_t *loop = kl_loop_new();
    server_t s;
    srv_start(&s, loop, SRV_HUGE_FRAME, true);
    client_t c;
    kl_conn_config_t cfg = config(1);
    client_init(&c, loop, s.port, &cfg);
    c.ready_on_handshake = true;
    send_req(&c, 0, 0, 5000);
    RUN_UNTIL(loop, c.res[0].done, 5000);
    ck_assert_int_eq(c.res[0].err, KL_ERR_TRANSPORT);
    ck_assert(c.res[0].sent);
    ck_assert_int_eq(kl_conn_state(c.conn), KL_CONN_DOWN);
    kl_conn_destroy(c.conn);
    srv_stop(&s);
    kl_loop_destroy(loop);
}
END_TEST

START_TEST(test_destroy_fails_queued)
{
    kl_loop_t *loop = kl_loop_new();
    client_t c;
    kl_conn_config_t cfg = config(1);
    client_init(&c, loop, dead_port(), &cfg);
    send_req(&c, 0, 0, 5000);
    kl_conn_destroy(c.conn);
    ck_assert_int_eq(c.res[0].done, 1);
    ck_assert_int_eq(c.res[0].err, KL_ERR_DESTROY);
    kl_loop_destroy(loop);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conn");
    TCase *tc = tcase_create("conn");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_requests_match_and_wait_for_handshake);
    tcase_add_test(tc, test_disconnect_fails_every_request);
    tcase_add_test(tc, test_request_timeout_closes);
    tcase_add_test(tc, test_no_response_request_completes_when_written);
    tcase_add_test(tc, test_unwritten_counts_queued_frames);
    tcase_add_test(tc, test_refused_connect_backs_off);
    tcase_add_test(tc, test_setup_timeout);
    tcase_add_loop_test(tc, test_nagle_setting, 0, 2);
    tcase_add_test(tc, test_oversized_response_closes);
    tcase_add_test(tc, test_destroy_fails_queued);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
