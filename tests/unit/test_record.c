/* Unit tests for lib/record/batch (record batches v2): byte vectors built by
 * hand from the spec, round trips,
 * every truncation point, every single-byte corruption, malformed records,
 * the broker's validation and in-place patches. The legacy message set
 * suite lives in test_msgset.c and runs from main() here. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/batch.h"
#include "util/crc32c.h"

Suite *msgset_suite(void);

/* A heap copy of exactly len bytes, so that AddressSanitizer catches any
 * read past the end. */
static uint8_t *exact_copy(const void *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p);
    if (len)
        memcpy(p, src, len);
    return p;
}

/* One record batch: baseOffset 5, leader epoch -1, producer 1000/2,
 * sequence 7, no compression, create time 1700000000000, one record
 * key "k" value "hello" header "h"="v". CRC computed independently. */
static const uint8_t vector_one[] = {
    0, 0, 0, 0, 0, 0, 0, 5,             /* baseOffset */
    0, 0, 0, 66,                        /* batchLength: 78 - 12 */
    0xff, 0xff, 0xff, 0xff,             /* partitionLeaderEpoch -1 */
    2,                                  /* magic */
    0xc7, 0xc3, 0x30, 0xab,             /* CRC-32C of bytes 21..77 */
    0, 0,                               /* attributes */
    0, 0, 0, 0,                         /* lastOffsetDelta */
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0, /* baseTimestamp 1700000000000 */
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0, /* maxTimestamp */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8,       /* producerId 1000 */
    0, 2,                               /* producerEpoch */
    0, 0, 0, 7,                         /* baseSequence */
    0, 0, 0, 1,                         /* recordCount */
    0x20,                               /* record length 16 (zig-zag 32) */
    0,                                  /* attributes */
    0,                                  /* timestampDelta 0 */
    0,                                  /* offsetDelta 0 */
    0x02, 'k',                          /* key length 1, key */
    0x0a, 'h', 'e', 'l', 'l', 'o',      /* value length 5, value */
    0x02,                               /* 1 header */
    0x02, 'h', 0x02, 'v',               /* header key, header value */
};

/* Two records, transactional, leader epoch 1, producer 77/0, sequence 0:
 * record 0: null key, value "a"; record 1 (+300 ms): key "b", null value,
 * header "x" with a null value. */
static const uint8_t vector_two[] = {
    0, 0, 0, 0, 0, 0, 0, 0,                /* baseOffset */
    0, 0, 0, 69,                           /* batchLength */
    0, 0, 0, 1,                            /* partitionLeaderEpoch */
    2,                                     /* magic */
    0xe3, 0x72, 0x39, 0xc2,                /* CRC-32C */
    0, 0x10,                               /* attributes: transactional */
    0, 0, 0, 1,                            /* lastOffsetDelta */
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0, /* baseTimestamp */
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x69, 0x2c, /* maxTimestamp: +300 */
    0, 0, 0, 0, 0, 0, 0, 77,               /* producerId */
    0, 0,                                  /* producerEpoch */
    0, 0, 0, 0,                            /* baseSequence */
    0, 0, 0, 2,                            /* recordCount */
    0x0e, 0, 0, 0, 0x01, 0x02, 'a', 0,     /* len 7, attrs, ts 0, off 0, key null, "a", 0 headers */
    0x16, 0, 0xd8, 0x04, 0x02, 0x02, 'b', 0x01, /* len 11, ts +300, off 1, "b", value null */
    0x02, 0x02, 'x', 0x01,                 /* 1 header: "x" = null */
};


/* Iterates every record of every batch in [data, len): the number of
 * records, or -1 on any error (also when the range ends in a partial
 * batch, which callers that expect it check separately). */
static int count_records(const void *data, size_t len, unsigned flags)
{
    kl_batch_iter_t bi;
    kl_record_iter_t ri;
    kl_batch_t b;
    kl_record_t r;
    int n = 0;
    kl_err_t err;
    kl_batch_iter_init(&bi, data, len, flags);
    kl_record_iter_init(&ri, 0);
    while ((err = kl_batch_iter_next(&bi, &b)) == KL_ERR_NONE) {
        if (kl_record_iter_start(&ri, &b)) {
            n = -1;
            break;
        }
        while ((err = kl_record_iter_next(&ri, &r)) == KL_ERR_NONE)
            n++;
        if (err != KL_ERR_NOENT) {
            n = -1;
            break;
        }
    }
    if (n >= 0 && (err != KL_ERR_NOENT || bi.incomplete))
        n = -1;
    kl_record_iter_free(&ri);
    return n;
}

static void expect_bytes(const uint8_t *got, size_t got_len, const char *want)
{
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got_len, strlen(want));
    ck_assert_msg(memcmp(got, want, got_len) == 0, "got \"%.*s\" want \"%s\"", (int)got_len, (const char *)got, want);
}

START_TEST(test_writer_matches_hand_vector_one)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.base_offset = 5;
    p.producer_id = 1000;
    p.producer_epoch = 2;
    p.base_sequence = 7;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    kl_record_header_t h = {"h", 1, "v", 1};
    ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000000LL, "k", 1, "hello", 5, &h, 1), KL_ERR_NONE);
    ck_assert_uint_eq(kl_batch_writer_size(&w), sizeof vector_one);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    ck_assert_uint_eq(len, sizeof vector_one);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(data[i] == vector_one[i], "byte %zu: got 0x%02x want 0x%02x", i, data[i], vector_one[i]);
    kl_batch_writer_free(&w);
}
END_TEST

START_TEST(test_writer_matches_hand_vector_two)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.partition_leader_epoch = 1;
    p.producer_id = 77;
    p.producer_epoch = 0;
    p.base_sequence = 0;
    p.attributes = KL_BATCH_ATTR_TRANSACTIONAL;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    kl_record_header_t h = {"x", 1, NULL, 0};
    ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000000LL, NULL, 0, "a", 1, NULL, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000300LL, "b", 1, NULL, 0, &h, 1), KL_ERR_NONE);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    ck_assert_uint_eq(len, sizeof vector_two);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(data[i] == vector_two[i], "byte %zu: got 0x%02x want 0x%02x", i, data[i], vector_two[i]);
    kl_batch_writer_free(&w);
}
END_TEST


START_TEST(test_read_hand_vector_two)
{
    uint8_t *buf = exact_copy(vector_two, sizeof vector_two);
    kl_batch_iter_t bi;
    kl_batch_t b;
    kl_batch_iter_init(&bi, buf, sizeof vector_two, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NONE);
    ck_assert_int_eq(b.base_offset, 0);
    ck_assert_int_eq(b.partition_leader_epoch, 1);
    ck_assert(kl_batch_is_transactional(&b));
    ck_assert(!kl_batch_is_control(&b));
    ck_assert_int_eq(kl_batch_codec(&b), KL_CODEC_NONE);
    ck_assert_int_eq(b.producer_id, 77);
    ck_assert_int_eq(b.record_count, 2);
    ck_assert_int_eq(kl_batch_last_offset(&b), 1);
    ck_assert_int_eq(b.max_timestamp, 1700000000300LL);

    kl_record_iter_t ri;
    kl_record_t r;
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
    ck_assert_int_eq(r.offset, 0);
    ck_assert_int_eq(r.timestamp, 1700000000000LL);
    ck_assert_ptr_null(r.key);
    expect_bytes(r.value, r.value_len, "a");
    ck_assert_int_eq(r.header_count, 0);
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
    ck_assert_int_eq(r.offset, 1);
    ck_assert_int_eq(r.timestamp, 1700000000300LL);
    expect_bytes(r.key, r.key_len, "b");
    ck_assert_ptr_null(r.value);
    ck_assert_int_eq(r.header_count, 1);
    kl_header_iter_t hi;
    kl_record_header_t h;
    kl_header_iter_init(&hi, &r);
    ck_assert(kl_header_iter_next(&hi, &h));
    expect_bytes(h.key, h.key_len, "x");
    ck_assert_ptr_null(h.value);
    ck_assert(!kl_header_iter_next(&hi, &h));
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NOENT);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NOENT);
    ck_assert_uint_eq(bi.incomplete, 0);
    kl_record_iter_free(&ri);
    free(buf);
}
END_TEST



/* ------------------------------------------------------------ round trip */

typedef struct test_record {
    int64_t ts;
    const char *key;   /* NULL: null */
    const char *value; /* NULL: null */
    int nheaders;
} test_record_t;

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static char key_text[64], value_text[256];

/* Record i of a deterministic pseudo-random set: null and empty keys and
 * values, up to 3 headers (some with null values), timestamps that also
 * go backwards. */
static test_record_t make_record(int i)
{
    test_record_t t;
    t.ts = 1600000000000LL + i * 7 - (i % 5 == 3 ? 1000 : 0);
    snprintf(key_text, sizeof key_text, "key-%d", i);
    snprintf(value_text, sizeof value_text, "value-%d-%0*d", i, i % 150, 0);
    t.key = i % 4 == 1 ? NULL : i % 4 == 2 ? "" : key_text;
    t.value = i % 6 == 5 ? NULL : i % 6 == 4 ? "" : value_text;
    t.nheaders = i % 4;
    return t;
}

static void header_of(int i, int k, kl_record_header_t *h)
{
    static const char *keys[] = {"a", "trace-id", ""};
    static const char *values[] = {"1", NULL, "xyz"};
    h->key = keys[k];
    h->key_len = strlen(keys[k]);
    h->value = (i + k) % 3 == 1 ? NULL : values[k] ? values[k] : "v";
    h->value_len = h->value ? strlen(h->value) : 0;
}

static void write_records(kl_batch_writer_t *w, int n)
{
    for (int i = 0; i < n; i++) {
        test_record_t t = make_record(i);
        kl_record_header_t hs[3];
        for (int k = 0; k < t.nheaders; k++)
            header_of(i, k, &hs[k]);
        ck_assert_int_eq(kl_batch_writer_append(w, t.ts, t.key, t.key ? strlen(t.key) : 0, t.value,
                                                t.value ? strlen(t.value) : 0, hs, (size_t)t.nheaders),
                         KL_ERR_NONE);
    }
}

static void expect_nullable(const uint8_t *got, size_t got_len, const char *want)
{
    if (!want) {
        ck_assert_ptr_null(got);
        return;
    }
    expect_bytes(got, got_len, want);
}

static void check_record(const kl_record_t *r, int64_t base_offset, int i)
{
    test_record_t t = make_record(i);
    ck_assert_int_eq(r->offset, base_offset + i);
    ck_assert_int_eq(r->timestamp, t.ts);
    expect_nullable(r->key, r->key_len, t.key);
    expect_nullable(r->value, r->value_len, t.value);
    ck_assert_int_eq(r->header_count, t.nheaders);
    kl_header_iter_t hi;
    kl_record_header_t got, want;
    kl_header_iter_init(&hi, r);
    for (int k = 0; k < t.nheaders; k++) {
        ck_assert(kl_header_iter_next(&hi, &got));
        header_of(i, k, &want);
        ck_assert_uint_eq(got.key_len, want.key_len);
        ck_assert_mem_eq(got.key, want.key, want.key_len);
        expect_nullable(got.value, got.value_len, want.value);
    }
    ck_assert(!kl_header_iter_next(&hi, &got));
}

/* Writes n records with codec, reads them back and checks everything. */
static void round_trip(kl_codec_t codec, int n)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.base_offset = 1000;
    p.producer_id = 42;
    p.producer_epoch = 3;
    p.base_sequence = 100;
    p.codec = codec;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    write_records(&w, n);
    ck_assert_int_eq(kl_batch_writer_count(&w), n);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *buf = exact_copy(data, len);

    kl_batch_t b;
    const char *why = NULL;
    ck_assert_int_eq(kl_batch_validate(buf, len, n ? KL_BATCH_FROM_CLIENT : 0, &b, &why), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_codec(&b), codec);
    ck_assert_int_eq(b.record_count, n);
    ck_assert_int_eq(b.last_offset_delta, n ? n - 1 : 0);
    ck_assert_int_eq(b.producer_id, 42);
    ck_assert_int_eq(b.producer_epoch, 3);
    ck_assert_int_eq(b.base_sequence, 100);
    if (n)
        ck_assert_int_eq(b.base_timestamp, make_record(0).ts);

    kl_record_iter_t ri;
    kl_record_t r;
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
    int64_t max_ts = INT64_MIN;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
        check_record(&r, 1000, i);
        if (r.timestamp > max_ts)
            max_ts = r.timestamp;
    }
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NOENT);
    if (n)
        ck_assert_int_eq(b.max_timestamp, max_ts);
    ck_assert_int_eq(count_records(buf, len, 0), n);
    kl_record_iter_free(&ri);
    kl_batch_writer_free(&w);
    free(buf);
}

START_TEST(test_round_trip_uncompressed)
{
    round_trip(KL_CODEC_NONE, 0);
    round_trip(KL_CODEC_NONE, 1);
    round_trip(KL_CODEC_NONE, 2);
    round_trip(KL_CODEC_NONE, 1000);
}
END_TEST

START_TEST(test_round_trip_each_codec)
{
    for (int c = KL_CODEC_GZIP; c <= KL_CODEC_ZSTD; c++) {
        if (!kl_codec_available((kl_codec_t)c))
            continue;
        round_trip((kl_codec_t)c, 0);
        round_trip((kl_codec_t)c, 1);
        round_trip((kl_codec_t)c, 500);
    }
}
END_TEST

/* ---------------------------------------------------- writer behaviour */

START_TEST(test_writer_size_cap_keeps_batch_usable)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    char value[100];
    memset(value, 'x', sizeof value);
    kl_batch_writer_init(&w, 1000);
    kl_batch_params_init(&p);
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    int n = 0;
    kl_err_t err;
    for (;;) {
        size_t before = kl_batch_writer_size(&w);
        err = kl_batch_writer_append(&w, 1000 + n, "k", 1, value, sizeof value, NULL, 0);
        if (err)
            break;
        ck_assert_uint_le(kl_batch_writer_size(&w) - before, kl_batch_record_size_bound(1, sizeof value, NULL, 0));
        n++;
    }
    ck_assert_int_eq(err, KL_ERR_TOO_LARGE);
    ck_assert_int_gt(n, 5);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    ck_assert_uint_le(len, 1000);
    ck_assert_int_eq(count_records(data, len, 0), n);
    /* Closed: no more appends, no second close. */
    ck_assert_int_eq(kl_batch_writer_append(&w, 0, NULL, 0, NULL, 0, NULL, 0), KL_ERR_STATE);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_STATE);
    kl_batch_writer_free(&w);
}
END_TEST

START_TEST(test_writer_reuse_and_take)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    const uint8_t *data;
    size_t len;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    ck_assert_int_eq(kl_batch_writer_append(&w, 0, NULL, 0, NULL, 0, NULL, 0), KL_ERR_STATE);
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    write_records(&w, 50);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *first = exact_copy(data, len);
    size_t first_len = len;
    /* Reopened, the same input gives the same bytes. */
    for (int round = 0; round < 3; round++) {
        ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
        write_records(&w, 50);
        ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
        ck_assert_uint_eq(len, first_len);
        ck_assert_mem_eq(data, first, len);
    }
    size_t taken_len;
    uint8_t *taken = kl_batch_writer_take(&w, &taken_len);
    ck_assert_ptr_nonnull(taken);
    ck_assert_uint_eq(taken_len, first_len);
    ck_assert_mem_eq(taken, first, first_len);
    ck_assert_ptr_null(kl_batch_writer_take(&w, &taken_len));
    /* The writer still works after giving its buffer away. */
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    write_records(&w, 50);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    ck_assert_mem_eq(data, first, first_len);
    free(taken);
    free(first);
    kl_batch_writer_free(&w);
}
END_TEST

START_TEST(test_writer_refuses_bad_params)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.codec = (kl_codec_t)5;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_INVALID_ARG);
    kl_batch_params_init(&p);
    p.attributes = 0x100;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_INVALID_ARG);
    kl_batch_params_init(&p);
    p.base_timestamp = INT64_MAX;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    /* A timestamp delta that overflows int64 is refused, nothing written. */
    size_t before = kl_batch_writer_size(&w);
    ck_assert_int_eq(kl_batch_writer_append(&w, -2, NULL, 0, NULL, 0, NULL, 0), KL_ERR_INVALID_ARG);
    ck_assert_uint_eq(kl_batch_writer_size(&w), before);
    kl_record_header_t null_key = {NULL, 0, "v", 1};
    ck_assert_int_eq(kl_batch_writer_append(&w, INT64_MAX, NULL, 0, NULL, 0, &null_key, 1), KL_ERR_INVALID_ARG);
    ck_assert_uint_eq(kl_batch_writer_size(&w), before);
    kl_batch_writer_free(&w);
}
END_TEST

/* Copying every third record keeps offsets: the gaps compaction leaves. */
START_TEST(test_append_record_keeps_offsets)
{
    kl_batch_writer_t w, w2;
    kl_batch_params_t p;
    const uint8_t *data, *data2;
    size_t len, len2;
    kl_batch_writer_init(&w, 0);
    kl_batch_writer_init(&w2, 0);
    kl_batch_params_init(&p);
    p.base_offset = 500;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    write_records(&w, 30);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);

    kl_batch_t b;
    kl_record_iter_t ri;
    kl_record_t r;
    ck_assert_int_eq(kl_batch_validate(data, len, 0, &b, NULL), KL_ERR_NONE);
    p.base_timestamp = b.base_timestamp;
    ck_assert_int_eq(kl_batch_writer_open(&w2, &p), KL_ERR_NONE);
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
    while (kl_record_iter_next(&ri, &r) == KL_ERR_NONE)
        if ((r.offset - 500) % 3 == 2)
            ck_assert_int_eq(kl_batch_writer_append_record(&w2, &r), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_append_record(&w2, &r), KL_ERR_INVALID_ARG); /* not above the last */
    ck_assert_int_eq(kl_batch_writer_close(&w2, &data2, &len2), KL_ERR_NONE);

    ck_assert_int_eq(kl_batch_validate(data2, len2, 0, &b, NULL), KL_ERR_NONE);
    ck_assert_int_eq(b.record_count, 10);
    ck_assert_int_eq(b.last_offset_delta, 29);
    ck_assert_int_eq(kl_batch_validate(data2, len2, KL_BATCH_FROM_CLIENT, NULL, NULL), KL_ERR_INVALID_RECORD);
    ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
    for (int i = 2; i < 30; i += 3) {
        ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
        check_record(&r, 500, i);
    }
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NOENT);
    kl_record_iter_free(&ri);
    kl_batch_writer_free(&w);
    kl_batch_writer_free(&w2);
}
END_TEST

/* -------------------------------------------- truncation and corruption */

/* A test batch of 4 records with headers, in a heap buffer of its size. */
static uint8_t *make_test_batch(size_t *len, kl_codec_t codec)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    const uint8_t *data;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.base_offset = 77;
    p.codec = codec;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    write_records(&w, 4);
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, len), KL_ERR_NONE);
    uint8_t *copy = exact_copy(data, *len);
    kl_batch_writer_free(&w);
    return copy;
}

/* Every prefix of a batch is a partial batch: never a record, never an
 * error; the validator refuses every prefix. */
START_TEST(test_every_truncation_is_incomplete)
{
    size_t len;
    uint8_t *full = make_test_batch(&len, KL_CODEC_NONE);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *part = exact_copy(full, cut);
        kl_batch_iter_t bi;
        kl_batch_t b;
        kl_batch_iter_init(&bi, part, cut, 0);
        ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NOENT);
        ck_assert_msg(cut == 0 ? bi.incomplete == 0 : bi.incomplete >= cut + 1, "cut %zu", cut);
        if (cut >= 12)
            ck_assert_uint_eq(bi.incomplete, len);
        ck_assert_int_ne(kl_batch_validate(part, cut, 0, NULL, NULL), KL_ERR_NONE);
        free(part);
    }
    free(full);
}
END_TEST

/* Two batches back to back, cut anywhere: whole batches come out, then
 * NOENT with the partial one's size. */
START_TEST(test_truncated_stream_yields_whole_batches)
{
    size_t len;
    uint8_t *one = make_test_batch(&len, KL_CODEC_NONE);
    uint8_t *two = malloc(2 * len);
    memcpy(two, one, len);
    memcpy(two + len, one, len);
    for (size_t cut = 0; cut <= 2 * len; cut++) {
        uint8_t *part = exact_copy(two, cut);
        kl_batch_iter_t bi;
        kl_batch_t b;
        int whole = 0;
        kl_batch_iter_init(&bi, part, cut, 0);
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE)
            whole++;
        ck_assert_int_eq(bi.err, KL_ERR_NONE);
        ck_assert_int_eq(whole, (int)(cut / len));
        ck_assert_uint_eq(kl_batch_iter_offset(&bi), (size_t)whole * len);
        ck_assert_uint_eq(bi.incomplete, cut % len ? (cut % len >= 12 ? len : bi.incomplete) : 0);
        free(part);
    }
    free(two);
    free(one);
}
END_TEST

/* Cutting the record section and fixing batchLength and the CRC around the
 * cut (what a buggy or hostile writer could send) is refused by the record
 * iterator or the batch checks, never read as a good batch. */
static void check_shortened_records(kl_codec_t codec)
{
    size_t len;
    uint8_t *full = make_test_batch(&len, codec);
    for (size_t cut = KL_BATCH_HEADER_SIZE; cut < len; cut++) {
        uint8_t *part = exact_copy(full, cut);
        ck_assert_int_eq(kl_batch_set_base_offset(part, cut, 77), KL_ERR_NONE);
        kl_store_be32(part + 8, (uint32_t)(cut - 12));
        kl_store_be32(part + 17, kl_batch_compute_crc(part, cut));
        ck_assert_msg(count_records(part, cut, 0) == -1, "cut %zu read as good", cut);
        free(part);
    }
    free(full);
}

START_TEST(test_shortened_records_are_refused)
{
    check_shortened_records(KL_CODEC_NONE);
    if (kl_codec_available(KL_CODEC_GZIP))
        check_shortened_records(KL_CODEC_GZIP);
}
END_TEST

/* Any single byte changed is caught by the CRC or a length check, except in
 * baseOffset and partitionLeaderEpoch, which the CRC does not cover by
 * design (the broker rewrites them). */
START_TEST(test_every_byte_corruption_is_caught)
{
    size_t len;
    uint8_t *full = make_test_batch(&len, KL_CODEC_NONE);
    static const uint8_t flips[] = {0x01, 0x80, 0xff, 0x10};
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            uint8_t *bad = exact_copy(full, len);
            bad[pos] ^= flips[f];
            bool uncovered = pos < 8 || (pos >= 12 && pos < 16);
            int n = count_records(bad, len, 0);
            kl_err_t verdict = kl_batch_validate(bad, len, 0, NULL, NULL);
            if (uncovered) {
                ck_assert_int_eq(n, 4);
                ck_assert_int_eq(verdict, KL_ERR_NONE);
            } else {
                ck_assert_msg(n == -1, "byte %zu ^ 0x%02x not caught", pos, flips[f]);
                ck_assert_msg(verdict != KL_ERR_NONE, "validate: byte %zu ^ 0x%02x", pos, flips[f]);
            }
            /* Without the CRC the parser alone must stay in bounds. */
            (void)count_records(bad, len, KL_BATCH_SKIP_CRC);
            free(bad);
        }
    }
    free(full);
}
END_TEST

/* Random mutations with CRC checks off: the parsers never read out of
 * bounds (AddressSanitizer builds) nor loop. */
START_TEST(test_random_mutations_stay_in_bounds)
{
    size_t len;
    uint8_t *full = make_test_batch(&len, KL_CODEC_NONE);
    for (int round = 0; round < 20000; round++) {
        uint8_t *bad = exact_copy(full, len);
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++)
            bad[KL_BATCH_HEADER_SIZE - 4 + rng() % (len - KL_BATCH_HEADER_SIZE + 4)] = (uint8_t)rng();
        (void)count_records(bad, len, KL_BATCH_SKIP_CRC);
        free(bad);
    }
    free(full);
}
END_TEST

/* ------------------------------------------------- malformed records */

/* A batch around hand-written record bytes, with a valid CRC. */
static uint8_t *batch_around(const void *records, size_t n, int32_t count, int32_t last_delta, size_t *len)
{
    *len = KL_BATCH_HEADER_SIZE + n;
    uint8_t *p = calloc(1, *len);
    kl_store_be32(p + 8, (uint32_t)(*len - 12));
    p[16] = 2;
    kl_store_be32(p + 23, (uint32_t)last_delta);
    kl_store_be64(p + 43, UINT64_MAX); /* producer id -1 */
    kl_store_be32(p + 57, (uint32_t)count);
    memcpy(p + KL_BATCH_HEADER_SIZE, records, n);
    kl_store_be32(p + 17, kl_batch_compute_crc(p, *len));
    return p;
}

/* Reads the one batch around records: the error of the record iterator
 * (or of the batch iterator if it refuses first), with the reason. */
static kl_err_t read_records(const void *records, size_t n, int32_t count, int32_t last_delta, const char **why)
{
    size_t len;
    uint8_t *p = batch_around(records, n, count, last_delta, &len);
    kl_batch_iter_t bi;
    kl_record_iter_t ri;
    kl_batch_t b;
    kl_record_t r;
    kl_batch_iter_init(&bi, p, len, 0);
    kl_record_iter_init(&ri, 0);
    kl_err_t err = kl_batch_iter_next(&bi, &b);
    *why = bi.why;
    if (!err && !(err = kl_record_iter_start(&ri, &b))) {
        while ((err = kl_record_iter_next(&ri, &r)) == KL_ERR_NONE)
            ;
        *why = ri.why;
        if (err == KL_ERR_NOENT)
            err = KL_ERR_NONE;
    }
    kl_record_iter_free(&ri);
    free(p);
    return err;
}

START_TEST(test_malformed_records_are_refused)
{
    static const struct {
        const char *name;
        uint8_t bytes[24];
        size_t n;
        int32_t count, last_delta;
        kl_err_t want;
    } cases[] = {
        {"good: null key, empty value", {0x0c, 0, 0, 0, 0x01, 0x00, 0x00}, 7, 1, 0, KL_ERR_NONE},
        {"good: value \"a\"", {0x0e, 0, 0, 0, 0x01, 0x02, 'a', 0}, 8, 1, 0, KL_ERR_NONE},
        {"record length past the end", {0x10, 0, 0, 0, 0x01, 0x02, 'a', 0}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"record length negative", {0x0d, 0, 0, 0, 0x01, 0x02, 'a', 0}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"record length varint overflows 32 bits",
         {0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x01, 0x00, 0x00}, 11, 1, 0, KL_ERR_BAD_MSG},
        {"record length varint 6 bytes", {0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0x01, 0x00, 0x00}, 11, 1, 0,
         KL_ERR_BAD_MSG},
        {"timestamp varlong 11 bytes",
         {0x1c, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0x01, 0x01, 0x00}, 17, 1, 0,
         KL_ERR_BAD_MSG},
        {"timestamp varlong overflows 64 bits",
         {0x1a, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0, 0x01, 0x01, 0x00}, 16, 1, 0,
         KL_ERR_BAD_MSG},
        {"key length -2", {0x0c, 0, 0, 0, 0x03, 0x01, 0x00, 0x00}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"value length -3", {0x0c, 0, 0, 0, 0x01, 0x05, 0x00, 0x00}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"key overruns the record", {0x0c, 0, 0, 0, 0x08, 0x01, 0x00, 0x00}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"negative header count", {0x0c, 0, 0, 0, 0x01, 0x01, 0x01, 0x00}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"null header key", {0x10, 0, 0, 0, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00}, 10, 1, 0, KL_ERR_BAD_MSG},
        {"header value length -2", {0x10, 0, 0, 0, 0x01, 0x01, 0x02, 0x00, 0x03, 0x00}, 10, 1, 0, KL_ERR_BAD_MSG},
        {"record longer than its fields", {0x0e, 0, 0, 0, 0x01, 0x01, 0x00, 0x00}, 8, 1, 0, KL_ERR_BAD_MSG},
        {"bytes after the last record", {0x0c, 0, 0, 0, 0x01, 0x01, 0x00, 0x00, 0x00}, 9, 1, 0, KL_ERR_BAD_MSG},
        {"fewer records than counted",
         {0x0c, 0, 0, 0, 0x01, 0x01, 0x00, 0x0c, 0, 0, 0x02, 0x01, 0x01, 0x00}, 14, 3, 2, KL_ERR_BAD_MSG},
        {"count above lastOffsetDelta + 1",
         {0x0c, 0, 0, 0, 0x01, 0x01, 0x00, 0x0c, 0, 0, 0x02, 0x01, 0x01, 0x00}, 14, 2, 0, KL_ERR_BAD_MSG},
        {"negative count", {0x0c, 0, 0, 0, 0x01, 0x01, 0x00}, 7, -1, 0, KL_ERR_BAD_MSG},
        {"offset delta past lastOffsetDelta", {0x0c, 0, 0, 0x04, 0x01, 0x01, 0x00}, 7, 1, 1, KL_ERR_BAD_MSG},
        {"offset deltas out of order",
         {0x0c, 0, 0, 0x02, 0x01, 0x01, 0x00, 0x0c, 0, 0, 0x02, 0x01, 0x01, 0x00}, 14, 2, 1, KL_ERR_BAD_MSG},
        {"good: offset gap", {0x0c, 0, 0, 0x00, 0x01, 0x01, 0x00, 0x0c, 0, 0, 0x06, 0x01, 0x01, 0x00}, 14, 2, 3,
         KL_ERR_NONE},
        {"count too large for the bytes", {0x0c, 0, 0, 0, 0x01, 0x01, 0x00}, 7, 100, 200, KL_ERR_BAD_MSG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = NULL;
        kl_err_t err = read_records(cases[i].bytes, cases[i].n, cases[i].count, cases[i].last_delta, &why);
        ck_assert_msg(err == cases[i].want, "%s: got %s (%s)", cases[i].name, kl_err_name(err), why ? why : "");
        if (err)
            ck_assert_ptr_nonnull(why);
    }
}
END_TEST

START_TEST(test_bad_magic_and_lengths)
{
    size_t len;
    uint8_t *b = make_test_batch(&len, KL_CODEC_NONE);
    kl_batch_iter_t bi;
    kl_batch_t batch;
    b[16] = 3;
    kl_batch_iter_init(&bi, b, len, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &batch), KL_ERR_BAD_MSG);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &batch), KL_ERR_BAD_MSG); /* sticky */
    b[16] = 1; /* legacy magic, not asked for */
    kl_batch_iter_init(&bi, b, len, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &batch), KL_ERR_BAD_MSG);
    b[16] = 2;
    kl_store_be32(b + 8, 48); /* below the header size */
    kl_batch_iter_init(&bi, b, len, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &batch), KL_ERR_BAD_MSG);
    kl_store_be32(b + 8, 0x80000000u);
    kl_batch_iter_init(&bi, b, len, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &batch), KL_ERR_BAD_MSG);
    free(b);
}
END_TEST

START_TEST(test_decompression_cap)
{
    if (!kl_codec_available(KL_CODEC_GZIP))
        return;
    size_t len;
    uint8_t *b = make_test_batch(&len, KL_CODEC_GZIP);
    kl_batch_t batch;
    kl_record_iter_t ri;
    kl_record_t r;
    ck_assert_int_eq(kl_batch_validate(b, len, 0, &batch, NULL), KL_ERR_NONE);
    kl_record_iter_init(&ri, 16);
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_TOO_LARGE);
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_TOO_LARGE);
    kl_record_iter_free(&ri);
    /* Corrupt compressed data (CRC fixed up) is refused, not read. */
    b[KL_BATCH_HEADER_SIZE] ^= 0x55;
    kl_store_be32(b + 17, kl_batch_compute_crc(b, len));
    ck_assert_int_eq(count_records(b, len, 0), -1);
    free(b);
}
END_TEST

/* The inflate buffer taken by the caller keeps a batch's records valid
 * while the iterator moves on to the next batch. */
START_TEST(test_take_inflated_buffer)
{
    if (!kl_codec_available(KL_CODEC_LZ4))
        return;
    size_t len;
    uint8_t *b = make_test_batch(&len, KL_CODEC_LZ4);
    kl_batch_t batch;
    kl_record_iter_t ri;
    kl_record_t first, r;
    ck_assert_int_eq(kl_batch_validate(b, len, 0, &batch, NULL), KL_ERR_NONE);
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_NONE);
    ck_assert_int_eq(kl_record_iter_next(&ri, &first), KL_ERR_NONE);
    size_t kept_len;
    uint8_t *kept = kl_record_iter_take_buffer(&ri, &kept_len);
    ck_assert_ptr_nonnull(kept);
    ck_assert(first.value >= kept && first.value < kept + kept_len);
    for (int i = 1; i < 4; i++) {
        ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
        check_record(&r, 77, i);
    }
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NOENT);
    /* The next batch inflates into a new buffer; the first stays intact. */
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_NONE);
    ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
    ck_assert_ptr_ne(r.value, first.value);
    check_record(&first, 77, 0);
    kl_record_iter_free(&ri);
    free(kept);
    free(b);
}
END_TEST

/* -------------------------------------------------- validation, patches */

static uint8_t *rebuild(const uint8_t *src, size_t len, size_t pos, const void *field, size_t n)
{
    uint8_t *p = exact_copy(src, len);
    memcpy(p + pos, field, n);
    kl_store_be32(p + 17, kl_batch_compute_crc(p, len));
    return p;
}

START_TEST(test_validate_rules)
{
    size_t len;
    uint8_t *good = make_test_batch(&len, KL_CODEC_NONE);
    const char *why;
    ck_assert_int_eq(kl_batch_validate(good, len, KL_BATCH_FROM_CLIENT, NULL, &why), KL_ERR_NONE);
    ck_assert_ptr_null(why);

    static const struct {
        const char *name;
        size_t pos;
        uint8_t field[8];
        size_t n;
        unsigned flags;
        kl_err_t want;
    } cases[] = {
        {"codec 5", 21, {0, 5}, 2, 0, KL_ERR_UNSUPPORTED_COMPRESSION_TYPE},
        {"control from a client", 21, {0, 0x20}, 2, KL_BATCH_FROM_CLIENT, KL_ERR_INVALID_RECORD},
        {"control from the log", 21, {0, 0x20}, 2, 0, KL_ERR_NONE},
        {"lastOffsetDelta gap from a client", 23, {0, 0, 0, 9}, 4, KL_BATCH_FROM_CLIENT, KL_ERR_INVALID_RECORD},
        {"lastOffsetDelta gap from the log", 23, {0, 0, 0, 9}, 4, 0, KL_ERR_NONE},
        {"count above lastOffsetDelta + 1", 57, {0, 0, 0, 5}, 4, 0, KL_ERR_INVALID_RECORD},
        {"negative count", 57, {0xff, 0xff, 0xff, 0xff}, 4, 0, KL_ERR_INVALID_RECORD},
        {"empty from a client", 57, {0, 0, 0, 0}, 4, KL_BATCH_FROM_CLIENT, KL_ERR_INVALID_RECORD},
        {"maxTimestamp below base", 35, {0, 0, 0, 0, 0, 0, 0, 1}, 8, 0, KL_ERR_INVALID_TIMESTAMP},
        {"maxTimestamp -1", 35, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8, 0, KL_ERR_NONE},
        {"idempotent without sequence", 43, {0, 0, 0, 0, 0, 0, 0, 9}, 8, KL_BATCH_FROM_CLIENT, KL_ERR_INVALID_RECORD},
        /* the first record's length varint claims more than the batch holds
         * (found by tests/fuzz/fuzz_batch: such a batch was stored) */
        {"record overrun from a client", 61, {0x7e}, 1, KL_BATCH_FROM_CLIENT, KL_ERR_CORRUPT_MESSAGE},
        {"record overrun from the log", 61, {0x7e}, 1, 0, KL_ERR_NONE},
        /* baseOffset + lastOffsetDelta would overflow int64 */
        {"last offset past the range", 0, {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, 8, 0,
         KL_ERR_INVALID_RECORD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *p = rebuild(good, len, cases[i].pos, cases[i].field, cases[i].n);
        why = NULL;
        kl_err_t err = kl_batch_validate(p, len, cases[i].flags, NULL, &why);
        ck_assert_msg(err == cases[i].want, "%s: got %s (%s)", cases[i].name, kl_err_name(err), why ? why : "");
        free(p);
    }

    /* a last offset of exactly INT64_MAX leaves no offset after the batch
     * (the consumer's next offset would overflow) */
    int64_t delta = (int64_t)((uint32_t)good[23] << 24 | (uint32_t)good[24] << 16 | (uint32_t)good[25] << 8 | good[26]);
    uint64_t base = (uint64_t)(INT64_MAX - delta);
    uint8_t at_max[8];
    for (int i = 0; i < 8; i++)
        at_max[i] = (uint8_t)(base >> (56 - 8 * i));
    uint8_t *p = rebuild(good, len, 0, at_max, 8);
    why = NULL;
    ck_assert_int_eq(kl_batch_validate(p, len, 0, NULL, &why), KL_ERR_INVALID_RECORD);
    free(p);

    uint8_t *bigger = malloc(len + 1);
    memcpy(bigger, good, len);
    bigger[len] = 0;
    ck_assert_int_eq(kl_batch_validate(bigger, len + 1, 0, NULL, NULL), KL_ERR_INVALID_RECORD);
    ck_assert_int_eq(kl_batch_validate(good, len - 1, 0, NULL, NULL), KL_ERR_CORRUPT_MESSAGE);
    ck_assert_int_eq(kl_batch_validate(good, 10, 0, NULL, NULL), KL_ERR_CORRUPT_MESSAGE);
    good[len - 1] ^= 1;
    ck_assert_int_eq(kl_batch_validate(good, len, 0, NULL, &why), KL_ERR_CORRUPT_MESSAGE);
    good[len - 1] ^= 1;
    good[16] = 1;
    ck_assert_int_eq(kl_batch_validate(good, len, 0, NULL, NULL), KL_ERR_INVALID_RECORD);
    good[16] = 9;
    ck_assert_int_eq(kl_batch_validate(good, len, 0, NULL, NULL), KL_ERR_CORRUPT_MESSAGE);
    free(bigger);
    free(good);
}
END_TEST

START_TEST(test_patches)
{
    size_t len;
    uint8_t *b = make_test_batch(&len, KL_CODEC_NONE);
    uint32_t crc = kl_load_be32(b + 17);
    kl_batch_t batch;
    ck_assert_int_eq(kl_batch_set_base_offset(b, len, 123456789012LL), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_set_leader_epoch(b, len, 9), KL_ERR_NONE);
    ck_assert_uint_eq(kl_load_be32(b + 17), crc); /* not covered: no re-CRC */
    ck_assert_int_eq(kl_batch_validate(b, len, KL_BATCH_FROM_CLIENT, &batch, NULL), KL_ERR_NONE);
    ck_assert_int_eq(batch.base_offset, 123456789012LL);
    ck_assert_int_eq(batch.partition_leader_epoch, 9);

    kl_record_iter_t ri;
    kl_record_t r;
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_NONE);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(kl_record_iter_next(&ri, &r), KL_ERR_NONE);
        check_record(&r, 123456789012LL, i);
    }

    ck_assert_int_eq(kl_batch_set_producer(b, len, 555, 4, 1000), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_validate(b, len, KL_BATCH_FROM_CLIENT, &batch, NULL), KL_ERR_NONE);
    ck_assert_int_eq(batch.producer_id, 555);
    ck_assert_int_eq(batch.producer_epoch, 4);
    ck_assert_int_eq(batch.base_sequence, 1000);

    ck_assert_int_eq(kl_batch_set_log_append_time(b, len, 1800000000000LL), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_validate(b, len, KL_BATCH_FROM_CLIENT, &batch, NULL), KL_ERR_NONE);
    ck_assert(kl_batch_is_log_append_time(&batch));
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_NONE);
    while (kl_record_iter_next(&ri, &r) == KL_ERR_NONE)
        ck_assert_int_eq(r.timestamp, 1800000000000LL);
    ck_assert_int_eq(ri.err, KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_set_base_offset(b, 60, 0), KL_ERR_INVALID_ARG);
    kl_record_iter_free(&ri);
    free(b);
}
END_TEST

/* A legacy message followed by a v2 batch: yielded as entries only when
 * asked for. */
START_TEST(test_legacy_entries_in_batch_stream)
{
    static const uint8_t v0[] = {0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 16, 0xfd, 0x6e, 0xbd, 0xdb,
                                 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 'h', 'i'};
    uint8_t buf[sizeof v0 + sizeof vector_one];
    memcpy(buf, v0, sizeof v0);
    memcpy(buf + sizeof v0, vector_one, sizeof vector_one);
    kl_batch_iter_t bi;
    kl_batch_t b;
    kl_batch_iter_init(&bi, buf, sizeof buf, KL_BATCH_LEGACY);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NONE);
    ck_assert_int_eq(b.magic, 0);
    ck_assert_int_eq(b.base_offset, 3);
    ck_assert_uint_eq(b.size, sizeof v0);
    ck_assert_ptr_eq(b.data, buf);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NONE);
    ck_assert_int_eq(b.magic, 2);
    ck_assert_int_eq(b.base_offset, 5);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_NOENT);
    kl_batch_iter_init(&bi, buf, sizeof buf, 0);
    ck_assert_int_eq(kl_batch_iter_next(&bi, &b), KL_ERR_BAD_MSG);
}
END_TEST

static Suite *record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("batch");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_writer_matches_hand_vector_one);
    tcase_add_test(tc, test_writer_matches_hand_vector_two);
    tcase_add_test(tc, test_read_hand_vector_two);
    tcase_add_test(tc, test_round_trip_uncompressed);
    tcase_add_test(tc, test_round_trip_each_codec);
    tcase_add_test(tc, test_writer_size_cap_keeps_batch_usable);
    tcase_add_test(tc, test_writer_reuse_and_take);
    tcase_add_test(tc, test_writer_refuses_bad_params);
    tcase_add_test(tc, test_append_record_keeps_offsets);
    tcase_add_test(tc, test_every_truncation_is_incomplete);
    tcase_add_test(tc, test_truncated_stream_yields_whole_batches);
    tcase_add_test(tc, test_shortened_records_are_refused);
    tcase_add_test(tc, test_every_byte_corruption_is_caught);
    tcase_add_test(tc, test_random_mutations_stay_in_bounds);
    tcase_add_test(tc, test_malformed_records_are_refused);
    tcase_add_test(tc, test_bad_magic_and_lengths);
    tcase_add_test(tc, test_decompression_cap);
    tcase_add_test(tc, test_take_inflated_buffer);
    tcase_add_test(tc, test_validate_rules);
    tcase_add_test(tc, test_patches);
    tcase_add_test(tc, test_legacy_entries_in_batch_stream);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(record_suite());
    srunner_add_suite(sr, msgset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
