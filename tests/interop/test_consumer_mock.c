/* The consumer's commits against librdkafka's mock cluster (three
 * brokers) while the mock injects COORDINATOR_NOT_AVAILABLE,
 * NOT_COORDINATOR, REBALANCE_IN_PROGRESS and ILLEGAL_GENERATION into
 * OffsetCommit, Heartbeat and JoinGroup, and moves the coordinator: at the
 * kl_consumer API level, every message is read, a partition is only ever
 * re-read from its last successful commit (the uncommitted window), and
 * kl_committed() shows exactly what the commit callback said succeeded.
 * (The group member alone, below the consumer, is test_cgrp_mock.c.) */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_util.h"
#include "proto/api.h"

#define TOPIC "mocked"
#define GROUP "mock-consumers"
#define NPART 4
#define PER_PART 300
#define COMMIT_EVERY 25
#define WAIT_MS 90000

static int64_t committed_ok[NPART]; /* per the commit callback; 0 before any */

static void commit_cb(kl_consumer_t *c, kl_err_t err, const kl_topic_partition_list_t *offsets, void *opaque)
{
    (void)c;
    (void)opaque;
    if (err)
        return;
    for (size_t i = 0; i < offsets->count; i++)
        if (!offsets->elems[i].err && offsets->elems[i].offset >= 0)
            committed_ok[offsets->elems[i].partition] = offsets->elems[i].offset;
}

static void produce(mock_cluster_t *m)
{
    kl_producer_t *p = mock_kl_producer_new(mock_kl_producer_conf(m->bootstraps, NULL, NULL, NULL));
    for (int i = 0; i < PER_PART; i++)
        for (int32_t part = 0; part < NPART; part++)
            ck_assert_int_eq(kl_produce(p, TOPIC, part, NULL, 0, "v", 1, 0, NULL), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_flush(p, WAIT_MS), KL_ERR_NONE);
    ck_assert_uint_eq(kl_producer_failed(p), 0);
    kl_producer_destroy(p);
}

static void push(mock_cluster_t *m, int16_t api, rd_kafka_resp_err_t a, rd_kafka_resp_err_t b)
{
    rd_kafka_mock_push_request_errors(m->mc, api, 2, a, b);
}

/* Faults injected as the consumer gets through the messages. */
static void inject(mock_cluster_t *m, int stage)
{
    switch (stage) {
    case 0:
        push(m, KL_API_OFFSET_COMMIT, RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
        break;
    case 1:
        push(m, KL_API_HEARTBEAT, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
        push(m, KL_API_JOIN_GROUP, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
        break;
    case 2:
        push(m, KL_API_HEARTBEAT, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
        break;
    case 3:
        push(m, KL_API_OFFSET_COMMIT, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
             RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION);
        break;
    case 4:
        ck_assert_int_eq(rd_kafka_mock_coordinator_set(m->mc, "group", GROUP, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
        break;
    default:
        break;
    }
}

START_TEST(test_commits_survive_group_errors)
{
    mock_cluster_t m;
    mock_cluster_start(&m, 3);
    mock_topic_create(&m, TOPIC, NPART);
    ck_assert_int_eq(rd_kafka_mock_coordinator_set(m.mc, "group", GROUP, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    produce(&m);
    memset(committed_ok, 0, sizeof committed_ok);

    kl_conf_t *conf = kl_conf_new();
    mock_kl_set(conf, "bootstrap.servers", m.bootstraps);
    mock_kl_set(conf, "group.id", GROUP);
    mock_kl_set(conf, "auto.offset.reset", "earliest");
    mock_kl_set(conf, "enable.auto.commit", "false");
    mock_kl_set(conf, "session.timeout.ms", "6000");
    mock_kl_set(conf, "heartbeat.interval.ms", "100");
    mock_kl_set(conf, "fetch.wait.max.ms", "50");
    kl_conf_set_offset_commit_cb(conf, commit_cb);
    char errstr[256];
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    const char *topics[] = {TOPIC};
    ck_assert_int_eq(kl_subscribe(c, topics, 1), KL_ERR_NONE);

    int64_t next[NPART] = {0}; /* the offset after the last one read */
    long reads = 0, rereads = 0;
    int stage = 0;
    int64_t deadline = mock_now_ms() + WAIT_MS;
    bool done = false;
    while (!done && mock_now_ms() < deadline) {
        kl_message_t *msg = kl_consumer_poll(c, 100);
        if (msg && !kl_message_error(msg)) {
            int32_t p = kl_message_partition(msg);
            int64_t o = kl_message_offset(msg);
            CHECK(p >= 0 && p < NPART, "partition %d", p);
            /* in order, or again from the last successful commit */
            CHECK(o == next[p] || o == committed_ok[p], "partition %d: offset %lld after %lld, committed %lld", p,
                  (long long)o, (long long)next[p] - 1, (long long)committed_ok[p]);
            if (o != next[p])
                rereads += next[p] - o;
            next[p] = o + 1;
            if (++reads % COMMIT_EVERY == 0) {
                kl_err_t err = kl_commit(c, NULL, 0);
                CHECK(err == KL_ERR_NONE || err == KL_ERR_NOENT || err == KL_ERR_REBALANCE_IN_PROGRESS ||
                          err == KL_ERR_ILLEGAL_GENERATION || err == KL_ERR_UNKNOWN_MEMBER_ID,
                      "commit: %s", kl_err_name(err));
                if (reads % (COMMIT_EVERY * 8) == 0)
                    inject(&m, stage++);
            }
        } else if (msg) {
            fprintf(stderr, "poll: %s\n", kl_err_name(kl_message_error(msg)));
        }
        kl_message_destroy(msg);
        done = true;
        for (int p = 0; p < NPART; p++)
            done &= next[p] == PER_PART;
        if (done) { /* the last commit must land, however many tries */
            (void)kl_commit(c, NULL, 0);
            for (int p = 0; p < NPART; p++)
                done &= committed_ok[p] == PER_PART;
        }
    }
    ck_assert_msg(done, "read up to %lld %lld %lld %lld, committed %lld %lld %lld %lld", (long long)next[0],
                  (long long)next[1], (long long)next[2], (long long)next[3], (long long)committed_ok[0],
                  (long long)committed_ok[1], (long long)committed_ok[2], (long long)committed_ok[3]);
    ck_assert_int_ge(stage, 5); /* every fault was injected */
    fprintf(stderr, "%ld messages read, %ld of them again from the last commit\n", reads, rereads);

    /* the coordinator (now broker 3) holds exactly what succeeded */
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(NPART);
    for (int32_t p = 0; p < NPART; p++)
        kl_topic_partition_list_add(list, TOPIC, p);
    ck_assert_int_eq(kl_committed(c, list, WAIT_MS), KL_ERR_NONE);
    for (int p = 0; p < NPART; p++) {
        ck_assert_int_eq(list->elems[p].err, KL_ERR_NONE);
        ck_assert_int_eq(list->elems[p].offset, PER_PART);
    }
    kl_topic_partition_list_destroy(list);
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    kl_consumer_destroy(c);
    mock_cluster_stop(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("consumer_mock");
    TCase *tc = tcase_create("group_errors");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_commits_survive_group_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
