/* Bounds-checked reader: see reader.h. */
#include "util/reader.h"

#include <string.h>

#include "util/buf.h"

void kl_rd_init(kl_rd_t *rd, const void *data, size_t len)
{
    rd->start = rd->p = data;
    rd->end = rd->p + len;
    rd->err = KL_ERR_NONE;
    rd->what = NULL;
}

kl_err_t kl_rd_fail(kl_rd_t *rd, kl_err_t err, const char *what)
{
    if (!rd->err) {
        rd->err = err;
        rd->what = what;
        rd->p = rd->end; /* nothing more is read once broken */
    }
    return rd->err;
}

const uint8_t *kl_rd_bytes(kl_rd_t *rd, size_t n)
{
    if (rd->err)
        return NULL;
    if (n > (size_t)(rd->end - rd->p)) {
        kl_rd_fail(rd, KL_ERR_BAD_MSG, "truncated");
        return NULL;
    }
    const uint8_t *p = rd->p;
    rd->p += n;
    return p;
}

void kl_rd_skip(kl_rd_t *rd, size_t n) { (void)kl_rd_bytes(rd, n); }

kl_rd_t kl_rd_sub(kl_rd_t *rd, size_t n)
{
    kl_rd_t sub;
    const uint8_t *p = kl_rd_bytes(rd, n);
    kl_rd_init(&sub, p ? p : rd->end, p ? n : 0);
    if (!p)
        sub.err = rd->err;
    return sub;
}

int8_t kl_rd_i8(kl_rd_t *rd)
{
    const uint8_t *p = kl_rd_bytes(rd, 1);
    return p ? (int8_t)p[0] : 0;
}

uint16_t kl_rd_u16(kl_rd_t *rd)
{
    const uint8_t *p = kl_rd_bytes(rd, 2);
    return p ? kl_load_be16(p) : 0;
}

int16_t kl_rd_i16(kl_rd_t *rd) { return (int16_t)kl_rd_u16(rd); }

uint32_t kl_rd_u32(kl_rd_t *rd)
{
    const uint8_t *p = kl_rd_bytes(rd, 4);
    return p ? kl_load_be32(p) : 0;
}

int32_t kl_rd_i32(kl_rd_t *rd) { return (int32_t)kl_rd_u32(rd); }

int64_t kl_rd_i64(kl_rd_t *rd)
{
    const uint8_t *p = kl_rd_bytes(rd, 8);
    return p ? (int64_t)kl_load_be64(p) : 0;
}

double kl_rd_f64(kl_rd_t *rd)
{
    uint64_t bits = (uint64_t)kl_rd_i64(rd);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

bool kl_rd_bool(kl_rd_t *rd) { return kl_rd_i8(rd) != 0; }

static uint64_t rd_uvarint64(kl_rd_t *rd, unsigned max_bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < max_bytes; i++) {
        const uint8_t *p = kl_rd_bytes(rd, 1);
        if (!p)
            return 0;
        v |= (uint64_t)(p[0] & 0x7f) << (7 * i);
        if (!(p[0] & 0x80))
            return v;
    }
    kl_rd_fail(rd, KL_ERR_BAD_MSG, "varint too long");
    return 0;
}

uint32_t kl_rd_uvarint(kl_rd_t *rd)
{
    uint64_t v = rd_uvarint64(rd, 5);
    if (v > UINT32_MAX) {
        kl_rd_fail(rd, KL_ERR_BAD_MSG, "varint overflows 32 bits");
        return 0;
    }
    return (uint32_t)v;
}

int32_t kl_rd_varint(kl_rd_t *rd)
{
    uint32_t u = kl_rd_uvarint(rd);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

int64_t kl_rd_varlong(kl_rd_t *rd)
{
    uint64_t u = rd_uvarint64(rd, 10);
    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}
