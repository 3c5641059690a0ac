/* bench_consumer's options, what its rounds measured, and the tables
 * printed from them (bench_consumer_table.c). */
#ifndef KL_BENCH_CONSUMER_TABLE_H
#define KL_BENCH_CONSUMER_TABLE_H

#include <stdbool.h>

#include "bench_consumer.h"
#include "bench_security.h"
#include "bench_util.h"

#define MAX_ROUNDS 16 /* <= BENCH_MAX_ROUNDS */

enum { ASSIGN, SUBSCRIBE, NMODES };
extern const char *const mode_names[NMODES];
/* kafkalite's, then librdkafka's */
extern const bench_client_ops_t *const clients[2];

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
    int protocols[BENCH_NPROTOCOLS], nprotocols; /* -S, in the order given */
} options_t;

/* One client over one protocol on one target, every round. */
typedef struct rounds {
    double rate[NMODES][MAX_ROUNDS]; /* messages/s, first to last message */
    double peak_mb[NMODES][MAX_ROUNDS];
    double cpu_secs[NMODES][MAX_ROUNDS]; /* user + system, start to the last message */
    long got[NMODES];
    double p50_ms[MAX_ROUNDS], p99_ms[MAX_ROUNDS]; /* 0: that round lost messages */
} rounds_t;

/* The throughput table, then (with -d) the latency one: per target and
 * protocol, each client, the ratio kafkalite/librdkafka and each client's
 * ratio to itself over plaintext. */
void print_table(const options_t *o, const rounds_t out[][BENCH_NPROTOCOLS][2]);

#endif
