/* Group membership against the embedded broker: three members share a
 * 6-partition topic (range, roundrobin, cooperative-sticky) and a member
 * that closes hands its partitions over; a member that dies without
 * leaving is evicted after session.timeout.ms; with cooperative-sticky a
 * newcomer only moves partitions (nothing kept is revoked); a pattern
 * subscription follows a topic created later; max.poll.interval.ms makes
 * the member leave until the next poll; a static member that comes back
 * keeps its partitions without a rebalance, and a duplicate instance id
 * is fenced. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "cgrp_harness.h"

#define TOPIC "shared"
#define PARTITIONS 6

static const char *const broker_props[] = {
    "group.initial.rebalance.delay.ms", "50",
    "group.min.session.timeout.ms", "500",
    "offsets.topic.num.partitions", "3",
    NULL,
};

static const char *const strategies[] = {"range", "roundrobin", "cooperative-sticky"};
static const char *const topics[] = {TOPIC, NULL};

static void make_topic(broker_fixture_t *f, const char *name, int partitions)
{
    wire_client_t wc;
    connect_to(&wc, f);
    ck_assert_int_eq(create_topic(&wc, name, partitions, 1, NULL, NULL, false, NULL), 0);
    wire_close(&wc);
}

static member_t *join(broker_fixture_t *f, const char *group, const char *strategy, const char *session_ms)
{
    const char *const props[] = {
        "partition.assignment.strategy", strategy,
        "session.timeout.ms", session_ms,
        "heartbeat.interval.ms", "200",
        NULL,
    };
    member_t *m = member_new(f->bootstrap, group, props);
    member_subscribe(m, topics);
    return m;
}

START_TEST(three_members_share_then_hand_over)
{
    const char *strategy = strategies[_i];
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    member_t *ms[3];
    for (int i = 0; i < 3; i++)
        ms[i] = join(&f, "three", strategy, "6000");
    ck_assert_msg(members_cover(ms, 3, TOPIC, PARTITIONS, HARNESS_WAIT_MS), "%s: no disjoint cover by 3", strategy);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(member_owned_count(ms[i]), 2);
    member_close(ms[2]);
    ck_assert_msg(members_cover(ms, 2, TOPIC, PARTITIONS, HARNESS_WAIT_MS), "%s: no cover after a close", strategy);
    ck_assert_uint_eq(member_owned_count(ms[0]), 3);
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&ms[i]->lock);
        ck_assert_int_eq(ms[i]->lost_revokes, 0);
        ck_assert_int_eq(ms[i]->errors, 0);
        pthread_mutex_unlock(&ms[i]->lock);
    }
    member_close(ms[1]);
    ck_assert(members_cover(ms, 1, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    member_close(ms[0]);
    fixture_stop(&f);
}
END_TEST

START_TEST(dead_member_evicted_after_session_timeout)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    member_t *ms[3];
    for (int i = 0; i < 3; i++)
        ms[i] = join(&f, "evict", "range", "3000");
    ck_assert(members_cover(ms, 3, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    long long killed = fixture_now_ms();
    member_kill(ms[1]); /* no LeaveGroup */
    ms[1] = ms[2];
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    /* The coordinator waited for the session (3000 ms) to run out from the
     * dead member's last heartbeat, which came at most one interval (200
     * ms) before the kill: twice that for a late heartbeat timer. */
    long long evicted_after = fixture_now_ms() - killed;
    ck_assert_msg(evicted_after >= 3000 - 2 * 200, "evicted %lld ms after the kill: before session.timeout.ms",
                  evicted_after);
    member_close(ms[0]);
    member_close(ms[1]);
    fixture_stop(&f);
}
END_TEST

static bool kept_never_revoked(member_t *m)
{
    for (size_t i = 0; i < m->owned->count; i++)
        if (kl_topic_partition_list_find(m->revoked_log, m->owned->elems[i].topic, m->owned->elems[i].partition))
            return false;
    return true;
}

START_TEST(cooperative_moves_only_what_moves)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    member_t *ms[3];
    for (int i = 0; i < 2; i++)
        ms[i] = join(&f, "coop", "cooperative-sticky", "6000");
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    size_t before[2];
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&ms[i]->lock);
        before[i] = ms[i]->owned->count;
        kl_topic_partition_list_destroy(ms[i]->revoked_log); /* from now on */
        ms[i]->revoked_log = kl_topic_partition_list_new(0);
        pthread_mutex_unlock(&ms[i]->lock);
    }
    ms[2] = join(&f, "coop", "cooperative-sticky", "6000");
    ck_assert(members_cover(ms, 3, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&ms[i]->lock);
        ck_assert_int_eq(ms[i]->lost_revokes, 0);
        ck_assert_msg(kept_never_revoked(ms[i]), "member %d: a kept partition was revoked", i);
        /* exactly the partitions that moved were revoked */
        ck_assert_uint_eq(ms[i]->revoked_log->count, before[i] - ms[i]->owned->count);
        ck_assert_uint_eq(ms[i]->owned->count, 2);
        pthread_mutex_unlock(&ms[i]->lock);
    }
    for (int i = 0; i < 3; i++)
        member_close(ms[i]);
    fixture_stop(&f);
}
END_TEST

START_TEST(pattern_follows_new_topics)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, "rx-a", 2);
    make_topic(&f, "other", 2);
    const char *const props[] = {"topic.metadata.refresh.interval.ms", "200", NULL};
    member_t *m = member_new(f.bootstrap, "pattern", props);
    static const char *const pattern[] = {"^rx-.*", NULL};
    member_subscribe(m, pattern);
    ck_assert(members_cover(&m, 1, "rx-a", 2, HARNESS_WAIT_MS));
    ck_assert_uint_eq(member_owned_count(m), 2); /* not "other" */
    make_topic(&f, "rx-b", 3);
    ck_assert(members_cover(&m, 1, "rx-b", 3, HARNESS_WAIT_MS));
    ck_assert(members_cover(&m, 1, "rx-a", 2, HARNESS_WAIT_MS));
    ck_assert_uint_eq(member_owned_count(m), 5);
    member_close(m);
    fixture_stop(&f);
}
END_TEST

static bool poll_exceeded(member_t *m, void *arg)
{
    (void)arg;
    return m->last_error == KL_ERR_MAX_POLL_EXCEEDED && m->lost_revokes == 1 && m->owned->count == 0;
}

static void poll_fn(member_t *m, void *arg)
{
    (void)arg;
    kl_cgrp_poll_seen(m->cg);
}

START_TEST(max_poll_interval_leaves_until_next_poll)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    const char *const props[] = {"max.poll.interval.ms", "1500", "session.timeout.ms", "6000",
                                 "heartbeat.interval.ms", "200", NULL};
    member_t *m = member_new(f.bootstrap, "slow", props);
    member_subscribe(m, topics);
    ck_assert(members_cover(&m, 1, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    /* nobody polls */
    ck_assert(member_wait(m, poll_exceeded, NULL, HARNESS_WAIT_MS));
    ck_assert_int_eq(member_generation(m), -1);
    member_call(m, poll_fn, NULL);
    ck_assert(members_cover(&m, 1, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    member_close(m);
    fixture_stop(&f);
}
END_TEST

START_TEST(static_member_returns_without_rebalance)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    const char *const a_props[] = {"group.instance.id", "static-a", "session.timeout.ms", "6000",
                                   "heartbeat.interval.ms", "200", NULL};
    const char *const b_props[] = {"group.instance.id", "static-b", "session.timeout.ms", "6000",
                                   "heartbeat.interval.ms", "200", NULL};
    member_t *ms[2] = {member_new(f.bootstrap, "static", a_props), member_new(f.bootstrap, "static", b_props)};
    member_subscribe(ms[0], topics);
    member_subscribe(ms[1], topics);
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    int32_t generation = member_generation(ms[1]);
    pthread_mutex_lock(&ms[1]->lock);
    int b_revokes = ms[1]->revokes;
    pthread_mutex_unlock(&ms[1]->lock);
    member_close(ms[0]); /* a static member does not leave */
    ms[0] = member_new(f.bootstrap, "static", a_props);
    member_subscribe(ms[0], topics);
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    ck_assert_int_eq(member_generation(ms[1]), generation);
    pthread_mutex_lock(&ms[1]->lock);
    ck_assert_int_eq(ms[1]->revokes, b_revokes);
    pthread_mutex_unlock(&ms[1]->lock);
    member_close(ms[0]);
    member_close(ms[1]);
    fixture_stop(&f);
}
END_TEST

static bool fenced(member_t *m, void *arg)
{
    (void)arg;
    return m->last_error == KL_ERR_FENCED_INSTANCE_ID && m->owned->count == 0;
}

START_TEST(duplicate_instance_is_fenced)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, TOPIC, PARTITIONS);
    const char *const props[] = {"group.instance.id", "twin", "session.timeout.ms", "6000",
                                 "heartbeat.interval.ms", "200", NULL};
    member_t *first = member_new(f.bootstrap, "fence", props);
    member_subscribe(first, topics);
    ck_assert(members_cover(&first, 1, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    member_t *second = member_new(f.bootstrap, "fence", props);
    member_subscribe(second, topics);
    ck_assert(members_cover(&second, 1, TOPIC, PARTITIONS, HARNESS_WAIT_MS));
    ck_assert(member_wait(first, fenced, NULL, HARNESS_WAIT_MS));
    member_close(first);
    member_close(second);
    fixture_stop(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgrp");
    TCase *tc = tcase_create("membership");
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, three_members_share_then_hand_over, 0, 3);
    tcase_add_test(tc, dead_member_evicted_after_session_timeout);
    tcase_add_test(tc, cooperative_moves_only_what_moves);
    tcase_add_test(tc, pattern_follows_new_topics);
    tcase_add_test(tc, max_poll_interval_leaves_until_next_poll);
    tcase_add_test(tc, static_member_returns_without_rebalance);
    tcase_add_test(tc, duplicate_instance_is_fenced);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
