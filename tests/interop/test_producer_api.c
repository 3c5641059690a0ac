/* The producer's idempotence and the rest of its API against librdkafka's
 * mock cluster: injected NOT_LEADER_OR_FOLLOWER and REQUEST_TIMED_OUT and
 * leader moves with 5 requests in flight, read back by librdkafka's
 * consumer with no duplicate and no reordering; kl_producer_purge();
 * blocking produce; the partitioner callback and the sticky partitioner;
 * statistics as JSON. Waits
 * are polls and flushes with deadlines, never sleeps. */
#include <check.h>
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "mock_util.h"


typedef struct reports {
    int n;
    int *count;
    int32_t *partition;
    kl_err_t *err;
    kl_msg_status_t *status;
    int total, failed;
    pthread_t thread;
} reports_t;

static void reports_init(reports_t *r, int n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->count = calloc((size_t)n, sizeof *r->count);
    r->partition = calloc((size_t)n, sizeof *r->partition);
    r->err = calloc((size_t)n, sizeof *r->err);
    r->status = calloc((size_t)n, sizeof *r->status);
    r->thread = pthread_self();
}

static void reports_free(reports_t *r)
{
    free(r->count);
    free(r->partition);
    free(r->err);
    free(r->status);
}

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    int i = (int)(intptr_t)kl_message_opaque(m);
    CHECK(i >= 0 && i < r->n, "report for unknown message %d", i);
    CHECK(r->count[i] == 0, "message %d reported twice", i);
    CHECK(pthread_equal(pthread_self(), r->thread), "report on another thread");
    r->count[i]++;
    r->total++;
    r->partition[i] = kl_message_partition(m);
    r->err[i] = kl_message_error(m);
    r->status[i] = kl_message_status(m);
    r->failed += r->err[i] != KL_ERR_NONE;
}

static int retry_lines, bump_lines;

static void on_log(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (getenv("KL_TEST_LOG"))
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
    if (strcmp(fac, "RETRY") == 0)
        retry_lines++;
    else if (strcmp(fac, "IDEMPOTENCE") == 0 && strstr(msg, "bump"))
        bump_lines++;
    else if (level <= 3)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

static kl_conf_t *conf_new(const char *bootstrap, void *opaque)
{
    return mock_kl_producer_conf(bootstrap, on_delivery, on_log, opaque);
}

static void produce_range(kl_producer_t *p, const char *topic, int32_t partition, int first, int n)
{
    for (int i = first; i < first + n; i++) {
        char key[32];
        int len = snprintf(key, sizeof key, "key-%d", i);
        kl_err_t err = kl_produce_flags(p, topic, partition, KL_MSG_F_BLOCK, key, (size_t)len, key, (size_t)len,
                                        NULL, 0, (void *)(intptr_t)i);
        CHECK(err == KL_ERR_NONE, "kl_produce %d: %s", i, kl_err_str(err));
    }
}

/* Reads every partition back with librdkafka: each delivered message once,
 * (with ordered) in produce order per partition, and nothing else. */
static void consume_check(mock_cluster_t *mc, const char *topic, int partitions, const reports_t *r, bool ordered)
{
    rd_kafka_t *rk = mock_rk_consumer_from_beginning(mc, "kl-producer-api", topic, partitions);
    int want = r->n - r->failed, got = 0, last[64];
    for (int i = 0; i < 64; i++)
        last[i] = -1;
    char *seen = calloc((size_t)r->n, 1);
    int64_t deadline = mock_now_ms() + 60000;
    while (got < want && mock_now_ms() < deadline) {
        rd_kafka_message_t *rm = rd_kafka_consumer_poll(rk, 200);
        if (!rm)
            continue;
        CHECK(!rm->err, "consume: %s", rd_kafka_message_errstr(rm));
        int i = atoi((const char *)rm->payload + 4);
        CHECK(i >= 0 && i < r->n && !seen[i], "message %d consumed twice or unknown", i);
        CHECK(r->err[i] == KL_ERR_NONE && rm->partition == r->partition[i], "message %d: partition %d, reported %d",
              i, (int)rm->partition, r->partition[i]);
        CHECK(!ordered || i > last[rm->partition], "partition %d: message %d after %d", (int)rm->partition, i,
              last[rm->partition]);
        last[rm->partition] = i;
        seen[i] = 1;
        got++;
        rd_kafka_message_destroy(rm);
    }
    ck_assert_msg(got == want, "consumed %d of %d", got, want);
    free(seen);
    mock_rk_consumer_end(rk);
}

/* Starts a cluster of brokers with topic "t" of partitions and returns a
 * configuration whose reports of n messages go to r; opaque is what the
 * callbacks get (r, or a context that starts with it). */
static kl_conf_t *setup(mock_cluster_t *mc, int brokers, int partitions, reports_t *r, int n, void *opaque)
{
    mock_cluster_start(mc, brokers);
    mock_topic_create(mc, "t", partitions);
    reports_init(r, n);
    return conf_new(mc->bootstraps, opaque);
}

/* Destroys p, then (partitions > 0) reads "t" back with consume_check(),
 * and frees the rest. */
static void teardown(mock_cluster_t *mc, kl_producer_t *p, reports_t *r, int partitions, bool ordered)
{
    kl_producer_destroy(p);
    if (partitions > 0)
        consume_check(mc, "t", partitions, r, ordered);
    reports_free(r);
    mock_cluster_stop(mc);
}

/* ------------------------------------------------------------ idempotence */

/* brokers brokers, "t" with 4 partitions, partition i led by broker
 * 1 + i % brokers, and an idempotent producer of n messages with 5
 * requests in flight that has delivered its first 100 (the producer id
 * and the leaders are known). */
static kl_producer_t *idempotence_start(mock_cluster_t *mc, reports_t *r, int n, int brokers)
{
    kl_conf_t *conf = setup(mc, brokers, 4, r, n, r);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(rd_kafka_mock_partition_set_leader(mc->mc, "t", i, 1 + i % brokers),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    mock_kl_set(conf, "enable.idempotence", "true");
    mock_kl_set(conf, "max.in.flight.requests.per.connection", "5");
    mock_kl_set(conf, "batch.num.messages", "200");
    mock_kl_set(conf, "linger.ms", "2");
    mock_kl_set(conf, "retry.backoff.ms", "10");
    mock_kl_set(conf, "debug", "msg");
    retry_lines = 0;
    kl_producer_t *p = mock_kl_producer_new(conf);
    produce_range(p, "t", KL_PARTITION_UA, 0, 100);
    ck_assert_int_eq(kl_producer_flush(p, 20000), KL_ERR_NONE);
    return p;
}

static void check_delivered(kl_producer_t *p, const reports_t *r)
{
    ck_assert_int_eq(r->total, r->n);
    ck_assert_int_eq(r->failed, 0);
    for (int i = 0; i < r->n; i++)
        CHECK(r->status[i] == KL_MSG_STATUS_PERSISTED, "message %d: status %d", i, r->status[i]);
    char errstr[256];
    ck_assert_int_eq(kl_producer_fatal_error(p, errstr, sizeof errstr), KL_ERR_NONE);
}

/* Injected errors hit batches with others in flight behind them on the
 * same partition. librdkafka 2.0's mock does not check sequences, so it
 * stores the batches behind a failed one (a real broker, and ours, refuse
 * them with OUT_OF_ORDER_SEQUENCE_NUMBER: test_producer_idempotence checks
 * the order there); here: every message delivered and stored exactly
 * once, retried with its sequence. */
START_TEST(test_idempotence_injected_errors)
{
    mock_cluster_t mc;
    const int n = 60000;
    reports_t r;
    kl_producer_t *p = idempotence_start(&mc, &r, n, 3);
    rd_kafka_resp_err_t nl = (rd_kafka_resp_err_t)KL_ERR_NOT_LEADER_OR_FOLLOWER,
                        to = (rd_kafka_resp_err_t)KL_ERR_REQUEST_TIMED_OUT;
    rd_kafka_mock_push_request_errors(mc.mc, 0 /* Produce */, 8, nl, to, to, nl, to, nl, nl, to);
    produce_range(p, "t", KL_PARTITION_UA, 100, n / 2 - 100);
    rd_kafka_mock_push_request_errors(mc.mc, 0, 6, to, nl, to, to, nl, to);
    produce_range(p, "t", KL_PARTITION_UA, n / 2, n - n / 2);
    ck_assert_int_eq(kl_producer_flush(p, 60000), KL_ERR_NONE);
    check_delivered(p, &r);
    ck_assert_int_ge(retry_lines, 14);
    fprintf(stderr, "idempotence, injected errors: %d batch retries, %d messages delivered once\n", retry_lines, n);
    teardown(&mc, p, &r, 4, false);
}
END_TEST

/* Leaders move under traffic with 5 requests in flight: the old leaders
 * refuse every batch in flight, which are resent in sequence order to the
 * new ones: no duplicate and no reordering. A partition never gets a
 * leader back (4 brokers, 4 leaders each): the mock does not check an
 * idempotent producer's sequences, so a broker that refused batch n as a
 * follower and then leads again would store n+1, still in flight to it,
 * ahead of n, where Kafka refuses it (OUT_OF_ORDER_SEQUENCE_NUMBER). */
START_TEST(test_idempotence_leader_moves)
{
    mock_cluster_t mc;
    const int n = 60000, brokers = 4;
    reports_t r;
    kl_producer_t *p = idempotence_start(&mc, &r, n, brokers);
    const int chunk = (n - 100) / 3;
    for (int round = 0; round < 3; round++) {
        produce_range(p, "t", KL_PARTITION_UA, 100 + round * chunk, chunk);
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(rd_kafka_mock_partition_set_leader(mc.mc, "t", i, 1 + (i + round + 1) % brokers),
                             RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    produce_range(p, "t", KL_PARTITION_UA, 100 + 3 * chunk, n - 100 - 3 * chunk);
    ck_assert_int_eq(kl_producer_flush(p, 60000), KL_ERR_NONE);
    check_delivered(p, &r);
    fprintf(stderr, "idempotence, leader moves: %d batch retries, %d messages delivered once, in order\n",
            retry_lines, n);
    teardown(&mc, p, &r, 4, true);
}
END_TEST

/* ------------------------------------------------------------ purge */

START_TEST(test_purge)
{
    mock_cluster_t mc;
    const int half = 1000, n = 2 * half + 1;
    reports_t r;
    kl_conf_t *conf = setup(&mc, 1, 2, &r, n, &r);
    mock_kl_set(conf, "linger.ms", "60000"); /* nothing leaves on its own */
    mock_kl_set(conf, "batch.num.messages", "100000");
    kl_producer_t *p = mock_kl_producer_new(conf);
    produce_range(p, "t", 0, 0, 1); /* the topic and the producer id are known */
    ck_assert_int_eq(kl_producer_flush(p, 10000), KL_ERR_NONE);
    ck_assert_int_eq(r.err[0], KL_ERR_NONE);
    /* in flight: the broker answers slowly, so a flushed batch waits */
    produce_range(p, "t", 0, 1, half);
    ck_assert_int_eq(rd_kafka_mock_broker_set_rtt(mc.mc, 1, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    ck_assert_int_eq(kl_producer_flush(p, 300), KL_ERR_TIMED_OUT);
    produce_range(p, "t", 1, 1 + half, half);
    ck_assert_int_eq(kl_producer_purge(p, 0x40), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_producer_purge(p, KL_PURGE_QUEUE), KL_ERR_NONE);
    kl_producer_poll(p, 0);
    ck_assert_int_eq(r.total, 1 + half); /* the queued half, at once */
    for (int i = 1 + half; i < n; i++) {
        CHECK(r.err[i] == KL_ERR_PURGED && r.status[i] == KL_MSG_STATUS_NOT_PERSISTED, "message %d: %s/%d", i,
              kl_err_name(r.err[i]), r.status[i]);
    }
    ck_assert_int_eq(kl_producer_outstanding(p), half);
    int64_t t0 = mock_now_ms();
    ck_assert_int_eq(kl_producer_purge(p, KL_PURGE_INFLIGHT | KL_PURGE_NON_BLOCKING), KL_ERR_NONE);
    int64_t deadline = mock_now_ms() + 7000;
    while (kl_producer_outstanding(p) > 0 && mock_now_ms() < deadline)
        kl_producer_poll(p, 100);
    /* well before the broker's 10 s answer (room for a loaded machine) */
    ck_assert_int_lt(mock_now_ms() - t0, 7000);
    ck_assert_int_eq(r.total, n);
    for (int i = 1; i <= half; i++) {
        CHECK(r.err[i] == KL_ERR_PURGED && r.status[i] == KL_MSG_STATUS_POSSIBLY_PERSISTED, "message %d: %s/%d", i,
              kl_err_name(r.err[i]), r.status[i]);
    }
    ck_assert_int_eq(rd_kafka_mock_broker_set_rtt(mc.mc, 1, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    teardown(&mc, p, &r, 0, false);
}
END_TEST

/* ------------------------------------------------------------ blocking produce */

START_TEST(test_blocking_produce)
{
    mock_cluster_t mc;
    const int n = 5000;
    reports_t r;
    kl_conf_t *conf = setup(&mc, 1, 2, &r, n, &r);
    mock_kl_set(conf, "queue.buffering.max.messages", "10");
    kl_producer_t *p = mock_kl_producer_new(conf);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(kl_produce(p, "t", 0, NULL, 0, "v", 1, 0, (void *)(intptr_t)i), KL_ERR_NONE);
    /* full: refused without the flag, and unknown flags are refused */
    ck_assert_int_eq(kl_produce(p, "t", 0, NULL, 0, "v", 1, 0, NULL), KL_ERR_QUEUE_FULL);
    ck_assert_int_eq(kl_produce_flags(p, "t", 0, 0x80, NULL, 0, "v", 1, NULL, 0, NULL), KL_ERR_INVALID_ARG);
    /* with it, each call waits for room (serving reports), never failing */
    int max_outstanding = 0;
    for (int i = 10; i < n; i++) {
        char v[16];
        int len = snprintf(v, sizeof v, "key-%d", i);
        ck_assert_int_eq(kl_produce_flags(p, "t", i % 2, KL_MSG_F_BLOCK, NULL, 0, v, (size_t)len, NULL, 0,
                                          (void *)(intptr_t)i),
                         KL_ERR_NONE);
        int out = (int)kl_producer_outstanding(p);
        max_outstanding = out > max_outstanding ? out : max_outstanding;
    }
    ck_assert_int_le(max_outstanding, 10);
    ck_assert_int_eq(kl_producer_flush(p, 20000), KL_ERR_NONE);
    ck_assert_int_eq(r.total, n);
    ck_assert_int_eq(r.failed, 0);
    teardown(&mc, p, &r, 0, false);
}
END_TEST

/* ------------------------------------------------------------ partitioner callback */

typedef struct part_ctx {
    reports_t r;
    pthread_t thread;
    int calls, wrong_thread;
} part_ctx_t;

/* message "key-<i>" goes to partition i % 3; key "bad" to partition 99 */
static int32_t my_partitioner(const char *topic, const void *key, size_t key_len, int32_t partition_count,
                              void *opaque)
{
    part_ctx_t *c = opaque;
    c->calls++;
    c->wrong_thread += !pthread_equal(pthread_self(), c->thread);
    if (strcmp(topic, "t") != 0 || partition_count != 3 || !key)
        return -1;
    if (key_len == 3 && memcmp(key, "bad", 3) == 0)
        return 99;
    char buf[16] = {0};
    memcpy(buf, key, key_len < 15 ? key_len : 15);
    return atoi(buf + 4) % 3;
}

START_TEST(test_partitioner_callback)
{
    mock_cluster_t mc;
    part_ctx_t c;
    memset(&c, 0, sizeof c);
    const int n = 3000;
    kl_conf_t *conf = setup(&mc, 1, 3, &c.r, n + 1, &c); /* reports_t is c's first member */
    c.thread = pthread_self();
    kl_conf_set_partitioner_cb(conf, my_partitioner);
    kl_producer_t *p = mock_kl_producer_new(conf);
    /* the first ones wait for the topic's metadata: the callback still
     * runs on this thread, from kl_producer_poll() */
    produce_range(p, "t", KL_PARTITION_UA, 0, n);
    ck_assert_int_eq(kl_produce(p, "t", KL_PARTITION_UA, "bad", 3, "x", 1, 0, (void *)(intptr_t)n), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_flush(p, 20000), KL_ERR_NONE);
    ck_assert_int_eq(c.r.total, n + 1);
    ck_assert_int_eq(c.wrong_thread, 0);
    ck_assert_int_ge(c.calls, n + 1);
    for (int i = 0; i < n; i++)
        CHECK(c.r.err[i] == KL_ERR_NONE && c.r.partition[i] == i % 3, "message %d: %s in %d", i,
              kl_err_name(c.r.err[i]), c.r.partition[i]);
    ck_assert_int_eq(c.r.err[n], KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(c.r.status[n], KL_MSG_STATUS_NOT_PERSISTED);
    c.r.failed = 1; /* the bad one is not in the log */
    teardown(&mc, p, &c.r, 3, true);
}
END_TEST

/* Keyless messages stick to one partition for sticky.partitioning.linger.ms
 * (the period is measured with the clock that stamps the messages), and
 * spread out with 0. */
static void produce_keyless(mock_cluster_t *mc, const char *topic, const char *sticky_ms, reports_t *r, int n)
{
    reports_init(r, n);
    kl_conf_t *conf = conf_new(mc->bootstraps, r);
    mock_kl_set(conf, "sticky.partitioning.linger.ms", sticky_ms);
    kl_producer_t *p = mock_kl_producer_new(conf);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(kl_produce(p, topic, KL_PARTITION_UA, NULL, 0, "v", 1, 0, (void *)(intptr_t)i), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_flush(p, 20000), KL_ERR_NONE);
    ck_assert_int_eq(r->total, n);
    ck_assert_int_eq(r->failed, 0);
    kl_producer_destroy(p);
}

START_TEST(test_sticky_partitioner)
{
    mock_cluster_t mc;
    mock_cluster_start(&mc, 1);
    mock_topic_create(&mc, "s", 4);
    const int n = 400;
    reports_t r;
    produce_keyless(&mc, "s", "600000", &r, n);
    for (int i = 1; i < n; i++)
        CHECK(r.partition[i] == r.partition[0], "message %d in partition %d, message 0 in %d", i, r.partition[i],
              r.partition[0]);
    reports_free(&r);
    /* a random partition per message: all 400 in one of 4 has odds 4^-399 */
    produce_keyless(&mc, "s", "0", &r, n);
    bool used[4] = {false};
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        CHECK(r.partition[i] >= 0 && r.partition[i] < 4, "message %d in partition %d", i, r.partition[i]);
        distinct += !used[r.partition[i]];
        used[r.partition[i]] = true;
    }
    ck_assert_int_ge(distinct, 2);
    reports_free(&r);
    mock_cluster_stop(&mc);
}
END_TEST

/* ------------------------------------------------------------ statistics */

/* A small JSON checker: whether text is one valid value; collects the keys
 * of objects (any depth) into keys (space-separated). */
typedef struct json_rd {
    const char *s;
    char keys[4096];
} json_rd_t;

static void skip_ws(json_rd_t *j)
{
    while (isspace((unsigned char)*j->s))
        j->s++;
}

static bool json_string(json_rd_t *j, bool key)
{
    if (*j->s != '"')
        return false;
    const char *start = ++j->s;
    while (*j->s && *j->s != '"')
        j->s += *j->s == '\\' ? 2 : 1;
    if (*j->s != '"')
        return false;
    if (key && strlen(j->keys) + (size_t)(j->s - start) + 2 < sizeof j->keys) {
        strncat(j->keys, start, (size_t)(j->s - start));
        strcat(j->keys, " ");
    }
    j->s++;
    return true;
}

static bool json_value(json_rd_t *j)
{
    skip_ws(j);
    if (*j->s == '{' || *j->s == '[') {
        char close = *j->s == '{' ? '}' : ']';
        bool object = close == '}';
        j->s++;
        skip_ws(j);
        if (*j->s == close) {
            j->s++;
            return true;
        }
        for (;;) {
            skip_ws(j);
            if (object) {
                if (!json_string(j, true))
                    return false;
                skip_ws(j);
                if (*j->s++ != ':')
                    return false;
            }
            if (!json_value(j))
                return false;
            skip_ws(j);
            if (*j->s == ',') {
                j->s++;
                continue;
            }
            return *j->s++ == close;
        }
    }
    if (*j->s == '"')
        return json_string(j, false);
    if (strncmp(j->s, "true", 4) == 0 || strncmp(j->s, "null", 4) == 0) {
        j->s += 4;
        return true;
    }
    if (strncmp(j->s, "false", 5) == 0) {
        j->s += 5;
        return true;
    }
    char *end;
    strtod(j->s, &end);
    if (end == j->s)
        return false;
    j->s = end;
    return true;
}

static bool json_valid(const char *text, json_rd_t *j)
{
    memset(j, 0, sizeof *j);
    j->s = text;
    if (!json_value(j))
        return false;
    skip_ws(j);
    return *j->s == '\0';
}

typedef struct stats_ctx {
    reports_t r;
    int calls;
    bool valid;
    pthread_t thread;
} stats_ctx_t;

static void on_stats(kl_producer_t *p, const char *json, size_t len, void *opaque)
{
    (void)p;
    stats_ctx_t *c = opaque;
    json_rd_t j;
    CHECK(pthread_equal(pthread_self(), c->thread), "statistics on another thread");
    CHECK(strlen(json) == len, "length");
    c->valid = json_valid(json, &j);
    CHECK(c->valid, "statistics are not JSON: %s", json);
    c->calls++;
}

START_TEST(test_statistics)
{
    mock_cluster_t mc;
    stats_ctx_t c;
    memset(&c, 0, sizeof c);
    const int n = 5000;
    kl_conf_t *conf = setup(&mc, 1, 2, &c.r, n, &c);
    c.thread = pthread_self();
    mock_kl_set(conf, "statistics.interval.ms", "100");
    kl_conf_set_stats_cb(conf, on_stats);
    kl_producer_t *p = mock_kl_producer_new(conf);
    produce_range(p, "t", KL_PARTITION_UA, 0, n);
    ck_assert_int_eq(kl_producer_flush(p, 20000), KL_ERR_NONE);
    char *s = kl_producer_stats(p);
    ck_assert_ptr_nonnull(s);
    json_rd_t j;
    ck_assert_msg(json_valid(s, &j), "not JSON: %s", s);
    static const char *const keys[] = {"msg_cnt",  "msg_size", "batches", "batch_fill_avg", "request_latency_avg_us",
                                       "request_latency_p99_us", "retries", "errors", "brokers", "inflight",
                                       "idempotence", "producer_id"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char want[64];
        snprintf(want, sizeof want, "%s ", keys[k]);
        ck_assert_msg(strstr(j.keys, want) != NULL, "no %s in %s", keys[k], s);
    }
    ck_assert_msg(strstr(s, "\"msg_cnt\":0,") != NULL, "%s", s);
    const char *batches = strstr(s, "\"batches\":");
    ck_assert_int_gt(atol(batches + 10), 0);
    kl_mem_free(s);
    /* periodic delivery comes from poll, at statistics.interval.ms */
    int64_t deadline = mock_now_ms() + 10000;
    int before = c.calls;
    while (c.calls < before + 3 && mock_now_ms() < deadline)
        kl_producer_poll(p, -1);
    ck_assert_int_ge(c.calls, before + 3);
    teardown(&mc, p, &c.r, 0, false);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("producer_api");
    TCase *tc = tcase_create("mock");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_idempotence_injected_errors);
    tcase_add_test(tc, test_idempotence_leader_moves);
    tcase_add_test(tc, test_purge);
    tcase_add_test(tc, test_blocking_produce);
    tcase_add_test(tc, test_partitioner_callback);
    tcase_add_test(tc, test_sticky_partitioner);
    tcase_add_test(tc, test_statistics);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
