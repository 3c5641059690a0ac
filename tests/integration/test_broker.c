/* The embedded broker over the wire: ApiVersions, topic administration and
 * persistence, produce / fetch / list offsets with hand-made batches,
 * long polling, and bad input (oversized, truncated, unknown, garbage)
 * that must close only the offending connection. Driven through the
 * blocking wire client (tests/interop/wire_client.h) and our codec. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/dispatch.h"
#include "broker_fixture.h"
#include "broker_wire.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/msg_topic_admin.h"
#include "record/batch.h"
#include "../interop/wire_client.h"

#define TIMEOUT_MS WIRE_TIMEOUT_MS

/* ------------------------------------------------------------ ApiVersions */

static void check_ranges(const kl_api_versions_response_t *resp)
{
    size_t n;
    const broker_api_t *served = broker_api_table(&n);
    ck_assert_int_eq(resp->api_keys.count, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(resp->api_keys.items[i].api_key, served[i].key);
        ck_assert_int_eq(resp->api_keys.items[i].min_version, served[i].min_version);
        ck_assert_int_eq(resp->api_keys.items[i].max_version, served[i].max_version);
    }
}

START_TEST(test_api_versions)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    for (int16_t v = 0; v <= 4; v++) {
        kl_api_versions_request_t req;
        kl_proto_init(&kl_api_versions_request_schema, &req);
        req.client_software_name = kl_str("kafkalite-test");
        req.client_software_version = kl_str("0.1.0");
        kl_api_versions_response_t resp;
        exchange_t x;
        call(&wc, KL_API_API_VERSIONS, v, &req, &resp, &x);
        ck_assert_int_eq(resp.error_code, 0);
        check_ranges(&resp);
        done(&x);
    }
    /* a bad software name (v3+) is INVALID_REQUEST */
    kl_api_versions_request_t bad;
    kl_proto_init(&kl_api_versions_request_schema, &bad);
    bad.client_software_name = kl_str("-bad name");
    bad.client_software_version = kl_str("1");
    kl_api_versions_response_t resp;
    exchange_t x;
    call(&wc, KL_API_API_VERSIONS, 3, &bad, &resp, &x);
    ck_assert_int_eq(resp.error_code, KL_ERR_INVALID_REQUEST);
    done(&x);

    /* a version from the future: UNSUPPORTED_VERSION in the v0 layout,
     * still listing the ranges; the connection stays usable */
    static const uint8_t future[] = {0, 0, 0, 13, 0, 18, 0, 99, 0, 0, 0, 42, 0, 1, 'x', 0, 0};
    ck_assert_int_eq(wire_send_raw(&wc, future, sizeof future, TIMEOUT_MS), 0);
    uint8_t *frame;
    size_t len;
    ck_assert_int_eq(wire_recv_frame(&wc, &frame, &len, TIMEOUT_MS), 0);
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    int32_t corr;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(KL_API_API_VERSIONS), 0, &corr, &arena, &resp), 0);
    ck_assert_int_eq(corr, 42);
    ck_assert_int_eq(resp.error_code, KL_ERR_UNSUPPORTED_VERSION);
    check_ranges(&resp);
    free(frame);
    kl_arena_free(&arena);
    kl_api_versions_request_t again;
    kl_proto_init(&kl_api_versions_request_schema, &again);
    call(&wc, KL_API_API_VERSIONS, 0, &again, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    done(&x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ topics */

static kl_metadata_response_topic_t *metadata(wire_client_t *wc, int16_t version, const char *topic,
                                              bool auto_create, kl_metadata_response_t *resp, exchange_t *x)
{
    kl_metadata_request_topic_t t = {.name = kl_str(topic)};
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.items = topic ? &t : NULL;
    req.topics.count = topic ? 1 : -1;
    req.allow_auto_topic_creation = auto_create;
    call(wc, KL_API_METADATA, version, &req, resp, x);
    ck_assert_int_eq(resp->brokers.count, 1);
    ck_assert_int_eq(resp->brokers.items[0].node_id, 1);
    ck_assert(kl_str_eq(resp->brokers.items[0].host, "127.0.0.1"));
    if (!topic)
        return NULL;
    ck_assert_int_eq(resp->topics.count, 1);
    return &resp->topics.items[0];
}

START_TEST(test_topic_admin)
{
    static const char *const props[] = {"num.partitions", "2", "auto.create.topics.enable", "true", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    kl_uuid_t id, zero = {{0}};
    ck_assert_int_eq(create_topic(&wc, "orders", 3, 1, "retention.ms", "1000", true, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "orders", 3, -1, "max.message.bytes", "2000", false, &id), 0);
    ck_assert(memcmp(&id, &zero, sizeof id) != 0);
    ck_assert_int_eq(create_topic(&wc, "orders", 3, 1, NULL, NULL, false, NULL), KL_ERR_TOPIC_ALREADY_EXISTS);
    /* a value the catalog must escape, read back after the restart below */
    ck_assert_int_eq(create_topic(&wc, "escaped", 1, 1, "leader.replication.throttled.replicas", "0:1, %41\n=", false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "bad/name", 1, 1, NULL, NULL, false, NULL), KL_ERR_INVALID_TOPIC_EXCEPTION);
    ck_assert_int_eq(create_topic(&wc, "x", 0, 1, NULL, NULL, false, NULL), KL_ERR_INVALID_PARTITIONS);
    ck_assert_int_eq(create_topic(&wc, "x", 1, 3, NULL, NULL, false, NULL), KL_ERR_INVALID_REPLICATION_FACTOR);
    ck_assert_int_eq(create_topic(&wc, "x", 1, 1, "no.such.config", "1", false, NULL), KL_ERR_INVALID_CONFIG);
    ck_assert_int_eq(create_topic(&wc, "x", 1, 1, "max.message.bytes", "big", false, NULL), KL_ERR_INVALID_CONFIG);

    kl_metadata_response_t md;
    exchange_t x;
    kl_metadata_response_topic_t *t = metadata(&wc, 12, "orders", false, &md, &x);
    ck_assert_int_eq(t->error_code, 0);
    ck_assert_int_eq(t->partitions.count, 3);
    ck_assert(memcmp(&t->topic_id, &id, sizeof id) == 0);
    ck_assert_int_eq(t->partitions.items[2].leader_id, 1);
    done(&x);
    t = metadata(&wc, 12, "missing", false, &md, &x);
    ck_assert_int_eq(t->error_code, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    done(&x);
    t = metadata(&wc, 4, "auto", true, &md, &x); /* auto-created with num.partitions */
    ck_assert_int_eq(t->error_code, 0);
    ck_assert_int_eq(t->partitions.count, 2);
    done(&x);
    t = metadata(&wc, 1, "auto-v1", false, &md, &x); /* before v4 the broker decides */
    ck_assert_int_eq(t->error_code, 0);
    done(&x);

    /* topics survive a restart with their ids; deleted ones do not */
    ck_assert_int_eq(delete_topic(&wc, "auto-v1"), 0);
    ck_assert_int_eq(delete_topic(&wc, "auto-v1"), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    metadata(&wc, 12, NULL, false, &md, &x);
    /* no __consumer_offsets: no group asked for a coordinator */
    ck_assert_int_eq(md.topics.count, 3);
    for (int32_t i = 0; i < md.topics.count; i++) {
        kl_str_t name = md.topics.items[i].name;
        ck_assert(!md.topics.items[i].is_internal);
        if (kl_str_eq(name, "orders"))
            ck_assert(memcmp(&md.topics.items[i].topic_id, &id, sizeof id) == 0);
        else
            ck_assert(kl_str_eq(name, "auto") || kl_str_eq(name, "escaped"));
    }
    done(&x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ produce / fetch */

START_TEST(test_produce_fetch)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "pf", 1, 1, "max.message.bytes", "4000", false, NULL), 0);
    int64_t base;
    ck_assert_int_eq(produce(&wc, "pf", 0, 0, 10, 10, &base), 0);
    ck_assert_int_eq(base, 0);
    ck_assert_int_eq(produce(&wc, "pf", 0, 10, 5, 10, &base), 0);
    ck_assert_int_eq(base, 10);
    ck_assert_int_eq(produce(&wc, "pf", 1, 0, 1, 10, NULL), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(produce(&wc, "nope", 0, 0, 1, 10, NULL), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(produce(&wc, "pf", 0, 0, 1, 5000, NULL), KL_ERR_MESSAGE_TOO_LARGE);

    for (int16_t v = 4; v <= 12; v += 4) {
        kl_fetch_request_t req;
        kl_fetch_request_topic_t t;
        kl_fetch_request_partition_t p;
        fetch_request(&req, &t, &p, "pf", 3, 1, 0);
        kl_fetch_response_t resp;
        exchange_t x;
        call(&wc, KL_API_FETCH, v, &req, &resp, &x);
        const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
        ck_assert_int_eq(rp->error_code, 0);
        ck_assert_int_eq(rp->high_watermark, 15);
        ck_assert_int_eq(rp->last_stable_offset, 15);
        ck_assert_int_eq(count_records(rp, 3), 12);
        done(&x);
    }
    /* out of range, and a timed-out long poll answers empty records */
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, "pf", 16, 1, 0);
    kl_fetch_response_t resp;
    exchange_t x;
    call(&wc, KL_API_FETCH, 11, &req, &resp, &x);
    ck_assert_int_eq(resp.responses.items[0].partitions.items[0].error_code, KL_ERR_OFFSET_OUT_OF_RANGE);
    done(&x);
    fetch_request(&req, &t, &p, "pf", 15, 1, 200);
    long long t0 = fixture_now_ms();
    call(&wc, KL_API_FETCH, 11, &req, &resp, &x);
    ck_assert_int_ge(fixture_now_ms() - t0, 190);
    ck_assert_int_eq(resp.responses.items[0].partitions.items[0].error_code, 0);
    ck_assert_int_eq(count_records(&resp.responses.items[0].partitions.items[0], 15), 0);
    ck_assert_int_eq(resp.responses.items[0].partitions.items[0].records.len, 0);
    done(&x);

    /* a parked fetch is woken by the append that satisfies it, long before
     * its max wait; requests pipelined behind it are answered in order */
    fetch_request(&req, &t, &p, "pf", 15, 1, 30000);
    int32_t fetch_corr = wire_send_request(&wc, KL_API_FETCH, 11, &req, TIMEOUT_MS);
    kl_metadata_request_t mreq;
    kl_proto_init(&kl_metadata_request_schema, &mreq);
    int32_t md_corr = wire_send_request(&wc, KL_API_METADATA, 9, &mreq, TIMEOUT_MS);
    ck_assert_int_gt(fetch_corr, 0);
    ck_assert_int_gt(md_corr, 0);
    wire_client_t producer;
    connect_to(&producer, &f);
    t0 = fixture_now_ms();
    ck_assert_int_eq(produce(&producer, "pf", 0, 15, 3, 10, &base), 0);
    ck_assert_int_eq(base, 15);
    uint8_t *frame;
    size_t len;
    ck_assert_int_eq(wire_recv_frame(&wc, &frame, &len, TIMEOUT_MS), 0);
    ck_assert_int_lt(fixture_now_ms() - t0, 5000);
    int32_t corr;
    ck_assert_int_eq(kl_proto_peek_correlation_id(frame, len, &corr), 0);
    ck_assert_int_eq(corr, fetch_corr);
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(KL_API_FETCH), 11, &corr, &arena, &resp), 0);
    ck_assert_int_eq(count_records(&resp.responses.items[0].partitions.items[0], 15), 3);
    free(frame);
    kl_arena_free(&arena);
    ck_assert_int_eq(wire_recv_frame(&wc, &frame, &len, TIMEOUT_MS), 0);
    ck_assert_int_eq(kl_proto_peek_correlation_id(frame, len, &corr), 0);
    ck_assert_int_eq(corr, md_corr);
    free(frame);
    wire_close(&producer);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Every fetch reads ranges that hold a reference on their segment file
 * until released, so a range never released keeps the file open once the
 * segment is deleted: after many fetches (answered, parked and timed out)
 * and deleting the topic, no descriptor may be left over. */
START_TEST(test_fetch_keeps_no_files_open)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    kl_metadata_request_t mreq; /* a round trip: the broker has accepted us */
    kl_metadata_response_t mresp;
    exchange_t mx;
    kl_proto_init(&kl_metadata_request_schema, &mreq);
    call(&wc, KL_API_METADATA, 9, &mreq, &mresp, &mx);
    done(&mx);
    int before = open_fds();
    ck_assert_int_eq(create_topic(&wc, "fds", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(produce(&wc, "fds", 0, 0, 10, 10, NULL), 0);
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    kl_fetch_response_t resp;
    exchange_t x;
    for (int i = 0; i < 200; i++) {
        /* answered at once with data, then parked with too few bytes
         * (min_bytes above what is stored) until its max wait */
        fetch_request(&req, &t, &p, "fds", i % 10, i % 40 == 39 ? 1 << 20 : 1, i % 40 == 39 ? 20 : 0);
        call(&wc, KL_API_FETCH, 11, &req, &resp, &x);
        ck_assert_int_eq(resp.responses.items[0].partitions.items[0].error_code, 0);
        ck_assert_int_eq(count_records(&resp.responses.items[0].partitions.items[0], i % 10), 10 - i % 10);
        done(&x);
    }
    ck_assert_int_eq(delete_topic(&wc, "fds"), 0);
    ck_assert_int_eq(open_fds(), before);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ ListOffsets */

START_TEST(test_list_offsets)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "lo", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 1, "lo", -1, NULL), 0);
    for (int b = 0; b < 5; b++)
        ck_assert_int_eq(produce(&wc, "lo", 0, b * 20, 20, 10, NULL), 0);
    int64_t ts;
    for (int16_t v = 0; v <= 6; v += 3) {
        ck_assert_int_eq(list_offset(&wc, v, "lo", -2, NULL), 0);
        ck_assert_int_eq(list_offset(&wc, v, "lo", -1, NULL), 100);
    }
    /* record i has timestamp 1700000000000 + i */
    ck_assert_int_eq(list_offset(&wc, 1, "lo", 1700000000000 + 57, &ts), 57);
    ck_assert_int_eq(ts, 1700000000000 + 57);
    ck_assert_int_eq(list_offset(&wc, 4, "lo", 0, &ts), 0);
    ck_assert_int_eq(list_offset(&wc, 4, "lo", 1700000000000 + 100, &ts), -1);
    ck_assert_int_eq(ts, -1);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ bad input */

static void metadata_ok(wire_client_t *wc)
{
    kl_metadata_response_t md;
    exchange_t x;
    metadata(wc, 9, NULL, false, &md, &x);
    done(&x);
}

/* Sends bytes on a fresh connection and expects the broker to close it,
 * while an established client and a new one keep being served. */
static void expect_closed(const broker_fixture_t *f, wire_client_t *good, const void *bytes, size_t len,
                          const char *what)
{
    wire_client_t bad;
    connect_to(&bad, f);
    ck_assert_int_eq(wire_send_raw(&bad, bytes, len, TIMEOUT_MS), 0);
    ck_assert_msg(wire_wait_closed(&bad, TIMEOUT_MS) == 0, "%s: connection not closed", what);
    wire_close(&bad);
    metadata_ok(good);
    wire_client_t fresh;
    connect_to(&fresh, f);
    metadata_ok(&fresh);
    wire_close(&fresh);
}

START_TEST(test_bad_input)
{
    static const char *const props[] = {"socket.request.max.bytes", "65536", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t good;
    connect_to(&good, &f);
    metadata_ok(&good);

    /* a size beyond socket.request.max.bytes, then negative */
    static const uint8_t huge[] = {0x00, 0x01, 0x00, 0x01, 0, 3, 0, 9};
    expect_closed(&f, &good, huge, sizeof huge, "oversized");
    static const uint8_t negative[] = {0xff, 0xff, 0xff, 0xf0};
    expect_closed(&f, &good, negative, sizeof negative, "negative size");
    /* unknown API key; a version we do not serve */
    static const uint8_t unknown[] = {0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff};
    expect_closed(&f, &good, unknown, sizeof unknown, "unknown api key");
    static const uint8_t future[] = {0, 0, 0, 11, 0, 3, 0, 99, 0, 0, 0, 1, 0xff, 0xff, 0};
    expect_closed(&f, &good, future, sizeof future, "unserved version");
    /* a whole frame whose body is truncated: Produce v7 without topics */
    static const uint8_t truncated[] = {0, 0, 0, 15, 0, 0, 0, 7, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 1, 0};
    expect_closed(&f, &good, truncated, sizeof truncated, "truncated body");
    /* garbage, and a frame too short for a header */
    uint8_t garbage[68] = {0, 0, 0, 64};
    for (size_t i = 4; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)(i * 37 + 11);
    expect_closed(&f, &good, garbage, sizeof garbage, "garbage");
    static const uint8_t tiny[] = {0, 0, 0, 2, 0, 3};
    expect_closed(&f, &good, tiny, sizeof tiny, "short frame");

    /* a client that disconnects mid-request */
    wire_client_t quitter;
    connect_to(&quitter, &f);
    static const uint8_t partial[] = {0, 0, 0, 100, 0, 3, 0, 9};
    ck_assert_int_eq(wire_send_raw(&quitter, partial, sizeof partial, TIMEOUT_MS), 0);
    wire_close(&quitter);
    metadata_ok(&good);
    wire_close(&good);
    fixture_stop(&f);
}
END_TEST

/* librdkafka 2.x (2.16 too) asks Metadata v9+ for every topic with a
 * 4-byte zero where the 1-byte null count belongs, so 3 bytes follow the
 * request's fields. Apache Kafka reads the fields and ignores the rest, and
 * confluent-kafka's list_topics() depends on it: the request is answered
 * (all topics: the null count) and the connection stays open. */
START_TEST(test_trailing_bytes_ignored)
{
    static const char *const props[] = {NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    kl_metadata_response_t md;
    exchange_t x;
    ck_assert_ptr_nonnull(metadata(&wc, 12, "listed", true, &md, &x));
    done(&x);
    static const uint8_t rdkafka_all_topics[] = {0, 0, 0, 25, 0, 3, 0, 12, 0, 0, 0, 77, 0, 7, 'r', 'd', 'k',
                                                 'a', 'f', 'k', 'a', 0, 0, 0, 0, 0, 1, 0, 0};
    ck_assert_int_eq(wire_send_raw(&wc, rdkafka_all_topics, sizeof rdkafka_all_topics, TIMEOUT_MS), 0);
    uint8_t *frame;
    size_t len;
    ck_assert_msg(wire_recv_frame(&wc, &frame, &len, TIMEOUT_MS) == 0, "no answer: the connection was closed");
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    int32_t corr;
    ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(KL_API_METADATA), 12, &corr, &arena, &md),
                     KL_ERR_NONE);
    ck_assert_int_eq(corr, 77);
    ck_assert_int_eq(md.brokers.count, 1);
    bool listed = false;
    for (int32_t i = 0; i < md.topics.count; i++)
        listed |= kl_str_eq(md.topics.items[i].name, "listed");
    ck_assert_msg(listed, "the topic is not among the %d listed", md.topics.count);
    kl_arena_free(&arena);
    free(frame);
    metadata_ok(&wc);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ API errors */

START_TEST(test_new_errors)
{
    char errstr[256];
    kl_conf_t *conf = kl_broker_conf_new();
    const char *empty_entry = "/tmp/kl-never-used-a,,/tmp/kl-never-used-b";
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", empty_entry, errstr, sizeof errstr), 0);
    ck_assert_ptr_null(kl_broker_new(conf, errstr, sizeof errstr));
    ck_assert_msg(strstr(errstr, "log.dirs") != NULL, "%s", errstr);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", "/tmp/kl-never-used", errstr, sizeof errstr), 0);
    /* a TLS listener without a certificate, a protocol not served */
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "SSL://127.0.0.1:0", errstr, sizeof errstr), 0);
    ck_assert_ptr_null(kl_broker_new(conf, errstr, sizeof errstr));
    ck_assert_msg(strstr(errstr, "listener SSL: a TLS listener needs its certificate and key") != NULL, "%s",
                  errstr);
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "K://127.0.0.1:0", errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(conf, "listener.security.protocol.map", "K:GSSAPI", errstr, sizeof errstr), 0);
    ck_assert_ptr_null(kl_broker_new(conf, errstr, sizeof errstr));
    ck_assert_msg(strstr(errstr, "kafkalite serves PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL") != NULL, "%s",
                  errstr);
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "127.0.0.1:9092", errstr, sizeof errstr), 0);
    ck_assert_ptr_null(kl_broker_new(conf, errstr, sizeof errstr));
    kl_conf_destroy(conf);
    kl_conf_t *client = kl_conf_new();
    ck_assert_ptr_null(kl_broker_new(client, errstr, sizeof errstr));
    kl_conf_destroy(client);
    ck_assert_int_eq(kl_broker_start(NULL), KL_ERR_STATE);
    kl_broker_destroy(NULL);

    /* a second broker on the same directory is refused */
    static const char *const props[] = {NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", f.dir, errstr, sizeof errstr), 0);
    ck_assert_ptr_null(kl_broker_new(conf, errstr, sizeof errstr));
    ck_assert_msg(strstr(errstr, "in use") != NULL, "%s", errstr);
    kl_conf_destroy(conf);
    ck_assert_int_eq(kl_broker_start(f.broker), KL_ERR_STATE);
    fixture_stop(&f);
}
END_TEST

static Suite *broker_suite(void)
{
    Suite *s = suite_create("broker");
    TCase *tc = tcase_create("wire");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_api_versions);
    tcase_add_test(tc, test_topic_admin);
    tcase_add_test(tc, test_produce_fetch);
    tcase_add_test(tc, test_fetch_keeps_no_files_open);
    tcase_add_test(tc, test_list_offsets);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_trailing_bytes_ignored);
    tcase_add_test(tc, test_new_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(broker_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
