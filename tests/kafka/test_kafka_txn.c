/* Our transactional producer (lib/producer/txn*.c) against Apache Kafka:
 * transactions committed and aborted, read back by librdkafka's
 * read_committed and read_uncommitted consumers; offsets sent to a
 * transaction committed with it; a second instance with the same
 * transactional.id fencing the first (a fatal error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interop/rdkafka_clients.h"
#include "kafka_fixture.h"
#include "test_skip.h"

static void check_ok(kl_error_t *error, const char *what)
{
    ck_assert_msg(error == NULL, "%s: %s", what, kl_error_string(error));
}

static kl_producer_t *txn_producer(const char *txn_id)
{
    kl_conf_t *conf = kf_conf("transactional.id", txn_id, "linger.ms", "5", NULL);
    char err[256];
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(p, "%s", err);
    check_ok(kl_init_transactions(p, KF_DEADLINE_MS), "kl_init_transactions");
    return p;
}

/* A transaction of values prefix0 .. prefix<n-1> to partition 0 of topic,
 * written (flushed) before it is committed or aborted. */
static void transaction(kl_producer_t *p, const char *topic, const char *prefix, int n, bool commit)
{
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "%s%d", prefix, i);
        ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, v, (size_t)len, 0, NULL), KL_ERR_NONE);
    }
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_failed(p), 0);
    if (commit)
        check_ok(kl_commit_transaction(p, KF_DEADLINE_MS), "kl_commit_transaction");
    else
        check_ok(kl_abort_transaction(p, KF_DEADLINE_MS), "kl_abort_transaction");
}

/* Kafka writes a transaction's markers after EndTxn has answered: until
 * they are in, read_committed readers stop short of the transaction, so
 * this reads again until want comes (or the deadline). */
static void expect_read(const char *topic, const char *isolation, const char *want)
{
    char got[1024];
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    for (;;) {
        read_partition(kf_bootstrap(), topic, isolation, got, sizeof got);
        if (strcmp(got, want) == 0 || kf_now_ms() > deadline)
            break;
    }
    ck_assert_msg(strcmp(got, want) == 0, "%s: read \"%s\", want \"%s\"", isolation, got, want);
}

static int64_t committed(const char *group, const char *topic)
{
    kl_conf_t *conf = kf_conf(NULL);
    char err[256];
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1), *got = NULL;
    kl_topic_partition_list_add(parts, topic, 0);
    ck_assert_int_eq(kl_admin_list_group_offsets(a, group, parts, KF_DEADLINE_MS, &got), KL_ERR_NONE);
    ck_assert_int_eq(got->elems[0].err, KL_ERR_NONE);
    int64_t offset = got->elems[0].offset;
    kl_topic_partition_list_destroy(parts);
    kl_topic_partition_list_destroy(got);
    kl_admin_destroy(a);
    return offset;
}

START_TEST(test_commit_abort_offsets)
{
    char topic[64], txn_id[64], group[64];
    kf_name(topic, sizeof topic, "txn");
    kf_name(txn_id, sizeof txn_id, "txn-id");
    kf_name(group, sizeof group, "txn-group");
    kf_create_topic(topic, 1, 3, NULL);
    kl_producer_t *p = txn_producer(txn_id);
    transaction(p, topic, "c", 3, true);
    transaction(p, topic, "a", 2, false);
    /* offsets in an aborted transaction are dropped, in a committed one kept */
    kl_consumer_group_metadata_t *md = kl_consumer_group_metadata_new(group);
    kl_topic_partition_list_t *offsets = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(offsets, topic, 0)->offset = 4;
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    check_ok(kl_send_offsets_to_transaction(p, offsets, md, KF_DEADLINE_MS), "kl_send_offsets_to_transaction");
    check_ok(kl_abort_transaction(p, KF_DEADLINE_MS), "kl_abort_transaction");
    ck_assert_int_eq(committed(group, topic), KL_OFFSET_INVALID);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, "d0", 2, 0, NULL), KL_ERR_NONE);
    offsets->elems[0].offset = 3;
    check_ok(kl_send_offsets_to_transaction(p, offsets, md, KF_DEADLINE_MS), "kl_send_offsets_to_transaction");
    check_ok(kl_commit_transaction(p, KF_DEADLINE_MS), "kl_commit_transaction");
    /* the offsets count once the marker is in __consumer_offsets */
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS, offset;
    while ((offset = committed(group, topic)) == KL_OFFSET_INVALID && kf_now_ms() < deadline)
        kl_producer_poll(p, 100);
    ck_assert_int_eq(offset, 3);
    kl_topic_partition_list_destroy(offsets);
    kl_consumer_group_metadata_destroy(md);
    expect_read(topic, "read_committed", "c0 c1 c2 d0");
    expect_read(topic, "read_uncommitted", "c0 c1 c2 a0 a1 d0");
    kl_producer_destroy(p);
}
END_TEST

START_TEST(test_fencing)
{
    char topic[64], txn_id[64];
    kf_name(topic, sizeof topic, "txn-fence");
    kf_name(txn_id, sizeof txn_id, "txn-fence-id");
    kf_create_topic(topic, 1, 3, NULL);
    kl_producer_t *first = txn_producer(txn_id);
    check_ok(kl_begin_transaction(first), "kl_begin_transaction");
    ck_assert_int_eq(kl_produce(first, topic, 0, NULL, 0, "old", 3, 0, NULL), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_flush(first, KF_DEADLINE_MS), KL_ERR_NONE);
    kl_producer_t *second = txn_producer(txn_id);
    kl_error_t *error = kl_commit_transaction(first, KF_DEADLINE_MS);
    ck_assert_msg(error != NULL, "the fenced producer committed");
    ck_assert_msg(kl_error_is_fatal(error), "not fatal: %s", kl_error_string(error));
    kl_error_destroy(error);
    ck_assert_int_ne(kl_producer_fatal_error(first, NULL, 0), KL_ERR_NONE);
    transaction(second, topic, "new", 1, true);
    expect_read(topic, "read_committed", "new0");
    kl_producer_destroy(first);
    kl_producer_destroy(second);
}
END_TEST

int main(void)
{
    kf_check_env("kafka_txn");
    Suite *s = suite_create("kafka_txn");
    TCase *tc = tcase_create("transactions");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_commit_abort_offsets);
    tcase_add_test(tc, test_fencing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
