/* Our transactional producer (lib/producer/txn*.c) against Apache Kafka:
 * transactions committed and aborted, read back by librdkafka's
 * read_committed and read_uncommitted consumers; offsets sent to a
 * transaction committed with it; a second instance with the same
 * transactional.id fencing the first (a fatal error). Our consumer's
 * read_committed (lib/consumer/txn_filter.c) stopping at the last stable
 * offset of an open transaction; a transaction Kafka aborts after
 * transaction.timeout.ms (tests/kafka/cluster sets the brokers' expiry
 * check to every second); the transaction coordinator killed before a
 * commit (through KL_KAFKA_CLUSTER_DIR: test_kafka_clients.sh runs this
 * suite last). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../interop/rdkafka_clients.h"
#include "kafka_fixture.h"
#include "test_skip.h"

static void check_ok(kl_error_t *error, const char *what)
{
    ck_assert_msg(error == NULL, "%s: %s", what, kl_error_string(error));
}

/* timeout_ms: transaction.timeout.ms, NULL for the default */
static kl_producer_t *txn_producer(const char *txn_id, const char *timeout_ms)
{
    kl_conf_t *conf = kf_conf("transactional.id", txn_id, "linger.ms", "5",
                              timeout_ms ? "transaction.timeout.ms" : NULL, timeout_ms, NULL);
    char err[256];
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(p, "%s", err);
    check_ok(kl_init_transactions(p, KF_DEADLINE_MS), "kl_init_transactions");
    return p;
}

/* Begins a transaction of values prefix0 .. prefix<n-1> to partition 0 of
 * topic, written (flushed) and left open. */
static void begin_with(kl_producer_t *p, const char *topic, const char *prefix, int n)
{
    check_ok(kl_begin_transaction(p), "kl_begin_transaction");
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "%s%d", prefix, i);
        ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, v, (size_t)len, 0, NULL), KL_ERR_NONE);
    }
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_failed(p), 0);
}

/* Such a transaction, then committed or aborted. */
static void transaction(kl_producer_t *p, const char *topic, const char *prefix, int n, bool commit)
{
    begin_with(p, topic, prefix, n);
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
    kl_producer_t *p = txn_producer(txn_id, NULL);
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
    kl_producer_t *first = txn_producer(txn_id, NULL);
    begin_with(first, topic, "old", 1);
    kl_producer_t *second = txn_producer(txn_id, NULL);
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

/* Waits until partition 0 of topic ends at end (the transaction markers
 * Kafka writes after EndTxn are in): the offsets of what follows are
 * known. */
static void wait_end(const char *topic, int64_t end)
{
    kl_conf_t *conf = kf_conf("isolation.level", "read_uncommitted", NULL); /* the end, not the LSO */
    char err[256];
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    int64_t lo, hi = -1, deadline = kf_now_ms() + KF_DEADLINE_MS;
    while ((kl_query_watermark_offsets(c, topic, 0, &lo, &hi, 5000) != KL_ERR_NONE || hi < end) &&
           kf_now_ms() < deadline)
        usleep(50 * 1000); /* between ListOffsets requests */
    kl_consumer_destroy(c);
    ck_assert_msg(hi == end, "%s ends at %lld, want %lld", topic, (long long)hi, (long long)end);
}

/* Our consumer on partition 0 of a topic from its start, and the values
 * it handed out, space-separated. */
typedef struct reader {
    kl_consumer_t *c;
    const char *topic;
    char got[512];
} reader_t;

static void reader_open(reader_t *r, const char *topic, const char *isolation)
{
    kl_conf_t *conf = kf_conf("isolation.level", isolation, "fetch.wait.max.ms", "100", NULL);
    char err[256];
    r->c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(r->c, "%s", err);
    r->topic = topic;
    r->got[0] = '\0';
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(tps, topic, 0)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(r->c, tps), KL_ERR_NONE);
    kl_topic_partition_list_destroy(tps);
}

static int64_t reader_position(reader_t *r)
{
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(tps, r->topic, 0);
    ck_assert_int_eq(kl_position(r->c, tps), KL_ERR_NONE);
    int64_t position = tps->elems[0].offset;
    kl_topic_partition_list_destroy(tps);
    return position;
}

/* Polls once: a message's value goes to got. */
static void reader_poll(reader_t *r, int timeout_ms)
{
    kl_message_t *m = kl_consumer_poll(r->c, timeout_ms);
    if (!m)
        return;
    ck_assert_msg(kl_message_error(m) == KL_ERR_NONE, "consumer error %s", kl_err_name(kl_message_error(m)));
    size_t len, at = strlen(r->got);
    const char *v = kl_message_value(m, &len);
    ck_assert_msg(at + len + 2 < sizeof r->got, "too much read: %s", r->got);
    snprintf(r->got + at, sizeof r->got - at, "%s%.*s", at ? " " : "", (int)len, v ? v : "");
    kl_message_destroy(m);
}

/* Reads until the position is at least to, then checks what came. */
static void reader_expect(reader_t *r, int64_t to, const char *want)
{
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (reader_position(r) < to && kf_now_ms() < deadline)
        reader_poll(r, 100);
    ck_assert_int_eq(reader_position(r), to);
    ck_assert_msg(strcmp(r->got, want) == 0, "%s: read \"%s\", want \"%s\"", r->topic, r->got, want);
}

static void reader_close(reader_t *r)
{
    ck_assert_int_eq(kl_consumer_close(r->c), KL_ERR_NONE);
    kl_consumer_destroy(r->c);
}

/* Our consumer's read_committed and read_uncommitted against Kafka's
 * transactions: offsets 0-2 committed (c), 3 its marker, 4-5 aborted (a),
 * 6 its marker, 7-8 a transaction left open (o), 9 committed after it
 * (d), 10 its marker, 11 the marker of the open one once it commits. */
START_TEST(test_read_committed)
{
    char topic[64], id_a[64], id_b[64];
    kf_name(topic, sizeof topic, "txn-lso");
    kf_name(id_a, sizeof id_a, "txn-lso-a");
    kf_name(id_b, sizeof id_b, "txn-lso-b");
    kf_create_topic(topic, 1, 3, NULL);
    kl_producer_t *a = txn_producer(id_a, NULL), *b = txn_producer(id_b, NULL);
    transaction(a, topic, "c", 3, true);
    wait_end(topic, 4);
    transaction(a, topic, "a", 2, false);
    wait_end(topic, 7);
    begin_with(b, topic, "o", 2);
    transaction(a, topic, "d", 1, true);
    wait_end(topic, 11);

    reader_t rc, ru;
    reader_open(&rc, topic, "read_committed");
    reader_open(&ru, topic, "read_uncommitted");
    /* read_committed stops at the last stable offset, 7, the open
     * transaction's first: past the aborted records and both markers,
     * short of the open transaction and of what was committed after it */
    reader_expect(&rc, 7, "c0 c1 c2");
    reader_expect(&ru, 11, "c0 c1 c2 a0 a1 o0 o1 d0");
    /* and stays there while fetches see the partition end at 11 */
    int64_t hi = -1, deadline = kf_now_ms() + KF_DEADLINE_MS;
    while ((kl_get_watermark_offsets(rc.c, topic, 0, NULL, &hi) != KL_ERR_NONE || hi < 11) &&
           kf_now_ms() < deadline)
        reader_poll(&rc, 100);
    ck_assert_int_eq(hi, 11);
    for (int i = 0; i < 5; i++) /* five more fetches' worth (fetch.wait.max.ms 100) */
        reader_poll(&rc, 100);
    ck_assert_int_eq(reader_position(&rc), 7);
    ck_assert_str_eq(rc.got, "c0 c1 c2");
    kl_partition_lag_t *lags = NULL;
    size_t nlags = 0;
    ck_assert_int_eq(kl_consumer_lag(rc.c, &lags, &nlags), KL_ERR_NONE);
    ck_assert_uint_eq(nlags, 1);
    ck_assert_int_eq(lags[0].position, 7);
    ck_assert_int_eq(lags[0].high_watermark, 11);
    ck_assert_int_eq(lags[0].lag, 0); /* measured to the last stable offset */
    kl_consumer_lag_destroy(lags, nlags);

    check_ok(kl_commit_transaction(b, KF_DEADLINE_MS), "kl_commit_transaction");
    reader_expect(&rc, 12, "c0 c1 c2 o0 o1 d0");
    reader_expect(&ru, 12, "c0 c1 c2 a0 a1 o0 o1 d0");
    reader_close(&rc);
    reader_close(&ru);
    kl_producer_destroy(a);
    kl_producer_destroy(b);
}
END_TEST

/* Kafka aborts a transaction left open past transaction.timeout.ms and
 * bumps the producer's epoch: the commit that follows fails, fatally
 * (kl_init_transactions(3): fenced), the transaction's records stay
 * invisible to read_committed, and a new producer with the same
 * transactional.id takes over. */
START_TEST(test_timeout_abort)
{
    char topic[64], txn_id[64];
    kf_name(topic, sizeof topic, "txn-expire");
    kf_name(txn_id, sizeof txn_id, "txn-expire-id");
    kf_create_topic(topic, 1, 3, NULL);
    /* 2 s: time enough for the message to be written first on a loaded
     * machine; Kafka checks for expired transactions every second */
    kl_producer_t *p = txn_producer(txn_id, "2000");
    begin_with(p, topic, "t", 1);
    /* the producer stalls until Kafka's abort marker is in (offset 1) */
    wait_end(topic, 2);
    kl_error_t *error = kl_commit_transaction(p, KF_DEADLINE_MS);
    ck_assert_msg(error != NULL, "the expired transaction committed");
    printf("commit after Kafka's timeout abort: %s (%s%s%s)\n", kl_error_string(error),
           kl_error_is_fatal(error) ? "fatal" : "", kl_error_txn_requires_abort(error) ? "abortable" : "",
           kl_error_is_retriable(error) ? "retriable" : "");
    ck_assert_msg(kl_error_is_fatal(error), "not fatal: %s", kl_error_string(error));
    kl_error_destroy(error);
    ck_assert_int_ne(kl_producer_fatal_error(p, NULL, 0), KL_ERR_NONE);
    kl_producer_destroy(p);
    p = txn_producer(txn_id, NULL);
    transaction(p, topic, "u", 1, true);
    wait_end(topic, 4);
    reader_t rc, ru;
    reader_open(&rc, topic, "read_committed");
    reader_open(&ru, topic, "read_uncommitted");
    reader_expect(&rc, 4, "u0");
    reader_expect(&ru, 4, "t0 u0");
    reader_close(&rc);
    reader_close(&ru);
    kl_producer_destroy(p);
}
END_TEST

/* The node Kafka places txn_id's coordinator on: the leader of its
 * __transaction_state partition, the Java hash of the id modulo the
 * partition count (-1: no leader). */
static int32_t txn_coordinator(const char *txn_id)
{
    int32_t h = 0;
    for (const char *s = txn_id; *s; s++)
        h = (int32_t)((uint32_t)h * 31u + (uint32_t)(unsigned char)*s);
    int32_t abs = h == INT32_MIN ? 0 : h < 0 ? -h : h;
    kl_conf_t *conf = kf_conf(NULL);
    char err[256];
    kl_admin_t *admin = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(admin, "%s", err);
    const char *topic = "__transaction_state";
    kl_admin_topics_t *t = NULL;
    ck_assert_int_eq(kl_admin_describe_topics(admin, &topic, 1, 10000, &t), KL_ERR_NONE);
    ck_assert_int_eq(t->items[0].err, KL_ERR_NONE);
    size_t n = t->items[0].partition_count;
    ck_assert_uint_gt(n, 0);
    int32_t leader = -1;
    for (size_t i = 0; i < n; i++)
        if (t->items[0].partitions[i].id == (int32_t)((size_t)abs % n))
            leader = t->items[0].partitions[i].leader;
    kl_admin_topics_destroy(t);
    kl_admin_destroy(admin);
    return leader;
}

/* The transaction coordinator SIGKILLed between the transaction's last
 * message and its commit: the commit goes to the new coordinator, the
 * transaction is read exactly once and whole, and the producer goes on
 * after the node is back. */
START_TEST(test_coordinator_killed)
{
    KL_SKIP_IF(!getenv("KL_KAFKA_CLUSTER_DIR"), "KL_KAFKA_CLUSTER_DIR is not set (run through test_kafka_clients.sh)");
    char topic[64], txn_id[64];
    kf_name(topic, sizeof topic, "txn-coord");
    kf_name(txn_id, sizeof txn_id, "txn-coord-id");
    const char *configs[] = {"min.insync.replicas", "2", NULL};
    kf_create_topic(topic, 1, 3, configs);
    kf_wait_in_sync(topic, 1, 3);
    kl_producer_t *p = txn_producer(txn_id, NULL);
    transaction(p, topic, "b", 1, true);
    int32_t coord = txn_coordinator(txn_id);
    ck_assert_int_ge(coord, 1);
    begin_with(p, topic, "m", 5);
    kf_cluster("kill", coord);
    int64_t killed_ms = kf_now_ms();
    /* retriable errors may come back (the documented way); the commit
     * must end within the deadline */
    kl_error_t *error;
    int retries = 0;
    while ((error = kl_commit_transaction(p, KF_DEADLINE_MS)) && kl_error_is_retriable(error) &&
           kf_now_ms() - killed_ms < 2 * KF_DEADLINE_MS) {
        kl_error_destroy(error);
        retries++;
    }
    ck_assert_msg(error == NULL, "kl_commit_transaction: %s", kl_error_string(error));
    int64_t took_ms = kf_now_ms() - killed_ms;
    int32_t new_coord = txn_coordinator(txn_id);
    kf_cluster("restart", coord);
    kf_cluster("wait", 0);
    printf("coordinator %d killed before the commit: committed at %d in %lld ms (%d retriable errors)\n", coord,
           new_coord, (long long)took_ms, retries);
    ck_assert_int_ne(new_coord, coord);
    transaction(p, topic, "n", 1, true);
    reader_t rc;
    reader_open(&rc, topic, "read_committed");
    reader_expect(&rc, 10, "b0 m0 m1 m2 m3 m4 n0");
    reader_close(&rc);
    kl_producer_destroy(p);
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
    TCase *lso = tcase_create("read_committed");
    tcase_set_timeout(lso, 300);
    tcase_add_test(lso, test_read_committed);
    suite_add_tcase(s, lso);
    TCase *expiry = tcase_create("timeout_abort");
    tcase_set_timeout(expiry, 300);
    tcase_add_test(expiry, test_timeout_abort);
    suite_add_tcase(s, expiry);
    TCase *kill = tcase_create("coordinator_killed");
    tcase_set_timeout(kill, 600);
    tcase_add_test(kill, test_coordinator_killed);
    suite_add_tcase(s, kill);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
