/* delivery.timeout.ms against Apache Kafka: with the leader of one
 * partition (replication factor 1) killed, each message for that partition
 * gets its own failed report once delivery.timeout.ms has passed, while
 * every message for the other partitions is delivered. Kills and restarts
 * the node through tests/kafka/cluster (KL_KAFKA_CLUSTER_DIR), so
 * test_kafka_clients.sh runs it last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_fixture.h"
#include "test_skip.h"

#define PER_PART 20

typedef struct reports {
    int count[3 * PER_PART];
    kl_err_t err[3 * PER_PART];
    int64_t at_ms[3 * PER_PART];
} reports_t;

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    int i = (int)(intptr_t)kl_message_opaque(m) - 1;
    CHECK(i >= 0 && i < 3 * PER_PART, "report for unknown message %d", i);
    r->count[i]++;
    r->err[i] = kl_message_error(m);
    r->at_ms[i] = kf_now_ms();
}

START_TEST(test_dead_leader_times_out_per_message)
{
    char topic[64], err[256];
    kf_name(topic, sizeof topic, "timeout");
    kf_create_topic(topic, 3, 1, NULL);
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    const char *names[] = {topic};
    kl_admin_topics_t *t = NULL;
    ck_assert_int_eq(kl_admin_describe_topics(a, names, 1, 10000, &t), KL_ERR_NONE);
    int32_t leader[3];
    for (int p = 0; p < 3; p++)
        leader[p] = t->items[0].partitions[p].leader;
    kl_admin_topics_destroy(t);
    kl_admin_destroy(a);
    int victim = (int)leader[0];
    static reports_t r;
    memset(&r, 0, sizeof r);
    conf = kf_conf("delivery.timeout.ms", "6000", "request.timeout.ms", "2000", "linger.ms", "5", NULL);
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, &r);
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(p, "%s", err);
    kf_cluster("kill", victim);
    int64_t start = kf_now_ms();
    for (int i = 0; i < 3 * PER_PART; i++)
        ck_assert_int_eq(kl_produce(p, topic, i % 3, "k", 1, "v", 1, 0, (void *)(intptr_t)(i + 1)), KL_ERR_NONE);
    kl_err_t flushed = kl_producer_flush(p, KF_DEADLINE_MS);
    kl_producer_destroy(p);
    kf_cluster("restart", victim);
    ck_assert_int_eq(flushed, KL_ERR_NONE);
    for (int i = 0; i < 3 * PER_PART; i++) {
        ck_assert_int_eq(r.count[i], 1);
        if (leader[i % 3] == victim) {
            ck_assert_msg(r.err[i] != KL_ERR_NONE, "message %d to the dead leader delivered", i);
            ck_assert_msg(r.at_ms[i] - start >= 5000, "message %d failed after %lld ms, before the timeout", i,
                          (long long)(r.at_ms[i] - start));
        } else {
            ck_assert_msg(r.err[i] == KL_ERR_NONE, "message %d: %s", i, kl_err_name(r.err[i]));
        }
    }
    kf_cluster("wait", 0);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_timeout");
    if (!getenv("KL_KAFKA_CLUSTER_DIR"))
        kl_test_skip_all("test_kafka_timeout: KL_KAFKA_CLUSTER_DIR is not set (run through test_kafka_clients.sh)");
    Suite *s = suite_create("kafka_timeout");
    TCase *tc = tcase_create("against_kafka");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_dead_leader_times_out_per_message);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
