/* Broker throughput: librdkafka's producer and consumer against kafkalite's
 * broker (the `kafkalite broker` daemon, in its own process, writing to a
 * temporary log.dirs on disk) and, in the same run, against librdkafka's
 * in-process mock cluster (memory only). Per round and per target: produce
 * N 100-byte messages with acks=1 and again with acks=all (linger.ms=5),
 * then consume the acks=1 topic back from the beginning. The mock keeps
 * only the newest ~40,000 messages per partition of a large topic, so the
 * consume phase reads the same CONSUME_COUNT messages (what the mock still
 * holds) from both targets, several times each. The targets take turns
 * in every phase, the best of each is kept, and the
 * ratios kafkalite/mock are printed with the daemon's CPU seconds per GB
 * of log written (user and system), the CPU a bare receive-and-write loop
 * spends on the same bytes in the same run (ingest_floor.h), and the
 * daemon's peak resident memory.
 * Usage: bench_broker [messages] [partitions] [rounds]; the daemon is
 * ./tools/kafkalite unless KAFKALITE names another, and
 * BENCH_BROKER_OVERRIDE=name=value gives it one more setting. */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "ingest_floor.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MSG_SIZE 100
/* Messages timed in the consume phase: fewer than the mock keeps of a
 * 4-partition topic, so both targets serve the same amount. */
#define CONSUME_COUNT 150000L
/* That takes a tenth of a second: each round consumes it this many times
 * from each target, taking turns, and keeps the fastest, or one stall on
 * a shared machine decides. */
#define CONSUME_REPEATS 5

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t daemon_pid; /* killed by die(), so no daemon outlives a failed run */
static char daemon_dir[64]; /* and its log.dirs removed */

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_broker: could not remove %s\n", dir);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_broker: %s: %s\n", what, why);
    if (daemon_pid > 0)
        kill(daemon_pid, SIGKILL);
    if (daemon_dir[0])
        remove_dir(daemon_dir);
    exit(1);
}

static void rk_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

/* ---- the daemon ------------------------------------------------------------------- */

typedef struct daemon {
    pid_t pid;
    char dir[64];
    char bootstrap[128];
} daemon_t;

static void daemon_start(daemon_t *d, int partitions)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/kl-bench-broker-XXXXXX");
    if (!mkdtemp(d->dir))
        die("mkdtemp", strerror(errno));
    const char *exe = getenv("KAFKALITE") ? getenv("KAFKALITE") : "./tools/kafkalite";
    char logdirs[128], nparts[64];
    snprintf(logdirs, sizeof logdirs, "log.dirs=%s", d->dir);
    snprintf(nparts, sizeof nparts, "num.partitions=%d", partitions);
    /* BENCH_BROKER_OVERRIDE=name=value: one more setting for the daemon
     * (num.network.threads=1, say), to compare configurations */
    const char *extra = getenv("BENCH_BROKER_OVERRIDE");
    char *argv[] = {(char *)exe, "broker", "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override",
                    logdirs, "--override", nparts, extra ? "--override" : NULL, (char *)extra, NULL};
    int out[2];
    if (pipe(out) != 0)
        die("pipe", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    if (posix_spawn(&d->pid, exe, &fa, NULL, argv, environ) != 0)
        die(exe, "cannot start the broker (build it with make, or set KAFKALITE)");
    posix_spawn_file_actions_destroy(&fa);
    daemon_pid = d->pid;
    snprintf(daemon_dir, sizeof daemon_dir, "%s", d->dir);
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[512];
    d->bootstrap[0] = '\0';
    while (!d->bootstrap[0] && fgets(line, sizeof line, f)) {
        char *p = strstr(line, "bootstrap.servers=");
        if (p) {
            p += strlen("bootstrap.servers=");
            p[strcspn(p, " \r\n")] = '\0';
            snprintf(d->bootstrap, sizeof d->bootstrap, "%s", p);
        }
    }
    fclose(f); /* the daemon's later output goes to a closed pipe: it logs to stderr */
    if (!d->bootstrap[0])
        die("broker", "never printed its bootstrap.servers");
}

typedef struct cpu_time {
    double user, sys; /* seconds */
} cpu_time_t;

/* CPU seconds the daemon has used so far. */
static cpu_time_t daemon_cpu(const daemon_t *d)
{
    cpu_time_t t;
    if (bench_process_cpu(d->pid, &t.user, &t.sys) != 0)
        die("/proc/PID/stat", "unreadable");
    return t;
}

/* Bytes of the .log segment files under the daemon's log.dirs. */
static double log_bytes;
static int add_log_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    size_t n = strlen(path);
    if (type == FTW_F && n > 4 && strcmp(path + n - 4, ".log") == 0)
        log_bytes += (double)st->st_size;
    return 0;
}

static double daemon_log_bytes(const daemon_t *d)
{
    log_bytes = 0;
    if (nftw(d->dir, add_log_file, 16, FTW_PHYS) != 0)
        die(d->dir, "cannot walk log.dirs");
    return log_bytes;
}

/* Peak resident memory of the daemon, in MB. */
static double daemon_peak_mb(const daemon_t *d) { return (double)bench_process_peak_kb(d->pid) / 1024.0; }

static void daemon_stop(daemon_t *d)
{
    kill(d->pid, SIGTERM);
    int status;
    waitpid(d->pid, &status, 0);
    daemon_pid = 0;
    remove_dir(d->dir);
    daemon_dir[0] = '\0';
}

/* ---- librdkafka's producer and consumer -------------------------------------------- */

static void rk_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    long *failed = opaque;
    if (m->err)
        (*failed)++;
}

static rd_kafka_t *client_new(rd_kafka_type_t type, const char *bootstrap, const char *const *props, void *opaque)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        die("rd_kafka_conf_set", errstr);
    for (size_t i = 0; props && props[i]; i += 2)
        if (rd_kafka_conf_set(conf, props[i], props[i + 1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            die("rd_kafka_conf_set", errstr);
    rd_kafka_conf_set_log_cb(conf, rk_quiet);
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, rk_dr);
    rd_kafka_conf_set_opaque(conf, opaque);
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk)
        die("rd_kafka_new", errstr);
    return rk;
}

/* Seconds to produce n messages and flush; failures are fatal. */
static double produce(const char *bootstrap, const char *topic, long n, const char *acks)
{
    long failed = 0;
    const char *props[] = {"linger.ms", "5", "acks", acks, NULL};
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, bootstrap, props, &failed);
    /* warm up (metadata, connections, topic creation) outside the clock */
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE("warm-up", 7),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (rd_kafka_flush(rk, 30000) || failed)
        die(topic, "warm-up message not delivered");
    char value[MSG_SIZE];
    memset(value, 'x', sizeof value);
    double start = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(value, sizeof value, "%ld", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(value, sizeof value),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000))
        die(topic, "flush timed out");
    double secs = now_s() - start;
    rd_kafka_destroy(rk);
    if (failed)
        die(topic, "messages failed");
    return secs;
}

/* Consumes, by manual assignment from the beginning, CONSUME_COUNT of the
 * messages the topic's partitions hold (the mock cluster keeps only the
 * newest ones of a large topic), and returns messages per second, timed from the first
 * message to the last so that start-up (metadata, offsets, the first
 * fetch's wait) is not counted. *countp receives the count. */
static double consume(const char *bootstrap, const char *topic, int partitions, long *countp)
{
    const char *props[] = {"group.id", "bench-broker", "enable.auto.commit", "false", NULL};
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, bootstrap, props, NULL);
    long want = 0;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000))
            die(topic, "cannot query watermarks");
        want += (long)(hi - lo);
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (rd_kafka_assign(rk, parts))
        die(topic, "assign failed");
    rd_kafka_topic_partition_list_destroy(parts);
    if (want > CONSUME_COUNT)
        want = CONSUME_COUNT;
    long got = 0;
    double first = 0, last = 0, start = now_s();
    while (got < want) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
        if (!m) {
            if (now_s() - start > 300) {
                fprintf(stderr, "bench_broker: %s: %ld of %ld messages consumed\n", topic, got, want);
                die(topic, "consumer stalled");
            }
            continue;
        }
        if (!m->err) {
            if (got++ == 0)
                first = now_s();
            last = now_s();
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            die(topic, rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    *countp = got;
    return got > 1 && last > first ? (double)(got - 1) / (last - first) : 0;
}

/* ---- main ---------------------------------------------------------------------------- */

enum { ACKS1, ACKSALL, CONSUME, PHASES };
static const char *const phase_names[PHASES] = {"produce acks=1", "produce acks=all", "consume"};

typedef struct target {
    const char *name;
    const char *bootstrap;
    double best[PHASES]; /* best messages/s */
} target_t;

/* What the daemon spent on the produce phases, summed over rounds. */
typedef struct ingest_cost {
    cpu_time_t cpu;    /* the daemon's */
    double log_bytes;  /* its .log files grew by */
    double payload;    /* message bytes produced */
    double floor;      /* ingest_floor_cpu() of the same bytes */
    int floor_rounds;  /* rounds whose floor could be measured */
} ingest_cost_t;

/* Runs the three phases on t; with d (kafkalite), adds what the daemon
 * spent during the two produce phases, and the floor for as many bytes,
 * to *cost. */
static void run_round(target_t *t, int round, int partitions, long n, rd_kafka_mock_cluster_t *mc,
                      const daemon_t *d, ingest_cost_t *cost)
{
    char t1[64], tall[64];
    snprintf(t1, sizeof t1, "bench-acks1-%d", round);
    snprintf(tall, sizeof tall, "bench-acksall-%d", round);
    if (mc) {
        rd_kafka_mock_topic_create(mc, t1, partitions, 1);
        rd_kafka_mock_topic_create(mc, tall, partitions, 1);
    }
    double rate[PHASES];
    long counts[PHASES] = {n, n, 0};
    cpu_time_t cpu0 = d ? daemon_cpu(d) : (cpu_time_t){0, 0};
    double bytes0 = d ? daemon_log_bytes(d) : 0;
    rate[ACKS1] = (double)n / produce(t->bootstrap, t1, n, "1");
    rate[ACKSALL] = (double)n / produce(t->bootstrap, tall, n, "all");
    if (d) {
        cpu_time_t cpu1 = daemon_cpu(d);
        double grown = daemon_log_bytes(d) - bytes0;
        double floor = ingest_floor_cpu(d->dir, grown);
        cost->cpu.user += cpu1.user - cpu0.user;
        cost->cpu.sys += cpu1.sys - cpu0.sys;
        cost->log_bytes += grown;
        cost->payload += 2.0 * (double)n * MSG_SIZE;
        if (floor >= 0) {
            cost->floor += floor;
            cost->floor_rounds++;
        }
        printf("  %-10s %-17s %.3f CPU-s per GB of log (user %.3f, system %.3f); receive+write floor %.3f\n",
               t->name, "broker CPU", (cpu1.user - cpu0.user + cpu1.sys - cpu0.sys) / (grown / 1e9),
               (cpu1.user - cpu0.user) / (grown / 1e9), (cpu1.sys - cpu0.sys) / (grown / 1e9), floor / (grown / 1e9));
    }
    for (int ph = ACKS1; ph <= ACKSALL; ph++) {
        printf("  %-10s %-17s %8ld msgs  %10.0f msgs/s  %7.1f MB/s\n", t->name, phase_names[ph], counts[ph],
               rate[ph], rate[ph] * MSG_SIZE / 1e6);
        if (rate[ph] > t->best[ph])
            t->best[ph] = rate[ph];
    }
}

/* The consume phase of a round: the targets take turns, CONSUME_REPEATS
 * times each, on the round's acks=1 topic. */
static void consume_round(target_t *const *targets, int ntargets, int round, int partitions)
{
    char t1[64];
    snprintf(t1, sizeof t1, "bench-acks1-%d", round);
    double best[2] = {0, 0};
    long count = 0;
    for (int i = 0; i < CONSUME_REPEATS; i++)
        for (int k = 0; k < ntargets; k++) {
            int at = (i + round) % 2 ? ntargets - 1 - k : k; /* who goes first alternates */
            double r = consume(targets[at]->bootstrap, t1, partitions, &count);
            if (r > best[at])
                best[at] = r;
        }
    for (int k = 0; k < ntargets; k++) {
        printf("  %-10s %-17s %8ld msgs  %10.0f msgs/s  %7.1f MB/s  (best of %d)\n", targets[k]->name,
               phase_names[CONSUME], count, best[k], best[k] * MSG_SIZE / 1e6, CONSUME_REPEATS);
        if (best[k] > targets[k]->best[CONSUME])
            targets[k]->best[CONSUME] = best[k];
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int partitions = argc > 2 ? atoi(argv[2]) : 4;
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    char errstr[256];
    rd_kafka_conf_t *mconf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(mconf, rk_quiet);
    rd_kafka_t *mrk = rd_kafka_new(RD_KAFKA_PRODUCER, mconf, errstr, sizeof errstr);
    if (!mrk)
        die("rd_kafka_new", errstr);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(mrk, 1);
    if (!mc)
        die("mock cluster", "cannot start");
    daemon_t d;
    daemon_start(&d, partitions);
    target_t kl = {"kafkalite", d.bootstrap, {0, 0, 0}};
    target_t mock = {"mock", rd_kafka_mock_cluster_bootstraps(mc), {0, 0, 0}};
    printf("%ld messages of %d bytes, %d partitions, librdkafka %s, linger.ms=5; kafkalite broker %s (log.dirs %s), "
           "mock cluster %s\n",
           n, MSG_SIZE, partitions, rd_kafka_version_str(), d.bootstrap, d.dir, mock.bootstrap);
    ingest_cost_t cost = {{0, 0}, 0, 0, 0, 0};
    for (int r = 0; r < rounds; r++) {
        printf("round %d\n", r + 1);
        if (r % 2 == 0)
            run_round(&mock, r, partitions, n, mc, NULL, NULL);
        run_round(&kl, r, partitions, n, NULL, &d, &cost);
        if (r % 2 == 1)
            run_round(&mock, r, partitions, n, mc, NULL, NULL);
        target_t *both[2] = {&mock, &kl};
        consume_round(both, 2, r, partitions);
    }
    printf("best of %d rounds, kafkalite/mock messages/s:\n", rounds);
    for (int ph = 0; ph < PHASES; ph++)
        printf("  %-17s mock %10.0f msgs/s  kafkalite %10.0f msgs/s  ratio %.2f\n", phase_names[ph],
               mock.best[ph], kl.best[ph], kl.best[ph] / mock.best[ph]);
    double cpu = cost.cpu.user + cost.cpu.sys, gb = cost.log_bytes / 1e9;
    printf("kafkalite broker: %.3f CPU-seconds per GB of log written (user %.3f, system %.3f), "
           "%.3f per GB of payload produced, peak RSS %.1f MB\n",
           cpu / gb, cost.cpu.user / gb, cost.cpu.sys / gb, cpu / (cost.payload / 1e9), daemon_peak_mb(&d));
    if (cost.floor_rounds == rounds)
        printf("receive+write floor on this machine, same bytes, same run: %.3f CPU-seconds per GB; "
               "broker/floor %.2f\n",
               cost.floor / gb, cpu / cost.floor);
    else
        printf("receive+write floor: not measured\n");
    daemon_stop(&d);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(mrk);
    return 0;
}
