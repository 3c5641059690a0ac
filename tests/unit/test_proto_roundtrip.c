/* Round trip of every request and response of every API at every version
 * the codec supports: the message is filled with pseudo-random values
 * (driven by its schema), framed with its header, decoded back, compared
 * field by field and re-encoded to the same bytes. Every truncation point
 * of every frame must be refused cleanly. */
#include <check.h>
#include <stdlib.h>

#include "proto/header.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static const char pool[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.";

static bool nullable_at(const kl_field_t *f, int16_t v)
{
    return f->null_min != KL_VNONE && v >= f->null_min && v <= f->null_max;
}

static void fill_struct(const kl_schema_t *s, int16_t v, kl_arena_t *arena, void *msg, int depth);

static void fill_value(uint8_t type, const kl_field_t *f, int16_t v, bool nullable,
                       kl_arena_t *arena, void *p, int depth)
{
    uint32_t r = rnd();
    switch (type) {
    case KL_FT_BOOL: *(bool *)p = r & 1; break;
    case KL_FT_INT8: { int8_t x = (int8_t)r; memcpy(p, &x, 1); break; }
    case KL_FT_INT16:
    case KL_FT_UINT16: { uint16_t x = (uint16_t)r; memcpy(p, &x, 2); break; }
    case KL_FT_INT32:
    case KL_FT_UINT32: memcpy(p, &r, 4); break;
    case KL_FT_INT64:
    case KL_FT_FLOAT64: {
        /* a double built from random bits may be NaN, which never compares
         * equal: use an integral value for both */
        int64_t x = ((int64_t)r << 20) ^ rnd();
        if (type == KL_FT_FLOAT64) {
            double d = (double)(int32_t)r / 8.0;
            memcpy(p, &d, 8);
        } else
            memcpy(p, &x, 8);
        break;
    }
    case KL_FT_UUID:
        for (int i = 0; i < 16; i++)
            ((uint8_t *)p)[i] = (uint8_t)rnd();
        break;
    case KL_FT_STRING: {
        kl_str_t s = {pool + r % 8, (int32_t)(r >> 8) % 12};
        if (nullable && r % 5 == 0)
            s = KL_STR_NULL;
        memcpy(p, &s, sizeof s);
        break;
    }
    case KL_FT_BYTES:
    case KL_FT_RECORDS: {
        kl_bytes_t b = {(const uint8_t *)pool + r % 8, (int32_t)(r >> 8) % 20};
        if (nullable && r % 5 == 0)
            b = KL_BYTES_NULL;
        memcpy(p, &b, sizeof b);
        break;
    }
    case KL_FT_STRUCT: fill_struct(f->sub, v, arena, p, depth + 1); break;
    case KL_FT_ARRAY: {
        kl_array_t a = {NULL, depth > 4 ? 0 : (int32_t)(r % 4)};
        if (nullable && r % 7 == 0)
            a.count = -1;
        if (a.count > 0) {
            size_t esz;
            switch (f->elem) {
            case KL_FT_STRUCT: esz = f->sub->size; break;
            case KL_FT_STRING: esz = sizeof(kl_str_t); break;
            case KL_FT_BYTES: esz = sizeof(kl_bytes_t); break;
            case KL_FT_UUID: esz = sizeof(kl_uuid_t); break;
            case KL_FT_INT64: case KL_FT_FLOAT64: esz = 8; break;
            case KL_FT_INT32: case KL_FT_UINT32: esz = 4; break;
            case KL_FT_INT16: case KL_FT_UINT16: esz = 2; break;
            default: esz = 1; break;
            }
            a.items = kl_arena_calloc(arena, (size_t)a.count, esz);
            ck_assert_ptr_nonnull(a.items);
            for (int32_t i = 0; i < a.count; i++)
                fill_value(f->elem, f, v, false, arena, (uint8_t *)a.items + (size_t)i * esz, depth + 1);
        }
        memcpy(p, &a, sizeof a);
        break;
    }
    }
}

static void fill_struct(const kl_schema_t *s, int16_t v, kl_arena_t *arena, void *msg, int depth)
{
    kl_proto_init(s, msg);
    for (uint16_t i = 0; i < s->nfields; i++) {
        const kl_field_t *f = &s->fields[i];
        if (v < f->ver_min || v > f->ver_max)
            continue;
        fill_value(f->type, f, v, nullable_at(f, v), arena, (uint8_t *)msg + f->offset, depth);
    }
}

static void check_request(const kl_api_t *api, int16_t v)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    void *in = kl_arena_alloc(&arena, api->request->size);
    void *out = kl_arena_alloc(&arena, api->request->size);
    fill_struct(api->request, v, &arena, in, 0);
    kl_request_header_t hdr = {api->key, v, (int32_t)rnd(), kl_str("roundtrip")};
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_proto_write_request(&buf, &hdr, in), KL_ERR_NONE);
    ck_assert_int_eq(kl_load_be32(buf.data), (int32_t)buf.len - 4);

    kl_rd_t rd;
    kl_rd_init(&rd, buf.data + 4, buf.len - 4);
    kl_request_header_t got;
    const kl_api_t *found;
    ck_assert_int_eq(kl_proto_read_request_header(&rd, &got, &found), KL_ERR_NONE);
    ck_assert_ptr_eq(found, api);
    ck_assert_int_eq(got.api_version, v);
    ck_assert_int_eq(got.correlation_id, hdr.correlation_id);
    ck_assert(kl_str_eq(got.client_id, "roundtrip"));
    ck_assert_int_eq(kl_proto_read_request_body(&rd, api, v, &arena, out), KL_ERR_NONE);
    ck_assert_msg(kl_proto_equal(api->request, v, in, out), "%s request v%d differs", api->name, v);

    kl_buf_t again;
    kl_buf_init(&again, 0);
    ck_assert_int_eq(kl_proto_write_request(&again, &hdr, out), KL_ERR_NONE);
    ck_assert_uint_eq(again.len, buf.len);
    ck_assert_mem_eq(again.data, buf.data, buf.len);

    for (size_t cut = 4; cut < buf.len; cut++) {
        kl_rd_init(&rd, buf.data + 4, cut - 4);
        kl_err_t err = kl_proto_read_request_header(&rd, &got, &found);
        if (!err)
            err = kl_proto_read_request_body(&rd, api, v, &arena, out);
        ck_assert_msg(err == KL_ERR_BAD_MSG, "%s request v%d cut at %zu/%zu: %s", api->name, v,
                      cut, buf.len, kl_err_name(err));
    }
    kl_buf_free(&again);
    kl_buf_free(&buf);
    kl_arena_free(&arena);
}

static void check_response(const kl_api_t *api, int16_t v)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    void *in = kl_arena_alloc(&arena, api->response->size);
    void *out = kl_arena_alloc(&arena, api->response->size);
    fill_struct(api->response, v, &arena, in, 0);
    int32_t corr = (int32_t)rnd();
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_proto_write_response(&buf, api, v, corr, in), KL_ERR_NONE);

    int32_t got_corr;
    ck_assert_int_eq(kl_proto_peek_correlation_id(buf.data + 4, buf.len - 4, &got_corr), KL_ERR_NONE);
    ck_assert_int_eq(got_corr, corr);
    kl_rd_t rd;
    kl_rd_init(&rd, buf.data + 4, buf.len - 4);
    ck_assert_int_eq(kl_proto_read_response(&rd, api, v, &got_corr, &arena, out), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    ck_assert_int_eq(got_corr, corr);
    ck_assert_msg(kl_proto_equal(api->response, v, in, out), "%s response v%d differs", api->name, v);

    kl_buf_t again;
    kl_buf_init(&again, 0);
    ck_assert_int_eq(kl_proto_write_response(&again, api, v, corr, out), KL_ERR_NONE);
    ck_assert_uint_eq(again.len, buf.len);
    ck_assert_mem_eq(again.data, buf.data, buf.len);

    for (size_t cut = 4; cut < buf.len; cut++) {
        kl_rd_init(&rd, buf.data + 4, cut - 4);
        kl_err_t err = kl_proto_read_response(&rd, api, v, &got_corr, &arena, out);
        ck_assert_msg(err == KL_ERR_BAD_MSG, "%s response v%d cut at %zu/%zu: %s", api->name, v,
                      cut, buf.len, kl_err_name(err));
    }
    kl_buf_free(&again);
    kl_buf_free(&buf);
    kl_arena_free(&arena);
}

/* One test per API (the loop index picks it), several random fills per
 * version so that null, empty and filled values all occur. */
START_TEST(test_api_roundtrip)
{
    size_t n;
    const kl_api_t *api = &kl_api_all(&n)[_i];
    rng_state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)api->key;
    for (int16_t v = api->min_version; v <= api->max_version; v++)
        for (int round = 0; round < 8; round++) {
            check_request(api, v);
            check_response(api, v);
        }
}
END_TEST

START_TEST(test_api_table_sane)
{
    size_t n;
    const kl_api_t *apis = kl_api_all(&n);
    ck_assert_uint_ge(n, 30);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_eq(kl_api_find(apis[i].key), &apis[i]);
        ck_assert_int_le(apis[i].min_version, apis[i].max_version);
        if (i > 0)
            ck_assert_int_lt(apis[i - 1].key, apis[i].key);
    }
    ck_assert_ptr_null(kl_api_find(999));
}
END_TEST

START_TEST(test_unknown_api_and_version_still_give_correlation_id)
{
    /* api key 999, version 0, correlation 77, client id null */
    const uint8_t unknown[] = {0x03, 0xe7, 0, 0, 0, 0, 0, 77, 0xff, 0xff};
    kl_rd_t rd;
    kl_rd_init(&rd, unknown, sizeof unknown);
    kl_request_header_t hdr;
    const kl_api_t *api;
    ck_assert_int_eq(kl_proto_read_request_header(&rd, &hdr, &api), KL_ERR_UNKNOWN_API);
    ck_assert_int_eq(hdr.correlation_id, 77);
    ck_assert_ptr_null(api);
    /* ApiVersions v99 (flexible header: client id then empty tag section) */
    const uint8_t future[] = {0, 18, 0, 99, 0, 0, 0, 5, 0, 1, 'c', 0x00};
    kl_rd_init(&rd, future, sizeof future);
    ck_assert_int_eq(kl_proto_read_request_header(&rd, &hdr, &api), KL_ERR_UNSUPPORTED_API_VERSION);
    ck_assert_int_eq(hdr.correlation_id, 5);
    ck_assert_int_eq(hdr.api_version, 99);
    ck_assert_int_eq(api->key, KL_API_API_VERSIONS);
}
END_TEST

int main(void)
{
    size_t n;
    kl_api_all(&n);
    Suite *s = suite_create("proto_roundtrip");
    TCase *tc = tcase_create("apis");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_api_table_sane);
    tcase_add_test(tc, test_unknown_api_and_version_still_give_correlation_id);
    tcase_add_loop_test(tc, test_api_roundtrip, 0, (int)n);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
