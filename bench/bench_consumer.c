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
 *        [-c codec] [-N off|on] [-l kafkalite,librdkafka]
 *        [-S plaintext,ssl,sasl_ssl] [-M SCRAM-SHA-256|PLAIN] (-l one client
 *        alone: for profiling; -d 0: no latency runs; -c: the filled
 *        topic's compression, default none; -S: the security protocols,
 *        each round reading over every one of them from one broker that
 *        listens for all, the topic filled over plaintext; -M: SASL_SSL's
 *        mechanism) */
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
#include "bench_consumer_table.h"
#include "bench_security.h"
#include "bench_targets.h"
#include "bench_util.h"

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
/* The certificates and SASL user, when -S names more than plaintext. */
static bench_security_t security;
static bool secured;

const bench_client_ops_t *const clients[2] = {&bench_kafkalite_ops, &bench_librdkafka_ops};
const char *const mode_names[NMODES] = {"assign", "subscribe"};

/* consumer settings plus socket.nagle.disable, group.id and the
 * protocol's, NULL-terminated */
typedef struct props {
    const char *list[NSETTINGS + 4 + BENCH_SECURITY_MAX_PROPS];
    char group[96];
} props_t;

static void props_init(props_t *p, const char *group, int protocol)
{
    memcpy(p->list, bench_consumer_settings, sizeof bench_consumer_settings);
    snprintf(p->group, sizeof p->group, "%s", group);
    p->list[NSETTINGS] = "socket.nagle.disable";
    p->list[NSETTINGS + 1] = nagle_disable;
    p->list[NSETTINGS + 2] = "group.id";
    p->list[NSETTINGS + 3] = p->group;
    bench_security_props(&security, protocol, p->list + NSETTINGS + 4);
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
    int protocol;
    const options_t *o;
    const char *group; /* subscribe with it; NULL: assign */
    char group_id[96];
} consume_job_t;

typedef struct consume_result {
    long held, got;
    double secs; /* first message to last */
    double cpu_secs; /* the process's user + system CPU, start() to the last message */
    long peak_kb;
    unsigned long checksum; /* the last value byte of each message: proof it was read */
} consume_result_t;

static void consume_child(void *arg, void *out)
{
    const consume_job_t *j = arg;
    consume_result_t *r = out;
    props_t props;
    props_init(&props, j->group_id, j->protocol);
    void *c = j->ops->consumer_new(j->bootstrap, props.list);
    *r = (consume_result_t){.held = j->ops->held(c, DATA_TOPIC, j->o->partitions)};
    double cpu = bench_cpu_secs();
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
        if (r->got == r->held) {
            last = bench_now_ns();
            r->cpu_secs = bench_cpu_secs() - cpu;
        }
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
    int protocol;
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
    props_init(&props, "bench-latency", j->protocol);
    static receiver_t rc; /* the histogram is large */
    rc.job = j;
    rc.consumer = j->ops->consumer_new(j->bootstrap, props.list);
    const char *producer_props[NLATENCY_SETTINGS + 2 + BENCH_SECURITY_MAX_PROPS];
    memcpy(producer_props, latency_producer_settings, NLATENCY_SETTINGS * sizeof producer_props[0]);
    producer_props[NLATENCY_SETTINGS] = "socket.nagle.disable";
    producer_props[NLATENCY_SETTINGS + 1] = nagle_disable;
    bench_security_props(&security, j->protocol, producer_props + NLATENCY_SETTINGS + 2);
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

static double rate_of(const consume_result_t *r) { return r->secs > 0 ? (double)(r->got - 1) / r->secs : 0; }

/* The suffix of a group or topic name for protocol: none for plaintext. */
static const char *suffix_of(int protocol, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", protocol ? "-" : "", protocol ? bench_protocol_names[protocol] : "");
    return buf;
}

static void run_consume(const options_t *o, const char *target, const char *listeners, int protocol, int round,
                        int c, int mode, rounds_t *out)
{
    char bootstrap[256], suffix[16];
    bench_bootstrap_for(listeners, protocol, bootstrap, sizeof bootstrap);
    consume_job_t job = {clients[c], bootstrap, protocol, o, NULL, ""};
    snprintf(job.group_id, sizeof job.group_id, "bench-%s-%s-%d%s", mode_names[mode], clients[c]->name, round,
             suffix_of(protocol, suffix, sizeof suffix));
    if (mode == SUBSCRIBE)
        job.group = job.group_id;
    consume_result_t r;
    if (bench_in_child(consume_child, &job, &r, sizeof r) != 0)
        bench_die(clients[c]->name, "the consumer's process failed");
    printf("  %s round %d %-9s %-9s %-10s %8ld msgs %10.0f msgs/s %7.1f MB/s  peak %6.1f MB  CPU %5.2f s  (sum %lu)\n",
           target, round + 1, bench_protocol_names[protocol], mode_names[mode], clients[c]->name, r.got, rate_of(&r),
           rate_of(&r) * o->size / 1e6, (double)r.peak_kb / 1024, r.cpu_secs, r.checksum);
    fflush(stdout);
    out->rate[mode][round] = rate_of(&r);
    out->peak_mb[mode][round] = (double)r.peak_kb / 1024;
    out->cpu_secs[mode][round] = r.cpu_secs;
    out->got[mode] = r.got;
}

static void run_latency(const options_t *o, const char *target, const char *listeners, int protocol, int round,
                        int c, rounds_t *out)
{
    char bootstrap[256], suffix[16];
    bench_bootstrap_for(listeners, protocol, bootstrap, sizeof bootstrap);
    latency_job_t job = {clients[c], bootstrap, protocol, o, ""};
    snprintf(job.topic, sizeof job.topic, "bench-latency-%s-%d%s", clients[c]->name, round,
             suffix_of(protocol, suffix, sizeof suffix));
    latency_result_t r;
    if (bench_in_child(latency_child, &job, &r, sizeof r) != 0)
        bench_die(clients[c]->name, "the latency process failed");
    printf("  %s round %d %-9s latency   %-10s %8ld of %ld msgs  p50 %7.3f ms  p99 %7.3f ms\n", target, round + 1,
           bench_protocol_names[protocol], clients[c]->name, r.got, r.sent, (double)r.p50_us / 1000,
           (double)r.p99_us / 1000);
    fflush(stdout);
    if (r.got != r.sent)
        bench_die(clients[c]->name, "latency messages were lost");
    out->p50_ms[round] = (double)r.p50_us / 1000;
    out->p99_ms[round] = (double)r.p99_us / 1000;
}

/* Every round on one target, every protocol in each (their order rotating
 * by round), the clients alternating; out[protocol][c]. */
static void run_target(const options_t *o, const char *target, rounds_t out[BENCH_NPROTOCOLS][2])
{
    static char names[1 + 2 * MAX_ROUNDS][64];
    const char *list[1 + 2 * MAX_ROUNDS];
    int ntopics = 0;
    list[ntopics++] = DATA_TOPIC;
    for (int r = 0; r < o->rounds; r++) /* the mock cluster's: plaintext only */
        for (int c = 0; c < 2; c++) {
            snprintf(names[ntopics], sizeof names[ntopics], "bench-latency-%s-%d", clients[c]->name, r);
            list[ntopics] = names[ntopics];
            ntopics++;
        }
    bench_topics_t topics = {o->partitions, list, ntopics, secured ? &security : NULL};
    bench_server_t server;
    bench_server_start(&server, bench_target_ops(target), &topics);
    char bootstrap[256];
    bench_bootstrap_for(server.bootstrap, BENCH_PLAINTEXT, bootstrap, sizeof bootstrap);
    fill_job_t fill = {bootstrap, o};
    double secs;
    if (bench_in_child(fill_child, &fill, &secs, sizeof secs) != 0)
        bench_die(target, "filling the topic failed");
    printf("%s broker: %ld messages produced in %.2f s\n", target, o->messages, secs);
    for (int r = 0; r < o->rounds; r++)
        for (int i = 0; i < o->nprotocols; i++) {
            int p = o->protocols[(i + r) % o->nprotocols];
            for (int k = 0; k < 2; k++) {
                int c = (k + r + 1) % 2; /* librdkafka first in even rounds */
                if (!o->use[c])
                    continue;
                for (int mode = 0; mode < NMODES; mode++)
                    if (o->modes[mode])
                        run_consume(o, target, server.bootstrap, p, r, c, mode, &out[p][c]);
                if (o->seconds > 0)
                    run_latency(o, target, server.bootstrap, p, r, c, &out[p][c]);
            }
        }
    bench_server_stop(&server);
}

/* ---- options -------------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: %s [-n messages] [-s size] [-p partitions] [-r rounds] [-t kafkalite,mock]\n"
                    "       [-m assign,subscribe] [-R rate] [-d seconds] [-c codec] [-N off|on]\n"
                    "       [-l kafkalite,librdkafka] [-S plaintext,ssl,sasl_ssl] [-M SCRAM-SHA-256|PLAIN]\n",
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
    static char targets[] = "kafkalite,mock", modes[] = "assign,subscribe", use[] = "kafkalite,librdkafka",
                protocols[] = "plaintext";
    *o = (options_t){.messages = 2000000, .size = 100, .partitions = 4, .rounds = 5, .rate = 20000, .seconds = 3,
                     .codec = "none"};
    char *t = targets, *m = modes, *l = use, *S = protocols;
    const char *mechanism = "SCRAM-SHA-256";
    int opt;
    while ((opt = getopt(argc, argv, "n:s:p:r:t:m:R:d:c:N:l:S:M:h")) != -1) {
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
        case 'S': S = optarg; break;
        case 'M': mechanism = optarg; break;
        default: usage();
        }
    }
    o->ntargets = bench_split_list(t, o->targets);
    if (optind != argc || o->messages < 1 || o->partitions < 1 || o->rounds < 1 || o->rounds > MAX_ROUNDS ||
        !o->ntargets || o->size < (int)sizeof(int64_t) || o->size > MAX_SIZE || o->rate < 1 || o->seconds < 0)
        usage();
    pick(m, mode_names, NMODES, o->modes, "unknown mode (assign or subscribe)");
    const char *names[2] = {clients[0]->name, clients[1]->name};
    pick(l, names, 2, o->use, "unknown client (kafkalite or librdkafka)");
    o->nprotocols = bench_targets_secure(S, mechanism, o->targets, o->ntargets, o->protocols, &security);
    if (!o->nprotocols)
        usage();
    secured = security.dir[0] != '\0';
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
    for (int i = 0; i < o.nprotocols; i++) {
        printf("%s on every client:", bench_protocol_names[o.protocols[i]]);
        bench_security_print(&security, o.protocols[i]);
        printf("\n");
    }
    static rounds_t out[BENCH_MAX_LIST][BENCH_NPROTOCOLS][2];
    for (int t = 0; t < o.ntargets; t++)
        run_target(&o, o.targets[t], out[t]);
    print_table(&o, (const rounds_t(*)[BENCH_NPROTOCOLS][2])out);
    if (secured)
        bench_security_remove(&security);
    return 0;
}
