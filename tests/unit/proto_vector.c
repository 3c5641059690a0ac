/* Vector checks shared by the message-table tests: see proto_vector.h. */
#include "proto_vector.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_consumer_protocol.h"
#include "util/crc32c.h"

/* With KL_FUZZ_SEED_DIR set (tests/fuzz/make_seeds.sh), every vector is
 * also written as a seed of the protocol fuzz targets: a request becomes a
 * request frame's content (tests/fuzz/fuzz_request.c), a response or a
 * consumer protocol payload the input tests/fuzz/fuzz_response.c reads
 * (key and version, then the frame's content or the payload). */
static void put16(FILE *f, int v)
{
    fputc((v >> 8) & 0xff, f);
    fputc(v & 0xff, f);
}

static void write_fuzz_seed(const kl_schema_t *schema, int16_t version, const uint8_t *vec, size_t len)
{
    const char *dir = getenv("KL_FUZZ_SEED_DIR");
    if (!dir || !*dir)
        return;
    size_t n;
    const kl_api_t *apis = kl_api_all(&n), *api = NULL;
    for (size_t i = 0; i < n && !api; i++)
        if (apis[i].request == schema || apis[i].response == schema)
            api = &apis[i];
    int pseudo_key = schema == &kl_consumer_protocol_subscription_schema ? -1
                     : schema == &kl_consumer_protocol_assignment_schema ? -2 : 0;
    if (!api && !pseudo_key)
        return;
    bool request = api && api->request == schema;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s-v%d-%08x", dir, request ? "request" : "response", schema->name,
             version, kl_crc32c(0, vec, len));
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write the fuzz seed %s", path);
    if (request) { /* request header v1/v2: key, version, correlation id, null client id */
        put16(f, api->key);
        put16(f, version);
        put16(f, 0);
        put16(f, 1);
        put16(f, -1);
        if (kl_api_is_flexible(api, version))
            fputc(0, f);
    } else if (api) { /* what fuzz_response reads, then response header v0/v1 */
        put16(f, api->key);
        put16(f, version);
        put16(f, 0);
        put16(f, 1);
        if (kl_proto_response_header_version(api, version) == 1)
            fputc(0, f);
    } else { /* consumer protocol: its own leading version */
        put16(f, pseudo_key);
        put16(f, 0);
        put16(f, version);
    }
    fwrite(vec, 1, len, f);
    ck_assert_int_eq(fclose(f), 0);
}

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
    write_fuzz_seed(schema, version, vec, len);
}
