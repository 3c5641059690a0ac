/* Unit tests for the generic codec (lib/proto/codec.c) on a test-only
 * schema that uses every field kind: versions, nullability, defaults,
 * tagged fields, nested structs and arrays. Byte vectors are written out by
 * hand from the protocol rules, not produced by the encoder. */
#include <check.h>
#include <stdlib.h>

#include "proto/codec.h"

typedef struct t_item {
    int32_t id;
    kl_str_t name; /* nullable from v1 */
} t_item_t;

typedef struct t_pair {
    int16_t a;
    int64_t b;
} t_pair_t;

typedef struct t_msg {
    int16_t error_code;
    kl_str_t label;            /* v0+ */
    KL_ARRAY_OF(t_item_t) items;
    KL_ARRAY_OF(int32_t) ids;  /* v1+ */
    int64_t since;             /* v1+, default -1 */
    kl_bytes_t blob;           /* v0+, nullable 0+ */
    bool flag;                 /* v2+, default true */
    kl_uuid_t uuid;            /* v3+ */
    kl_str_t note;             /* tagged 0, v2+, nullable, default null */
    t_pair_t pair;             /* tagged 1, v2+ */
} t_msg_t;

static const kl_field_t item_fields[] = {
    KL_F(t_item_t, id, KL_FT_INT32, 0, KL_VMAX),
    KL_FN(t_item_t, name, KL_FT_STRING, 0, KL_VMAX, 1),
};
static KL_SCHEMA(item_schema, t_item_t, item_fields);

static const kl_field_t pair_fields[] = {
    KL_FD(t_pair_t, a, KL_FT_INT16, 0, KL_VMAX, -1),
    KL_F(t_pair_t, b, KL_FT_INT64, 0, KL_VMAX),
};
static KL_SCHEMA(pair_schema, t_pair_t, pair_fields);

static const kl_field_t msg_fields[] = {
    KL_F(t_msg_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(t_msg_t, label, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(t_msg_t, items, item_schema, 0, KL_VMAX),
    KL_A(t_msg_t, ids, KL_FT_INT32, 1, KL_VMAX),
    KL_FD(t_msg_t, since, KL_FT_INT64, 1, KL_VMAX, -1),
    KL_FN(t_msg_t, blob, KL_FT_BYTES, 0, KL_VMAX, 0),
    KL_FD(t_msg_t, flag, KL_FT_BOOL, 2, KL_VMAX, 1),
    KL_F(t_msg_t, uuid, KL_FT_UUID, 3, KL_VMAX),
    KL_FTNN(t_msg_t, note, KL_FT_STRING, 2, KL_VMAX, 0, 2, 2),
    KL_ST(t_msg_t, pair, pair_schema, 2, KL_VMAX, 1, 2),
};
static KL_SCHEMA(msg_schema, t_msg_t, msg_fields);

/* v0 (classic): error_code=7, label="ab", items=[{1,"x"}], blob=null */
static const uint8_t vec_v0[] = {
    0x00, 0x07,                   /* error_code */
    0x00, 0x02, 'a', 'b',         /* label */
    0x00, 0x00, 0x00, 0x01,       /* items: 1 */
    0x00, 0x00, 0x00, 0x01,       /*   id */
    0x00, 0x01, 'x',              /*   name */
    0xff, 0xff, 0xff, 0xff,       /* blob: null */
};

/* v2 (flexible): error_code=0, label="", items=[{2,null}], ids=[5,6],
 * since=9, blob="\x01", flag=false, note="hi" (tag 0), pair at default. */
static const uint8_t vec_v2[] = {
    0x00, 0x00,                   /* error_code */
    0x01,                         /* label: compact "" */
    0x02,                         /* items: compact 1 */
    0x00, 0x00, 0x00, 0x02,       /*   id */
    0x00,                         /*   name: compact null */
    0x00,                         /*   item tagged fields: none */
    0x03,                         /* ids: compact 2 */
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, /* since */
    0x02, 0x01,                   /* blob: compact 1 byte */
    0x00,                         /* flag */
    0x01,                         /* tagged fields: 1 */
    0x00, 0x03, 0x03, 'h', 'i',   /*   tag 0, size 3, compact "hi" */
};

static void check_truncations(const uint8_t *vec, size_t len, int16_t version, bool flexible)
{
    for (size_t cut = 0; cut < len; cut++) {
        kl_arena_t arena;
        kl_arena_init(&arena, 1 << 20);
        kl_rd_t rd;
        kl_rd_init(&rd, vec, cut);
        t_msg_t msg;
        kl_err_t err = kl_proto_decode(&rd, &msg_schema, version, flexible, &arena, &msg);
        ck_assert_msg(err == KL_ERR_BAD_MSG, "prefix of %zu/%zu bytes gave %s", cut, len,
                      kl_err_name(err));
        kl_arena_free(&arena);
    }
}

static void check_reencode(const t_msg_t *msg, int16_t version, bool flexible, const uint8_t *vec,
                           size_t len)
{
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_proto_encode(&buf, &msg_schema, version, flexible, msg), KL_ERR_NONE);
    ck_assert_uint_eq(buf.len, len);
    ck_assert_mem_eq(buf.data, vec, len);
    kl_buf_free(&buf);
}

START_TEST(test_decode_classic_vector)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, vec_v0, sizeof vec_v0);
    t_msg_t msg;
    ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, 0, false, &arena, &msg), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    ck_assert_int_eq(msg.error_code, 7);
    ck_assert(kl_str_eq(msg.label, "ab"));
    ck_assert_int_eq(msg.items.count, 1);
    ck_assert_int_eq(msg.items.items[0].id, 1);
    ck_assert(kl_str_eq(msg.items.items[0].name, "x"));
    ck_assert_int_eq(msg.blob.len, -1);
    /* absent at v0: defaults */
    ck_assert_int_eq(msg.since, -1);
    ck_assert(msg.flag);
    ck_assert_int_eq(msg.note.len, -1);
    ck_assert_int_eq(msg.pair.a, -1);
    check_reencode(&msg, 0, false, vec_v0, sizeof vec_v0);
    kl_arena_free(&arena);
    check_truncations(vec_v0, sizeof vec_v0, 0, false);
}
END_TEST

START_TEST(test_decode_flexible_vector)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, vec_v2, sizeof vec_v2);
    t_msg_t msg;
    ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, 2, true, &arena, &msg), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    ck_assert(kl_str_eq(msg.label, ""));
    ck_assert_int_eq(msg.items.count, 1);
    ck_assert_int_eq(msg.items.items[0].id, 2);
    ck_assert_int_eq(msg.items.items[0].name.len, -1);
    ck_assert_int_eq(msg.ids.count, 2);
    ck_assert_int_eq(msg.ids.items[1], 6);
    ck_assert_int_eq(msg.since, 9);
    ck_assert_int_eq(msg.blob.len, 1);
    ck_assert(!msg.flag);
    ck_assert(kl_str_eq(msg.note, "hi"));
    ck_assert_int_eq(msg.pair.a, -1);
    ck_assert_int_eq(msg.pair.b, 0);
    check_reencode(&msg, 2, true, vec_v2, sizeof vec_v2);
    kl_arena_free(&arena);
    check_truncations(vec_v2, sizeof vec_v2, 2, true);
}
END_TEST

START_TEST(test_unknown_tags_skipped_and_struct_tag_decoded)
{
    /* the v2 vector with its tag section replaced: tag 1 (pair) then an
     * unknown tag 7 that must be skipped */
    uint8_t vec[sizeof vec_v2 + 17];
    size_t head = sizeof vec_v2 - 6;
    memcpy(vec, vec_v2, head);
    /* count 2; tag 1, size 11: a=5, b=42, the struct's own empty tag
     * section; tag 7, size 1, one byte */
    const uint8_t tags[] = {0x02, 0x01, 0x0b, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0x00,
                            0x07, 0x01, 0xee};
    memcpy(vec + head, tags, sizeof tags);
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, vec, head + sizeof tags);
    t_msg_t msg;
    ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, 2, true, &arena, &msg), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    ck_assert_int_eq(msg.pair.a, 5);
    ck_assert_int_eq(msg.pair.b, 42);
    ck_assert_int_eq(msg.note.len, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_null_where_not_nullable_is_refused)
{
    t_msg_t msg;
    kl_proto_init(&msg_schema, &msg);
    msg.label = KL_STR_NULL;
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_proto_encode(&buf, &msg_schema, 0, false, &msg), KL_ERR_INVALID_ARG);
    kl_buf_free(&buf);
    /* and on decode: label length -1 at v0 */
    const uint8_t bad[] = {0x00, 0x00, 0xff, 0xff};
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, bad, sizeof bad);
    ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, 0, false, &arena, &msg), KL_ERR_BAD_MSG);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_huge_array_count_refused_before_allocation)
{
    const uint8_t bad[] = {0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00};
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, bad, sizeof bad);
    t_msg_t msg;
    ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, 0, false, &arena, &msg), KL_ERR_BAD_MSG);
    ck_assert_uint_eq(arena.total, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_roundtrip_every_version)
{
    t_item_t items[2] = {{10, kl_str("ten")}, {11, kl_str("eleven")}};
    int32_t ids[3] = {1, 2, 3};
    for (int16_t v = 0; v <= 3; v++) {
        bool flexible = v >= 2;
        t_msg_t in;
        kl_proto_init(&msg_schema, &in);
        in.error_code = 3;
        in.label = kl_str("label");
        in.items.items = items;
        in.items.count = 2;
        in.ids.items = ids;
        in.ids.count = 3;
        in.since = 123456789012345LL;
        in.blob = kl_bytes("\x00\x01\x02", 3);
        in.flag = false;
        memset(in.uuid.b, 0xab, sizeof in.uuid.b);
        in.note = kl_str("tagged");
        in.pair.a = 4;
        in.pair.b = -5;
        kl_buf_t buf;
        kl_buf_init(&buf, 0);
        ck_assert_int_eq(kl_proto_encode(&buf, &msg_schema, v, flexible, &in), KL_ERR_NONE);
        kl_arena_t arena;
        kl_arena_init(&arena, 1 << 20);
        kl_rd_t rd;
        kl_rd_init(&rd, buf.data, buf.len);
        t_msg_t out;
        ck_assert_int_eq(kl_proto_decode(&rd, &msg_schema, v, flexible, &arena, &out), KL_ERR_NONE);
        ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
        ck_assert_msg(kl_proto_equal(&msg_schema, v, &in, &out), "v%d differs", v);
        kl_arena_free(&arena);
        kl_buf_free(&buf);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("proto_codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_decode_classic_vector);
    tcase_add_test(tc, test_decode_flexible_vector);
    tcase_add_test(tc, test_unknown_tags_skipped_and_struct_tag_decoded);
    tcase_add_test(tc, test_null_where_not_nullable_is_refused);
    tcase_add_test(tc, test_huge_array_count_refused_before_allocation);
    tcase_add_test(tc, test_roundtrip_every_version);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
