/* Producer benchmark: kafkalite's producer against librdkafka's, side by
 * side, on the same broker in the same run: kafkalite's embedded broker
 * (kl_broker_new() on a temporary log.dirs, in a server process of its
 * own) and librdkafka's mock cluster (likewise in its own process). For
 * every target, acks and compression: N messages of S bytes with
 * linger.ms=5 and enable.idempotence set to the same value on both sides
 * (librdkafka 2.0 defaults it to false, kafkalite to true); messages/s,
 * MB/s, delivery latency p50/p99 and the producer's peak resident memory.
 * Each producer runs in a forked child of a thread-free parent, so the two
 * never share a heap and each peak is the child's own VmHWM, reported raw.
 * Every round gets a fresh broker, the order of the two alternates from
 * round to round, and the best round of each (by messages/s) is reported
 * with the ratios kafkalite/librdkafka, beside the highest peak memory of
 * any round (the peak varies with how far the application runs ahead of
 * the network).
 * Usage: bench_producer [-n messages] [-s size] [-p partitions] [-r rounds]
 *        [-t kafkalite,mock] [-a 1,all] [-c none,lz4,zstd] [-i true|false]
 *        [-l kafkalite,librdkafka] (-l one client alone: for profiling) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_producer.h"
#include "bench_targets.h"
#include "bench_util.h"

typedef struct options {
    long messages;
    int size, partitions, rounds;
    const char *targets[BENCH_MAX_LIST], *acks[BENCH_MAX_LIST], *codecs[BENCH_MAX_LIST];
    int ntargets, nacks, ncodecs;
    bool clients[2]; /* which to run: kafkalite, librdkafka */
    const char *idempotence;
} options_t;

static const char *const client_names[2] = {"kafkalite", "librdkafka"};
static void (*const client_runs[2])(void *, void *) = {bench_run_kafkalite, bench_run_librdkafka};
static const char *const client_topics[2] = {"bench-kafkalite", "bench-librdkafka"};

/* ---- one cell of the table ---------------------------------------------------------- */

typedef struct cell {
    const char *target, *acks, *codec;
    bench_result_t best[2]; /* by messages/s; secs 0: none yet */
    long max_peak_kb[2];    /* over every round */
} cell_t;

static double rate(const bench_result_t *r, long n) { return r->secs > 0 ? (double)n / r->secs : 0; }

/* Runs the rounds of one cell; returns false when a message failed or
 * went unreported. */
static bool run_cell(const options_t *o, cell_t *cell)
{
    bool good = true;
    for (int r = 0; r < o->rounds; r++) {
        bench_server_t server;
        bench_topics_t topics = {o->partitions, client_topics, 2};
        bench_server_start(&server, bench_target_ops(cell->target), &topics);
        bench_result_t res[2];
        for (int k = 0; k < 2; k++) {
            int c = (k + r + 1) % 2; /* librdkafka first in even rounds */
            if (!o->clients[c])
                continue;
            bench_run_t run = {server.bootstrap, client_topics[c], o->messages,   o->size,
                               cell->acks,       cell->codec,       o->idempotence};
            if (bench_in_child(client_runs[c], &run, &res[c], sizeof res[c]) != 0)
                bench_die(client_names[c], "the producer's process failed");
        }
        bench_server_stop(&server);
        for (int c = 0; c < 2; c++) {
            if (!o->clients[c])
                continue;
            const bench_result_t *x = &res[c];
            printf("  round %d %-10s %10.0f msgs/s  p50 %7.2f ms  p99 %7.2f ms  peak %6.1f MB  (%ld ok, %ld failed)\n",
                   r + 1, client_names[c], rate(x, o->messages), (double)x->p50_us / 1000, (double)x->p99_us / 1000,
                   (double)x->peak_kb / 1024, x->ok, x->failed);
            good &= x->failed == 0 && x->ok == o->messages;
            if (x->peak_kb > cell->max_peak_kb[c])
                cell->max_peak_kb[c] = x->peak_kb;
            if (rate(x, o->messages) > rate(&cell->best[c], o->messages))
                cell->best[c] = *x;
        }
        fflush(stdout);
    }
    return good;
}

/* ---- the table --------------------------------------------------------------------- */

static void print_row(const options_t *o, const cell_t *cell, int c)
{
    const bench_result_t *x = &cell->best[c];
    printf("%-9s %-4s %-5s %-10s %10.0f %7.1f %8.2f %8.2f %8.1f %8.1f\n", cell->target, cell->acks, cell->codec,
           client_names[c], rate(x, o->messages), rate(x, o->messages) * o->size / 1e6, (double)x->p50_us / 1000,
           (double)x->p99_us / 1000, (double)x->peak_kb / 1024, (double)cell->max_peak_kb[c] / 1024);
}

static void print_table(const options_t *o, const cell_t *cells, int ncells)
{
    printf("\nbest of %d rounds; ratio = kafkalite/librdkafka\n", o->rounds);
    printf("%-9s %-4s %-5s %-10s %10s %7s %8s %8s %8s %8s\n", "target", "acks", "codec", "client", "msgs/s", "MB/s",
           "p50 ms", "p99 ms", "peak MB", "max peak");
    for (int i = 0; i < ncells; i++) {
        const cell_t *cell = &cells[i];
        const bench_result_t *k = &cell->best[0], *r = &cell->best[1];
        for (int c = 0; c < 2; c++)
            if (o->clients[c])
                print_row(o, cell, c);
        if (!o->clients[0] || !o->clients[1])
            continue;
        printf("%-9s %-4s %-5s %-10s %10.2f %7s %8.2f %8.2f %8.2f %8.2f\n", cell->target, cell->acks, cell->codec,
               "ratio", bench_ratio(rate(k, o->messages), rate(r, o->messages)), "",
               bench_ratio((double)k->p50_us, (double)r->p50_us), bench_ratio((double)k->p99_us, (double)r->p99_us),
               bench_ratio((double)k->peak_kb, (double)r->peak_kb),
               bench_ratio((double)cell->max_peak_kb[0], (double)cell->max_peak_kb[1]));
    }
}

/* ---- options ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: %s [-n messages] [-s size] [-p partitions] [-r rounds] [-t kafkalite,mock]\n"
                    "       [-a 1,all] [-c none,lz4,zstd] [-i true|false] [-l kafkalite,librdkafka]\n",
            bench_prog);
    exit(2);
}

static void parse_options(options_t *o, int argc, char **argv)
{
    static char targets[] = "kafkalite,mock", acks[] = "1,all", codecs[] = "none,lz4,zstd",
                clients[] = "kafkalite,librdkafka";
    *o = (options_t){.messages = 2000000, .size = 100, .partitions = 4, .rounds = 3, .idempotence = "false"};
    char *t = targets, *a = acks, *c = codecs, *l = clients;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:p:r:t:a:c:i:l:h")) != -1) {
        switch (opt) {
        case 'n': o->messages = atol(optarg); break;
        case 's': o->size = atoi(optarg); break;
        case 'p': o->partitions = atoi(optarg); break;
        case 'r': o->rounds = atoi(optarg); break;
        case 't': t = optarg; break;
        case 'a': a = optarg; break;
        case 'c': c = optarg; break;
        case 'i': o->idempotence = optarg; break;
        case 'l': l = optarg; break;
        default: usage();
        }
    }
    o->ntargets = bench_split_list(t, o->targets);
    o->nacks = bench_split_list(a, o->acks);
    o->ncodecs = bench_split_list(c, o->codecs);
    if (optind != argc || o->messages < 1 || o->partitions < 1 || o->rounds < 1 || !o->ntargets || !o->nacks ||
        !o->ncodecs || (strcmp(o->idempotence, "true") && strcmp(o->idempotence, "false")))
        usage();
    for (int i = 0; i < o->ntargets; i++)
        bench_target_ops(o->targets[i]);
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
}

int main(int argc, char **argv)
{
    bench_prog = "bench_producer";
    options_t o;
    parse_options(&o, argc, argv);
    printf("%ld messages of %d bytes, %d partitions, linger.ms=5, enable.idempotence=%s on both, %d rounds; "
           "kafkalite %s, librdkafka %s\n",
           o.messages, o.size, o.partitions, o.idempotence, o.rounds, kl_version_str(), rd_kafka_version_str());
    cell_t cells[BENCH_MAX_LIST * BENCH_MAX_LIST * BENCH_MAX_LIST];
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
    if (!good)
        fprintf(stderr, "%s: some messages failed or were not reported\n", bench_prog);
    return good ? 0 : 1;
}
