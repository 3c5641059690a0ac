/* DescribeTransactions, ListTransactions and DescribeProducers against the
 * embedded broker while librdkafka's transactional producers run: an open
 * transaction is described (state, producer id and epoch, timeout, start
 * time, its partitions) and listed, with every filter; a committed one
 * shows CompleteCommit without partitions; an unknown id answers
 * TRANSACTIONAL_ID_NOT_FOUND; the partition shows the producer's ongoing
 * transaction's first offset; ApiVersions lists both APIs. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "proto/api.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_describe_producers.h"
#include "proto/msg_txn_admin.h"
#include "rdkafka_clients.h"
#include "util/arena.h"
#include "wire_client.h"

#define TIMEOUT_MS 30000

static broker_fixture_t fx;
static wire_client_t wc;
static kl_arena_t arena;
static uint8_t *frames[32];
static int nframes;

static void call(int16_t key, int16_t version, const void *body, void *resp)
{
    ck_assert_int_lt(nframes, 32);
    ck_assert_int_eq(wire_call(&wc, key, version, body, &arena, resp, &frames[nframes++], TIMEOUT_MS), 0);
}

static const kl_describe_transactions_response_state_t *describe(const char *id)
{
    kl_str_t ids[] = {kl_str(id)};
    kl_describe_transactions_request_t req = {.transactional_ids = {ids, 1}};
    kl_describe_transactions_response_t *resp = kl_arena_calloc(&arena, 1, sizeof *resp);
    call(KL_API_DESCRIBE_TRANSACTIONS, 0, &req, resp);
    ck_assert_int_eq(resp->transaction_states.count, 1);
    ck_assert(kl_str_eq(resp->transaction_states.items[0].transactional_id, id));
    return &resp->transaction_states.items[0];
}

/* ListTransactions v1 with the filters given (NULL/-1: none): the ids
 * listed, space-separated, sorted as the broker keeps them. */
static const kl_list_transactions_response_t *list(const char *state, int64_t pid, int64_t duration)
{
    kl_str_t states[] = {kl_str(state ? state : "")};
    int64_t pids[] = {pid};
    kl_list_transactions_request_t req = {.state_filters = {states, state ? 1 : 0},
                                          .producer_id_filters = {pids, pid >= 0 ? 1 : 0},
                                          .duration_filter = duration};
    kl_list_transactions_response_t *resp = kl_arena_calloc(&arena, 1, sizeof *resp);
    call(KL_API_LIST_TRANSACTIONS, 1, &req, resp);
    ck_assert_int_eq(resp->error_code, 0);
    return resp;
}

/* Whether the list holds id in state. */
static bool listed(const kl_list_transactions_response_t *resp, const char *id, const char *state)
{
    for (int32_t i = 0; i < resp->transaction_states.count; i++)
        if (kl_str_eq(resp->transaction_states.items[i].transactional_id, id))
            return kl_str_eq(resp->transaction_states.items[i].transaction_state, state);
    return false;
}

/* The transaction start times are wall-clock times. */
static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void setup(void)
{
    fixture_start(&fx, NULL);
    ck_assert_int_eq(wire_connect(&wc, fx.bootstrap), 0);
    kl_arena_init(&arena, 0);
    nframes = 0;
}

static void teardown(void)
{
    for (int i = 0; i < nframes; i++)
        free(frames[i]);
    kl_arena_free(&arena);
    wire_close(&wc);
    fixture_stop(&fx);
}

START_TEST(test_describe_and_list)
{
    create_topic(fx.bootstrap, "txa", 2);
    long long before = wall_ms();
    rd_kafka_t *open = rdkafka_txn_producer(fx.bootstrap, "txa-open");
    rd_kafka_t *done = rdkafka_txn_producer(fx.bootstrap, "txa-done");
    check_rdkafka_error(rd_kafka_begin_transaction(done), "begin");
    produce_values(done, "txa", "d", 1);
    check_rdkafka_error(rd_kafka_commit_transaction(done, TIMEOUT_MS), "commit");
    check_rdkafka_error(rd_kafka_begin_transaction(open), "begin");
    produce_values(open, "txa", "o", 2); /* partition 0, after the committed record and its marker */

    const kl_describe_transactions_response_state_t *st = describe("txa-open");
    ck_assert_int_eq(st->error_code, 0);
    ck_assert(kl_str_eq(st->transaction_state, "Ongoing"));
    ck_assert_int_eq(st->transaction_timeout_ms, 60000); /* librdkafka's transaction.timeout.ms */
    ck_assert_int_ge(st->transaction_start_time_ms, before);
    ck_assert_int_le(st->transaction_start_time_ms, wall_ms());
    ck_assert_int_ge(st->producer_id, 0);
    ck_assert_int_eq(st->producer_epoch, 0);
    ck_assert_int_eq(st->topics.count, 1);
    ck_assert(kl_str_eq(st->topics.items[0].topic, "txa"));
    ck_assert_int_eq(st->topics.items[0].partitions.count, 1);
    ck_assert_int_eq(st->topics.items[0].partitions.items[0], 0);
    int64_t open_pid = st->producer_id;

    st = describe("txa-done");
    ck_assert_int_eq(st->error_code, 0);
    ck_assert(kl_str_eq(st->transaction_state, "CompleteCommit"));
    ck_assert_int_eq(st->topics.count, 0);
    int64_t done_pid = st->producer_id;
    ck_assert_int_ne(done_pid, open_pid);

    st = describe("txa-nobody");
    ck_assert_int_eq(st->error_code, KL_ERR_TRANSACTIONAL_ID_NOT_FOUND);

    const kl_list_transactions_response_t *all = list(NULL, -1, -1);
    ck_assert_int_eq(all->transaction_states.count, 2);
    ck_assert(listed(all, "txa-open", "Ongoing"));
    ck_assert(listed(all, "txa-done", "CompleteCommit"));
    ck_assert_int_eq(all->unknown_state_filters.count, 0);
    const kl_list_transactions_response_t *ongoing = list("Ongoing", -1, -1);
    ck_assert_int_eq(ongoing->transaction_states.count, 1);
    ck_assert(listed(ongoing, "txa-open", "Ongoing"));
    ck_assert_int_eq(ongoing->transaction_states.items[0].producer_id, open_pid);
    const kl_list_transactions_response_t *by_pid = list(NULL, done_pid, -1);
    ck_assert_int_eq(by_pid->transaction_states.count, 1);
    ck_assert(listed(by_pid, "txa-done", "CompleteCommit"));
    const kl_list_transactions_response_t *bad = list("Sleeping", -1, -1);
    ck_assert_int_eq(bad->transaction_states.count, 0);
    ck_assert_int_eq(bad->unknown_state_filters.count, 1);
    ck_assert(kl_str_eq(bad->unknown_state_filters.items[0], "Sleeping"));
    /* running for longer than an hour: none */
    const kl_list_transactions_response_t *old = list("Ongoing", -1, 3600000);
    ck_assert_int_eq(old->transaction_states.count, 0);

    /* the partition: both producers, the open one's transaction from 2 */
    kl_describe_producers_request_topic_t dt = {.name = kl_str("txa")};
    int32_t p0 = 0;
    dt.partition_indexes.items = &p0;
    dt.partition_indexes.count = 1;
    kl_describe_producers_request_t dreq = {.topics = {&dt, 1}};
    kl_describe_producers_response_t dresp;
    call(KL_API_DESCRIBE_PRODUCERS, 0, &dreq, &dresp);
    const kl_describe_producers_response_partition_t *pp = &dresp.topics.items[0].partitions.items[0];
    ck_assert_int_eq(pp->error_code, 0);
    ck_assert_int_eq(pp->active_producers.count, 2);
    for (int32_t i = 0; i < 2; i++) {
        const kl_describe_producers_response_producer_t *ap = &pp->active_producers.items[i];
        ck_assert(ap->producer_id == open_pid || ap->producer_id == done_pid);
        ck_assert_int_eq(ap->current_txn_start_offset, ap->producer_id == open_pid ? 2 : -1);
    }

    /* committed: the open one completes, listed so */
    check_rdkafka_error(rd_kafka_commit_transaction(open, TIMEOUT_MS), "commit");
    ck_assert(kl_str_eq(describe("txa-open")->transaction_state, "CompleteCommit"));
    ck_assert_int_eq(list("Ongoing", -1, -1)->transaction_states.count, 0);
    rd_kafka_destroy(open);
    rd_kafka_destroy(done);
}
END_TEST

/* Both APIs are in ApiVersions, with the versions served. */
START_TEST(test_api_versions)
{
    kl_api_versions_request_t req;
    kl_proto_init(&kl_api_versions_request_schema, &req);
    req.client_software_name = kl_str("test");
    req.client_software_version = kl_str("1");
    kl_api_versions_response_t resp;
    call(KL_API_API_VERSIONS, 3, &req, &resp);
    int found = 0;
    for (int32_t i = 0; i < resp.api_keys.count; i++) {
        const kl_api_versions_response_api_version_t *k = &resp.api_keys.items[i];
        if (k->api_key == KL_API_DESCRIBE_TRANSACTIONS) {
            ck_assert_int_eq(k->min_version, 0);
            ck_assert_int_eq(k->max_version, 0);
            found++;
        } else if (k->api_key == KL_API_LIST_TRANSACTIONS) {
            ck_assert_int_eq(k->min_version, 0);
            ck_assert_int_eq(k->max_version, 1);
            found++;
        }
    }
    ck_assert_int_eq(found, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_txn_admin");
    TCase *tc = tcase_create("txn_admin");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_describe_and_list);
    tcase_add_test(tc, test_api_versions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
