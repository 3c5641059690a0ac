/* The producer (lib/producer) against librdkafka's mock cluster: 100,000
 * keyed messages with headers per codec, each reported exactly once with
 * an offset and read back byte-exact and in order by librdkafka's consumer;
 * partitioners placing keys as librdkafka's do; injected retriable errors;
 * a broker down past delivery.timeout.ms; an unreachable bootstrap; bad
 * configuration and bad input. Waits are kl_producer_poll()/flush() and
 * rd_kafka_consumer_poll() with deadlines, never sleeps. */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "mock_util.h"
#include "util/murmur2.h"

#define BASE_TS INT64_C(1700000000000)
#define HKEY "trace"

static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
#define NCODECS (sizeof codecs / sizeof codecs[0])

/* ------------------------------------------------------------ messages */

typedef struct msg {
    char key[32], value[160], hval[32];
    size_t key_len, value_len, hval_len;
    int64_t ts;
} msg_t;

static void msg_make(msg_t *m, int i, const char *tag)
{
    m->key_len = (size_t)snprintf(m->key, sizeof m->key, "key-%d", i);
    m->value_len = (size_t)snprintf(m->value, sizeof m->value,
                                    "value %d (%s): the quick brown fox jumps over the lazy dog %d times", i, tag,
                                    i % 97);
    m->hval_len = (size_t)snprintf(m->hval, sizeof m->hval, "hdr-%d", i);
    m->ts = BASE_TS + i;
}

/* ------------------------------------------------------------ reports */

typedef struct reports {
    int n;                /* messages produced */
    const char *tag;
    int *count;           /* reports per message */
    int32_t *partition;
    int64_t *offset;
    kl_err_t *err;
    kl_msg_status_t *status;
    int total, failed;
    int64_t last_report_ms;
    pthread_t thread;     /* reports must come on this thread */
    bool check_content;
} reports_t;

static void reports_init(reports_t *r, int n, const char *tag)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->tag = tag;
    r->count = calloc((size_t)n, sizeof *r->count);
    r->partition = calloc((size_t)n, sizeof *r->partition);
    r->offset = calloc((size_t)n, sizeof *r->offset);
    r->err = calloc((size_t)n, sizeof *r->err);
    r->status = calloc((size_t)n, sizeof *r->status);
    r->thread = pthread_self();
    r->check_content = true;
}

static void reports_free(reports_t *r)
{
    free(r->count);
    free(r->partition);
    free(r->offset);
    free(r->err);
    free(r->status);
}

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    ck_assert_msg(pthread_equal(pthread_self(), r->thread), "report on another thread");
    int i = (int)(intptr_t)kl_message_opaque(m) - 1;
    ck_assert_msg(i >= 0 && i < r->n, "report for unknown message %d", i);
    ck_assert_msg(r->count[i] == 0, "message %d reported twice", i);
    r->count[i]++;
    r->total++;
    r->partition[i] = kl_message_partition(m);
    r->offset[i] = kl_message_offset(m);
    r->err[i] = kl_message_error(m);
    r->status[i] = kl_message_status(m);
    r->failed += r->err[i] != KL_ERR_NONE;
    r->last_report_ms = mock_now_ms();
    if (!r->check_content)
        return;
    msg_t want;
    msg_make(&want, i, r->tag);
    size_t len;
    const void *key = kl_message_key(m, &len);
    ck_assert_msg(key && len == want.key_len && memcmp(key, want.key, len) == 0, "message %d: key", i);
    const void *value = kl_message_value(m, &len);
    ck_assert_msg(value && len == want.value_len && memcmp(value, want.value, len) == 0, "message %d: value", i);
    /* librdkafka's mock answers every Produce with LogAppendTime 1234, and
     * a broker's LogAppendTime wins, as in the Java client and librdkafka;
     * the consumer checks the stored CreateTime. */
    kl_timestamp_type_t tstype;
    int64_t ts = kl_message_timestamp(m, &tstype);
    if (tstype != KL_TIMESTAMP_LOG_APPEND_TIME || r->err[i]) {
        ck_assert_int_eq(ts, want.ts);
        ck_assert_int_eq(tstype, KL_TIMESTAMP_CREATE_TIME);
    }
    ck_assert_str_eq(kl_message_topic(m), "t");
}

/* ------------------------------------------------------------ producer */

static int log_lines_retry;

static void on_log(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (strcmp(fac, "RETRY") == 0)
        log_lines_retry++;
    else if (level <= 3)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

static kl_conf_t *conf_new(const char *bootstrap, reports_t *r)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_log_cb(conf, on_log);
    kl_conf_set_opaque(conf, r);
    return conf;
}

static void conf_set(kl_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
}

static kl_producer_t *producer_new(kl_conf_t *conf)
{
    char errstr[256];
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    kl_conf_destroy(conf);
    return p;
}

/* Produces messages first..first+n-1, polling when the queue is full. */
static void produce_range(kl_producer_t *p, const char *topic, int first, int n, const char *tag, bool headers)
{
    kl_headers_t *h = headers ? kl_headers_new() : NULL;
    for (int i = first; i < first + n; i++) {
        msg_t m;
        msg_make(&m, i, tag);
        if (h) {
            kl_headers_destroy(h);
            h = kl_headers_new();
            ck_assert_int_eq(kl_headers_add(h, HKEY, m.hval, m.hval_len), KL_ERR_NONE);
        }
        kl_err_t err;
        while ((err = kl_produce_headers(p, topic, KL_PARTITION_UA, m.key, m.key_len, m.value, m.value_len, h,
                                         m.ts, (void *)(intptr_t)(i + 1))) == KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 10);
        ck_assert_msg(err == KL_ERR_NONE, "kl_produce %d: %s", i, kl_err_str(err));
    }
    kl_headers_destroy(h);
}

/* ------------------------------------------------------------ reading back */

static void consume_check(mock_cluster_t *mc, const char *topic, int partitions, const reports_t *r)
{
    rd_kafka_conf_t *conf = mock_rk_conf();
    mock_rk_set(conf, "bootstrap.servers", mc->bootstraps);
    mock_rk_set(conf, "group.id", "kl-producer-test");
    mock_rk_set(conf, "enable.auto.commit", "false");
    mock_rk_set(conf, "fetch.wait.max.ms", "50");
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "consumer: %s", errstr);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int i = 0; i < partitions; i++)
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);

    int64_t last_offset[64];
    int last_index[64];
    for (int i = 0; i < 64; i++)
        last_offset[i] = last_index[i] = -1;
    int got = 0;
    int64_t deadline = mock_now_ms() + 60000;
    while (got < r->n && mock_now_ms() < deadline) {
        rd_kafka_message_t *rm = rd_kafka_consumer_poll(rk, 200);
        if (!rm)
            continue;
        ck_assert_msg(!rm->err, "consume: %s", rd_kafka_message_errstr(rm));
        int i = atoi((const char *)rm->key + 4); /* "key-<i>" */
        ck_assert_msg(i >= 0 && i < r->n, "consumed unknown message %d", i);
        msg_t want;
        msg_make(&want, i, r->tag);
        ck_assert_msg(rm->key_len == want.key_len && memcmp(rm->key, want.key, want.key_len) == 0, "key %d", i);
        ck_assert_msg(rm->len == want.value_len && memcmp(rm->payload, want.value, want.value_len) == 0,
                      "value %d", i);
        ck_assert_int_eq(rd_kafka_message_timestamp(rm, NULL), want.ts);
        rd_kafka_headers_t *hdrs;
        ck_assert_int_eq(rd_kafka_message_headers(rm, &hdrs), RD_KAFKA_RESP_ERR_NO_ERROR);
        ck_assert_int_eq(rd_kafka_header_cnt(hdrs), 1);
        const void *hv;
        size_t hv_len;
        ck_assert_int_eq(rd_kafka_header_get_last(hdrs, HKEY, &hv, &hv_len), RD_KAFKA_RESP_ERR_NO_ERROR);
        ck_assert(hv_len == want.hval_len && memcmp(hv, want.hval, hv_len) == 0);
        /* where the delivery report said, in produce order per partition */
        int32_t pt = rm->partition;
        ck_assert_int_eq(pt, r->partition[i]);
        ck_assert_int_eq(rm->offset, r->offset[i]);
        ck_assert_int_gt(rm->offset, last_offset[pt]);
        ck_assert_int_gt(i, last_index[pt]);
        last_offset[pt] = rm->offset;
        last_index[pt] = i;
        got++;
        rd_kafka_message_destroy(rm);
    }
    ck_assert_msg(got == r->n, "librdkafka consumed %d of %d messages", got, r->n);
    /* and nothing more: a duplicate would show up past the last offset */
    rd_kafka_message_t *extra = rd_kafka_consumer_poll(rk, 300);
    ck_assert_msg(!extra || extra->err, "an extra message was consumed");
    if (extra)
        rd_kafka_message_destroy(extra);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static bool codec_available(const char *name)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    kl_conf_set_log_cb(conf, on_log);
    bool ok = kl_conf_set(conf, "compression.type", name, errstr, sizeof errstr) == KL_ERR_NONE &&
              kl_conf_set(conf, "bootstrap.servers", "localhost", errstr, sizeof errstr) == KL_ERR_NONE;
    kl_producer_t *p = ok ? kl_producer_new(conf, errstr, sizeof errstr) : NULL;
    kl_conf_destroy(conf);
    kl_producer_destroy(p);
    if (!p)
        fprintf(stderr, "skipping %s: %s\n", name, errstr);
    return p != NULL;
}

/* ------------------------------------------------------------ tests */

#define BIG_N 100000

START_TEST(test_round_trip_every_codec)
{
    const char *codec = codecs[_i];
    if (!codec_available(codec))
        return;
    mock_cluster_t mc;
    mock_cluster_start(&mc, 3);
    mock_topic_create(&mc, "t", 4);
    reports_t r;
    reports_init(&r, BIG_N, codec);
    kl_conf_t *conf = conf_new(mc.bootstraps, &r);
    conf_set(conf, "acks", "all");
    conf_set(conf, "linger.ms", "5");
    conf_set(conf, "compression.type", codec);
    kl_producer_t *p = producer_new(conf);
    int64_t start = mock_now_ms();
    produce_range(p, "t", 0, BIG_N, codec, true);
    ck_assert_int_eq(kl_producer_flush(p, 60000), KL_ERR_NONE);
    int64_t took = mock_now_ms() - start;
    ck_assert_int_eq(kl_producer_outstanding(p), 0);
    ck_assert_int_eq(kl_producer_failed(p), 0);
    ck_assert_int_eq(r.total, BIG_N);
    int per_partition[4] = {0};
    for (int i = 0; i < BIG_N; i++) {
        ck_assert_int_eq(r.count[i], 1);
        ck_assert_int_eq(r.err[i], KL_ERR_NONE);
        ck_assert_int_eq(r.status[i], KL_MSG_STATUS_PERSISTED);
        ck_assert_int_ge(r.offset[i], 0);
        ck_assert(r.partition[i] >= 0 && r.partition[i] < 4);
        per_partition[r.partition[i]]++;
    }
    kl_producer_destroy(p);
    fprintf(stderr, "%-6s %d messages delivered in %lld ms (partitions %d/%d/%d/%d)\n", codec, BIG_N,
            (long long)took, per_partition[0], per_partition[1], per_partition[2], per_partition[3]);
    consume_check(&mc, "t", 4, &r);
    reports_free(&r);
    mock_cluster_stop(&mc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("producer");
    TCase *tc = tcase_create("mock");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_round_trip_every_codec, 0, (int)NCODECS);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
