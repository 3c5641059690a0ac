/* bench_consumer's tables: see bench_consumer_table.h. */
#include "bench_consumer_table.h"

#include <stddef.h>
#include <stdio.h>

/* A row of the tables: one client's rounds (b NULL), or the per-round
 * ratio a/b (kafkalite/librdkafka, or a client over a protocol against
 * itself over plaintext). */
typedef struct row {
    char label[48];
    const rounds_t *a, *b;
} row_t;

/* The rows of protocol p on one target; their count. */
static int rows_of(const options_t *o, const rounds_t out[BENCH_NPROTOCOLS][2], int p, row_t rows[6])
{
    int n = 0;
    bool plain = false;
    for (int i = 0; i < o->nprotocols; i++)
        plain |= o->protocols[i] == BENCH_PLAINTEXT;
    for (int c = 0; c < 2; c++)
        if (o->use[c])
            rows[n++] = (row_t){.label = "", .a = &out[p][c]};
    for (int c = 0; c < n; c++)
        snprintf(rows[c].label, sizeof rows[c].label, "%s", clients[rows[c].a == &out[p][0] ? 0 : 1]->name);
    if (o->use[0] && o->use[1])
        rows[n++] = (row_t){"ratio", &out[p][0], &out[p][1]};
    for (int c = 0; c < 2 && plain && p != BENCH_PLAINTEXT; c++)
        if (o->use[c]) {
            rows[n] = (row_t){"", &out[p][c], &out[BENCH_PLAINTEXT][c]};
            snprintf(rows[n++].label, sizeof rows[0].label, "%s %s/plaintext", clients[c]->name,
                     bench_protocol_names[p]);
        }
    return n;
}

/* The median (min-max) of a row's values (field picks them from a
 * rounds_t), or of its per-round ratio with 2 decimals. */
static const char *spread_of(char *buf, size_t size, int decimals, const options_t *o, const row_t *row,
                             size_t field)
{
    const double *a = (const double *)((const char *)row->a + field);
    const double *b = row->b ? (const double *)((const char *)row->b + field) : NULL;
    double v[MAX_ROUNDS] = {0};
    for (int i = 0; i < o->rounds; i++)
        v[i] = b ? bench_ratio(a[i], b[i]) : a[i];
    return bench_spread_str(buf, size, b ? 2 : decimals, bench_spread(v, o->rounds));
}

void print_table(const options_t *o, const rounds_t out[][BENCH_NPROTOCOLS][2])
{
    printf("\nmedian (min-max) of %d rounds (messages/s first to last message; peak = VmHWM); ratio = "
           "kafkalite/librdkafka, and <protocol>/plaintext = the same client over that protocol against "
           "plaintext, each taken per round\n",
           o->rounds);
    printf("%-9s %-9s %-9s %-30s %8s  %-28s %-19s %s\n", "target", "protocol", "mode", "client", "messages",
           "msgs/s", "peak MB", "CPU s");
    char a[64], b[64], cpu[64];
    row_t rows[6];
    for (int t = 0; t < o->ntargets; t++)
        for (int i = 0; i < o->nprotocols; i++)
            for (int mode = 0; mode < NMODES; mode++) {
                int p = o->protocols[i], n = o->modes[mode] ? rows_of(o, out[t], p, rows) : 0;
                for (int k = 0; k < n; k++) {
                    char got[24] = "";
                    if (!rows[k].b)
                        snprintf(got, sizeof got, "%ld", rows[k].a->got[mode]);
                    size_t at = (size_t)mode * sizeof rows[k].a->rate[0]; /* each field is [NMODES][MAX_ROUNDS] */
                    printf("%-9s %-9s %-9s %-30s %8s  %-28s %-19s %s\n", o->targets[t], bench_protocol_names[p],
                           mode_names[mode], rows[k].label, got,
                           spread_of(a, sizeof a, 0, o, &rows[k], offsetof(rounds_t, rate) + at),
                           spread_of(b, sizeof b, 1, o, &rows[k], offsetof(rounds_t, peak_mb) + at),
                           spread_of(cpu, sizeof cpu, 3, o, &rows[k], offsetof(rounds_t, cpu_secs) + at));
                }
            }
    if (o->seconds <= 0)
        return;
    printf("\nend-to-end latency, produce to poll (linger.ms=0, %ld msgs/s for %d s; median (min-max) of the "
           "rounds)\n",
           o->rate, o->seconds);
    printf("%-9s %-9s %-30s %-24s %s\n", "target", "protocol", "client", "p50 ms", "p99 ms");
    for (int t = 0; t < o->ntargets; t++)
        for (int i = 0; i < o->nprotocols; i++) {
            int p = o->protocols[i], n = rows_of(o, out[t], p, rows);
            for (int k = 0; k < n; k++)
                printf("%-9s %-9s %-30s %-24s %s\n", o->targets[t], bench_protocol_names[p], rows[k].label,
                       spread_of(a, sizeof a, 3, o, &rows[k], offsetof(rounds_t, p50_ms)),
                       spread_of(b, sizeof b, 3, o, &rows[k], offsetof(rounds_t, p99_ms)));
        }
}
