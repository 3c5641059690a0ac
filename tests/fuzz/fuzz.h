/* Shared by the fuzz targets (tests/fuzz): the libFuzzer entry point, the
 * invariant check that turns a broken property into a crash libFuzzer
 * saves, and a cursor that cuts structured inputs out of the fuzzer's
 * bytes. The same targets build with gcc against replay_main.c, which
 * feeds them the seed corpus in `make check`. */
#ifndef KL_FUZZ_H
#define KL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant: when it does not hold, say which and abort. */
#define FUZZ_ASSERT(cond, ...)                                                   \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: invariant broken: ", __FILE__, __LINE__);    \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* Reads fields off the input; past its end every read gives zeros. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t left;
} fuzz_in_t;

static inline uint8_t fuzz_u8(fuzz_in_t *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint16_t fuzz_u16(fuzz_in_t *in)
{
    uint16_t hi = fuzz_u8(in);
    return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(fuzz_in_t *in)
{
    uint32_t hi = fuzz_u16(in);
    return hi << 16 | fuzz_u16(in);
}

/* Up to want bytes (fewer at the end); *got says how many. */
static inline const uint8_t *fuzz_take(fuzz_in_t *in, size_t want, size_t *got)
{
    const uint8_t *p = in->p;
    *got = want < in->left ? want : in->left;
    in->p += *got;
    in->left -= *got;
    return p;
}

/* Recomputes the checksum of one entry of n bytes in place. */
typedef void fuzz_fix_fn(uint8_t *entry, size_t n);

/* Runs check on the input as given, then on a fuzzer-friendly copy: the
 * input is taken as entries framed as Kafka frames batches and legacy
 * messages (int64 offset, int32 length of the rest); each length below
 * min_length or past the input is cut to what the input holds, and fix
 * recomputes each entry's checksum, so that mutations are not all lost
 * to it. */
static inline void fuzz_raw_and_fixed(const uint8_t *data, size_t size, int32_t min_length, fuzz_fix_fn *fix,
                                      void (*check)(const uint8_t *data, size_t size))
{
    check(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_ASSERT(copy, "out of memory");
    if (size)
        memcpy(copy, data, size);
    for (size_t pos = 0; size - pos >= 12 + (size_t)min_length;) {
        uint8_t *p = copy + pos;
        size_t left = size - pos - 12;
        int32_t length = (int32_t)kl_load_be32(p + 8);
        if (length < min_length || (size_t)length > left) {
            length = (int32_t)(left > INT32_MAX ? INT32_MAX : left);
            kl_store_be32(p + 8, (uint32_t)length);
        }
        fix(p, 12 + (size_t)length);
        pos += 12 + (size_t)length;
    }
    check(copy, size);
    free(copy);
}

#endif
