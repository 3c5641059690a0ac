/* The idempotent producer (lib/producer) against the embedded broker:
 * 1,000,000 messages across 6 partitions, each reported once and stored
 * once, in produce order per partition; then the same with the broker
 * losing Produce responses (its fault hook), so batches already written
 * are retried: still no duplicate, no reordering, and every report's
 * offset is where the message is. The log is read back over the wire with
 * Fetch. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "broker/server.h"
#include "broker_fixture.h"
#include "broker_wire.h"

#define PARTITIONS 6
#define TIMEOUT_MS 240000

/* Only calls into Check when the condition fails (checks per message). */
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

typedef struct reports {
    int n;
    int *count;
    int32_t *partition;
    int64_t *offset;
    int total, failed;
    kl_err_t first_err;
} reports_t;

static void reports_init(reports_t *r, int n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->count = calloc((size_t)n, sizeof *r->count);
    r->partition = calloc((size_t)n, sizeof *r->partition);
    r->offset = calloc((size_t)n, sizeof *r->offset);
    ck_assert(r->count && r->partition && r->offset);
}

static void reports_free(reports_t *r)
{
    free(r->count);
    free(r->partition);
    free(r->offset);
}

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    int i = (int)(intptr_t)kl_message_opaque(m);
    CHECK(i >= 0 && i < r->n, "report for unknown message %d", i);
    CHECK(r->count[i] == 0, "message %d reported twice", i);
    r->count[i]++;
    r->total++;
    r->partition[i] = kl_message_partition(m);
    r->offset[i] = kl_message_offset(m);
    if (kl_message_error(m)) {
        if (!r->failed++)
            r->first_err = kl_message_error(m);
    }
}

static void on_log(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (level <= 4)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

static kl_producer_t *producer_new(const char *bootstrap, reports_t *r, const char *const *props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr), KL_ERR_NONE);
    for (; props && *props; props += 2)
        ck_assert_msg(kl_conf_set(conf, props[0], props[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_log_cb(conf, on_log);
    kl_conf_set_opaque(conf, r);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    kl_conf_destroy(conf);
    return p;
}

static void produce_one(kl_producer_t *p, const char *topic, int i)
{
    char value[16];
    int len = snprintf(value, sizeof value, "%d", i);
    kl_err_t err = kl_produce_flags(p, topic, i % PARTITIONS, KL_MSG_F_BLOCK, NULL, 0, value, (size_t)len, NULL, 0,
                                    (void *)(intptr_t)i);
    CHECK(err == KL_ERR_NONE, "kl_produce %d: %s", i, kl_err_str(err));
}

/* Fetches every record of topic's partition and checks it against the
 * reports: message i % PARTITIONS == partition, in increasing order, once,
 * at the offset its report gave. Returns the number of records. */
static int read_back(wire_client_t *wc, const char *topic, int32_t partition, const reports_t *r)
{
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    int64_t offset = 0;
    int got = 0, last = -1;
    long long deadline = fixture_now_ms() + 60000;
    for (;;) {
        kl_fetch_request_t req;
        kl_fetch_request_topic_t t;
        kl_fetch_request_partition_t fp;
        fetch_request(&req, &t, &fp, topic, offset, 1, 10);
        fp.partition = partition;
        fp.partition_max_bytes = 4 << 20;
        kl_fetch_response_t resp;
        exchange_t x;
        call(wc, KL_API_FETCH, 12, &req, &resp, &x);
        const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
        ck_assert_int_eq(rp->error_code, 0);
        int64_t hwm = rp->high_watermark;
        kl_batch_iter_t bi;
        kl_batch_iter_init(&bi, rp->records.ptr, (size_t)rp->records.len, 0);
        kl_batch_t b;
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
            ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
            ck_assert_int_ge(b.producer_id, 0); /* written by an idempotent producer */
            kl_record_t rec;
            while (kl_record_iter_next(&ri, &rec) == KL_ERR_NONE) {
                if (rec.offset < offset)
                    continue;
                char buf[16] = {0};
                memcpy(buf, rec.value, rec.value_len < 15 ? rec.value_len : 15);
                int i = atoi(buf);
                CHECK(i >= 0 && i < r->n && i % PARTITIONS == partition, "partition %d holds message %d", partition,
                      i);
                CHECK(i > last, "partition %d: message %d after %d (duplicate or reordered)", partition, i, last);
                CHECK(r->offset[i] == rec.offset, "message %d at offset %lld, reported %lld", i,
                      (long long)rec.offset, (long long)r->offset[i]);
                last = i;
                got++;
                offset = rec.offset + 1;
            }
        }
        done(&x);
        if (offset >= hwm)
            break;
        ck_assert_msg(fixture_now_ms() < deadline, "partition %d: read %lld of %lld", partition, (long long)offset,
                      (long long)hwm);
    }
    kl_record_iter_free(&ri);
    return got;
}

static void check_stored(broker_fixture_t *f, const char *topic, const reports_t *r)
{
    for (int i = 0; i < r->n; i++)
        CHECK(r->count[i] == 1 && r->partition[i] == i % PARTITIONS && r->offset[i] >= 0,
              "message %d: %d reports, partition %d offset %lld", i, r->count[i], r->partition[i],
              (long long)r->offset[i]);
    wire_client_t wc;
    connect_to(&wc, f);
    int total = 0;
    for (int32_t pt = 0; pt < PARTITIONS; pt++) {
        int got = read_back(&wc, topic, pt, r);
        ck_assert_int_eq(got, r->n / PARTITIONS + (pt < r->n % PARTITIONS));
        total += got;
    }
    ck_assert_int_eq(total, r->n);
    wire_close(&wc);
}

static void create(broker_fixture_t *f, const char *topic)
{
    wire_client_t wc;
    connect_to(&wc, f);
    ck_assert_int_eq(create_topic(&wc, topic, PARTITIONS, 1, NULL, NULL, false, NULL), 0);
    wire_close(&wc);
}

START_TEST(test_million_messages_once_in_order)
{
    const int n = 1000000;
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create(&f, "million");
    reports_t r;
    reports_init(&r, n);
    static const char *const props[] = {"linger.ms", "5", NULL};
    kl_producer_t *p = producer_new(f.bootstrap, &r, props);
    long long t0 = fixture_now_ms();
    for (int i = 0; i < n; i++)
        produce_one(p, "million", i);
    ck_assert_int_eq(kl_producer_flush(p, TIMEOUT_MS), KL_ERR_NONE);
    long long took = fixture_now_ms() - t0;
    ck_assert_msg(r.failed == 0, "%d failed, first with %s", r.failed, kl_err_name(r.first_err));
    ck_assert_int_eq(r.total, n);
    char errstr[256];
    ck_assert_int_eq(kl_producer_fatal_error(p, errstr, sizeof errstr), KL_ERR_NONE);
    kl_producer_destroy(p);
    fprintf(stderr, "idempotent: %d messages over %d partitions delivered in %lld ms\n", n, PARTITIONS, took);
    check_stored(&f, "million", &r);
    reports_free(&r);
    fixture_stop(&f);
}
END_TEST

/* Responses to batches the broker wrote are lost: the producer's request
 * times out, the connection is dropped and every batch on it is resent
 * with its sequence; the broker recognises those it has. */
START_TEST(test_lost_responses_no_duplicates)
{
    const int n = 200000, lost = 6;
    broker_fixture_t f;
    fixture_start(&f, NULL);
    create(&f, "lossy");
    reports_t r;
    reports_init(&r, n);
    static const char *const props[] = {"linger.ms", "5", "request.timeout.ms", "1000", "retry.backoff.ms", "20",
                                        "reconnect.backoff.ms", "10", NULL};
    kl_producer_t *p = producer_new(f.bootstrap, &r, props);
    for (int i = 0; i < n; i++) {
        produce_one(p, "lossy", i);
        if (i == n / 4)
            atomic_store(&f.broker->fault_lost_produce_responses, lost);
    }
    ck_assert_int_eq(kl_producer_flush(p, TIMEOUT_MS), KL_ERR_NONE);
    ck_assert_msg(r.failed == 0, "%d failed, first with %s", r.failed, kl_err_name(r.first_err));
    ck_assert_int_eq(r.total, n);
    ck_assert_int_eq(atomic_load(&f.broker->fault_lost_produce_responses), 0);
    char *stats = kl_producer_stats(p);
    ck_assert_ptr_nonnull(stats);
    const char *retries = strstr(stats, "\"retries\":");
    ck_assert_ptr_nonnull(retries);
    ck_assert_msg(atol(retries + 10) > 0, "no retry happened: %s", stats);
    fprintf(stderr, "lost responses: %s\n", stats);
    kl_mem_free(stats);
    kl_producer_destroy(p);
    check_stored(&f, "lossy", &r);
    reports_free(&r);
    fixture_stop(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("producer_idempotence");
    TCase *tc = tcase_create("broker");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_million_messages_once_in_order);
    tcase_add_test(tc, test_lost_responses_no_duplicates);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
