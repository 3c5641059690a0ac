/* Offsets committed inside a transaction (librdkafka's
 * rd_kafka_send_offsets_to_transaction: AddOffsetsToTxn, TxnOffsetCommit)
 * against the embedded broker: invisible to OffsetFetch while the
 * transaction is open, the committed offsets once it commits, dropped when
 * it aborts; the same after restarts, including a transaction left open
 * by a producer that went away; member and generation validated (KIP-447). */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "rdkafka_clients.h"

#define TIMEOUT_MS 30000
#define GROUP "txn-offsets-group"

/* One record to "out" and offset of "in"-0 for the group in the open
 * transaction; meta NULL: a simple group's metadata. NULL, or the error
 * (the caller's to destroy). */
static rd_kafka_error_t *send_offset(rd_kafka_t *rk, int64_t offset, rd_kafka_consumer_group_metadata_t *meta)
{
    ck_assert_int_eq(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("out"), RD_KAFKA_V_PARTITION(0),
                                       RD_KAFKA_V_VALUE("v", 1), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, "in", 0)->offset = offset;
    rd_kafka_consumer_group_metadata_t *simple = meta ? NULL : rd_kafka_consumer_group_metadata_new(GROUP);
    rd_kafka_error_t *error = rd_kafka_send_offsets_to_transaction(rk, offsets, meta ? meta : simple, TIMEOUT_MS);
    if (simple)
        rd_kafka_consumer_group_metadata_destroy(simple);
    rd_kafka_topic_partition_list_destroy(offsets);
    return error;
}

static void transaction(rd_kafka_t *rk, int64_t offset, bool commit)
{
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    check_rdkafka_error(send_offset(rk, offset, NULL), "send_offsets_to_transaction");
    if (commit)
        check_rdkafka_error(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit_transaction");
    else
        check_rdkafka_error(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort_transaction");
}

/* The group's committed offset of "in"-0 by OffsetFetch (-1001: none).
 * A read_committed consumer asks for stable offsets (KIP-447): while a
 * transaction's offsets are pending the broker answers
 * UNSTABLE_OFFSET_COMMIT, which librdkafka retries, so those moments are
 * looked at with read_uncommitted (unit-tested in test_group_txn_offsets). */
static int64_t committed_as(const char *bootstrap, const char *isolation)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", GROUP);
    conf_set(conf, "isolation.level", isolation);
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, "in", 0);
    ck_assert_int_eq(rd_kafka_committed(rk, parts, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    ck_assert_int_eq(parts->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    int64_t offset = parts->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return offset;
}

static int64_t committed(const char *bootstrap) { return committed_as(bootstrap, "read_committed"); }

static void start(broker_fixture_t *f)
{
    fixture_start(f, NULL);
    create_topic(f->bootstrap, "in", 1);
    create_topic(f->bootstrap, "out", 1);
}

START_TEST(test_commit_abort_restart)
{
    broker_fixture_t f;
    start(&f);
    rd_kafka_t *rk = rdkafka_txn_producer(f.bootstrap, "tx-offsets");
    /* pending while the transaction is open */
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    check_rdkafka_error(send_offset(rk, 7, NULL), "send_offsets_to_transaction");
    ck_assert_int_eq(committed_as(f.bootstrap, "read_uncommitted"), RD_KAFKA_OFFSET_INVALID);
    check_rdkafka_error(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit_transaction");
    ck_assert_int_eq(committed(f.bootstrap), 7);
    /* an aborted transaction's offsets never show */
    transaction(rk, 12, false);
    ck_assert_int_eq(committed(f.bootstrap), 7);
    rd_kafka_destroy(rk);
    /* replayed: the commit holds, the abort stays dropped */
    fixture_restart(&f);
    ck_assert_int_eq(committed(f.bootstrap), 7);
    rk = rdkafka_txn_producer(f.bootstrap, "tx-offsets");
    transaction(rk, 20, true);
    ck_assert_int_eq(committed(f.bootstrap), 20);
    rd_kafka_destroy(rk);
    fixture_restart(&f);
    ck_assert_int_eq(committed(f.bootstrap), 20);
    fixture_stop(&f);
}
END_TEST

/* Offsets of a transaction left open stay pending across a restart and
 * are dropped when the next instance of the producer aborts it. */
START_TEST(test_open_transaction_restart)
{
    broker_fixture_t f;
    start(&f);
    rd_kafka_t *rk = rdkafka_txn_producer(f.bootstrap, "tx-open");
    transaction(rk, 3, true);
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    check_rdkafka_error(send_offset(rk, 9, NULL), "send_offsets_to_transaction");
    rd_kafka_destroy(rk); /* gone without ending it */
    fixture_restart(&f);
    ck_assert_int_eq(committed_as(f.bootstrap, "read_uncommitted"), 3);
    rk = rdkafka_txn_producer(f.bootstrap, "tx-open"); /* aborts the open one */
    ck_assert_int_eq(committed(f.bootstrap), 3);
    transaction(rk, 5, true);
    ck_assert_int_eq(committed(f.bootstrap), 5);
    rd_kafka_destroy(rk);
    fixture_restart(&f);
    ck_assert_int_eq(committed(f.bootstrap), 5);
    fixture_stop(&f);
}
END_TEST

/* KIP-447: a consumer's generation and member id are checked like an
 * OffsetCommit's; a member the group does not know cannot commit. */
START_TEST(test_member_validated)
{
    broker_fixture_t f;
    start(&f);
    rd_kafka_t *rk = rdkafka_txn_producer(f.bootstrap, "tx-member");
    transaction(rk, 4, true); /* the group exists, Empty, generation 0 */
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    rd_kafka_consumer_group_metadata_t *meta =
        rd_kafka_consumer_group_metadata_new_with_genid(GROUP, 0, "ghost-member", NULL);
    rd_kafka_error_t *error = send_offset(rk, 8, meta);
    rd_kafka_consumer_group_metadata_destroy(meta);
    ck_assert_msg(error != NULL, "an unknown member committed");
    ck_assert_int_eq(rd_kafka_error_code(error), RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
    rd_kafka_error_destroy(error);
    check_rdkafka_error(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort_transaction");
    ck_assert_int_eq(committed(f.bootstrap), 4);
    rd_kafka_destroy(rk);
    fixture_stop(&f);
}
END_TEST

static Suite *txn_offsets_suite(void)
{
    Suite *s = suite_create("broker_rdkafka_txn_offsets");
    TCase *tc = tcase_create("transactional offsets");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_commit_abort_restart);
    tcase_add_test(tc, test_open_transaction_restart);
    tcase_add_test(tc, test_member_validated);
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
