/* Our consumer's isolation.level against transactions that librdkafka's
 * transactional producers write to the embedded broker: two producers'
 * transactions interleaved in one partition, one aborted and one
 * committed, a plain record, a producer's next transaction after its
 * abort, and one left open. read_committed shows the committed records
 * only and stops at the last stable offset, then goes on when the open
 * transaction commits; read_uncommitted shows every record; neither shows
 * a control record. The position (and the stored offset a commit sends)
 * moves past the markers and aborted records, so that at the end it
 * equals the last stable offset or the high watermark and the lag is 0. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "rdkafka_clients.h"

#define WAIT_MS 30000
#define TOPIC "ctxn"

static broker_fixture_t fx;

static kl_consumer_t *consumer_new(const char *isolation, const char *group)
{
    const char *props[] = {"bootstrap.servers", fx.bootstrap, "enable.partition.eof", "true",
                           "enable.auto.commit", "false", "group.id", group, NULL, NULL, NULL};
    if (isolation) { /* else the default */
        props[8] = "isolation.level";
        props[9] = isolation;
    }
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    for (const char **p = props; p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s: %s", p[0], errstr);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_set_offset(list, TOPIC, 0, KL_OFFSET_BEGINNING);
    ck_assert_int_eq(kl_assign(c, list), KL_ERR_NONE);
    kl_topic_partition_list_destroy(list);
    return c;
}

/* Polls until the end of the partition is reported at offset end,
 * appending the values read (space-separated) to got. */
static void read_to(kl_consumer_t *c, int64_t end, char *got, size_t size)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    for (;;) {
        ck_assert_msg(fixture_now_ms() < deadline, "no end of partition at %lld; read \"%s\"", (long long)end, got);
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (!m)
            continue;
        kl_err_t err = kl_message_error(m);
        int64_t offset = kl_message_offset(m);
        if (!err) {
            size_t len;
            const char *v = kl_message_value(m, &len);
            size_t at = strlen(got);
            ck_assert_uint_lt(at + len + 2, size);
            snprintf(got + at, size - at, "%s%.*s", at ? " " : "", (int)len, v);
        } else
            ck_assert_msg(err == KL_ERR_PARTITION_EOF, "error: %s", kl_err_name(err));
        kl_message_destroy(m);
        ck_assert_msg(!err || offset <= end, "end of partition at %lld, past %lld", (long long)offset,
                      (long long)end);
        if (err && offset == end)
            return;
    }
}

/* The position, the lag kl_consumer_lag() shows (from the committed
 * offset when there is one) and the high watermark. */
static void expect_position(kl_consumer_t *c, int64_t position, int64_t lag, int64_t high)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(list, TOPIC, 0);
    ck_assert_int_eq(kl_position(c, list), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, position);
    kl_topic_partition_list_destroy(list);
    kl_partition_lag_t *lags;
    size_t n;
    ck_assert_int_eq(kl_consumer_lag(c, &lags, &n), KL_ERR_NONE);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(lags[0].position, position);
    ck_assert_int_eq(lags[0].high_watermark, high);
    ck_assert_int_eq(lags[0].lag, lag);
    kl_consumer_lag_destroy(lags, n);
}

/* Commits the stored offset and reads it back. */
static void expect_commit(kl_consumer_t *c, int64_t offset)
{
    ck_assert_int_eq(kl_commit(c, NULL, 0), KL_ERR_NONE);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(list, TOPIC, 0);
    ck_assert_int_eq(kl_committed(c, list, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, offset);
    kl_topic_partition_list_destroy(list);
}

START_TEST(test_isolation_levels)
{
    fixture_start(&fx, NULL);
    create_topic(fx.bootstrap, TOPIC, 1);
    rd_kafka_t *a = rdkafka_txn_producer(fx.bootstrap, "ctxn-a");
    rd_kafka_t *b = rdkafka_txn_producer(fx.bootstrap, "ctxn-b");
    rd_kafka_t *plain = client_new(RD_KAFKA_PRODUCER, conf_new(fx.bootstrap));
    /* offsets: a 0-1, b 2-3, a 4, abort(a) 5, b 6, commit(b) 7, p 8,
     * a 9, commit(a) 10, open 11-12 */
    check_rdkafka_error(rd_kafka_begin_transaction(a), "begin a");
    produce_values(a, TOPIC, "a", 2);
    check_rdkafka_error(rd_kafka_begin_transaction(b), "begin b");
    produce_values(b, TOPIC, "b", 2);
    produce_values(a, TOPIC, "a-late", 1);
    check_rdkafka_error(rd_kafka_abort_transaction(a, WAIT_MS), "abort a");
    produce_values(b, TOPIC, "b-late", 1);
    check_rdkafka_error(rd_kafka_commit_transaction(b, WAIT_MS), "commit b");
    produce_values(plain, TOPIC, "p", 1);
    check_rdkafka_error(rd_kafka_begin_transaction(a), "begin a again");
    produce_values(a, TOPIC, "a-next", 1);
    check_rdkafka_error(rd_kafka_commit_transaction(a, WAIT_MS), "commit a");
    check_rdkafka_error(rd_kafka_begin_transaction(b), "begin b again");
    produce_values(b, TOPIC, "open", 2);

    /* the default is read_committed, as in librdkafka */
    kl_consumer_t *rc = consumer_new(NULL, "ctxn-rc");
    char got[512] = "";
    read_to(rc, 11, got, sizeof got);
    ck_assert_str_eq(got, "b0 b1 b-late0 p0 a-next0");
    /* past a-next0 (9) and the commit marker (10): at the last stable offset */
    expect_position(rc, 11, 0, 13);
    expect_commit(rc, 11);

    kl_consumer_t *ru = consumer_new("read_uncommitted", "ctxn-ru");
    got[0] = '\0';
    read_to(ru, 13, got, sizeof got);
    ck_assert_str_eq(got, "a0 a1 b0 b1 a-late0 b-late0 p0 a-next0 open0 open1");
    expect_position(ru, 13, 0, 13);

    /* the open transaction commits: the reader waiting at its start goes
     * on, past the marker (13) */
    check_rdkafka_error(rd_kafka_commit_transaction(b, WAIT_MS), "commit b again");
    got[0] = '\0';
    read_to(rc, 14, got, sizeof got);
    ck_assert_str_eq(got, "open0 open1");
    expect_position(rc, 14, 3, 14); /* the lag counts from the commit at 11 */
    /* an aborted transaction at the end: nothing to show, yet the
     * position moves past it and its marker (14-15) */
    check_rdkafka_error(rd_kafka_begin_transaction(a), "begin a, to abort");
    produce_values(a, TOPIC, "gone", 1);
    check_rdkafka_error(rd_kafka_abort_transaction(a, WAIT_MS), "abort a again");
    got[0] = '\0';
    read_to(rc, 16, got, sizeof got);
    ck_assert_str_eq(got, "");
    expect_position(rc, 16, 5, 16);
    expect_commit(rc, 16);
    expect_position(rc, 16, 0, 16);
    got[0] = '\0';
    read_to(ru, 16, got, sizeof got);
    ck_assert_str_eq(got, "gone0");
    expect_position(ru, 16, 0, 16);

    kl_consumer_destroy(rc);
    kl_consumer_destroy(ru);
    rd_kafka_destroy(plain);
    rd_kafka_destroy(a);
    rd_kafka_destroy(b);
    fixture_stop(&fx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("consumer_txn");
    TCase *tc = tcase_create("isolation");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_isolation_levels);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
