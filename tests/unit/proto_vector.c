/* Vector checks shared by the message-table tests: see proto_vector.h. */
#include "proto_vector.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void check_prefixes(const kl_schema_t *schema, int16_t version, bool flexible,
                           const uint8_t *vec, size_t len)
{
    void *scratch = malloc(schema->size);
    ck_assert_ptr_nonnull(scratch);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(prefix);
        memcpy(prefix, vec, cut);
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_rd_t rd;
        kl_rd_init(&rd, prefix, cut);
        kl_err_t err = kl_proto_decode(&rd, schema, version, flexible, &arena, scratch);
        ck_assert_msg(err == KL_ERR_BAD_MSG, "%s v%d: prefix of %zu/%zu bytes gave %s",
                      schema->name, version, cut, len, kl_err_name(err));
        kl_arena_free(&arena);
        free(prefix);
    }
    free(scratch);
}

void check_proto_vector(const kl_schema_t *schema, int16_t version, bool flexible,
                        const uint8_t *vec, size_t len, kl_arena_t *arena, void *msg)
{
    kl_rd_t rd;
    kl_rd_init(&rd, vec, len);
    kl_err_t err = kl_proto_decode(&rd, schema, version, flexible, arena, msg);
    ck_assert_msg(err == KL_ERR_NONE, "%s v%d: decode gave %s at offset %zu (%s)", schema->name,
                  version, kl_err_name(err), kl_rd_offset(&rd), rd.what ? rd.what : "?");
    ck_assert_msg(kl_rd_remaining(&rd) == 0, "%s v%d: %zu bytes left over", schema->name,
                  version, kl_rd_remaining(&rd));

    kl_buf_t out;
    kl_buf_init(&out, 0);
    ck_assert_int_eq(kl_proto_encode(&out, schema, version, flexible, msg), KL_ERR_NONE);
    ck_assert_msg(out.len == len, "%s v%d: encoded %zu bytes, want %zu", schema->name, version,
                  out.len, len);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(out.data[i] == vec[i], "%s v%d: byte %zu is 0x%02x, want 0x%02x",
                      schema->name, version, i, out.data[i], vec[i]);
    kl_buf_free(&out);
    check_prefixes(schema, version, flexible, vec, len);
}
