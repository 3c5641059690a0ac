/* Unit tests for lib/record's compression codecs: round trips, the output
 * cap, corrupt and truncated input, and the byte forms other Kafka clients
 * write (gzip bytes, xerial snappy, streamed zstd frames, lz4 variants). */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/compress.h"
#include "test_skip.h"

#ifdef WITH_SNAPPY
#include <snappy-c.h>
#endif
#ifdef WITH_LZ4
#include <lz4frame.h>
#endif
#ifdef WITH_ZSTD
#include <zstd.h>
#endif

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)

/* ---- helpers ---- */

/* Text-like data that repeats every few KiB: compresses well with every
 * codec's window, yet is not a single run. */
static uint8_t *make_compressible(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    size_t pos = 0;
    for (unsigned i = 0; pos < n; i++) {
        char line[64];
        int k = snprintf(line, sizeof line, "record-%06u key=user%u value=%u;\n", i % 200, i % 200 % 97, i % 200 * 7);
        for (int j = 0; j < k && pos < n; j++)
            p[pos++] = (uint8_t)line[j];
    }
    return p;
}

static uint8_t *make_random(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
    return p;
}

/* An exact-size heap copy, so AddressSanitizer sees any read past the end. */
static uint8_t *dup_exact(const void *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    if (n)
        memcpy(p, src, n);
    return p;
}

/* Decompresses src[0..n) from an exact-size copy into a fresh buffer. */
static kl_err_t decompress_exact(kl_codec_t codec, const void *src, size_t n, size_t max_out, kl_buf_t *out)
{
    uint8_t *copy = dup_exact(src, n);
    kl_err_t err = kl_decompress(codec, copy, n, max_out, out);
    free(copy);
    return err;
}

/* Compresses into a fresh buffer, asserting success. */
static void compress_ok(kl_codec_t codec, int level, const void *src, size_t len, kl_buf_t *out)
{
    kl_buf_init(out, 0);
    kl_err_t err = kl_compress(codec, level, src, len, out);
    ck_assert_msg(err == KL_ERR_NONE, "%s level %d len %zu: %s", kl_codec_name(codec), level, len,
                  kl_err_name(err));
}

/* Compress then decompress, both appending after a prefix that must stay. */
static void roundtrip(kl_codec_t codec, int level, const uint8_t *data, size_t len)
{
    kl_buf_t c, d;
    kl_buf_init(&c, 0);
    kl_buf_put(&c, "pfx", 3);
    kl_err_t err = kl_compress(codec, level, data, len, &c);
    ck_assert_msg(err == KL_ERR_NONE, "%s compress %zu: %s", kl_codec_name(codec), len, kl_err_name(err));
    ck_assert_mem_eq(c.data, "pfx", 3);
    if (codec != KL_CODEC_NONE)
        ck_assert_uint_gt(c.len, 3); /* even empty input has a header */

    kl_buf_init(&d, 0);
    kl_buf_put(&d, "xy", 2);
    err = decompress_exact(codec, c.data + 3, c.len - 3, len, &d);
    ck_assert_msg(err == KL_ERR_NONE, "%s decompress %zu: %s", kl_codec_name(codec), len, kl_err_name(err));
    ck_assert_uint_eq(d.len, 2 + len);
    ck_assert_mem_eq(d.data, "xy", 2);
    if (len)
        ck_assert_int_eq(memcmp(d.data + 2, data, len), 0);
    kl_buf_free(&c);
    kl_buf_free(&d);
}

static const char *const codec_names[] = {"none", "gzip", "snappy", "lz4", "zstd"};

/* ---- names and availability ---- */

START_TEST(test_names)
{
    for (int i = 0; i <= KL_CODEC_ZSTD; i++) {
        kl_codec_t c = (kl_codec_t)-1;
        ck_assert_str_eq(kl_codec_name((kl_codec_t)i), codec_names[i]);
        ck_assert_int_eq(kl_codec_from_name(codec_names[i], &c), KL_ERR_NONE);
        ck_assert_int_eq(c, i);
    }
    kl_codec_t c;
    ck_assert_int_eq(kl_codec_from_name("GZIP", &c), KL_ERR_NONE);
    ck_assert_int_eq(c, KL_CODEC_GZIP);
    ck_assert_int_eq(kl_codec_from_name("Zstd", &c), KL_ERR_NONE);
    ck_assert_int_eq(c, KL_CODEC_ZSTD);
    ck_assert_int_eq(kl_codec_from_name("lzo", &c), KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_codec_from_name("", &c), KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_codec_from_name("gzip ", &c), KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_codec_from_name("uncompressed", &c), KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_codec_from_name(NULL, &c), KL_ERR_INVALID_VALUE);
    ck_assert_str_eq(kl_codec_name((kl_codec_t)5), "unknown");
    ck_assert_str_eq(kl_codec_name((kl_codec_t)-1), "unknown");
}
END_TEST

START_TEST(test_availability)
{
    const bool built[] = {
        true,
#ifdef WITH_ZLIB
        true,
#else
        false,
#endif
#ifdef WITH_SNAPPY
        true,
#else
        false,
#endif
#ifdef WITH_LZ4
        true,
#else
        false,
#endif
#ifdef WITH_ZSTD
        true,
#else
        false,
#endif
    };
    kl_buf_t b;
    kl_buf_init(&b, 0);
    kl_buf_put(&b, "keep", 4);
    for (int i = 0; i <= KL_CODEC_ZSTD; i++) {
        ck_assert_int_eq(kl_codec_available((kl_codec_t)i), built[i]);
        if (built[i])
            continue;
        ck_assert_int_eq(kl_compress((kl_codec_t)i, -1, "abc", 3, &b), KL_ERR_UNSUPPORTED_FEATURE);
        ck_assert_int_eq(kl_decompress((kl_codec_t)i, "abc", 3, 100, &b), KL_ERR_UNSUPPORTED_FEATURE);
        ck_assert_uint_eq(b.len, 4);
    }
    ck_assert(!kl_codec_available((kl_codec_t)5));
    ck_assert(!kl_codec_available((kl_codec_t)-1));
    ck_assert_int_eq(kl_compress((kl_codec_t)7, -1, "abc", 3, &b), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_decompress((kl_codec_t)7, "abc", 3, 100, &b), KL_ERR_INVALID_ARG);
    ck_assert_uint_eq(b.len, 4);
    ck_assert_int_eq(kl_buf_error(&b), KL_ERR_NONE);
    kl_buf_free(&b);
}
END_TEST

/* ---- every codec (loop tests: _i is the codec; SKIP when not built) ---- */

START_TEST(test_roundtrip_sizes)
{
    kl_codec_t codec = (kl_codec_t)_i;
    KL_SKIP_IF(!kl_codec_available(codec), "%s is not in this build", kl_codec_name(codec));
    roundtrip(codec, -1, NULL, 0);
    roundtrip(codec, -1, (const uint8_t *)"x", 1);

    uint8_t *text = make_compressible(MIB);
    roundtrip(codec, -1, text, MIB);
    if (codec != KL_CODEC_NONE) {
        kl_buf_t c;
        compress_ok(codec, -1, text, MIB, &c);
        ck_assert_msg(c.len < MIB / 4, "%s: 1 MiB of text compressed to %zu", kl_codec_name(codec), c.len);
        kl_buf_free(&c);
    }
    free(text);

    uint8_t *noise = make_random(100 * KIB, 42);
    roundtrip(codec, -1, noise, 100 * KIB);
    free(noise);
}
END_TEST

START_TEST(test_roundtrip_levels)
{
    kl_codec_t codec = (kl_codec_t)_i;
    KL_SKIP_IF(!kl_codec_available(codec), "%s is not in this build", kl_codec_name(codec));
    const int levels[] = {-1, 0, 1, 3, 9, 12, 19, 22, 23, 100, -2, -100, INT_MAX, INT_MIN};
    uint8_t *text = make_compressible(20 * KIB);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        roundtrip(codec, levels[i], text, 20 * KIB);
    free(text);
}
END_TEST

START_TEST(test_max_out_is_enforced)
{
    kl_codec_t codec = (kl_codec_t)_i;
    KL_SKIP_IF(!kl_codec_available(codec), "%s is not in this build", kl_codec_name(codec));
    uint8_t *text = make_compressible(MIB);
    kl_buf_t c, d;
    compress_ok(codec, -1, text, MIB, &c);

    kl_buf_init(&d, 0);
    kl_buf_put(&d, "xy", 2);
    ck_assert_int_eq(decompress_exact(codec, c.data, c.len, 1000, &d), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(d.len, 2); /* out keeps its length */
    ck_assert_uint_le(d.cap, 128 * KIB); /* memory followed the cap */
    ck_assert_int_eq(kl_buf_error(&d), KL_ERR_NONE);

    ck_assert_int_eq(decompress_exact(codec, c.data, c.len, MIB - 1, &d), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_int_eq(decompress_exact(codec, c.data, c.len, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 2 + MIB);
    ck_assert_int_eq(memcmp(d.data + 2, text, MIB), 0);
    kl_buf_free(&d);

    /* The output buffer's own cap counts too. */
    kl_buf_init(&d, 5000);
    ck_assert_int_eq(decompress_exact(codec, c.data, c.len, SIZE_MAX, &d), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_uint_le(d.cap, 5000);
    kl_buf_free(&d);
    kl_buf_free(&c);
    free(text);
}
END_TEST

/* Part text, part noise, so the codecs emit both matches and literals. */
static uint8_t *make_small_payload(size_t *len)
{
    uint8_t *text = make_compressible(600);
    uint8_t *noise = make_random(200, 7);
    uint8_t *p = malloc(800);
    ck_assert_ptr_nonnull(p);
    memcpy(p, text, 600);
    memcpy(p + 600, noise, 200);
    free(text);
    free(noise);
    *len = 800;
    return p;
}

START_TEST(test_truncated_input_is_bad)
{
    kl_codec_t codec = (kl_codec_t)_i;
    KL_SKIP_IF(!kl_codec_available(codec), "%s is not in this build", kl_codec_name(codec));
    size_t len;
    uint8_t *data = make_small_payload(&len);
    kl_buf_t c, d;
    compress_ok(codec, -1, data, len, &c);
    kl_buf_init(&d, 0);
    for (size_t cut = 0; cut < c.len; cut++) {
        kl_err_t err = decompress_exact(codec, c.data, cut, 10 * len, &d);
        ck_assert_msg(err == KL_ERR_BAD_COMPRESSION, "%s cut at %zu of %zu: %s", kl_codec_name(codec), cut, c.len,
                      kl_err_name(err));
        ck_assert_uint_eq(d.len, 0);
    }
    /* Bytes after the end are corruption too. */
    const uint8_t tails[] = {0x00, 0xff, 0x1f};
    for (size_t i = 0; i < sizeof tails; i++) {
        kl_buf_t longer;
        kl_buf_init(&longer, 0);
        kl_buf_put(&longer, c.data, c.len);
        kl_buf_put(&longer, &tails[i], 1);
        ck_assert_int_eq(decompress_exact(codec, longer.data, longer.len, 10 * len, &d), KL_ERR_BAD_COMPRESSION);
        kl_buf_free(&longer);
    }
    kl_buf_free(&d);
    kl_buf_free(&c);
    free(data);
}
END_TEST

/* Flips every byte of a frame, two ways. Without a checksum some flips only
 * change the output, so the rule is: no crash, no over-read, an expected
 * error code; and when the format checksums its content (checksummed says
 * so), success must mean the original bytes. */
static void flip_every_byte(kl_codec_t codec, const uint8_t *frame, size_t n, const uint8_t *orig, size_t len,
                            bool checksummed)
{
    kl_buf_t d;
    kl_buf_init(&d, 0);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t masks[] = {0x01, 0xff};
        for (size_t m = 0; m < sizeof masks; m++) {
            uint8_t *copy = dup_exact(frame, n);
            copy[i] ^= masks[m];
            kl_buf_reset(&d);
            kl_err_t err = kl_decompress(codec, copy, n, 4 * len, &d);
            free(copy);
            ck_assert_msg(err == KL_ERR_NONE || err == KL_ERR_BAD_COMPRESSION || err == KL_ERR_TOO_LARGE,
                          "%s flip %zu: %s", kl_codec_name(codec), i, kl_err_name(err));
            if (err == KL_ERR_NONE && checksummed)
                ck_assert_msg(d.len == len && memcmp(d.data, orig, len) == 0,
                              "%s flip at %zu went unnoticed", kl_codec_name(codec), i);
            if (err != KL_ERR_NONE) {
                ck_assert_uint_eq(d.len, 0);
                bad++;
            }
            if (i == 0) /* magic or length header: always noticed */
                ck_assert_int_ne(err, KL_ERR_NONE);
        }
    }
    ck_assert_uint_gt(bad, 0);
    kl_buf_free(&d);
}

START_TEST(test_corrupt_input)
{
    kl_codec_t codec = (kl_codec_t)_i;
    KL_SKIP_IF(!kl_codec_available(codec), "%s is not in this build", kl_codec_name(codec));
    size_t len;
    uint8_t *data = make_small_payload(&len);
    kl_buf_t c;
    compress_ok(codec, -1, data, len, &c);
    /* gzip always carries a CRC-32; our lz4 and zstd frames carry none (as
     * librdkafka's and the Java client's), see the codec tests below. */
    flip_every_byte(codec, c.data, c.len, data, len, codec == KL_CODEC_GZIP);
    kl_buf_free(&c);
    free(data);
}
END_TEST

/* Each thread round-trips every codec, so the per-thread context caches
 * are created, reused and freed at thread exit. */
static void *thread_roundtrips(void *arg)
{
    uint8_t *text = arg;
    for (int round = 0; round < 8; round++)
        for (int codec = 0; codec <= KL_CODEC_ZSTD; codec++)
            if (kl_codec_available((kl_codec_t)codec))
                roundtrip((kl_codec_t)codec, round % 2 ? 1 : -1, text, 64 * KIB);
    return NULL;
}

START_TEST(test_threads)
{
    uint8_t *text = make_compressible(64 * KIB);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, thread_roundtrips, text), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
    thread_roundtrips(text); /* and the main thread too */
    free(text);
}
END_TEST

/* ---- gzip: bytes from outside our encoder ---- */

#ifdef WITH_ZLIB
/* `printf hello | gzip -n`: fixed-Huffman deflate, CRC-32 0x3610a686. */
static const uint8_t gzip_hello[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd,
                                     0xc9, 0xc9, 0x07, 0x00, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00};
/* Built by hand: gzip header (OS 255), one final stored deflate block
 * (LEN 6, NLEN ~6), " world", CRC-32 0x4a3b42cb, ISIZE 6. */
static const uint8_t gzip_world_stored[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x01,
                                            0x06, 0x00, 0xf9, 0xff, ' ',  'w',  'o',  'r',  'l',  'd',  0xcb,
                                            0x42, 0x3b, 0x4a, 0x06, 0x00, 0x00, 0x00};

START_TEST(test_gzip_known_bytes)
{
    kl_buf_t d;
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, gzip_hello, sizeof gzip_hello, 100, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 5);
    ck_assert_mem_eq(d.data, "hello", 5);

    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, gzip_world_stored, sizeof gzip_world_stored, 100, &d),
                     KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 6);
    ck_assert_mem_eq(d.data, " world", 6);

    /* Two members back to back. */
    uint8_t both[sizeof gzip_hello + sizeof gzip_world_stored];
    memcpy(both, gzip_hello, sizeof gzip_hello);
    memcpy(both + sizeof gzip_hello, gzip_world_stored, sizeof gzip_world_stored);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, both, sizeof both, 100, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 11);
    ck_assert_mem_eq(d.data, "hello world", 11);
    /* The cap spans members. */
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, both, sizeof both, 10, &d), KL_ERR_TOO_LARGE);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, gzip_hello, sizeof gzip_hello, 4, &d), KL_ERR_TOO_LARGE);

    /* A wrong CRC, and a zlib (not gzip) stream of "hello". */
    uint8_t bad_crc[sizeof gzip_hello];
    memcpy(bad_crc, gzip_hello, sizeof bad_crc);
    bad_crc[17] ^= 0x10;
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, bad_crc, sizeof bad_crc, 100, &d), KL_ERR_BAD_COMPRESSION);
    const uint8_t zlib_hello[] = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x06, 0x2c, 0x02, 0x15};
    ck_assert_int_eq(decompress_exact(KL_CODEC_GZIP, zlib_hello, sizeof zlib_hello, 100, &d),
                     KL_ERR_BAD_COMPRESSION);

    /* What we write is a gzip member too: magic, deflate, no name. */
    kl_buf_t c;
    compress_ok(KL_CODEC_GZIP, -1, "hello", 5, &c);
    ck_assert_uint_ge(c.len, 18);
    ck_assert_mem_eq(c.data, "\x1f\x8b\x08", 3);
    kl_buf_free(&c);
    kl_buf_free(&d);
}
END_TEST
#endif

/* ---- snappy: the Java client's xerial framing ---- */

#ifdef WITH_SNAPPY
static void put_raw_snappy_chunk(kl_buf_t *frame, const uint8_t *data, size_t len)
{
    size_t max = snappy_max_compressed_length(len);
    char *block = malloc(max);
    ck_assert_ptr_nonnull(block);
    size_t n = max;
    ck_assert_int_eq(snappy_compress((const char *)data, len, block, &n), SNAPPY_OK);
    kl_buf_put_u32(frame, (uint32_t)n); /* big-endian chunk length */
    kl_buf_put(frame, block, n);
    free(block);
}

static void put_xerial_header(kl_buf_t *frame)
{
    static const uint8_t header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, /* magic */
                                       0,    0,   0,   1,                     /* version 1 */
                                       0,    0,   0,   1};                    /* compatible 1 */
    kl_buf_put(frame, header, sizeof header);
}

START_TEST(test_snappy_xerial_frames)
{
    const size_t a_len = 40000;
    uint8_t *a = make_compressible(a_len);
    const uint8_t b[] = "tail chunk";
    const size_t b_len = sizeof b - 1;

    kl_buf_t frame, d;
    kl_buf_init(&frame, 0);
    put_xerial_header(&frame);
    size_t boundary1 = frame.len;
    put_raw_snappy_chunk(&frame, a, a_len);
    size_t boundary2 = frame.len;
    put_raw_snappy_chunk(&frame, b, b_len);
    ck_assert_int_eq(kl_buf_error(&frame), KL_ERR_NONE);

    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, frame.data, frame.len, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, a_len + b_len);
    ck_assert_int_eq(memcmp(d.data, a, a_len), 0);
    ck_assert_mem_eq(d.data + a_len, b, b_len);

    /* The cap covers the sum of the chunks, and is checked before the
     * first chunk's output is allocated. */
    kl_buf_t small;
    kl_buf_init(&small, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, frame.data, frame.len, a_len - 1, &small),
                     KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(small.cap, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, frame.data, frame.len, a_len + b_len - 1, &small),
                     KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(small.len, 0);
    kl_buf_free(&small);

    /* Every truncation: fine only at a chunk boundary. */
    for (size_t cut = 0; cut < frame.len; cut++) {
        kl_buf_reset(&d);
        kl_err_t err = decompress_exact(KL_CODEC_SNAPPY, frame.data, cut, MIB, &d);
        if (cut == 16 || cut == boundary1 || cut == boundary2)
            ck_assert_msg(err == KL_ERR_NONE, "cut %zu: %s", cut, kl_err_name(err));
        else
            ck_assert_msg(err == KL_ERR_BAD_COMPRESSION, "cut %zu: %s", cut, kl_err_name(err));
    }
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, frame.data, 16, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 0);

    /* Chunk lengths that overrun the input. */
    uint8_t *bad = dup_exact(frame.data, frame.len);
    kl_store_be32(bad + boundary2, kl_load_be32(bad + boundary2) + 1);
    kl_buf_reset(&d);
    ck_assert_int_eq(kl_decompress(KL_CODEC_SNAPPY, bad, frame.len, MIB, &d), KL_ERR_BAD_COMPRESSION);
    kl_store_be32(bad + 16, 0x7fffffff);
    ck_assert_int_eq(kl_decompress(KL_CODEC_SNAPPY, bad, frame.len, MIB, &d), KL_ERR_BAD_COMPRESSION);
    kl_store_be32(bad + 16, 0xffffffff);
    ck_assert_int_eq(kl_decompress(KL_CODEC_SNAPPY, bad, frame.len, MIB, &d), KL_ERR_BAD_COMPRESSION);
    free(bad);

    /* Two streams concatenated. */
    kl_buf_t twice;
    kl_buf_init(&twice, 0);
    kl_buf_put(&twice, frame.data, frame.len);
    kl_buf_put(&twice, frame.data, frame.len);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, twice.data, twice.len, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 2 * (a_len + b_len));
    ck_assert_mem_eq(d.data + a_len + b_len + a_len, b, b_len);
    kl_buf_free(&twice);

    kl_buf_free(&d);
    kl_buf_free(&frame);
    free(a);
}
END_TEST

START_TEST(test_snappy_lying_length)
{
    /* A raw block claiming 4 GiB - 1 from a few bytes: refused without
     * allocating, even with no cap. */
    const uint8_t lie[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61};
    kl_buf_t d;
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, lie, sizeof lie, SIZE_MAX, &d), KL_ERR_BAD_COMPRESSION);
    ck_assert_uint_eq(d.cap, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, lie, sizeof lie, 100, &d), KL_ERR_TOO_LARGE);
    /* Raw snappy of empty input is one zero byte. */
    const uint8_t empty[] = {0x00};
    ck_assert_int_eq(decompress_exact(KL_CODEC_SNAPPY, empty, 1, 0, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 0);
    kl_buf_free(&d);
}
END_TEST
#endif

/* ---- zstd: streamed frames (no content size), windows, checksums ---- */

#ifdef WITH_ZSTD
/* Compresses the way a streaming writer does: the size is never pledged,
 * so the frame header carries none. */
static void zstd_stream_frame(const uint8_t *data, size_t len, int window_log, bool checksum, kl_buf_t *frame)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ck_assert_ptr_nonnull(cctx);
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3)));
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum)));
    if (window_log)
        ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log)));
    size_t start = frame->len;
    uint8_t chunk[16384];
    size_t pos = 0;
    for (;;) {
        size_t piece = len - pos < 4096 ? len - pos : 4096;
        ZSTD_inBuffer in = {data + pos, piece, 0};
        ZSTD_EndDirective op = pos + piece == len ? ZSTD_e_end : ZSTD_e_continue;
        size_t left;
        do {
            ZSTD_outBuffer out = {chunk, sizeof chunk, 0};
            left = ZSTD_compressStream2(cctx, &out, &in, op);
            ck_assert(!ZSTD_isError(left));
            kl_buf_put(frame, chunk, out.pos);
        } while (in.pos < in.size || (op == ZSTD_e_end && left != 0));
        pos += piece;
        if (op == ZSTD_e_end)
            break;
    }
    ZSTD_freeCCtx(cctx);
    ck_assert_int_eq(kl_buf_error(frame), KL_ERR_NONE);
    if (len > 4096) /* a single e_end call would pledge the size */
        ck_assert(ZSTD_getFrameContentSize(frame->data + start, frame->len - start) == ZSTD_CONTENTSIZE_UNKNOWN);
}

START_TEST(test_zstd_streamed_frames)
{
    uint8_t *text = make_compressible(MIB);
    kl_buf_t frame, d;
    kl_buf_init(&frame, 0);
    zstd_stream_frame(text, MIB, 0, false, &frame);

    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, MIB);
    ck_assert_int_eq(memcmp(d.data, text, MIB), 0);
    kl_buf_free(&d);

    /* No size in the header: the cap is enforced while streaming. */
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, 1000, &d), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_uint_le(d.cap, 128 * KIB);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, MIB - 1, &d), KL_ERR_TOO_LARGE);

    /* A streamed frame followed by one of ours (which states its size). */
    kl_buf_t ours;
    compress_ok(KL_CODEC_ZSTD, -1, "hello", 5, &ours);
    ck_assert(ZSTD_getFrameContentSize(ours.data, ours.len) == 5);
    kl_buf_put(&frame, ours.data, ours.len);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, MIB + 5, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, MIB + 5);
    ck_assert_mem_eq(d.data + MIB, "hello", 5);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, MIB + 4, &d), KL_ERR_TOO_LARGE);
    kl_buf_free(&ours);
    kl_buf_free(&frame);
    kl_buf_free(&d);
    free(text);
}
END_TEST

START_TEST(test_zstd_window_limit)
{
    /* A frame whose header asks for a 32 MiB window: refused when the cap
     * is small, accepted when the cap could hold that much anyway. */
    uint8_t *text = make_compressible(20000);
    kl_buf_t frame, d;
    kl_buf_init(&frame, 0);
    zstd_stream_frame(text, 20000, 25, false, &frame);
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, 1000, &d), KL_ERR_TOO_LARGE);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, 20000, &d), KL_ERR_TOO_LARGE);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, 64 * MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, 20000);
    ck_assert_int_eq(memcmp(d.data, text, 20000), 0);
    kl_buf_free(&d);
    kl_buf_free(&frame);
    free(text);
}
END_TEST

START_TEST(test_zstd_checksummed_frame)
{
    size_t len;
    uint8_t *data = make_small_payload(&len);
    kl_buf_t frame, d;
    kl_buf_init(&frame, 0);
    zstd_stream_frame(data, len, 0, true, &frame);
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, frame.len, len, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, len);
    for (size_t cut = 0; cut < frame.len; cut++)
        ck_assert_int_eq(decompress_exact(KL_CODEC_ZSTD, frame.data, cut, len, &d), KL_ERR_BAD_COMPRESSION);
    flip_every_byte(KL_CODEC_ZSTD, frame.data, frame.len, data, len, true);
    kl_buf_free(&d);
    kl_buf_free(&frame);
    free(data);
}
END_TEST
#endif

/* ---- lz4: frame variants other writers produce ---- */

#ifdef WITH_LZ4
static void lz4_frame(const uint8_t *data, size_t len, LZ4F_blockSizeID_t block, LZ4F_blockMode_t mode,
                      bool sizes_and_checksums, kl_buf_t *frame)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = block;
    prefs.frameInfo.blockMode = mode;
    if (sizes_and_checksums) {
        prefs.frameInfo.contentSize = len;
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    }
    size_t max = LZ4F_compressFrameBound(len, &prefs);
    uint8_t *dst = kl_buf_reserve(frame, max);
    ck_assert_ptr_nonnull(dst);
    size_t n = LZ4F_compressFrame(dst, max, data, len, &prefs);
    ck_assert(!LZ4F_isError(n));
    frame->len += n;
}

START_TEST(test_lz4_frame_variants)
{
    uint8_t *text = make_compressible(MIB);
    kl_buf_t frame, d;
    kl_buf_init(&d, 0);

    /* 256 KiB linked blocks with content size and both checksums. */
    kl_buf_init(&frame, 0);
    lz4_frame(text, MIB, LZ4F_max256KB, LZ4F_blockLinked, true, &frame);
    ck_assert_int_eq(decompress_exact(KL_CODEC_LZ4, frame.data, frame.len, MIB, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, MIB);
    ck_assert_int_eq(memcmp(d.data, text, MIB), 0);
    kl_buf_free(&d);
    /* The stated size is over the cap: refused before allocating. */
    kl_buf_init(&d, 0);
    ck_assert_int_eq(decompress_exact(KL_CODEC_LZ4, frame.data, frame.len, 1000, &d), KL_ERR_TOO_LARGE);
    ck_assert_uint_eq(d.cap, 0);

    /* Followed by a 4 MiB-block independent frame without size. */
    lz4_frame((const uint8_t *)"hello", 5, LZ4F_max4MB, LZ4F_blockIndependent, false, &frame);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_LZ4, frame.data, frame.len, MIB + 5, &d), KL_ERR_NONE);
    ck_assert_uint_eq(d.len, MIB + 5);
    ck_assert_mem_eq(d.data + MIB, "hello", 5);
    kl_buf_reset(&d);
    ck_assert_int_eq(decompress_exact(KL_CODEC_LZ4, frame.data, frame.len, MIB + 4, &d), KL_ERR_TOO_LARGE);
    kl_buf_free(&frame);

    /* Our header: magic, then FLG version 01 with independent blocks and no
     * size or checksum flags, then BD for 64 KiB blocks. */
    compress_ok(KL_CODEC_LZ4, -1, "hello", 5, &frame);
    ck_assert_mem_eq(frame.data, "\x04\x22\x4d\x18\x60\x40", 6);
    kl_buf_free(&frame);
    kl_buf_free(&d);
    free(text);
}
END_TEST

START_TEST(test_lz4_checksummed_frame)
{
    size_t len;
    uint8_t *data = make_small_payload(&len);
    kl_buf_t frame, d;
    kl_buf_init(&frame, 0);
    lz4_frame(data, len, LZ4F_max64KB, LZ4F_blockIndependent, true, &frame);
    kl_buf_init(&d, 0);
    for (size_t cut = 0; cut < frame.len; cut++)
        ck_assert_int_eq(decompress_exact(KL_CODEC_LZ4, frame.data, cut, len, &d), KL_ERR_BAD_COMPRESSION);
    flip_every_byte(KL_CODEC_LZ4, frame.data, frame.len, data, len, true);
    kl_buf_free(&d);
    kl_buf_free(&frame);
    free(data);
}
END_TEST
#endif

static Suite *compress_suite(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120); /* sanitizer builds are slow on 1 MiB inputs */
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_availability);
    tcase_add_loop_test(tc, test_roundtrip_sizes, KL_CODEC_NONE, KL_CODEC_ZSTD + 1);
    tcase_add_loop_test(tc, test_roundtrip_levels, KL_CODEC_NONE, KL_CODEC_ZSTD + 1);
    tcase_add_loop_test(tc, test_max_out_is_enforced, KL_CODEC_NONE, KL_CODEC_ZSTD + 1);
    tcase_add_loop_test(tc, test_truncated_input_is_bad, KL_CODEC_GZIP, KL_CODEC_ZSTD + 1);
    tcase_add_loop_test(tc, test_corrupt_input, KL_CODEC_GZIP, KL_CODEC_ZSTD + 1);
    tcase_add_test(tc, test_threads);
#ifdef WITH_ZLIB
    tcase_add_test(tc, test_gzip_known_bytes);
#endif
#ifdef WITH_SNAPPY
    tcase_add_test(tc, test_snappy_xerial_frames);
    tcase_add_test(tc, test_snappy_lying_length);
#endif
#ifdef WITH_ZSTD
    tcase_add_test(tc, test_zstd_streamed_frames);
    tcase_add_test(tc, test_zstd_window_limit);
    tcase_add_test(tc, test_zstd_checksummed_frame);
#endif
#ifdef WITH_LZ4
    tcase_add_test(tc, test_lz4_frame_variants);
    tcase_add_test(tc, test_lz4_checksummed_frame);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(compress_suite());
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
