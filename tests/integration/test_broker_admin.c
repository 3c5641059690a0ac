/* Administration over the wire: ListOffsets' newer special timestamps,
 * DeleteRecords, CreatePartitions, and topic configs described, replaced
 * (AlterConfigs) and edited (IncrementalAlterConfigs), taking effect on the
 * logs at once and kept across a restart. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "proto/msg_config.h"
#include "proto/msg_metadata.h"
#include "proto/msg_topic_admin.h"

#define WAIT_MS 10000

static void produce_at(wire_client_t *wc, const char *topic, int32_t partition, int first, int64_t ts0)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch_with(&w, NULL, first, 3, 50, ts0, &data, &len);
    ck_assert_int_eq(produce_raw(wc, topic, partition, data, len, 9, NULL), 0);
    kl_batch_writer_free(&w);
}

/* ------------------------------------------------------------ ListOffsets */

START_TEST(test_list_offsets_special)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "times", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 7, "times", -3, NULL), -1); /* empty: no record */
    /* record i of a batch from `first` is stamped ts0 + i */
    produce_at(&wc, "times", 0, 0, WIRE_BASE_TIMESTAMP);
    produce_at(&wc, "times", 0, 3, WIRE_BASE_TIMESTAMP + 100); /* max: offset 5 */
    produce_at(&wc, "times", 0, 6, WIRE_BASE_TIMESTAMP);
    int64_t ts;
    ck_assert_int_eq(list_offset(&wc, 7, "times", -3, &ts), 5);
    ck_assert_int_eq(ts, WIRE_BASE_TIMESTAMP + 105);
    ck_assert_int_eq(list_offset(&wc, 8, "times", -4, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 9, "times", -5, NULL), -1);
    ck_assert_int_eq(list_offset(&wc, 10, "times", -1, NULL), 9);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ DeleteRecords */

static int16_t delete_records(wire_client_t *wc, const char *topic, int32_t partition, int64_t offset,
                              int64_t *low)
{
    kl_delete_records_request_delete_records_partition_t p = {partition, offset};
    kl_delete_records_request_delete_records_topic_t t = {.name = kl_str(topic), .partitions = {&p, 1}};
    kl_delete_records_request_t req;
    kl_proto_init(&kl_delete_records_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    req.timeout_ms = WAIT_MS;
    kl_delete_records_response_t resp;
    exchange_t x;
    call(wc, KL_API_DELETE_RECORDS, 2, &req, &resp, &x);
    const kl_delete_records_response_delete_records_partition_result_t *r = &resp.topics.items[0].partitions.items[0];
    int16_t err = r->error_code;
    *low = r->low_watermark;
    done(&x);
    return err;
}

static int16_t fetch_error(wire_client_t *wc, const char *topic, int64_t offset, int *records)
{
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, topic, offset, 1, 0);
    kl_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_FETCH, 11, &req, &resp, &x);
    const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
    int16_t err = rp->error_code;
    if (records)
        *records = err ? 0 : count_records(rp, offset);
    done(&x);
    return err;
}

START_TEST(test_delete_records)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "trim", 1, 1, "segment.bytes", "200", false, NULL), 0);
    for (int i = 0; i < 10; i++)
        produce_at(&wc, "trim", 0, 3 * i, WIRE_BASE_TIMESTAMP);
    int64_t low;
    ck_assert_int_eq(delete_records(&wc, "trim", 0, 7, &low), 0);
    ck_assert_int_eq(low, 7);
    ck_assert_int_eq(list_offset(&wc, 1, "trim", -2, NULL), 7);
    ck_assert_int_eq(fetch_error(&wc, "trim", 6, NULL), KL_ERR_OFFSET_OUT_OF_RANGE);
    int records;
    ck_assert_int_eq(fetch_error(&wc, "trim", 7, &records), 0);
    ck_assert_int_eq(records, 2); /* the batch holding 7 (one segment per answer) */
    ck_assert_int_eq(delete_records(&wc, "trim", 0, 3, &low), 0); /* below the start: nothing moves */
    ck_assert_int_eq(low, 7);
    ck_assert_int_eq(delete_records(&wc, "trim", 0, 31, &low), KL_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(delete_records(&wc, "trim", 0, -7, &low), KL_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(delete_records(&wc, "trim", 1, 0, &low), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(delete_records(&wc, "nope", 0, 0, &low), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(delete_records(&wc, "trim", 0, -1, &low), 0); /* up to the high watermark */
    ck_assert_int_eq(low, 30);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(list_offset(&wc, 1, "trim", -2, NULL), 30);
    produce_at(&wc, "trim", 0, 30, WIRE_BASE_TIMESTAMP);
    ck_assert_int_eq(fetch_error(&wc, "trim", 30, &records), 0);
    ck_assert_int_eq(records, 3);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ CreatePartitions */

static int16_t create_partitions(wire_client_t *wc, const char *topic, int32_t count, int32_t assign_to,
                                 bool validate_only)
{
    int32_t broker = assign_to;
    kl_create_partitions_request_create_partitions_assignment_t a[8];
    for (int i = 0; i < 8; i++) {
        a[i].broker_ids.items = &broker;
        a[i].broker_ids.count = 1;
    }
    kl_create_partitions_request_create_partitions_topic_t t = {.name = kl_str(topic), .count = count};
    t.assignments.items = assign_to >= 0 ? a : NULL;
    t.assignments.count = assign_to >= 0 ? 2 : -1;
    kl_create_partitions_request_t req;
    kl_proto_init(&kl_create_partitions_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    req.timeout_ms = WAIT_MS;
    req.validate_only = validate_only;
    kl_create_partitions_response_t resp;
    exchange_t x;
    call(wc, KL_API_CREATE_PARTITIONS, 3, &req, &resp, &x);
    int16_t err = resp.results.items[0].error_code;
    ck_assert(err == 0 || resp.results.items[0].error_message.len > 0);
    done(&x);
    return err;
}

static int32_t partition_count(wire_client_t *wc, const char *topic)
{
    kl_metadata_request_topic_t t = {.name = kl_str(topic)};
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    kl_metadata_response_t resp;
    exchange_t x;
    call(wc, KL_API_METADATA, 12, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.items[0].error_code, 0);
    int32_t n = resp.topics.items[0].partitions.count;
    done(&x);
    return n;
}

START_TEST(test_create_partitions)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "grow", 2, 1, NULL, NULL, false, NULL), 0);
    produce_at(&wc, "grow", 1, 0, WIRE_BASE_TIMESTAMP);
    ck_assert_int_eq(create_partitions(&wc, "grow", 6, -1, true), 0); /* validate only */
    ck_assert_int_eq(partition_count(&wc, "grow"), 2);
    ck_assert_int_eq(create_partitions(&wc, "grow", 4, 7, false), KL_ERR_INVALID_REPLICA_ASSIGNMENT);
    ck_assert_int_eq(create_partitions(&wc, "grow", 4, 1, false), 0); /* two assigned to node 1 */
    ck_assert_int_eq(partition_count(&wc, "grow"), 4);
    ck_assert_int_eq(create_partitions(&wc, "grow", 4, -1, false), KL_ERR_INVALID_PARTITIONS);
    ck_assert_int_eq(create_partitions(&wc, "grow", 3, -1, false), KL_ERR_INVALID_PARTITIONS);
    ck_assert_int_eq(create_partitions(&wc, "nope", 3, -1, false), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(create_partitions(&wc, "grow", 5, -1, false), 0);
    produce_at(&wc, "grow", 4, 0, WIRE_BASE_TIMESTAMP);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(partition_count(&wc, "grow"), 5);
    kl_list_offsets_request_partition_t parts[5];
    for (int32_t p = 0; p < 5; p++)
        parts[p] = (kl_list_offsets_request_partition_t){p, -1, -1, 1};
    kl_list_offsets_request_topic_t lt = {.name = kl_str("grow"), .partitions = {parts, 5}};
    kl_list_offsets_request_t req;
    kl_proto_init(&kl_list_offsets_request_schema, &req);
    req.replica_id = -1;
    req.topics.items = &lt;
    req.topics.count = 1;
    kl_list_offsets_response_t resp;
    exchange_t x;
    call(&wc, KL_API_LIST_OFFSETS, 5, &req, &resp, &x);
    static const int64_t want[5] = {0, 3, 0, 0, 3}; /* existing data kept, new partitions empty */
    for (int32_t p = 0; p < 5; p++)
        ck_assert_int_eq(resp.topics.items[0].partitions.items[p].offset, want[p]);
    done(&x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ configs */

typedef kl_describe_configs_response_describe_configs_resource_result_t described_t;

typedef struct described {
    exchange_t x;
    kl_describe_configs_response_describe_configs_result_t *result;
} described_set_t;

/* DescribeConfigs of one resource (keys NULL-terminated, or NULL: all). */
static void describe(wire_client_t *wc, int16_t version, int8_t type, const char *name, const char *const *keys,
                     described_set_t *out)
{
    kl_str_t k[8];
    int32_t nk = 0;
    for (; keys && keys[nk]; nk++)
        k[nk] = kl_str(keys[nk]);
    kl_describe_configs_request_describe_configs_resource_t res = {.resource_type = type,
                                                                   .resource_name = kl_str(name)};
    res.configuration_keys.items = keys ? k : NULL;
    res.configuration_keys.count = keys ? nk : -1;
    kl_describe_configs_request_t req;
    kl_proto_init(&kl_describe_configs_request_schema, &req);
    req.resources.items = &res;
    req.resources.count = 1;
    req.include_synonyms = true;
    req.include_documentation = true;
    static kl_describe_configs_response_t resp;
    call(wc, KL_API_DESCRIBE_CONFIGS, version, &req, &resp, &out->x);
    ck_assert_int_eq(resp.results.count, 1);
    out->result = &resp.results.items[0];
}

static const described_t *find_config(const described_set_t *d, const char *name)
{
    for (int32_t i = 0; i < d->result->configs.count; i++)
        if (kl_str_eq(d->result->configs.items[i].name, name))
            return &d->result->configs.items[i];
    ck_abort_msg("config %s not described", name);
    return NULL;
}

/* The value and source of one topic config. */
static void expect_config(wire_client_t *wc, const char *topic, const char *name, const char *value, int source)
{
    described_set_t d;
    describe(wc, 4, 2, topic, NULL, &d);
    ck_assert_int_eq(d.result->error_code, 0);
    const described_t *c = find_config(&d, name);
    ck_assert_msg(kl_str_eq(c->value, value), "%s = %.*s, want %s", name, (int)c->value.len, c->value.ptr, value);
    ck_assert_int_eq(c->config_source, source);
    done(&d.x);
}

typedef kl_incremental_alter_configs_request_alterable_config_t op_t;

static int16_t incremental(wire_client_t *wc, int8_t type, const char *name, const op_t *ops, int32_t n,
                           bool validate_only)
{
    kl_incremental_alter_configs_request_alter_configs_resource_t res = {
        .resource_type = type, .resource_name = kl_str(name), .configs = {(op_t *)ops, n}};
    kl_incremental_alter_configs_request_t req;
    kl_proto_init(&kl_incremental_alter_configs_request_schema, &req);
    req.resources.items = &res;
    req.resources.count = 1;
    req.validate_only = validate_only;
    kl_incremental_alter_configs_response_t resp;
    exchange_t x;
    call(wc, KL_API_INCREMENTAL_ALTER_CONFIGS, 1, &req, &resp, &x);
    int16_t err = resp.responses.items[0].error_code;
    done(&x);
    return err;
}

static int16_t alter(wire_client_t *wc, const char *topic, const char *name, const char *value, bool validate_only)
{
    kl_alter_configs_request_alterable_config_t c = {kl_str(name), kl_str(value)};
    kl_alter_configs_request_alter_configs_resource_t res = {.resource_type = 2, .resource_name = kl_str(topic),
                                                             .configs = {&c, 1}};
    kl_alter_configs_request_t req;
    kl_proto_init(&kl_alter_configs_request_schema, &req);
    req.resources.items = &res;
    req.resources.count = 1;
    req.validate_only = validate_only;
    kl_alter_configs_response_t resp;
    exchange_t x;
    call(wc, KL_API_ALTER_CONFIGS, 2, &req, &resp, &x);
    int16_t err = resp.responses.items[0].error_code;
    done(&x);
    return err;
}

START_TEST(test_describe_configs)
{
    static const char *const props[] = {"message.max.bytes", "2000000", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "described", 1, 1, "retention.ms", "1000", false, NULL), 0);
    expect_config(&wc, "described", "retention.ms", "1000", 1);           /* the topic's own */
    expect_config(&wc, "described", "max.message.bytes", "2000000", 4);   /* the broker's */
    expect_config(&wc, "described", "segment.bytes", "1073741824", 5);    /* Kafka's default */
    expect_config(&wc, "described", "cleanup.policy", "delete", 5);
    expect_config(&wc, "described", "compression.gzip.level", "-1", 5);
    described_set_t d;
    static const char *const keys[] = {"retention.ms", "no.such.key", NULL};
    describe(&wc, 1, 2, "described", keys, &d);
    ck_assert_int_eq(d.result->configs.count, 1);
    const described_t *c = &d.result->configs.items[0];
    ck_assert_int_eq(c->synonyms.count, 2);
    ck_assert(kl_str_eq(c->synonyms.items[1].name, "log.retention.ms"));
    ck_assert(kl_str_eq(c->synonyms.items[1].value, "604800000"));
    done(&d.x);
    describe(&wc, 0, 2, "described", NULL, &d);
    ck_assert(find_config(&d, "segment.bytes")->is_default);
    ck_assert(!find_config(&d, "retention.ms")->is_default);
    done(&d.x);
    describe(&wc, 4, 2, "missing", NULL, &d);
    ck_assert_int_eq(d.result->error_code, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    done(&d.x);
    /* the broker's own, read-only */
    describe(&wc, 4, 4, "1", NULL, &d);
    ck_assert_int_eq(d.result->error_code, 0);
    c = find_config(&d, "message.max.bytes");
    ck_assert(kl_str_eq(c->value, "2000000"));
    ck_assert_int_eq(c->config_source, 4);
    ck_assert(c->read_only);
    ck_assert_int_eq(find_config(&d, "num.partitions")->config_source, 5);
    /* embedded without the setting: no first-rebalance delay (the daemon keeps 3000) */
    ck_assert(kl_str_eq(find_config(&d, "group.initial.rebalance.delay.ms")->value, "0"));
    done(&d.x);
    describe(&wc, 4, 4, "2", NULL, &d);
    ck_assert_int_eq(d.result->error_code, KL_ERR_INVALID_REQUEST);
    done(&d.x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_alter_configs)
{
    static const char *const props[] = {"log.retention.check.interval.ms", "20", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    static const char *const configs[] = {"retention.ms", "-1", "segment.bytes", "200", NULL};
    ck_assert_int_eq(create_topic_with(&wc, "altered", 1, 1, configs, false, NULL), 0);
    for (int i = 0; i < 4; i++)
        produce_at(&wc, "altered", 0, 3 * i, WIRE_BASE_TIMESTAMP);

    /* AlterConfigs replaces the whole set */
    ck_assert_int_eq(alter(&wc, "altered", "segment.ms", "bad", false), KL_ERR_INVALID_CONFIG);
    ck_assert_int_eq(alter(&wc, "altered", "segment.ms", "60000", true), 0);
    expect_config(&wc, "altered", "segment.bytes", "200", 1);
    expect_config(&wc, "altered", "segment.ms", "604800000", 5);
    ck_assert_int_eq(alter(&wc, "altered", "retention.ms", "-1", false), 0);
    expect_config(&wc, "altered", "retention.ms", "-1", 1);
    expect_config(&wc, "altered", "segment.bytes", "1073741824", 5);

    /* IncrementalAlterConfigs edits it; a retention set now applies */
    op_t keep[] = {{kl_str("retention.ms"), 0, kl_str("-1")}};
    ck_assert_int_eq(incremental(&wc, 2, "altered", keep, 1, false), 0);
    op_t bad[] = {{kl_str("retention.ms"), 2, kl_str("5")}};
    ck_assert_int_eq(incremental(&wc, 2, "altered", bad, 1, false), KL_ERR_INVALID_CONFIG);
    op_t twice[] = {{kl_str("flush.ms"), 0, kl_str("5")}, {kl_str("flush.ms"), 1, KL_STR_NULL}};
    ck_assert_int_eq(incremental(&wc, 2, "altered", twice, 2, false), KL_ERR_INVALID_REQUEST);
    ck_assert_int_eq(incremental(&wc, 4, "1", keep, 1, false), KL_ERR_INVALID_CONFIG);
    ck_assert_int_eq(incremental(&wc, 2, "missing", keep, 1, false), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    op_t policy[] = {{kl_str("cleanup.policy"), 2, kl_str("compact")}};
    ck_assert_int_eq(incremental(&wc, 2, "altered", policy, 1, false), 0);
    expect_config(&wc, "altered", "cleanup.policy", "delete,compact", 1);
    op_t edits[] = {{kl_str("cleanup.policy"), 3, kl_str("compact")},
                    {kl_str("segment.bytes"), 1, KL_STR_NULL},
                    {kl_str("retention.ms"), 0, kl_str("3600000")}};
    ck_assert_int_eq(incremental(&wc, 2, "altered", edits, 3, true), 0); /* validate only */
    expect_config(&wc, "altered", "retention.ms", "-1", 1);
    ck_assert_int_eq(incremental(&wc, 2, "altered", edits, 3, false), 0);
    expect_config(&wc, "altered", "cleanup.policy", "delete", 1);
    expect_config(&wc, "altered", "segment.bytes", "1073741824", 5);
    expect_config(&wc, "altered", "retention.ms", "3600000", 1);
    /* the records from 2023 are older than an hour: retention takes all
     * but the active segment */
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (list_offset(&wc, 1, "altered", -2, NULL) != 9 && fixture_now_ms() < deadline)
        usleep(2000);
    ck_assert_int_eq(list_offset(&wc, 1, "altered", -2, NULL), 9);

    /* kept across a restart */
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    expect_config(&wc, "altered", "retention.ms", "3600000", 1);
    expect_config(&wc, "altered", "cleanup.policy", "delete", 1);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *admin_suite(void)
{
    Suite *s = suite_create("broker_admin");
    TCase *tc = tcase_create("wire");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_list_offsets_special);
    tcase_add_test(tc, test_delete_records);
    tcase_add_test(tc, test_create_partitions);
    tcase_add_test(tc, test_describe_configs);
    tcase_add_test(tc, test_alter_configs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Topics here roll after a few batches: lower Kafka's 1 MiB
     * segment.bytes minimum for this process's brokers (a test-only knob). */
    setenv("KAFKALITE_TEST_MIN_SEGMENT_BYTES", "14", 1);
    SRunner *sr = srunner_create(admin_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
