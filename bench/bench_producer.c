/* Producer benchmark: kafkalite's producer against librdkafka's, side by
 * side, on the same broker in the same run: kafkalite's embedded broker
 * (kl_broker_new() on a temporary log.dirs, in a server process of its
 * own) and librdkafka's mock cluster (likewise in its own process). For
 * every target, acks and compression: N messages of S bytes with
 * enable.idempotence set to the same value on both sides (librdkafka 2.0
 * defaults it to false, kafkalite to true); messages/s,
 * MB/s, delivery latency p50/p99 and the producer's peak resident memory.
 * Each producer runs in a forked child of a thread-free parent, so the two
 * never share a heap and each peak is the child's own VmHWM, reported raw.
 * Both get the same settings (bench_producer_settings, bench/README),
 * Nagle's algorithm off on both unless -N on. Every round gets a fresh
 * broker, the order of the two alternates from round to round (5 rounds by
 * default), and each figure is reported as the median and the spread
 * (min-max) of the rounds, the ratios kafkalite/librdkafka taken per
 * round.
 * Usage: bench_producer [-n messages] [-s size] [-p partitions] [-r rounds]
 *        [-t kafkalite,mock] [-a 1,all] [-c none,lz4,zstd] [-i true|false]
 *        [-N off|on] [-l kafkalite,librdkafka] (-l one client alone: for
 *        profiling) [-S plaintext,ssl,sasl_ssl] [-M SCRAM-SHA-256|PLAIN]
 *        (-S: the security protocols, each round running every one of them
 *        on one broker that listens for all, the TLS vs plaintext ratio of
 *        each client taken per round; -M: SASL_SSL's mechanism) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_producer.h"
#include "bench_security.h"
#include "bench_targets.h"
#include "bench_util.h"

typedef struct options {
    long messages;
    int size, partitions, rounds;
    const char *targets[BENCH_MAX_LIST], *acks[BENCH_MAX_LIST], *codecs[BENCH_MAX_LIST];
    int ntargets, nacks, ncodecs;
    int protocols[BENCH_NPROTOCOLS], nprotocols; /* -S, in the order given */
    bool clients[2]; /* which to run: kafkalite, librdkafka */
    const char *idempotence;
    const char *nagle_disable; /* socket.nagle.disable on both */
} options_t;

static const char *const client_names[2] = {"kafkalite", "librdkafka"};
static void (*const client_runs[2])(void *, void *) = {bench_run_kafkalite, bench_run_librdkafka};
static const char *const client_topics[2] = {"bench-kafkalite", "bench-librdkafka"};

/* The certificates and SASL user, when -S names more than plaintext. */
static bench_security_t security;
static bool secured;

/* ---- one cell of the table ---------------------------------------------------------- */

typedef struct cell {
    const char *target, *acks, *codec;
    bench_result_t rounds[BENCH_MAX_ROUNDS][BENCH_NPROTOCOLS][2];
} cell_t;

static double rate(const bench_result_t *r, long n) { return r->secs > 0 ? (double)n / r->secs : 0; }

/* One producer run over protocol into res; its topic is the client's,
 * suffixed with the protocol but for plaintext. */
static void run_one(const options_t *o, const cell_t *cell, const char *listeners, int protocol, int c,
                    bench_result_t *res)
{
    char bootstrap[256], topic[64];
    bench_bootstrap_for(listeners, protocol, bootstrap, sizeof bootstrap);
    snprintf(topic, sizeof topic, "%s%s%s", client_topics[c], protocol ? "-" : "",
             protocol ? bench_protocol_names[protocol] : "");
    const char *props[BENCH_SECURITY_MAX_PROPS];
    bench_security_props(&security, protocol, props);
    bench_run_t run = {bootstrap,      topic,         o->messages, o->size, cell->acks, cell->codec,
                       o->idempotence, o->nagle_disable, 0,        props};
    if (bench_in_child(client_runs[c], &run, res, sizeof *res) != 0)
        bench_die(client_names[c], "the producer's process failed");
}

/* Runs the rounds of one cell: each round on a fresh broker, every
 * protocol (their order rotating by round) and both clients (alternating
 * by round); returns false when a message failed or went unreported. */
static bool run_cell(const options_t *o, cell_t *cell)
{
    bool good = true;
    for (int r = 0; r < o->rounds; r++) {
        bench_server_t server;
        bench_topics_t topics = {o->partitions, client_topics, 2, secured ? &security : NULL};
        bench_server_start(&server, bench_target_ops(cell->target), &topics);
        for (int i = 0; i < o->nprotocols; i++) {
            int protocol = o->protocols[(i + r) % o->nprotocols];
            for (int k = 0; k < 2; k++) {
                int c = (k + r + 1) % 2; /* librdkafka first in even rounds */
                if (o->clients[c])
                    run_one(o, cell, server.bootstrap, protocol, c, &cell->rounds[r][protocol][c]);
            }
        }
        bench_server_stop(&server);
        for (int i = 0; i < o->nprotocols; i++)
            for (int c = 0; c < 2; c++) {
                const bench_result_t *x = &cell->rounds[r][o->protocols[i]][c];
                if (!o->clients[c])
                    continue;
                printf("  round %d %-9s %-10s %10.0f msgs/s  p50 %7.2f ms  p99 %7.2f ms  peak %6.1f MB  CPU %5.2f s  "
                       "(%ld ok, %ld failed)\n",
                       r + 1, bench_protocol_names[o->protocols[i]], client_names[c], rate(x, o->messages),
                       (double)x->p50_us / 1000, (double)x->p99_us / 1000, (double)x->peak_kb / 1024, x->cpu_secs,
                       x->ok, x->failed);
                good &= x->failed == 0 && x->ok == o->messages;
            }
        fflush(stdout);
    }
    return good;
}

/* ---- the table --------------------------------------------------------------------- */

enum { RATE, P50, P99, PEAK, CPU, NFIGURES };

/* A row: one client over one protocol, or the per-round ratio of two. */
typedef struct row {
    int protocol, client;
    int over_protocol, over_client; /* -1: not a ratio */
} row_t;

static double value_of(const options_t *o, const bench_result_t *res, int which)
{
    return which == RATE  ? rate(res, o->messages)
           : which == P50 ? (double)res->p50_us / 1000
           : which == P99 ? (double)res->p99_us / 1000
           : which == CPU ? res->cpu_secs
                          : (double)res->peak_kb / 1024;
}

static bench_spread_t figure(const options_t *o, const cell_t *cell, row_t row, int which)
{
    double v[BENCH_MAX_ROUNDS];
    for (int r = 0; r < o->rounds; r++) {
        v[r] = value_of(o, &cell->rounds[r][row.protocol][row.client], which);
        if (row.over_client >= 0)
            v[r] = bench_ratio(v[r], value_of(o, &cell->rounds[r][row.over_protocol][row.over_client], which));
    }
    return bench_spread(v, o->rounds);
}

static void print_row(const options_t *o, const cell_t *cell, row_t row, const char *label)
{
    static const int decimals[2][NFIGURES] = {{0, 2, 2, 1, 3}, {2, 2, 2, 2, 2}};
    char cols[NFIGURES][64];
    for (int f = 0; f < NFIGURES; f++)
        bench_spread_str(cols[f], sizeof cols[f], decimals[row.over_client >= 0][f], figure(o, cell, row, f));
    printf("%-9s %-4s %-5s %-9s %-30s %-26s %-22s %-22s %-19s %s\n", cell->target, cell->acks, cell->codec,
           bench_protocol_names[row.protocol], label, cols[RATE], cols[P50], cols[P99], cols[PEAK], cols[CPU]);
}

static void print_table(const options_t *o, const cell_t *cells, int ncells)
{
    printf("\nmedian (min-max) of %d rounds; ratio = kafkalite/librdkafka, and <protocol>/plaintext = the same "
           "client over that protocol against plaintext, each taken per round\n",
           o->rounds);
    printf("%-9s %-4s %-5s %-9s %-30s %-26s %-22s %-22s %-19s %s\n", "target", "acks", "codec", "protocol",
           "client", "msgs/s", "p50 ms", "p99 ms", "peak MB", "CPU s");
    bool both = o->clients[0] && o->clients[1], plain = false;
    for (int i = 0; i < o->nprotocols; i++)
        plain |= o->protocols[i] == BENCH_PLAINTEXT;
    for (int n = 0; n < ncells; n++)
        for (int i = 0; i < o->nprotocols; i++) {
            int p = o->protocols[i];
            for (int c = 0; c < 2; c++)
                if (o->clients[c])
                    print_row(o, &cells[n], (row_t){p, c, -1, -1}, client_names[c]);
            if (both)
                print_row(o, &cells[n], (row_t){p, 0, p, 1}, "ratio");
            for (int c = 0; c < 2 && plain && p != BENCH_PLAINTEXT; c++) {
                char label[64];
                snprintf(label, sizeof label, "%s %s/plaintext", client_names[c], bench_protocol_names[p]);
                if (o->clients[c])
                    print_row(o, &cells[n], (row_t){p, c, BENCH_PLAINTEXT, c}, label);
            }
        }
}

/* ---- options ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: %s [-n messages] [-s size] [-p partitions] [-r rounds] [-t kafkalite,mock]\n"
                    "       [-a 1,all] [-c none,lz4,zstd] [-i true|false] [-N off|on] [-l kafkalite,librdkafka]\n"
                    "       [-S plaintext,ssl,sasl_ssl] [-M SCRAM-SHA-256|PLAIN]\n",
            bench_prog);
    exit(2);
}

static void parse_options(options_t *o, int argc, char **argv)
{
    static char targets[] = "kafkalite,mock", acks[] = "1,all", codecs[] = "none,lz4,zstd",
                clients[] = "kafkalite,librdkafka", protocols[] = "plaintext";
    *o = (options_t){.messages = 2000000, .size = 100, .partitions = 4, .rounds = 5, .idempotence = "false",
                     .nagle_disable = "true"};
    char *t = targets, *a = acks, *c = codecs, *l = clients, *S = protocols;
    const char *mechanism = "SCRAM-SHA-256";
    int opt;
    while ((opt = getopt(argc, argv, "n:s:p:r:t:a:c:i:N:l:S:M:h")) != -1) {
        switch (opt) {
        case 'n': o->messages = atol(optarg); break;
        case 's': o->size = atoi(optarg); break;
        case 'p': o->partitions = atoi(optarg); break;
        case 'r': o->rounds = atoi(optarg); break;
        case 't': t = optarg; break;
        case 'a': a = optarg; break;
        case 'c': c = optarg; break;
        case 'i': o->idempotence = optarg; break;
        case 'N': /* Nagle's algorithm on both clients */
            if (strcmp(optarg, "on") && strcmp(optarg, "off"))
                usage();
            o->nagle_disable = strcmp(optarg, "on") ? "true" : "false";
            break;
        case 'l': l = optarg; break;
        case 'S': S = optarg; break;
        case 'M': mechanism = optarg; break;
        default: usage();
        }
    }
    o->ntargets = bench_split_list(t, o->targets);
    o->nacks = bench_split_list(a, o->acks);
    o->ncodecs = bench_split_list(c, o->codecs);
    if (optind != argc || o->messages < 1 || o->partitions < 1 || o->rounds < 1 || o->rounds > BENCH_MAX_ROUNDS ||
        !o->ntargets || !o->nacks ||
        !o->ncodecs || (strcmp(o->idempotence, "true") && strcmp(o->idempotence, "false")))
        usage();
    const char *names[BENCH_MAX_LIST];
    int nclients = bench_split_list(l, names);
    for (int i = 0; i < nclients; i++) {
        int which = !strcmp(names[i], client_names[0]) ? 0 : !strcmp(names[i], client_names[1]) ? 1 : -1;
        if (which < 0)
            bench_die(names[i], "unknown client (kafkalite or librdkafka)");
        o->clients[which] = true;
    }
    if (!nclients)
        usage();
    o->nprotocols = bench_targets_secure(S, mechanism, o->targets, o->ntargets, o->protocols, &security);
    if (!o->nprotocols)
        usage();
    secured = security.dir[0] != '\0';
}

int main(int argc, char **argv)
{
    bench_prog = "bench_producer";
    options_t o;
    parse_options(&o, argc, argv);
    printf("%ld messages of %d bytes, %d partitions, %d rounds; kafkalite %s, librdkafka %s\n"
           "producer settings on both: enable.idempotence=%s socket.nagle.disable=%s",
           o.messages, o.size, o.partitions, o.rounds, kl_version_str(), rd_kafka_version_str(), o.idempotence,
           o.nagle_disable);
    for (size_t i = 0; bench_producer_settings[i]; i += 2)
        printf(" %s=%s", bench_producer_settings[i], bench_producer_settings[i + 1]);
    printf("\n");
    for (int i = 0; i < o.nprotocols; i++) {
        printf("%s on both:", bench_protocol_names[o.protocols[i]]);
        bench_security_print(&security, o.protocols[i]);
        printf("\n");
    }
    static cell_t cells[BENCH_MAX_LIST * BENCH_MAX_LIST * BENCH_MAX_LIST];
    int ncells = 0;
    bool good = true;
    for (int t = 0; t < o.ntargets; t++)
        for (int a = 0; a < o.nacks; a++)
            for (int c = 0; c < o.ncodecs; c++) {
                cell_t *cell = &cells[ncells++];
                *cell = (cell_t){.target = o.targets[t], .acks = o.acks[a], .codec = o.codecs[c]};
                printf("%s broker, acks=%s, compression %s\n", cell->target, cell->acks, cell->codec);
                good &= run_cell(&o, cell);
            }
    print_table(&o, cells, ncells);
    if (secured)
        bench_security_remove(&security);
    if (!good)
        fprintf(stderr, "%s: some messages failed or were not reported\n", bench_prog);
    return good ? 0 : 1;
}
