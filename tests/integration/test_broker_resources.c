/* The broker under resource exhaustion, watched from outside (the broker
 * runs in a child process: child_broker.h): out of descriptors it stays
 * up without spinning or flooding its log, keeps its log dir online and
 * serves again once descriptors free; clients that feed partial frames or
 * do not read their answers hold bounded memory; tiny segments are
 * refused. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "broker/log_limit.h"
#include "broker_wire.h"
#include "child_broker.h"
#include "proto/api.h"
#include "test_timing.h"

/* Deadlines of conditions, not timings: room for sanitizer builds. */
#define DEADLINE_MS KL_TEST_SLACK_MS(30000)
/* Memory bounds are checked on the plain build: under AddressSanitizer
 * freed blocks wait in its quarantine (256 MiB by default) and every
 * allocation has shadow memory, so RSS says little there. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_SLACK_MIB 512
#else
#define RSS_SLACK_MIB 0
#endif
/* A test this short spans at most two of the log limiter's windows. */
#define LOG_LINES_BOUND (2 * BROKER_LOG_LIMIT_BURST)

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A non-blocking TCP connection to bootstrap ("127.0.0.1:port") started
 * (it may sit in the listener's backlog); rcvbuf > 0 sets SO_RCVBUF. */
static int raw_connect(const char *bootstrap, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(strchr(bootstrap, ':') + 1)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    ck_assert_msg(rc == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
    return fd;
}

/* Whether the broker has closed fd (EOF or reset); reads nothing else. */
static bool closed_by_peer(int fd)
{
    uint8_t b[256];
    ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---------------------------------------------------------- descriptors */

#define FD_LIMIT 96
#define FD_FLOOD (FD_LIMIT + 40)
#define BIG_RECORD 700000 /* two of them pass 1 MiB: the second rolls */

START_TEST(test_out_of_descriptors)
{
    static const char *const props[] = {"num.network.threads", "1", "num.io.threads", "1",
                                        "offsets.topic.num.partitions", "1", NULL};
    child_broker_t cb;
    child_broker_start(&cb, FD_LIMIT, props);
    wire_client_t wc;
    ck_assert_int_eq(wire_connect(&wc, cb.bootstrap), 0);
    ck_assert_int_eq(create_topic(&wc, "t", 1, 1, "segment.bytes", "1048576", false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "other", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(produce(&wc, "t", 0, 0, 1, BIG_RECORD, NULL), 0);
    ck_assert_int_lt(child_broker_fds(&cb), FD_LIMIT - 8);

    /* more connections than descriptors are left: the broker takes what
     * it can, then the rest wait in the backlog */
    int socks[FD_FLOOD];
    for (int i = 0; i < FD_FLOOD; i++)
        socks[i] = raw_connect(cb.bootstrap, 0);
    long long deadline = fixture_now_ms() + DEADLINE_MS;
    while (child_broker_fds(&cb) < FD_LIMIT && fixture_now_ms() < deadline)
        pause_ms(20);
    ck_assert_int_ge(child_broker_fds(&cb), FD_LIMIT);

    /* at the limit it rests: CPU time over a window of wall time stays
     * low (a spinning accept loop takes a whole core), and the log does
     * not fill with the same line. The window is a measurement, not a
     * wait for a condition. */
    long long cpu0 = child_broker_cpu_ms(&cb);
    pause_ms(2000);
    long long cpu = child_broker_cpu_ms(&cb) - cpu0;
    ck_assert_msg(cpu < 400, "the broker used %lld ms of CPU in 2 s at its descriptor limit", cpu);

    /* an append that needs a new segment cannot have one: a retriable
     * error, and the log dir stays online */
    ck_assert_int_eq(produce(&wc, "t", 0, 1, 1, BIG_RECORD, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    /* and a new partition is refused, its leftovers removed */
    ck_assert_int_eq(create_topic(&wc, "new", 1, 1, NULL, NULL, false, NULL), KL_ERR_KAFKA_STORAGE_ERROR);

    /* descriptors free again: the same append goes through, the other
     * partition of the dir is served, and new clients are accepted */
    for (int i = 0; i < FD_FLOOD; i++)
        close(socks[i]);
    int16_t err;
    deadline = fixture_now_ms() + DEADLINE_MS;
    while ((err = produce(&wc, "t", 0, 1, 1, BIG_RECORD, NULL)) != 0 && fixture_now_ms() < deadline)
        pause_ms(50);
    ck_assert_int_eq(err, 0);
    ck_assert_int_eq(produce(&wc, "other", 0, 0, 1, 10, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "new", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(produce(&wc, "new", 0, 0, 1, 10, NULL), 0);
    wire_client_t late;
    ck_assert_int_eq(wire_connect(&late, cb.bootstrap), 0);
    ck_assert(wire_ping(&late));
    wire_close(&late);
    wire_close(&wc);

    ck_assert_int_ge(child_broker_log_count(&cb, "Too many open files"), 1);
    ck_assert_int_eq(child_broker_log_count(&cb, "is offline"), 0);
    int lines = child_broker_log_count(&cb, NULL);
    ck_assert_msg(lines < 40, "%d log lines at the descriptor limit", lines);
    child_broker_stop(&cb);
}
END_TEST

/* -------------------------------------------------------------- memory */

#define PARTIAL_CONNS 100

/* Clients feeding request frames byte by byte (each byte resets the idle
 * timer) are closed once a frame is socket.request.read.timeout.ms old. */
START_TEST(test_partial_frames_closed)
{
    static const char *const props[] = {"socket.request.read.timeout.ms", "1000", NULL};
    child_broker_t cb;
    child_broker_start(&cb, 0, props);
    int socks[PARTIAL_CONNS];
    bool closed[PARTIAL_CONNS] = {false};
    for (int i = 0; i < PARTIAL_CONNS; i++)
        socks[i] = raw_connect(cb.bootstrap, 0);
    uint8_t frame[4];
    put_be32(frame, 1000000); /* a 1 MB request, announced and never sent */
    int open_conns = PARTIAL_CONNS;
    long long deadline = fixture_now_ms() + DEADLINE_MS;
    for (int byte = 0; open_conns > 0 && fixture_now_ms() < deadline; byte++) {
        for (int i = 0; i < PARTIAL_CONNS; i++) {
            if (closed[i])
                continue;
            uint8_t b = byte < 4 ? frame[byte] : 0;
            if (closed_by_peer(socks[i]) || send(socks[i], &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                closed[i] = true;
                open_conns--;
            }
        }
        pause_ms(50);
    }
    ck_assert_msg(open_conns == 0, "%d connections feeding a partial frame are still open", open_conns);
    for (int i = 0; i < PARTIAL_CONNS; i++)
        close(socks[i]);
    wire_client_t wc;
    ck_assert_int_eq(wire_connect(&wc, cb.bootstrap), 0);
    ck_assert(wire_ping(&wc));
    wire_close(&wc);
    /* one line per closed connection would be 100: rate limited */
    ck_assert_int_le(child_broker_log_count(&cb, "still incomplete"), LOG_LINES_BOUND);
    child_broker_stop(&cb);
}
END_TEST

#define POOL_CONNS 30
#define POOL_FRAME (4u << 20)
#define POOL_SENT (3u << 20)

/* Clients sending big requests they do not finish hold at most about
 * queued.max.request.bytes between them (plus one frame per network
 * thread), not each its own frame. */
START_TEST(test_request_pool_bounds_memory)
{
    static const char *const props[] = {"queued.max.request.bytes", "8388608", "socket.request.read.timeout.ms",
                                        "3000", NULL};
    child_broker_t cb;
    child_broker_start(&cb, 0, props);
    long long rss0 = child_broker_mem_kib(&cb, "VmRSS");
    int socks[POOL_CONNS];
    size_t sent[POOL_CONNS] = {0};
    uint8_t *chunk = calloc(1, 65536);
    ck_assert_ptr_nonnull(chunk);
    for (int i = 0; i < POOL_CONNS; i++)
        socks[i] = raw_connect(cb.bootstrap, 0);
    /* each announces a 4 MiB request and sends 3 MiB of it, as far as the
     * broker reads: the ones it does not admit fill their socket buffers */
    long long until = fixture_now_ms() + 2000;
    while (fixture_now_ms() < until) {
        for (int i = 0; i < POOL_CONNS; i++) {
            if (sent[i] == 0) {
                put_be32(chunk, POOL_FRAME - 4);
                if (send(socks[i], chunk, 4, MSG_NOSIGNAL | MSG_DONTWAIT) == 4)
                    sent[i] = 4;
                memset(chunk, 0, 4);
                continue;
            }
            size_t want = POOL_SENT - sent[i] < 65536 ? POOL_SENT - sent[i] : 65536;
            ssize_t n = want ? send(socks[i], chunk, want, MSG_NOSIGNAL | MSG_DONTWAIT) : 0;
            if (n > 0)
                sent[i] += (size_t)n;
        }
        pause_ms(5);
    }
    long long grew_mib = (child_broker_mem_kib(&cb, "VmHWM") - rss0) / 1024;
    /* 8 MiB of pool, overshot by a frame per network thread (3), plus
     * slack for the allocator: 30 clients at 3 MiB each would be 90 */
    ck_assert_msg(grew_mib < 40 + RSS_SLACK_MIB, "the broker grew by %lld MiB for unfinished requests", grew_mib);
    /* the unfinished frames time out, and the broker serves again; the
     * pool admits a few frames at a time, each held for the 3 s read
     * timeout, so the last ones close after several rounds of it */
    long long deadline = fixture_now_ms() + 2 * DEADLINE_MS;
    int open_conns = POOL_CONNS;
    while (open_conns > 0 && fixture_now_ms() < deadline) {
        open_conns = 0;
        for (int i = 0; i < POOL_CONNS; i++)
            open_conns += socks[i] >= 0 && !closed_by_peer(socks[i]);
        pause_ms(50);
    }
    ck_assert_int_eq(open_conns, 0);
    for (int i = 0; i < POOL_CONNS; i++)
        close(socks[i]);
    free(chunk);
    wire_client_t wc;
    ck_assert_int_eq(wire_connect(&wc, cb.bootstrap), 0);
    ck_assert(wire_ping(&wc));
    wire_close(&wc);
    child_broker_stop(&cb);
}
END_TEST

#define SLOW_READERS 8
#define SLOW_BATCHES 16
#define SLOW_VALUE 1000000
#define SLOW_FETCHES 8

/* Clients that send fetches and never read the answers hold about the
 * connection's output bound (8 MiB) plus one batch each, whatever
 * max_bytes they ask for. */
START_TEST(test_slow_readers_bounded)
{
    child_broker_t cb;
    child_broker_start(&cb, 0, NULL);
    wire_client_t wc;
    ck_assert_int_eq(wire_connect(&wc, cb.bootstrap), 0);
    ck_assert_int_eq(create_topic(&wc, "big", 1, 1, NULL, NULL, false, NULL), 0);
    for (int i = 0; i < SLOW_BATCHES; i++)
        ck_assert_int_eq(produce(&wc, "big", 0, i, 1, SLOW_VALUE, NULL), 0);
    long long rss0 = child_broker_mem_kib(&cb, "VmRSS");
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, "big", 0, 1, 0);
    req.max_bytes = 50 << 20;
    p.partition_max_bytes = 50 << 20;
    wire_client_t slow[SLOW_READERS];
    for (int c = 0; c < SLOW_READERS; c++) {
        slow[c].fd = raw_connect(cb.bootstrap, 65536);
        slow[c].next_correlation_id = 1;
        for (int i = 0; i < SLOW_FETCHES; i++)
            ck_assert_int_ge(wire_send_request(&slow[c], KL_API_FETCH, 11, &req, WIRE_TIMEOUT_MS), 0);
    }
    /* the broker serves what its bound lets it, then waits: until its
     * size stops growing */
    long long last = -1, now = child_broker_mem_kib(&cb, "VmHWM");
    long long deadline = fixture_now_ms() + DEADLINE_MS;
    while (now != last && fixture_now_ms() < deadline) {
        pause_ms(500);
        last = now;
        now = child_broker_mem_kib(&cb, "VmHWM");
    }
    long long grew_mib = (now - rss0) / 1024;
    /* per reader 8 MiB + one ~1 MB batch; 16 MiB of slack. Unbounded, each
     * would hold its whole first answer (16 MB) */
    ck_assert_msg(grew_mib < SLOW_READERS * 9 + 16 + RSS_SLACK_MIB, "%d clients not reading grew the broker by %lld MiB",
                  SLOW_READERS, grew_mib);
    ck_assert(wire_ping(&wc)); /* and the others are served meanwhile */
    for (int c = 0; c < SLOW_READERS; c++)
        wire_close(&slow[c]);
    wire_close(&wc);
    child_broker_stop(&cb);
}
END_TEST

/* ------------------------------------------------------------ the rest */

#define BAD_CLIENTS 60

START_TEST(test_malformed_warnings_rate_limited)
{
    child_broker_t cb;
    child_broker_start(&cb, 0, NULL);
    uint8_t bad[12];
    put_be32(bad, 8);
    memset(bad + 4, 0xff, 8); /* api key -1: not served */
    for (int i = 0; i < BAD_CLIENTS; i++) {
        wire_client_t wc;
        ck_assert_int_eq(wire_connect(&wc, cb.bootstrap), 0);
        ck_assert_int_eq(wire_send_raw(&wc, bad, sizeof bad, WIRE_TIMEOUT_MS), 0);
        ck_assert_int_eq(wire_wait_closed(&wc, WIRE_TIMEOUT_MS), 0);
        wire_close(&wc);
    }
    int lines = child_broker_log_count(&cb, "closing the connection");
    ck_assert_int_ge(lines, 1);
    ck_assert_int_le(lines, LOG_LINES_BOUND);
    child_broker_stop(&cb);
}
END_TEST

/* Kafka 4.0's minimum segment size (1 MiB) for requests and for the
 * broker's default. */
START_TEST(test_segment_bytes_minimum)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "tiny", 1, 1, "segment.bytes", "14", false, NULL), KL_ERR_INVALID_CONFIG);
    ck_assert_int_eq(create_topic(&wc, "tiny", 1, 1, "segment.bytes", "1048575", false, NULL),
                     KL_ERR_INVALID_CONFIG);
    ck_assert_int_eq(create_topic(&wc, "small", 1, 1, "segment.bytes", "1048576", false, NULL), 0);
    wire_close(&wc);
    fixture_stop(&f);
    char errstr[256];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_ne(kl_conf_set(conf, "log.segment.bytes", "14", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "log.segment.bytes", "1048576", errstr, sizeof errstr), KL_ERR_NONE);
    kl_conf_destroy(conf);
}
END_TEST

static Suite *resources_suite(void)
{
    Suite *s = suite_create("broker_resources");
    TCase *tc = tcase_create("resources");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_out_of_descriptors);
    tcase_add_test(tc, test_partial_frames_closed);
    tcase_add_test(tc, test_request_pool_bounds_memory);
    tcase_add_test(tc, test_slow_readers_bounded);
    tcase_add_test(tc, test_malformed_warnings_rate_limited);
    tcase_add_test(tc, test_segment_bytes_minimum);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(resources_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
