/* Growable output buffer with a hard size cap and a sticky error: writers
 * append without checking each call and test kl_buf_error() once at the end.
 * Multi-byte integers are written big-endian (network order), as Kafka's
 * wire format and on-disk format want. */
#ifndef KL_UTIL_BUF_H
#define KL_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"

typedef struct kl_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;   /* hard cap on len; SIZE_MAX for none */
    kl_err_t err; /* first error hit, sticky */
} kl_buf_t;

/* Starts an empty buffer that may grow up to max bytes (0 means no cap). */
void kl_buf_init(kl_buf_t *buf, size_t max);
void kl_buf_free(kl_buf_t *buf);
/* Forgets the content but keeps the memory; clears the error. */
void kl_buf_reset(kl_buf_t *buf);
/* Hands the bytes to the caller (who frees them) and empties buf. */
uint8_t *kl_buf_steal(kl_buf_t *buf, size_t *lenp);
/* The reverse: buf (emptied, its own memory freed) takes data, cap bytes
 * from malloc(), to write into and to free. */
void kl_buf_adopt(kl_buf_t *buf, uint8_t *data, size_t cap);

static inline kl_err_t kl_buf_error(const kl_buf_t *buf) { return buf->err; }

/* Makes room for n more bytes; returns a pointer to them (len not yet
 * advanced) or NULL and sets the sticky error. */
uint8_t *kl_buf_reserve(kl_buf_t *buf, size_t n);
/* Appends n bytes and returns where they start (NULL on error). */
uint8_t *kl_buf_extend(kl_buf_t *buf, size_t n);

void kl_buf_put(kl_buf_t *buf, const void *src, size_t n);
void kl_buf_put_i8(kl_buf_t *buf, int8_t v);
void kl_buf_put_i16(kl_buf_t *buf, int16_t v);
void kl_buf_put_i32(kl_buf_t *buf, int32_t v);
void kl_buf_put_i64(kl_buf_t *buf, int64_t v);
void kl_buf_put_u16(kl_buf_t *buf, uint16_t v);
void kl_buf_put_u32(kl_buf_t *buf, uint32_t v);
void kl_buf_put_f64(kl_buf_t *buf, double v);
void kl_buf_put_bool(kl_buf_t *buf, bool v);
/* Unsigned LEB128 varint (flexible-version lengths, tags). */
void kl_buf_put_uvarint(kl_buf_t *buf, uint32_t v);
/* Zig-zag varint / varlong (record fields). */
void kl_buf_put_varint(kl_buf_t *buf, int32_t v);
void kl_buf_put_varlong(kl_buf_t *buf, int64_t v);

/* Placeholders: skip n bytes now, fill them in later. Returns the position
 * (offset from data) of the skipped bytes. */
size_t kl_buf_skip(kl_buf_t *buf, size_t n);
void kl_buf_patch_i32(kl_buf_t *buf, size_t pos, int32_t v);
void kl_buf_patch_u32(kl_buf_t *buf, size_t pos, uint32_t v);
void kl_buf_patch_i64(kl_buf_t *buf, size_t pos, int64_t v);

/* Byte length of the encodings, for sizing ahead of time. */
size_t kl_uvarint_size(uint32_t v);
size_t kl_varint_size(int32_t v);
size_t kl_varlong_size(int64_t v);

/* Big-endian loads and stores on raw memory (no bounds checks). */
static inline void kl_store_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void kl_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void kl_store_be64(uint8_t *p, uint64_t v)
{
    kl_store_be32(p, (uint32_t)(v >> 32));
    kl_store_be32(p + 4, (uint32_t)v);
}
static inline uint16_t kl_load_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t kl_load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t kl_load_be64(const uint8_t *p)
{
    return ((uint64_t)kl_load_be32(p) << 32) | kl_load_be32(p + 4);
}

#endif
