/* The brokers the client benchmarks run against, each in a server process
 * of its own (bench_server_start()): kafkalite's embedded broker on a
 * temporary log.dirs, and librdkafka's mock cluster (memory only; it keeps
 * only the newest messages of each partition). */
#ifndef KL_BENCH_TARGETS_H
#define KL_BENCH_TARGETS_H

#include "bench_security.h"
#include "bench_util.h"

/* What a target must hold: on the mock cluster these topics are created
 * up front; the embedded broker creates any topic on first use with
 * num.partitions = partitions. With security, the embedded broker has a
 * listener per protocol (bench_security_broker_conf()) and its bootstrap
 * is its listeners ("PLAINTEXT://127.0.0.1:1234,SSL://...", see
 * bench_bootstrap_for()); the mock cluster refuses it. */
typedef struct bench_topics {
    int partitions;
    const char *const *names;
    int count;
    const bench_security_t *security; /* NULL: plaintext only */
} bench_topics_t;

/* The server operations of "kafkalite" or "mock" (their start() takes a
 * bench_topics_t); dies on another name. */
const bench_server_ops_t *bench_target_ops(const char *target);
/* Dies unless target is known and serves the protocols: the mock cluster
 * has no TLS or SASL, so with security made (its directory then
 * removed) it dies. */
void bench_target_check(const char *target, bench_security_t *security);

#endif
