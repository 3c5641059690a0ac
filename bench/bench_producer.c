/* Producer throughput: kafkalite's producer and librdkafka's producer, one
 * after the other, against the same librdkafka mock cluster in one run.
 * Each sends N 100-byte keyless messages (linger.ms=5, acks=1, every
 * other setting at its default), serves every delivery report, and the
 * clock stops when flush returns. The two take turns for a few rounds (the
 * mock's log grows as it goes, so neither always runs on the emptier
 * cluster) and the best round of each is compared.
 * Usage: bench_producer [messages] [partitions] [compression] [rounds]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MSG_SIZE 100

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_producer: %s: %s\n", what, why);
    exit(1);
}

static void rk_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

static void kl_quiet(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (level <= 3)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

typedef struct counts {
    long ok, failed;
} counts_t;

/* ---- kafkalite ---------------------------------------------------------------- */

static void kl_dr(kl_producer_t *p, const kl_message_t *m, void *opaque)
{
    (void)p;
    counts_t *c = opaque;
    if (kl_message_error(m))
        c->failed++;
    else
        c->ok++;
}

static double run_kafkalite(const char *bootstrap, const char *topic, long n, const char *codec, counts_t *c)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    const char *props[][2] = {{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}, {"acks", "1"},
                              {"compression.type", codec}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (kl_conf_set(conf, props[i][0], props[i][1], errstr, sizeof errstr))
            die("kl_conf_set", errstr);
    kl_conf_set_delivery_cb(conf, kl_dr);
    kl_conf_set_log_cb(conf, kl_quiet);
    kl_conf_set_opaque(conf, c);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!p)
        die("kl_producer_new", errstr);
    /* warm up: metadata and connections, outside the clock */
    kl_produce(p, topic, KL_PARTITION_UA, NULL, 0, "warm-up", 7, 0, NULL);
    if (kl_producer_flush(p, 10000))
        die("kafkalite", "warm-up flush timed out");
    c->ok = c->failed = 0;
    char value[MSG_SIZE];
    memset(value, 'x', sizeof value);
    int64_t start = now_us();
    for (long i = 0; i < n; i++) {
        snprintf(value, sizeof value, "%ld", i);
        while (kl_produce(p, topic, KL_PARTITION_UA, NULL, 0, value, sizeof value, 0, NULL) == KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 1);
        if ((i & 1023) == 0)
            kl_producer_poll(p, 0);
    }
    if (kl_producer_flush(p, 60000))
        die("kafkalite", "flush timed out");
    double secs = (double)(now_us() - start) / 1e6;
    kl_producer_destroy(p);
    return secs;
}

/* ---- librdkafka ---------------------------------------------------------------- */

static void rk_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    counts_t *c = opaque;
    if (m->err)
        c->failed++;
    else
        c->ok++;
}

static double run_librdkafka(const char *bootstrap, const char *topic, long n, const char *codec, counts_t *c)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[][2] = {{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}, {"acks", "1"},
                              {"compression.codec", codec}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (rd_kafka_conf_set(conf, props[i][0], props[i][1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            die("rd_kafka_conf_set", errstr);
    rd_kafka_conf_set_dr_msg_cb(conf, rk_dr);
    rd_kafka_conf_set_log_cb(conf, rk_quiet);
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk)
        die("rd_kafka_new", errstr);
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE("warm-up", 7),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (rd_kafka_flush(rk, 10000))
        die("librdkafka", "warm-up flush timed out");
    c->ok = c->failed = 0;
    char value[MSG_SIZE];
    memset(value, 'x', sizeof value);
    int64_t start = now_us();
    for (long i = 0; i < n; i++) {
        snprintf(value, sizeof value, "%ld", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(value, sizeof value),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 60000))
        die("librdkafka", "flush timed out");
    double secs = (double)(now_us() - start) / 1e6;
    rd_kafka_destroy(rk);
    return secs;
}

/* ---- main ---------------------------------------------------------------------- */

static void report(const char *who, long n, double secs, const counts_t *c)
{
    printf("%-11s %8ld msgs  %6.3f s  %10.0f msgs/s  %7.1f MB/s  (%ld ok, %ld failed)\n", who, n, secs,
           (double)n / secs, (double)n * MSG_SIZE / secs / 1e6, c->ok, c->failed);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int partitions = argc > 2 ? atoi(argv[2]) : 4;
    const char *codec = argc > 3 ? argv[3] : "none";
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    char errstr[256];
    rd_kafka_conf_t *mconf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(mconf, rk_quiet);
    rd_kafka_t *mrk = rd_kafka_new(RD_KAFKA_PRODUCER, mconf, errstr, sizeof errstr);
    if (!mrk)
        die("rd_kafka_new", errstr);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(mrk, 1);
    if (!mc)
        die("mock cluster", "cannot start");
    const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
    printf("%ld messages of %d bytes, %d partitions, linger.ms=5, acks=1, compression %s, mock cluster %s\n", n,
           MSG_SIZE, partitions, codec, bootstrap);
    double best_kl = 1e9, best_rk = 1e9;
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        char kl_topic[32], rk_topic[32];
        snprintf(kl_topic, sizeof kl_topic, "bench-kl-%d", r);
        snprintf(rk_topic, sizeof rk_topic, "bench-rk-%d", r);
        rd_kafka_mock_topic_create(mc, kl_topic, partitions, 1);
        rd_kafka_mock_topic_create(mc, rk_topic, partitions, 1);
        counts_t kc, rc;
        double rk_secs, kl_secs;
        if (r % 2 == 0) {
            rk_secs = run_librdkafka(bootstrap, rk_topic, n, codec, &rc);
            kl_secs = run_kafkalite(bootstrap, kl_topic, n, codec, &kc);
        } else {
            kl_secs = run_kafkalite(bootstrap, kl_topic, n, codec, &kc);
            rk_secs = run_librdkafka(bootstrap, rk_topic, n, codec, &rc);
        }
        report("librdkafka", n, rk_secs, &rc);
        report("kafkalite", n, kl_secs, &kc);
        bad |= kc.failed || rc.failed || kc.ok != n || rc.ok != n;
        best_rk = rk_secs < best_rk ? rk_secs : best_rk;
        best_kl = kl_secs < best_kl ? kl_secs : best_kl;
    }
    printf("best of %d: librdkafka %.0f msgs/s, kafkalite %.0f msgs/s, ratio kafkalite/librdkafka %.2f\n", rounds,
           (double)n / best_rk, (double)n / best_kl, best_rk / best_kl);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(mrk);
    return bad;
}
