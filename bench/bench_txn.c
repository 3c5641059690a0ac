/* Transactional throughput (issue 20): kafkalite's transactional producer
 * against librdkafka's on the same embedded kafkalite broker. Each client
 * runs T transactions of M messages (100-byte values by default, message i
 * to partition i % P, so every transaction spans all P partitions) and
 * commits each one; init_transactions and one warm-up transaction are
 * outside the clock. The clients alternate for R rounds, each run in a
 * child process with a topic and transactional.id of its own; the table
 * gives median (min-max) of transactions and messages a second, and the
 * ratio kafkalite/librdkafka taken per round.
 *
 *   bench/bench_txn [-r rounds] [-t transactions] [-m messages] [-s size] [-p partitions]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_targets.h"
#include "bench_util.h"

#define MAX_SIZE 65536

typedef struct txn_run {
    const char *bootstrap;
    char topic[64];
    char txn_id[64];
    int transactions, messages, size, partitions;
} txn_run_t;

typedef struct txn_result {
    double secs;
} txn_result_t;

static const char *const txn_settings[] = {
    "linger.ms", "5",
    "queue.buffering.max.messages", "100000",
    "batch.num.messages", "10000",
    NULL,
};

/* ---- kafkalite ------------------------------------------------------------------ */

static void kl_must(kl_error_t *error, const char *what)
{
    if (error)
        bench_die(what, kl_error_string(error));
}

static void kl_txn(kl_producer_t *p, const txn_run_t *run, char *value, int messages)
{
    kl_must(kl_begin_transaction(p), "kl_begin_transaction");
    for (int i = 0; i < messages; i++) {
        memcpy(value, &i, sizeof i);
        while (kl_produce(p, run->topic, i % run->partitions, NULL, 0, value, (size_t)run->size, 0, NULL) ==
               KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 1);
    }
    kl_must(kl_commit_transaction(p, 60000), "kl_commit_transaction");
}

static void run_kafkalite(void *arg, void *out)
{
    const txn_run_t *run = arg;
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", run->bootstrap, errstr, sizeof errstr) ||
        kl_conf_set(conf, "transactional.id", run->txn_id, errstr, sizeof errstr))
        bench_die("kl_conf_set", errstr);
    for (int i = 0; txn_settings[i]; i += 2)
        if (kl_conf_set(conf, txn_settings[i], txn_settings[i + 1], errstr, sizeof errstr))
            bench_die("kl_conf_set", errstr);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!p)
        bench_die("kl_producer_new", errstr);
    kl_must(kl_init_transactions(p, 60000), "kl_init_transactions");
    static char value[MAX_SIZE];
    memset(value, 'x', (size_t)run->size);
    kl_txn(p, run, value, run->partitions); /* warm-up: metadata, connections */
    int64_t start = bench_now_ns();
    for (int t = 0; t < run->transactions; t++)
        kl_txn(p, run, value, run->messages);
    ((txn_result_t *)out)->secs = (double)(bench_now_ns() - start) / 1e9;
    kl_producer_destroy(p);
}

/* ---- librdkafka ------------------------------------------------------------------ */

static void rk_must(rd_kafka_error_t *error, const char *what)
{
    if (error)
        bench_die(what, rd_kafka_error_string(error));
}

static void rk_txn(rd_kafka_t *rk, const txn_run_t *run, char *value, int messages)
{
    rk_must(rd_kafka_begin_transaction(rk), "rd_kafka_begin_transaction");
    for (int i = 0; i < messages; i++) {
        memcpy(value, &i, sizeof i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(run->topic), RD_KAFKA_V_PARTITION(i % run->partitions),
                                 RD_KAFKA_V_VALUE(value, (size_t)run->size),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
    }
    rk_must(rd_kafka_commit_transaction(rk, 60000), "rd_kafka_commit_transaction");
}

static void run_librdkafka(void *arg, void *out)
{
    const txn_run_t *run = arg;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", run->bootstrap, errstr, sizeof errstr) ||
        rd_kafka_conf_set(conf, "transactional.id", run->txn_id, errstr, sizeof errstr))
        bench_die("rd_kafka_conf_set", errstr);
    for (int i = 0; txn_settings[i]; i += 2)
        if (rd_kafka_conf_set(conf, txn_settings[i], txn_settings[i + 1], errstr, sizeof errstr))
            bench_die("rd_kafka_conf_set", errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk)
        bench_die("rd_kafka_new", errstr);
    rk_must(rd_kafka_init_transactions(rk, 60000), "rd_kafka_init_transactions");
    static char value[MAX_SIZE];
    memset(value, 'x', (size_t)run->size);
    rk_txn(rk, run, value, run->partitions);
    int64_t start = bench_now_ns();
    for (int t = 0; t < run->transactions; t++)
        rk_txn(rk, run, value, run->messages);
    ((txn_result_t *)out)->secs = (double)(bench_now_ns() - start) / 1e9;
    rd_kafka_destroy(rk);
}

/* ---- the table ------------------------------------------------------------------ */

static int int_arg(const char *s, int min, int max, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < min || v > max)
        bench_die(what, "out of range");
    return (int)v;
}

int main(int argc, char **argv)
{
    bench_prog = "bench_txn";
    int rounds = 5, opt;
    txn_run_t run = {.transactions = 20, .messages = 1000, .size = 100, .partitions = 4};
    while ((opt = getopt(argc, argv, "r:t:m:s:p:")) != -1) {
        switch (opt) {
        case 'r': rounds = int_arg(optarg, 1, BENCH_MAX_ROUNDS, "-r"); break;
        case 't': run.transactions = int_arg(optarg, 1, 100000, "-t"); break;
        case 'm': run.messages = int_arg(optarg, 1, 1000000, "-m"); break;
        case 's': run.size = int_arg(optarg, (int)sizeof(int), MAX_SIZE, "-s"); break;
        case 'p': run.partitions = int_arg(optarg, 1, 1000, "-p"); break;
        default:
            fprintf(stderr, "usage: %s [-r rounds] [-t transactions] [-m messages] [-s size] [-p partitions]\n",
                    argv[0]);
            return 2;
        }
    }
    bench_topics_t topics = {run.partitions, NULL, 0, NULL};
    bench_server_t server;
    bench_server_start(&server, bench_target_ops("kafkalite"), &topics);
    run.bootstrap = server.bootstrap;
    static const char *const names[2] = {"kafkalite", "librdkafka"};
    void (*const fns[2])(void *, void *) = {run_kafkalite, run_librdkafka};
    double tps[2][BENCH_MAX_ROUNDS], ratio[BENCH_MAX_ROUNDS];
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
            int c = (r & 1) ? 1 - k : k; /* alternate which client goes first */
            snprintf(run.topic, sizeof run.topic, "txn-%s-%d", names[c], r);
            snprintf(run.txn_id, sizeof run.txn_id, "bench-%s-%d", names[c], r);
            txn_result_t res = {0};
            if (bench_in_child(fns[c], &run, &res, sizeof res) || res.secs <= 0)
                bench_die(names[c], "the run failed");
            tps[c][r] = run.transactions / res.secs;
        }
        ratio[r] = bench_ratio(tps[0][r], tps[1][r]);
        fprintf(stderr, "round %d: kafkalite %.1f, librdkafka %.1f transactions/s\n", r + 1, tps[0][r], tps[1][r]);
    }
    bench_server_stop(&server);

    printf("%d transactions of %d messages of %d bytes over %d partitions, embedded kafkalite broker\n\n",
           run.transactions, run.messages, run.size, run.partitions);
    printf("| client | transactions/s | messages/s |\n|---|---|---|\n");
    for (int c = 0; c < 2; c++) {
        double mps[BENCH_MAX_ROUNDS];
        for (int r = 0; r < rounds; r++)
            mps[r] = tps[c][r] * run.messages;
        char a[64], b[64];
        printf("| %s | %s | %s |\n", names[c], bench_spread_str(a, sizeof a, 1, bench_spread(tps[c], rounds)),
               bench_spread_str(b, sizeof b, 0, bench_spread(mps, rounds)));
    }
    char a[64];
    printf("| ratio kafkalite/librdkafka | %s | |\n", bench_spread_str(a, sizeof a, 2, bench_spread(ratio, rounds)));
    printf("\nmedian (min-max) of %d rounds, clients alternating; ratio taken per round\n", rounds);
    return 0;
}
