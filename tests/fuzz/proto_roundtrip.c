/* The codec's round trip for the protocol fuzz targets: see
 * proto_roundtrip.h. */
#include "proto_roundtrip.h"

#include <string.h>

#include "fuzz.h"

void fuzz_same_bytes(const char *what, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    FUZZ_ASSERT(alen == blen, "%s: %zu bytes, then %zu", what, alen, blen);
    for (size_t i = 0; i < alen; i++)
        FUZZ_ASSERT(a[i] == b[i], "%s: byte %zu is 0x%02x, then 0x%02x", what, i, a[i], b[i]);
}

void fuzz_proto_roundtrip(const kl_schema_t *schema, int16_t version, bool flexible, const void *first)
{
    kl_buf_t enc1, enc2;
    kl_buf_init(&enc1, 0);
    kl_buf_init(&enc2, 0);
    kl_err_t err = kl_proto_encode(&enc1, schema, version, flexible, first);
    FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: what decoded does not encode: %s", schema->name, version,
                kl_err_name(err));

    void *second = malloc(schema->size);
    FUZZ_ASSERT(second, "out of memory");
    kl_arena_t arena;
    kl_arena_init(&arena, FUZZ_ARENA_LIMIT);
    kl_rd_t rd;
    kl_rd_init(&rd, enc1.len ? enc1.data : (const uint8_t *)"", enc1.len); /* an empty message: no buffer */
    err = kl_proto_decode(&rd, schema, version, flexible, &arena, second);
    FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: own encoding does not decode: %s (%s at %zu)", schema->name,
                version, kl_err_name(err), rd.what ? rd.what : "?", kl_rd_offset(&rd));
    FUZZ_ASSERT(kl_rd_remaining(&rd) == 0, "%s v%d: %zu bytes of own encoding left over", schema->name,
                version, kl_rd_remaining(&rd));
    FUZZ_ASSERT(kl_proto_equal(schema, version, first, second), "%s v%d: decoded again, the message differs",
                schema->name, version);
    err = kl_proto_encode(&enc2, schema, version, flexible, second);
    FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: second encode: %s", schema->name, version, kl_err_name(err));
    fuzz_same_bytes(schema->name, enc1.data, enc1.len, enc2.data, enc2.len);

    kl_arena_free(&arena);
    free(second);
    kl_buf_free(&enc1);
    kl_buf_free(&enc2);
}
