/* The generic codec: walks a kl_schema_t field table to encode or decode a
 * message struct at one version, in the classic or flexible encoding.
 * Field values are read and written with memcpy at the member's offset, so
 * one walker serves every message without aliasing tricks. */
#include "proto/codec.h"

#include <string.h>

/* Nesting of message structs is fixed by the schemas (at most a handful of
 * levels), so recursion depth never depends on the input. */

static bool in_range(int16_t v, int16_t lo, int16_t hi)
{
    return lo != KL_VNONE && v >= lo && v <= hi;
}

static bool field_present(const kl_field_t *f, int16_t version)
{
    return in_range(version, f->ver_min, f->ver_max);
}

static bool field_nullable(const kl_field_t *f, int16_t version)
{
    return in_range(version, f->null_min, f->null_max);
}

static bool field_tagged(const kl_field_t *f, int16_t version, bool flexible)
{
    return flexible && f->tag != KL_VNONE && in_range(version, f->tag_min, f->tag_max);
}

static size_t elem_size(const kl_field_t *f)
{
    switch (f->elem) {
    case KL_FT_BOOL: return sizeof(bool);
    case KL_FT_INT8: return 1;
    case KL_FT_INT16:
    case KL_FT_UINT16: return 2;
    case KL_FT_INT32:
    case KL_FT_UINT32: return 4;
    case KL_FT_INT64: return 8;
    case KL_FT_FLOAT64: return sizeof(double);
    case KL_FT_UUID: return sizeof(kl_uuid_t);
    case KL_FT_STRING: return sizeof(kl_str_t);
    case KL_FT_BYTES:
    case KL_FT_RECORDS: return sizeof(kl_bytes_t);
    case KL_FT_STRUCT: return f->sub->size;
    default: return 0;
    }
}

/* ---- defaults ---------------------------------------------------------- */

static void init_value(uint8_t type, const kl_field_t *f, void *p)
{
    switch (type) {
    case KL_FT_BOOL: *(bool *)p = f->dflt != 0; break;
    case KL_FT_INT8: { int8_t v = (int8_t)f->dflt; memcpy(p, &v, 1); break; }
    case KL_FT_INT16: { int16_t v = (int16_t)f->dflt; memcpy(p, &v, 2); break; }
    case KL_FT_UINT16: { uint16_t v = (uint16_t)f->dflt; memcpy(p, &v, 2); break; }
    case KL_FT_INT32: { int32_t v = (int32_t)f->dflt; memcpy(p, &v, 4); break; }
    case KL_FT_UINT32: { uint32_t v = (uint32_t)f->dflt; memcpy(p, &v, 4); break; }
    case KL_FT_INT64: memcpy(p, &f->dflt, 8); break;
    case KL_FT_FLOAT64: { double v = (double)f->dflt; memcpy(p, &v, sizeof v); break; }
    case KL_FT_UUID: memset(p, 0, sizeof(kl_uuid_t)); break;
    case KL_FT_STRING: {
        kl_str_t s = f->dflt ? KL_STR_NULL : (kl_str_t){"", 0};
        memcpy(p, &s, sizeof s);
        break;
    }
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t b = f->dflt ? KL_BYTES_NULL : (kl_bytes_t){NULL, 0};
        memcpy(p, &b, sizeof b);
        break;
    }
    case KL_FT_ARRAY: {
        kl_array_t a = {NULL, f->dflt ? -1 : 0};
        memcpy(p, &a, sizeof a);
        break;
    }
    case KL_FT_STRUCT: kl_proto_init(f->sub, p); break;
    }
}

void kl_proto_init(const kl_schema_t *schema, void *msg)
{
    memset(msg, 0, schema->size);
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        init_value(f->type, f, (uint8_t *)msg + f->offset);
    }
}

/* ---- encoding ---------------------------------------------------------- */

/* Where an encoding goes: the buffer and, when the caller asked for
 * them, the offsets of the holes it leaves (kl_proto_encode_holes()). */
typedef struct enc {
    kl_buf_t *buf;
    kl_proto_holes_t *holes; /* NULL: a hole is an invalid argument */
} enc_t;

static kl_err_t encode_struct(enc_t *e, const kl_schema_t *schema, int16_t version,
                              bool flexible, const void *msg);

static kl_err_t encode_length(kl_buf_t *buf, bool flexible, bool wide, int32_t len)
{
    if (flexible)
        kl_buf_put_uvarint(buf, (uint32_t)len + 1); /* null (-1) becomes 0 */
    else if (wide)
        kl_buf_put_i32(buf, len);
    else
        kl_buf_put_i16(buf, (int16_t)len);
    return KL_ERR_NONE;
}

static kl_err_t encode_value(enc_t *e, uint8_t type, const kl_field_t *f, int16_t version,
                             bool flexible, const void *p)
{
    kl_buf_t *buf = e->buf;
    switch (type) {
    case KL_FT_BOOL: kl_buf_put_bool(buf, *(const bool *)p); break;
    case KL_FT_INT8: kl_buf_put(buf, p, 1); break;
    case KL_FT_INT16:
    case KL_FT_UINT16: { uint16_t v; memcpy(&v, p, 2); kl_buf_put_u16(buf, v); break; }
    case KL_FT_INT32:
    case KL_FT_UINT32: { uint32_t v; memcpy(&v, p, 4); kl_buf_put_u32(buf, v); break; }
    case KL_FT_INT64:
    case KL_FT_FLOAT64: { int64_t v; memcpy(&v, p, 8); kl_buf_put_i64(buf, v); break; }
    case KL_FT_UUID: kl_buf_put(buf, p, sizeof(kl_uuid_t)); break;
    case KL_FT_STRING: {
        kl_str_t s;
        memcpy(&s, p, sizeof s);
        if (s.len < 0 && !field_nullable(f, version))
            return KL_ERR_INVALID_ARG;
        if (!flexible && s.len > INT16_MAX)
            return KL_ERR_INVALID_ARG;
        encode_length(buf, flexible, false, s.len < 0 ? -1 : s.len);
        if (s.len > 0)
            kl_buf_put(buf, s.ptr, (size_t)s.len);
        break;
    }
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t b;
        memcpy(&b, p, sizeof b);
        if (b.len < 0 && !field_nullable(f, version))
            return KL_ERR_INVALID_ARG;
        bool hole = type == KL_FT_RECORDS && b.len > 0 && !b.ptr;
        if (hole && (!e->holes || e->holes->count == e->holes->cap))
            return KL_ERR_INVALID_ARG;
        encode_length(buf, flexible, true, b.len < 0 ? -1 : b.len);
        if (hole) {
            e->holes->offsets[e->holes->count++] = buf->len;
            kl_buf_extend(buf, (size_t)b.len); /* not zeroed: the caller fills it */
        }
        else if (b.len > 0)
            kl_buf_put(buf, b.ptr, (size_t)b.len);
        break;
    }
    case KL_FT_ARRAY: {
        kl_array_t a;
        memcpy(&a, p, sizeof a);
        if (a.count < 0 && !field_nullable(f, version))
            return KL_ERR_INVALID_ARG;
        encode_length(buf, flexible, true, a.count < 0 ? -1 : a.count);
        size_t esz = elem_size(f);
        kl_field_t elem = *f; /* array elements are never null */
        elem.type = f->elem;
        elem.null_min = elem.null_max = KL_VNONE;
        for (int32_t i = 0; i < a.count; i++) {
            const uint8_t *item = (const uint8_t *)a.items + (size_t)i * esz;
            kl_err_t err = f->elem == KL_FT_STRUCT
                               ? encode_struct(e, f->sub, version, flexible, item)
                               : encode_value(e, f->elem, &elem, version, flexible, item);
            if (err)
                return err;
        }
        break;
    }
    case KL_FT_STRUCT: return encode_struct(e, f->sub, version, flexible, p);
    }
    return kl_buf_error(buf);
}

static bool value_is_default(uint8_t type, const kl_field_t *f, int16_t version, const void *p)
{
    switch (type) {
    case KL_FT_BOOL: return *(const bool *)p == (f->dflt != 0);
    case KL_FT_INT8: { int8_t v; memcpy(&v, p, 1); return v == f->dflt; }
    case KL_FT_INT16: { int16_t v; memcpy(&v, p, 2); return v == f->dflt; }
    case KL_FT_UINT16: { uint16_t v; memcpy(&v, p, 2); return v == f->dflt; }
    case KL_FT_INT32: { int32_t v; memcpy(&v, p, 4); return v == f->dflt; }
    case KL_FT_UINT32: { uint32_t v; memcpy(&v, p, 4); return v == f->dflt; }
    case KL_FT_INT64: { int64_t v; memcpy(&v, p, 8); return v == f->dflt; }
    case KL_FT_FLOAT64: { double v; memcpy(&v, p, 8); return v == (double)f->dflt; }
    case KL_FT_UUID: {
        static const kl_uuid_t zero;
        return memcmp(p, &zero, sizeof zero) == 0;
    }
    case KL_FT_STRING: {
        kl_str_t s;
        memcpy(&s, p, sizeof s);
        return f->dflt ? s.len < 0 : s.len == 0;
    }
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t b;
        memcpy(&b, p, sizeof b);
        return f->dflt ? b.len < 0 : b.len == 0;
    }
    case KL_FT_ARRAY: {
        kl_array_t a;
        memcpy(&a, p, sizeof a);
        return f->dflt ? a.count < 0 : a.count == 0;
    }
    case KL_FT_STRUCT:
        for (uint16_t i = 0; i < f->sub->nfields; i++) {
            const kl_field_t *sf = &f->sub->fields[i];
            if (field_present(sf, version) &&
                !value_is_default(sf->type, sf, version, (const uint8_t *)p + sf->offset))
                return false;
        }
        return true;
    }
    return true;
}

/* The tagged-field section: count, then (tag, size, value) in ascending tag
 * order; fields still at their default are not sent. */
static kl_err_t encode_tagged(enc_t *e, const kl_schema_t *schema, int16_t version,
                              const void *msg)
{
    kl_buf_t *buf = e->buf;
    const kl_field_t *tagged[64];
    size_t n = 0;
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        if (!field_present(f, version) || !field_tagged(f, version, true))
            continue;
        if (value_is_default(f->type, f, version, (const uint8_t *)msg + f->offset))
            continue;
        if (n == sizeof tagged / sizeof tagged[0])
            return KL_ERR_INVALID_ARG;
        size_t j = n++;
        while (j > 0 && tagged[j - 1]->tag > f->tag) { /* insertion sort by tag */
            tagged[j] = tagged[j - 1];
            j--;
        }
        tagged[j] = f;
    }
    kl_buf_put_uvarint(buf, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const kl_field_t *f = tagged[i];
        kl_buf_t tmp;
        kl_buf_init(&tmp, buf->max);
        enc_t te = {&tmp, NULL}; /* a hole would move with the copy */
        kl_err_t err = encode_value(&te, f->type, f, version, true, (const uint8_t *)msg + f->offset);
        if (!err) {
            kl_buf_put_uvarint(buf, (uint32_t)f->tag);
            kl_buf_put_uvarint(buf, (uint32_t)tmp.len);
            kl_buf_put(buf, tmp.data, tmp.len);
        }
        kl_buf_free(&tmp);
        if (err)
            return err;
    }
    return kl_buf_error(buf);
}

static kl_err_t encode_struct(enc_t *e, const kl_schema_t *schema, int16_t version,
                              bool flexible, const void *msg)
{
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        if (!field_present(f, version) || field_tagged(f, version, flexible))
            continue;
        kl_err_t err = encode_value(e, f->type, f, version, flexible, (const uint8_t *)msg + f->offset);
        if (err)
            return err;
    }
    if (flexible)
        return encode_tagged(e, schema, version, msg);
    return kl_buf_error(e->buf);
}

kl_err_t kl_proto_encode(kl_buf_t *buf, const kl_schema_t *schema, int16_t version, bool flexible,
                         const void *msg)
{
    return kl_proto_encode_holes(buf, schema, version, flexible, msg, NULL);
}

kl_err_t kl_proto_encode_holes(kl_buf_t *buf, const kl_schema_t *schema, int16_t version, bool flexible,
                               const void *msg, kl_proto_holes_t *holes)
{
    if (kl_buf_error(buf))
        return kl_buf_error(buf);
    enc_t e = {buf, holes};
    return encode_struct(&e, schema, version, flexible, msg);
}

/* ---- decoding ---------------------------------------------------------- */

static kl_err_t decode_struct(kl_rd_t *rd, const kl_schema_t *schema, int16_t version,
                              bool flexible, kl_arena_t *arena, void *msg);
static kl_err_t decode_value(kl_rd_t *rd, uint8_t type, const kl_field_t *f, int16_t version,
                             bool flexible, kl_arena_t *arena, void *p);

/* Reads a length prefix: compact (uvarint N+1) when flexible, else int16 or
 * int32. Returns -1 for null; sets the reader's error on nonsense. */
static int32_t decode_length(kl_rd_t *rd, bool flexible, bool wide)
{
    int32_t len;
    if (flexible) {
        uint32_t n = kl_rd_uvarint(rd);
        if (n > (uint32_t)INT32_MAX) {
            kl_rd_fail(rd, KL_ERR_BAD_MSG, "compact length too large");
            return -1;
        }
        len = (int32_t)n - 1;
    } else {
        len = wide ? kl_rd_i32(rd) : kl_rd_i16(rd);
    }
    if (len < -1)
        kl_rd_fail(rd, KL_ERR_BAD_MSG, "negative length");
    return len;
}

static kl_err_t decode_null(kl_rd_t *rd, const kl_field_t *f, int16_t version)
{
    if (!field_nullable(f, version))
        return kl_rd_fail(rd, KL_ERR_BAD_MSG, f->name);
    return KL_ERR_NONE;
}

static kl_err_t decode_array(kl_rd_t *rd, const kl_field_t *f, int16_t version, bool flexible,
                             kl_arena_t *arena, void *p)
{
    kl_array_t a = {NULL, decode_length(rd, flexible, true)};
    if (kl_rd_error(rd))
        return kl_rd_error(rd);
    if (a.count < 0) {
        memcpy(p, &a, sizeof a);
        return decode_null(rd, f, version);
    }
    /* Every element takes at least one byte on the wire: refuse counts the
     * input cannot hold before allocating anything. */
    if ((size_t)a.count > kl_rd_remaining(rd))
        return kl_rd_fail(rd, KL_ERR_BAD_MSG, f->name);
    size_t esz = elem_size(f);
    if (a.count > 0) {
        a.items = kl_arena_calloc(arena, (size_t)a.count, esz);
        if (!a.items)
            return kl_rd_fail(rd, KL_ERR_NOMEM, f->name);
    }
    for (int32_t i = 0; i < a.count && !kl_rd_error(rd); i++) {
        uint8_t *item = (uint8_t *)a.items + (size_t)i * esz;
        if (f->elem == KL_FT_STRUCT)
            decode_struct(rd, f->sub, version, flexible, arena, item);
        else {
            kl_field_t elem = *f; /* array elements are never null */
            elem.type = f->elem;
            elem.null_min = elem.null_max = KL_VNONE;
            decode_value(rd, f->elem, &elem, version, flexible, arena, item);
        }
    }
    memcpy(p, &a, sizeof a);
    return kl_rd_error(rd);
}

static kl_err_t decode_value(kl_rd_t *rd, uint8_t type, const kl_field_t *f, int16_t version,
                             bool flexible, kl_arena_t *arena, void *p)
{
    switch (type) {
    case KL_FT_BOOL: *(bool *)p = kl_rd_i8(rd) != 0; break;
    case KL_FT_INT8: { int8_t v = kl_rd_i8(rd); memcpy(p, &v, 1); break; }
    case KL_FT_INT16:
    case KL_FT_UINT16: { uint16_t v = kl_rd_u16(rd); memcpy(p, &v, 2); break; }
    case KL_FT_INT32:
    case KL_FT_UINT32: { uint32_t v = kl_rd_u32(rd); memcpy(p, &v, 4); break; }
    case KL_FT_INT64:
    case KL_FT_FLOAT64: { int64_t v = kl_rd_i64(rd); memcpy(p, &v, 8); break; }
    case KL_FT_UUID: {
        const uint8_t *b = kl_rd_bytes(rd, sizeof(kl_uuid_t));
        if (b)
            memcpy(p, b, sizeof(kl_uuid_t));
        break;
    }
    case KL_FT_STRING: {
        kl_str_t s = {NULL, decode_length(rd, flexible, false)};
        if (kl_rd_error(rd))
            break;
        if (s.len < 0)
            decode_null(rd, f, version);
        else
            s.ptr = (const char *)kl_rd_bytes(rd, (size_t)s.len);
        memcpy(p, &s, sizeof s);
        break;
    }
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t b = {NULL, decode_length(rd, flexible, true)};
        if (kl_rd_error(rd))
            break;
        if (b.len < 0)
            decode_null(rd, f, version);
        else
            b.ptr = kl_rd_bytes(rd, (size_t)b.len);
        memcpy(p, &b, sizeof b);
        break;
    }
    case KL_FT_ARRAY: return decode_array(rd, f, version, flexible, arena, p);
    case KL_FT_STRUCT: return decode_struct(rd, f->sub, version, flexible, arena, p);
    }
    return kl_rd_error(rd);
}

static const kl_field_t *find_tagged(const kl_schema_t *schema, int16_t version, uint32_t tag)
{
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        if (f->tag >= 0 && (uint32_t)f->tag == tag && field_present(f, version) &&
            field_tagged(f, version, true))
            return f;
    }
    return NULL;
}

static kl_err_t decode_tagged(kl_rd_t *rd, const kl_schema_t *schema, int16_t version,
                              kl_arena_t *arena, void *msg)
{
    uint32_t n = kl_rd_uvarint(rd);
    if (n > kl_rd_remaining(rd))
        return kl_rd_fail(rd, KL_ERR_BAD_MSG, "tagged field count");
    for (uint32_t i = 0; i < n && !kl_rd_error(rd); i++) {
        uint32_t tag = kl_rd_uvarint(rd);
        uint32_t size = kl_rd_uvarint(rd);
        kl_rd_t sub = kl_rd_sub(rd, size);
        if (kl_rd_error(rd))
            break;
        const kl_field_t *f = find_tagged(schema, version, tag);
        if (!f)
            continue; /* unknown tags are skipped, as the protocol intends */
        if (decode_value(&sub, f->type, f, version, true, arena, (uint8_t *)msg + f->offset))
            return kl_rd_fail(rd, kl_rd_error(&sub), f->name);
    }
    return kl_rd_error(rd);
}

static kl_err_t decode_struct(kl_rd_t *rd, const kl_schema_t *schema, int16_t version,
                              bool flexible, kl_arena_t *arena, void *msg)
{
    kl_proto_init(schema, msg);
    for (uint16_t i = 0; i < schema->nfields && !kl_rd_error(rd); i++) {
        const kl_field_t *f = &schema->fields[i];
        if (!field_present(f, version) || field_tagged(f, version, flexible))
            continue;
        decode_value(rd, f->type, f, version, flexible, arena, (uint8_t *)msg + f->offset);
    }
    if (flexible && !kl_rd_error(rd))
        decode_tagged(rd, schema, version, arena, msg);
    return kl_rd_error(rd);
}

kl_err_t kl_proto_decode(kl_rd_t *rd, const kl_schema_t *schema, int16_t version, bool flexible,
                         kl_arena_t *arena, void *msg)
{
    return decode_struct(rd, schema, version, flexible, arena, msg);
}

/* ---- equality ---------------------------------------------------------- */

static bool value_equal(uint8_t type, const kl_field_t *f, int16_t version, const void *a,
                        const void *b);

static bool struct_equal(const kl_schema_t *schema, int16_t version, const void *a, const void *b)
{
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        if (field_present(f, version) &&
            !value_equal(f->type, f, version, (const uint8_t *)a + f->offset,
                         (const uint8_t *)b + f->offset))
            return false;
    }
    return true;
}

static bool value_equal(uint8_t type, const kl_field_t *f, int16_t version, const void *a,
                        const void *b)
{
    switch (type) {
    case KL_FT_BOOL: return *(const bool *)a == *(const bool *)b;
    case KL_FT_STRING:
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t x, y; /* kl_str_t has the same layout */
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        if (x.len < 0 || y.len < 0)
            return x.len < 0 && y.len < 0;
        return x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, (size_t)x.len) == 0);
    }
    case KL_FT_ARRAY: {
        kl_array_t x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        if (x.count < 0 || y.count < 0)
            return x.count < 0 && y.count < 0;
        if (x.count != y.count)
            return false;
        size_t esz = elem_size(f);
        for (int32_t i = 0; i < x.count; i++) {
            const uint8_t *xi = (const uint8_t *)x.items + (size_t)i * esz;
            const uint8_t *yi = (const uint8_t *)y.items + (size_t)i * esz;
            bool eq = f->elem == KL_FT_STRUCT ? struct_equal(f->sub, version, xi, yi)
                                              : value_equal(f->elem, f, version, xi, yi);
            if (!eq)
                return false;
        }
        return true;
    }
    case KL_FT_STRUCT: return struct_equal(f->sub, version, a, b);
    case KL_FT_INT8: return memcmp(a, b, 1) == 0;
    case KL_FT_INT16:
    case KL_FT_UINT16: return memcmp(a, b, 2) == 0;
    case KL_FT_INT32:
    case KL_FT_UINT32: return memcmp(a, b, 4) == 0;
    case KL_FT_INT64:
    case KL_FT_FLOAT64: return memcmp(a, b, 8) == 0;
    case KL_FT_UUID: return memcmp(a, b, sizeof(kl_uuid_t)) == 0;
    }
    return false;
}

bool kl_proto_equal(const kl_schema_t *schema, int16_t version, const void *a, const void *b)
{
    return struct_equal(schema, version, a, b);
}
