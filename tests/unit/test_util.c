/* Unit tests for lib/util: buffer writer, reader, varints, arena, errors. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafkalite.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/reader.h"

START_TEST(test_buf_ints_big_endian)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    kl_buf_put_i8(&b, -2);
    kl_buf_put_i16(&b, 0x0102);
    kl_buf_put_i32(&b, 0x03040506);
    kl_buf_put_i64(&b, 0x0708090a0b0c0d0eLL);
    const uint8_t want[] = {0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    ck_assert_int_eq(kl_buf_error(&b), KL_ERR_NONE);
    ck_assert_uint_eq(b.len, sizeof want);
    ck_assert_mem_eq(b.data, want, sizeof want);

    kl_rd_t rd;
    kl_rd_init(&rd, b.data, b.len);
    ck_assert_int_eq(kl_rd_i8(&rd), -2);
    ck_assert_int_eq(kl_rd_i16(&rd), 0x0102);
    ck_assert_int_eq(kl_rd_i32(&rd), 0x03040506);
    ck_assert_int_eq(kl_rd_i64(&rd), 0x0708090a0b0c0d0eLL);
    ck_assert_int_eq(kl_rd_error(&rd), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    kl_buf_free(&b);
}
END_TEST

/* Known encodings from the protobuf varint spec (zig-zag). */
START_TEST(test_varint_vectors)
{
    static const struct {
        int64_t v;
        uint8_t bytes[10];
        size_t n;
    } cases[] = {
        {0, {0x00}, 1},       {-1, {0x01}, 1},        {1, {0x02}, 1},
        {-64, {0x7f}, 1},     {64, {0x80, 0x01}, 2},  {300, {0xd8, 0x04}, 2},
        {INT32_MAX, {0xfe, 0xff, 0xff, 0xff, 0x0f}, 5},
        {INT32_MIN, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kl_buf_t b;
        kl_buf_init(&b, 0);
        kl_buf_put_varint(&b, (int32_t)cases[i].v);
        ck_assert_uint_eq(b.len, cases[i].n);
        ck_assert_uint_eq(kl_varint_size((int32_t)cases[i].v), cases[i].n);
        ck_assert_mem_eq(b.data, cases[i].bytes, cases[i].n);
        kl_rd_t rd;
        kl_rd_init(&rd, b.data, b.len);
        ck_assert_int_eq(kl_rd_varint(&rd), cases[i].v);
        ck_assert_int_eq(kl_rd_error(&rd), KL_ERR_NONE);
        kl_buf_free(&b);
    }
}
END_TEST

START_TEST(test_varlong_roundtrip_extremes)
{
    const int64_t vals[] = {0, 1, -1, INT64_MAX, INT64_MIN, 1LL << 40, -(1LL << 40)};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        kl_buf_t b;
        kl_buf_init(&b, 0);
        kl_buf_put_varlong(&b, vals[i]);
        ck_assert_uint_eq(b.len, kl_varlong_size(vals[i]));
        kl_rd_t rd;
        kl_rd_init(&rd, b.data, b.len);
        ck_assert_int_eq(kl_rd_varlong(&rd), vals[i]);
        ck_assert_int_eq(kl_rd_error(&rd), KL_ERR_NONE);
        kl_buf_free(&b);
    }
}
END_TEST

START_TEST(test_uvarint_too_long_is_error)
{
    const uint8_t bad[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    kl_rd_t rd;
    kl_rd_init(&rd, bad, sizeof bad);
    ck_assert_uint_eq(kl_rd_uvarint(&rd), 0);
    ck_assert_int_eq(kl_rd_error(&rd), KL_ERR_BAD_MSG);
}
END_TEST

START_TEST(test_reader_truncation_is_sticky)
{
    const uint8_t data[] = {0, 0, 0, 7, 1};
    kl_rd_t rd;
    kl_rd_init(&rd, data, sizeof data);
    ck_assert_int_eq(kl_rd_i32(&rd), 7);
    ck_assert_int_eq(kl_rd_i32(&rd), 0); /* only one byte left */
    ck_assert_int_eq(kl_rd_error(&rd), KL_ERR_BAD_MSG);
    ck_assert_int_eq(kl_rd_i8(&rd), 0); /* stays failed */
    ck_assert_ptr_null(kl_rd_bytes(&rd, 0));
}
END_TEST

START_TEST(test_buf_cap_is_enforced)
{
    kl_buf_t b;
    kl_buf_init(&b, 6);
    kl_buf_put_i32(&b, 1);
    ck_assert_int_eq(kl_buf_error(&b), KL_ERR_NONE);
    kl_buf_put_i32(&b, 2);
    ck_assert_int_eq(kl_buf_error(&b), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(b.len, 4);
    kl_buf_free(&b);
}
END_TEST

/* Memory stolen from one buffer is written into by another that adopts
 * it, in place while it fits, and grows past it. */
START_TEST(test_buf_adopt_reuses_memory)
{
    kl_buf_t a, b;
    kl_buf_init(&a, 0);
    kl_buf_reserve(&a, 1000);
    size_t cap = a.cap, len;
    kl_buf_put(&a, "xyz", 3);
    uint8_t *mem = kl_buf_steal(&a, &len);
    ck_assert_uint_eq(len, 3);
    kl_buf_init(&b, 0);
    kl_buf_put(&b, "old", 3); /* adopt frees what b had */
    kl_buf_adopt(&b, mem, cap);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, cap);
    kl_buf_put(&b, "abcd", 4);
    ck_assert_ptr_eq(b.data, mem);
    ck_assert_int_eq(memcmp(b.data, "abcd", 4), 0);
    uint8_t *p = kl_buf_extend(&b, cap); /* past the adopted size: grows */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_ge(b.cap, cap + 4);
    ck_assert_int_eq(memcmp(b.data, "abcd", 4), 0);
    ck_assert_int_eq(kl_buf_error(&b), KL_ERR_NONE);
    kl_buf_free(&b);
    kl_buf_free(&a);
}
END_TEST

START_TEST(test_buf_patch_placeholder)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    size_t pos = kl_buf_skip(&b, 4);
    kl_buf_put(&b, "abc", 3);
    kl_buf_patch_i32(&b, pos, (int32_t)(b.len - pos - 4));
    ck_assert_int_eq(kl_load_be32(b.data), 3);
    kl_buf_free(&b);
}
END_TEST

START_TEST(test_arena_limit_and_zeroing)
{
    kl_arena_t a;
    kl_arena_init(&a, 4096);
    unsigned char *p = kl_arena_alloc(&a, 100);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(p[i], 0);
    ck_assert_ptr_null(kl_arena_alloc(&a, 8192));
    ck_assert_ptr_null(kl_arena_calloc(&a, SIZE_MAX / 2, 4));
    char *s = kl_arena_strndup(&a, "hello world", 5);
    ck_assert_str_eq(s, "hello");
    kl_arena_free(&a);
}
END_TEST

START_TEST(test_error_names)
{
    ck_assert_str_eq(kl_err_name(KL_ERR_NOT_COORDINATOR), "NOT_COORDINATOR");
    ck_assert_int_eq(KL_ERR_NOT_COORDINATOR, 16);
    ck_assert_int_eq(KL_ERR_UNKNOWN_SERVER_ERROR, -1);
    ck_assert_str_eq(kl_err_name(KL_ERR_UNKNOWN_SERVER_ERROR), "UNKNOWN_SERVER_ERROR");
    ck_assert_str_eq(kl_err_name(KL_ERR_QUEUE_FULL), "QUEUE_FULL");
    ck_assert_str_eq(kl_err_name(KL_ERR_VOTER_NOT_FOUND), "VOTER_NOT_FOUND");
    ck_assert_str_eq(kl_err_name((kl_err_t)4242), "UNKNOWN");
    ck_assert_str_eq(kl_err_str((kl_err_t)4242), "Unknown error 4242");
    ck_assert(kl_err_is_retriable(KL_ERR_NOT_LEADER_OR_FOLLOWER));
    ck_assert(!kl_err_is_retriable(KL_ERR_INVALID_REQUIRED_ACKS));
    ck_assert(kl_err_is_local(KL_ERR_BAD_MSG));
    ck_assert(!kl_err_is_local(KL_ERR_UNKNOWN_SERVER_ERROR));
    ck_assert_str_eq(kl_version_str(), KL_VERSION_STR);
    ck_assert_int_eq(kl_version(), KL_VERSION);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_buf_ints_big_endian);
    tcase_add_test(tc, test_varint_vectors);
    tcase_add_test(tc, test_varlong_roundtrip_extremes);
    tcase_add_test(tc, test_uvarint_too_long_is_error);
    tcase_add_test(tc, test_reader_truncation_is_sticky);
    tcase_add_test(tc, test_buf_cap_is_enforced);
    tcase_add_test(tc, test_buf_adopt_reuses_memory);
    tcase_add_test(tc, test_buf_patch_placeholder);
    tcase_add_test(tc, test_arena_limit_and_zeroing);
    tcase_add_test(tc, test_error_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(util_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
