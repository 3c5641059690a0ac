/* Unit tests for lib/broker/producer_state.c: Kafka's sequence rules for
 * idempotent producers (next batch, retries of the last five, gaps,
 * epochs, wrap-around), expiry, and the table staying consistent while
 * producers come and go. */
#include <check.h>
#include <stdlib.h>

#include "broker/producer_state.h"

/* The header fields a check looks at. */
static kl_batch_t batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count)
{
    kl_batch_t b = {0};
    b.producer_id = pid;
    b.producer_epoch = epoch;
    b.base_sequence = seq;
    b.last_offset_delta = count - 1;
    b.record_count = count;
    return b;
}

static kl_err_t check(const producer_state_t *ps, int64_t pid, int16_t epoch, int32_t seq, int32_t count,
                      producer_batch_t *dup)
{
    kl_batch_t b = batch(pid, epoch, seq, count);
    producer_batch_t ignored;
    const char *why;
    kl_err_t err = producer_state_check(ps, &b, dup ? dup : &ignored, &why);
    ck_assert(err == KL_ERR_NONE || err == KL_ERR_DUPLICATE_SEQUENCE_NUMBER || why != NULL);
    return err;
}

/* Appends a batch of count records at *offset, as the broker would. */
static void append(producer_state_t *ps, int64_t pid, int16_t epoch, int32_t seq, int32_t count, int64_t *offset,
                   int64_t ts)
{
    ck_assert_int_eq(check(ps, pid, epoch, seq, count, NULL), KL_ERR_NONE);
    ck_assert_int_eq(producer_state_update(ps, pid, epoch, seq, *offset, *offset + count - 1, ts), KL_ERR_NONE);
    *offset += count;
}

START_TEST(test_sequences)
{
    producer_state_t ps;
    producer_state_init(&ps);
    int64_t offset = 0;
    /* an unknown producer may start anywhere (its earlier batches may be
     * gone), then must go on in order */
    ck_assert_int_eq(check(&ps, 7, 0, 42, 2, NULL), KL_ERR_NONE);
    for (int i = 0; i < 7; i++)
        append(&ps, 7, 0, 3 * i, 3, &offset, 1000 + i);
    ck_assert_int_eq(check(&ps, 7, 0, 22, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(check(&ps, 7, 0, 20, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(check(&ps, 7, 0, 21, 1, NULL), KL_ERR_NONE);
    /* retries of the last five batches are duplicates with their offsets */
    for (int i = 2; i < 7; i++) {
        producer_batch_t dup;
        ck_assert_int_eq(check(&ps, 7, 0, 3 * i, 3, &dup), KL_ERR_DUPLICATE_SEQUENCE_NUMBER);
        ck_assert_int_eq(dup.first_offset, 3 * i);
        ck_assert_int_eq(dup.last_offset, 3 * i + 2);
        ck_assert_int_eq(dup.timestamp, 1000 + i);
    }
    /* older ones, or the same start with another length, are not */
    ck_assert_int_eq(check(&ps, 7, 0, 3, 3, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    ck_assert_int_eq(check(&ps, 7, 0, 18, 2, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    /* epochs: a newer one restarts at 0; an older one is fenced */
    ck_assert_int_eq(check(&ps, 7, 1, 5, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    append(&ps, 7, 1, 0, 2, &offset, 2000);
    ck_assert_int_eq(check(&ps, 7, 0, 21, 1, NULL), KL_ERR_INVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(check(&ps, 7, 0, 18, 3, NULL), KL_ERR_INVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(check(&ps, 7, 1, 0, 2, NULL), KL_ERR_DUPLICATE_SEQUENCE_NUMBER);
    append(&ps, 7, 1, 2, 1, &offset, 2001);
    /* another producer is independent */
    ck_assert_int_eq(check(&ps, 8, 0, 0, 1, NULL), KL_ERR_NONE);
    producer_state_free(&ps);
}
END_TEST

START_TEST(test_sequence_wraps)
{
    producer_state_t ps;
    producer_state_init(&ps);
    int64_t offset = 0;
    append(&ps, 1, 0, INT32_MAX - 4, 3, &offset, 0); /* INT32_MAX-4 .. INT32_MAX-2 */
    append(&ps, 1, 0, INT32_MAX - 1, 4, &offset, 0); /* INT32_MAX-1, INT32_MAX, 0, 1 */
    ck_assert_int_eq(check(&ps, 1, 0, INT32_MAX - 1, 4, NULL), KL_ERR_DUPLICATE_SEQUENCE_NUMBER);
    ck_assert_int_eq(check(&ps, 1, 0, 3, 1, NULL), KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    append(&ps, 1, 0, 2, 1, &offset, 0);
    producer_state_free(&ps);
}
END_TEST

START_TEST(test_expiry)
{
    producer_state_t ps;
    producer_state_init(&ps);
    int64_t offset = 0;
    append(&ps, 1, 0, 0, 1, &offset, 100);   /* offset 0, old */
    append(&ps, 2, 0, 0, 1, &offset, 5000);  /* offset 1 */
    append(&ps, 3, 0, 0, 1, &offset, 9000);  /* offset 2 */
    producer_state_expire(&ps, 10000, 6000, 0);
    ck_assert_ptr_null(producer_state_find(&ps, 1));
    ck_assert_ptr_nonnull(producer_state_find(&ps, 2));
    /* gone from the log: forgotten too */
    producer_state_expire(&ps, 10000, 6000, 2);
    ck_assert_ptr_null(producer_state_find(&ps, 2));
    ck_assert_ptr_nonnull(producer_state_find(&ps, 3));
    ck_assert_uint_eq(ps.count, 1);
    producer_state_free(&ps);
}
END_TEST

/* Many producers, half of them expired: every survivor is still found
 * (the table shifts entries back over the holes) and none of the others. */
START_TEST(test_table_churn)
{
    producer_state_t ps;
    producer_state_init(&ps);
    int64_t offset = 0;
    for (int64_t pid = 0; pid < 5000; pid++)
        append(&ps, pid * 1000003, 0, 0, 1, &offset, pid % 2 ? 10 : 1000);
    ck_assert_uint_eq(ps.count, 5000);
    producer_state_expire(&ps, 1000, 500, 0);
    ck_assert_uint_eq(ps.count, 2500);
    for (int64_t pid = 0; pid < 5000; pid++) {
        const producer_entry_t *e = producer_state_find(&ps, pid * 1000003);
        ck_assert_msg((e != NULL) == (pid % 2 == 0), "producer %lld", (long long)pid);
    }
    for (int64_t pid = 5000; pid < 6000; pid++)
        append(&ps, pid * 1000003, 0, 0, 1, &offset, 1000);
    for (int64_t pid = 0; pid < 6000; pid += 2)
        ck_assert_ptr_nonnull(producer_state_find(&ps, pid * 1000003));
    producer_state_free(&ps);
}
END_TEST

static Suite *producer_state_suite(void)
{
    Suite *s = suite_create("producer_state");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_sequences);
    tcase_add_test(tc, test_sequence_wraps);
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_table_churn);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(producer_state_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
