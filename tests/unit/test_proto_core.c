/* Unit tests for the core API field tables (lib/proto/msg_*.c): byte vectors
 * written out by hand from Kafka's protocol rules (message bodies only, no
 * request/response header) are decoded, checked field by field, re-encoded
 * to the same bytes, and every truncation of them must fail cleanly. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "proto_vector.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/msg_sasl.h"

/* Big-endian integers spelled out as bytes, for readable vectors. */
#define I16(v) (uint8_t)((uint16_t)(v) >> 8), (uint8_t)(uint16_t)(v)
#define I32(v)                                                                 \
    (uint8_t)((uint32_t)(v) >> 24), (uint8_t)((uint32_t)(v) >> 16),            \
        (uint8_t)((uint32_t)(v) >> 8), (uint8_t)(uint32_t)(v)
#define I64(v) I32((uint64_t)(v) >> 32), I32(v)
/* Classic string/array length prefixes and flexible (compact) ones. */
#define STR16(n) I16(n)
#define COMPACT(n) (uint8_t)((n) + 1) /* uvarint N+1, for N < 127 */
#define NO_TAGS 0x00                  /* empty tagged-field section */
#define FOO 'f', 'o', 'o'

static const uint8_t uuid_bytes[16] = {0x6b, 0x1f, 0x0e, 0x3a, 0x44, 0x12, 0x4c, 0x9d,
                                       0x8e, 0x21, 0x55, 0x70, 0x02, 0xaa, 0xbb, 0xcc};


#define CHECK_VECTOR(schema, version, flexible, vec, arena, msg)                    \
    check_proto_vector(&(schema), version, flexible, vec, sizeof(vec), arena, msg)

/* ---- ApiVersions ---------------------------------------------------------- */

START_TEST(test_api_versions_request_v3)
{
    static const uint8_t vec[] = {
        COMPACT(10), 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a', /* software name */
        COMPACT(5), '2', '.', '3', '.', '0',                           /* software version */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_api_versions_request_t m;
    CHECK_VECTOR(kl_api_versions_request_schema, 3, true, vec, &arena, &m);
    ck_assert(kl_str_eq(m.client_software_name, "librdkafka"));
    ck_assert(kl_str_eq(m.client_software_version, "2.3.0"));
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_api_versions_response_v0)
{
    static const uint8_t vec[] = {
        I16(0),                      /* error_code */
        I32(2),                      /* api_keys */
        I16(0), I16(0), I16(9),      /* Produce 0-9 */
        I16(18), I16(0), I16(3),     /* ApiVersions 0-3 */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_api_versions_response_t m;
    CHECK_VECTOR(kl_api_versions_response_schema, 0, false, vec, &arena, &m);
    ck_assert_int_eq(m.error_code, 0);
    ck_assert_int_eq(m.api_keys.count, 2);
    ck_assert_int_eq(m.api_keys.items[1].api_key, 18);
    ck_assert_int_eq(m.api_keys.items[1].min_version, 0);
    ck_assert_int_eq(m.api_keys.items[1].max_version, 3);
    ck_assert_int_eq(m.api_keys.items[0].max_version, 9);
    /* absent at v0: defaults */
    ck_assert_int_eq(m.throttle_time_ms, 0);
    ck_assert_int_eq(m.finalized_features_epoch, -1);
    ck_assert_int_eq(m.supported_features.count, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_api_versions_response_v3)
{
    static const uint8_t vec[] = {
        I16(0),                                    /* error_code */
        COMPACT(2),                                /* api_keys */
        I16(0), I16(0), I16(11), NO_TAGS,
        I16(18), I16(0), I16(4), NO_TAGS,
        I32(100),                                  /* throttle_time_ms */
        2,                                         /* two tagged fields */
        0, 20,                                     /* tag 0 supported_features, 20 bytes */
        COMPACT(1),
        COMPACT(13), 'g', 'r', 'o', 'u', 'p', '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        I16(0), I16(1), NO_TAGS,
        1, 8, I64(7),                              /* tag 1 finalized_features_epoch */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_api_versions_response_t m;
    CHECK_VECTOR(kl_api_versions_response_schema, 3, true, vec, &arena, &m);
    ck_assert_int_eq(m.api_keys.count, 2);
    ck_assert_int_eq(m.api_keys.items[0].api_key, 0);
    ck_assert_int_eq(m.api_keys.items[0].max_version, 11);
    ck_assert_int_eq(m.api_keys.items[1].max_version, 4);
    ck_assert_int_eq(m.throttle_time_ms, 100);
    ck_assert_int_eq(m.supported_features.count, 1);
    ck_assert(kl_str_eq(m.supported_features.items[0].name, "group.version"));
    ck_assert_int_eq(m.supported_features.items[0].min_version, 0);
    ck_assert_int_eq(m.supported_features.items[0].max_version, 1);
    ck_assert_int_eq(m.finalized_features_epoch, 7);
    ck_assert_int_eq(m.finalized_features.count, 0);
    ck_assert(!m.zk_migration_ready);
    kl_arena_free(&arena);
}
END_TEST

/* ---- Metadata ------------------------------------------------------------- */

START_TEST(test_metadata_request_v0)
{
    static const uint8_t vec[] = {I32(1), STR16(3), FOO};
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_metadata_request_t m;
    CHECK_VECTOR(kl_metadata_request_schema, 0, false, vec, &arena, &m);
    ck_assert_int_eq(m.topics.count, 1);
    ck_assert(kl_str_eq(m.topics.items[0].name, "foo"));
    ck_assert(m.allow_auto_topic_creation); /* v4+, default true */

    /* A null topic array is how v1+ asks for every topic; v0 cannot say it. */
    static const uint8_t all_topics[] = {I32(-1)};
    kl_rd_t rd;
    kl_rd_init(&rd, all_topics, sizeof all_topics);
    ck_assert_int_eq(kl_proto_decode(&rd, &kl_metadata_request_schema, 0, false, &arena, &m),
                     KL_ERR_BAD_MSG);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_metadata_request_v1_all_topics)
{
    static const uint8_t vec[] = {I32(-1)};
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_metadata_request_t m;
    CHECK_VECTOR(kl_metadata_request_schema, 1, false, vec, &arena, &m);
    ck_assert_int_eq(m.topics.count, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_metadata_request_v9)
{
    static const uint8_t vec[] = {
        COMPACT(1), COMPACT(3), FOO, NO_TAGS, /* topics */
        1,                                   /* allow_auto_topic_creation */
        0,                                   /* include_cluster_authorized_operations */
        1,                                   /* include_topic_authorized_operations */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_metadata_request_t m;
    CHECK_VECTOR(kl_metadata_request_schema, 9, true, vec, &arena, &m);
    ck_assert_int_eq(m.topics.count, 1);
    ck_assert(kl_str_eq(m.topics.items[0].name, "foo"));
    ck_assert(m.allow_auto_topic_creation);
    ck_assert(!m.include_cluster_authorized_operations);
    ck_assert(m.include_topic_authorized_operations);
    kl_arena_free(&arena);
}
END_TEST

/* v12: a topic named by id only (null name); no cluster-operations flag. */
START_TEST(test_metadata_request_v12)
{
    static const uint8_t vec[] = {
        COMPACT(1),
        0x6b, 0x1f, 0x0e, 0x3a, 0x44, 0x12, 0x4c, 0x9d, /* topic_id */
        0x8e, 0x21, 0x55, 0x70, 0x02, 0xaa, 0xbb, 0xcc,
        0x00,    /* name: null */
        NO_TAGS,
        0,       /* allow_auto_topic_creation */
        1,       /* include_topic_authorized_operations */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_metadata_request_t m;
    CHECK_VECTOR(kl_metadata_request_schema, 12, true, vec, &arena, &m);
    ck_assert_int_eq(m.topics.count, 1);
    ck_assert_mem_eq(m.topics.items[0].topic_id.b, uuid_bytes, 16);
    ck_assert_int_eq(m.topics.items[0].name.len, -1);
    ck_assert(!m.allow_auto_topic_creation);
    ck_assert(m.include_topic_authorized_operations);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_metadata_response_v1)
{
    static const uint8_t vec[] = {
        I32(1),                                /* brokers */
        I32(1), STR16(2), 'h', '1', I32(9092), I16(-1), /* rack: null */
        I32(1),                                /* controller_id */
        I32(1),                                /* topics */
        I16(0), STR16(3), FOO, 0,              /* error, name, is_internal */
        I32(1),                                /* partitions */
        I16(0), I32(0), I32(1),                /* error, index, leader */
        I32(1), I32(1),                        /* replica_nodes */
        I32(1), I32(1),                        /* isr_nodes */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_metadata_response_t m;
    CHECK_VECTOR(kl_metadata_response_schema, 1, false, vec, &arena, &m);
    ck_assert_int_eq(m.brokers.count, 1);
    ck_assert(kl_str_eq(m.brokers.items[0].host, "h1"));
    ck_assert_int_eq(m.brokers.items[0].port, 9092);
    ck_assert_int_eq(m.brokers.items[0].rack.len, -1);
    ck_assert_int_eq(m.controller_id, 1);
    ck_assert_int_eq(m.cluster_id.len, -1); /* v2+, default null */
    const kl_metadata_response_partition_t *p = &m.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->leader_id, 1);
    ck_assert_int_eq(p->leader_epoch, -1); /* v7+ */
    ck_assert_int_eq(p->isr_nodes.items[0], 1);
    ck_assert_int_eq(m.topics.items[0].topic_authorized_operations, INT32_MIN);
    kl_arena_free(&arena);
}
END_TEST

/* ---- Produce -------------------------------------------------------------- */

/* Opaque to the codec: the start of a record batch is enough. */
#define RECORDS_BLOB I64(0), I32(49), I32(-1), 2
#define RECORDS_BLOB_LEN 17

START_TEST(test_produce_request_v3)
{
    static const uint8_t vec[] = {
        I16(-1),                      /* transactional_id: null */
        I16(-1),                      /* acks: all */
        I32(30000),                   /* timeout_ms */
        I32(1), STR16(3), FOO,        /* topic_data */
        I32(1), I32(0),               /* partition_data, index */
        I32(RECORDS_BLOB_LEN), RECORDS_BLOB,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_request_t m;
    CHECK_VECTOR(kl_produce_request_schema, 3, false, vec, &arena, &m);
    ck_assert_int_eq(m.transactional_id.len, -1);
    ck_assert_int_eq(m.acks, -1);
    ck_assert_int_eq(m.timeout_ms, 30000);
    ck_assert(kl_str_eq(m.topic_data.items[0].name, "foo"));
    const kl_produce_request_partition_t *p = &m.topic_data.items[0].partition_data.items[0];
    ck_assert_int_eq(p->index, 0);
    ck_assert_int_eq(p->records.len, RECORDS_BLOB_LEN);
    ck_assert_ptr_eq(p->records.ptr, vec + sizeof vec - RECORDS_BLOB_LEN); /* zero copy */
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_produce_request_v9)
{
    static const uint8_t vec[] = {
        COMPACT(2), 't', 'x',          /* transactional_id */
        I16(1),                        /* acks */
        I32(5000),                     /* timeout_ms */
        COMPACT(1), COMPACT(3), FOO,   /* topic_data */
        COMPACT(2),                    /* partition_data */
        I32(2), COMPACT(RECORDS_BLOB_LEN), RECORDS_BLOB, NO_TAGS,
        I32(3), 0x00, NO_TAGS,         /* records: null */
        NO_TAGS,                       /* topic */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_request_t m;
    CHECK_VECTOR(kl_produce_request_schema, 9, true, vec, &arena, &m);
    ck_assert(kl_str_eq(m.transactional_id, "tx"));
    ck_assert_int_eq(m.acks, 1);
    ck_assert_int_eq(m.timeout_ms, 5000);
    ck_assert_int_eq(m.topic_data.count, 1);
    const kl_produce_request_topic_t *t = &m.topic_data.items[0];
    ck_assert_int_eq(t->partition_data.count, 2);
    ck_assert_int_eq(t->partition_data.items[0].index, 2);
    ck_assert_int_eq(t->partition_data.items[0].records.len, RECORDS_BLOB_LEN);
    ck_assert_int_eq(t->partition_data.items[0].records.ptr[RECORDS_BLOB_LEN - 1], 2);
    ck_assert_int_eq(t->partition_data.items[1].index, 3);
    ck_assert_int_eq(t->partition_data.items[1].records.len, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_produce_response_v10_current_leader)
{
    static const uint8_t vec[] = {
        COMPACT(1), COMPACT(3), FOO,     /* responses */
        COMPACT(1),                      /* partition_responses */
        I32(0), I16(6), I64(-1),         /* NOT_LEADER_OR_FOLLOWER */
        I64(-1), I64(-1),                /* log_append_time_ms, log_start_offset */
        COMPACT(0), 0x00,                /* record_errors, error_message: null */
        1, 0, 9, I32(2), I32(5), NO_TAGS, /* tag 0 current_leader */
        NO_TAGS,                         /* topic */
        I32(0),                          /* throttle_time_ms */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_response_t m;
    CHECK_VECTOR(kl_produce_response_schema, 10, true, vec, &arena, &m);
    const kl_produce_response_partition_t *p =
        &m.responses.items[0].partition_responses.items[0];
    ck_assert_int_eq(p->error_code, 6);
    ck_assert_int_eq(p->error_message.len, -1);
    ck_assert_int_eq(p->current_leader.leader_id, 2);
    ck_assert_int_eq(p->current_leader.leader_epoch, 5);
    ck_assert_int_eq(m.node_endpoints.count, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_init_producer_id_v4)
{
    static const uint8_t req[] = {
        0x00,              /* transactional_id: null (idempotent producer) */
        I32(60000), I64(-1), I16(-1), NO_TAGS,
    };
    static const uint8_t resp[] = {I32(0), I16(0), I64(4000), I16(0), NO_TAGS};
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_init_producer_id_request_t q;
    CHECK_VECTOR(kl_init_producer_id_request_schema, 4, true, req, &arena, &q);
    ck_assert_int_eq(q.transactional_id.len, -1);
    ck_assert_int_eq(q.transaction_timeout_ms, 60000);
    ck_assert_int_eq(q.producer_id, -1);
    kl_init_producer_id_response_t r;
    CHECK_VECTOR(kl_init_producer_id_response_schema, 4, true, resp, &arena, &r);
    ck_assert_int_eq(r.producer_id, 4000);
    kl_arena_free(&arena);
}
END_TEST

/* ---- Fetch ---------------------------------------------------------------- */

START_TEST(test_fetch_response_v4)
{
    static const uint8_t vec[] = {
        I32(0),                        /* throttle_time_ms */
        I32(1), STR16(3), FOO,         /* responses */
        I32(2),                        /* partitions */
        I32(0), I16(0), I64(10), I64(8), /* index, error, high watermark, LSO */
        I32(1), I64(1000), I64(5),     /* aborted_transactions */
        I32(RECORDS_BLOB_LEN), RECORDS_BLOB,
        I32(1), I16(1), I64(-1), I64(-1), /* OFFSET_OUT_OF_RANGE */
        I32(-1),                       /* aborted_transactions: null */
        I32(0),                        /* records: empty */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_response_t m;
    CHECK_VECTOR(kl_fetch_response_schema, 4, false, vec, &arena, &m);
    ck_assert_int_eq(m.responses.count, 1);
    const kl_fetch_response_topic_t *t = &m.responses.items[0];
    ck_assert(kl_str_eq(t->topic, "foo"));
    ck_assert_int_eq(t->partitions.count, 2);
    const kl_fetch_response_partition_t *p0 = &t->partitions.items[0];
    ck_assert_int_eq(p0->high_watermark, 10);
    ck_assert_int_eq(p0->last_stable_offset, 8);
    ck_assert_int_eq(p0->log_start_offset, -1); /* v5+ */
    ck_assert_int_eq(p0->aborted_transactions.count, 1);
    ck_assert_int_eq(p0->aborted_transactions.items[0].producer_id, 1000);
    ck_assert_int_eq(p0->aborted_transactions.items[0].first_offset, 5);
    ck_assert_int_eq(p0->records.len, RECORDS_BLOB_LEN);
    const kl_fetch_response_partition_t *p1 = &t->partitions.items[1];
    ck_assert_int_eq(p1->error_code, 1);
    ck_assert_int_eq(p1->aborted_transactions.count, -1);
    ck_assert_int_eq(p1->records.len, 0);
    ck_assert_int_eq(p1->preferred_read_replica, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_fetch_response_v12_tagged)
{
    static const uint8_t vec[] = {
        I32(0), I16(0), I32(12345),      /* throttle, error, session_id */
        COMPACT(1), COMPACT(3), FOO,     /* responses */
        COMPACT(1),                      /* partitions */
        I32(0), I16(0), I64(100),        /* index, error, high watermark */
        I64(100), I64(0),                /* last stable, log start */
        0x00,                            /* aborted_transactions: null */
        I32(-1),                         /* preferred_read_replica */
        COMPACT(RECORDS_BLOB_LEN), RECORDS_BLOB,
        2,                               /* two tagged fields */
        0, 13, I32(4), I64(90), NO_TAGS, /* tag 0 diverging_epoch */
        1, 9, I32(3), I32(5), NO_TAGS,   /* tag 1 current_leader */
        NO_TAGS,                         /* topic */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_response_t m;
    CHECK_VECTOR(kl_fetch_response_schema, 12, true, vec, &arena, &m);
    ck_assert_int_eq(m.session_id, 12345);
    const kl_fetch_response_partition_t *p = &m.responses.items[0].partitions.items[0];
    ck_assert_int_eq(p->high_watermark, 100);
    ck_assert_int_eq(p->aborted_transactions.count, -1);
    ck_assert_int_eq(p->records.len, RECORDS_BLOB_LEN);
    ck_assert_int_eq(p->diverging_epoch.epoch, 4);
    ck_assert_int_eq(p->diverging_epoch.end_offset, 90);
    ck_assert_int_eq(p->current_leader.leader_id, 3);
    ck_assert_int_eq(p->current_leader.leader_epoch, 5);
    ck_assert_int_eq(p->snapshot_id.end_offset, -1); /* not sent: default */
    ck_assert_int_eq(p->snapshot_id.epoch, -1);
    kl_arena_free(&arena);
}
END_TEST

/* A response decoded from vec, re-encoded with a hole for each non-empty
 * records field, the holes filled from the decoded records: the same bytes
 * as vec. */
static void check_holes(const uint8_t *vec, size_t len, int16_t version, bool flexible)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_response_t m;
    kl_rd_t rd;
    kl_rd_init(&rd, vec, len);
    ck_assert_int_eq(kl_proto_decode(&rd, &kl_fetch_response_schema, version, flexible, &arena, &m), KL_ERR_NONE);
    kl_bytes_t saved[4];
    size_t nsaved = 0;
    for (int32_t t = 0; t < m.responses.count; t++)
        for (int32_t p = 0; p < m.responses.items[t].partitions.count; p++) {
            kl_bytes_t *r = &m.responses.items[t].partitions.items[p].records;
            if (r->len > 0) {
                ck_assert_uint_lt(nsaved, 4);
                saved[nsaved++] = *r;
                r->ptr = NULL; /* a hole */
            }
        }
    ck_assert_uint_gt(nsaved, 0);
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_proto_encode(&buf, &kl_fetch_response_schema, version, flexible, &m), KL_ERR_INVALID_ARG);
    size_t offsets[4];
    kl_proto_holes_t few = {offsets, 0, nsaved - 1};
    kl_buf_reset(&buf);
    ck_assert_int_eq(kl_proto_encode_holes(&buf, &kl_fetch_response_schema, version, flexible, &m, &few),
                     KL_ERR_INVALID_ARG);
    kl_proto_holes_t holes = {offsets, 0, 4};
    kl_buf_reset(&buf);
    ck_assert_int_eq(kl_proto_encode_holes(&buf, &kl_fetch_response_schema, version, flexible, &m, &holes),
                     KL_ERR_NONE);
    ck_assert_uint_eq(holes.count, nsaved);
    for (size_t i = 0; i < nsaved; i++) {
        ck_assert_uint_le(holes.offsets[i] + (size_t)saved[i].len, buf.len);
        memcpy(buf.data + holes.offsets[i], saved[i].ptr, (size_t)saved[i].len);
    }
    ck_assert_uint_eq(buf.len, len);
    ck_assert_mem_eq(buf.data, vec, len);
    kl_buf_free(&buf);
    kl_arena_free(&arena);
}

START_TEST(test_fetch_response_holes)
{
    static const uint8_t v4[] = {
        I32(0), I32(1), STR16(3), FOO, I32(3),
        I32(0), I16(0), I64(10), I64(10), I32(-1), I32(RECORDS_BLOB_LEN), RECORDS_BLOB,
        I32(1), I16(0), I64(0), I64(0), I32(-1), I32(0), /* empty: no hole */
        I32(2), I16(0), I64(10), I64(10), I32(-1), I32(RECORDS_BLOB_LEN), RECORDS_BLOB,
    };
    check_holes(v4, sizeof v4, 4, false);
    static const uint8_t v12[] = {
        I32(0), I16(0), I32(0), COMPACT(1), COMPACT(3), FOO, COMPACT(1),
        I32(0), I16(0), I64(100), I64(100), I64(0), 0x00, I32(-1),
        COMPACT(RECORDS_BLOB_LEN), RECORDS_BLOB, NO_TAGS, NO_TAGS, NO_TAGS,
    };
    check_holes(v12, sizeof v12, 12, true);
}
END_TEST

START_TEST(test_fetch_request_v12)
{
    static const uint8_t vec[] = {
        I32(-1), I32(500), I32(1),       /* replica_id, max_wait_ms, min_bytes */
        I32(52428800), 1,                /* max_bytes, isolation_level */
        I32(0), I32(-1),                 /* session_id, session_epoch */
        COMPACT(1), COMPACT(3), FOO,     /* topics */
        COMPACT(1),                      /* partitions */
        I32(0), I32(7), I64(42),         /* partition, leader epoch, fetch offset */
        I32(6), I64(-1), I32(1048576),   /* last fetched epoch, log start, max bytes */
        NO_TAGS, NO_TAGS,
        COMPACT(0),                      /* forgotten_topics_data */
        COMPACT(2), 'r', '1',            /* rack_id */
        1, 0, 3, COMPACT(2), 'c', '1',   /* tag 0 cluster_id */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_request_t m;
    CHECK_VECTOR(kl_fetch_request_schema, 12, true, vec, &arena, &m);
    ck_assert(kl_str_eq(m.cluster_id, "c1"));
    ck_assert_int_eq(m.replica_id, -1);
    ck_assert_int_eq(m.max_bytes, 52428800);
    ck_assert_int_eq(m.isolation_level, 1);
    ck_assert_int_eq(m.session_epoch, -1);
    const kl_fetch_request_partition_t *p = &m.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->current_leader_epoch, 7);
    ck_assert_int_eq(p->fetch_offset, 42);
    ck_assert_int_eq(p->last_fetched_epoch, 6);
    ck_assert_int_eq(p->partition_max_bytes, 1048576);
    ck_assert(kl_str_eq(m.rack_id, "r1"));
    kl_arena_free(&arena);
}
END_TEST

/* ---- ListOffsets ---------------------------------------------------------- */

START_TEST(test_list_offsets_v1)
{
    static const uint8_t req[] = {
        I32(-1),                       /* replica_id: a consumer */
        I32(1), STR16(3), FOO,
        I32(1), I32(0), I64(-1),       /* partition 0, latest */
    };
    static const uint8_t resp[] = {
        I32(1), STR16(3), FOO,
        I32(1), I32(0), I16(0), I64(-1), I64(42),
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_list_offsets_request_t q;
    CHECK_VECTOR(kl_list_offsets_request_schema, 1, false, req, &arena, &q);
    ck_assert_int_eq(q.replica_id, -1);
    ck_assert_int_eq(q.isolation_level, 0);
    ck_assert(kl_str_eq(q.topics.items[0].name, "foo"));
    ck_assert_int_eq(q.topics.items[0].partitions.items[0].timestamp, -1);
    ck_assert_int_eq(q.topics.items[0].partitions.items[0].max_num_offsets, 1); /* v0 only */
    kl_list_offsets_response_t r;
    CHECK_VECTOR(kl_list_offsets_response_schema, 1, false, resp, &arena, &r);
    const kl_list_offsets_response_partition_t *p = &r.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->error_code, 0);
    ck_assert_int_eq(p->timestamp, -1);
    ck_assert_int_eq(p->offset, 42);
    ck_assert_int_eq(p->leader_epoch, -1);
    ck_assert_int_eq(p->old_style_offsets.count, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_list_offsets_v0)
{
    static const uint8_t req[] = {
        I32(-1), I32(1), STR16(3), FOO,
        I32(1), I32(0), I64(-2), I32(1), /* earliest, max_num_offsets */
    };
    static const uint8_t resp[] = {
        I32(1), STR16(3), FOO,
        I32(1), I32(0), I16(0), I32(2), I64(42), I64(0), /* old_style_offsets */
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_list_offsets_request_t q;
    CHECK_VECTOR(kl_list_offsets_request_schema, 0, false, req, &arena, &q);
    ck_assert_int_eq(q.topics.items[0].partitions.items[0].timestamp, -2);
    ck_assert_int_eq(q.topics.items[0].partitions.items[0].max_num_offsets, 1);
    kl_list_offsets_response_t r;
    CHECK_VECTOR(kl_list_offsets_response_schema, 0, false, resp, &arena, &r);
    const kl_list_offsets_response_partition_t *p = &r.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->old_style_offsets.count, 2);
    ck_assert_int_eq(p->old_style_offsets.items[0], 42);
    ck_assert_int_eq(p->offset, -1); /* v1+ */
    kl_arena_free(&arena);
}
END_TEST

/* ---- SASL and DescribeCluster --------------------------------------------- */

START_TEST(test_sasl)
{
    static const uint8_t handshake[] = {
        I16(0), I32(2), STR16(5), 'P', 'L', 'A', 'I', 'N',
        STR16(13), 'S', 'C', 'R', 'A', 'M', '-', 'S', 'H', 'A', '-', '2', '5', '6',
    };
    static const uint8_t auth_v1[] = {I16(0), I16(-1), I32(2), 'o', 'k', I64(3600000)};
    static const uint8_t auth_v2[] = {I16(58), COMPACT(3), 'b', 'a', 'd', COMPACT(0), I64(0),
                                      NO_TAGS};
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_sasl_handshake_response_t h;
    CHECK_VECTOR(kl_sasl_handshake_response_schema, 1, false, handshake, &arena, &h);
    ck_assert_int_eq(h.mechanisms.count, 2);
    ck_assert(kl_str_eq(h.mechanisms.items[1], "SCRAM-SHA-256"));
    kl_sasl_authenticate_response_t a;
    CHECK_VECTOR(kl_sasl_authenticate_response_schema, 1, false, auth_v1, &arena, &a);
    ck_assert_int_eq(a.error_message.len, -1);
    ck_assert_int_eq(a.auth_bytes.len, 2);
    ck_assert_int_eq(a.session_lifetime_ms, 3600000);
    CHECK_VECTOR(kl_sasl_authenticate_response_schema, 2, true, auth_v2, &arena, &a);
    ck_assert_int_eq(a.error_code, 58);
    ck_assert(kl_str_eq(a.error_message, "bad"));
    ck_assert_int_eq(a.auth_bytes.len, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_describe_cluster_response_v1)
{
    static const uint8_t vec[] = {
        I32(0), I16(0), 0x00,              /* throttle, error, message: null */
        1,                                 /* endpoint_type: brokers */
        COMPACT(2), 'k', 'l', I32(1),      /* cluster_id, controller_id */
        COMPACT(1), I32(1), COMPACT(2), 'h', '1', I32(9092), COMPACT(2), 'r', 'a', NO_TAGS,
        I32(INT32_MIN),                    /* cluster_authorized_operations */
        NO_TAGS,
    };
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_describe_cluster_response_t m;
    CHECK_VECTOR(kl_describe_cluster_response_schema, 1, true, vec, &arena, &m);
    ck_assert_int_eq(m.error_message.len, -1);
    ck_assert_int_eq(m.endpoint_type, 1);
    ck_assert(kl_str_eq(m.cluster_id, "kl"));
    ck_assert(kl_str_eq(m.brokers.items[0].rack, "ra"));
    ck_assert_int_eq(m.cluster_authorized_operations, INT32_MIN);
    kl_arena_free(&arena);
}
END_TEST

/* Defaults that Kafka's JSON gives and clients rely on when a field is absent. */
START_TEST(test_defaults)
{
    kl_metadata_request_t mq;
    kl_proto_init(&kl_metadata_request_schema, &mq);
    ck_assert(mq.allow_auto_topic_creation);
    kl_fetch_request_t fq;
    kl_proto_init(&kl_fetch_request_schema, &fq);
    ck_assert_int_eq(fq.max_bytes, INT32_MAX);
    ck_assert_int_eq(fq.replica_id, -1);
    ck_assert_int_eq(fq.session_epoch, -1);
    ck_assert_int_eq(fq.cluster_id.len, -1);
    ck_assert_int_eq(fq.replica_state.replica_epoch, -1);
    ck_assert_int_eq(fq.rack_id.len, 0);
    kl_produce_request_t pq;
    kl_proto_init(&kl_produce_request_schema, &pq);
    ck_assert_int_eq(pq.transactional_id.len, -1);
    kl_describe_cluster_request_t dq;
    kl_proto_init(&kl_describe_cluster_request_schema, &dq);
    ck_assert_int_eq(dq.endpoint_type, 1);
    kl_api_versions_response_t ar;
    kl_proto_init(&kl_api_versions_response_schema, &ar);
    ck_assert_int_eq(ar.finalized_features_epoch, -1);
}
END_TEST

static Suite *proto_core_suite(void)
{
    Suite *s = suite_create("proto_core");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_api_versions_request_v3);
    tcase_add_test(tc, test_api_versions_response_v0);
    tcase_add_test(tc, test_api_versions_response_v3);
    tcase_add_test(tc, test_metadata_request_v0);
    tcase_add_test(tc, test_metadata_request_v1_all_topics);
    tcase_add_test(tc, test_metadata_request_v9);
    tcase_add_test(tc, test_metadata_request_v12);
    tcase_add_test(tc, test_metadata_response_v1);
    tcase_add_test(tc, test_produce_request_v3);
    tcase_add_test(tc, test_produce_request_v9);
    tcase_add_test(tc, test_produce_response_v10_current_leader);
    tcase_add_test(tc, test_init_producer_id_v4);
    tcase_add_test(tc, test_fetch_response_v4);
    tcase_add_test(tc, test_fetch_response_v12_tagged);
    tcase_add_test(tc, test_fetch_request_v12);
    tcase_add_test(tc, test_list_offsets_v1);
    tcase_add_test(tc, test_list_offsets_v0);
    tcase_add_test(tc, test_sasl);
    tcase_add_test(tc, test_describe_cluster_response_v1);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_fetch_response_holes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proto_core_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
