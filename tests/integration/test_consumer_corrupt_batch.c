/* Compressed batches with a valid CRC that do not decode, already in a
 * partition's log (the broker refuses them on produce now; an older one
 * stored them): the consumer delivers the records before them, reports
 * each through poll as an error naming the topic, partition and offset,
 * skips it as librdkafka does, and goes on with the records after it,
 * instead of stopping the partition for good. */
#include <check.h>
#include <stdlib.h>

#include <kafkalite.h>

#include "broker_wire.h"
#include "corrupt_batch.h"

#define WAIT_MS 30000

static kl_codec_t codec;

/* Polls for the next message that is not the end of the partition. */
static kl_message_t *next(kl_consumer_t *c)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (fixture_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (m && kl_message_error(m) != KL_ERR_PARTITION_EOF)
            return m;
        kl_message_destroy(m);
    }
    ck_abort_msg("no message within %d ms", WAIT_MS);
    return NULL;
}

static void expect_record(kl_consumer_t *c, int64_t offset)
{
    kl_message_t *m = next(c);
    ck_assert_msg(kl_message_error(m) == KL_ERR_NONE, "offset %lld: %s", (long long)offset,
                  kl_err_str(kl_message_error(m)));
    ck_assert_int_eq(kl_message_offset(m), offset);
    kl_message_destroy(m);
}

static void expect_error(kl_consumer_t *c, int64_t offset)
{
    kl_message_t *m = next(c);
    ck_assert_int_ne(kl_message_error(m), KL_ERR_NONE);
    ck_assert_str_eq(kl_message_topic(m), "t");
    ck_assert_int_eq(kl_message_partition(m), 0);
    ck_assert_int_eq(kl_message_offset(m), offset);
    size_t len;
    ck_assert_ptr_nonnull(kl_message_value(m, &len)); /* a readable reason */
    kl_message_destroy(m);
}

static void plant(const broker_fixture_t *f, corrupt_kind_t kind)
{
    size_t len;
    uint8_t *b = corrupt_batch(codec, kind, 5, &len);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(corrupt_batch_plant(f->dir, "t", 0, b, len), KL_ERR_NONE);
    free(b);
}

START_TEST(test_corrupt_batches_reported_and_skipped)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "t", 1, 1, NULL, NULL, false, NULL), 0);
    wire_close(&wc);
    kl_broker_destroy(f.broker);
    f.broker = NULL;
    plant(&f, CORRUPT_NONE);    /* 0-4 */
    plant(&f, CORRUPT_STREAM);  /* 5-9 */
    plant(&f, CORRUPT_RECORDS); /* 10-14 */
    plant(&f, CORRUPT_NONE);    /* 15-19 */
    fixture_restart(&f);

    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", f.bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr), KL_ERR_NONE);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "%s", errstr);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(list, "t", 0)->offset = 0;
    ck_assert_int_eq(kl_assign(c, list), KL_ERR_NONE);
    kl_topic_partition_list_destroy(list);

    for (int64_t o = 0; o < 5; o++)
        expect_record(c, o);
    expect_error(c, 5);
    expect_error(c, 10);
    for (int64_t o = 15; o < 20; o++)
        expect_record(c, o);
    kl_consumer_destroy(c);
    fixture_stop(&f);
}
END_TEST

int main(void)
{
    codec = corrupt_batch_require_codec();
    Suite *s = suite_create("consumer_corrupt_batch");
    TCase *tc = tcase_create("fetch");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_corrupt_batches_reported_and_skipped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
