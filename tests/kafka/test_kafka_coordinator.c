/* A consumer group through its coordinator's death on three Kafka brokers
 * (issue 14 item 4): a kafkalite member reads a topic (replication factor
 * 3) with synchronous commits; the broker that coordinates the group, which
 * also leads some of the topic's partitions, is SIGKILLed half-way. The
 * member goes on reading from the new leaders, every commit lands (at the
 * new coordinator), no message is read twice or missed, and the committed
 * offsets end at the partitions' ends. A new member of the group then
 * starts exactly after them: only messages produced later come.
 * Kills and restarts a node through tests/kafka/cluster
 * (KL_KAFKA_CLUSTER_DIR): test_kafka_clients.sh runs it among the last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_fixture.h"
#include "test_skip.h"

#define PARTS 6
#define MSGS 3000
#define LATER 300

typedef struct member {
    kl_consumer_t *c;
    int seen[MSGS];
    int later[LATER];
    int read, commits, commit_failures;
} member_t;

static void commit(member_t *m)
{
    kl_err_t e = kl_commit(m->c, NULL, 0);
    if (e == KL_ERR_NOENT)
        return;
    m->commits++;
    if (e != KL_ERR_NONE) {
        fprintf(stderr, "commit: %s\n", kl_err_name(e));
        m->commit_failures++;
    }
}

static void on_rebalance(kl_consumer_t *c, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    if (err == KL_ERR_REVOKE_PARTITIONS)
        commit(opaque);
    ck_assert_int_eq(kl_assign(c, err == KL_ERR_ASSIGN_PARTITIONS ? parts : NULL), KL_ERR_NONE);
}

static void join(member_t *m, const char *group, const char *topic)
{
    kl_conf_t *conf = kf_conf("group.id", group, "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                              NULL);
    kl_conf_set_rebalance_cb(conf, on_rebalance);
    kl_conf_set_opaque(conf, m);
    char err[256];
    m->c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(m->c, "%s", err);
    const char *sub[] = {topic};
    ck_assert_int_eq(kl_subscribe(m->c, sub, 1), KL_ERR_NONE);
}

/* Reads until want messages came in all (values "c<i>" count in seen[],
 * "d<i>" in later[]), committing every 100 and whenever nothing comes. */
static void read_until(member_t *m, int want)
{
    int64_t deadline = kf_now_ms() + 2 * KF_DEADLINE_MS;
    while (m->read < want) {
        CHECK(kf_now_ms() < deadline, "%d of %d messages read", m->read, want);
        kl_message_t *msg = kl_consumer_poll(m->c, 100);
        if (!msg) {
            commit(m);
            continue;
        }
        if (kl_message_error(msg) != KL_ERR_NONE) {
            fprintf(stderr, "consumer: %s\n", kl_err_name(kl_message_error(msg)));
            kl_message_destroy(msg);
            continue;
        }
        size_t len;
        const char *v = kl_message_value(msg, &len);
        char buf[16];
        CHECK(v && len >= 2 && len < sizeof buf && (v[0] == 'c' || v[0] == 'd'), "unexpected value");
        memcpy(buf, v + 1, len - 1);
        buf[len - 1] = '\0';
        int i = atoi(buf);
        CHECK(i >= 0 && i < (v[0] == 'c' ? MSGS : LATER), "value %s", buf);
        (v[0] == 'c' ? m->seen : m->later)[i]++;
        kl_message_destroy(msg);
        if (++m->read % 100 == 0)
            commit(m);
    }
    commit(m);
}

static int coordinator_of(const char *group)
{
    char err[256];
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    kl_admin_groups_t *g = NULL;
    const char *gs[] = {group};
    ck_assert_int_eq(kl_admin_describe_groups(a, gs, 1, 10000, &g), KL_ERR_NONE);
    ck_assert_int_eq(g->items[0].err, KL_ERR_NONE);
    int id = g->items[0].coordinator;
    kl_admin_groups_destroy(g);
    kl_admin_destroy(a);
    ck_assert_int_ge(id, 1);
    return id;
}

START_TEST(test_coordinator_killed)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "coord");
    kf_name(group, sizeof group, "coordg");
    const char *configs[] = {"min.insync.replicas", "2", NULL};
    kf_create_topic(topic, PARTS, 3, configs);
    kf_wait_in_sync(topic, PARTS, 3);
    kf_produce(topic, KL_PARTITION_UA, MSGS, "c", 0);
    static member_t m;
    memset(&m, 0, sizeof m);
    join(&m, group, topic);
    read_until(&m, MSGS / 3);
    int coord = coordinator_of(group);
    int32_t leaders[PARTS];
    ck_assert_int_eq(kf_leaders(topic, PARTS, 3, leaders), PARTS);
    int led = 0;
    for (int p = 0; p < PARTS; p++)
        led += leaders[p] == coord;
    kf_cluster("kill", coord);
    int64_t killed_ms = kf_now_ms();
    read_until(&m, MSGS);
    int64_t took_ms = kf_now_ms() - killed_ms;
    /* Every commit landed: the group's offsets are the partitions' ends. */
    kl_topic_partition_list_t *q = kl_topic_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++)
        kl_topic_partition_list_add(q, topic, p);
    ck_assert_int_eq(kl_committed(m.c, q, KF_DEADLINE_MS), KL_ERR_NONE);
    int64_t sum = 0;
    for (int p = 0; p < PARTS; p++)
        sum += q->elems[p].offset;
    kl_topic_partition_list_destroy(q);
    ck_assert_int_eq(kl_consumer_close(m.c), KL_ERR_NONE);
    kl_consumer_destroy(m.c);
    int new_coord = coordinator_of(group);
    kf_cluster("restart", coord);
    kf_cluster("wait", 0);
    int dups = 0, missed = 0;
    for (int i = 0; i < MSGS; i++) {
        dups += m.seen[i] > 1;
        missed += m.seen[i] == 0;
    }
    printf("coordinator %d (leader of %d partitions) killed after %d messages: the other %d read in %lld ms, "
           "%d commits (%d refused), %d read twice, %d missed; coordinator now %d\n",
           coord, led, MSGS / 3, MSGS - MSGS / 3, (long long)took_ms, m.commits, m.commit_failures, dups, missed,
           new_coord);
    ck_assert_int_eq(dups, 0);
    ck_assert_int_eq(missed, 0);
    ck_assert_int_eq(m.commit_failures, 0);
    ck_assert_int_eq(sum, MSGS);
    ck_assert_int_ne(new_coord, coord);

    /* A new member starts at the committed offsets. */
    kf_produce(topic, KL_PARTITION_UA, LATER, "d", 0);
    memset(&m, 0, sizeof m);
    join(&m, group, topic);
    read_until(&m, LATER);
    ck_assert_int_eq(kl_consumer_close(m.c), KL_ERR_NONE);
    kl_consumer_destroy(m.c);
    for (int i = 0; i < MSGS; i++)
        ck_assert_msg(m.seen[i] == 0, "c%d read again by the new member", i);
    for (int i = 0; i < LATER; i++)
        ck_assert_msg(m.later[i] == 1, "d%d read %d times", i, m.later[i]);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_coordinator");
    if (!getenv("KL_KAFKA_CLUSTER_DIR"))
        kl_test_skip_all("test_kafka_coordinator: KL_KAFKA_CLUSTER_DIR is not set (run through "
                         "test_kafka_clients.sh)");
    Suite *s = suite_create("kafka_coordinator");
    TCase *tc = tcase_create("three_brokers");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_coordinator_killed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
