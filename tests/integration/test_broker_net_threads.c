/* The embedded broker's network threads (num.network.threads): the broker
 * starts as many as asked and stops them all; connections outnumbering
 * the threads each get their pipelined requests answered in order with
 * nothing lost; and a client that never reads its answers stalls only
 * itself, not a client whose socket the same thread serves. */
#include <check.h>
#include <stdlib.h>

#include "broker_wire.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_metadata.h"

#define CONNS 8
#define ROUNDS 30 /* produce, metadata, api versions: three requests each */
#define RECORDS 5 /* of 1000 bytes: more than one read of requests per connection */

START_TEST(test_thread_count)
{
    static const char *const one[] = {"num.network.threads", "1", NULL};
    static const char *const five[] = {"num.network.threads", "5", NULL};
    ck_assert_int_eq(fixture_threads_added(five) - fixture_threads_added(one), 4);
}
END_TEST

/* Appends a request to out (correlation id corr). */
static void add_request(kl_buf_t *out, int16_t key, int16_t version, int32_t corr, const void *body)
{
    kl_request_header_t hdr = {key, version, corr, kl_str("net-threads-test")};
    ck_assert_int_eq(kl_proto_write_request(out, &hdr, body), KL_ERR_NONE);
}

/* Appends a produce request of RECORDS records to partition. */
static void add_produce(kl_buf_t *out, int32_t corr, int32_t partition, int first)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch(&w, first, RECORDS, 1000, &data, &len);
    kl_produce_request_partition_t p = {.index = partition, .records = kl_bytes(data, (int32_t)len)};
    kl_produce_request_topic_t t = {.name = kl_str("pipes"), .partition_data = {&p, 1}};
    kl_produce_request_t req;
    kl_proto_init(&kl_produce_request_schema, &req);
    req.acks = -1;
    req.timeout_ms = WIRE_TIMEOUT_MS;
    req.topic_data.items = &t;
    req.topic_data.count = 1;
    add_request(out, KL_API_PRODUCE, 9, corr, &req);
    kl_batch_writer_free(&w);
}

/* Reads the next answer; it must be to corr. A produce answer must
 * report no error and want_base as the base offset. */
static void expect_answer(wire_client_t *wc, int32_t corr, bool is_produce, int64_t want_base)
{
    uint8_t *frame;
    size_t len;
    ck_assert_int_eq(wire_recv_frame(wc, &frame, &len, WIRE_TIMEOUT_MS), 0);
    int32_t got;
    ck_assert_int_eq(kl_proto_peek_correlation_id(frame, len, &got), 0);
    ck_assert_int_eq(got, corr);
    if (is_produce) {
        kl_rd_t rd;
        kl_rd_init(&rd, frame, len);
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_produce_response_t resp;
        ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(KL_API_PRODUCE), 9, &got, &arena, &resp), 0);
        const kl_produce_response_partition_t *p = &resp.responses.items[0].partition_responses.items[0];
        ck_assert_int_eq(p->error_code, 0);
        ck_assert_int_eq(p->base_offset, want_base);
        kl_arena_free(&arena);
    }
    free(frame);
}

START_TEST(test_pipelined_connections)
{
    static const char *const props[] = {"num.network.threads", "3", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t admin;
    connect_to(&admin, &f);
    ck_assert_int_eq(create_topic(&admin, "pipes", CONNS, 1, NULL, NULL, false, NULL), 0);
    /* every connection writes all its requests at once (more than the
     * broker reads in one go) before reading any answer, so each thread
     * holds several connections with requests queued */
    wire_client_t wc[CONNS];
    kl_metadata_request_t md;
    kl_proto_init(&kl_metadata_request_schema, &md);
    kl_api_versions_request_t av;
    kl_proto_init(&kl_api_versions_request_schema, &av);
    for (int c = 0; c < CONNS; c++) {
        connect_to(&wc[c], &f);
        kl_buf_t out;
        kl_buf_init(&out, 0);
        for (int r = 0; r < ROUNDS; r++) {
            add_produce(&out, 3 * r, c, r * RECORDS);
            add_request(&out, KL_API_METADATA, 9, 3 * r + 1, &md);
            add_request(&out, KL_API_API_VERSIONS, 3, 3 * r + 2, &av);
        }
        ck_assert_uint_gt(out.len, 128 * 1024);
        ck_assert_int_eq(wire_send_raw(&wc[c], out.data, out.len, WIRE_TIMEOUT_MS), 0);
        kl_buf_free(&out);
    }
    /* in order per connection; each connection's batches are appended in
     * the order it sent them, none lost, none twice */
    for (int c = 0; c < CONNS; c++)
        for (int i = 0; i < 3 * ROUNDS; i++)
            expect_answer(&wc[c], i, i % 3 == 0, (int64_t)(i / 3) * RECORDS);
    for (int c = 0; c < CONNS; c++)
        wire_close(&wc[c]);
    wire_close(&admin);
    fixture_stop(&f);
}
END_TEST

#define BIG_BATCHES 32
#define BIG_VALUE 16384
#define STALLED_FETCHES 16

START_TEST(test_slow_reader_stalls_only_itself)
{
    /* one network thread: the slow reader and the other client share it */
    static const char *const props[] = {"num.network.threads", "1", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t slow, other;
    connect_to(&slow, &f);
    connect_to(&other, &f);
    ck_assert_int_eq(create_topic(&other, "big", 1, 1, NULL, NULL, false, NULL), 0);
    for (int i = 0; i < BIG_BATCHES; i++)
        ck_assert_int_eq(produce(&other, "big", 0, i * 4, 4, BIG_VALUE, NULL), 0);
    /* 16 answers of about 2 MiB asked for, and none read: more than the
     * broker queues for one connection */
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, "big", 0, 1, 0);
    p.partition_max_bytes = 4 << 20;
    int32_t corr[STALLED_FETCHES];
    for (int i = 0; i < STALLED_FETCHES; i++) {
        corr[i] = wire_send_request(&slow, KL_API_FETCH, 11, &req, WIRE_TIMEOUT_MS);
        ck_assert_int_ge(corr[i], 0);
    }
    /* the other client is served all along, well within each call's
     * timeout */
    for (int i = 0; i < 50; i++)
        ck_assert_msg(wire_ping(&other), "a client was stalled by another's unread answers");
    ck_assert_int_eq(produce(&other, "big", 0, BIG_BATCHES * 4, 4, 10, NULL), 0);
    /* the slow reader then gets every answer, in order, of whole batches:
     * the first in full, the later ones cut to what its output bound had
     * room for when they were served (at least one batch each) */
    for (int i = 0; i < STALLED_FETCHES; i++) {
        uint8_t *frame;
        size_t len;
        ck_assert_int_eq(wire_recv_frame(&slow, &frame, &len, WIRE_TIMEOUT_MS), 0);
        kl_rd_t rd;
        kl_rd_init(&rd, frame, len);
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_fetch_response_t resp;
        int32_t got;
        ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(KL_API_FETCH), 11, &got, &arena, &resp), 0);
        ck_assert_int_eq(got, corr[i]);
        int records = count_records(&resp.responses.items[0].partitions.items[0], 0);
        ck_assert_int_ge(records, i == 0 ? BIG_BATCHES * 4 : 4);
        ck_assert_int_eq(records % 4, 0);
        kl_arena_free(&arena);
        free(frame);
    }
    wire_close(&slow);
    wire_close(&other);
    fixture_stop(&f);
}
END_TEST

static Suite *net_threads_suite(void)
{
    Suite *s = suite_create("broker_net_threads");
    TCase *tc = tcase_create("net_threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_thread_count);
    tcase_add_test(tc, test_pipelined_connections);
    tcase_add_test(tc, test_slow_reader_stalls_only_itself);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(net_threads_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
