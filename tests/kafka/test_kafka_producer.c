/* Our producer (lib/producer) against Apache Kafka: acks 0, 1 and all;
 * every codec with idempotence on (the default), to a topic produced to
 * as soon as it is created, keys and headers, each message reported once
 * and read back once, in produce order per partition; keys partitioned with murmur2_random as the Java client
 * partitions them (the shell suite checks the same with Java itself).
 * Waits are kl_producer_flush() and polls with deadlines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_fixture.h"
#include "test_skip.h"
#include "util/murmur2.h"

#define N 3000
#define PARTS 6

static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
#define NCODECS (sizeof codecs / sizeof codecs[0])

typedef struct reports {
    int count[N];
    int32_t partition[N];
    int64_t offset[N];
    int failed;
} reports_t;

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    int i = (int)(intptr_t)kl_message_opaque(m) - 1;
    CHECK(i >= 0 && i < N, "report for unknown message %d", i);
    CHECK(r->count[i] == 0, "message %d reported twice", i);
    r->count[i]++;
    r->partition[i] = kl_message_partition(m);
    r->offset[i] = kl_message_offset(m);
    if (kl_message_error(m) != KL_ERR_NONE) {
        r->failed++;
        fprintf(stderr, "message %d: %s\n", i, kl_err_name(kl_message_error(m)));
    }
}

/* Produces N keyed messages with a header to topic and checks every one was
 * reported delivered exactly once; conf gets the delivery callback. */
static void produce_all(kl_conf_t *conf, const char *topic, reports_t *r)
{
    char err[256];
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, r);
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    ck_assert_msg(p, "%s", err);
    for (int i = 0; i < N; i++) {
        char key[32], value[64], hv[16];
        int kl = snprintf(key, sizeof key, "key-%d", i % 500);
        int vl = snprintf(value, sizeof value, "value %d of %s", i, topic);
        int hl = snprintf(hv, sizeof hv, "h%d", i);
        kl_headers_t *h = kl_headers_new();
        ck_assert_int_eq(kl_headers_add(h, "h", hv, (size_t)hl), KL_ERR_NONE);
        kl_err_t e = kl_produce_flags(p, topic, KL_PARTITION_UA, KL_MSG_F_BLOCK, key, (size_t)kl, value,
                                      (size_t)vl, h, 0, (void *)(intptr_t)(i + 1));
        kl_headers_destroy(h);
        CHECK(e == KL_ERR_NONE, "produce %d: %s", i, kl_err_name(e));
    }
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    kl_producer_destroy(p);
    for (int i = 0; i < N; i++)
        CHECK(r->count[i] == 1, "message %d: %d reports", i, r->count[i]);
    ck_assert_int_eq(r->failed, 0);
}

/* Reads the topic back: each message once, with its key and header, in the
 * partition its report named (and at its offset when acks > 0), in produce
 * order within each partition, and (murmur2) where the Java client puts
 * its key. */
static void check_log(const char *topic, const reports_t *r, int acks)
{
    kf_msg_t *msgs;
    kf_read_all(topic, PARTS, N, &msgs);
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int last[PARTS];
    for (int p = 0; p < PARTS; p++)
        last[p] = -1;
    char want[64];
    for (size_t j = 0; j < N; j++) {
        const kf_msg_t *m = &msgs[j];
        int i;
        CHECK(m->value && sscanf(m->value, "value %d of", &i) == 1 && i >= 0 && i < N, "stray value %s",
              m->value ? m->value : "(null)");
        snprintf(want, sizeof want, "value %d of %s", i, topic);
        CHECK(strcmp(m->value, want) == 0, "value %s", m->value);
        CHECK(++seen[i] == 1, "message %d read twice", i);
        snprintf(want, sizeof want, "key-%d", i % 500);
        CHECK(m->key && strcmp(m->key, want) == 0, "message %d: key %s", i, m->key ? m->key : "(null)");
        snprintf(want, sizeof want, "h%d", i);
        CHECK(m->header && strcmp(m->header, want) == 0, "message %d: header", i);
        CHECK(m->partition == r->partition[i], "message %d in partition %d, reported %d", i, m->partition,
              r->partition[i]);
        if (acks != 0)
            CHECK(m->offset == r->offset[i], "message %d at offset %lld, reported %lld", i,
                  (long long)m->offset, (long long)r->offset[i]);
        /* The Java client: toPositive(murmur2(key)) % partitions. */
        int32_t java = (int32_t)((kl_murmur2(m->key, strlen(m->key)) & 0x7fffffff) % PARTS);
        CHECK(m->partition == java, "message %d: partition %d, the Java client's %d", i, m->partition, java);
        CHECK(i > last[m->partition], "partition %d: message %d after %d", m->partition, i, last[m->partition]);
        last[m->partition] = i;
    }
    kf_msgs_free(msgs, N);
}

static const char *const acks_values[] = {"0", "1", "all"};

START_TEST(test_acks)
{
    char topic[64];
    kf_name(topic, sizeof topic, "acks");
    kf_create_topic(topic, PARTS, 3, NULL);
    const char *acks = acks_values[_i];
    /* acks 0 and 1 need idempotence off, as in the Java client. */
    kl_conf_t *conf = kf_conf("acks", acks, "enable.idempotence", strcmp(acks, "all") ? "false" : "true",
                              "partitioner", "murmur2_random", NULL);
    static reports_t r;
    memset(&r, 0, sizeof r);
    produce_all(conf, topic, &r);
    kl_conf_destroy(conf);
    for (int i = 0; i < N; i++) {
        if (_i == 0)
            CHECK(r.offset[i] == -1, "acks=0: message %d reported offset %lld", i, (long long)r.offset[i]);
        else
            CHECK(r.offset[i] >= 0, "acks=%s: message %d without an offset", acks, i);
    }
    check_log(topic, &r, _i);
}
END_TEST

START_TEST(test_codec_idempotent)
{
    char topic[64];
    kf_name(topic, sizeof topic, codecs[_i]);
    /* Produced to at once, while its leaders are not ready yet: the first
     * idempotent batch refused there must not let the next one in first
     * (Kafka takes any sequence as a new producer's first). */
    kf_create_topic_nowait(topic, PARTS, 3, (const char *const[]){"min.insync.replicas", "2", NULL});
    kl_conf_t *conf = kf_conf("compression.type", codecs[_i], "partitioner", "murmur2_random", "linger.ms", "20",
                              "batch.num.messages", "200", NULL);
    static reports_t r;
    memset(&r, 0, sizeof r);
    produce_all(conf, topic, &r);
    kl_conf_destroy(conf);
    check_log(topic, &r, 1);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_producer");
    Suite *s = suite_create("kafka_producer");
    TCase *tc = tcase_create("against_kafka");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_acks, 0, 3);
    tcase_add_loop_test(tc, test_codec_idempotent, 0, (int)NCODECS);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
