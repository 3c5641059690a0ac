/* Unit tests for lib/consumer/fetch_parse.c: a fetched partition's records
 * turned into messages when the data is damaged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/message_impl.h"
#include "consumer/consumer_impl.h"
#include "record/batch.h"
#include "record/batch_layout.h"

/* Appends a batch of n records at base to out. */
static void put_batch(kl_buf_t *out, kl_codec_t codec, int64_t base, int n)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    const uint8_t *data;
    size_t len;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.base_offset = base;
    p.codec = codec;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000000LL + i, "k", 1, "value", 5, NULL, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    kl_buf_put(out, data, len);
    kl_batch_writer_free(&w);
}

/* A compressed batch whose header claims 2^31 - 1 records (CRC intact) is
 * an error for its partition; the messages before it are still delivered,
 * and the claim never sizes an allocation (found by tests/fuzz/fuzz_fetch:
 * the consumer sized its message array by the claimed counts before
 * inflating anything, and answered out of memory instead). */
START_TEST(test_compressed_count_claim)
{
    kl_codec_t codec = kl_codec_available(KL_CODEC_GZIP) ? KL_CODEC_GZIP : KL_CODEC_ZSTD;
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_batch(&b, KL_CODEC_NONE, 0, 3);
    size_t second = b.len;
    put_batch(&b, codec, 3, 2);
    uint8_t *p = b.data + second;
    size_t len = b.len - second;
    kl_store_be32(p + KL_BATCH_POS_LAST_OFFSET_DELTA, INT32_MAX - 1);
    kl_store_be32(p + KL_BATCH_POS_RECORD_COUNT, INT32_MAX);
    kl_store_be32(p + KL_BATCH_POS_CRC, kl_batch_compute_crc(p, len));

    cons_settings_t s;
    memset(&s, 0, sizeof s);
    s.check_crcs = true;
    size_t raw_len;
    uint8_t *raw = kl_buf_steal(&b, &raw_len);
    int64_t next;
    bool incomplete;
    kl_err_t err;
    const char *why;
    kl_msgbuf_t *buf = cons_parse_records(&s, "t", 0, raw, raw_len, 0, &next, &incomplete, &err, &why);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(buf->nmsgs, 3);
    ck_assert_uint_le(buf->cap_msgs, 3);
    ck_assert_int_eq(next, 3);
    ck_assert_int_eq(err, KL_ERR_BAD_MSG);
    kl_msgbuf_release(buf, 1);
}
END_TEST

/* Batches that overlap (a damaged or hostile answer) never hand out an
 * offset twice or out of order: records at or below what was already
 * taken are skipped, as the Java client does (found by tests/fuzz/
 * fuzz_fetch: the second batch's records came after the first's). */
START_TEST(test_overlapping_batches)
{
    kl_codec_t codecs[] = {KL_CODEC_NONE, kl_codec_available(KL_CODEC_GZIP) ? KL_CODEC_GZIP : KL_CODEC_ZSTD};
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        kl_buf_t b;
        kl_buf_init(&b, 0);
        put_batch(&b, KL_CODEC_NONE, 10, 3);
        put_batch(&b, codecs[c], 11, 3);
        put_batch(&b, codecs[c], 12, 1);

        cons_settings_t s;
        memset(&s, 0, sizeof s);
        s.check_crcs = true;
        size_t raw_len;
        uint8_t *raw = kl_buf_steal(&b, &raw_len);
        int64_t next;
        bool incomplete;
        kl_err_t err;
        const char *why;
        kl_msgbuf_t *buf = cons_parse_records(&s, "t", 0, raw, raw_len, 10, &next, &incomplete, &err, &why);
        ck_assert_ptr_nonnull(buf);
        ck_assert_int_eq(err, KL_ERR_NONE);
        ck_assert_uint_eq(buf->nmsgs, 4);
        for (size_t i = 0; i < buf->nmsgs; i++)
            ck_assert_int_eq(buf->msgs[i].offset, 10 + (int64_t)i);
        ck_assert_int_eq(next, 14);
        kl_msgbuf_release(buf, 1);
    }
}
END_TEST

int main(void)
{
    if (!kl_codec_available(KL_CODEC_GZIP) && !kl_codec_available(KL_CODEC_ZSTD)) {
        const char *strict = getenv("KL_TEST_NO_SKIP");
        printf("SKIP: the damaged compressed batch needs gzip or zstd in the build\n");
        return strict && strcmp(strict, "1") == 0 ? EXIT_FAILURE : 77;
    }
    Suite *s = suite_create("fetch_parse");
    TCase *tc = tcase_create("damaged");
    tcase_add_test(tc, test_compressed_count_claim);
    tcase_add_test(tc, test_overlapping_batches);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
