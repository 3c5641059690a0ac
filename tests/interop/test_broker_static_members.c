/* Static membership (KIP-345) with real clients on the embedded broker:
 * two librdkafka consumers with a group.instance.id share a 4-partition
 * topic; one is closed (a static member sends no LeaveGroup) and a new
 * handle with the same instance id comes back within session.timeout.ms:
 * it gets the same partitions back while the other member's rebalance
 * callback never runs. Once the restarted member stays away longer than
 * its session timeout, the other takes every partition. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "rdkafka_clients.h"

#define TIMEOUT_MS 60000
#define NPARTS 4
#define SESSION_MS "8000"
#define TOPIC "statics"
#define GROUP "static-group"

static const char *const broker_props[] = {
    "group.initial.rebalance.delay.ms", "200",
    "group.min.session.timeout.ms", "1000",
    "offsets.topic.num.partitions", "3",
    NULL,
};

typedef struct member {
    rd_kafka_t *rk;
    bool held[NPARTS];
    int owned;
    int assigns, revokes; /* rebalance callbacks seen */
} member_t;

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    member_t *m = opaque;
    bool assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    if (assign)
        m->assigns++;
    else
        m->revokes++;
    for (int i = 0; i < parts->cnt; i++) {
        int p = parts->elems[i].partition;
        ck_assert(p >= 0 && p < NPARTS);
        if (m->held[p] != assign)
            m->owned += assign ? 1 : -1;
        m->held[p] = assign;
    }
    rd_kafka_assign(rk, assign ? parts : NULL);
}

static void member_start(member_t *m, const char *bootstrap, const char *instance_id)
{
    memset(m, 0, sizeof *m);
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "client.id", instance_id);
    conf_set(conf, "group.id", GROUP);
    conf_set(conf, "group.instance.id", instance_id);
    conf_set(conf, "partition.assignment.strategy", "range");
    conf_set(conf, "session.timeout.ms", SESSION_MS);
    conf_set(conf, "heartbeat.interval.ms", "300");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, m);
    m->rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, TOPIC, RD_KAFKA_PARTITION_UA);
    ck_assert_int_eq(rd_kafka_subscribe(m->rk, topics), 0);
    rd_kafka_topic_partition_list_destroy(topics);
}

/* Closes the handle the way an application does; a static member keeps
 * its place in the group. */
static void member_close(member_t *m)
{
    ck_assert_int_eq(rd_kafka_consumer_close(m->rk), 0);
    rd_kafka_destroy(m->rk);
    m->rk = NULL;
}

/* Polls the live members of ms until each of a and b (b may be NULL)
 * holds want_a and want_b partitions; fails at the deadline. */
static void poll_until_owned(member_t *a, int want_a, member_t *b, int want_b)
{
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (a->owned != want_a || (b && b->owned != want_b)) {
        ck_assert_msg(fixture_now_ms() < deadline, "owned %d and %d, waiting for %d and %d", a->owned,
                      b ? b->owned : 0, want_a, want_b);
        member_t *ms[] = {a, b};
        for (int k = 0; k < 2; k++) {
            if (!ms[k] || !ms[k]->rk)
                continue;
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(ms[k]->rk, 20);
            if (msg)
                rd_kafka_message_destroy(msg);
        }
    }
}

START_TEST(test_static_member_restarts_without_rebalance)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    create_topic(f.bootstrap, TOPIC, NPARTS);
    member_t a, b;
    member_start(&a, f.bootstrap, "static-a");
    member_start(&b, f.bootstrap, "static-b");
    poll_until_owned(&a, NPARTS / 2, &b, NPARTS / 2);
    for (int p = 0; p < NPARTS; p++)
        ck_assert_msg(a.held[p] != b.held[p], "partition %d held by both or neither", p);
    bool a_held[NPARTS];
    memcpy(a_held, a.held, sizeof a_held);
    int b_assigns = b.assigns, b_revokes = b.revokes;

    /* a restarts within its session timeout. Were the group to rebalance,
     * b would have to revoke (eager protocol) and rejoin before the new
     * a could be assigned anything: so once the new a holds its
     * partitions, b's callback count tells whether it happened. */
    member_close(&a);
    member_start(&a, f.bootstrap, "static-a");
    poll_until_owned(&a, NPARTS / 2, &b, NPARTS / 2);
    ck_assert_int_eq(memcmp(a.held, a_held, sizeof a_held), 0);
    ck_assert_int_eq(a.assigns, 1);
    ck_assert_int_eq(b.assigns, b_assigns);
    ck_assert_int_eq(b.revokes, b_revokes);

    /* gone for longer than its session timeout: b takes everything */
    member_close(&a);
    poll_until_owned(&b, NPARTS, NULL, 0);
    ck_assert_int_eq(b.revokes, b_revokes + 1);
    member_close(&b);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("broker_static_members");
    TCase *tc = tcase_create("static");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_static_member_restarts_without_rebalance);
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
