/* Bounds-checked reader over a byte range with a sticky error. Every read
 * checks the remaining length; past the end (or on a malformed varint) the
 * reader records KL_ERR_BAD_MSG, returns zero values from then on, and the
 * decoder checks kl_rd_error() once at the end, so decoders read as straight
 * line code. Integers are big-endian as on the wire. */
#ifndef KL_UTIL_READER_H
#define KL_UTIL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"

typedef struct kl_rd {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
    kl_err_t err;
    const char *what; /* what was being read when err was set (static string) */
} kl_rd_t;

void kl_rd_init(kl_rd_t *rd, const void *data, size_t len);

static inline kl_err_t kl_rd_error(const kl_rd_t *rd) { return rd->err; }
static inline size_t kl_rd_remaining(const kl_rd_t *rd) { return (size_t)(rd->end - rd->p); }
static inline size_t kl_rd_offset(const kl_rd_t *rd) { return (size_t)(rd->p - rd->start); }

/* Records err (the first one wins) and what failed; always returns err. */
kl_err_t kl_rd_fail(kl_rd_t *rd, kl_err_t err, const char *what);

int8_t kl_rd_i8(kl_rd_t *rd);
int16_t kl_rd_i16(kl_rd_t *rd);
int32_t kl_rd_i32(kl_rd_t *rd);
int64_t kl_rd_i64(kl_rd_t *rd);
uint16_t kl_rd_u16(kl_rd_t *rd);
uint32_t kl_rd_u32(kl_rd_t *rd);
double kl_rd_f64(kl_rd_t *rd);
bool kl_rd_bool(kl_rd_t *rd);
/* Unsigned LEB128, at most 5 bytes for 32 bits. */
uint32_t kl_rd_uvarint(kl_rd_t *rd);
/* Zig-zag varint (at most 5 bytes) and varlong (at most 10 bytes). */
int32_t kl_rd_varint(kl_rd_t *rd);
int64_t kl_rd_varlong(kl_rd_t *rd);

/* Returns a pointer to the next n bytes and advances, or NULL (with the
 * sticky error set) when fewer than n remain. n == 0 returns rd->p. */
const uint8_t *kl_rd_bytes(kl_rd_t *rd, size_t n);
/* Advances n bytes. */
void kl_rd_skip(kl_rd_t *rd, size_t n);

/* A sub-reader over the next n bytes; rd advances past them. */
kl_rd_t kl_rd_sub(kl_rd_t *rd, size_t n);

#endif
