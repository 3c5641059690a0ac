/* Unit tests for lib/record/msgset (legacy MessageSet v0/v1): vectors built
 * by hand (CRC-32 computed independently), truncation, CRC checks, and
 * compressed wrappers with absolute (v0) and relative (v1) inner offsets.
 * Run from test_record.c's main(). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "legacy_message.h"
#include "record/compress.h"
#include "record/msgset.h"
#include "util/buf.h"
#include "util/crc32.h"

Suite *msgset_suite(void);

/* offset 3, magic 0, null key, value "hi". */
static const uint8_t msg_v0[] = {
    0, 0, 0, 0, 0, 0, 0, 3, /* offset */
    0, 0, 0, 16,            /* message size */
    0xfd, 0x6e, 0xbd, 0xdb, /* CRC-32 of magic .. end */
    0,                      /* magic */
    0,                      /* attributes */
    0xff, 0xff, 0xff, 0xff, /* key: null */
    0, 0, 0, 2, 'h', 'i',   /* value */
};

/* offset 10, magic 1, create time 1600000000000, key "k", value "v". */
static const uint8_t msg_v1[] = {
    0, 0, 0, 0, 0, 0, 0, 10,                  /* offset */
    0, 0, 0, 24,                              /* message size */
    0x5e, 0xaf, 0x63, 0xdc,                   /* CRC-32 */
    1,                                        /* magic */
    0,                                        /* attributes */
    0, 0, 0x01, 0x74, 0x87, 0x6e, 0x80, 0x00, /* timestamp */
    0, 0, 0, 1, 'k',                          /* key */
    0, 0, 0, 1, 'v',                          /* value */
};

static uint8_t *exact(const void *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (len)
        memcpy(p, src, len);
    return p;
}

/* A legacy message, its CRC from kl_crc32 (checked against the hand
 * vectors above). value_len -1 writes a null value. */
static void put_message(kl_buf_t *b, int64_t offset, int magic, int attrs, int64_t ts, const char *key,
                        const void *value, int32_t value_len)
{
    ck_assert_int_eq(put_legacy_message(b, offset, magic, attrs, ts, key, value, value_len), KL_ERR_NONE);
}

START_TEST(test_msgset_hand_vectors)
{
    uint8_t buf[sizeof msg_v0 + sizeof msg_v1];
    memcpy(buf, msg_v0, sizeof msg_v0);
    memcpy(buf + sizeof msg_v0, msg_v1, sizeof msg_v1);
    uint8_t *p = exact(buf, sizeof buf);
    kl_msgset_iter_t it;
    kl_message_t m;
    kl_msgset_iter_init(&it, p, sizeof buf, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_NONE);
    ck_assert_int_eq(m.offset, 3);
    ck_assert_int_eq(m.magic, 0);
    ck_assert_int_eq(m.timestamp, -1);
    ck_assert_ptr_null(m.key);
    ck_assert_uint_eq(m.value_len, 2);
    ck_assert_mem_eq(m.value, "hi", 2);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_NONE);
    ck_assert_int_eq(m.offset, 10);
    ck_assert_int_eq(m.magic, 1);
    ck_assert_int_eq(m.timestamp, 1600000000000LL);
    ck_assert(!m.log_append_time);
    ck_assert_uint_eq(m.key_len, 1);
    ck_assert_mem_eq(m.key, "k", 1);
    ck_assert_mem_eq(m.value, "v", 1);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_NOENT);
    ck_assert_uint_eq(it.incomplete, 0);
    kl_msgset_iter_free(&it);

    /* The helper agrees with the hand vectors byte for byte. */
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_message(&b, 3, 0, 0, 0, NULL, "hi", 2);
    put_message(&b, 10, 1, 0, 1600000000000LL, "k", "v", 1);
    ck_assert_uint_eq(b.len, sizeof buf);
    ck_assert_mem_eq(b.data, buf, sizeof buf);
    kl_buf_free(&b);
    free(p);
}
END_TEST

START_TEST(test_msgset_every_truncation)
{
    uint8_t buf[sizeof msg_v0 + sizeof msg_v1];
    memcpy(buf, msg_v0, sizeof msg_v0);
    memcpy(buf + sizeof msg_v0, msg_v1, sizeof msg_v1);
    for (size_t cut = 0; cut <= sizeof buf; cut++) {
        uint8_t *p = exact(buf, cut);
        kl_msgset_iter_t it;
        kl_message_t m;
        int n = 0;
        kl_err_t err;
        kl_msgset_iter_init(&it, p, cut, 0, 0);
        while ((err = kl_msgset_iter_next(&it, &m)) == KL_ERR_NONE)
            n++;
        ck_assert_int_eq(err, KL_ERR_NOENT);
        ck_assert_int_eq(n, cut >= sizeof buf ? 2 : cut >= sizeof msg_v0 ? 1 : 0);
        bool partial = cut != 0 && cut != sizeof msg_v0 && cut != sizeof buf;
        ck_assert_msg(partial == (it.incomplete > 0), "cut %zu", cut);
        kl_msgset_iter_free(&it);
        free(p);
    }
}
END_TEST

START_TEST(test_msgset_crc_and_shape)
{
    uint8_t *p = exact(msg_v1, sizeof msg_v1);
    kl_msgset_iter_t it;
    kl_message_t m;
    for (size_t pos = 16; pos < sizeof msg_v1; pos++) {
        p[pos] ^= 0x20;
        kl_msgset_iter_init(&it, p, sizeof msg_v1, 0, 0);
        ck_assert_msg(kl_msgset_iter_next(&it, &m) == KL_ERR_CRC_MISMATCH, "byte %zu", pos);
        ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_CRC_MISMATCH); /* sticky */
        kl_msgset_iter_free(&it);
        kl_msgset_iter_init(&it, p, sizeof msg_v1, 0, KL_MSGSET_SKIP_CRC);
        (void)kl_msgset_iter_next(&it, &m); /* must stay in bounds */
        kl_msgset_iter_free(&it);
        p[pos] ^= 0x20;
    }
    /* Magic 2 is not a message; key length -2 and a short size are refused. */
    kl_buf_t b;
    kl_buf_init(&b, 0);
    put_message(&b, 0, 1, 0, 0, "k", "v", 1);
    b.data[16] = 2;
    kl_buf_patch_u32(&b, 12, kl_crc32(0, b.data + 16, b.len - 16));
    kl_msgset_iter_init(&it, b.data, b.len, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_BAD_MSG);
    kl_msgset_iter_free(&it);
    b.data[16] = 1;
    kl_store_be32(b.data + 26, 0xfffffffeu);
    kl_buf_patch_u32(&b, 12, kl_crc32(0, b.data + 16, b.len - 16));
    kl_msgset_iter_init(&it, b.data, b.len, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_BAD_MSG);
    kl_msgset_iter_free(&it);
    kl_store_be32(b.data + 8, 13);
    kl_msgset_iter_init(&it, b.data, b.len, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_BAD_MSG);
    kl_msgset_iter_free(&it);
    kl_buf_free(&b);
    free(p);
}
END_TEST

/* A wrapper message whose value is the compressed inner set. */
static void put_wrapper(kl_buf_t *out, int64_t offset, int magic, int attrs, int64_t ts, const kl_buf_t *inner)
{
    kl_buf_t z;
    kl_buf_init(&z, 0);
    ck_assert_int_eq(kl_compress((kl_codec_t)(attrs & 7), -1, inner->data, inner->len, &z), KL_ERR_NONE);
    put_message(out, offset, magic, attrs, ts, NULL, z.data, (int32_t)z.len);
    kl_buf_free(&z);
}

static void check_wrapper(int magic, bool log_append_time)
{
    kl_buf_t inner, outer;
    kl_buf_init(&inner, 0);
    kl_buf_init(&outer, 0);
    /* v1 inner offsets are relative (0..2, wrapper holds the last: 102);
     * v0 inner offsets are absolute. */
    int64_t first = magic == 1 ? 0 : 100;
    for (int i = 0; i < 3; i++)
        put_message(&inner, first + i, magic, 0, 1000 + i, "k", "value", 5);
    put_message(&outer, 99, magic, 0, 999, NULL, "before", 6);
    put_wrapper(&outer, 102, magic, KL_CODEC_GZIP | (log_append_time ? KL_MSG_ATTR_LOG_APPEND_TIME : 0), 5000,
                &inner);
    put_message(&outer, 103, magic, 0, 1003, NULL, "after", 5);
    uint8_t *p = exact(outer.data, outer.len);
    kl_msgset_iter_t it;
    kl_message_t m;
    kl_msgset_iter_init(&it, p, outer.len, 0, 0);
    for (int64_t want = 99; want <= 103; want++) {
        ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_NONE);
        ck_assert_int_eq(m.offset, want);
        ck_assert_int_eq(m.attributes & 7, 0);
        if (magic == 0)
            ck_assert_int_eq(m.timestamp, -1);
        else if (want >= 100 && want <= 102)
            ck_assert_int_eq(m.timestamp, log_append_time ? 5000 : 1000 + (want - 100));
        if (want >= 100 && want <= 102)
            ck_assert_mem_eq(m.value, "value", 5);
    }
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_NOENT);
    kl_msgset_iter_free(&it);
    free(p);
    kl_buf_free(&inner);
    kl_buf_free(&outer);
}

START_TEST(test_msgset_compressed_wrappers)
{
    if (!kl_codec_available(KL_CODEC_GZIP))
        return;
    check_wrapper(0, false);
    check_wrapper(1, false);
    check_wrapper(1, true);
}
END_TEST

/* Runs one outer set holding a wrapper around inner and returns the
 * iterator's first error. */
static kl_err_t wrapper_error_at(int64_t wrapper_offset, const kl_buf_t *inner, size_t max_inflated)
{
    kl_buf_t outer;
    kl_buf_init(&outer, 0);
    put_wrapper(&outer, wrapper_offset, 1, KL_CODEC_GZIP, 0, inner);
    kl_msgset_iter_t it;
    kl_message_t m;
    kl_err_t err;
    kl_msgset_iter_init(&it, outer.data, outer.len, max_inflated, 0);
    while ((err = kl_msgset_iter_next(&it, &m)) == KL_ERR_NONE)
        ;
    kl_msgset_iter_free(&it);
    kl_buf_free(&outer);
    return err;
}

static kl_err_t wrapper_error(const kl_buf_t *inner, size_t max_inflated)
{
    return wrapper_error_at(5, inner, max_inflated);
}

START_TEST(test_msgset_bad_wrappers)
{
    if (!kl_codec_available(KL_CODEC_GZIP))
        return;
    kl_buf_t inner;
    kl_buf_init(&inner, 0);
    put_message(&inner, 0, 1, 0, 0, "k", "v", 1);
    ck_assert_int_eq(wrapper_error(&inner, 0), KL_ERR_NOENT);
    ck_assert_int_eq(wrapper_error(&inner, 8), KL_ERR_TOO_LARGE);
    /* Inner message truncated inside the decompressed set. */
    inner.len--;
    ck_assert_int_eq(wrapper_error(&inner, 0), KL_ERR_BAD_MSG);
    inner.len++;
    /* Nested compression, and an inner magic that differs from the wrapper's. */
    kl_buf_t nested;
    kl_buf_init(&nested, 0);
    put_wrapper(&nested, 0, 1, KL_CODEC_GZIP, 0, &inner);
    ck_assert_int_eq(wrapper_error(&nested, 0), KL_ERR_BAD_MSG);
    kl_buf_reset(&nested);
    put_message(&nested, 0, 0, 0, 0, "k", "v", 1);
    ck_assert_int_eq(wrapper_error(&nested, 0), KL_ERR_BAD_MSG);
    /* A compressed message with a null value, and one with garbage. */
    kl_buf_t outer;
    kl_msgset_iter_t it;
    kl_message_t m;
    kl_buf_init(&outer, 0);
    put_message(&outer, 0, 1, KL_CODEC_GZIP, 0, NULL, NULL, -1);
    kl_msgset_iter_init(&it, outer.data, outer.len, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_BAD_MSG);
    kl_msgset_iter_free(&it);
    kl_buf_reset(&outer);
    put_message(&outer, 0, 1, KL_CODEC_GZIP, 0, NULL, "garbage!", 8);
    kl_msgset_iter_init(&it, outer.data, outer.len, 0, 0);
    ck_assert_int_eq(kl_msgset_iter_next(&it, &m), KL_ERR_BAD_COMPRESSION);
    kl_msgset_iter_free(&it);
    kl_buf_free(&outer);
    kl_buf_free(&nested);
    kl_buf_free(&inner);
}
END_TEST

/* Magic 1 relative offsets whose absolute value would overflow int64 (a
 * fuzzer find: wrapper offset INT64_MIN, inner offset 1) are refused. */
START_TEST(test_msgset_wrapper_offset_overflow)
{
    if (!kl_codec_available(KL_CODEC_GZIP))
        return;
    kl_buf_t inner;
    kl_buf_init(&inner, 0);
    put_message(&inner, 1, 1, 0, 0, "k", "v", 1);
    ck_assert_int_eq(wrapper_error_at(INT64_MIN, &inner, 0), KL_ERR_BAD_MSG);
    ck_assert_int_eq(wrapper_error_at(INT64_MAX, &inner, 0), KL_ERR_NOENT);
    kl_buf_reset(&inner);
    put_message(&inner, 5, 1, 0, 0, "k", "v", 1);
    put_message(&inner, 0, 1, 0, 0, "k", "v", 1);
    ck_assert_int_eq(wrapper_error_at(INT64_MAX, &inner, 0), KL_ERR_BAD_MSG);
    kl_buf_free(&inner);
}
END_TEST

Suite *msgset_suite(void)
{
    Suite *s = suite_create("msgset");
    TCase *tc = tcase_create("legacy");
    tcase_add_test(tc, test_msgset_hand_vectors);
    tcase_add_test(tc, test_msgset_every_truncation);
    tcase_add_test(tc, test_msgset_crc_and_shape);
    tcase_add_test(tc, test_msgset_compressed_wrappers);
    tcase_add_test(tc, test_msgset_bad_wrappers);
    tcase_add_test(tc, test_msgset_wrapper_offset_overflow);
    suite_add_tcase(s, tc);
    return s;
}
