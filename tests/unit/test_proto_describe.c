/* Unit tests for the DescribeLogDirs, DescribeProducers,
 * DescribeTransactions, ListTransactions, DescribeClientQuotas and
 * AlterClientQuotas message tables (msg_log_dirs, msg_describe_producers,
 * msg_txn_admin, msg_client_quotas): byte vectors written out by hand
 * from Kafka's protocol rules are decoded, checked field by field,
 * re-encoded byte for byte, and cut short at every offset. */
#include <check.h>
#include <stdlib.h>

#include "proto/codec.h"
#include "proto/msg_client_quotas.h"
#include "proto/msg_describe_producers.h"
#include "proto/msg_log_dirs.h"
#include "proto/msg_txn_admin.h"
#include "proto_vector.h"

#define I16(v) (uint8_t)((uint16_t)(v) >> 8), (uint8_t)(v)
#define I32(v) I16((uint32_t)(v) >> 16), I16((uint32_t)(v))
#define I64(v) I32((uint64_t)(v) >> 32), I32((uint64_t)(v))
#define NULL16 0xff, 0xff             /* classic null string */
#define NULL32 0xff, 0xff, 0xff, 0xff /* classic null array */
#define NO_TAGS 0x00                  /* flexible: empty tagged-field section */

static kl_arena_t arena;

static void setup(void) { kl_arena_init(&arena, 0); }
static void teardown(void) { kl_arena_free(&arena); }

#define DECODE(schema, version, flexible, vec, msg) \
    check_proto_vector(&(schema), (version), (flexible), (vec), sizeof(vec), &arena, (msg))

/* DescribeLogDirs v1 (classic): null topics, every partition. */
static const uint8_t log_dirs_req_v1[] = {NULL32};

/* DescribeLogDirs v4 (flexible): partitions 0 and 2 of "t1". */
static const uint8_t log_dirs_req_v4[] = {
    0x02,                        /* topics (compact: n + 1) */
    0x03, 't', '1',              /*   topic */
    0x03, I32(0), I32(2),        /*   partitions */
    NO_TAGS, NO_TAGS,
};

START_TEST(test_describe_log_dirs_request)
{
    kl_describe_log_dirs_request_t m;
    DECODE(kl_describe_log_dirs_request_schema, 1, false, log_dirs_req_v1, &m);
    ck_assert_int_eq(m.topics.count, -1);
    DECODE(kl_describe_log_dirs_request_schema, 4, true, log_dirs_req_v4, &m);
    ck_assert_int_eq(m.topics.count, 1);
    ck_assert(kl_str_eq(m.topics.items[0].topic, "t1"));
    ck_assert_int_eq(m.topics.items[0].partitions.count, 2);
    ck_assert_int_eq(m.topics.items[0].partitions.items[1], 2);
}
END_TEST

/* DescribeLogDirs v4 response: one dir "/d" holding t1-2 (100 bytes) on a
 * volume of 1000 bytes with 500 usable. */
static const uint8_t log_dirs_resp_v4[] = {
    I32(0),                                  /* throttle_time_ms */
    I16(0),                                  /* error_code (v3+) */
    0x02,                                    /* results */
    I16(0), 0x03, '/', 'd',                  /*   error_code, log_dir */
    0x02, 0x03, 't', '1',                    /*   topics: name */
    0x02, I32(2), I64(100), I64(0), 0x00,    /*     partitions: index, size, lag, future */
    NO_TAGS, NO_TAGS,
    I64(1000), I64(500),                     /*   total_bytes, usable_bytes (v4+) */
    NO_TAGS, NO_TAGS,
};

/* The same in v0: no top-level error code, no volume sizes. */
static const uint8_t log_dirs_resp_v0[] = {
    I32(0),
    I32(1),
    I16(0), I16(2), '/', 'd',
    I32(1), I16(2), 't', '1',
    I32(1), I32(2), I64(100), I64(0), 0x00,
};

START_TEST(test_describe_log_dirs_response)
{
    kl_describe_log_dirs_response_t m;
    DECODE(kl_describe_log_dirs_response_schema, 4, true, log_dirs_resp_v4, &m);
    ck_assert_int_eq(m.results.count, 1);
    ck_assert(kl_str_eq(m.results.items[0].log_dir, "/d"));
    ck_assert_int_eq(m.results.items[0].total_bytes, 1000);
    ck_assert_int_eq(m.results.items[0].usable_bytes, 500);
    ck_assert_int_eq(m.results.items[0].topics.items[0].partitions.items[0].partition_size, 100);
    DECODE(kl_describe_log_dirs_response_schema, 0, false, log_dirs_resp_v0, &m);
    ck_assert_int_eq(m.results.items[0].topics.items[0].partitions.items[0].partition_index, 2);
    ck_assert_int_eq(m.results.items[0].total_bytes, -1);
    ck_assert_int_eq(m.results.items[0].usable_bytes, -1);
}
END_TEST

/* DescribeProducers v0: partition 1 of "t1"; the answer lists producer 7
 * (epoch 0, last sequence 41) outside any transaction. */
static const uint8_t producers_req_v0[] = {
    0x02, 0x03, 't', '1', 0x02, I32(1), NO_TAGS, NO_TAGS,
};

static const uint8_t producers_resp_v0[] = {
    I32(0),                                   /* throttle_time_ms */
    0x02, 0x03, 't', '1',                     /* topics: name */
    0x02, I32(1), I16(0), 0x00,               /*   partitions: index, error, null message */
    0x02, I64(7), I32(0), I32(41),            /*     producer id, epoch, last sequence */
    I64(1700000000000), I32(-1), I64(-1),     /*     last timestamp, coordinator epoch, txn start */
    NO_TAGS, NO_TAGS, NO_TAGS, NO_TAGS,
};

START_TEST(test_describe_producers)
{
    kl_describe_producers_request_t req;
    DECODE(kl_describe_producers_request_schema, 0, true, producers_req_v0, &req);
    ck_assert(kl_str_eq(req.topics.items[0].name, "t1"));
    ck_assert_int_eq(req.topics.items[0].partition_indexes.items[0], 1);
    kl_describe_producers_response_t resp;
    DECODE(kl_describe_producers_response_schema, 0, true, producers_resp_v0, &resp);
    const kl_describe_producers_response_partition_t *p = &resp.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->error_message.len, -1);
    ck_assert_int_eq(p->active_producers.count, 1);
    ck_assert_int_eq(p->active_producers.items[0].producer_id, 7);
    ck_assert_int_eq(p->active_producers.items[0].last_sequence, 41);
    ck_assert_int_eq(p->active_producers.items[0].last_timestamp, 1700000000000);
    ck_assert_int_eq(p->active_producers.items[0].coordinator_epoch, -1);
}
END_TEST

/* DescribeTransactions v0: "tx"; the answer: ongoing, producer 5 epoch 2,
 * timeout 60000, started at 1700000000000, partitions 0 and 3 of "t1". */
static const uint8_t transactions_req_v0[] = {0x02, 0x03, 't', 'x', NO_TAGS};

static const uint8_t transactions_resp_v0[] = {
    I32(0),                                        /* throttle_time_ms */
    0x02, I16(0), 0x03, 't', 'x',                  /* states: error, id */
    0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g',       /*   state */
    I32(60000), I64(1700000000000), I64(5), I16(2), /*   timeout, start, producer id, epoch */
    0x02, 0x03, 't', '1', 0x03, I32(0), I32(3),    /*   topics: topic, partitions */
    NO_TAGS, NO_TAGS, NO_TAGS,
};

START_TEST(test_describe_transactions)
{
    kl_describe_transactions_request_t req;
    DECODE(kl_describe_transactions_request_schema, 0, true, transactions_req_v0, &req);
    ck_assert_int_eq(req.transactional_ids.count, 1);
    ck_assert(kl_str_eq(req.transactional_ids.items[0], "tx"));
    kl_describe_transactions_response_t resp;
    DECODE(kl_describe_transactions_response_schema, 0, true, transactions_resp_v0, &resp);
    const kl_describe_transactions_response_state_t *st = &resp.transaction_states.items[0];
    ck_assert(kl_str_eq(st->transaction_state, "Ongoing"));
    ck_assert_int_eq(st->transaction_timeout_ms, 60000);
    ck_assert_int_eq(st->transaction_start_time_ms, 1700000000000);
    ck_assert_int_eq(st->producer_id, 5);
    ck_assert_int_eq(st->producer_epoch, 2);
    ck_assert(kl_str_eq(st->topics.items[0].topic, "t1"));
    ck_assert_int_eq(st->topics.items[0].partitions.count, 2);
    ck_assert_int_eq(st->topics.items[0].partitions.items[1], 3);
}
END_TEST

/* ListTransactions v0 (no duration filter) and v1: state "Ongoing",
 * producer 9; the answer lists "tx" and names the unknown filter "Bad". */
static const uint8_t list_txn_req_v0[] = {
    0x02, 0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', 0x02, I64(9), NO_TAGS,
};
static const uint8_t list_txn_req_v1[] = {
    0x02, 0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', 0x02, I64(9), I64(1000), NO_TAGS,
};

static const uint8_t list_txn_resp_v1[] = {
    I32(0), I16(0),                                /* throttle_time_ms, error */
    0x02, 0x04, 'B', 'a', 'd',                     /* unknown state filters */
    0x02, 0x03, 't', 'x', I64(9),                  /* states: id, producer id */
    0x08, 'O', 'n', 'g', 'o', 'i', 'n', 'g', NO_TAGS, /*   state */
    NO_TAGS,
};

START_TEST(test_list_transactions)
{
    kl_list_transactions_request_t req;
    DECODE(kl_list_transactions_request_schema, 0, true, list_txn_req_v0, &req);
    ck_assert(kl_str_eq(req.state_filters.items[0], "Ongoing"));
    ck_assert_int_eq(req.producer_id_filters.items[0], 9);
    ck_assert_int_eq(req.duration_filter, -1);
    DECODE(kl_list_transactions_request_schema, 1, true, list_txn_req_v1, &req);
    ck_assert_int_eq(req.duration_filter, 1000);
    kl_list_transactions_response_t resp;
    DECODE(kl_list_transactions_response_schema, 1, true, list_txn_resp_v1, &resp);
    ck_assert(kl_str_eq(resp.unknown_state_filters.items[0], "Bad"));
    ck_assert(kl_str_eq(resp.transaction_states.items[0].transactional_id, "tx"));
    ck_assert_int_eq(resp.transaction_states.items[0].producer_id, 9);
    ck_assert(kl_str_eq(resp.transaction_states.items[0].transaction_state, "Ongoing"));
}
END_TEST

/* DescribeClientQuotas v0 (classic): every named user, strictly. */
static const uint8_t quotas_req_v0[] = {
    I32(1),                          /* components */
    I16(4), 'u', 's', 'e', 'r',      /*   entity_type */
    0x02, NULL16,                    /*   match_type SPECIFIED, null match */
    0x01,                            /* strict */
};

/* v1 (flexible): user "alice" exactly, the default client-id, not strict. */
static const uint8_t quotas_req_v1[] = {
    0x03,                                    /* components (compact: n + 1) */
    0x05, 'u', 's', 'e', 'r', 0x00,          /*   user, EXACT */
    0x06, 'a', 'l', 'i', 'c', 'e', NO_TAGS,  /*   match "alice" */
    0x0a, 'c', 'l', 'i', 'e', 'n', 't', '-', 'i', 'd', 0x01, 0x00, NO_TAGS, /* client-id, DEFAULT, null */
    0x00,                                    /* strict */
    NO_TAGS,
};

START_TEST(test_describe_client_quotas_request)
{
    kl_describe_client_quotas_request_t m;
    DECODE(kl_describe_client_quotas_request_schema, 0, false, quotas_req_v0, &m);
    ck_assert_int_eq(m.components.count, 1);
    ck_assert(kl_str_eq(m.components.items[0].entity_type, "user"));
    ck_assert_int_eq(m.components.items[0].match_type, KL_QUOTA_MATCH_SPECIFIED);
    ck_assert_int_eq(m.components.items[0].match.len, -1);
    ck_assert(m.strict);
    DECODE(kl_describe_client_quotas_request_schema, 1, true, quotas_req_v1, &m);
    ck_assert_int_eq(m.components.count, 2);
    ck_assert(kl_str_eq(m.components.items[0].match, "alice"));
    ck_assert(kl_str_eq(m.components.items[1].entity_type, "client-id"));
    ck_assert_int_eq(m.components.items[1].match_type, KL_QUOTA_MATCH_DEFAULT);
    ck_assert_int_eq(m.components.items[1].match.len, -1);
    ck_assert(!m.strict);
}
END_TEST

/* v1 response: the default user's producer_byte_rate is 1024.0 (IEEE 754
 * big-endian 0x4090000000000000). */
static const uint8_t quotas_resp_v1[] = {
    I32(0), I16(0), 0x00,                         /* throttle, error, null message */
    0x02,                                         /* entries */
    0x02, 0x05, 'u', 's', 'e', 'r', 0x00, NO_TAGS, /*   entity: user, null name */
    0x02, 0x13, 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', '_', 'b', 'y', 't', 'e', '_', 'r', 'a', 't', 'e',
    0x40, 0x90, 0, 0, 0, 0, 0, 0, NO_TAGS,        /*   values: key, value */
    NO_TAGS, NO_TAGS,
};

/* v0 error answer as Kafka gives it: a message and a null entry list. */
static const uint8_t quotas_resp_v0[] = {
    I32(0), I16(42), I16(26), 'I', 'n', 'v', 'a', 'l', 'i', 'd', ' ', 'e', 'm', 'p', 't', 'y', ' ',
    'e', 'n', 't', 'i', 't', 'y', ' ', 't', 'y', 'p', 'e', '.', NULL32,
};

START_TEST(test_describe_client_quotas_response)
{
    kl_describe_client_quotas_response_t m;
    DECODE(kl_describe_client_quotas_response_schema, 1, true, quotas_resp_v1, &m);
    ck_assert_int_eq(m.entries.count, 1);
    ck_assert(kl_str_eq(m.entries.items[0].entity.items[0].entity_type, "user"));
    ck_assert_int_eq(m.entries.items[0].entity.items[0].entity_name.len, -1);
    ck_assert(kl_str_eq(m.entries.items[0].values.items[0].key, "producer_byte_rate"));
    ck_assert(m.entries.items[0].values.items[0].value == 1024.0);
    DECODE(kl_describe_client_quotas_response_schema, 0, false, quotas_resp_v0, &m);
    ck_assert_int_eq(m.error_code, 42);
    ck_assert(kl_str_eq(m.error_message, "Invalid empty entity type."));
    ck_assert_int_eq(m.entries.count, -1);
}
END_TEST

/* AlterClientQuotas v0 (classic): client-id "c1" gets producer_byte_rate
 * 1024.0 and loses consumer_byte_rate; not validate-only. */
static const uint8_t alter_quotas_req_v0[] = {
    I32(1),                                                   /* entries */
    I32(1), I16(9), 'c', 'l', 'i', 'e', 'n', 't', '-', 'i', 'd', /*   entity: type */
    I16(2), 'c', '1',                                         /*     name */
    I32(2),                                                   /*   ops */
    I16(18), 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', '_', 'b', 'y', 't', 'e', '_', 'r', 'a', 't', 'e',
    0x40, 0x90, 0, 0, 0, 0, 0, 0, 0x00,                       /*     value 1024.0, remove false */
    I16(18), 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', '_', 'b', 'y', 't', 'e', '_', 'r', 'a', 't', 'e',
    0, 0, 0, 0, 0, 0, 0, 0, 0x01,                             /*     value 0.0, remove true */
    0x00,                                                     /* validate_only */
};

/* v1 response (flexible): the default client-id refused, with a message. */
static const uint8_t alter_quotas_resp_v1[] = {
    I32(0),                                                   /* throttle_time_ms */
    0x02,                                                     /* entries */
    I16(42), 0x04, 'b', 'a', 'd',                             /*   error, message */
    0x02, 0x0a, 'c', 'l', 'i', 'e', 'n', 't', '-', 'i', 'd', 0x00, NO_TAGS, /* entity: client-id, null */
    NO_TAGS, NO_TAGS,
};

START_TEST(test_alter_client_quotas)
{
    kl_alter_client_quotas_request_t req;
    DECODE(kl_alter_client_quotas_request_schema, 0, false, alter_quotas_req_v0, &req);
    ck_assert_int_eq(req.entries.count, 1);
    const kl_alter_client_quotas_request_entry_t *e = &req.entries.items[0];
    ck_assert(kl_str_eq(e->entity.items[0].entity_type, "client-id"));
    ck_assert(kl_str_eq(e->entity.items[0].entity_name, "c1"));
    ck_assert_int_eq(e->ops.count, 2);
    ck_assert(kl_str_eq(e->ops.items[0].key, "producer_byte_rate"));
    ck_assert(e->ops.items[0].value == 1024.0 && !e->ops.items[0].remove);
    ck_assert(kl_str_eq(e->ops.items[1].key, "consumer_byte_rate"));
    ck_assert(e->ops.items[1].remove);
    ck_assert(!req.validate_only);
    kl_alter_client_quotas_response_t resp;
    DECODE(kl_alter_client_quotas_response_schema, 1, true, alter_quotas_resp_v1, &resp);
    ck_assert_int_eq(resp.entries.count, 1);
    ck_assert_int_eq(resp.entries.items[0].error_code, 42);
    ck_assert(kl_str_eq(resp.entries.items[0].error_message, "bad"));
    ck_assert(kl_str_eq(resp.entries.items[0].entity.items[0].entity_type, "client-id"));
    ck_assert_int_eq(resp.entries.items[0].entity.items[0].entity_name.len, -1);
}
END_TEST

static Suite *proto_describe_suite(void)
{
    Suite *s = suite_create("proto_describe");
    TCase *tc = tcase_create("vectors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_describe_log_dirs_request);
    tcase_add_test(tc, test_describe_log_dirs_response);
    tcase_add_test(tc, test_describe_producers);
    tcase_add_test(tc, test_describe_transactions);
    tcase_add_test(tc, test_list_transactions);
    tcase_add_test(tc, test_describe_client_quotas_request);
    tcase_add_test(tc, test_describe_client_quotas_response);
    tcase_add_test(tc, test_alter_client_quotas);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proto_describe_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
