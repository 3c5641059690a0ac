/* Consumer benchmark: kafkalite's consumer against librdkafka's, side by
 * side, reading the same messages from the same broker in the same run:
 * kafkalite's embedded broker (temporary log.dirs) and librdkafka's mock
 * cluster, each in a server process of its own. Per target, one topic is
 * filled once with N messages of S bytes by kafkalite's producer; then,
 * round after round, each consumer reads it from the beginning (manual
 * assignment, and subscribing with a new group.id) in a forked child of
 * its own, so its peak resident memory (VmHWM) is its own. The mock
 * cluster keeps only the newest messages of each partition: what it holds
 * is read. Throughput is timed from the first message to the last, so
 * that start-up (metadata, offsets, the group join) is not counted.
 * End-to-end latency: in another child, each client's producer
 * (linger.ms=0) stamps the monotonic time into each value at a fixed rate
 * and the same client's consumer (assigned from the beginning of a fresh
 * topic, warmed up) computes poll time minus stamp.
 * The order of the two clients alternates per round (5 rounds by
 * default); each figure is reported as the median and spread (min-max) of
 * the rounds, the ratios kafkalite/librdkafka taken per round. Both
 * consumers get the same settings (below, and bench/README), Nagle's
 * algorithm off on every client unless -N on.
 * Usage: bench_consumer [-n messages] [-s size] [-p partitions] [-r rounds]
 *        [-t kafkalite,mock] [-m assign,subscribe] [-R rate] [-d seconds]
 *        [-c codec] [-N off|on] [-l kafkalite,librdkafka] (-l one client
 *        alone: for profiling; -d 0: no latency runs; -c: the filled
 *        topic's compression, default none) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_consumer.h"
#include "bench_targets.h"
#include "bench_util.h"

#define MAX_ROUNDS 16 /* <= BENCH_MAX_ROUNDS */
#define MAX_SIZE 65536
#define DATA_TOPIC "bench-data"
#define STALL_NS (300 * INT64_C(1000000000))

#define NSETTINGS BENCH_CONSUMER_NSETTINGS

/* The latency run's producers (socket.nagle.disable is added). */
static const char *const latency_producer_settings[] = {
    "linger.ms", "0", "acks", "1", "queue.buffering.max.messages", "100000",
    "queue.buffering.max.kbytes", "1048576", "partitioner", "consistent_random", NULL,
};
#define NLATENCY_SETTINGS (sizeof latency_producer_settings / sizeof latency_producer_settings[0] - 1)

/* socket.nagle.disable on every client: "true" unless -N on */
static const char *nagle_disable = "true";

static const bench_client_ops_t *const clients[2] = {&bench_kafkalite_ops, &bench_librdkafka_ops};
enum { ASSIGN, SUBSCRIBE, NMODES };
static const char *const mode_names[NMODES] = {"assign", "subscribe"};

typedef struct options {
    long messages;
    int size, partitions, rounds;
    long rate;   /* latency: messages per second */
    int seconds; /* latency: how long; 0 none */
    const char *codec; /* of the filled topic */
    const char *targets[BENCH_MAX_LIST];
    int ntargets;
    bool modes[NMODES];
    bool use[2]; /* which clients run */
} options_t;

/* consumer settings plus socket.nagle.disable and group.id, NULL-terminated */
typedef struct props {
    const char *list[NSETTINGS + 5];
    char group[96];
} props_t;

static void props_init(props_t *p, const char *group)
{
    memcpy(p->list, bench_consumer_settings, sizeof bench_consumer_settings);
    snprintf(p->group, sizeof p->group, "%s", group);
    p->list[NSETTINGS] = "socket.nagle.disable";
    p->list[NSETTINGS + 1] = nagle_disable;
    p->list[NSETTINGS + 2] = "group.id";
    p->list[NSETTINGS + 3] = p->group;
    p->list[NSETTINGS + 4] = NULL;
}

/* ---- filling the topic ------------------------------------------------------------ */

typedef struct fill_job {
    const char *bootstrap;
    const options_t *o;
} fill_job_t;

static void fill_child(void *arg, void *out)
{
    const fill_job_t *j = arg;
    const bench_client_ops_t *ops = &bench_kafkalite_ops;
    const char *const settings[] = {"linger.ms", "5", "acks", "1", "compression.type", j->o->codec, NULL};
    void *p = ops->producer_new(j->bootstrap, settings);
    char value[MAX_SIZE];
    memset(value, 'x', (size_t)j->o->size);
    int64_t start = bench_now_ns();
    for (long i = 0; i < j->o->messages; i++) {
        memcpy(value, &i, sizeof i);
        ops->produce(p, DATA_TOPIC, -1, value, (size_t)j->o->size);
        if ((i & 1023) == 0)
            ops->producer_poll(p);
    }
    ops->producer_destroy(p);
    *(double *)out = (double)(bench_now_ns() - start) / 1e9;
}

/* ---- throughput ---------------------------------------------------------------------- */

typedef struct consume_job {
    const bench_client_ops_t *ops;
    const char *bootstrap;
    const options_t *o;
    const char *group; /* subscribe with it; NULL: assign */
    char group_id[96];
} consume_job_t;

typedef struct consume_result {
    long held, got;
    double secs; /* first message to last */
    long peak_kb;
    unsigned long checksum; /* the last value byte of each message: proof it was read */
} consume_result_t;

static void consume_child(void *arg, void *out)
{
    const consume_job_t *j = arg;
    consume_result_t *r = out;
    props_t props;
    props_init(&props, j->group_id);
    void *c = j->ops->consumer_new(j->bootstrap, props.list);
    *r = (consume_result_t){.held = j->ops->held(c, DATA_TOPIC, j->o->partitions)};
    j->ops->start(c, DATA_TOPIC, j->o->partitions, j->group);
    int64_t first = 0, last = 0, start = bench_now_ns();
    while (r->got < r->held) {
        const void *value;
        size_t len;
        void *m = j->ops->poll(c, 1000, &value, &len);
        if (!m) {
            if (bench_now_ns() - start > STALL_NS)
                bench_die(j->ops->name, "consumer stalled");
            continue;
        }
        /* the clock only at the first and the last message: reading it per
         * message would weigh on both clients' loops */
        if (++r->got == 1)
            first = bench_now_ns();
        if (r->got == r->held)
            last = bench_now_ns();
        if (len)
            r->checksum += ((const unsigned char *)value)[len - 1];
        j->ops->message_destroy(m);
    }
    j->ops->consumer_destroy(c);
    r->secs = (double)(last - first) / 1e9;
    r->peak_kb = bench_peak_rss_kb();
}

/* ---- end-to-end latency ---------------------------------------------------------------- */

typedef struct latency_job {
    const bench_client_ops_t *ops;
    const char *bootstrap;
    const options_t *o;
    char topic[64];
} latency_job_t;

typedef struct latency_result {
    long sent, got;
    uint64_t p50_us, p99_us;
} latency_result_t;

typedef struct receiver {
    const latency_job_t *job;
    void *consumer;
    atomic_long got;
    atomic_bool stop;
    bench_hist_t hist; /* microseconds; read after the join */
} receiver_t;

static void *receive(void *arg)
{
    receiver_t *rc = arg;
    const bench_client_ops_t *ops = rc->job->ops;
    while (!atomic_load(&rc->stop)) {
        const void *value;
        size_t len;
        void *m = ops->poll(rc->consumer, 100, &value, &len);
        if (!m)
            continue;
        int64_t now = bench_now_ns(), stamp;
        if (len == (size_t)rc->job->o->size) {
            memcpy(&stamp, value, sizeof stamp);
            bench_hist_add(&rc->hist, (uint64_t)(now - stamp) / 1000);
            atomic_fetch_add(&rc->got, 1);
        }
        ops->message_destroy(m);
    }
    return NULL;
}

/* Waits until *count reaches want or the deadline passes; false then. */
static bool wait_count(atomic_long *count, long want, int64_t deadline)
{
    while (atomic_load(count) < want) {
        if (bench_now_ns() > deadline)
            return false;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL); /* a benchmark's own pacing, not a test's synchronisation */
    }
    return true;
}

/* One message to each partition, consumed before the clock starts: the
 * connections, offsets and fetches are all up. */
static void warm_up(const latency_job_t *j, void *consumer, void *producer)
{
    for (int p = 0; p < j->o->partitions; p++)
        j->ops->produce(producer, j->topic, p, "warm-up", 7);
    int seen = 0;
    int64_t deadline = bench_now_ns() + 60 * INT64_C(1000000000);
    while (seen < j->o->partitions) {
        j->ops->producer_poll(producer);
        const void *value;
        size_t len;
        void *m = j->ops->poll(consumer, 100, &value, &len);
        if (m) {
            seen++;
            j->ops->message_destroy(m);
        } else if (bench_now_ns() > deadline)
            bench_die(j->ops->name, "warm-up messages never consumed");
    }
}

static void latency_child(void *arg, void *out)
{
    const latency_job_t *j = arg;
    latency_result_t *r = out;
    props_t props;
    props_init(&props, "bench-latency");
    static receiver_t rc; /* the histogram is large */
    rc.job = j;
    rc.consumer = j->ops->consumer_new(j->bootstrap, props.list);
    const char *producer_props[NLATENCY_SETTINGS + 3];
    memcpy(producer_props, latency_producer_settings, NLATENCY_SETTINGS * sizeof producer_props[0]);
    producer_props[NLATENCY_SETTINGS] = "socket.nagle.disable";
    producer_props[NLATENCY_SETTINGS + 1] = nagle_disable;
    producer_props[NLATENCY_SETTINGS + 2] = NULL;
    void *producer = j->ops->producer_new(j->bootstrap, producer_props);
    j->ops->start(rc.consumer, j->topic, j->o->partitions, NULL);
    warm_up(j, rc.consumer, producer);
    pthread_t thread;
    if (pthread_create(&thread, NULL, receive, &rc) != 0)
        bench_die("pthread_create", "failed");
    long n = j->o->rate * j->o->seconds;
    char value[MAX_SIZE];
    memset(value, 'x', (size_t)j->o->size);
    int64_t start = bench_now_ns();
    for (long i = 0; i < n; i++) {
        int64_t due = start + i * INT64_C(1000000000) / j->o->rate;
        struct timespec ts = {(time_t)(due / 1000000000), (long)(due % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
            ;
        int64_t stamp = bench_now_ns();
        memcpy(value, &stamp, sizeof stamp);
        j->ops->produce(producer, j->topic, -1, value, (size_t)j->o->size);
        if ((i & 63) == 0)
            j->ops->producer_poll(producer);
    }
    j->ops->producer_destroy(producer);
    bool all = wait_count(&rc.got, n, bench_now_ns() + 60 * INT64_C(1000000000));
    atomic_store(&rc.stop, true);
    pthread_join(thread, NULL);
    j->ops->consumer_destroy(rc.consumer);
    if (!all)
        fprintf(stderr, "%s: %s: %ld of %ld latency messages consumed\n", bench_prog, j->ops->name,
                atomic_load(&rc.got), n);
    *r = (latency_result_t){n, atomic_load(&rc.got), bench_hist_percentile(&rc.hist, 50),
                            bench_hist_percentile(&rc.hist, 99)};
}

/* ---- rounds ---------------------------------------------------------------------------- */

typedef struct rounds {
    double rate[NMODES][MAX_ROUNDS]; /* messages/s, first to last message */
    double peak_mb[NMODES][MAX_ROUNDS];
    long got[NMODES];
    double p50_ms[MAX_ROUNDS], p99_ms[MAX_ROUNDS]; /* 0: that round lost messages */
} rounds_t;

static double rate_of(const consume_result_t *r) { return r->secs > 0 ? (double)(r->got - 1) / r->secs : 0; }

static void run_consume(const options_t *o, const char *target, const char *bootstrap, int round, int c, int mode,
                        rounds_t *out)
{
    consume_job_t job = {clients[c], bootstrap, o, NULL, ""};
    snprintf(job.group_id, sizeof job.group_id, "bench-%s-%s-%d", mode_names[mode], clients[c]->name, round);
    if (mode == SUBSCRIBE)
        job.group = job.group_id;
    consume_result_t r;
    if (bench_in_child(consume_child, &job, &r, sizeof r) != 0)
        bench_die(clients[c]->name, "the consumer's process failed");
    printf("  %s round %d %-9s %-10s %8ld msgs %10.0f msgs/s %7.1f MB/s  peak %6.1f MB  (sum %lu)\n", target,
           round + 1, mode_names[mode], clients[c]->name, r.got, rate_of(&r), rate_of(&r) * o->size / 1e6,
           (double)r.peak_kb / 1024, r.checksum);
    fflush(stdout);
    out->rate[mode][round] = rate_of(&r);
    out->peak_mb[mode][round] = (double)r.peak_kb / 1024;
    out->got[mode] = r.got;
}

static void run_latency(const options_t *o, const char *target, const char *bootstrap, int round, int c,
                        rounds_t *out)
{
    latency_job_t job = {clients[c], bootstrap, o, ""};
    snprintf(job.topic, sizeof job.topic, "bench-latency-%s-%d", clients[c]->name, round);
    latency_result_t r;
    if (bench_in_child(latency_child, &job, &r, sizeof r) != 0)
        bench_die(clients[c]->name, "the latency process failed");
    printf("  %s round %d latency   %-10s %8ld of %ld msgs  p50 %7.3f ms  p99 %7.3f ms\n", target, round + 1,
           clients[c]->name, r.got, r.sent, (double)r.p50_us / 1000, (double)r.p99_us / 1000);
    fflush(stdout);
    if (r.got != r.sent)
        bench_die(clients[c]->name, "latency messages were lost");
    out->p50_ms[round] = (double)r.p50_us / 1000;
    out->p99_ms[round] = (double)r.p99_us / 1000;
}

/* Every round on one target; out[c] per client. */
static void run_target(const options_t *o, const char *target, rounds_t out[2])
{
    static char names[1 + 2 * MAX_ROUNDS][64];
    const char *list[1 + 2 * MAX_ROUNDS];
    int ntopics = 0;
    list[ntopics++] = DATA_TOPIC;
    for (int r = 0; r < o->rounds; r++)
        for (int c = 0; c < 2; c++) {
            snprintf(names[ntopics], sizeof names[ntopics], "bench-latency-%s-%d", clients[c]->name, r);
            list[ntopics] = names[ntopics];
            ntopics++;
        }
    bench_topics_t topics = {o->partitions, list, ntopics};
    bench_server_t server;
    bench_server_start(&server, bench_target_ops(target), &topics);
    fill_job_t fill = {server.bootstrap, o};
    double secs;
    if (bench_in_child(fill_child, &fill, &secs, sizeof secs) != 0)
        bench_die(target, "filling the topic failed");
    printf("%s broker: %ld messages produced in %.2f s\n", target, o->messages, secs);
    for (int r = 0; r < o->rounds; r++)
        for (int k = 0; k < 2; k++) {
            int c = (k + r + 1) % 2; /* librdkafka first in even rounds */
            if (!o->use[c])
                continue;
            for (int mode = 0; mode < NMODES; mode++)
                if (o->modes[mode])
                    run_consume(o, target, server.bootstrap, r, c, mode, &out[c]);
            if (o->seconds > 0)
                run_latency(o, target, server.bootstrap, r, c, &out[c]);
        }
    bench_server_stop(&server);
}

/* ---- the table ---------------------------------------------------------------------------- */

/* The median (min-max) of the rounds' values of kafkalite (c 0), of
 * librdkafka (1), or of the per-round ratio kafkalite/librdkafka (2). */
static const char *spread_of(char *buf, size_t size, int decimals, const options_t *o, const double *k,
                             const double *r, int c)
{
    double v[MAX_ROUNDS];
    for (int i = 0; i < o->rounds; i++)
        v[i] = c == 0 ? k[i] : c == 1 ? r[i] : bench_ratio(k[i], r[i]);
    return bench_spread_str(buf, size, c == 2 ? 2 : decimals, bench_spread(v, o->rounds));
}

static void print_table(const options_t *o, const rounds_t out[][2])
{
    printf("\nmedian (min-max) of %d rounds (messages/s first to last message; peak = VmHWM); ratio = "
           "kafkalite/librdkafka, taken per round\n",
           o->rounds);
    printf("%-9s %-9s %-10s %8s  %-28s %s\n", "target", "mode", "client", "messages", "msgs/s", "peak MB");
    char a[64], b[64];
    for (int t = 0; t < o->ntargets; t++)
        for (int mode = 0; mode < NMODES; mode++) {
            if (!o->modes[mode])
                continue;
            const rounds_t *k = &out[t][0], *r = &out[t][1];
            for (int c = 0; c < 3; c++) {
                if (c < 2 ? !o->use[c] : !(o->use[0] && o->use[1]))
                    continue;
                char got[24] = "";
                if (c < 2)
                    snprintf(got, sizeof got, "%ld", out[t][c].got[mode]);
                printf("%-9s %-9s %-10s %8s  %-28s %s\n", o->targets[t], mode_names[mode],
                       c < 2 ? clients[c]->name : "ratio", got,
                       spread_of(a, sizeof a, 0, o, k->rate[mode], r->rate[mode], c),
                       spread_of(b, sizeof b, 1, o, k->peak_mb[mode], r->peak_mb[mode], c));
            }
        }
    if (o->seconds <= 0)
        return;
    printf("\nend-to-end latency, produce to poll (linger.ms=0, %ld msgs/s for %d s; median (min-max) of the "
           "rounds)\n",
           o->rate, o->seconds);
    printf("%-9s %-10s %-24s %s\n", "target", "client", "p50 ms", "p99 ms");
    for (int t = 0; t < o->ntargets; t++) {
        const rounds_t *k = &out[t][0], *r = &out[t][1];
        for (int c = 0; c < 3; c++) {
            if (c < 2 ? !o->use[c] : !(o->use[0] && o->use[1]))
                continue;
            printf("%-9s %-10s %-24s %s\n", o->targets[t], c < 2 ? clients[c]->name : "ratio",
                   spread_of(a, sizeof a, 3, o, k->p50_ms, r->p50_ms, c),
                   spread_of(b, sizeof b, 3, o, k->p99_ms, r->p99_ms, c));
        }
    }
}

/* ---- options -------------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: %s [-n messages] [-s size] [-p partitions] [-r rounds] [-t kafkalite,mock]\n"
                    "       [-m assign,subscribe] [-R rate] [-d seconds] [-c codec] [-N off|on]\n"
                    "       [-l kafkalite,librdkafka]\n",
            bench_prog);
    exit(2);
}

/* Sets flags[i] for each name of list found in names[]. */
static void pick(char *list, const char *const *names, int count, bool *flags, const char *what)
{
    const char *items[BENCH_MAX_LIST];
    int n = bench_split_list(list, items);
    if (!n)
        usage();
    for (int i = 0; i < n; i++) {
        int which = -1;
        for (int k = 0; k < count; k++)
            if (!strcmp(items[i], names[k]))
                which = k;
        if (which < 0)
            bench_die(items[i], what);
        flags[which] = true;
    }
}

static void parse_options(options_t *o, int argc, char **argv)
{
    static char targets[] = "kafkalite,mock", modes[] = "assign,subscribe", use[] = "kafkalite,librdkafka";
    *o = (options_t){.messages = 2000000, .size = 100, .partitions = 4, .rounds = 5, .rate = 20000, .seconds = 3,
                     .codec = "none"};
    char *t = targets, *m = modes, *l = use;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:p:r:t:m:R:d:c:N:l:h")) != -1) {
        switch (opt) {
        case 'n': o->messages = atol(optarg); break;
        case 's': o->size = atoi(optarg); break;
        case 'p': o->partitions = atoi(optarg); break;
        case 'r': o->rounds = atoi(optarg); break;
        case 't': t = optarg; break;
        case 'm': m = optarg; break;
        case 'R': o->rate = atol(optarg); break;
        case 'd': o->seconds = atoi(optarg); break;
        case 'c': o->codec = optarg; break;
        case 'N': /* Nagle's algorithm on every client */
            if (strcmp(optarg, "on") && strcmp(optarg, "off"))
                usage();
            nagle_disable = strcmp(optarg, "on") ? "true" : "false";
            break;
        case 'l': l = optarg; break;
        default: usage();
        }
    }
    o->ntargets = bench_split_list(t, o->targets);
    if (optind != argc || o->messages < 1 || o->partitions < 1 || o->rounds < 1 || o->rounds > MAX_ROUNDS ||
        !o->ntargets || o->size < (int)sizeof(int64_t) || o->size > MAX_SIZE || o->rate < 1 || o->seconds < 0)
        usage();
    for (int i = 0; i < o->ntargets; i++)
        bench_target_ops(o->targets[i]);
    pick(m, mode_names, NMODES, o->modes, "unknown mode (assign or subscribe)");
    const char *names[2] = {clients[0]->name, clients[1]->name};
    pick(l, names, 2, o->use, "unknown client (kafkalite or librdkafka)");
}

int main(int argc, char **argv)
{
    bench_prog = "bench_consumer";
    options_t o;
    parse_options(&o, argc, argv);
    printf("%ld messages of %d bytes (compression %s), %d partitions, %d rounds; kafkalite %s, librdkafka %s\n"
           "consumer settings on both:",
           o.messages, o.size, o.codec, o.partitions, o.rounds, kl_version_str(), rd_kafka_version_str());
    for (size_t i = 0; i < NSETTINGS; i += 2)
        printf(" %s=%s", bench_consumer_settings[i], bench_consumer_settings[i + 1]);
    printf(" socket.nagle.disable=%s\nlatency producers on both:", nagle_disable);
    for (size_t i = 0; i < NLATENCY_SETTINGS; i += 2)
        printf(" %s=%s", latency_producer_settings[i], latency_producer_settings[i + 1]);
    printf(" socket.nagle.disable=%s\n", nagle_disable);
    static rounds_t out[BENCH_MAX_LIST][2];
    for (int t = 0; t < o.ntargets; t++)
        run_target(&o, o.targets[t], out[t]);
    print_table(&o, (const rounds_t(*)[2])out);
    return 0;
}
