/* Inline zig-zag varint coding on raw pointers for the record hot loops
 * (batch writer and reader). The decoders are strict: they refuse
 * truncated input, encodings longer than the type allows and bits beyond
 * 32 (varint) or 64 (varlong). util/reader.h is the general-purpose path. */
#ifndef KL_RECORD_VARINT_H
#define KL_RECORD_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint64_t kl_zigzag32(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }
static inline uint64_t kl_zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static inline size_t kl_uvar_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v as unsigned LEB128 at p (room for 10 bytes); returns the end. */
static inline uint8_t *kl_uvar_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Reads an unsigned LEB128 of at most `bits` bits (32 or 64) from *pp, not
 * past end; advances *pp. False when truncated, too long or overflowing. */
static inline bool kl_uvar_get(const uint8_t **pp, const uint8_t *end, unsigned bits, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < bits; shift += 7) {
        if (p == end)
            return false;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            if (bits - shift < 7 && (b >> (bits - shift)) != 0)
                return false; /* bits past the type's width */
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

static inline bool kl_varint_get(const uint8_t **pp, const uint8_t *end, int32_t *out)
{
    uint64_t u;
    if (*pp < end && **pp < 0x80) { /* one-byte fast path */
        u = *(*pp)++;
    } else if (!kl_uvar_get(pp, end, 32, &u)) {
        return false;
    }
    *out = (int32_t)((uint32_t)(u >> 1) ^ (0u - (uint32_t)(u & 1)));
    return true;
}

static inline bool kl_varlong_get(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
    uint64_t u;
    if (*pp < end && **pp < 0x80) {
        u = *(*pp)++;
    } else if (!kl_uvar_get(pp, end, 64, &u)) {
        return false;
    }
    *out = (int64_t)((u >> 1) ^ (0 - (u & 1)));
    return true;
}

#endif
