/* Interop against a real peer: librdkafka's in-process mock cluster. Our
 * codec (lib/proto) and record batches (lib/record) talk to it over loopback
 * through the blocking wire client; librdkafka's own producer and consumer
 * write what we read and read what we write. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "proto/header.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_produce.h"
#include "record/batch.h"
#include "wire_client.h"
#include "test_skip.h"

#define TIMEOUT_MS 10000
#define NMSGS 50
/* Explicit timestamps: a fixed past instant, one second apart. */
#define BASE_TS INT64_C(1700000000000)

static const char *const codec_names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
#define NCODECS (sizeof codec_names / sizeof codec_names[0])

/* ------------------------------------------------------------ the mock */

typedef struct mock {
    rd_kafka_t *rk; /* dummy handle that owns the cluster */
    rd_kafka_mock_cluster_t *mc;
    const char *bootstraps;
    wire_client_t wc;
    /* highest versions in common */
    int16_t api_versions_max, produce_max, fetch_max;
} mock_t;

static void log_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3) /* errors only: the mock is chatty */
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

static rd_kafka_conf_t *conf_new(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_quiet);
    return conf;
}

static void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK,
                  "%s=%s: %s", name, value, errstr);
}

/* Asks the peer which versions it speaks, at the given ApiVersions version,
 * and returns our highest version in common for key (-1: none). */
static int16_t common_version(const kl_api_versions_response_t *resp, int16_t key, int16_t cap)
{
    const kl_api_t *ours = kl_api_find(key);
    ck_assert_ptr_nonnull(ours);
    for (int32_t i = 0; i < resp->api_keys.count; i++) {
        const kl_api_versions_response_api_version_t *av = &resp->api_keys.items[i];
        if (av->api_key != key)
            continue;
        int16_t hi = av->max_version < ours->max_version ? av->max_version : ours->max_version;
        if (hi > cap)
            hi = cap;
        int16_t lo = av->min_version > ours->min_version ? av->min_version : ours->min_version;
        return hi >= lo ? hi : -1;
    }
    return -1;
}

/* Sends ApiVersions at version and decodes the answer into *resp. Returns
 * the answer's error code: UNSUPPORTED_VERSION (35) means the peer does not
 * speak that version (Kafka then answers in the v0 layout and the client
 * retries lower), which the caller decides whether to accept. */
static int16_t api_versions(mock_t *m, int16_t version, kl_api_versions_response_t *resp,
                            kl_arena_t *arena, uint8_t **frame)
{
    kl_api_versions_request_t req;
    kl_proto_init(&kl_api_versions_request_schema, &req);
    req.client_software_name = kl_str("kafkalite-interop");
    req.client_software_version = kl_str("0.1");
    kl_err_t err = wire_call(&m->wc, KL_API_API_VERSIONS, version, &req, arena, resp, frame, TIMEOUT_MS);
    if (resp->error_code == KL_ERR_UNSUPPORTED_VERSION)
        return resp->error_code; /* the body past the error code is not ours to judge */
    ck_assert_msg(err == KL_ERR_NONE, "ApiVersions v%d: %s", version, kl_err_str(err));
    ck_assert_int_eq(resp->error_code, 0);
    ck_assert_int_gt(resp->api_keys.count, 0);
    return 0;
}

/* One ApiVersions exchange at version; the caller frees *frame and the
 * arena. Falls back to v0 like a real client when the peer refuses. */
static int16_t negotiate(mock_t *m, int16_t version, kl_api_versions_response_t *resp,
                         kl_arena_t *arena, uint8_t **frame)
{
    if (api_versions(m, version, resp, arena, frame) == 0)
        return version;
    free(*frame);
    ck_assert_int_eq(api_versions(m, 0, resp, arena, frame), 0);
    return 0;
}

static void mock_start(mock_t *m)
{
    char errstr[256];
    memset(m, 0, sizeof *m);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(), errstr, sizeof errstr);
    ck_assert_msg(m->rk != NULL, "rd_kafka_new: %s", errstr);
    m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
    ck_assert_ptr_nonnull(m->mc);
    m->bootstraps = rd_kafka_mock_cluster_bootstraps(m->mc);
    ck_assert_int_eq(wire_connect(&m->wc, m->bootstraps), 0);

    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_api_versions_response_t resp;
    uint8_t *frame;
    negotiate(m, 3, &resp, &arena, &frame);
    m->api_versions_max = common_version(&resp, KL_API_API_VERSIONS, INT16_MAX);
    m->produce_max = common_version(&resp, KL_API_PRODUCE, INT16_MAX);
    m->fetch_max = common_version(&resp, KL_API_FETCH, 12); /* v13+ wants topic ids */
    free(frame);
    kl_arena_free(&arena);
    ck_assert_int_ge(m->produce_max, 3);
    ck_assert_int_ge(m->fetch_max, 4);
}

static void mock_stop(mock_t *m)
{
    wire_close(&m->wc);
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
}

static void topic_create(mock_t *m, const char *topic)
{
    ck_assert_int_eq(rd_kafka_mock_topic_create(m->mc, topic, 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
}

/* ------------------------------------------------------------ ApiVersions */

static void check_lists_produce_and_fetch(const kl_api_versions_response_t *resp)
{
    bool produce = false, fetch = false;
    for (int32_t i = 0; i < resp->api_keys.count; i++) {
        const kl_api_versions_response_api_version_t *av = &resp->api_keys.items[i];
        ck_assert_int_le(av->min_version, av->max_version);
        produce |= av->api_key == KL_API_PRODUCE;
        fetch |= av->api_key == KL_API_FETCH;
    }
    ck_assert(produce && fetch);
}

START_TEST(test_api_versions)
{
    mock_t m;
    mock_start(&m);
    /* the flexible v3 (compact arrays, tagged fields; the mock may refuse it),
     * the classic v0, and the highest version both sides speak */
    int16_t versions[] = {3, 0, m.api_versions_max};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_api_versions_response_t resp;
        uint8_t *frame;
        int16_t err = api_versions(&m, versions[i], &resp, &arena, &frame);
        if (err == KL_ERR_UNSUPPORTED_VERSION)
            fprintf(stderr, "mock refuses ApiVersions v%d\n", versions[i]);
        else
            check_lists_produce_and_fetch(&resp);
        ck_assert(err == 0 || versions[i] > m.api_versions_max);
        free(frame);
        kl_arena_free(&arena);
    }
    fprintf(stderr, "versions in common with the mock: ApiVersions v%d, Produce v%d, Fetch v%d\n",
            m.api_versions_max, m.produce_max, m.fetch_max);
    mock_stop(&m);
}
END_TEST

/* ------------------------------------------------------------ messages */

/* Message i of a test: key, a compressible value, one header, a timestamp.
 * tag (the codec's name) keeps topics' contents apart. */
typedef struct msg {
    char key[32], value[256], hval[32];
    int key_len, value_len, hval_len;
    int64_t ts;
} msg_t;

#define HKEY "trace"

static void msg_make(msg_t *m, int i, const char *tag)
{
    m->key_len = snprintf(m->key, sizeof m->key, "key-%02d", i);
    m->value_len = snprintf(m->value, sizeof m->value,
                            "value %d in %s: the quick brown fox jumps over the lazy dog, "
                            "the quick brown fox jumps over the lazy dog, again and again", i, tag);
    m->hval_len = snprintf(m->hval, sizeof m->hval, "hdr-%d", i);
    m->ts = BASE_TS + (int64_t)i * 1000;
}

static void check_bytes(const void *got, size_t got_len, const char *want, int want_len,
                        const char *what, int i)
{
    ck_assert_msg(got != NULL && got_len == (size_t)want_len && memcmp(got, want, got_len) == 0,
                  "message %d: %s differs (%zu bytes, want %d)", i, what, got_len, want_len);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Loop-test index -> codec, or false (and a SKIP) when either side lacks it. */
static bool pick_codec(int i, kl_codec_t *codec)
{
    ck_assert_int_eq(kl_codec_from_name(codec_names[i], codec), KL_ERR_NONE);
    if (!kl_codec_available(*codec)) {
        kl_test_skip("%s is not in this build", codec_names[i]);
        return false;
    }
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bool ok = rd_kafka_conf_set(conf, "compression.codec", codec_names[i], errstr, sizeof errstr) ==
              RD_KAFKA_CONF_OK;
    rd_kafka_conf_destroy(conf);
    if (!ok)
        kl_test_skip("librdkafka lacks %s (%s)", codec_names[i], errstr);
    return ok;
}

/* ------------------------------------------------- librdkafka writes, we read */

typedef struct dr_count {
    int ok, failed;
} dr_count_t;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    dr_count_t *dr = opaque;
    if (msg->err) {
        dr->failed++;
        fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(msg->err));
    } else
        dr->ok++;
}

static void rk_produce(mock_t *m, const char *topic, const char *codec)
{
    char errstr[256];
    dr_count_t dr = {0, 0};
    rd_kafka_conf_t *conf = conf_new();
    conf_set(conf, "bootstrap.servers", m->bootstraps);
    conf_set(conf, "compression.codec", codec);
    conf_set(conf, "linger.ms", "20"); /* batches of many messages, not one per message */
    conf_set(conf, "batch.num.messages", "10"); /* and several of them: NMSGS / 10 at least */
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &dr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "producer: %s", errstr);

    for (int i = 0; i < NMSGS; i++) {
        msg_t msg;
        msg_make(&msg, i, codec);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(msg.key, (size_t)msg.key_len), RD_KAFKA_V_VALUE(msg.value, (size_t)msg.value_len),
            RD_KAFKA_V_HEADER(HKEY, msg.hval, (ssize_t)msg.hval_len), RD_KAFKA_V_TIMESTAMP(msg.ts),
            RD_KAFKA_V_END);
        ck_assert_msg(err == RD_KAFKA_RESP_ERR_NO_ERROR, "producev: %s", rd_kafka_err2str(err));
    }
    /* flush serves the delivery reports; it returns once all are in */
    ck_assert_int_eq(rd_kafka_flush(rk, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    ck_assert_int_eq(dr.ok, NMSGS);
    ck_assert_int_eq(dr.failed, 0);
    rd_kafka_destroy(rk);
}

/* Checks the records of one fetched partition against messages next.. and
 * returns how many whole records it held. */
static int check_fetched(const kl_bytes_t *records, kl_codec_t codec, int next, const char *tag,
                         int *batches)
{
    kl_batch_iter_t bi;
    kl_batch_iter_init(&bi, records->ptr, records->len > 0 ? (size_t)records->len : 0, 0);
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    kl_batch_t b;
    kl_err_t err;
    int seen = 0;
    while ((err = kl_batch_iter_next(&bi, &b)) == KL_ERR_NONE) {
        if (b.base_offset >= next) /* not counted by an earlier fetch */
            ++*batches;
        ck_assert_int_eq(b.magic, KL_BATCH_MAGIC);
        ck_assert_msg(kl_batch_codec(&b) == codec, "batch codec %d, want %d", kl_batch_codec(&b), codec);
        ck_assert(!kl_batch_is_log_append_time(&b) && !kl_batch_is_control(&b));
        err = kl_record_iter_start(&ri, &b);
        ck_assert_msg(err == KL_ERR_NONE, "record iter: %s", kl_err_str(err));
        kl_record_t r;
        while ((err = kl_record_iter_next(&ri, &r)) == KL_ERR_NONE) {
            if (r.offset < next + seen) /* a batch may start before the fetch offset */
                continue;
            int i = next + seen++;
            ck_assert_int_eq(r.offset, i);
            msg_t want;
            msg_make(&want, i, tag);
            check_bytes(r.key, r.key_len, want.key, want.key_len, "key", i);
            check_bytes(r.value, r.value_len, want.value, want.value_len, "value", i);
            ck_assert_int_eq(r.timestamp, want.ts);
            ck_assert_int_eq(r.header_count, 1);
            kl_header_iter_t hi;
            kl_header_iter_init(&hi, &r);
            kl_record_header_t h;
            ck_assert(kl_header_iter_next(&hi, &h));
            check_bytes(h.key, h.key_len, HKEY, (int)strlen(HKEY), "header key", i);
            check_bytes(h.value, h.value_len, want.hval, want.hval_len, "header value", i);
            ck_assert(!kl_header_iter_next(&hi, &h));
        }
        ck_assert_msg(err == KL_ERR_NOENT, "records: %s (%s)", kl_err_str(err), ri.why ? ri.why : "");
    }
    /* NOENT: no whole batch left (a partial one at the end is normal) */
    ck_assert_msg(err == KL_ERR_NOENT, "batches: %s (%s)", kl_err_str(err), bi.why ? bi.why : "");
    kl_record_iter_free(&ri);
    return seen;
}

/* Fetches the whole partition with our codec at version and checks it. */
static void wire_fetch(mock_t *m, const char *topic, int16_t version, kl_codec_t codec, const char *tag)
{
    int next = 0, batches = 0, fetches = 0;
    int64_t deadline = now_ms() + TIMEOUT_MS;
    while (next < NMSGS) {
        ck_assert_msg(now_ms() < deadline, "Fetch v%d: only %d of %d records", version, next, NMSGS);
        kl_fetch_request_partition_t part = {
            .partition = 0,
            .current_leader_epoch = -1,
            .fetch_offset = next,
            .last_fetched_epoch = -1,
            .log_start_offset = -1,
            .partition_max_bytes = 1 << 20,
        };
        kl_fetch_request_topic_t t = {.topic = kl_str(topic), .partitions = {&part, 1}};
        kl_fetch_request_t req;
        kl_proto_init(&kl_fetch_request_schema, &req);
        req.replica_id = -1;
        req.max_wait_ms = 100;
        req.min_bytes = 1;
        req.max_bytes = 4 << 20;
        req.isolation_level = 0; /* read uncommitted */
        req.session_id = 0;      /* no fetch session: a full fetch */
        req.session_epoch = -1;
        req.topics.items = &t;
        req.topics.count = 1;

        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_fetch_response_t resp;
        uint8_t *frame;
        kl_err_t err = wire_call(&m->wc, KL_API_FETCH, version, &req, &arena, &resp, &frame, TIMEOUT_MS);
        ck_assert_msg(err == KL_ERR_NONE, "Fetch v%d: %s", version, kl_err_str(err));
        ck_assert_int_eq(resp.error_code, 0);
        ck_assert_int_eq(resp.responses.count, 1);
        ck_assert(kl_str_eq(resp.responses.items[0].topic, topic));
        ck_assert_int_eq(resp.responses.items[0].partitions.count, 1);
        const kl_fetch_response_partition_t *p = &resp.responses.items[0].partitions.items[0];
        ck_assert_int_eq(p->partition_index, 0);
        ck_assert_msg(p->error_code == 0, "Fetch v%d: partition error %d", version, p->error_code);
        ck_assert_int_eq(p->high_watermark, NMSGS);
        next += check_fetched(&p->records, codec, next, tag, &batches);
        fetches++;
        free(frame);
        kl_arena_free(&arena);
    }
    fprintf(stderr, "%-6s librdkafka wrote, we read %d records in %d batches, %d Fetch v%d\n", tag, next,
            batches, fetches, version);
    ck_assert_msg(batches >= NMSGS / 10, "%s: %d batches, expected %d or more (batch.num.messages=10)", tag,
                  batches, NMSGS / 10);
}

START_TEST(test_rdkafka_writes_we_read)
{
    kl_codec_t codec;
    if (!pick_codec(_i, &codec))
        return;
    const char *name = codec_names[_i];
    char topic[64];
    snprintf(topic, sizeof topic, "rk-to-kl-%s", name);
    mock_t m;
    mock_start(&m);
    topic_create(&m, topic);
    rk_produce(&m, topic, name);
    wire_fetch(&m, topic, 4, codec, name);
    wire_fetch(&m, topic, m.fetch_max, codec, name);
    mock_stop(&m);
}
END_TEST

/* ------------------------------------------------- we write, librdkafka reads */

/* Sends messages first..first+n-1 as one batch in a Produce request at
 * version and checks the broker put it at expect_base. */
static void wire_produce(mock_t *m, const char *topic, kl_codec_t codec, int16_t version, int first,
                         int n, int64_t expect_base, const char *tag)
{
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.codec = codec;
    ck_assert_int_eq(kl_batch_writer_open(&w, &params), KL_ERR_NONE);
    for (int i = first; i < first + n; i++) {
        msg_t msg;
        msg_make(&msg, i, tag);
        kl_record_header_t h = {HKEY, strlen(HKEY), msg.hval, (size_t)msg.hval_len};
        ck_assert_int_eq(kl_batch_writer_append(&w, msg.ts, msg.key, (size_t)msg.key_len, msg.value,
                                                (size_t)msg.value_len, &h, 1),
                         KL_ERR_NONE);
    }
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);

    kl_produce_request_partition_t part = {.index = 0, .records = kl_bytes(data, (int32_t)len)};
    kl_produce_request_topic_t t = {.name = kl_str(topic), .partition_data = {&part, 1}};
    kl_produce_request_t req;
    kl_proto_init(&kl_produce_request_schema, &req);
    req.transactional_id = KL_STR_NULL;
    req.acks = -1;
    req.timeout_ms = TIMEOUT_MS;
    req.topic_data.items = &t;
    req.topic_data.count = 1;

    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_response_t resp;
    uint8_t *frame;
    kl_err_t err = wire_call(&m->wc, KL_API_PRODUCE, version, &req, &arena, &resp, &frame, TIMEOUT_MS);
    ck_assert_msg(err == KL_ERR_NONE, "Produce v%d: %s", version, kl_err_str(err));
    ck_assert_int_eq(resp.responses.count, 1);
    ck_assert(kl_str_eq(resp.responses.items[0].name, topic));
    ck_assert_int_eq(resp.responses.items[0].partition_responses.count, 1);
    const kl_produce_response_partition_t *p = &resp.responses.items[0].partition_responses.items[0];
    ck_assert_int_eq(p->index, 0);
    ck_assert_msg(p->error_code == 0, "Produce v%d: partition error %d", version, p->error_code);
    ck_assert_int_eq(p->base_offset, expect_base);
    free(frame);
    kl_arena_free(&arena);
    kl_batch_writer_free(&w);
}

/* A librdkafka consumer reads NMSGS messages from offset (partition
 * assigned directly: no subscription, no rebalance) and checks them. */
static void rk_consume(mock_t *m, const char *topic, int64_t offset, const char *tag)
{
    char errstr[256];
    rd_kafka_conf_t *conf = conf_new();
    conf_set(conf, "bootstrap.servers", m->bootstraps);
    conf_set(conf, "group.id", "kl-interop"); /* required by assign(); never joined */
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "fetch.wait.max.ms", "100");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "consumer: %s", errstr);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = offset;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);

    int got = 0;
    int64_t deadline = now_ms() + TIMEOUT_MS;
    while (got < NMSGS && now_ms() < deadline) {
        rd_kafka_message_t *rm = rd_kafka_consumer_poll(rk, 200);
        if (!rm)
            continue;
        ck_assert_msg(rm->err == RD_KAFKA_RESP_ERR_NO_ERROR, "consume: %s", rd_kafka_message_errstr(rm));
        int i = got++;
        ck_assert_int_eq(rm->partition, 0);
        ck_assert_int_eq(rm->offset, offset + i);
        msg_t want;
        msg_make(&want, i, tag);
        check_bytes(rm->key, rm->key_len, want.key, want.key_len, "key", i);
        check_bytes(rm->payload, rm->len, want.value, want.value_len, "value", i);
        rd_kafka_timestamp_type_t tstype;
        ck_assert_int_eq(rd_kafka_message_timestamp(rm, &tstype), want.ts);
        ck_assert_int_eq(tstype, RD_KAFKA_TIMESTAMP_CREATE_TIME);
        rd_kafka_headers_t *hdrs;
        ck_assert_int_eq(rd_kafka_message_headers(rm, &hdrs), RD_KAFKA_RESP_ERR_NO_ERROR);
        ck_assert_int_eq(rd_kafka_header_cnt(hdrs), 1);
        const void *hv;
        size_t hv_len;
        ck_assert_int_eq(rd_kafka_header_get_last(hdrs, HKEY, &hv, &hv_len), RD_KAFKA_RESP_ERR_NO_ERROR);
        check_bytes(hv, hv_len, want.hval, want.hval_len, "header value", i);
        rd_kafka_message_destroy(rm);
    }
    ck_assert_msg(got == NMSGS, "librdkafka consumed %d of %d messages", got, NMSGS);
    fprintf(stderr, "%-6s we wrote, librdkafka read %d messages\n", tag, got);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

START_TEST(test_we_write_rdkafka_reads)
{
    kl_codec_t codec;
    if (!pick_codec(_i, &codec))
        return;
    const char *name = codec_names[_i];
    char topic[64];
    snprintf(topic, sizeof topic, "kl-to-rk-%s", name);
    mock_t m;
    mock_start(&m);
    topic_create(&m, topic);
    /* two batches: the first at Produce v3, the second at the highest
     * version in common; the broker appends them back to back */
    wire_produce(&m, topic, codec, 3, 0, NMSGS / 2, 0, name);
    wire_produce(&m, topic, codec, m.produce_max, NMSGS / 2, NMSGS - NMSGS / 2, NMSGS / 2, name);
    rk_consume(&m, topic, 0, name);
    mock_stop(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rdkafka_wire");
    TCase *tc = tcase_create("mock");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_api_versions);
    tcase_add_loop_test(tc, test_rdkafka_writes_we_read, 0, (int)NCODECS);
    tcase_add_loop_test(tc, test_we_write_rdkafka_reads, 0, (int)NCODECS);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
