/* Unit tests for lib/util/crc32c (CRC-32C) and crc32 (CRC-32 IEEE):
 * published vectors, table vs hardware vs a bit-at-a-time oracle on random
 * data of every length and alignment, incremental use, concurrent first use. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32.h"
#include "util/crc32c.h"
#include "test_skip.h"

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

/* The definition, one bit at a time: the oracle the fast versions answer to. */
static uint32_t crc_bitwise(uint32_t poly, uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
    }
    return ~crc;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* RFC 3720 appendix B.4, plus the usual check value of "123456789". */
static void check_vectors(crc_fn fn)
{
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    ck_assert_uint_eq(fn(0, buf, 32), 0x8A9136AAu);
    memset(buf, 0xff, sizeof buf);
    ck_assert_uint_eq(fn(0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    ck_assert_uint_eq(fn(0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    ck_assert_uint_eq(fn(0, buf, 32), 0x113FDB5Cu);
    ck_assert_uint_eq(fn(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(fn(0, "", 0), 0);
}

START_TEST(test_crc32c_vectors_dispatch) { check_vectors(kl_crc32c); }
END_TEST

START_TEST(test_crc32c_vectors_table) { check_vectors(kl_crc32c_sw); }
END_TEST

START_TEST(test_crc32c_vectors_hardware)
{
    KL_SKIP_IF(!kl_crc32c_hw_available(), "no hardware CRC-32C on this CPU or in this build");
    check_vectors(kl_crc32c_hw);
}
END_TEST

/* Every length 0..300 at every alignment 0..15: table, hardware and the
 * oracle agree. */
START_TEST(test_crc32c_random_lengths_alignments)
{
    static uint8_t buf[300 + 16];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rng();
    bool hw = kl_crc32c_hw_available();
    for (size_t len = 0; len <= 300; len++) {
        for (size_t align = 0; align < 16; align++) {
            const uint8_t *p = buf + align;
            uint32_t seed = (align & 1) ? rng() : 0;
            uint32_t want = crc_bitwise(0x82F63B78u, seed, p, len);
            ck_assert_msg(kl_crc32c_sw(seed, p, len) == want, "table: len %zu align %zu", len, align);
            ck_assert_msg(kl_crc32c(seed, p, len) == want, "dispatch: len %zu align %zu", len, align);
            if (hw)
                ck_assert_msg(kl_crc32c_hw(seed, p, len) == want, "hw: len %zu align %zu", len, align);
        }
    }
}
END_TEST

/* Lengths around the interleaved lanes' group sizes (3 x 256 and
 * 3 x 4096 bytes) and their multiples, at odd alignments. */
START_TEST(test_crc32c_long_buffers)
{
    static const size_t lens[] = {767, 768, 769, 1535, 1536, 2000, 12287, 12288, 12289,
                                  12288 + 768 + 13, 3 * 12288 + 2 * 768 + 7, 100000};
    size_t max = 100000 + 16;
    uint8_t *buf = malloc(max);
    for (size_t i = 0; i < max; i++)
        buf[i] = (uint8_t)rng();
    bool hw = kl_crc32c_hw_available();
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t align = 0; align < 16; align += 5) {
            const uint8_t *p = buf + align;
            uint32_t want = crc_bitwise(0x82F63B78u, 0, p, lens[i]);
            ck_assert_msg(kl_crc32c_sw(0, p, lens[i]) == want, "table: len %zu", lens[i]);
            ck_assert_msg(kl_crc32c(0, p, lens[i]) == want, "dispatch: len %zu", lens[i]);
            if (hw)
                ck_assert_msg(kl_crc32c_hw(0, p, lens[i]) == want, "hw: len %zu align %zu", lens[i], align);
        }
    }
    free(buf);
}
END_TEST

/* crc(a + b) == crc(crc(a), b) at every split point. */
START_TEST(test_crc32c_incremental)
{
    uint8_t buf[257];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rng();
    uint32_t whole = kl_crc32c(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut++) {
        ck_assert_uint_eq(kl_crc32c(kl_crc32c(0, buf, cut), buf + cut, sizeof buf - cut), whole);
        ck_assert_uint_eq(kl_crc32c_sw(kl_crc32c_sw(0, buf, cut), buf + cut, sizeof buf - cut), whole);
    }
}
END_TEST

static void *crc_thread(void *arg)
{
    (void)arg;
    uintptr_t ok = kl_crc32c_sw(0, "123456789", 9) == 0xE3069283u && kl_crc32c(0, "123456789", 9) == 0xE3069283u;
    return (void *)ok;
}

/* Use from several threads at once: in Check's fork mode each test runs in
 * a fresh process, so this is the tables' first use. */
START_TEST(test_crc32c_concurrent_first_use)
{
    pthread_t threads[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, crc_thread, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *ok;
        pthread_join(threads[i], &ok);
        ck_assert_ptr_nonnull(ok);
    }
}
END_TEST

START_TEST(test_crc32_ieee)
{
    ck_assert_uint_eq(kl_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(kl_crc32(0, "", 0), 0);
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rng();
    for (size_t len = 0; len <= sizeof buf; len += 7)
        ck_assert_uint_eq(kl_crc32(0, buf, len), crc_bitwise(0xEDB88320u, 0, buf, len));
    ck_assert_uint_eq(kl_crc32(kl_crc32(0, buf, 100), buf + 100, 200), kl_crc32(0, buf, 300));
}
END_TEST

static Suite *crc_suite(void)
{
    Suite *s = suite_create("crc32c");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_crc32c_vectors_dispatch);
    tcase_add_test(tc, test_crc32c_vectors_table);
    tcase_add_test(tc, test_crc32c_vectors_hardware);
    tcase_add_test(tc, test_crc32c_random_lengths_alignments);
    tcase_add_test(tc, test_crc32c_long_buffers);
    tcase_add_test(tc, test_crc32c_incremental);
    tcase_add_test(tc, test_crc32c_concurrent_first_use);
    tcase_add_test(tc, test_crc32_ieee);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(crc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
