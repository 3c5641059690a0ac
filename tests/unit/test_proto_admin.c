/* Unit tests for the admin message tables (msg_topic_admin, msg_config,
 * msg_acl): byte vectors written out by hand from Kafka's protocol rules are
 * decoded, checked field by field, re-encoded byte for byte, and cut short
 * at every offset. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "proto/msg_acl.h"
#include "proto/msg_config.h"
#include "proto/msg_topic_admin.h"
#include "proto_vector.h"

/* Big-endian integers spelled out as bytes, for the vectors. */
#define I16(v) (uint8_t)((uint16_t)(v) >> 8), (uint8_t)(v)
#define I32(v) I16((uint32_t)(v) >> 16), I16((uint32_t)(v))
#define I64(v) I32((uint64_t)(v) >> 32), I32((uint64_t)(v))
#define NULL16 0xff, 0xff             /* classic null string */
#define NULL32 0xff, 0xff, 0xff, 0xff /* classic null array */
#define NO_TAGS 0x00                  /* flexible: empty tagged-field section */
#define UUID_A 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, \
               0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
#define UUID_B 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, \
               0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf

static kl_arena_t arena;

static void setup(void) { kl_arena_init(&arena, 0); }
static void teardown(void) { kl_arena_free(&arena); }


#define DECODE(schema, version, flexible, vec, msg)                                  \
    check_proto_vector(&(schema), (version), (flexible), (vec), sizeof(vec), &arena, (msg))

static bool uuid_is(kl_uuid_t u, uint8_t first)
{
    for (int i = 0; i < 16; i++)
        if (u.b[i] != (uint8_t)(first + i))
            return false;
    return true;
}

/* ---- topic administration ---------------------------------------------- */

/* CreateTopics v0: "orders" with a manual assignment of two partitions and
 * two configs, one of them null. */
static const uint8_t create_topics_req_v0[] = {
    I32(1),                                               /* topics */
    I16(6), 'o', 'r', 'd', 'e', 'r', 's',                 /*   name */
    I32(-1),                                              /*   num_partitions */
    I16(-1),                                              /*   replication_factor */
    I32(2),                                               /*   assignments */
    I32(0), I32(2), I32(1), I32(2),                       /*     p0 -> [1, 2] */
    I32(1), I32(2), I32(2), I32(3),                       /*     p1 -> [2, 3] */
    I32(2),                                               /*   configs */
    I16(14), 'c', 'l', 'e', 'a', 'n', 'u', 'p', '.', 'p', 'o', 'l', 'i', 'c', 'y',
    I16(7), 'c', 'o', 'm', 'p', 'a', 'c', 't',
    I16(12), 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',
    NULL16,
    I32(30000),                                           /* timeout_ms */
};

START_TEST(test_create_topics_request_v0)
{
    kl_create_topics_request_t m;
    DECODE(kl_create_topics_request_schema, 0, false, create_topics_req_v0, &m);
    ck_assert_int_eq(m.topics.count, 1);
    const kl_create_topics_request_creatable_topic_t *t = &m.topics.items[0];
    ck_assert(kl_str_eq(t->name, "orders"));
    ck_assert_int_eq(t->num_partitions, -1);
    ck_assert_int_eq(t->replication_factor, -1);
    ck_assert_int_eq(t->assignments.count, 2);
    ck_assert_int_eq(t->assignments.items[1].partition_index, 1);
    ck_assert_int_eq(t->assignments.items[1].broker_ids.count, 2);
    ck_assert_int_eq(t->assignments.items[1].broker_ids.items[0], 2);
    ck_assert_int_eq(t->assignments.items[1].broker_ids.items[1], 3);
    ck_assert_int_eq(t->configs.count, 2);
    ck_assert(kl_str_eq(t->configs.items[0].name, "cleanup.policy"));
    ck_assert(kl_str_eq(t->configs.items[0].value, "compact"));
    ck_assert(kl_str_eq(t->configs.items[1].name, "retention.ms"));
    ck_assert_int_eq(t->configs.items[1].value.len, -1);
    ck_assert_int_eq(m.timeout_ms, 30000);
    ck_assert(!m.validate_only); /* v1+ only */
}
END_TEST

/* CreateTopics v5 response: the flexible shape with the topic's configs
 * (one value null) and TopicConfigErrorCode sent as tag 0. */
static const uint8_t create_topics_resp_v5[] = {
    I32(100),                                             /* throttle_time_ms */
    0x02,                                                 /* topics: 1 */
    0x07, 'o', 'r', 'd', 'e', 'r', 's',                   /*   name */
    I16(0),                                               /*   error_code */
    0x00,                                                 /*   error_message: null */
    I32(3),                                               /*   num_partitions */
    I16(1),                                               /*   replication_factor */
    0x03,                                                 /*   configs: 2 */
    0x0f, 'c', 'l', 'e', 'a', 'n', 'u', 'p', '.', 'p', 'o', 'l', 'i', 'c', 'y',
    0x08, 'c', 'o', 'm', 'p', 'a', 'c', 't',
    0x00,                                                 /*     read_only */
    0x01,                                                 /*     config_source: topic */
    0x00,                                                 /*     is_sensitive */
    NO_TAGS,
    0x0c, 's', 's', 'l', '.', 'k', 'e', 'y', 'p', 'a', 's', 's',
    0x00,                                                 /*     value: null */
    0x01,                                                 /*     read_only */
    0x05,                                                 /*     config_source: default */
    0x01,                                                 /*     is_sensitive */
    NO_TAGS,
    0x01, 0x00, 0x02, I16(29),                            /*   tag 0: config error 29 */
    NO_TAGS,
};

START_TEST(test_create_topics_response_v5)
{
    kl_create_topics_response_t m;
    DECODE(kl_create_topics_response_schema, 5, true, create_topics_resp_v5, &m);
    ck_assert_int_eq(m.throttle_time_ms, 100);
    ck_assert_int_eq(m.topics.count, 1);
    const kl_create_topics_response_creatable_topic_result_t *t = &m.topics.items[0];
    ck_assert(kl_str_eq(t->name, "orders"));
    ck_assert_int_eq(t->error_code, 0);
    ck_assert_int_eq(t->error_message.len, -1);
    ck_assert_int_eq(t->topic_config_error_code, 29);
    ck_assert_int_eq(t->num_partitions, 3);
    ck_assert_int_eq(t->replication_factor, 1);
    ck_assert_int_eq(t->configs.count, 2);
    ck_assert(kl_str_eq(t->configs.items[0].name, "cleanup.policy"));
    ck_assert(kl_str_eq(t->configs.items[0].value, "compact"));
    ck_assert_int_eq(t->configs.items[0].config_source, 1);
    ck_assert(kl_str_eq(t->configs.items[1].name, "ssl.keypass"));
    ck_assert_int_eq(t->configs.items[1].value.len, -1);
    ck_assert(t->configs.items[1].read_only);
    ck_assert_int_eq(t->configs.items[1].config_source, 5);
    ck_assert(t->configs.items[1].is_sensitive);
}
END_TEST

/* DeleteTopics v4: the first flexible version, topics still by name. */
static const uint8_t delete_topics_req_v4[] = {
    0x03,                                                 /* topic_names: 2 */
    0x04, 'f', 'o', 'o',
    0x04, 'b', 'a', 'r',
    I32(5000),                                            /* timeout_ms */
    NO_TAGS,
};

START_TEST(test_delete_topics_request_v4)
{
    kl_delete_topics_request_t m;
    DECODE(kl_delete_topics_request_schema, 4, true, delete_topics_req_v4, &m);
    ck_assert_int_eq(m.topic_names.count, 2);
    ck_assert(kl_str_eq(m.topic_names.items[0], "foo"));
    ck_assert(kl_str_eq(m.topic_names.items[1], "bar"));
    ck_assert_int_eq(m.topics.count, 0); /* v6+ only */
    ck_assert_int_eq(m.timeout_ms, 5000);
}
END_TEST

/* DeleteTopics v6: one topic by name and id, one by id alone (null name). */
static const uint8_t delete_topics_req_v6[] = {
    0x03,                                                 /* topics: 2 */
    0x04, 'f', 'o', 'o', UUID_A, NO_TAGS,
    0x00, UUID_B, NO_TAGS,                                /*   name: null */
    I32(5000),                                            /* timeout_ms */
    NO_TAGS,
};

START_TEST(test_delete_topics_request_v6)
{
    kl_delete_topics_request_t m;
    DECODE(kl_delete_topics_request_schema, 6, true, delete_topics_req_v6, &m);
    ck_assert_int_eq(m.topics.count, 2);
    ck_assert(kl_str_eq(m.topics.items[0].name, "foo"));
    ck_assert(uuid_is(m.topics.items[0].topic_id, 0x10));
    ck_assert_int_eq(m.topics.items[1].name.len, -1);
    ck_assert(uuid_is(m.topics.items[1].topic_id, 0xa0));
    ck_assert_int_eq(m.timeout_ms, 5000);
}
END_TEST

/* DeleteTopics v6 response: an unknown topic id, answered with a null name
 * and an error message. */
static const uint8_t delete_topics_resp_v6[] = {
    I32(0),                                               /* throttle_time_ms */
    0x02,                                                 /* responses: 1 */
    0x00,                                                 /*   name: null */
    UUID_B,                                               /*   topic_id */
    I16(100),                                             /*   error_code: UNKNOWN_TOPIC_ID */
    0x0b, 'n', 'o', ' ', 's', 'u', 'c', 'h', ' ', 'i', 'd',
    NO_TAGS,
    NO_TAGS,
};

START_TEST(test_delete_topics_response_v6)
{
    kl_delete_topics_response_t m;
    DECODE(kl_delete_topics_response_schema, 6, true, delete_topics_resp_v6, &m);
    ck_assert_int_eq(m.responses.count, 1);
    ck_assert_int_eq(m.responses.items[0].name.len, -1);
    ck_assert(uuid_is(m.responses.items[0].topic_id, 0xa0));
    ck_assert_int_eq(m.responses.items[0].error_code, 100);
    ck_assert(kl_str_eq(m.responses.items[0].error_message, "no such id"));
}
END_TEST

/* CreatePartitions v1: "orders" grows to 6 with broker-chosen placement
 * (null assignments), "events" to 3 with its new partition on [1, 2]. */
static const uint8_t create_partitions_req_v1[] = {
    I32(2),                                               /* topics */
    I16(6), 'o', 'r', 'd', 'e', 'r', 's',
    I32(6),                                               /*   count */
    NULL32,                                               /*   assignments: null */
    I16(6), 'e', 'v', 'e', 'n', 't', 's',
    I32(3),                                               /*   count */
    I32(1),                                               /*   assignments */
    I32(2), I32(1), I32(2),                               /*     broker_ids */
    I32(10000),                                           /* timeout_ms */
    0x01,                                                 /* validate_only */
};

START_TEST(test_create_partitions_request_v1)
{
    kl_create_partitions_request_t m;
    DECODE(kl_create_partitions_request_schema, 1, false, create_partitions_req_v1, &m);
    ck_assert_int_eq(m.topics.count, 2);
    ck_assert(kl_str_eq(m.topics.items[0].name, "orders"));
    ck_assert_int_eq(m.topics.items[0].count, 6);
    ck_assert_int_eq(m.topics.items[0].assignments.count, -1);
    ck_assert(kl_str_eq(m.topics.items[1].name, "events"));
    ck_assert_int_eq(m.topics.items[1].assignments.count, 1);
    ck_assert_int_eq(m.topics.items[1].assignments.items[0].broker_ids.count, 2);
    ck_assert_int_eq(m.topics.items[1].assignments.items[0].broker_ids.items[1], 2);
    ck_assert_int_eq(m.timeout_ms, 10000);
    ck_assert(m.validate_only);
}
END_TEST

static const uint8_t delete_records_req_v0[] = {
    I32(1),                                               /* topics */
    I16(6), 'o', 'r', 'd', 'e', 'r', 's',
    I32(2),                                               /*   partitions */
    I32(0), I64(100),
    I32(1), I64(-1),                                      /*     -1: up to the high watermark */
    I32(2000),                                            /* timeout_ms */
};

static const uint8_t delete_records_resp_v0[] = {
    I32(0),                                               /* throttle_time_ms */
    I32(1),                                               /* topics */
    I16(6), 'o', 'r', 'd', 'e', 'r', 's',
    I32(1),                                               /*   partitions */
    I32(0), I64(100), I16(0),
};

START_TEST(test_delete_records_v0)
{
    kl_delete_records_request_t req;
    DECODE(kl_delete_records_request_schema, 0, false, delete_records_req_v0, &req);
    ck_assert_int_eq(req.topics.count, 1);
    ck_assert(kl_str_eq(req.topics.items[0].name, "orders"));
    ck_assert_int_eq(req.topics.items[0].partitions.count, 2);
    ck_assert_int_eq(req.topics.items[0].partitions.items[0].offset, 100);
    ck_assert_int_eq(req.topics.items[0].partitions.items[1].partition_index, 1);
    ck_assert_int_eq(req.topics.items[0].partitions.items[1].offset, -1);
    ck_assert_int_eq(req.timeout_ms, 2000);

    kl_delete_records_response_t resp;
    DECODE(kl_delete_records_response_schema, 0, false, delete_records_resp_v0, &resp);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, 1);
    ck_assert_int_eq(resp.topics.items[0].partitions.items[0].low_watermark, 100);
    ck_assert_int_eq(resp.topics.items[0].partitions.items[0].error_code, 0);
}
END_TEST

/* ---- configs ------------------------------------------------------------ */

/* DescribeConfigs v1: every config of topic "orders" (null key list), one
 * key of broker "0", synonyms wanted. */
static const uint8_t describe_configs_req_v1[] = {
    I32(2),                                               /* resources */
    0x02, I16(6), 'o', 'r', 'd', 'e', 'r', 's',           /*   topic */
    NULL32,                                               /*   configuration_keys */
    0x04, I16(1), '0',                                    /*   broker */
    I32(1),
    I16(14), 'n', 'u', 'm', '.', 'i', 'o', '.', 't', 'h', 'r', 'e', 'a', 'd', 's',
    0x01,                                                 /* include_synonyms */
};

START_TEST(test_describe_configs_request_v1)
{
    kl_describe_configs_request_t m;
    DECODE(kl_describe_configs_request_schema, 1, false, describe_configs_req_v1, &m);
    ck_assert_int_eq(m.resources.count, 2);
    ck_assert_int_eq(m.resources.items[0].resource_type, 2);
    ck_assert(kl_str_eq(m.resources.items[0].resource_name, "orders"));
    ck_assert_int_eq(m.resources.items[0].configuration_keys.count, -1);
    ck_assert_int_eq(m.resources.items[1].resource_type, 4);
    ck_assert(kl_str_eq(m.resources.items[1].resource_name, "0"));
    ck_assert_int_eq(m.resources.items[1].configuration_keys.count, 1);
    ck_assert(kl_str_eq(m.resources.items[1].configuration_keys.items[0], "num.io.threads"));
    ck_assert(m.include_synonyms);
    ck_assert(!m.include_documentation); /* v3+ only */
}
END_TEST

/* DescribeConfigs v1 response: retention.ms set on the topic, with the
 * topic value and the static broker value as synonyms. */
static const uint8_t describe_configs_resp_v1[] = {
    I32(0),                                               /* throttle_time_ms */
    I32(1),                                               /* results */
    I16(0), NULL16,                                       /*   error_code, error_message */
    0x02, I16(6), 'o', 'r', 'd', 'e', 'r', 's',           /*   resource */
    I32(1),                                               /*   configs */
    I16(12), 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',
    I16(8), '8', '6', '4', '0', '0', '0', '0', '0',
    0x00,                                                 /*     read_only */
    0x01,                                                 /*     config_source: topic */
    0x00,                                                 /*     is_sensitive */
    I32(2),                                               /*     synonyms */
    I16(12), 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',
    I16(8), '8', '6', '4', '0', '0', '0', '0', '0',
    0x01,
    I16(19), 'l', 'o', 'g', '.', 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.',
             'h', 'o', 'u', 'r', 's',
    I16(3), '1', '6', '8',
    0x04,                                                 /*       static broker config */
};

START_TEST(test_describe_configs_response_v1)
{
    kl_describe_configs_response_t m;
    DECODE(kl_describe_configs_response_schema, 1, false, describe_configs_resp_v1, &m);
    ck_assert_int_eq(m.results.count, 1);
    const kl_describe_configs_response_describe_configs_result_t *r = &m.results.items[0];
    ck_assert_int_eq(r->error_message.len, -1);
    ck_assert(kl_str_eq(r->resource_name, "orders"));
    ck_assert_int_eq(r->configs.count, 1);
    const kl_describe_configs_response_describe_configs_resource_result_t *c = &r->configs.items[0];
    ck_assert(kl_str_eq(c->name, "retention.ms"));
    ck_assert(kl_str_eq(c->value, "86400000"));
    ck_assert_int_eq(c->config_source, 1);
    ck_assert(!c->is_default); /* v0 only */
    ck_assert_int_eq(c->synonyms.count, 2);
    ck_assert(kl_str_eq(c->synonyms.items[1].name, "log.retention.hours"));
    ck_assert(kl_str_eq(c->synonyms.items[1].value, "168"));
    ck_assert_int_eq(c->synonyms.items[1].source, 4);
    ck_assert_int_eq(c->config_type, 0);
}
END_TEST

/* DescribeConfigs v0 response: IsDefault instead of ConfigSource. */
static const uint8_t describe_configs_resp_v0[] = {
    I32(0), I32(1), I16(0), NULL16,
    0x04, I16(1), '0',
    I32(1),
    I16(14), 'n', 'u', 'm', '.', 'i', 'o', '.', 't', 'h', 'r', 'e', 'a', 'd', 's',
    I16(1), '8',
    0x01,                                                 /* read_only */
    0x01,                                                 /* is_default */
    0x00,                                                 /* is_sensitive */
};

START_TEST(test_describe_configs_response_v0)
{
    kl_describe_configs_response_t m;
    DECODE(kl_describe_configs_response_schema, 0, false, describe_configs_resp_v0, &m);
    const kl_describe_configs_response_describe_configs_resource_result_t *c =
        &m.results.items[0].configs.items[0];
    ck_assert(c->read_only);
    ck_assert(c->is_default);
    ck_assert_int_eq(c->config_source, -1); /* absent before v1 */
    ck_assert_int_eq(c->synonyms.count, 0);
}
END_TEST

/* IncrementalAlterConfigs v1: SET retention.ms, DELETE cleanup.policy. */
static const uint8_t incremental_alter_configs_req_v1[] = {
    0x02,                                                 /* resources: 1 */
    0x02, 0x07, 'o', 'r', 'd', 'e', 'r', 's',
    0x03,                                                 /*   configs: 2 */
    0x0d, 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',
    0x00,                                                 /*     SET */
    0x08, '3', '6', '0', '0', '0', '0', '0',
    NO_TAGS,
    0x0f, 'c', 'l', 'e', 'a', 'n', 'u', 'p', '.', 'p', 'o', 'l', 'i', 'c', 'y',
    0x01,                                                 /*     DELETE */
    0x00,                                                 /*     value: null */
    NO_TAGS,
    NO_TAGS,
    0x00,                                                 /* validate_only */
    NO_TAGS,
};

static const uint8_t incremental_alter_configs_resp_v1[] = {
    I32(0),
    0x02,                                                 /* responses: 1 */
    I16(0), 0x00, 0x02, 0x07, 'o', 'r', 'd', 'e', 'r', 's',
    NO_TAGS,
    NO_TAGS,
};

START_TEST(test_incremental_alter_configs_v1)
{
    kl_incremental_alter_configs_request_t m;
    DECODE(kl_incremental_alter_configs_request_schema, 1, true, incremental_alter_configs_req_v1,
           &m);
    ck_assert_int_eq(m.resources.count, 1);
    ck_assert_int_eq(m.resources.items[0].resource_type, 2);
    ck_assert(kl_str_eq(m.resources.items[0].resource_name, "orders"));
    ck_assert_int_eq(m.resources.items[0].configs.count, 2);
    const kl_incremental_alter_configs_request_alterable_config_t *c =
        m.resources.items[0].configs.items;
    ck_assert(kl_str_eq(c[0].name, "retention.ms"));
    ck_assert_int_eq(c[0].config_operation, 0);
    ck_assert(kl_str_eq(c[0].value, "3600000"));
    ck_assert(kl_str_eq(c[1].name, "cleanup.policy"));
    ck_assert_int_eq(c[1].config_operation, 1);
    ck_assert_int_eq(c[1].value.len, -1);
    ck_assert(!m.validate_only);

    kl_incremental_alter_configs_response_t r;
    DECODE(kl_incremental_alter_configs_response_schema, 1, true,
           incremental_alter_configs_resp_v1, &r);
    ck_assert_int_eq(r.responses.count, 1);
    ck_assert_int_eq(r.responses.items[0].error_message.len, -1);
    ck_assert(kl_str_eq(r.responses.items[0].resource_name, "orders"));
}
END_TEST

/* ---- ACLs --------------------------------------------------------------- */

/* CreateAcls v1: allow alice to read topic "orders" (literal), deny bob
 * writing to topics prefixed "logs-" from one host. */
static const uint8_t create_acls_req_v1[] = {
    I32(2),                                               /* creations */
    0x02, I16(6), 'o', 'r', 'd', 'e', 'r', 's',           /*   topic */
    0x03,                                                 /*   LITERAL */
    I16(10), 'U', 's', 'e', 'r', ':', 'a', 'l', 'i', 'c', 'e',
    I16(1), '*',
    0x03, 0x03,                                           /*   READ, ALLOW */
    0x02, I16(5), 'l', 'o', 'g', 's', '-',
    0x04,                                                 /*   PREFIXED */
    I16(8), 'U', 's', 'e', 'r', ':', 'b', 'o', 'b',
    I16(8), '1', '0', '.', '0', '.', '0', '.', '1',
    0x04, 0x02,                                           /*   WRITE, DENY */
};

START_TEST(test_create_acls_request_v1)
{
    kl_create_acls_request_t m;
    DECODE(kl_create_acls_request_schema, 1, false, create_acls_req_v1, &m);
    ck_assert_int_eq(m.creations.count, 2);
    const kl_create_acls_request_acl_creation_t *c = m.creations.items;
    ck_assert_int_eq(c[0].resource_type, 2);
    ck_assert(kl_str_eq(c[0].resource_name, "orders"));
    ck_assert_int_eq(c[0].resource_pattern_type, 3);
    ck_assert(kl_str_eq(c[0].principal, "User:alice"));
    ck_assert(kl_str_eq(c[0].host, "*"));
    ck_assert_int_eq(c[0].operation, 3);
    ck_assert_int_eq(c[0].permission_type, 3);
    ck_assert(kl_str_eq(c[1].resource_name, "logs-"));
    ck_assert_int_eq(c[1].resource_pattern_type, 4);
    ck_assert(kl_str_eq(c[1].host, "10.0.0.1"));
    ck_assert_int_eq(c[1].operation, 4);
    ck_assert_int_eq(c[1].permission_type, 2);
}
END_TEST

static const uint8_t create_acls_req_v0[] = {
    I32(1),
    0x02, I16(1), 't',
    I16(6), 'U', 's', 'e', 'r', ':', 'x',
    I16(1), '*',
    0x03, 0x03,
};

START_TEST(test_create_acls_request_v0_defaults_to_literal)
{
    kl_create_acls_request_t m;
    DECODE(kl_create_acls_request_schema, 0, false, create_acls_req_v0, &m);
    ck_assert_int_eq(m.creations.items[0].resource_pattern_type, 3);
}
END_TEST

/* DescribeAcls v1 response: the two ACLs on topic "orders". */
static const uint8_t describe_acls_resp_v1[] = {
    I32(0),                                               /* throttle_time_ms */
    I16(0), NULL16,                                       /* error_code, error_message */
    I32(1),                                               /* resources */
    0x02, I16(6), 'o', 'r', 'd', 'e', 'r', 's',
    0x03,                                                 /*   LITERAL */
    I32(2),                                               /*   acls */
    I16(10), 'U', 's', 'e', 'r', ':', 'a', 'l', 'i', 'c', 'e',
    I16(1), '*', 0x03, 0x03,                              /*     READ, ALLOW */
    I16(8), 'U', 's', 'e', 'r', ':', 'b', 'o', 'b',
    I16(1), '*', 0x04, 0x02,                              /*     WRITE, DENY */
};

START_TEST(test_describe_acls_response_v1)
{
    kl_describe_acls_response_t m;
    DECODE(kl_describe_acls_response_schema, 1, false, describe_acls_resp_v1, &m);
    ck_assert_int_eq(m.error_code, 0);
    ck_assert_int_eq(m.error_message.len, -1);
    ck_assert_int_eq(m.resources.count, 1);
    const kl_describe_acls_response_describe_acls_resource_t *r = &m.resources.items[0];
    ck_assert_int_eq(r->resource_type, 2);
    ck_assert(kl_str_eq(r->resource_name, "orders"));
    ck_assert_int_eq(r->pattern_type, 3);
    ck_assert_int_eq(r->acls.count, 2);
    ck_assert(kl_str_eq(r->acls.items[0].principal, "User:alice"));
    ck_assert(kl_str_eq(r->acls.items[1].principal, "User:bob"));
    ck_assert_int_eq(r->acls.items[1].operation, 4);
    ck_assert_int_eq(r->acls.items[1].permission_type, 2);
}
END_TEST

/* ---- every message at every version ------------------------------------- */

static const struct {
    const kl_schema_t *request, *response;
    int16_t max_version, flex_min;
} apis[] = {
    {&kl_create_topics_request_schema, &kl_create_topics_response_schema, 7, 5},
    {&kl_delete_topics_request_schema, &kl_delete_topics_response_schema, 6, 4},
    {&kl_create_partitions_request_schema, &kl_create_partitions_response_schema, 3, 2},
    {&kl_delete_records_request_schema, &kl_delete_records_response_schema, 2, 2},
    {&kl_describe_configs_request_schema, &kl_describe_configs_response_schema, 4, 4},
    {&kl_alter_configs_request_schema, &kl_alter_configs_response_schema, 2, 2},
    {&kl_incremental_alter_configs_request_schema, &kl_incremental_alter_configs_response_schema,
     1, 1},
    {&kl_describe_acls_request_schema, &kl_describe_acls_response_schema, 3, 2},
    {&kl_create_acls_request_schema, &kl_create_acls_response_schema, 3, 2},
    {&kl_delete_acls_request_schema, &kl_delete_acls_response_schema, 3, 2},
};

/* A message at its defaults must encode at every version (no default is
 * null where the field is not nullable) and decode back equal. */
static void defaults_round_trip(const kl_schema_t *schema, int16_t version, bool flexible)
{
    void *a = calloc(1, schema->size), *b = calloc(1, schema->size);
    ck_assert(a && b);
    kl_proto_init(schema, a);
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_msg(kl_proto_encode(&buf, schema, version, flexible, a) == KL_ERR_NONE,
                  "%s v%d: defaults do not encode", schema->name, version);
    kl_rd_t rd;
    kl_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(kl_proto_decode(&rd, schema, version, flexible, &arena, b), KL_ERR_NONE);
    ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
    ck_assert_msg(kl_proto_equal(schema, version, a, b), "%s v%d", schema->name, version);
    kl_buf_free(&buf);
    free(a);
    free(b);
}

START_TEST(test_defaults_round_trip_every_version)
{
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        for (int16_t v = 0; v <= apis[i].max_version; v++) {
            defaults_round_trip(apis[i].request, v, v >= apis[i].flex_min);
            defaults_round_trip(apis[i].response, v, v >= apis[i].flex_min);
        }
}
END_TEST

START_TEST(test_defaults_follow_kafka)
{
    kl_create_topics_request_t ct;
    kl_proto_init(&kl_create_topics_request_schema, &ct);
    ck_assert_int_eq(ct.timeout_ms, 60000);
    ck_assert(!ct.validate_only);

    kl_create_topics_response_creatable_topic_result_t ctr;
    kl_delete_topics_request_delete_topic_state_t dts;
    kl_describe_configs_response_describe_configs_resource_result_t dcr;
    /* nested schemas are static: reach them through their parent's field */
    kl_proto_init(kl_create_topics_response_schema.fields[1].sub, &ctr);
    ck_assert_int_eq(ctr.num_partitions, -1);
    ck_assert_int_eq(ctr.replication_factor, -1);
    ck_assert_int_eq(ctr.error_message.len, 0);
    kl_proto_init(kl_delete_topics_request_schema.fields[0].sub, &dts);
    ck_assert_int_eq(dts.name.len, -1);
    kl_proto_init(kl_describe_configs_response_schema.fields[1].sub->fields[4].sub, &dcr);
    ck_assert_int_eq(dcr.config_source, -1);
    ck_assert_int_eq(dcr.config_type, 0);

    kl_describe_acls_request_t da;
    kl_proto_init(&kl_describe_acls_request_schema, &da);
    ck_assert_int_eq(da.pattern_type_filter, 3);
}
END_TEST

static Suite *proto_admin_suite(void)
{
    Suite *s = suite_create("proto_admin");
    TCase *tc = tcase_create("vectors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_topics_request_v0);
    tcase_add_test(tc, test_create_topics_response_v5);
    tcase_add_test(tc, test_delete_topics_request_v4);
    tcase_add_test(tc, test_delete_topics_request_v6);
    tcase_add_test(tc, test_delete_topics_response_v6);
    tcase_add_test(tc, test_create_partitions_request_v1);
    tcase_add_test(tc, test_delete_records_v0);
    tcase_add_test(tc, test_describe_configs_request_v1);
    tcase_add_test(tc, test_describe_configs_response_v1);
    tcase_add_test(tc, test_describe_configs_response_v0);
    tcase_add_test(tc, test_incremental_alter_configs_v1);
    tcase_add_test(tc, test_create_acls_request_v1);
    tcase_add_test(tc, test_create_acls_request_v0_defaults_to_literal);
    tcase_add_test(tc, test_describe_acls_response_v1);
    tcase_add_test(tc, test_defaults_round_trip_every_version);
    tcase_add_test(tc, test_defaults_follow_kafka);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proto_admin_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
