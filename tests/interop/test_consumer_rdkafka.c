/* The consumer with librdkafka as the peer: reading what librdkafka's mock
 * cluster holds (several brokers, leaders spread), and a mixed consumer
 * group on the embedded broker where librdkafka and kafkalite members share
 * a topic's partitions, each partition owned by exactly one member. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "../integration/broker_fixture.h"
#include "mock_util.h"

#define WAIT_MS 60000

static kl_consumer_t *kl_member(const char *bootstrap, const char *group)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    if (group) {
        ck_assert_int_eq(kl_conf_set(conf, "group.id", group, errstr, sizeof errstr), KL_ERR_NONE);
        ck_assert_int_eq(kl_conf_set(conf, "auto.offset.reset", "earliest", errstr, sizeof errstr), KL_ERR_NONE);
    }
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "%s", errstr);
    return c;
}

/* count messages with librdkafka's producer: key "k<i>", value "v<i>" */
static void rd_produce(const char *bootstrap, const char *topic, int count)
{
    char errstr[256];
    rd_kafka_conf_t *conf = mock_rk_conf();
    mock_rk_set(conf, "bootstrap.servers", bootstrap);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "%s", errstr);
    for (int i = 0; i < count; i++) {
        char key[32], value[32];
        int kn = snprintf(key, sizeof key, "k%d", i), vn = snprintf(value, sizeof value, "v%d", i);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, (size_t)kn),
                                        RD_KAFKA_V_VALUE(value, (size_t)vn), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        ck_assert_int_eq(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ck_assert_int_eq(rd_kafka_flush(rk, WAIT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

START_TEST(test_consume_from_mock)
{
    mock_cluster_t m;
    mock_cluster_start(&m, 3);
    mock_topic_create(&m, "mt", 4);
    const int count = 2000;
    rd_produce(m.bootstraps, "mt", count);
    kl_consumer_t *c = kl_member(m.bootstraps, NULL);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(4);
    for (int32_t p = 0; p < 4; p++)
        kl_topic_partition_list_set_offset(list, "mt", p, KL_OFFSET_BEGINNING);
    ck_assert_int_eq(kl_assign(c, list), KL_ERR_NONE);
    kl_topic_partition_list_destroy(list);
    char *seen = calloc((size_t)count, 1);
    int64_t next[4] = {0, 0, 0, 0};
    int total = 0;
    int64_t deadline = mock_now_ms() + WAIT_MS;
    while (total < count && mock_now_ms() < deadline) {
        kl_message_t *msg = kl_consumer_poll(c, 100);
        if (!msg)
            continue;
        ck_assert_msg(!kl_message_error(msg), "%s: %s", kl_err_name(kl_message_error(msg)),
                      (const char *)kl_message_value(msg, NULL));
        int32_t p = kl_message_partition(msg);
        ck_assert(p >= 0 && p < 4);
        ck_assert_int_eq(kl_message_offset(msg), next[p]);
        next[p]++;
        size_t klen, vlen;
        const char *key = kl_message_key(msg, &klen), *value = kl_message_value(msg, &vlen);
        ck_assert(key && value && klen > 1 && vlen > 1);
        int i = atoi(value + 1);
        ck_assert(i >= 0 && i < count && !seen[i]);
        ck_assert_msg(klen == vlen && !memcmp(key + 1, value + 1, klen - 1), "key and value disagree");
        seen[i] = 1;
        total++;
        kl_message_destroy(msg);
    }
    ck_assert_int_eq(total, count);
    int64_t lo, hi;
    ck_assert_int_eq(kl_query_watermark_offsets(c, "mt", 1, &lo, &hi, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(hi, next[1]);
    free(seen);
    kl_consumer_destroy(c);
    mock_cluster_stop(&m);
}
END_TEST

/* ---- a mixed group --------------------------------------------------------------- */

static rd_kafka_t *rd_member(const char *bootstrap, const char *group)
{
    char errstr[256];
    rd_kafka_conf_t *conf = mock_rk_conf();
    mock_rk_set(conf, "bootstrap.servers", bootstrap);
    mock_rk_set(conf, "group.id", group);
    mock_rk_set(conf, "auto.offset.reset", "earliest");
    mock_rk_set(conf, "partition.assignment.strategy", "range,roundrobin");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "%s", errstr);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, "mix", RD_KAFKA_PARTITION_UA);
    ck_assert_int_eq(rd_kafka_subscribe(rk, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);
    return rk;
}

/* owner[p]: bit per member holding partition p */
static void ownership(rd_kafka_t *rk, kl_consumer_t *const *kl, int nkl, unsigned owner[6])
{
    memset(owner, 0, 6 * sizeof owner[0]);
    rd_kafka_topic_partition_list_t *rl;
    ck_assert_int_eq(rd_kafka_assignment(rk, &rl), RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int i = 0; i < rl->cnt; i++)
        owner[rl->elems[i].partition] |= 1u;
    rd_kafka_topic_partition_list_destroy(rl);
    for (int k = 0; k < nkl; k++) {
        kl_topic_partition_list_t *l;
        ck_assert_int_eq(kl_assignment(kl[k], &l), KL_ERR_NONE);
        for (size_t i = 0; i < l->count; i++)
            owner[l->elems[i].partition] |= 2u << k;
        kl_topic_partition_list_destroy(l);
    }
}

START_TEST(test_mixed_group)
{
    static const char *const props[] = {"num.partitions", "6", "group.initial.rebalance.delay.ms", "0", NULL};
    broker_fixture_t fx;
    fixture_start(&fx, props);
    rd_produce(fx.bootstrap, "mix", 600);
    rd_kafka_t *rk = rd_member(fx.bootstrap, "mix");
    kl_consumer_t *kl[2] = {kl_member(fx.bootstrap, "mix"), kl_member(fx.bootstrap, "mix")};
    const char *topics[] = {"mix"};
    for (int k = 0; k < 2; k++)
        ck_assert_int_eq(kl_subscribe(kl[k], topics, 1), KL_ERR_NONE);
    unsigned owner[6];
    bool settled = false;
    int stable = 0;
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (!settled && fixture_now_ms() < deadline) {
        rd_kafka_message_t *rm = rd_kafka_consumer_poll(rk, 10);
        if (rm)
            rd_kafka_message_destroy(rm);
        for (int k = 0; k < 2; k++)
            kl_message_destroy(kl_consumer_poll(kl[k], 10));
        ownership(rk, kl, 2, owner);
        unsigned members = 0;
        bool exclusive = true;
        for (int p = 0; p < 6; p++) {
            exclusive &= owner[p] != 0 && (owner[p] & (owner[p] - 1)) == 0;
            members |= owner[p];
        }
        stable = exclusive && members == 7u ? stable + 1 : 0;
        settled = stable >= 50; /* the same answer for a while */
    }
    ck_assert_msg(settled, "partitions never settled one owner each across the three members");
    for (int p = 0; p < 6; p++)
        ck_assert_msg(owner[p] && !(owner[p] & (owner[p] - 1)), "partition %d owners %#x", p, owner[p]);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    for (int k = 0; k < 2; k++)
        kl_consumer_destroy(kl[k]);
    fixture_stop(&fx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("consumer_rdkafka");
    TCase *tc = tcase_create("rdkafka");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_consume_from_mock);
    tcase_add_test(tc, test_mixed_group);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
