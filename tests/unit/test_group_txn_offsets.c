/* Offsets committed in a transaction, coordinator side: pending (not in
 * OffsetFetch) until the marker of their producer lands on their
 * partition, committed by a commit marker, dropped by an abort; replayed
 * the same, each partition's markers applying to that partition's
 * offsets only, the rest staying pending until a marker comes later. */
#include <check.h>
#include <stdlib.h>

#include "group_fixture.h"
#include "proto/codec.h"
#include "record/control.h"

#define PID 1000

static int16_t txn_commit_by(fixture_t *f, int64_t pid, const char *group, int64_t offset)
{
    kl_txn_offset_commit_request_partition_t p = {0, offset, -1, kl_str("")};
    kl_txn_offset_commit_request_topic_t t = {kl_str("in"), {&p, 1}};
    kl_txn_offset_commit_request_t req;
    kl_proto_init(&kl_txn_offset_commit_request_schema, &req);
    req.transactional_id = kl_str("tx");
    req.group_id = kl_str(group);
    req.producer_id = pid;
    req.producer_epoch = 0;
    req.topics.items = &t;
    req.topics.count = 1;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(3, "producer");
    ck_assert_int_eq(group_txn_offset_commit(f->coord, &ctx, &req, fx_reply(&r, KL_API_TXN_OFFSET_COMMIT, 3)),
                     GROUP_REPLIED);
    const kl_txn_offset_commit_response_t *resp = r.resp;
    ck_assert_int_eq(resp->topics.count, 1);
    int16_t err = resp->topics.items[0].partitions.items[0].error_code;
    fx_reply_free(&r);
    return err;
}

static int16_t txn_commit(fixture_t *f, const char *group, int64_t offset)
{
    return txn_commit_by(f, PID, group, offset);
}

/* The broker's part: the marker in the partition's log, then the call. */
static void marker_by(fixture_t *f, int64_t pid, const char *group, bool commit, bool tell)
{
    int32_t partition = group_partition_for(kl_str(group), FX_PARTITIONS);
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_control_batch_encode(pid, 0, commit ? KL_CONTROL_COMMIT : KL_CONTROL_ABORT, 0, 1, &data, &len),
                     KL_ERR_NONE);
    ck_assert_int_eq(kl_log_append(f->logs[partition], data, len, NULL), KL_ERR_NONE);
    free(data);
    if (tell)
        group_txn_marker(f->coord, partition, pid, commit);
}

static void marker(fixture_t *f, const char *group, bool commit, bool tell)
{
    marker_by(f, PID, group, commit, tell);
}

static int64_t fetched(fixture_t *f, const char *group)
{
    char metadata[16];
    return fx_fetch(f, group, "in", 0, metadata, sizeof metadata);
}

/* OffsetFetch v7 with require_stable: the partition's error. */
static int16_t stable_error(fixture_t *f, const char *group)
{
    int32_t partition = 0;
    kl_offset_fetch_request_topic_t t = {kl_str("in"), {&partition, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.items = &t;
    req.topics.count = 1;
    req.require_stable = true;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(7, "consumer");
    ck_assert_int_eq(group_offset_fetch(f->coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 7)), GROUP_REPLIED);
    const kl_offset_fetch_response_t *resp = r.resp;
    int16_t err = resp->topics.items[0].partitions.items[0].error_code;
    fx_reply_free(&r);
    return err;
}

/* OffsetFetch v7 of every committed partition (topics null), stable or not:
 * the error of "in"-0, its offset in *offset. */
static int16_t fetch_all(fixture_t *f, const char *group, bool stable, int64_t *offset)
{
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.count = -1;
    req.require_stable = stable;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(7, "admin");
    ck_assert_int_eq(group_offset_fetch(f->coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 7)), GROUP_REPLIED);
    const kl_offset_fetch_response_t *resp = r.resp;
    ck_assert_int_eq(resp->topics.count, 1);
    ck_assert_int_eq(resp->topics.items[0].partitions.count, 1);
    const kl_offset_fetch_response_partition_t *p = &resp->topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->partition_index, 0);
    int16_t err = p->error_code;
    *offset = p->committed_offset;
    fx_reply_free(&r);
    return err;
}

START_TEST(test_pending_until_marker)
{
    fixture_t f;
    fx_init(&f, true);
    ck_assert_int_eq(txn_commit(&f, "g", 5), KL_ERR_NONE);
    ck_assert_int_eq(fetched(&f, "g"), -1);
    ck_assert_int_eq(stable_error(&f, "g"), KL_ERR_UNSTABLE_OFFSET_COMMIT);
    marker(&f, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 5);
    ck_assert_int_eq(stable_error(&f, "g"), KL_ERR_NONE);
    ck_assert_int_eq(txn_commit(&f, "g", 9), KL_ERR_NONE);
    marker(&f, "g", false, true);
    ck_assert_int_eq(fetched(&f, "g"), 5);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, "g"), 5);
    fx_free(&f);
}
END_TEST

/* Asked for all its offsets with require_stable, a group answers
 * UNSTABLE_OFFSET_COMMIT (and no offset) for a committed partition that an
 * open transaction holds offsets for, as Kafka does; without, the
 * committed offset. */
START_TEST(test_stable_all_partitions)
{
    fixture_t f;
    fx_init(&f, true);
    ck_assert_int_eq(txn_commit(&f, "g", 5), KL_ERR_NONE);
    marker(&f, "g", true, true);
    int64_t offset;
    ck_assert_int_eq(fetch_all(&f, "g", true, &offset), KL_ERR_NONE);
    ck_assert_int_eq(offset, 5);
    ck_assert_int_eq(txn_commit(&f, "g", 9), KL_ERR_NONE);
    ck_assert_int_eq(fetch_all(&f, "g", true, &offset), KL_ERR_UNSTABLE_OFFSET_COMMIT);
    ck_assert_int_eq(offset, -1);
    ck_assert_int_eq(fetch_all(&f, "g", false, &offset), KL_ERR_NONE);
    ck_assert_int_eq(offset, 5);
    marker(&f, "g", true, true);
    ck_assert_int_eq(fetch_all(&f, "g", true, &offset), KL_ERR_NONE);
    ck_assert_int_eq(offset, 9);
    fx_free(&f);
}
END_TEST

/* As in Kafka, the newest record of a partition wins: a transaction's
 * offset that a plain commit followed before the commit marker stays
 * behind it, live and replayed; of two transactions, the one written
 * later wins whichever commits first. */
START_TEST(test_newest_record_wins)
{
    fixture_t f;
    fx_init(&f, true);
    ck_assert_int_eq(txn_commit(&f, "g", 5), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "g", -1, "", "in", 0, 7, "", 7), KL_ERR_NONE);
    marker(&f, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 7);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, "g"), 7);

    ck_assert_int_eq(txn_commit_by(&f, PID, "g", 10), KL_ERR_NONE);
    ck_assert_int_eq(txn_commit_by(&f, PID + 1, "g", 12), KL_ERR_NONE);
    marker_by(&f, PID + 1, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 12);
    marker_by(&f, PID, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 12);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, "g"), 12);

    /* the later one committing last wins too */
    ck_assert_int_eq(txn_commit_by(&f, PID, "g", 14), KL_ERR_NONE);
    ck_assert_int_eq(txn_commit_by(&f, PID + 1, "g", 13), KL_ERR_NONE);
    marker_by(&f, PID, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 14);
    marker_by(&f, PID + 1, "g", true, true);
    ck_assert_int_eq(fetched(&f, "g"), 13);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, "g"), 13);
    fx_free(&f);
}
END_TEST

/* Two groups on two partitions in one transaction; only the later
 * partition's marker is in the log at restart (the coordinator writes the
 * other when it completes the transaction). */
START_TEST(test_replay_per_partition)
{
    const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    const char *low = NULL, *high = NULL;
    for (size_t i = 0; i < 8 && !(low && high); i++)
        for (size_t k = 0; k < 8; k++)
            if (group_partition_for(kl_str(names[i]), FX_PARTITIONS) <
                group_partition_for(kl_str(names[k]), FX_PARTITIONS)) {
                low = names[i];
                high = names[k];
                break;
            }
    ck_assert_ptr_nonnull(low);
    fixture_t f;
    fx_init(&f, true);
    ck_assert_int_eq(txn_commit(&f, low, 3), KL_ERR_NONE);
    ck_assert_int_eq(txn_commit(&f, high, 4), KL_ERR_NONE);
    marker(&f, high, true, false);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, high), 4);
    ck_assert_int_eq(fetched(&f, low), -1); /* its marker is still to come */
    marker(&f, low, true, true);
    ck_assert_int_eq(fetched(&f, low), 3);
    fx_restart(&f);
    ck_assert_int_eq(fetched(&f, low), 3);
    ck_assert_int_eq(fetched(&f, high), 4);
    fx_free(&f);
}
END_TEST

static Suite *txn_offsets_suite(void)
{
    Suite *s = suite_create("group_txn_offsets");
    TCase *tc = tcase_create("pending");
    tcase_add_test(tc, test_pending_until_marker);
    tcase_add_test(tc, test_replay_per_partition);
    tcase_add_test(tc, test_stable_all_partitions);
    tcase_add_test(tc, test_newest_record_wins);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(txn_offsets_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
