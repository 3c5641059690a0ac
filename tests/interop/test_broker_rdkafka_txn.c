/* librdkafka's transactional producer against the embedded broker:
 * transactions committed and aborted, read back by librdkafka consumers
 * in read_committed (committed records only, up to the last stable
 * offset) and read_uncommitted (everything, never a control record);
 * a second producer with the same transactional.id fencing the first;
 * a broker restarted in the middle of a transaction, whose coordinator
 * still knows it and aborts it for the next instance; a transaction
 * aborted by the coordinator after its timeout, after which the same
 * producer aborts and commits the next (KIP-588). ListOffsets answers the
 * last stable offset to read_committed. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "proto/api.h"
#include "proto/msg_fetch.h"
#include "rdkafka_clients.h"
#include "util/arena.h"
#include "wire_client.h"

#define TIMEOUT_MS 30000
#define MAX_VALUES 64

typedef struct values {
    char v[MAX_VALUES][32];
    int count;
} values_t;

static void transaction(rd_kafka_t *rk, const char *topic, const char *prefix, int n, bool commit)
{
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    produce_values(rk, topic, prefix, n);
    if (commit)
        check_rdkafka_error(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit_transaction");
    else
        check_rdkafka_error(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort_transaction");
}

/* Reads partition 0 of topic from the start until librdkafka reports its
 * end (the last stable offset for read_committed, the high watermark
 * otherwise). */
static void consume(const char *bootstrap, const char *topic, const char *isolation, values_t *out)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", "txn-reader");
    conf_set(conf, "isolation.level", isolation);
    conf_set(conf, "enable.partition.eof", "true");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);
    out->count = 0;
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    bool eof = false;
    while (!eof) {
        ck_assert_msg(fixture_now_ms() < deadline, "%s: no end of partition after %d values", isolation,
                      out->count);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eof = true;
        } else {
            ck_assert_msg(m->err == 0, "%s: %s", isolation, rd_kafka_message_errstr(m));
            ck_assert_int_lt(out->count, MAX_VALUES);
            ck_assert_uint_lt(m->len, sizeof out->v[0]);
            memcpy(out->v[out->count], m->payload, m->len);
            out->v[out->count++][m->len] = '\0';
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* out must hold exactly the space-separated values of want, in order. */
static void expect_values(const values_t *out, const char *want)
{
    char joined[MAX_VALUES * 33] = "";
    for (int i = 0; i < out->count; i++) {
        strcat(joined, i ? " " : "");
        strcat(joined, out->v[i]);
    }
    ck_assert_str_eq(joined, want);
}

/* ListOffsets latest of partition 0, read_committed (the last stable
 * offset) or not (the high watermark). */
static int64_t latest_offset(const char *bootstrap, const char *topic, bool read_committed)
{
    wire_client_t wc;
    ck_assert_int_eq(wire_connect(&wc, bootstrap), 0);
    kl_list_offsets_request_partition_t part = {.partition_index = 0, .current_leader_epoch = -1,
                                                .timestamp = -1, .max_num_offsets = 1};
    kl_list_offsets_request_topic_t t = {.name = kl_str(topic)};
    t.partitions.items = &part;
    t.partitions.count = 1;
    kl_list_offsets_request_t req;
    kl_proto_init(&kl_list_offsets_request_schema, &req);
    req.replica_id = -1;
    req.isolation_level = read_committed ? 1 : 0;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_list_offsets_response_t resp;
    uint8_t *frame = NULL;
    ck_assert_int_eq(wire_call(&wc, KL_API_LIST_OFFSETS, 5, &req, &arena, &resp, &frame, TIMEOUT_MS), 0);
    ck_assert_int_eq(resp.topics.count, 1);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, 1);
    ck_assert_int_eq(resp.topics.items[0].partitions.items[0].error_code, 0);
    int64_t offset = resp.topics.items[0].partitions.items[0].offset;
    free(frame);
    kl_arena_free(&arena);
    wire_close(&wc);
    return offset;
}

START_TEST(test_commit_and_abort)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "txn-ca", 1);
    rd_kafka_t *rk = rdkafka_txn_producer(f.bootstrap, "tx-ca");
    transaction(rk, "txn-ca", "c", 5, true);
    transaction(rk, "txn-ca", "a", 5, false);
    transaction(rk, "txn-ca", "d", 3, true);
    values_t got;
    consume(f.bootstrap, "txn-ca", "read_committed", &got);
    expect_values(&got, "c0 c1 c2 c3 c4 d0 d1 d2");
    consume(f.bootstrap, "txn-ca", "read_uncommitted", &got);
    expect_values(&got, "c0 c1 c2 c3 c4 a0 a1 a2 a3 a4 d0 d1 d2");
    /* an open transaction holds read_committed readers at its start */
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    produce_values(rk, "txn-ca", "o", 2);
    consume(f.bootstrap, "txn-ca", "read_committed", &got);
    expect_values(&got, "c0 c1 c2 c3 c4 d0 d1 d2");
    consume(f.bootstrap, "txn-ca", "read_uncommitted", &got);
    expect_values(&got, "c0 c1 c2 c3 c4 a0 a1 a2 a3 a4 d0 d1 d2 o0 o1");
    /* 13 records and 3 markers before o0; o0 and o1 after */
    ck_assert_int_eq(latest_offset(f.bootstrap, "txn-ca", true), 16);
    ck_assert_int_eq(latest_offset(f.bootstrap, "txn-ca", false), 18);
    check_rdkafka_error(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit_transaction");
    consume(f.bootstrap, "txn-ca", "read_committed", &got);
    expect_values(&got, "c0 c1 c2 c3 c4 d0 d1 d2 o0 o1");
    ck_assert_int_eq(latest_offset(f.bootstrap, "txn-ca", true), 19);
    rd_kafka_destroy(rk);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_fencing)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "txn-fence", 1);
    rd_kafka_t *first = rdkafka_txn_producer(f.bootstrap, "tx-fence");
    check_rdkafka_error(rd_kafka_begin_transaction(first), "begin_transaction");
    produce_values(first, "txn-fence", "old", 2);
    /* the second instance aborts the first's transaction and fences it */
    rd_kafka_t *second = rdkafka_txn_producer(f.bootstrap, "tx-fence");
    rd_kafka_error_t *error = rd_kafka_commit_transaction(first, TIMEOUT_MS);
    ck_assert_msg(error != NULL, "the fenced producer committed");
    ck_assert_msg(rd_kafka_error_is_fatal(error), "not fatal: %s", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    transaction(second, "txn-fence", "new", 2, true);
    values_t got;
    consume(f.bootstrap, "txn-fence", "read_committed", &got);
    expect_values(&got, "new0 new1");
    consume(f.bootstrap, "txn-fence", "read_uncommitted", &got);
    expect_values(&got, "old0 old1 new0 new1");
    rd_kafka_destroy(first);
    rd_kafka_destroy(second);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_restart_mid_transaction)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create_topic(f.bootstrap, "txn-restart", 1);
    rd_kafka_t *first = rdkafka_txn_producer(f.bootstrap, "tx-restart");
    transaction(first, "txn-restart", "k", 2, true);
    check_rdkafka_error(rd_kafka_begin_transaction(first), "begin_transaction");
    produce_values(first, "txn-restart", "open", 2);
    rd_kafka_destroy(first); /* gone without ending it */
    fixture_restart(&f);
    values_t got;
    /* the open transaction still holds read_committed readers back */
    consume(f.bootstrap, "txn-restart", "read_committed", &got);
    expect_values(&got, "k0 k1");
    /* the next instance: the restarted coordinator aborts the old one's */
    rd_kafka_t *second = rdkafka_txn_producer(f.bootstrap, "tx-restart");
    transaction(second, "txn-restart", "m", 2, true);
    consume(f.bootstrap, "txn-restart", "read_committed", &got);
    expect_values(&got, "k0 k1 m0 m1");
    consume(f.bootstrap, "txn-restart", "read_uncommitted", &got);
    expect_values(&got, "k0 k1 open0 open1 m0 m1");
    rd_kafka_destroy(second);
    /* and committed and aborted stay so across another restart */
    fixture_restart(&f);
    consume(f.bootstrap, "txn-restart", "read_committed", &got);
    expect_values(&got, "k0 k1 m0 m1");
    fixture_stop(&f);
}
END_TEST

START_TEST(test_timeout_aborts)
{
    static const char *const props[] = {"transaction.abort.timed.out.transaction.cleanup.interval.ms", "100",
                                        NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    create_topic(f.bootstrap, "txn-timeout", 1);
    rd_kafka_conf_t *conf = conf_new(f.bootstrap);
    conf_set(conf, "transactional.id", "tx-timeout");
    conf_set(conf, "transaction.timeout.ms", "1500");
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf);
    check_rdkafka_error(rd_kafka_init_transactions(rk, TIMEOUT_MS), "init_transactions");
    check_rdkafka_error(rd_kafka_begin_transaction(rk), "begin_transaction");
    produce_values(rk, "txn-timeout", "late", 2);
    /* the coordinator aborts it: the marker moves the last stable offset */
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (latest_offset(f.bootstrap, "txn-timeout", true) == 0) {
        ck_assert_msg(fixture_now_ms() < deadline, "the timed-out transaction was not aborted");
        rd_kafka_poll(rk, 50);
    }
    ck_assert_int_eq(latest_offset(f.bootstrap, "txn-timeout", true), 3);
    /* with the epoch bumped: the producer cannot commit it any more, but
     * it is not fenced either (KIP-588): the commit fails abortable, the
     * abort claims the bumped epoch (InitProducerId with the producer's
     * id and epoch) and the same instance goes on */
    rd_kafka_error_t *error = rd_kafka_commit_transaction(rk, TIMEOUT_MS);
    ck_assert_msg(error != NULL, "a timed-out transaction committed");
    ck_assert_msg(!rd_kafka_error_is_fatal(error) && rd_kafka_error_txn_requires_abort(error),
                  "the timed-out transaction's commit: %s (fatal %d)", rd_kafka_error_string(error),
                  rd_kafka_error_is_fatal(error));
    rd_kafka_error_destroy(error);
    check_rdkafka_error(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort_transaction");
    transaction(rk, "txn-timeout", "next", 2, true);
    values_t got;
    consume(f.bootstrap, "txn-timeout", "read_committed", &got);
    expect_values(&got, "next0 next1");
    rd_kafka_destroy(rk);
    fixture_stop(&f);
}
END_TEST

static Suite *txn_suite(void)
{
    Suite *s = suite_create("broker_rdkafka_txn");
    TCase *tc = tcase_create("transactions");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_commit_and_abort);
    tcase_add_test(tc, test_fencing);
    tcase_add_test(tc, test_restart_mid_transaction);
    tcase_add_test(tc, test_timeout_aborts);
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
