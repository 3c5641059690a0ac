/* Loading __consumer_offsets past damage, over the wire. Three commits of
 * one group are three batches; the middle one is then damaged on disk
 * while the broker is down. A batch that fails its CRC, or passes it but
 * holds a record that does not decode, is skipped: the commit after it is
 * loaded, and a commit acknowledged after the restart survives the next
 * one. A batch whose length is broken leaves the rest of the partition
 * unreadable: the partition goes offline, FindCoordinator answers
 * COORDINATOR_NOT_AVAILABLE for its groups and no commit is acknowledged
 * (one would be lost at every restart). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_wire.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"
#include "record/batch_layout.h"
#include "util/clock.h"

#define GROUP "damaged"

/* One offsets partition: every group's commits in one log, a segment
 * rolled at every commit (log.roll.ms counts in the batches' timestamps),
 * so that the damaged batch is in a sealed segment, which opening the log
 * does not read again: damage there is the coordinator's to meet. */
static const char *const props[] = {
    "offsets.topic.num.partitions", "1",
    "log.roll.ms", "1",
    NULL,
};

/* OffsetCommit v2 of GROUP at offset on partition 0 of "t"; its error. */
static int16_t commit_at(wire_client_t *wc, int64_t offset)
{
    kl_offset_commit_request_partition_t p = {.partition_index = 0, .committed_offset = offset,
                                              .committed_leader_epoch = -1, .commit_timestamp = -1,
                                              .committed_metadata = kl_str("")};
    kl_offset_commit_request_topic_t t = {.name = kl_str("t"), .partitions = {&p, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.generation_id_or_member_epoch = -1;
    req.member_id = kl_str("");
    req.retention_time_ms = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_commit_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_COMMIT, 2, &req, &resp, &x);
    int16_t err = resp.topics.items[0].partitions.items[0].error_code;
    done(&x);
    return err;
}

/* OffsetFetch v3 of GROUP's offset of partition 0 of "t" (-1: none). */
static int64_t committed(wire_client_t *wc)
{
    int32_t idx = 0;
    kl_offset_fetch_request_topic_t t = {.name = kl_str("t"), .partition_indexes = {&idx, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 3, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    int64_t offset = resp.topics.items[0].partitions.items[0].committed_offset;
    done(&x);
    return offset;
}

/* FindCoordinator v1 for GROUP: its error. */
static int16_t find_coordinator(wire_client_t *wc)
{
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    req.key = kl_str(GROUP);
    kl_find_coordinator_response_t resp;
    exchange_t x;
    call(wc, KL_API_FIND_COORDINATOR, 1, &req, &resp, &x);
    int16_t err = resp.error_code;
    done(&x);
    return err;
}

typedef enum {
    DAMAGE_CRC,     /* six bytes of the records flipped: the CRC fails */
    DAMAGE_RECORD,  /* a record's length changed, the CRC recomputed */
    DAMAGE_LENGTH,  /* the batch length: the next batch cannot be found */
} damage_t;

/* Damages the batch at offset 1 (commit 2), alone in its segment. */
static void damage_second_batch(const broker_fixture_t *f, damage_t how)
{
    char path[256];
    snprintf(path, sizeof path, "%s/__consumer_offsets-0/%020d.log", f->dir, 1);
    FILE *fp = fopen(path, "r+b");
    ck_assert_msg(fp != NULL, "%s: the batch should start a segment", path);
    uint8_t buf[4096];
    size_t len = fread(buf, 1, sizeof buf, fp);
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, buf, len, 0);
    kl_batch_t b;
    ck_assert_int_eq(kl_batch_iter_next(&it, &b), 0);
    ck_assert_int_eq(b.base_offset, 1);
    uint8_t *p = buf;
    if (how == DAMAGE_CRC) {
        for (size_t i = 0; i < 6; i++)
            p[KL_BATCH_HEADER_SIZE + 2 + i] ^= 0x5a;
    } else if (how == DAMAGE_RECORD) {
        p[KL_BATCH_HEADER_SIZE] += 2; /* the first record's length varint */
        kl_store_be32(p + KL_BATCH_POS_CRC, kl_batch_compute_crc(p, b.size));
    } else {
        kl_store_be32(p + KL_BATCH_POS_LENGTH, 5);
    }
    ck_assert_int_eq(fseek(fp, 0, SEEK_SET), 0);
    ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

/* Commits 1, 2 and 3 (three batches), stops the broker, damages the
 * batch of commit 2 and starts it again on the same directory. */
static void start_damaged(broker_fixture_t *f, wire_client_t *wc, damage_t how)
{
    fixture_start(f, props);
    connect_to(wc, f);
    ck_assert_int_eq(create_topic(wc, "t", 1, 1, NULL, NULL, false, NULL), 0);
    for (int64_t o = 1; o <= 3; o++) {
        /* The commit's timestamp must pass the last one's by more than
         * log.roll.ms for its batch to start a segment. */
        int64_t next_ms = kl_wallclock_ms() + 2;
        while (kl_wallclock_ms() < next_ms)
            ;
        ck_assert_int_eq(commit_at(wc, o), 0);
    }
    wire_close(wc);
    kl_broker_destroy(f->broker);
    f->broker = NULL;
    damage_second_batch(f, how);
    fixture_restart(f);
    connect_to(wc, f);
}

/* The damaged batch is skipped: commit 3 after it is loaded, and a commit
 * acknowledged now survives a restart. */
static void check_skipped(damage_t how)
{
    broker_fixture_t f;
    wire_client_t wc;
    start_damaged(&f, &wc, how);
    ck_assert_int_eq(find_coordinator(&wc), 0);
    ck_assert_int_eq(committed(&wc), 3);
    ck_assert_int_eq(commit_at(&wc, 4), 0);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(committed(&wc), 4);
    wire_close(&wc);
    fixture_stop(&f);
}

START_TEST(test_crc_damage_skipped) { check_skipped(DAMAGE_CRC); }
END_TEST

START_TEST(test_bad_record_skipped) { check_skipped(DAMAGE_RECORD); }
END_TEST

/* Past a broken batch length nothing can be found: the partition is
 * offline and refuses commits, before and after another restart. */
START_TEST(test_broken_length_refuses_commits)
{
    broker_fixture_t f;
    wire_client_t wc;
    start_damaged(&f, &wc, DAMAGE_LENGTH);
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(find_coordinator(&wc), KL_ERR_COORDINATOR_NOT_AVAILABLE);
        ck_assert_int_eq(commit_at(&wc, 4), KL_ERR_NOT_COORDINATOR);
        wire_close(&wc);
        fixture_restart(&f);
        connect_to(&wc, &f);
    }
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("group_load_damage");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_crc_damage_skipped);
    tcase_add_test(tc, test_bad_record_skipped);
    tcase_add_test(tc, test_broken_length_refuses_commits);
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
