/* Idempotent producers over the wire, with hand-made batches: producer
 * ids that never repeat across restarts, in-order batches appended, retries
 * of the last five answered with their first offset and not written again,
 * gaps and fenced epochs refused, and the state rebuilt from the log after
 * a restart so a retry that crosses it is still recognised. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "net/loop.h"
#include "proto/msg_produce.h"

#define TOPIC "idem"

static int16_t init_producer_id(wire_client_t *wc, int16_t version, const char *transactional_id, int64_t *id,
                                int16_t *epoch)
{
    kl_init_producer_id_request_t req;
    kl_proto_init(&kl_init_producer_id_request_schema, &req);
    req.transactional_id = transactional_id ? kl_str(transactional_id) : KL_STR_NULL;
    req.transaction_timeout_ms = 60000;
    req.producer_id = -1;
    req.producer_epoch = -1;
    kl_init_producer_id_response_t resp;
    exchange_t x;
    call(wc, KL_API_INIT_PRODUCER_ID, version, &req, &resp, &x);
    *id = resp.producer_id;
    *epoch = resp.producer_epoch;
    done(&x);
    return resp.error_code;
}

/* Produces a batch of n records of producer pid at epoch from sequence
 * seq; returns the error and the base offset in *base. */
static int16_t produce_seq(wire_client_t *wc, int64_t pid, int16_t epoch, int32_t seq, int n, int64_t *base)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.producer_id = pid;
    params.producer_epoch = epoch;
    params.base_sequence = seq;
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch_with(&w, &params, seq, n, 10, kl_wallclock_ms(), &data, &len);
    kl_produce_response_partition_t r;
    int16_t err = produce_raw(wc, TOPIC, 0, data, len, 9, &r);
    kl_batch_writer_free(&w);
    if (base)
        *base = r.base_offset;
    return err;
}

static void expect_appended(wire_client_t *wc, int64_t pid, int16_t epoch, int32_t seq, int n, int64_t want)
{
    int64_t base = -1;
    ck_assert_int_eq(produce_seq(wc, pid, epoch, seq, n, &base), 0);
    ck_assert_int_eq(base, want);
}

START_TEST(test_producer_ids)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    int64_t a, b, c;
    int16_t epoch;
    ck_assert_int_eq(init_producer_id(&wc, 0, NULL, &a, &epoch), 0);
    ck_assert_int_eq(epoch, 0);
    ck_assert_int_eq(init_producer_id(&wc, 4, NULL, &b, &epoch), 0);
    ck_assert_int_ne(a, b);
    /* a transactional id keeps its producer id; each init bumps the epoch */
    int64_t tx;
    ck_assert_int_eq(init_producer_id(&wc, 2, "tx", &tx, &epoch), 0);
    ck_assert_int_eq(epoch, 0);
    ck_assert_int_eq(init_producer_id(&wc, 2, "tx", &c, &epoch), 0);
    ck_assert_int_eq(c, tx);
    ck_assert_int_eq(epoch, 1);
    ck_assert_int_eq(init_producer_id(&wc, 2, "", &c, &epoch), KL_ERR_INVALID_REQUEST);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(init_producer_id(&wc, 5, NULL, &c, &epoch), 0);
    ck_assert_int_gt(c, a);
    ck_assert_int_gt(c, b);
    ck_assert_int_gt(c, tx);
    /* and after a restart, from __transaction_state */
    int64_t again;
    ck_assert_int_eq(init_producer_id(&wc, 2, "tx", &again, &epoch), 0);
    ck_assert_int_eq(again, tx);
    ck_assert_int_eq(epoch, 2);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_sequences_over_the_wire)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, TOPIC, 1, 1, NULL, NULL, false, NULL), 0);
    int64_t pid, base;
    int16_t epoch;
    ck_assert_int_eq(init_producer_id(&wc, 4, NULL, &pid, &epoch), 0);
    for (int i = 0; i < 7; i++)
        expect_appended(&wc, pid, 0, 3 * i, 3, 3 * i);
    /* a retry of one of the last five batches: its first offset, no write */
    for (int i = 2; i < 7; i++)
        expect_appended(&wc, pid, 0, 3 * i, 3, 3 * i);
    ck_assert_int_eq(list_offset(&wc, 1, TOPIC, -1, NULL), 21);
    /* one older than that, a gap, a longer "retry" */
    ck_assert_int_eq(produce_seq(&wc, pid, 0, 3, 3, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(produce_seq(&wc, pid, 0, 22, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(produce_seq(&wc, pid, 0, 18, 4, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    /* a new epoch starts over at 0; the old one is fenced */
    ck_assert_int_eq(produce_seq(&wc, pid, 1, 21, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect_appended(&wc, pid, 1, 0, 2, 21);
    ck_assert_int_eq(produce_seq(&wc, pid, 0, 21, 1, NULL), KL_ERR_INVALID_PRODUCER_EPOCH);
    expect_appended(&wc, pid, 1, 2, 2, 23);
    /* another producer, and a plain one, in between */
    int64_t other;
    ck_assert_int_eq(init_producer_id(&wc, 4, NULL, &other, &epoch), 0);
    expect_appended(&wc, other, 0, 0, 1, 25);
    ck_assert_int_eq(produce(&wc, TOPIC, 0, 0, 1, 10, &base), 0);
    ck_assert_int_eq(base, 26);
    ck_assert_int_eq(list_offset(&wc, 1, TOPIC, -1, NULL), 27);

    /* across a restart the state comes back from the log: the last batch
     * retried is still a duplicate, the next one follows, a gap is not */
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    expect_appended(&wc, pid, 1, 2, 2, 23);
    expect_appended(&wc, pid, 1, 0, 2, 21);
    expect_appended(&wc, other, 0, 0, 1, 25);
    ck_assert_int_eq(produce_seq(&wc, pid, 1, 5, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(produce_seq(&wc, pid, 0, 21, 1, NULL), KL_ERR_INVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(list_offset(&wc, 1, TOPIC, -1, NULL), 27);
    expect_appended(&wc, pid, 1, 4, 1, 27);
    expect_appended(&wc, other, 0, 1, 1, 28);
    /* an unknown producer (its batches long gone) may start anywhere */
    expect_appended(&wc, pid + 1000000, 0, 500, 1, 29);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* A producer whose records were all deleted is forgotten: it may go on
 * from any sequence, as Kafka allows once the records are gone. */
START_TEST(test_deleted_producer_forgotten)
{
    static const char *const props[] = {"log.retention.check.interval.ms", "20", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    static const char *const configs[] = {"segment.bytes", "100", "retention.bytes", "0", NULL};
    ck_assert_int_eq(create_topic_with(&wc, TOPIC, 1, 1, configs, false, NULL), 0);
    int64_t pid, other;
    int16_t epoch;
    ck_assert_int_eq(init_producer_id(&wc, 4, NULL, &pid, &epoch), 0);
    ck_assert_int_eq(init_producer_id(&wc, 4, NULL, &other, &epoch), 0);
    expect_appended(&wc, pid, 0, 0, 3, 0);
    /* the other producer's batch rolls the segment; retention then deletes
     * the first one, and with it everything of pid */
    expect_appended(&wc, other, 0, 0, 3, 3);
    long long deadline = fixture_now_ms() + 10000;
    int16_t err;
    while ((err = produce_seq(&wc, pid, 0, 40, 1, NULL)) == KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER &&
           fixture_now_ms() < deadline)
        usleep(2000);
    ck_assert_int_eq(err, 0);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *idempotence_suite(void)
{
    Suite *s = suite_create("broker_idempotence");
    TCase *tc = tcase_create("wire");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_producer_ids);
    tcase_add_test(tc, test_sequences_over_the_wire);
    tcase_add_test(tc, test_deleted_producer_forgotten);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Topics here roll after a few batches: lower Kafka's 1 MiB
     * segment.bytes minimum for this process's brokers (a test-only knob). */
    setenv("KAFKALITE_TEST_MIN_SEGMENT_BYTES", "14", 1);
    SRunner *sr = srunner_create(idempotence_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
