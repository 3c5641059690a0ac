/* Unit tests for lib/consumer/fetch_parse.c: a fetched partition's records
 * turned into messages when the data is damaged, and as read_committed
 * and read_uncommitted readers see transactions (txn_filter.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/message_impl.h"
#include "consumer/consumer_impl.h"
#include "record/batch.h"
#include "record/batch_layout.h"
#include "record/control.h"

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
    kl_msgbuf_t *buf = cons_parse_records(&s, "t", 0, raw, raw_len, 0, NULL, &next, &incomplete, &err, &why);
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
        kl_msgbuf_t *buf = cons_parse_records(&s, "t", 0, raw, raw_len, 10, NULL, &next, &incomplete, &err, &why);
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

/* ---- transactions ------------------------------------------------------------- */

/* Appends a batch of n records at base by producer pid (-1: none),
 * transactional or not. */
static void put_producer_batch(kl_buf_t *out, int64_t base, int n, int64_t pid, bool transactional)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    const uint8_t *data;
    size_t len;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.base_offset = base;
    p.producer_id = pid;
    p.producer_epoch = pid >= 0 ? 0 : -1;
    p.base_sequence = pid >= 0 ? (int32_t)base : -1;
    p.attributes = transactional ? KL_BATCH_ATTR_TRANSACTIONAL : 0;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000000LL + i, "k", 1, "value", 5, NULL, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    kl_buf_put(out, data, len);
    kl_batch_writer_free(&w);
}

/* Appends pid's commit or abort marker at offset (the base offset is out
 * of the CRC: patched in place as the log's append does). */
static void put_marker(kl_buf_t *out, int64_t offset, int64_t pid, int16_t type)
{
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_control_batch_encode(pid, 0, type, 0, 1700000000000LL, &data, &len), KL_ERR_NONE);
    kl_store_be64(data + KL_BATCH_POS_BASE_OFFSET, (uint64_t)offset);
    kl_buf_put(out, data, len);
    free(data);
}

typedef struct parsed {
    int64_t offsets[64];
    size_t n;
    int64_t next;
    kl_err_t err;
} parsed_t;

/* Parses a copy of the answer in b from offset from, read_committed when
 * txn is given. */
static parsed_t parse(const kl_buf_t *b, int64_t from, const cons_txn_view_t *txn)
{
    cons_settings_t s;
    memset(&s, 0, sizeof s);
    s.check_crcs = true;
    uint8_t *raw = malloc(b->len);
    ck_assert_ptr_nonnull(raw);
    memcpy(raw, b->data, b->len);
    parsed_t out = {.n = 0};
    bool incomplete;
    const char *why;
    kl_msgbuf_t *buf = cons_parse_records(&s, "t", 0, raw, b->len, from, txn, &out.next, &incomplete, &out.err, &why);
    ck_assert(!incomplete);
    for (size_t i = 0; buf && i < buf->nmsgs; i++) {
        ck_assert_uint_lt(out.n, 64);
        out.offsets[out.n++] = buf->msgs[i].offset;
    }
    if (buf)
        kl_msgbuf_release(buf, 1);
    return out;
}

static void assert_offsets(const parsed_t *got, const int64_t *want, size_t n, int64_t next)
{
    ck_assert_int_eq(got->err, KL_ERR_NONE);
    ck_assert_uint_eq(got->n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(got->offsets[i], want[i]);
    ck_assert_int_eq(got->next, next);
}

#define OFFSETS(...) ((const int64_t[]){__VA_ARGS__}), sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)

/* Producer 1's transaction is aborted while producer 2's, interleaved
 * with it, commits; producer 1 then commits a second one after its abort
 * marker, and a plain batch follows. read_committed hides producer 1's
 * first transaction only (up to its abort marker, not past it);
 * read_uncommitted shows every data record; neither shows the markers. */
START_TEST(test_aborted_interleaved)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_producer_batch(&b, 0, 2, 1, true);  /* 0-1 aborted */
    put_producer_batch(&b, 2, 2, 2, true);  /* 2-3 committed */
    put_producer_batch(&b, 4, 1, 1, true);  /* 4 aborted */
    put_marker(&b, 5, 1, KL_CONTROL_ABORT); /* 5 */
    put_marker(&b, 6, 2, KL_CONTROL_COMMIT);
    put_producer_batch(&b, 7, 2, 1, true); /* 7-8: producer 1's next transaction */
    put_marker(&b, 9, 1, KL_CONTROL_COMMIT);
    put_producer_batch(&b, 10, 2, -1, false);
    kl_fetch_response_aborted_transaction_t aborted[] = {{1, 0}};
    cons_txn_view_t txn = {12, aborted, 1};

    parsed_t rc = parse(&b, 0, &txn);
    assert_offsets(&rc, OFFSETS(2, 3, 7, 8, 10, 11), 12);
    parsed_t ru = parse(&b, 0, NULL);
    assert_offsets(&ru, OFFSETS(0, 1, 2, 3, 4, 7, 8, 10, 11), 12);
    /* from the middle of the aborted transaction: still hidden */
    parsed_t mid = parse(&b, 4, &txn);
    assert_offsets(&mid, OFFSETS(7, 8, 10, 11), 12);
    kl_buf_free(&b);
}
END_TEST

/* The aborted list comes in any order (Kafka's clients sort it): here the
 * later transaction is listed first. Unsorted, producer 1's aborted
 * records at 0-1 would not be recognised before the entry at 6 is. */
START_TEST(test_aborted_list_order)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_producer_batch(&b, 0, 2, 1, true); /* 0-1 aborted */
    put_producer_batch(&b, 2, 2, 2, true); /* 2-3 committed */
    put_marker(&b, 4, 2, KL_CONTROL_COMMIT);
    put_marker(&b, 5, 1, KL_CONTROL_ABORT);
    put_producer_batch(&b, 6, 2, 2, true); /* 6-7 aborted */
    put_producer_batch(&b, 8, 1, 1, true); /* 8 committed */
    put_marker(&b, 9, 2, KL_CONTROL_ABORT);
    put_marker(&b, 10, 1, KL_CONTROL_COMMIT);
    kl_fetch_response_aborted_transaction_t aborted[] = {{2, 6}, {1, 0}};
    cons_txn_view_t txn = {11, aborted, 2};
    parsed_t rc = parse(&b, 0, &txn);
    assert_offsets(&rc, OFFSETS(2, 3, 8), 11);
    kl_buf_free(&b);
}
END_TEST

/* A control batch last in an answer, or alone in it, is skipped and the
 * next fetch starts past it in both isolation levels, so that the
 * consumer does not fetch it again and again. */
START_TEST(test_marker_at_end)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_producer_batch(&b, 0, 3, 1, true);
    put_marker(&b, 3, 1, KL_CONTROL_COMMIT);
    cons_txn_view_t txn = {4, NULL, 0};
    for (int committed = 0; committed < 2; committed++) {
        parsed_t all = parse(&b, 0, committed ? &txn : NULL);
        assert_offsets(&all, OFFSETS(0, 1, 2), 4);
        parsed_t alone = parse(&b, 3, committed ? &txn : NULL);
        ck_assert_int_eq(alone.err, KL_ERR_NONE);
        ck_assert_uint_eq(alone.n, 0);
        ck_assert_int_eq(alone.next, 4);
    }
    kl_buf_free(&b);
}
END_TEST

/* read_committed reads nothing at or past the last stable offset, even
 * when the answer holds it (a batch straddling it included), and fetches
 * from there next; read_uncommitted reads it all. */
START_TEST(test_last_stable_offset)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_producer_batch(&b, 0, 2, 1, true);
    put_marker(&b, 2, 1, KL_CONTROL_COMMIT);
    put_producer_batch(&b, 3, 2, 2, true); /* open: the last stable offset is 3 */
    cons_txn_view_t txn = {3, NULL, 0};
    parsed_t rc = parse(&b, 0, &txn);
    assert_offsets(&rc, OFFSETS(0, 1), 3);
    parsed_t ru = parse(&b, 0, NULL);
    assert_offsets(&ru, OFFSETS(0, 1, 3, 4), 5);
    /* nothing stable past the fetch offset: nothing read, no move */
    parsed_t none = parse(&b, 3, &txn);
    ck_assert_uint_eq(none.n, 0);
    ck_assert_int_eq(none.next, 3);
    kl_buf_free(&b);

    kl_buf_init(&b, 0);
    put_producer_batch(&b, 10, 5, -1, false);
    cons_txn_view_t mid = {12, NULL, 0};
    parsed_t straddle = parse(&b, 10, &mid);
    assert_offsets(&straddle, OFFSETS(10, 11), 12);
    kl_buf_free(&b);
}
END_TEST

/* An abort marker before the fetch offset (the answer starting earlier,
 * as with a compressed batch) still closes its aborted transaction: the
 * producer's next transaction after it is shown. */
START_TEST(test_marker_before_fetch_offset)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_producer_batch(&b, 0, 2, 1, true);
    put_marker(&b, 2, 1, KL_CONTROL_ABORT);
    put_producer_batch(&b, 3, 2, 1, true);
    kl_fetch_response_aborted_transaction_t aborted[] = {{1, 0}};
    cons_txn_view_t txn = {5, aborted, 1};
    parsed_t rc = parse(&b, 3, &txn);
    assert_offsets(&rc, OFFSETS(3, 4), 5);
    kl_buf_free(&b);
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
    TCase *txn = tcase_create("transactions");
    tcase_add_test(txn, test_aborted_interleaved);
    tcase_add_test(txn, test_aborted_list_order);
    tcase_add_test(txn, test_marker_at_end);
    tcase_add_test(txn, test_last_stable_offset);
    tcase_add_test(txn, test_marker_before_fetch_offset);
    suite_add_tcase(s, txn);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
