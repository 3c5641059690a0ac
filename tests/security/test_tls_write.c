/* kl_tls_write: several records leave in one call (one send(2)), and what
 * a full socket did not take is sent first by the next call, in order,
 * whatever the sizes of the writes and reads. A client and a server
 * session on the two ends of a non-blocking socket pair, driven in turn
 * by one thread. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "net/tls.h"
#include "security/tls_certs.h"
#include "test_skip.h"
#include "util/clock.h"

#define DEADLINE_MS 30000

typedef struct {
    tls_certs_t certs;
    kl_tls_ctx_t *client_ctx, *server_ctx;
    kl_tls_t *client, *server;
    int fds[2];
} pair_t;

static void pair_open(pair_t *p, int sndbuf)
{
    char err[256];
    tls_certs_make(&p->certs);
    kl_tls_config_t server = {.server = true, .cert_location = p->certs.good, .key_location = p->certs.key};
    kl_tls_config_t client = {.ca_location = p->certs.ca, .verify_certificate = true, .verify_hostname = true};
    p->server_ctx = kl_tls_ctx_new(&server, err, sizeof err);
    ck_assert_msg(p->server_ctx, "%s", err);
    p->client_ctx = kl_tls_ctx_new(&client, err, sizeof err);
    ck_assert_msg(p->client_ctx, "%s", err);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->fds), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(fcntl(p->fds[i], F_SETFL, O_NONBLOCK), 0);
    if (sndbuf)
        ck_assert_int_eq(setsockopt(p->fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
    p->client = kl_tls_new(p->client_ctx, p->fds[0], "localhost");
    p->server = kl_tls_new(p->server_ctx, p->fds[1], NULL);
    ck_assert(p->client && p->server);
    kl_tls_status_t c = KL_TLS_WANT_WRITE, s = KL_TLS_WANT_READ;
    int64_t deadline = kl_clock_ms() + DEADLINE_MS;
    while (c != KL_TLS_OK || s != KL_TLS_OK) {
        ck_assert_msg(kl_clock_ms() < deadline, "handshake did not finish");
        if (c != KL_TLS_OK)
            c = kl_tls_handshake(p->client);
        if (s != KL_TLS_OK)
            s = kl_tls_handshake(p->server);
        ck_assert_msg(c != KL_TLS_FAILED && s != KL_TLS_FAILED, "handshake: %s / %s", kl_tls_reason(p->client),
                      kl_tls_reason(p->server));
    }
}

static void pair_close(pair_t *p)
{
    kl_tls_free(p->client);
    kl_tls_free(p->server);
    close(p->fds[0]);
    close(p->fds[1]);
    kl_tls_ctx_destroy(p->client_ctx);
    kl_tls_ctx_destroy(p->server_ctx);
    tls_certs_remove(&p->certs);
}

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + i / 251); }

/* Reads up to max bytes on the server, checking them against the pattern
 * from *at on; the bytes read. */
static size_t read_check(pair_t *p, size_t *at, size_t max)
{
    uint8_t buf[40000];
    size_t got = 0, n = 0;
    while (got < max) {
        size_t want = max - got < sizeof buf ? max - got : sizeof buf;
        kl_tls_status_t st = kl_tls_read(p->server, buf, want, &n);
        if (st == KL_TLS_WANT_READ)
            break;
        ck_assert_msg(st == KL_TLS_OK, "read: %s", kl_tls_reason(p->server));
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(buf[i] == pattern(*at + i), "byte %zu differs", *at + i);
        *at += n;
        got += n;
    }
    return got;
}

/* One call takes several 16 KB records (it took one before). */
START_TEST(test_one_call_writes_several_records)
{
    pair_t p;
    pair_open(&p, 0);
    size_t len = 256 * 1024, n = 0, at = 0;
    uint8_t *buf = malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern(i);
    ck_assert_int_eq(kl_tls_write(p.client, buf, len, &n), KL_TLS_OK);
    ck_assert_msg(n > 2 * 16384 && n < len, "one call wrote %zu bytes", n);
    /* the rest, and everything arrives */
    size_t done = n;
    int64_t deadline = kl_clock_ms() + DEADLINE_MS;
    while (at < len) {
        ck_assert(kl_clock_ms() < deadline);
        if (done < len) {
            kl_tls_status_t st = kl_tls_write(p.client, buf + done, len - done, &n);
            ck_assert_msg(st == KL_TLS_OK || st == KL_TLS_WANT_WRITE, "write: %s", kl_tls_reason(p.client));
            done += st == KL_TLS_OK ? n : 0;
        }
        read_check(&p, &at, len);
    }
    free(buf);
    pair_close(&p);
}
END_TEST

/* Frames of many sizes through a small socket buffer read slowly: the
 * writes meet a full socket in the middle of a batch and of a record, and
 * every byte still arrives once, in order. */
START_TEST(test_full_socket_keeps_order)
{
    pair_t p;
    pair_open(&p, 8192);
    static const size_t frames[] = {300000, 1, 16384, 16385, 70000, 5, 131072, 131073, 200000, 999};
    size_t total = 0;
    for (size_t f = 0; f < sizeof frames / sizeof frames[0]; f++)
        total += frames[f];
    uint8_t *buf = malloc(total);
    for (size_t i = 0; i < total; i++)
        buf[i] = pattern(i);
    size_t done = 0, at = 0, frame_end = 0, f = 0, stalls = 0;
    int64_t deadline = kl_clock_ms() + DEADLINE_MS;
    while (at < total) {
        ck_assert_msg(kl_clock_ms() < deadline, "%zu of %zu bytes arrived", at, total);
        if (done == frame_end && f < sizeof frames / sizeof frames[0])
            frame_end += frames[f++];
        kl_tls_status_t st = KL_TLS_WANT_WRITE;
        size_t n = 0;
        if (done < frame_end)
            st = kl_tls_write(p.client, buf + done, frame_end - done, &n);
        ck_assert_msg(st == KL_TLS_OK || st == KL_TLS_WANT_WRITE, "write: %s", kl_tls_reason(p.client));
        if (st == KL_TLS_OK) {
            ck_assert(n > 0 && n <= frame_end - done);
            done += n;
            continue;
        }
        stalls++;
        read_check(&p, &at, 3000 + stalls % 20000); /* a slow reader, in odd steps */
    }
    ck_assert_uint_eq(done, total);
    ck_assert_msg(stalls > 10, "the socket was full only %zu times", stalls);
    free(buf);
    pair_close(&p);
}
END_TEST

int main(void)
{
#ifndef WITH_SSL
    kl_test_skip_all("TLS needs OpenSSL (configure found no libssl-dev)");
#endif
    Suite *s = suite_create("tls_write");
    TCase *tc = tcase_create("tls_write");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_call_writes_several_records);
    tcase_add_test(tc, test_full_socket_keeps_order);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
