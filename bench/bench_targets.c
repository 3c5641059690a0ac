/* The brokers the client benchmarks run against: see bench_targets.h. */
#include "bench_targets.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* ---- librdkafka's mock cluster ------------------------------------------------------- */

typedef struct mock_state {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
} mock_state_t;

static void rk_log_errors(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka mock %s: %s\n", fac, buf);
}

static void *mock_start(void *arg, char *bootstrap, size_t size)
{
    const bench_topics_t *topics = arg;
    static mock_state_t s;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, rk_log_errors);
    s.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!s.rk)
        bench_die("rd_kafka_new", errstr);
    s.mc = rd_kafka_mock_cluster_new(s.rk, 1);
    if (!s.mc)
        bench_die("mock cluster", "cannot start");
    for (int i = 0; i < topics->count; i++)
        if (rd_kafka_mock_topic_create(s.mc, topics->names[i], topics->partitions, 1))
            bench_die("mock cluster", "cannot create the topics");
    snprintf(bootstrap, size, "%s", rd_kafka_mock_cluster_bootstraps(s.mc));
    return &s;
}

static void mock_stop(void *state)
{
    mock_state_t *s = state;
    rd_kafka_mock_cluster_destroy(s->mc);
    rd_kafka_destroy(s->rk);
}

/* ---- kafkalite's embedded broker ----------------------------------------------------- */

typedef struct embedded_state {
    kl_broker_t *broker;
    char dir[64];
} embedded_state_t;

static void *embedded_start(void *arg, char *bootstrap, size_t size)
{
    const bench_topics_t *topics = arg;
    static embedded_state_t s;
    snprintf(s.dir, sizeof s.dir, "/tmp/kl-bench-XXXXXX");
    if (!mkdtemp(s.dir))
        bench_die("mkdtemp", s.dir);
    char errstr[256], partitions[16];
    snprintf(partitions, sizeof partitions, "%d", topics->partitions);
    /* the topics are created on first use, with num.partitions */
    const char *props[][2] = {
        {"listeners", "PLAINTEXT://127.0.0.1:0"}, {"log.dirs", s.dir}, {"num.partitions", partitions}};
    kl_conf_t *conf = kl_broker_conf_new();
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (kl_conf_set(conf, props[i][0], props[i][1], errstr, sizeof errstr))
            bench_die("broker configuration", errstr);
    if (topics->security)
        bench_security_broker_conf(topics->security, conf, s.dir);
    s.broker = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!s.broker)
        bench_die("kl_broker_new", errstr);
    if (kl_broker_start(s.broker))
        bench_die("kl_broker_start", "cannot listen");
    snprintf(bootstrap, size, "%s",
             topics->security ? kl_broker_listeners(s.broker) : kl_broker_bootstrap_servers(s.broker));
    return &s;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void embedded_stop(void *state)
{
    embedded_state_t *s = state;
    kl_broker_destroy(s->broker);
    if (nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "%s: could not remove %s\n", bench_prog, s->dir);
}

const bench_server_ops_t *bench_target_ops(const char *target)
{
    static const bench_server_ops_t mock = {mock_start, mock_stop}, embedded = {embedded_start, embedded_stop};
    if (!strcmp(target, "mock"))
        return &mock;
    if (!strcmp(target, "kafkalite"))
        return &embedded;
    bench_die(target, "unknown target (kafkalite or mock)");
}

int bench_targets_secure(char *list, const char *mechanism, const char *const *targets, int ntargets,
                         int *protocols, bench_security_t *s)
{
    int n = bench_protocols_parse(list, protocols, mechanism, s);
    for (int i = 0; i < ntargets; i++)
        if (bench_target_ops(targets[i]) == bench_target_ops("mock") && s->dir[0]) {
            bench_security_remove(s);
            bench_die("mock cluster", "no TLS or SASL listeners (-t kafkalite for -S ssl,sasl_ssl)");
        }
    return n;
}
