/* Our consumer (lib/consumer) against Apache Kafka: assign, seek,
 * pause/resume, offsets for times, watermarks and lag; a group of two
 * members (range and cooperative-sticky) where a second member joins and
 * every message is read, each duplicate accounted for by a refused
 * commit; regex subscription; static membership seen by the coordinator;
 * synchronous, asynchronous and automatic commits read back through the
 * admin client. Waits poll with deadlines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_fixture.h"
#include "test_skip.h"

#define BASE_TS INT64_C(1700000000000)

static kl_consumer_t *consumer(kl_conf_t *conf)
{
    char err[256];
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    return c;
}

/* The next real message (events skipped), or NULL after timeout_ms. */
static kl_message_t *next_msg(kl_consumer_t *c, int timeout_ms)
{
    int64_t end = kf_now_ms() + timeout_ms;
    do {
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (m && kl_message_error(m) == KL_ERR_NONE)
            return m;
        if (m)
            kl_message_destroy(m);
    } while (kf_now_ms() < end);
    return NULL;
}

static int value_index(const kl_message_t *m, const char *prefix)
{
    size_t len;
    const char *v = kl_message_value(m, &len);
    size_t pl = strlen(prefix);
    CHECK(v && len > pl && memcmp(v, prefix, pl) == 0, "unexpected value");
    char buf[32];
    ck_assert_uint_lt(len - pl, sizeof buf);
    memcpy(buf, v + pl, len - pl);
    buf[len - pl] = '\0';
    return atoi(buf);
}

START_TEST(test_assign_seek_pause_times_lag)
{
    char topic[64];
    kf_name(topic, sizeof topic, "assign");
    kf_create_topic(topic, 3, 3, NULL);
    for (int p = 0; p < 3; p++)
        kf_produce(topic, p, 100, "m", BASE_TS + p * 1000);
    kl_consumer_t *c = consumer(kf_conf(NULL));
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(3);
    for (int p = 0; p < 3; p++)
        kl_topic_partition_list_add(tps, topic, p)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(c, tps), KL_ERR_NONE);
    int64_t next[3] = {0, 0, 0};
    for (int n = 0; n < 300; n++) {
        kl_message_t *m = next_msg(c, KF_DEADLINE_MS);
        ck_assert_msg(m, "%d of 300 messages", n);
        int p = kl_message_partition(m);
        ck_assert_int_eq(kl_message_offset(m), next[p]);
        ck_assert_int_eq(value_index(m, "m"), (int)next[p]);
        ck_assert_int_eq(kl_message_timestamp(m, NULL), BASE_TS + p * 1000 + next[p]);
        next[p]++;
        kl_message_destroy(m);
    }
    /* Watermarks from the leader and as the last fetch saw them; lag. */
    int64_t lo, hi;
    ck_assert_int_eq(kl_query_watermark_offsets(c, topic, 1, &lo, &hi, 10000), KL_ERR_NONE);
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, 100);
    kl_partition_lag_t *lags;
    size_t nlags;
    ck_assert_int_eq(kl_consumer_lag(c, &lags, &nlags), KL_ERR_NONE);
    ck_assert_uint_eq(nlags, 3);
    for (size_t i = 0; i < nlags; i++) {
        ck_assert_int_eq(lags[i].position, 100);
        ck_assert_int_eq(lags[i].high_watermark, 100);
    }
    kl_consumer_lag_destroy(lags, nlags);
    /* Offsets for times: the first message at or after each time. */
    kl_topic_partition_list_t *times = kl_topic_partition_list_new(3);
    kl_topic_partition_list_add(times, topic, 0)->offset = BASE_TS + 42;
    kl_topic_partition_list_add(times, topic, 1)->offset = BASE_TS + 1000 + 99;
    kl_topic_partition_list_add(times, topic, 2)->offset = BASE_TS + 2000 + 100;
    ck_assert_int_eq(kl_offsets_for_times(c, times, 10000), KL_ERR_NONE);
    ck_assert_int_eq(times->elems[0].offset, 42);
    ck_assert_int_eq(times->elems[1].offset, 99);
    ck_assert_int_eq(times->elems[2].offset, KL_OFFSET_END);
    kl_topic_partition_list_destroy(times);
    /* Seek back on partition 0. */
    ck_assert_int_eq(kl_seek(c, topic, 0, 60, 0), KL_ERR_NONE);
    kl_message_t *m = next_msg(c, KF_DEADLINE_MS);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(kl_message_partition(m), 0);
    ck_assert_int_eq(kl_message_offset(m), 60);
    kl_message_destroy(m);
    ck_assert_int_eq(kl_seek(c, topic, 0, KL_OFFSET_END, 0), KL_ERR_NONE);
    /* Pause partition 1: new messages come from 2 only, then 1 after resume. */
    kl_topic_partition_list_t *one = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(one, topic, 1);
    ck_assert_int_eq(kl_pause(c, one), KL_ERR_NONE);
    kf_produce(topic, 1, 10, "m", 0);
    kf_produce(topic, 2, 10, "m", 0);
    for (int n = 0; n < 10; n++) {
        m = next_msg(c, KF_DEADLINE_MS);
        ck_assert_msg(m, "%d of partition 2's 10", n);
        ck_assert_int_eq(kl_message_partition(m), 2);
        kl_message_destroy(m);
    }
    ck_assert_int_eq(kl_resume(c, one), KL_ERR_NONE);
    for (int n = 0; n < 10; n++) {
        m = next_msg(c, KF_DEADLINE_MS);
        ck_assert_msg(m, "%d of partition 1's 10 after resume", n);
        ck_assert_int_eq(kl_message_partition(m), 1);
        ck_assert_int_eq(kl_message_offset(m), 100 + n);
        kl_message_destroy(m);
    }
    kl_topic_partition_list_destroy(one);
    kl_topic_partition_list_destroy(tps);
    kl_consumer_destroy(c);
}
END_TEST

/* ---- a group of two -------------------------------------------------- */

#define GROUP_MSGS 600

typedef struct member {
    kl_consumer_t *c;
    int commit_failures;
} member_t;

/* Polls m once: a message is counted in seen[] and committed at once. */
static int poll_member(member_t *m, const char *prefix, int *seen)
{
    kl_message_t *msg = kl_consumer_poll(m->c, 50);
    if (!msg)
        return 0;
    int got = 0;
    if (kl_message_error(msg) == KL_ERR_NONE) {
        size_t len;
        const char *v = kl_message_value(msg, &len);
        /* the first half's values are g<i>, the second half's h<i> */
        int i = value_index(msg, v && len && *v == 'h' ? "h" : prefix) + (v && len && *v == 'h' ? GROUP_MSGS / 2 : 0);
        CHECK(i >= 0 && i < GROUP_MSGS, "value %d", i);
        seen[i]++;
        got = 1;
        if (kl_commit_message(m->c, msg, 0) != KL_ERR_NONE)
            m->commit_failures++;
    }
    kl_message_destroy(msg);
    return got;
}

static void has_partitions(kl_consumer_t *c, int *has)
{
    kl_topic_partition_list_t *a = NULL;
    ck_assert_int_eq(kl_assignment(c, &a), KL_ERR_NONE);
    *has = a->count > 0;
    kl_topic_partition_list_destroy(a);
}

static const char *const assignors[] = {"range", "cooperative-sticky"};

START_TEST(test_group_join)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "grp");
    kf_name(group, sizeof group, "g");
    kf_create_topic(topic, 4, 3, NULL);
    kf_produce(topic, KL_PARTITION_UA, GROUP_MSGS / 2, "g", 0);
    static int seen[GROUP_MSGS];
    memset(seen, 0, sizeof seen);
    member_t a = {0}, b = {0};
    a.c = consumer(kf_conf("group.id", group, "partition.assignment.strategy", assignors[_i], "auto.offset.reset",
                           "earliest", "enable.auto.commit", "false", NULL));
    const char *sub[] = {topic};
    ck_assert_int_eq(kl_subscribe(a.c, sub, 1), KL_ERR_NONE);
    int total = 0;
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (total < GROUP_MSGS / 4) {
        ck_assert_msg(kf_now_ms() < deadline, "first member: %d messages", total);
        total += poll_member(&a, "g", seen);
    }
    /* A second member joins while the rest is produced. */
    b.c = consumer(kf_conf("group.id", group, "partition.assignment.strategy", assignors[_i], "auto.offset.reset",
                           "earliest", "enable.auto.commit", "false", NULL));
    ck_assert_int_eq(kl_subscribe(b.c, sub, 1), KL_ERR_NONE);
    kf_produce(topic, KL_PARTITION_UA, GROUP_MSGS / 2, "h", 0);
    int a_has = 0, b_has = 0, distinct = 0;
    deadline = kf_now_ms() + 2 * KF_DEADLINE_MS;
    while (distinct < GROUP_MSGS || !a_has || !b_has) {
        ck_assert_msg(kf_now_ms() < deadline, "%d distinct messages; members own partitions: %d %d", distinct,
                      a_has, b_has);
        poll_member(&a, "g", seen);
        poll_member(&b, "g", seen);
        has_partitions(a.c, &a_has);
        has_partitions(b.c, &b_has);
        distinct = 0;
        for (int i = 0; i < GROUP_MSGS; i++)
            distinct += seen[i] > 0;
    }
    ck_assert_str_eq(kl_rebalance_protocol(a.c), _i ? "COOPERATIVE" : "EAGER");
    int dups = 0;
    for (int i = 0; i < GROUP_MSGS; i++)
        dups += seen[i] - 1;
    ck_assert_msg(dups <= a.commit_failures + b.commit_failures, "%d duplicates, %d refused commits", dups,
                  a.commit_failures + b.commit_failures);
    kl_consumer_destroy(a.c);
    kl_consumer_destroy(b.c);
}
END_TEST

START_TEST(test_regex_subscription)
{
    char prefix[64], t1[80], t2[80], other[80], group[64], pattern[80];
    kf_name(prefix, sizeof prefix, "rx");
    snprintf(t1, sizeof t1, "%s-a", prefix);
    snprintf(t2, sizeof t2, "%s-b", prefix);
    snprintf(other, sizeof other, "%sx-c", prefix);
    snprintf(pattern, sizeof pattern, "^%s-[ab]$", prefix);
    kf_name(group, sizeof group, "rxg");
    kf_create_topic(t1, 1, 3, NULL);
    kf_create_topic(t2, 2, 3, NULL);
    kf_create_topic(other, 1, 3, NULL);
    kf_produce(t1, 0, 10, "r", 0);
    kf_produce(t2, KL_PARTITION_UA, 10, "r", 0);
    kf_produce(other, 0, 10, "x", 0);
    kl_consumer_t *c = consumer(kf_conf("group.id", group, "auto.offset.reset", "earliest", NULL));
    const char *sub[] = {pattern};
    ck_assert_int_eq(kl_subscribe(c, sub, 1), KL_ERR_NONE);
    int from1 = 0, from2 = 0;
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (from1 < 10 || from2 < 10) {
        ck_assert_msg(kf_now_ms() < deadline, "%d and %d messages", from1, from2);
        kl_message_t *m = next_msg(c, 200);
        if (!m)
            continue;
        const char *t = kl_message_topic(m);
        ck_assert_msg(strcmp(t, other) != 0, "read %s, which the pattern does not match", t);
        from1 += strcmp(t, t1) == 0;
        from2 += strcmp(t, t2) == 0;
        kl_message_destroy(m);
    }
    kl_consumer_destroy(c);
}
END_TEST

static kl_admin_t *admin(void)
{
    char err[256];
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    return a;
}

START_TEST(test_static_member)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "static");
    kf_name(group, sizeof group, "sg");
    kf_create_topic(topic, 2, 3, NULL);
    kf_produce(topic, KL_PARTITION_UA, 20, "s", 0);
    kl_consumer_t *c = consumer(kf_conf("group.id", group, "group.instance.id", "instance-1", "auto.offset.reset",
                                        "earliest", NULL));
    const char *sub[] = {topic};
    ck_assert_int_eq(kl_subscribe(c, sub, 1), KL_ERR_NONE);
    kl_message_t *m = next_msg(c, KF_DEADLINE_MS);
    ck_assert_ptr_nonnull(m);
    kl_message_destroy(m);
    kl_admin_t *a = admin();
    const char *gs[] = {group};
    kl_admin_groups_t *g = NULL;
    ck_assert_int_eq(kl_admin_describe_groups(a, gs, 1, 10000, &g), KL_ERR_NONE);
    ck_assert_uint_eq(g->count, 1);
    ck_assert_int_eq(g->items[0].err, KL_ERR_NONE);
    ck_assert_str_eq(g->items[0].state, "Stable");
    ck_assert_uint_eq(g->items[0].member_count, 1);
    ck_assert_ptr_nonnull(g->items[0].members[0].group_instance_id);
    ck_assert_str_eq(g->items[0].members[0].group_instance_id, "instance-1");
    ck_assert_uint_eq(g->items[0].members[0].assignment->count, 2);
    kl_admin_groups_destroy(g);
    kl_admin_destroy(a);
    kl_consumer_destroy(c);
}
END_TEST

START_TEST(test_commits)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "commit");
    kf_name(group, sizeof group, "cg");
    kf_create_topic(topic, 2, 3, NULL);
    kf_produce(topic, 0, 50, "c", 0);
    kf_produce(topic, 1, 50, "c", 0);
    /* Synchronous and asynchronous commits of explicit offsets. */
    kl_consumer_t *c = consumer(kf_conf("group.id", group, "enable.auto.commit", "false", NULL));
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(tps, topic, 0)->offset = 7;
    ck_assert_int_eq(kl_commit(c, tps, 0), KL_ERR_NONE);
    tps->elems[0].offset = 9;
    kl_topic_partition_list_add(tps, topic, 1)->offset = 11;
    ck_assert_int_eq(kl_commit(c, tps, 1), KL_ERR_NONE);
    kl_topic_partition_list_t *q = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(q, topic, 0);
    kl_topic_partition_list_add(q, topic, 1);
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    for (;;) {
        kl_message_t *m = kl_consumer_poll(c, 50); /* serves the async commit */
        if (m)
            kl_message_destroy(m);
        ck_assert_int_eq(kl_committed(c, q, 10000), KL_ERR_NONE);
        if (q->elems[0].offset == 9 && q->elems[1].offset == 11)
            break;
        ck_assert_msg(kf_now_ms() < deadline, "committed %lld %lld", (long long)q->elems[0].offset,
                      (long long)q->elems[1].offset);
    }
    kl_consumer_destroy(c);
    /* Automatic commits of what was read, seen through the admin client. */
    c = consumer(kf_conf("group.id", group, "enable.auto.commit", "true", "auto.commit.interval.ms", "100", NULL));
    const char *sub[] = {topic};
    ck_assert_int_eq(kl_subscribe(c, sub, 1), KL_ERR_NONE);
    for (int n = 0; n < 80; n++) { /* (50 - 9) + (50 - 11) */
        kl_message_t *m = next_msg(c, KF_DEADLINE_MS);
        ck_assert_msg(m, "%d of 80 messages after the committed offsets", n);
        kl_message_destroy(m);
    }
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    kl_consumer_destroy(c);
    kl_admin_t *a = admin();
    kl_topic_partition_list_t *offs = NULL;
    ck_assert_int_eq(kl_admin_list_group_offsets(a, group, NULL, 10000, &offs), KL_ERR_NONE);
    ck_assert_uint_eq(offs->count, 2);
    for (size_t i = 0; i < offs->count; i++)
        ck_assert_int_eq(offs->elems[i].offset, 50);
    kl_topic_partition_list_destroy(offs);
    kl_admin_destroy(a);
    kl_topic_partition_list_destroy(q);
    kl_topic_partition_list_destroy(tps);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_consumer");
    Suite *s = suite_create("kafka_consumer");
    TCase *tc = tcase_create("against_kafka");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_assign_seek_pause_times_lag);
    tcase_add_loop_test(tc, test_group_join, 0, 2);
    tcase_add_test(tc, test_regex_subscription);
    tcase_add_test(tc, test_static_member);
    tcase_add_test(tc, test_commits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
