/* The two producers bench_producer compares, driven the same way: one
 * warm-up message (metadata, connection, topic creation) outside the
 * clock, then N keyless messages as fast as the producer takes them,
 * serving delivery reports every 1024 messages and whenever the queue is
 * full, then flush; or, with a rate, each message at its time, serving
 * reports while waiting for it (bench_pace()). Each message's opaque carries the monotonic time of
 * its first produce call, so the report gives its latency without a
 * per-message array (which would weigh on the peak memory measured). */
#include <stdio.h>
#include <string.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_producer.h"
#include "bench_util.h"

#define MAX_SIZE 65536

const char *const bench_producer_settings[] = {
    "linger.ms", "5",
    "queue.buffering.max.messages", "100000",
    "queue.buffering.max.kbytes", "1048576",
    "batch.num.messages", "10000",
    "batch.size", "1000000",
    "partitioner", "consistent_random",
    "sticky.partitioning.linger.ms", "10",
    NULL,
};

/* Calls set(conf, name, value) for every setting of the run; codec_name is
 * the client's name for the compression property. */
static void set_all(void *conf, const bench_run_t *run, const char *codec_name,
                    void (*set)(void *conf, const char *name, const char *value))
{
    set(conf, "bootstrap.servers", run->bootstrap);
    set(conf, "acks", run->acks);
    set(conf, codec_name, run->codec);
    set(conf, "enable.idempotence", run->idempotence);
    set(conf, "socket.nagle.disable", run->nagle_disable);
    for (size_t i = 0; bench_producer_settings[i]; i += 2)
        set(conf, bench_producer_settings[i], bench_producer_settings[i + 1]);
    for (size_t i = 0; run->security && run->security[i]; i += 2)
        set(conf, run->security[i], run->security[i + 1]);
}

typedef struct tally {
    long ok, failed;
    bench_hist_t latency; /* microseconds */
} tally_t;

static void tally_report(tally_t *t, int err, void *opaque)
{
    if (err)
        t->failed++;
    else
        t->ok++;
    int64_t sent = (int64_t)(intptr_t)opaque;
    if (sent > 0)
        bench_hist_add(&t->latency, (uint64_t)(bench_now_ns() - sent) / 1000);
}

static void tally_reset(tally_t *t) { memset(t, 0, sizeof *t); }

static void tally_result(const tally_t *t, double secs, double cpu_secs, bench_result_t *r)
{
    r->secs = secs;
    r->cpu_secs = cpu_secs;
    r->ok = t->ok;
    r->failed = t->failed;
    r->p50_us = bench_hist_percentile(&t->latency, 50);
    r->p99_us = bench_hist_percentile(&t->latency, 99);
    r->peak_kb = bench_peak_rss_kb();
}

static void check_run(const bench_run_t *run)
{
    if (run->size < (int)sizeof(long) || run->size > MAX_SIZE)
        bench_die("message size", "out of range");
}

/* The first produce call of message i is due at start + i/rate seconds
 * (now, without a rate). */
static int64_t due_of(const bench_run_t *run, int64_t start, long i)
{
    return run->rate > 0 ? start + (int64_t)((double)i * 1e9 / (double)run->rate) : 0;
}

/* ---- kafkalite ------------------------------------------------------------------ */

static void kl_log_errors(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (level <= 3)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

static void kl_report(kl_producer_t *p, const kl_message_t *m, void *opaque)
{
    (void)p;
    tally_report(opaque, kl_message_error(m) != KL_ERR_NONE, kl_message_opaque(m));
}

static void kl_set(void *conf, const char *name, const char *value)
{
    char errstr[256];
    if (kl_conf_set(conf, name, value, errstr, sizeof errstr))
        bench_die("kl_conf_set", errstr);
}

static void kl_serve(void *p, int ms) { kl_producer_poll(p, ms); }

void bench_run_kafkalite(void *arg, void *out)
{
    const bench_run_t *run = arg;
    check_run(run);
    static tally_t tally;
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    set_all(conf, run, "compression.type", kl_set);
    kl_conf_set_delivery_cb(conf, kl_report);
    kl_conf_set_log_cb(conf, kl_log_errors);
    kl_conf_set_opaque(conf, &tally);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!p)
        bench_die("kl_producer_new", errstr);
    if (kl_produce(p, run->topic, KL_PARTITION_UA, NULL, 0, "warm-up", 7, 0, NULL) ||
        kl_producer_flush(p, 30000) || tally.ok != 1)
        bench_die("kafkalite", "warm-up message not delivered");
    tally_reset(&tally);
    char value[MAX_SIZE];
    memset(value, 'x', (size_t)run->size);
    int64_t start = bench_now_ns();
    double cpu = bench_cpu_secs();
    for (long i = 0; i < run->messages; i++) {
        if (run->rate > 0)
            bench_pace(due_of(run, start, i), kl_serve, p);
        memcpy(value, &i, sizeof i);
        void *sent = (void *)(intptr_t)bench_now_ns();
        while (kl_produce(p, run->topic, KL_PARTITION_UA, NULL, 0, value, (size_t)run->size, 0, sent) ==
               KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 1);
        if ((i & 1023) == 0)
            kl_producer_poll(p, 0);
    }
    if (kl_producer_flush(p, 120000))
        bench_die("kafkalite", "flush timed out");
    double secs = (double)(bench_now_ns() - start) / 1e9;
    cpu = bench_cpu_secs() - cpu;
    kl_producer_destroy(p);
    tally_result(&tally, secs, cpu, out);
}

/* ---- librdkafka ------------------------------------------------------------------ */

static void rk_log_errors(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

static void rk_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    tally_report(opaque, m->err != RD_KAFKA_RESP_ERR_NO_ERROR, m->_private);
}

static void rk_set(void *conf, const char *name, const char *value)
{
    char errstr[256];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        bench_die("rd_kafka_conf_set", errstr);
}

static void rk_serve(void *rk, int ms) { rd_kafka_poll(rk, ms); }

void bench_run_librdkafka(void *arg, void *out)
{
    const bench_run_t *run = arg;
    check_run(run);
    static tally_t tally;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_all(conf, run, "compression.codec", rk_set);
    rd_kafka_conf_set_dr_msg_cb(conf, rk_report);
    rd_kafka_conf_set_log_cb(conf, rk_log_errors);
    rd_kafka_conf_set_opaque(conf, &tally);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk)
        bench_die("rd_kafka_new", errstr);
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(run->topic), RD_KAFKA_V_VALUE("warm-up", 7),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) ||
        rd_kafka_flush(rk, 30000) || tally.ok != 1)
        bench_die("librdkafka", "warm-up message not delivered");
    tally_reset(&tally);
    char value[MAX_SIZE];
    memset(value, 'x', (size_t)run->size);
    int64_t start = bench_now_ns();
    double cpu = bench_cpu_secs();
    for (long i = 0; i < run->messages; i++) {
        if (run->rate > 0)
            bench_pace(due_of(run, start, i), rk_serve, rk);
        memcpy(value, &i, sizeof i);
        void *sent = (void *)(intptr_t)bench_now_ns();
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(run->topic), RD_KAFKA_V_VALUE(value, (size_t)run->size),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(sent),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000))
        bench_die("librdkafka", "flush timed out");
    double secs = (double)(bench_now_ns() - start) / 1e9;
    cpu = bench_cpu_secs() - cpu;
    rd_kafka_destroy(rk);
    tally_result(&tally, secs, cpu, out);
}
