/* bench_producer: one producer run, the same for kafkalite's producer and
 * librdkafka's (bench_producer_clients.c), each meant to run in a child
 * process of its own (bench_in_child()) so that its peak memory is its own. */
#ifndef KL_BENCH_PRODUCER_H
#define KL_BENCH_PRODUCER_H

#include <stdint.h>

typedef struct bench_run {
    const char *bootstrap;
    const char *topic;
    long messages;
    int size;                /* value bytes; keys are null */
    const char *acks;        /* "1" or "all" */
    const char *codec;       /* none, lz4, zstd, ... */
    const char *idempotence; /* "true" or "false", set on both clients */
    const char *nagle_disable; /* socket.nagle.disable: "true" or "false", on both */
    long rate;               /* messages/s, each sent at its time; 0: as fast as accepted */
    const char *const *security; /* security.protocol and the rest, name/value pairs, NULL-terminated; or NULL */
} bench_run_t;

/* What both producers are given besides bootstrap.servers, acks,
 * compression, enable.idempotence, socket.nagle.disable and the security
 * settings: librdkafka's
 * names, at librdkafka 2.0.2's defaults (kafkalite's are the same), so a
 * default neither side chose cannot differ. NULL-terminated name, value
 * pairs; bench/README lists every setting. */
extern const char *const bench_producer_settings[];

typedef struct bench_result {
    double secs;            /* first produce call to flush's return */
    long ok, failed;        /* delivery reports */
    uint64_t p50_us, p99_us; /* produce call to delivery report */
    long peak_kb;           /* the process's VmHWM */
    double cpu_secs;        /* the process's user + system CPU over secs */
} bench_result_t;

/* Each takes a bench_run_t and fills a bench_result_t; a setup failure
 * exits the process. */
void bench_run_kafkalite(void *run, void *result);
void bench_run_librdkafka(void *run, void *result);

#endif
