/* The group member against librdkafka's mock cluster (three brokers):
 * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, REBALANCE_IN_PROGRESS and
 * ILLEGAL_GENERATION injected into FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat and OffsetCommit are recovered from, committed offsets are
 * neither lost nor moved backwards, and a coordinator move is followed. */
#include <check.h>
#include <stdlib.h>

#include "mock_util.h"
#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "../integration/cgrp_harness.h"

#define TOPIC "mocked"
#define PARTITIONS 6
#define GROUP "mock-group"

/* librdkafka's mock completes a rebalance as soon as the leader's
 * SyncGroup arrives and answers a follower's SyncGroup that comes later
 * with INVALID_REQUEST (a real coordinator hands it its assignment), so
 * on a loaded machine a round can be lost to that race: the follower
 * joins again and the mock waits session.timeout.ms - 1 s before the next
 * election. A short session keeps such rounds at 2 s, and the waits allow
 * for many of them. */
#define MOCK_WAIT_MS 90000

static const char *const topics[] = {TOPIC, NULL};

static member_t *join(mock_cluster_t *mc)
{
    static const char *const props[] = {
        "partition.assignment.strategy", "range",
        "session.timeout.ms", "3000",
        "heartbeat.interval.ms", "100",
        NULL,
    };
    member_t *m = member_new(mc->bootstraps, GROUP, props);
    member_subscribe(m, topics);
    return m;
}

static void push(mock_cluster_t *mc, int16_t api, rd_kafka_resp_err_t a, rd_kafka_resp_err_t b)
{
    rd_kafka_mock_push_request_errors(mc->mc, api, 2, a, b);
}

/* Commits offset to every partition the member owns; returns the error
 * of the first partition (all must agree). */
static kl_err_t commit_owned(member_t *m, int64_t offset)
{
    pthread_mutex_lock(&m->lock);
    kl_topic_partition_list_t *l = kl_topic_partition_list_copy(m->owned);
    pthread_mutex_unlock(&m->lock);
    for (size_t i = 0; i < l->count; i++)
        l->elems[i].offset = offset;
    offsets_result_t r = member_commit(m, l);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    ck_assert_uint_eq(r.parts->count, l->count);
    kl_err_t err = r.parts->count ? r.parts->elems[0].err : KL_ERR_NONE;
    for (size_t i = 0; i < r.parts->count; i++)
        ck_assert_int_eq(r.parts->elems[i].err, err);
    kl_topic_partition_list_destroy(r.parts);
    kl_topic_partition_list_destroy(l);
    return err;
}

static void check_committed(member_t *m, int64_t offset)
{
    kl_topic_partition_list_t *l = kl_topic_partition_list_new(0);
    for (int p = 0; p < PARTITIONS; p++)
        kl_topic_partition_list_add(l, TOPIC, p);
    offsets_result_t r = member_fetch(m, l);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    for (size_t i = 0; i < r.parts->count; i++) {
        ck_assert_int_eq(r.parts->elems[i].err, KL_ERR_NONE);
        ck_assert_int_eq(r.parts->elems[i].offset, offset);
    }
    kl_topic_partition_list_destroy(r.parts);
    kl_topic_partition_list_destroy(l);
}

/* Commits offset from both members (each its own partitions), retrying a
 * commit refused because the group is rebalancing, as a consumer would. */
static void commit_all(member_t **ms, int64_t offset)
{
    for (int i = 0; i < 2; i++) {
        kl_err_t err;
        int attempts = 0;
        do {
            ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, MOCK_WAIT_MS));
            err = commit_owned(ms[i], offset);
            ck_assert_msg(!err || err == KL_ERR_REBALANCE_IN_PROGRESS || err == KL_ERR_ILLEGAL_GENERATION ||
                              err == KL_ERR_UNKNOWN_MEMBER_ID,
                          "commit: %s", kl_err_name(err));
        } while (err && ++attempts < 10);
        ck_assert_int_eq(err, KL_ERR_NONE);
    }
}

START_TEST(injected_errors_are_recovered)
{
    mock_cluster_t mc;
    mock_cluster_start(&mc, 3);
    mock_topic_create(&mc, TOPIC, PARTITIONS);
    push(&mc, KL_API_FIND_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
         RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
    push(&mc, KL_API_JOIN_GROUP, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    push(&mc, KL_API_SYNC_GROUP, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    member_t *ms[2] = {join(&mc), join(&mc)};
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, MOCK_WAIT_MS));

    push(&mc, KL_API_OFFSET_COMMIT, RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
    commit_all(ms, 10);
    check_committed(ms[0], 10);

    /* the coordinator starts a rebalance, then forgets the generation */
    push(&mc, KL_API_HEARTBEAT, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
    push(&mc, KL_API_HEARTBEAT, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, MOCK_WAIT_MS));
    check_committed(ms[1], 10); /* nothing lost */

    /* a commit refused mid-rebalance changes nothing; a later one lands */
    push(&mc, KL_API_OFFSET_COMMIT, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
         RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    commit_all(ms, 20);
    check_committed(ms[0], 20);
    member_close(ms[0]);
    member_close(ms[1]);
    mock_cluster_stop(&mc);
}
END_TEST

static void coordinator_fn(member_t *m, void *arg)
{
    *(int32_t *)arg = m->cg->coord.broker ? kl_client_broker_id(m->cg->coord.broker) : -1;
}

static int32_t coordinator_of(member_t *m)
{
    int32_t id;
    member_call(m, coordinator_fn, &id);
    return id;
}

START_TEST(coordinator_move_is_followed)
{
    mock_cluster_t mc;
    mock_cluster_start(&mc, 3);
    mock_topic_create(&mc, TOPIC, PARTITIONS);
    ck_assert_int_eq(rd_kafka_mock_coordinator_set(mc.mc, "group", GROUP, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    member_t *ms[2] = {join(&mc), join(&mc)};
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, MOCK_WAIT_MS));
    ck_assert_int_eq(coordinator_of(ms[0]), 1);
    commit_all(ms, 5);

    ck_assert_int_eq(rd_kafka_mock_coordinator_set(mc.mc, "group", GROUP, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    long long deadline = mock_now_ms() + MOCK_WAIT_MS;
    while ((coordinator_of(ms[0]) != 3 || coordinator_of(ms[1]) != 3) && mock_now_ms() < deadline)
        members_cover(ms, 2, TOPIC, PARTITIONS, 100); /* waits on the members' events */
    ck_assert_int_eq(coordinator_of(ms[0]), 3);
    ck_assert_int_eq(coordinator_of(ms[1]), 3);
    ck_assert(members_cover(ms, 2, TOPIC, PARTITIONS, MOCK_WAIT_MS));
    check_committed(ms[1], 5);
    commit_all(ms, 6);
    check_committed(ms[0], 6);
    member_close(ms[0]);
    member_close(ms[1]);
    mock_cluster_stop(&mc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgrp_mock");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, injected_errors_are_recovered);
    suite_add_tcase(s, tc);
    tc = tcase_create("move");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, coordinator_move_is_followed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
