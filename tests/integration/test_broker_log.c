/* The partition logs behind the broker: produced batches are validated
 * once and corrupt ones still refused; LogAppendTime stamped by the log;
 * broker-wide log defaults resolved as Kafka resolves them; retention by
 * time and size from topic configs and broker defaults, driven by the
 * records' own timestamps; flushing off the network thread by message
 * count, by time and on roll, on num.io.threads threads. Waits are on
 * conditions, polled. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/conf_table.h"
#include "broker/server.h"
#include "broker_fixture.h"
#include "broker_wire.h"
#include "util/conf.h"

#define WAIT_MS 10000
#define OLD_TS WIRE_BASE_TIMESTAMP /* November 2023: older than any retention below */

static int64_t now_ms(void) { return (int64_t)time(NULL) * 1000; }

/* Produces batch number i (3 records from 3 * i) stamped from ts0, its
 * records keyed "k<offset>" when keyed (a compacted topic refuses
 * keyless ones); returns the batch's size. */
static size_t produce_batch(wire_client_t *wc, const char *topic, int i, int64_t ts0, bool keyed)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    if (keyed) {
        kl_batch_params_t params;
        kl_batch_params_init(&params);
        kl_batch_writer_init(&w, 0);
        ck_assert_int_eq(kl_batch_writer_open(&w, &params), 0);
        for (int r = 3 * i; r < 3 * i + 3; r++) {
            char key[16], value[64];
            int kl = snprintf(key, sizeof key, "k%d", r);
            memset(value, 'v', sizeof value);
            ck_assert_int_eq(kl_batch_writer_append(&w, ts0 + r, key, (size_t)kl, value, 50, NULL, 0), 0);
        }
        ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), 0);
    } else {
        make_batch_with(&w, NULL, 3 * i, 3, 50, ts0, &data, &len);
    }
    kl_produce_response_partition_t r;
    ck_assert_int_eq(produce_raw(wc, topic, 0, data, len, 9, &r), 0);
    ck_assert_int_eq(r.base_offset, 3 * i);
    kl_batch_writer_free(&w);
    return len;
}

static size_t produce_stamped(wire_client_t *wc, const char *topic, int i, int64_t ts0)
{
    return produce_batch(wc, topic, i, ts0, false);
}

/* Polls ListOffsets(earliest) until it says want; returns the last answer. */
static int64_t wait_start_offset(wire_client_t *wc, const char *topic, int64_t want)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    int64_t seen;
    while ((seen = list_offset(wc, 1, topic, -2, NULL)) != want && fixture_now_ms() < deadline)
        usleep(2000);
    return seen;
}

static kl_log_t *partition_log(const broker_fixture_t *f, const char *topic)
{
    broker_topic_t *t = topics_find(&f->broker->topics, kl_str(topic));
    ck_assert_ptr_nonnull(t);
    return t->logs[0];
}

/* Polls the log's recovery point (any thread may read it) until it
 * reaches want; returns the last value. */
static int64_t wait_recovery_point(kl_log_t *log, int64_t want)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    int64_t seen;
    while ((seen = kl_log_recovery_point(log)) < want && fixture_now_ms() < deadline)
        usleep(2000);
    return seen;
}

/* ------------------------------------------------------------ validation */

START_TEST(test_corrupt_batches_refused)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "checked", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(produce(&wc, "checked", 0, 0, 3, 10, NULL), 0);
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch(&w, 3, 3, 10, &data, &len);
    uint8_t *bad = malloc(len);
    memcpy(bad, data, len);
    bad[len - 1] ^= 0x20; /* the CRC no longer matches */
    ck_assert_int_eq(produce_raw(&wc, "checked", 0, bad, len, 9, NULL), KL_ERR_CORRUPT_MESSAGE);
    memcpy(bad, data, len);
    bad[11] += 1; /* batchLength one past the bytes sent */
    ck_assert_int_eq(produce_raw(&wc, "checked", 0, bad, len, 9, NULL), KL_ERR_CORRUPT_MESSAGE);
    ck_assert_int_eq(produce_raw(&wc, "checked", 0, data, len - 1, 9, NULL), KL_ERR_CORRUPT_MESSAGE);
    free(bad);
    kl_batch_writer_free(&w);
    /* nothing of them was stored; the next good batch follows the first */
    ck_assert_int_eq(list_offset(&wc, 1, "checked", -1, NULL), 3);
    int64_t base;
    ck_assert_int_eq(produce(&wc, "checked", 0, 3, 3, 10, &base), 0);
    ck_assert_int_eq(base, 3);
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, "checked", 0, 1, 0);
    kl_fetch_response_t resp;
    exchange_t x;
    call(&wc, KL_API_FETCH, 11, &req, &resp, &x);
    ck_assert_int_eq(count_records(&resp.responses.items[0].partitions.items[0], 0), 6);
    done(&x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* message.timestamp.type=LogAppendTime: the log stamps the batch (CRC
 * recomputed) and the answer carries the time. */
START_TEST(test_log_append_time)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "stamped", 1, 1, "message.timestamp.type", "LogAppendTime", false, NULL), 0);
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch(&w, 0, 2, 10, &data, &len);
    kl_produce_response_partition_t r;
    int64_t before = now_ms();
    ck_assert_int_eq(produce_raw(&wc, "stamped", 0, data, len, 9, &r), 0);
    kl_batch_writer_free(&w);
    ck_assert_int_ge(r.log_append_time_ms, before);
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, "stamped", 0, 1, 0);
    kl_fetch_response_t resp;
    exchange_t x;
    call(&wc, KL_API_FETCH, 11, &req, &resp, &x);
    const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, rp->records.ptr, (size_t)rp->records.len, 0); /* CRCs checked */
    kl_batch_t b;
    ck_assert_int_eq(kl_batch_iter_next(&it, &b), KL_ERR_NONE);
    ck_assert(kl_batch_is_log_append_time(&b));
    ck_assert_int_eq(b.max_timestamp, r.log_append_time_ms);
    done(&x);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ defaults */

static kl_log_config_t defaults_with(const char *const *props)
{
    char errstr[256];
    kl_conf_t *conf = kl_broker_conf_new();
    for (const char *const *p = props; p && p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    broker_topic_defaults_t d;
    topic_defaults_from_conf(conf, &d);
    kl_conf_destroy(conf);
    return d.log;
}

START_TEST(test_log_defaults_resolved)
{
    kl_log_config_t c = defaults_with(NULL);
    ck_assert_int_eq(c.retention_ms, 168 * 3600000LL);
    ck_assert_int_eq(c.segment_ms, 168 * 3600000LL);
    ck_assert_int_eq(c.retention_bytes, -1);
    ck_assert_int_eq(c.flush_interval_ms, INT64_MAX);
    ck_assert_int_eq(c.flush_interval_messages, INT64_MAX);
    ck_assert_uint_eq(c.segment_bytes, 1073741824);
    ck_assert_int_eq(c.timestamp_type, KL_LOG_CREATE_TIME);
    static const char *const minutes[] = {"log.retention.hours", "1", "log.retention.minutes", "5", NULL};
    ck_assert_int_eq(defaults_with(minutes).retention_ms, 300000);
    static const char *const ms[] = {"log.retention.minutes", "5", "log.retention.ms", "1234", NULL};
    ck_assert_int_eq(defaults_with(ms).retention_ms, 1234);
    static const char *const forever[] = {"log.retention.hours", "-1", NULL};
    ck_assert_int_eq(defaults_with(forever).retention_ms, -1);
    static const char *const roll[] = {"log.roll.hours", "2", NULL};
    ck_assert_int_eq(defaults_with(roll).segment_ms, 7200000);
    static const char *const roll_ms[] = {"log.roll.hours", "2", "log.roll.ms", "5000", NULL};
    ck_assert_int_eq(defaults_with(roll_ms).segment_ms, 5000);
    static const char *const sched[] = {"log.flush.scheduler.interval.ms", "2000", NULL};
    ck_assert_int_eq(defaults_with(sched).flush_interval_ms, 2000);
    static const char *const flush[] = {"log.flush.scheduler.interval.ms", "2000", "log.flush.interval.ms", "100",
                                        "log.flush.interval.messages", "7", "log.retention.bytes", "4096",
                                        "log.message.timestamp.type", "LogAppendTime", NULL};
    c = defaults_with(flush);
    ck_assert_int_eq(c.flush_interval_ms, 100);
    ck_assert_int_eq(c.flush_interval_messages, 7);
    ck_assert_int_eq(c.retention_bytes, 4096);
    ck_assert_int_eq(c.timestamp_type, KL_LOG_APPEND_TIME);
}
END_TEST

/* ------------------------------------------------------------ retention */

START_TEST(test_retention)
{
    /* minutes win over hours: an hour of retention for topics without
     * retention.ms, checked every 20 ms */
    static const char *const props[] = {"log.retention.check.interval.ms", "20", "log.retention.minutes", "60",
                                        "log.retention.hours", "1000", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    static const char *const forever[] = {"segment.bytes", "200", "retention.ms", "-1", NULL};
    static const char *const compacted[] = {"segment.bytes", "200", "cleanup.policy", "compact", NULL};
    static const char *const plain[] = {"segment.bytes", "200", NULL};
    ck_assert_int_eq(create_topic_with(&wc, "forever", 1, 1, forever, false, NULL), 0);
    ck_assert_int_eq(create_topic_with(&wc, "compacted", 1, 1, compacted, false, NULL), 0);
    ck_assert_int_eq(create_topic_with(&wc, "recent", 1, 1, plain, false, NULL), 0);
    ck_assert_int_eq(create_topic_with(&wc, "by-default", 1, 1, plain, false, NULL), 0);
    /* every batch is bigger than segment.bytes: one segment each */
    size_t sizes[5];
    for (int i = 0; i < 5; i++) {
        produce_stamped(&wc, "forever", i, OLD_TS);
        produce_batch(&wc, "compacted", i, OLD_TS, true);
        sizes[i] = produce_stamped(&wc, "recent", i, now_ms());
        ck_assert_uint_gt(sizes[i], 200);
    }
    for (int i = 0; i < 5; i++)
        produce_stamped(&wc, "by-default", i, OLD_TS);
    /* old segments go, the active one stays */
    ck_assert_int_eq(wait_start_offset(&wc, "by-default", 12), 12);
    /* that pass saw the others too, and kept them */
    ck_assert_int_eq(list_offset(&wc, 1, "forever", -2, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 1, "compacted", -2, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 1, "recent", -2, NULL), 0);
    ck_assert_int_eq(list_offset(&wc, 1, "by-default", -1, NULL), 15);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_retention_by_size)
{
    static const char *const props[] = {"log.retention.check.interval.ms", "20", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "sized", 1, 1, "segment.bytes", "200", false, NULL), 0);
    size_t sizes[6];
    for (int i = 0; i < 6; i++)
        sizes[i] = produce_stamped(&wc, "sized", i, now_ms());
    /* Kafka's rule: the oldest segments go while what is left stays at
     * least retention.bytes; this limit keeps the last three (the same
     * batches again: the same sizes) */
    size_t limit = sizes[3] + sizes[4] + sizes[5];
    static char value[32];
    snprintf(value, sizeof value, "%zu", limit);
    static const char *const sized[] = {"segment.bytes", "200", "retention.bytes", value, NULL};
    ck_assert_int_eq(create_topic_with(&wc, "sized2", 1, 1, sized, false, NULL), 0);
    for (int i = 0; i < 6; i++)
        produce_stamped(&wc, "sized2", i, now_ms());
    ck_assert_int_eq(wait_start_offset(&wc, "sized2", 9), 9);
    ck_assert_int_eq(list_offset(&wc, 1, "sized", -2, NULL), 0); /* no limit */
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ flushing */

START_TEST(test_flushing)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "lazy", 1, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "sync", 1, 1, "flush.messages", "1", false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "timed", 1, 1, "flush.ms", "30", false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "rolling", 1, 1, "segment.bytes", "200", false, NULL), 0);
    produce_stamped(&wc, "lazy", 0, now_ms());
    produce_stamped(&wc, "sync", 0, now_ms());
    produce_stamped(&wc, "timed", 0, now_ms());
    for (int i = 0; i < 3; i++)
        produce_stamped(&wc, "rolling", i, now_ms());
    ck_assert_int_eq(wait_recovery_point(partition_log(&f, "sync"), 3), 3);
    ck_assert_int_eq(wait_recovery_point(partition_log(&f, "timed"), 3), 3);
    /* each roll flushes what came before it */
    ck_assert_int_ge(wait_recovery_point(partition_log(&f, "rolling"), 6), 6);
    /* nothing asks for the lazy one to be flushed before it closes */
    ck_assert_int_eq(kl_log_recovery_point(partition_log(&f, "lazy")), 0);
    /* a topic deleted right after an append that asked for a flush */
    produce_stamped(&wc, "sync", 1, now_ms());
    ck_assert_int_eq(delete_topic(&wc, "sync"), 0);
    wire_close(&wc);
    /* a clean stop flushes the rest */
    fixture_restart(&f);
    ck_assert_int_eq(kl_log_recovery_point(partition_log(&f, "lazy")), 3);
    ck_assert_uint_eq(kl_log_recovery_scanned_bytes(partition_log(&f, "lazy")), 0);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_io_threads)
{
    static const char *const one[] = {"num.io.threads", "1", NULL};
    static const char *const six[] = {"num.io.threads", "6", NULL};
    ck_assert_int_eq(fixture_threads_added(six) - fixture_threads_added(one), 5);
}
END_TEST

static Suite *broker_log_suite(void)
{
    Suite *s = suite_create("broker_log");
    TCase *tc = tcase_create("log");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_corrupt_batches_refused);
    tcase_add_test(tc, test_log_append_time);
    tcase_add_test(tc, test_log_defaults_resolved);
    tcase_add_test(tc, test_retention);
    tcase_add_test(tc, test_retention_by_size);
    tcase_add_test(tc, test_flushing);
    tcase_add_test(tc, test_io_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Topics here roll after a few batches: lower Kafka's 1 MiB
     * segment.bytes minimum for this process's brokers (a test-only knob). */
    setenv("KAFKALITE_TEST_MIN_SEGMENT_BYTES", "14", 1);
    SRunner *sr = srunner_create(broker_log_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
