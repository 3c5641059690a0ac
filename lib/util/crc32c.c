/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): see crc32c.h.
 * A portable slicing-by-8 table version and an x86 SSE4.2 version (three
 * interleaved lanes on x86-64); tables are built and the version chosen
 * once, under pthread_once. */
#include "util/crc32c.h"

#include <pthread.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define KL_CRC32C_X86 1
#include <nmmintrin.h>
#endif

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[8][256];
static uint32_t (*crc_impl)(uint32_t, const void *, size_t);
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc32c_build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
        crc_table[0][i] = c;
    }
    /* table[k][i]: the CRC of byte i followed by k zero bytes. */
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++) {
            uint32_t prev = crc_table[k - 1][i];
            crc_table[k][i] = (prev >> 8) ^ crc_table[0][prev & 0xff];
        }
}

static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* Table version, working on the inverted register. */
static uint32_t crc32c_sw_raw(uint32_t c, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint32_t lo = c ^ load_le32(p);
        uint32_t hi = load_le32(p + 4);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
            crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
            crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

static uint32_t crc32c_sw_impl(uint32_t crc, const void *data, size_t len)
{
    return ~crc32c_sw_raw(~crc, data, len);
}

#ifdef KL_CRC32C_X86
#ifdef __x86_64__
/* The crc32 instruction takes 3 cycles but can start one per cycle, so
 * long inputs run as three independent lanes whose CRCs are then joined:
 * crc(A || B) = shift(crc(A), |B|) ^ crc0(B), shift being the (linear)
 * effect of |B| zero bytes, looked up 8 bits at a time in tables made at
 * init for the two lane sizes. */
#define LANE_LONG 4096
#define LANE_SHORT 256
static uint32_t shift_long[4][256], shift_short[4][256];

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_zeros(uint32_t c, size_t n)
{
    uint64_t c64 = c;
    for (size_t i = 0; i < n / 8; i++)
        c64 = _mm_crc32_u64(c64, 0);
    return (uint32_t)c64;
}

static void build_shift_table(uint32_t table[4][256], size_t n)
{
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++)
        basis[bit] = crc32c_hw_zeros(1u << bit, n);
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (int j = 0; j < 8; j++)
                if (b & (1 << j))
                    v ^= basis[8 * k + j];
            table[k][b] = v;
        }
}

static inline uint32_t crc32c_shift(uint32_t table[4][256], uint32_t c)
{
    return table[0][c & 0xff] ^ table[1][(c >> 8) & 0xff] ^ table[2][(c >> 16) & 0xff] ^ table[3][c >> 24];
}

/* Runs whole groups of three lanes of `lane` bytes; returns the new state
 * and advances *pp and *lenp. p is 8-byte aligned. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_lanes(uint32_t c, const uint8_t **pp,
                                                                   size_t *lenp, size_t lane,
                                                                   uint32_t table[4][256])
{
    const uint8_t *p = *pp;
    size_t len = *lenp;
    for (; len >= 3 * lane; p += 3 * lane, len -= 3 * lane) {
        uint64_t c0 = c, c1 = 0, c2 = 0;
        for (size_t i = 0; i < lane; i += 8) {
            uint64_t w0, w1, w2;
            __builtin_memcpy(&w0, p + i, 8);
            __builtin_memcpy(&w1, p + lane + i, 8);
            __builtin_memcpy(&w2, p + 2 * lane + i, 8);
            c0 = _mm_crc32_u64(c0, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        c = crc32c_shift(table, (uint32_t)c0) ^ (uint32_t)c1;
        c = crc32c_shift(table, c) ^ (uint32_t)c2;
    }
    *pp = p;
    *lenp = len;
    return c;
}
#endif

/* Bytes one at a time up to 8-byte alignment, then three lanes at a time
 * (x86-64), then 8 (or 4) bytes per instruction, then the tail. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_impl(uint32_t crc, const void *data,
                                                                 size_t len)
{
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (len && ((uintptr_t)p & 7)) {
        c = _mm_crc32_u8(c, *p++);
        len--;
    }
#ifdef __x86_64__
    c = crc32c_hw_lanes(c, &p, &len, LANE_LONG, shift_long);
    c = crc32c_hw_lanes(c, &p, &len, LANE_SHORT, shift_short);
    uint64_t c64 = c;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        c64 = _mm_crc32_u64(c64, word);
    }
    c = (uint32_t)c64;
#else
    for (; len >= 4; p += 4, len -= 4) {
        uint32_t word;
        __builtin_memcpy(&word, p, 4);
        c = _mm_crc32_u32(c, word);
    }
#endif
    while (len--)
        c = _mm_crc32_u8(c, *p++);
    return ~c;
}
#endif

static bool cpu_has_sse42(void)
{
#ifdef KL_CRC32C_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
#else
    return false;
#endif
}

static void crc32c_init(void)
{
    crc32c_build_tables();
    crc_impl = crc32c_sw_impl;
#ifdef KL_CRC32C_X86
    if (cpu_has_sse42()) {
#ifdef __x86_64__
        build_shift_table(shift_long, LANE_LONG);
        build_shift_table(shift_short, LANE_SHORT);
#endif
        crc_impl = crc32c_hw_impl;
    }
#endif
}

uint32_t kl_crc32c(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&crc_once, crc32c_init);
    return crc_impl(crc, data, len);
}

uint32_t kl_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&crc_once, crc32c_init);
    return crc32c_sw_impl(crc, data, len);
}

bool kl_crc32c_hw_available(void) { return cpu_has_sse42(); }

uint32_t kl_crc32c_hw(uint32_t crc, const void *data, size_t len)
{
#ifdef KL_CRC32C_X86
    pthread_once(&crc_once, crc32c_init);
    return crc32c_hw_impl(crc, data, len);
#else
    return kl_crc32c_sw(crc, data, len);
#endif
}
