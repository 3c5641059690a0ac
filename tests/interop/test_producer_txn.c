/* Our transactional producer (lib/producer/txn*.c) against the embedded
 * broker, read back by librdkafka's consumers: committed transactions seen
 * by read_committed and read_uncommitted readers, aborted ones by
 * read_uncommitted only, an open one holding read_committed readers back;
 * kl_produce() refused outside a transaction; a second instance with the
 * same transactional.id fencing the first (a fatal error); the coordinator
 * aborting a transaction after transaction.timeout.ms (the transaction is
 * abortable, and the same producer aborts and goes on, KIP-588); a failed message making the transaction abortable, the
 * abort and the next transaction working; a sequence in doubt making the
 * abort bump the epoch (KIP-360); offsets sent to the transaction
 * becoming the group's only when it commits, and a group member's offsets
 * refused once it left the group (KIP-447). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "broker/server.h"
#include "rdkafka_clients.h"

#define TIMEOUT_MS 30000
#define MAX_VALUES 64

typedef struct values {
    char v[MAX_VALUES][32];
    int count;
} values_t;

static void set(kl_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE, "%s: %s", name, errstr);
}

/* A producer for bootstrap; txn_id NULL: not transactional. extra: name,
 * value pairs ending with NULL (or NULL). */
static kl_producer_t *producer_new(const char *bootstrap, const char *txn_id, const char *const *extra)
{
    kl_conf_t *conf = kl_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "linger.ms", "5");
    if (txn_id)
        set(conf, "transactional.id", txn_id);
    for (int i = 0; extra && extra[i]; i += 2)
        set(conf, extra[i], extra[i + 1]);
    char errstr[256];
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    return p;
}

static void check_ok(kl_error_t *error, const char *what)
{
    ck_assert_msg(error == NULL, "%s: %s", what, kl_error_string(error));
}

static kl_producer_t *txn_producer(const char *bootstrap, const char *txn_id, const char *const *extra)
{
    kl_producer_t *p = producer_new(bootstrap, txn_id, extra);
    check_ok(kl_init_transactions(p, TIMEOUT_MS), "kl_init_transactions");
    return p;
}

/* Produces prefix0 .. prefix<n-1> to partition 0 of topic. */
static void produce(kl_producer_t *p, const char *topic, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "%s%d", prefix, i);
        ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, v, (size_t)len, 0, NULL), KL_ERR_NONE);
    }
}

static void transaction(kl_producer_t *p, const char *topic, const char *prefix, int n, bool commit)
{
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, topic, prefix, n);
    if (commit) {
        check_ok(kl_commit_transaction(p, TIMEOUT_MS), "kl_commit_transaction");
        return;
    }
    /* written first, so the abort has records to hide */
    ck_assert_int_eq(kl_producer_flush(p, TIMEOUT_MS), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_failed(p), 0);
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
}

static void expect_read(const char *bootstrap, const char *topic, const char *isolation, const char *want)
{
    char got[2048];
    read_partition(bootstrap, topic, isolation, got, sizeof got);
    ck_assert_msg(strcmp(got, want) == 0, "%s: read \"%s\", want \"%s\"", isolation, got, want);
}

START_TEST(test_commit_and_abort)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-ca", 1);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-ca", NULL);
    transaction(p, "ptxn-ca", "c", 5, true);
    transaction(p, "ptxn-ca", "a", 5, false);
    transaction(p, "ptxn-ca", "d", 3, true);
    expect_read(f.bootstrap, "ptxn-ca", "read_committed", "c0 c1 c2 c3 c4 d0 d1 d2");
    expect_read(f.bootstrap, "ptxn-ca", "read_uncommitted", "c0 c1 c2 c3 c4 a0 a1 a2 a3 a4 d0 d1 d2");
    /* an open transaction's records, written, hold read_committed readers */
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, "ptxn-ca", "o", 2);
    ck_assert_int_eq(kl_producer_flush(p, TIMEOUT_MS), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_failed(p), 0);
    expect_read(f.bootstrap, "ptxn-ca", "read_committed", "c0 c1 c2 c3 c4 d0 d1 d2");
    expect_read(f.bootstrap, "ptxn-ca", "read_uncommitted", "c0 c1 c2 c3 c4 a0 a1 a2 a3 a4 d0 d1 d2 o0 o1");
    check_ok(kl_commit_transaction(p, TIMEOUT_MS), "kl_commit_transaction");
    expect_read(f.bootstrap, "ptxn-ca", "read_committed", "c0 c1 c2 c3 c4 d0 d1 d2 o0 o1");
    /* an empty transaction commits and aborts without a word to the broker */
    transaction(p, "ptxn-ca", "none", 0, true);
    transaction(p, "ptxn-ca", "none", 0, false);
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

static void expect_state_error(kl_error_t *error, const char *what)
{
    ck_assert_msg(error != NULL, "%s succeeded", what);
    ck_assert_msg(kl_error_code(error) == KL_ERR_STATE, "%s: %s", what, kl_error_string(error));
    ck_assert(!kl_error_is_fatal(error) && !kl_error_is_retriable(error) && !kl_error_txn_requires_abort(error));
    kl_error_destroy(error);
}

START_TEST(test_produce_outside_transaction)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-out", 1);
    kl_producer_t *p = producer_new(f.bootstrap, "ptx-out", NULL);
    ck_assert_int_eq(kl_produce(p, "ptxn-out", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_STATE);
    expect_state_error(kl_begin_transaction(p), "begin before init");
    check_ok(kl_init_transactions(p, TIMEOUT_MS), "kl_init_transactions");
    expect_state_error(kl_init_transactions(p, TIMEOUT_MS), "a second init");
    ck_assert_int_eq(kl_produce(p, "ptxn-out", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_STATE);
    expect_state_error(kl_commit_transaction(p, TIMEOUT_MS), "commit without a transaction");
    expect_state_error(kl_abort_transaction(p, TIMEOUT_MS), "abort without a transaction");
    transaction(p, "ptxn-out", "in", 1, true);
    ck_assert_int_eq(kl_produce(p, "ptxn-out", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_STATE);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    expect_state_error(kl_begin_transaction(p), "begin inside a transaction");
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    ck_assert_uint_eq(kl_producer_outstanding(p), 0);
    kl_producer_destroy(p);
    /* a producer without transactional.id has no transactions */
    kl_producer_t *plain = producer_new(f.bootstrap, NULL, NULL);
    expect_state_error(kl_init_transactions(plain, TIMEOUT_MS), "init without transactional.id");
    kl_producer_destroy(plain);
    expect_read(f.bootstrap, "ptxn-out", "read_uncommitted", "in0");
    fixture_stop(&f);
}
END_TEST

/* error is fatal, and so is the producer, with one of codes. */
static void expect_fatal(kl_producer_t *p, kl_error_t *error, const char *what)
{
    ck_assert_msg(error != NULL, "%s succeeded", what);
    kl_err_t code = kl_error_code(error);
    ck_assert_msg(kl_error_is_fatal(error), "%s: not fatal: %s", what, kl_error_string(error));
    ck_assert_msg(code == KL_ERR_PRODUCER_FENCED || code == KL_ERR_INVALID_PRODUCER_EPOCH, "%s: %s", what,
                  kl_error_string(error));
    kl_error_destroy(error);
    char reason[256];
    ck_assert_int_eq(kl_producer_fatal_error(p, reason, sizeof reason), code);
    ck_assert_int_eq(kl_produce(p, "any", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_FATAL);
    /* every later call says so too */
    error = kl_begin_transaction(p);
    ck_assert(kl_error_is_fatal(error));
    kl_error_destroy(error);
}

START_TEST(test_fencing)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-fence", 1);
    kl_producer_t *first = txn_producer(f.bootstrap, "ptx-fence", NULL);
    check_ok(kl_begin_transaction(first), "kl_begin_transaction");
    produce(first, "ptxn-fence", "old", 2);
    ck_assert_int_eq(kl_producer_flush(first, TIMEOUT_MS), KL_ERR_NONE);
    /* the second instance aborts the first's transaction and fences it */
    kl_producer_t *second = txn_producer(f.bootstrap, "ptx-fence", NULL);
    expect_fatal(first, kl_commit_transaction(first, TIMEOUT_MS), "the fenced producer's commit");
    transaction(second, "ptxn-fence", "new", 2, true);
    expect_read(f.bootstrap, "ptxn-fence", "read_committed", "new0 new1");
    expect_read(f.bootstrap, "ptxn-fence", "read_uncommitted", "old0 old1 new0 new1");
    kl_producer_destroy(first);
    kl_producer_destroy(second);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_timeout_aborts)
{
    static const char *const props[] = {"transaction.abort.timed.out.transaction.cleanup.interval.ms", "100",
                                        NULL};
    static const char *const extra[] = {"transaction.timeout.ms", "1500", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    create_topic(f.bootstrap, "ptxn-timeout", 1);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-timeout", extra);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, "ptxn-timeout", "late", 2);
    ck_assert_int_eq(kl_producer_flush(p, TIMEOUT_MS), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_failed(p), 0);
    /* The coordinator aborts it after 1.5 s and bumps the epoch: a message
     * produced after that is refused, which makes the transaction
     * abortable, not the producer fatal (KIP-588). */
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    int probes = 0;
    while (kl_producer_failed(p) == 0) {
        ck_assert_msg(fixture_now_ms() < deadline, "the timed-out transaction was not aborted");
        ck_assert_int_eq(kl_produce(p, "ptxn-timeout", 0, NULL, 0, "p", 1, 0, NULL), KL_ERR_NONE);
        kl_producer_flush(p, TIMEOUT_MS);
        probes++;
        kl_producer_poll(p, 250);
    }
    ck_assert_int_eq(kl_producer_fatal_error(p, NULL, 0), KL_ERR_NONE);
    kl_error_t *error = kl_commit_transaction(p, TIMEOUT_MS);
    ck_assert_msg(error && kl_error_txn_requires_abort(error) && !kl_error_is_fatal(error),
                  "the timed-out transaction's commit: %s", kl_error_string(error));
    kl_error_destroy(error);
    /* the abort claims the epoch the coordinator moved to: the same
     * producer goes on */
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    transaction(p, "ptxn-timeout", "next", 2, true);
    expect_read(f.bootstrap, "ptxn-timeout", "read_committed", "next0 next1");
    /* the probes written before the abort are in it; the last was refused */
    char want[512] = "late0 late1";
    for (int i = 1; i < probes; i++)
        strcat(want, " p");
    strcat(want, " next0 next1");
    expect_read(f.bootstrap, "ptxn-timeout", "read_uncommitted", want);
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_failed_message_needs_abort)
{
    static const char *const props[] = {"auto.create.topics.enable", "false", NULL};
    static const char *const extra[] = {"delivery.timeout.ms", "1000", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    create_topic(f.bootstrap, "ptxn-fail", 1);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-fail", extra);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, "ptxn-fail", "lost", 2);
    /* a topic that does not exist: its message times out */
    ck_assert_int_eq(kl_produce(p, "ptxn-missing", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_NONE);
    kl_error_t *error = kl_commit_transaction(p, TIMEOUT_MS);
    ck_assert_msg(error != NULL, "a transaction with a failed message committed");
    ck_assert_msg(kl_error_txn_requires_abort(error), "not abortable: %s", kl_error_string(error));
    ck_assert(!kl_error_is_fatal(error) && !kl_error_is_retriable(error));
    kl_error_destroy(error);
    /* nothing goes into an abortable transaction; the abort clears it */
    ck_assert_int_eq(kl_produce(p, "ptxn-fail", 0, NULL, 0, "x", 1, 0, NULL), KL_ERR_STATE);
    error = kl_commit_transaction(p, TIMEOUT_MS);
    ck_assert(kl_error_txn_requires_abort(error));
    kl_error_destroy(error);
    error = kl_begin_transaction(p);
    ck_assert(kl_error_txn_requires_abort(error));
    kl_error_destroy(error);
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    ck_assert_uint_eq(kl_producer_outstanding(p), 0);
    transaction(p, "ptxn-fail", "next", 2, true);
    expect_read(f.bootstrap, "ptxn-fail", "read_committed", "next0 next1");
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

#define GROUP "ptxn-group"

/* group's committed offset of topic's partition 0 (KL_OFFSET_INVALID:
 * none), by the admin client's OffsetFetch: without require_stable, so an
 * open transaction's offsets answer the last committed one, not an error. */
static int64_t committed_of(const char *bootstrap, const char *group, const char *topic)
{
    kl_conf_t *conf = kl_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    char errstr[256];
    kl_admin_t *a = kl_admin_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(a != NULL, "kl_admin_new: %s", errstr);
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1), *got = NULL;
    kl_topic_partition_list_add(parts, topic, 0);
    ck_assert_int_eq(kl_admin_list_group_offsets(a, group, parts, TIMEOUT_MS, &got), KL_ERR_NONE);
    ck_assert_int_eq(got->count, 1);
    ck_assert_int_eq(got->elems[0].err, KL_ERR_NONE);
    int64_t offset = got->elems[0].offset;
    kl_topic_partition_list_destroy(parts);
    kl_topic_partition_list_destroy(got);
    kl_admin_destroy(a);
    return offset;
}

static int64_t committed(const char *bootstrap) { return committed_of(bootstrap, GROUP, "ptxn-in"); }

/* Sends offset of topic's partition 0 (and an entry without an offset,
 * which is ignored) to the open transaction for md's group. */
static kl_error_t *send_offset_to(kl_producer_t *p, const char *topic, int64_t offset,
                                  const kl_consumer_group_metadata_t *md)
{
    kl_topic_partition_list_t *offsets = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(offsets, topic, 0)->offset = offset;
    kl_topic_partition_list_add(offsets, topic, 1);
    kl_error_t *error = kl_send_offsets_to_transaction(p, offsets, md, TIMEOUT_MS);
    kl_topic_partition_list_destroy(offsets);
    return error;
}

static void send_offset(kl_producer_t *p, int64_t offset)
{
    kl_consumer_group_metadata_t *md = kl_consumer_group_metadata_new(GROUP);
    ck_assert_ptr_nonnull(md);
    check_ok(send_offset_to(p, "ptxn-in", offset, md), "kl_send_offsets_to_transaction");
    kl_consumer_group_metadata_destroy(md);
}

START_TEST(test_offsets_commit_with_transaction)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-in", 2);
    create_topic(f.bootstrap, "ptxn-outp", 1);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-offsets", NULL);
    /* aborted: not committed */
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, "ptxn-outp", "a", 1);
    send_offset(p, 7);
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    ck_assert_int_eq(committed(f.bootstrap), KL_OFFSET_INVALID);
    /* committed with the transaction, not before */
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    produce(p, "ptxn-outp", "c", 1);
    send_offset(p, 9);
    ck_assert_int_eq(committed(f.bootstrap), KL_OFFSET_INVALID);
    check_ok(kl_commit_transaction(p, TIMEOUT_MS), "kl_commit_transaction");
    ck_assert_int_eq(committed(f.bootstrap), 9);
    /* offsets alone make a transaction too */
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    send_offset(p, 12);
    check_ok(kl_commit_transaction(p, TIMEOUT_MS), "kl_commit_transaction");
    ck_assert_int_eq(committed(f.bootstrap), 12);
    expect_read(f.bootstrap, "ptxn-outp", "read_committed", "c0");
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

/* A member's offsets (KIP-447): taken with the consumer's own group
 * metadata while it is a member; refused, abortable, once it has left. */
START_TEST(test_offsets_of_a_group_member)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-gin", 1);
    kl_conf_t *conf = kl_conf_new();
    set(conf, "bootstrap.servers", f.bootstrap);
    set(conf, "group.id", "ptxn-member-group");
    char errstr[256];
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    const char *topics[] = {"ptxn-gin"};
    ck_assert_int_eq(kl_subscribe(c, topics, 1), KL_ERR_NONE);
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    for (size_t assigned = 0; !assigned;) {
        ck_assert_msg(fixture_now_ms() < deadline, "the consumer got no assignment");
        kl_message_destroy(kl_consumer_poll(c, 100));
        kl_topic_partition_list_t *a = NULL;
        ck_assert_int_eq(kl_assignment(c, &a), KL_ERR_NONE);
        assigned = a->count;
        kl_topic_partition_list_destroy(a);
    }
    kl_consumer_group_metadata_t *md = kl_consumer_group_metadata(c);
    ck_assert_ptr_nonnull(md);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-member", NULL);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    check_ok(send_offset_to(p, "ptxn-gin", 5, md), "kl_send_offsets_to_transaction");
    check_ok(kl_commit_transaction(p, TIMEOUT_MS), "kl_commit_transaction");
    ck_assert_int_eq(committed_of(f.bootstrap, "ptxn-member-group", "ptxn-gin"), 5);
    /* the member leaves: its metadata no longer commits anything */
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    kl_error_t *error = send_offset_to(p, "ptxn-gin", 6, md);
    ck_assert_msg(error != NULL, "a departed member's offsets were taken");
    ck_assert_msg(kl_error_txn_requires_abort(error), "not abortable: %s", kl_error_string(error));
    ck_assert_msg(kl_error_code(error) == KL_ERR_UNKNOWN_MEMBER_ID || kl_error_code(error) == KL_ERR_ILLEGAL_GENERATION,
                  "%s", kl_error_string(error));
    kl_error_destroy(error);
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    ck_assert_int_eq(committed_of(f.bootstrap, "ptxn-member-group", "ptxn-gin"), 5);
    kl_consumer_group_metadata_destroy(md);
    kl_consumer_destroy(c);
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

/* KIP-360: a batch that fails for good after being sent (its responses
 * lost until delivery.timeout.ms) leaves its sequence in doubt; the
 * transaction is abortable, and the abort bumps the producer epoch so
 * the next transaction's sequences start clean. */
START_TEST(test_abort_bumps_epoch)
{
    static const char *const extra[] = {"delivery.timeout.ms", "500", NULL};
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "ptxn-bump", 1);
    kl_producer_t *p = txn_producer(f.bootstrap, "ptx-bump", extra);
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    atomic_store(&f.broker->fault_lost_produce_responses, 1000000);
    produce(p, "ptxn-bump", "lost", 1);
    kl_error_t *error = kl_commit_transaction(p, TIMEOUT_MS);
    ck_assert_msg(error != NULL, "a transaction whose message failed committed");
    ck_assert_msg(kl_error_txn_requires_abort(error), "not abortable: %s", kl_error_string(error));
    kl_error_destroy(error);
    atomic_store(&f.broker->fault_lost_produce_responses, 0);
    char *stats = kl_producer_stats(p);
    ck_assert_ptr_nonnull(strstr(stats, "\"epoch\":0}"));
    kl_mem_free(stats);
    check_ok(kl_abort_transaction(p, TIMEOUT_MS), "kl_abort_transaction");
    stats = kl_producer_stats(p);
    ck_assert_msg(strstr(stats, "\"epoch\":1}") != NULL, "no epoch bump: %s", stats);
    kl_mem_free(stats);
    transaction(p, "ptxn-bump", "after", 2, true);
    expect_read(f.bootstrap, "ptxn-bump", "read_committed", "after0 after1");
    expect_read(f.bootstrap, "ptxn-bump", "read_uncommitted", "lost0 after0 after1");
    kl_producer_destroy(p);
    fixture_stop(&f);
}
END_TEST

static Suite *txn_suite(void)
{
    Suite *s = suite_create("producer_txn");
    TCase *tc = tcase_create("transactions");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_commit_and_abort);
    tcase_add_test(tc, test_produce_outside_transaction);
    tcase_add_test(tc, test_fencing);
    tcase_add_test(tc, test_timeout_aborts);
    tcase_add_test(tc, test_failed_message_needs_abort);
    tcase_add_test(tc, test_offsets_commit_with_transaction);
    tcase_add_test(tc, test_offsets_of_a_group_member);
    tcase_add_test(tc, test_abort_bumps_epoch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(txn_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
