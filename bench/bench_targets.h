/* The brokers the client benchmarks run against, each in a server process
 * of its own (bench_server_start()): kafkalite's embedded broker on a
 * temporary log.dirs, and librdkafka's mock cluster (memory only; it keeps
 * only the newest messages of each partition). */
#ifndef KL_BENCH_TARGETS_H
#define KL_BENCH_TARGETS_H

#include "bench_util.h"

/* What a target must hold: on the mock cluster these topics are created
 * up front; the embedded broker creates any topic on first use with
 * num.partitions = partitions. */
typedef struct bench_topics {
    int partitions;
    const char *const *names;
    int count;
} bench_topics_t;

/* The server operations of "kafkalite" or "mock" (their start() takes a
 * bench_topics_t); dies on another name. */
const bench_server_ops_t *bench_target_ops(const char *target);

#endif
