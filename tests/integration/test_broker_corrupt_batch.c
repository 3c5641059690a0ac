/* Compressed batches whose CRC checks out but whose records do not decode,
 * produced over the wire: Kafka decompresses a compressed batch on append
 * and answers CORRUPT_MESSAGE for a damaged stream or malformed records;
 * so does the broker, and stores nothing of them, while a sound
 * compressed batch is taken. */
#include <check.h>
#include <stdlib.h>

#include "broker_wire.h"
#include "corrupt_batch.h"

static kl_codec_t codec;

/* Produces a corrupt batch of kind: refused, with a message (v8+). */
static void refuse(wire_client_t *wc, corrupt_kind_t kind)
{
    size_t len;
    uint8_t *b = corrupt_batch(codec, kind, 5, &len);
    ck_assert_ptr_nonnull(b);
    kl_produce_response_partition_t r;
    ck_assert_int_eq(produce_raw(wc, "t", 0, b, len, 9, &r), KL_ERR_CORRUPT_MESSAGE);
    ck_assert_int_eq(r.base_offset, -1);
    free(b);
}

START_TEST(test_corrupt_compressed_batches_refused)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "t", 1, 1, NULL, NULL, false, NULL), 0);
    refuse(&wc, CORRUPT_STREAM);
    refuse(&wc, CORRUPT_RECORDS);

    /* A sound batch of the same codec is stored, at offset 0: nothing of
     * the refused ones went into the log. */
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.codec = codec;
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch_with(&w, &params, 0, 5, 10, WIRE_BASE_TIMESTAMP, &data, &len);
    kl_produce_response_partition_t r;
    ck_assert_int_eq(produce_raw(&wc, "t", 0, data, len, 9, &r), 0);
    ck_assert_int_eq(r.base_offset, 0);
    kl_batch_writer_free(&w);
    ck_assert_int_eq(list_offset(&wc, 1, "t", -1, NULL), 5);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

int main(void)
{
    codec = corrupt_batch_require_codec();
    Suite *s = suite_create("broker_corrupt_batch");
    TCase *tc = tcase_create("produce");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_corrupt_compressed_batches_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
