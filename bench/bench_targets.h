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
/* A client benchmark's -S list and -M mechanism: the protocols into
 * protocols[BENCH_NPROTOCOLS] and the certificates into *s
 * (bench_protocols_parse()); their count, 0 for a bad list. Dies unless
 * every target serves them: the mock cluster has no TLS or SASL (the
 * certificates are then removed first). */
int bench_targets_secure(char *list, const char *mechanism, const char *const *targets, int ntargets,
                         int *protocols, bench_security_t *s);

#endif
