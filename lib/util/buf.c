/* Growable output buffer: see buf.h. */
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

void kl_buf_init(kl_buf_t *buf, size_t max)
{
    memset(buf, 0, sizeof *buf);
    buf->max = max ? max : SIZE_MAX;
}

void kl_buf_free(kl_buf_t *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void kl_buf_reset(kl_buf_t *buf)
{
    buf->len = 0;
    buf->err = KL_ERR_NONE;
}

uint8_t *kl_buf_steal(kl_buf_t *buf, size_t *lenp)
{
    uint8_t *p = buf->data;
    *lenp = buf->len;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return p;
}

void kl_buf_adopt(kl_buf_t *buf, uint8_t *data, size_t cap)
{
    free(buf->data);
    buf->data = data;
    buf->len = 0;
    buf->cap = cap;
    buf->err = KL_ERR_NONE;
}

uint8_t *kl_buf_reserve(kl_buf_t *buf, size_t n)
{
    if (buf->err)
        return NULL;
    if (n > buf->max - buf->len) {
        buf->err = KL_ERR_TOO_LARGE;
        return NULL;
    }
    if (buf->len + n > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap < buf->len + n)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        if (cap > buf->max)
            cap = buf->max;
        uint8_t *p = realloc(buf->data, cap);
        if (!p) {
            buf->err = KL_ERR_NOMEM;
            return NULL;
        }
        buf->data = p;
        buf->cap = cap;
    }
    return buf->data + buf->len;
}

uint8_t *kl_buf_extend(kl_buf_t *buf, size_t n)
{
    uint8_t *p = kl_buf_reserve(buf, n);
    if (p)
        buf->len += n;
    return p;
}

void kl_buf_put(kl_buf_t *buf, const void *src, size_t n)
{
    uint8_t *p = kl_buf_extend(buf, n);
    if (p && n)
        memcpy(p, src, n);
}

void kl_buf_put_i8(kl_buf_t *buf, int8_t v)
{
    uint8_t *p = kl_buf_extend(buf, 1);
    if (p)
        p[0] = (uint8_t)v;
}

void kl_buf_put_u16(kl_buf_t *buf, uint16_t v)
{
    uint8_t *p = kl_buf_extend(buf, 2);
    if (p)
        kl_store_be16(p, v);
}

void kl_buf_put_i16(kl_buf_t *buf, int16_t v) { kl_buf_put_u16(buf, (uint16_t)v); }

void kl_buf_put_u32(kl_buf_t *buf, uint32_t v)
{
    uint8_t *p = kl_buf_extend(buf, 4);
    if (p)
        kl_store_be32(p, v);
}

void kl_buf_put_i32(kl_buf_t *buf, int32_t v) { kl_buf_put_u32(buf, (uint32_t)v); }

void kl_buf_put_i64(kl_buf_t *buf, int64_t v)
{
    uint8_t *p = kl_buf_extend(buf, 8);
    if (p)
        kl_store_be64(p, (uint64_t)v);
}

void kl_buf_put_f64(kl_buf_t *buf, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    kl_buf_put_i64(buf, (int64_t)bits);
}

void kl_buf_put_bool(kl_buf_t *buf, bool v) { kl_buf_put_i8(buf, v ? 1 : 0); }

static void put_uvarint64(kl_buf_t *buf, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    kl_buf_put(buf, tmp, n);
}

void kl_buf_put_uvarint(kl_buf_t *buf, uint32_t v) { put_uvarint64(buf, v); }

void kl_buf_put_varint(kl_buf_t *buf, int32_t v)
{
    put_uvarint64(buf, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

void kl_buf_put_varlong(kl_buf_t *buf, int64_t v)
{
    put_uvarint64(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static size_t uvarint64_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t kl_uvarint_size(uint32_t v) { return uvarint64_size(v); }
size_t kl_varint_size(int32_t v) { return uvarint64_size(((uint32_t)v << 1) ^ (uint32_t)(v >> 31)); }
size_t kl_varlong_size(int64_t v) { return uvarint64_size(((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }

size_t kl_buf_skip(kl_buf_t *buf, size_t n)
{
    size_t pos = buf->len;
    uint8_t *p = kl_buf_extend(buf, n);
    if (p)
        memset(p, 0, n);
    return pos;
}

void kl_buf_patch_u32(kl_buf_t *buf, size_t pos, uint32_t v)
{
    if (!buf->err && pos + 4 <= buf->len)
        kl_store_be32(buf->data + pos, v);
}

void kl_buf_patch_i32(kl_buf_t *buf, size_t pos, int32_t v) { kl_buf_patch_u32(buf, pos, (uint32_t)v); }

void kl_buf_patch_i64(kl_buf_t *buf, size_t pos, int64_t v)
{
    if (!buf->err && pos + 8 <= buf->len)
        kl_store_be64(buf->data + pos, (uint64_t)v);
}
