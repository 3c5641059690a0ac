/* bench_brokers: brokers side by side (Apache Kafka, franz-go's kfake,
 * `kafkalite broker`), each in a process of its own started fresh every
 * round, fed and read by the same librdkafka clients with the same
 * settings (bench_producer_clients.c, bench_consumer_clients.c). The
 * targets take turns: round r starts with the r-th of them.
 *
 * Per round and target: `PREPARE TARGET DIR` (bench/broker_prepare,
 * through bench_brokers_proc.c) writes
 * DIR/command (the broker's command line, one argument a line),
 * DIR/bootstrap and, for a broker that writes to disk, DIR/datadir (the path
 * of its data folder); then
 *   start       the broker is spawned; milliseconds from the spawn until
 *               its port accepts a connection, and until a producer
 *               (acks=all) made then has one message acknowledged
 *   in          N messages produced with acks=1 and N with acks=all (which
 *               goes first alternates by round), to two new topics of P
 *               partitions: messages/s each
 *   out         the acks=1 topic consumed from the beginning (assign):
 *               messages/s, first message to last
 *   latency     RATE messages/s for SECS seconds, acks=1 then acks=all:
 *               produce call to delivery report, p50 and p99
 *   CPU         the broker's user+system seconds (/proc/PID/stat) during
 *               the two produce phases per GB of payload produced, and
 *               during the consume phase per GB of payload read
 *   peak RSS    the broker's VmHWM at the end of the round
 *   restart     the broker stopped (SIGTERM) and started again on what it
 *               wrote: the two start-up times again
 *   disk        the growth of the data folder's allocated blocks during the
 *               produce phases, per million messages (n/a without DIR/datadir)
 * Then the table: median (min-max) of the rounds per target, and the
 * ratios to the first target (kafka) taken per round.
 *
 * Usage: bench_brokers [-n N] [-r ROUNDS] [-p P] [-R RATE] [-d SECS]
 *                      [-t kafka,kfake,kafkalite] [-P PREPARE] */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "bench_brokers_proc.h"
#include "bench_consumer.h"
#include "bench_producer.h"
#include "bench_util.h"

#define MAX_TARGETS 4
#define MAX_ROUNDS 16 /* <= BENCH_MAX_ROUNDS */
#define MSG_SIZE 100
#define SEC_NS INT64_C(1000000000)
#define START_TIMEOUT_NS (300 * SEC_NS)


typedef struct options {
    long messages;
    int rounds, partitions;
    long rate;
    int seconds;
    const char *targets[MAX_TARGETS];
    int ntargets;
    const char *prepare;
} options_t;

enum {
    IN_ACKS1, IN_ACKSALL, OUT, P50_ACKS1, P99_ACKS1, P50_ACKSALL, P99_ACKSALL, CPU_IN, CPU_OUT, PEAK_MB, LISTEN_MS,
    START_MS, RELISTEN_MS, RESTART_MS, DISK_MB, NFIGURES
};
static const char *const figure_names[NFIGURES] = {
    "in, acks=1 (msgs/s)", "in, acks=all (msgs/s)", "out (msgs/s)", "latency acks=1 p50 (ms)",
    "latency acks=1 p99 (ms)", "latency acks=all p50 (ms)", "latency acks=all p99 (ms)",
    "broker CPU-s per GB in", "broker CPU-s per GB out", "peak RSS (MB)", "start to listening (ms)",
    "start to first ack (ms)", "restart to listening (ms)", "restart to first ack (ms)",
    "disk per 1M msgs (MB)",
};
static const int decimals[NFIGURES] = {0, 0, 0, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1};

/* Figures of every round of a target; NAN where not measurable. */
typedef struct target_rounds {
    double v[NFIGURES][MAX_ROUNDS];
} target_rounds_t;

/* ---- clients --------------------------------------------------------------------------- */

static void rk_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf; /* refused connections while the broker starts */
}

static void start_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    *(int *)opaque = m->err ? -1 : 1;
}

static void rk_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        bench_die(name, errstr);
}

static rd_kafka_t *rk_new(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk)
        bench_die("rd_kafka_new", errstr);
    return rk;
}

/* Spawns the broker and returns the milliseconds from the spawn to the
 * acknowledgement (acks=all) of one message to a topic it creates on
 * first use. The port is tried every millisecond; once it accepts, a
 * producer is made (its making counts) and sends the message, retrying
 * every few milliseconds. (A producer made before the port opens would
 * wait for librdkafka's one-second topic scan: that would measure
 * librdkafka.) Runs in this process; its threads are gone when it
 * returns. */
static double start_and_first_ack(broker_t *b, double *listen_ms)
{
    int delivered = 0;
    int64_t t0 = bench_now_ns();
    broker_spawn(b);
    while (!broker_accepting(b->bootstrap)) {
        if (bench_now_ns() - t0 > START_TIMEOUT_NS)
            delivered = -1;
        else if (waitpid(b->pid, NULL, WNOHANG) != 0) {
            b->pid = 0; /* exited */
            delivered = -1;
        }
        if (delivered < 0)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL); /* a benchmark's own pacing, with a deadline */
    }
    *listen_ms = (double)(bench_now_ns() - t0) / 1e6;
    rd_kafka_t *rk = NULL;
    if (delivered == 0) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rk_set(conf, "bootstrap.servers", b->bootstrap);
        rk_set(conf, "acks", "all");
        rk_set(conf, "linger.ms", "5");
        rk_set(conf, "socket.nagle.disable", "true");
        rk_set(conf, "reconnect.backoff.ms", "1");
        rk_set(conf, "reconnect.backoff.max.ms", "5");
        rk_set(conf, "topic.metadata.refresh.fast.interval.ms", "5");
        rk_set(conf, "retry.backoff.ms", "5");
        rk_set(conf, "message.timeout.ms", "300000");
        rd_kafka_conf_set_log_cb(conf, rk_quiet);
        rd_kafka_conf_set_dr_msg_cb(conf, start_report);
        rd_kafka_conf_set_opaque(conf, &delivered);
        rk = rk_new(RD_KAFKA_PRODUCER, conf);
        if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("bench-start"), RD_KAFKA_V_VALUE("start", 5),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END))
            bench_die("rd_kafka_producev", "start message refused");
    }
    while (!delivered) {
        rd_kafka_poll(rk, 1);
        if (bench_now_ns() - t0 > START_TIMEOUT_NS)
            delivered = -1;
        else if (waitpid(b->pid, NULL, WNOHANG) != 0) {
            b->pid = 0; /* exited */
            delivered = -1;
        }
    }
    double ms = (double)(bench_now_ns() - t0) / 1e6;
    if (delivered < 0) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "tail -n 30 '%s/broker.log' >&2", b->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "%s: no broker.log\n", bench_prog);
        bench_die(b->argv[0], "never acknowledged the first message");
    }
    rd_kafka_destroy(rk);
    return ms;
}

/* Creates the round's topics with the admin API, P partitions each. */
static void create_topics(const broker_t *b, const options_t *o, const char *const *names, int count)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rk_set(conf, "bootstrap.servers", b->bootstrap);
    rd_kafka_t *rk = rk_new(RD_KAFKA_PRODUCER, conf);
    rd_kafka_NewTopic_t *topics[8];
    char errstr[256];
    for (int i = 0; i < count; i++)
        if (!(topics[i] = rd_kafka_NewTopic_new(names[i], o->partitions, 1, errstr, sizeof errstr)))
            bench_die("rd_kafka_NewTopic_new", errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, topics, (size_t)count, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 60000);
    if (!ev || rd_kafka_event_error(ev))
        bench_die("CreateTopics", ev ? rd_kafka_event_error_string(ev) : "no answer in 60 s");
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; i++)
        if (rd_kafka_topic_result_error(res[i]))
            bench_die(rd_kafka_topic_result_name(res[i]), rd_kafka_topic_result_error_string(res[i]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    for (int i = 0; i < count; i++)
        rd_kafka_NewTopic_destroy(topics[i]);
    rd_kafka_destroy(rk);
}

/* One producer run in a child process (bench_run_librdkafka()). */
static bench_result_t produce(const broker_t *b, const options_t *o, const char *topic, const char *acks, long n,
                              long rate)
{
    bench_run_t run = {b->bootstrap, topic, n, MSG_SIZE, acks, "none", "false", "true", rate, NULL};
    bench_result_t res;
    if (bench_in_child(bench_run_librdkafka, &run, &res, sizeof res) != 0)
        bench_die(topic, "the producer's process failed");
    if (res.failed || res.ok != n)
        bench_die(topic, "messages not delivered");
    (void)o;
    return res;
}

typedef struct consume_job {
    const char *bootstrap, *topic;
    int partitions;
} consume_job_t;

typedef struct consume_result {
    long held, got;
    double secs; /* first message to last */
} consume_result_t;

/* Reads every message the topic holds, by assignment from the beginning. */
static void consume_child(void *arg, void *out)
{
    const consume_job_t *j = arg;
    consume_result_t *r = out;
    const bench_client_ops_t *ops = &bench_librdkafka_ops;
    const char *props[BENCH_CONSUMER_NSETTINGS + 5];
    memcpy(props, bench_consumer_settings, sizeof bench_consumer_settings);
    props[BENCH_CONSUMER_NSETTINGS] = "socket.nagle.disable";
    props[BENCH_CONSUMER_NSETTINGS + 1] = "true";
    props[BENCH_CONSUMER_NSETTINGS + 2] = "group.id";
    props[BENCH_CONSUMER_NSETTINGS + 3] = "bench-brokers";
    props[BENCH_CONSUMER_NSETTINGS + 4] = NULL;
    void *c = ops->consumer_new(j->bootstrap, props);
    *r = (consume_result_t){.held = ops->held(c, j->topic, j->partitions)};
    ops->start(c, j->topic, j->partitions, NULL);
    int64_t first = 0, last = 0, start = bench_now_ns();
    while (r->got < r->held) {
        const void *value;
        size_t len;
        void *m = ops->poll(c, 1000, &value, &len);
        if (!m) {
            if (bench_now_ns() - start > START_TIMEOUT_NS)
                bench_die(j->topic, "consumer stalled");
            continue;
        }
        if (++r->got == 1)
            first = bench_now_ns();
        if (r->got == r->held)
            last = bench_now_ns();
        ops->message_destroy(m);
    }
    ops->consumer_destroy(c);
    r->secs = (double)(last - first) / 1e9;
}

/* ---- a round --------------------------------------------------------------------------- */

static void run_target(const options_t *o, const char *target, int round, target_rounds_t *out)
{
    static broker_t b;
    broker_prepare(&b, o->prepare, target);
    double *v[NFIGURES];
    for (int f = 0; f < NFIGURES; f++)
        v[f] = &out->v[f][round];
    *v[START_MS] = start_and_first_ack(&b, v[LISTEN_MS]);
    static const char *const topics[] = {"bench-acks1", "bench-acksall", "bench-latency-acks1", "bench-latency-acksall"};
    create_topics(&b, o, topics, 4);

    double cpu0 = broker_cpu(&b), disk0 = b.data[0] ? broker_disk(&b) : 0;
    /* which acks goes first alternates too: the first phase warms up */
    bench_result_t r1, rall;
    if (round % 2 == 0) {
        r1 = produce(&b, o, topics[0], "1", o->messages, 0);
        rall = produce(&b, o, topics[1], "all", o->messages, 0);
    } else {
        rall = produce(&b, o, topics[1], "all", o->messages, 0);
        r1 = produce(&b, o, topics[0], "1", o->messages, 0);
    }
    double cpu1 = broker_cpu(&b);
    double disk1 = b.data[0] ? broker_disk(&b) : 0;
    consume_job_t job = {b.bootstrap, topics[0], o->partitions};
    consume_result_t cr;
    if (bench_in_child(consume_child, &job, &cr, sizeof cr) != 0)
        bench_die(target, "the consumer's process failed");
    /* the producer's warm-up message is there too */
    if (cr.got != o->messages + 1 || cr.held != o->messages + 1) {
        fprintf(stderr, "%s: %s: %ld messages produced, %ld held, %ld read\n", bench_prog, target, o->messages,
                cr.held, cr.got);
        bench_die(target, "the consumer did not read every message");
    }
    double cpu2 = broker_cpu(&b);
    long nlat = o->rate * o->seconds;
    bench_result_t l1 = produce(&b, o, topics[2], "1", nlat, o->rate);
    bench_result_t lall = produce(&b, o, topics[3], "all", nlat, o->rate);

    double gb = (double)o->messages * MSG_SIZE / 1e9;
    *v[IN_ACKS1] = (double)o->messages / r1.secs;
    *v[IN_ACKSALL] = (double)o->messages / rall.secs;
    *v[OUT] = cr.secs > 0 ? (double)(cr.got - 1) / cr.secs : 0;
    *v[P50_ACKS1] = (double)l1.p50_us / 1000;
    *v[P99_ACKS1] = (double)l1.p99_us / 1000;
    *v[P50_ACKSALL] = (double)lall.p50_us / 1000;
    *v[P99_ACKSALL] = (double)lall.p99_us / 1000;
    *v[CPU_IN] = (cpu1 - cpu0) / (2 * gb);
    *v[CPU_OUT] = (cpu2 - cpu1) / gb;
    *v[PEAK_MB] = (double)bench_process_peak_kb(b.pid) / 1024.0;
    broker_terminate(&b);
    *v[RESTART_MS] = start_and_first_ack(&b, v[RELISTEN_MS]);
    *v[DISK_MB] = b.data[0] ? (disk1 - disk0) / 1e6 / (2.0 * (double)o->messages / 1e6) : NAN;
    printf("  %-10s", target);
    for (int f = 0; f < NFIGURES; f++)
        printf(" %s %.*f%s", figure_names[f], decimals[f], *v[f], f + 1 < NFIGURES ? ";" : "\n");
    fflush(stdout);
    broker_stop(&b);
}

/* ---- the table ------------------------------------------------------------------------- */

static const char *cell(char *buf, size_t size, const double *values, int n, int dec)
{
    for (int i = 0; i < n; i++)
        if (values[i] != values[i])
            return "n/a";
    return bench_spread_str(buf, size, dec, bench_spread(values, n));
}

static void print_tables(const options_t *o, const target_rounds_t *t)
{
    char buf[128];
    printf("\nmedian (min-max) of %d rounds\n\n| figure |", o->rounds);
    for (int k = 0; k < o->ntargets; k++)
        printf(" %s |", o->targets[k]);
    printf("\n|---|");
    for (int k = 0; k < o->ntargets; k++)
        printf("---|");
    printf("\n");
    for (int f = 0; f < NFIGURES; f++) {
        printf("| %s |", figure_names[f]);
        for (int k = 0; k < o->ntargets; k++)
            printf(" %s |", cell(buf, sizeof buf, t[k].v[f], o->rounds, decimals[f]));
        printf("\n");
    }
    if (o->ntargets < 2)
        return;
    printf("\nratio to %s, per round: median (min-max)\n\n| figure |", o->targets[0]);
    for (int k = 1; k < o->ntargets; k++)
        printf(" %s / %s |", o->targets[k], o->targets[0]);
    printf("\n|---|");
    for (int k = 1; k < o->ntargets; k++)
        printf("---|");
    printf("\n");
    for (int f = 0; f < NFIGURES; f++) {
        printf("| %s |", figure_names[f]);
        for (int k = 1; k < o->ntargets; k++) {
            double r[MAX_ROUNDS];
            for (int i = 0; i < o->rounds; i++)
                r[i] = t[0].v[f][i] != t[0].v[f][i] || t[k].v[f][i] != t[k].v[f][i]
                           ? NAN
                           : bench_ratio(t[k].v[f][i], t[0].v[f][i]);
            printf(" %s |", cell(buf, sizeof buf, r, o->rounds, 3));
        }
        printf("\n");
    }
}

/* ---- options ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: bench_brokers [-n messages] [-r rounds] [-p partitions] [-R latency msgs/s] "
                    "[-d latency seconds] [-t kafka,kfake,kafkalite] [-P prepare-command]\n");
    exit(2);
}

static void parse_options(options_t *o, int argc, char **argv)
{
    static char targets[256] = "kafka,kfake,kafkalite";
    *o = (options_t){1000000, 5, 4, 10000, 3, {NULL}, 0, "bench/broker_prepare"};
    int c;
    while ((c = getopt(argc, argv, "n:r:p:R:d:t:P:")) != -1) {
        switch (c) {
        case 'n': o->messages = atol(optarg); break;
        case 'r': o->rounds = atoi(optarg); break;
        case 'p': o->partitions = atoi(optarg); break;
        case 'R': o->rate = atol(optarg); break;
        case 'd': o->seconds = atoi(optarg); break;
        case 't': snprintf(targets, sizeof targets, "%s", optarg); break;
        case 'P': o->prepare = optarg; break;
        default: usage();
        }
    }
    if (optind != argc || o->messages < 1 || o->rounds < 1 || o->rounds > MAX_ROUNDS || o->partitions < 1 ||
        o->rate < 1 || o->seconds < 1)
        usage();
    const char *items[BENCH_MAX_LIST];
    o->ntargets = bench_split_list(targets, items);
    if (o->ntargets < 1 || o->ntargets > MAX_TARGETS)
        usage();
    memcpy(o->targets, items, (size_t)o->ntargets * sizeof items[0]);
}

static void on_signal(int sig)
{
    (void)sig;
    bench_die("signal", "interrupted");
}

int main(int argc, char **argv)
{
    bench_prog = "bench_brokers";
    options_t o;
    parse_options(&o, argc, argv);
    atexit(broker_cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("%ld messages of %d bytes per produce phase, %d partitions, librdkafka %s for every client "
           "(linger.ms=5, socket.nagle.disable=true); latency at %ld msgs/s for %d s; %d rounds, targets in turn\n",
           o.messages, MSG_SIZE, o.partitions, rd_kafka_version_str(), o.rate, o.seconds, o.rounds);
    static target_rounds_t t[MAX_TARGETS];
    for (int r = 0; r < o.rounds; r++) {
        printf("round %d\n", r + 1);
        fflush(stdout);
        for (int i = 0; i < o.ntargets; i++) {
            int k = (r + i) % o.ntargets;
            run_target(&o, o.targets[k], r, &t[k]);
        }
    }
    print_tables(&o, t);
    return 0;
}
