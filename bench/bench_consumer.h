/* bench_consumer: the two clients it compares (kafkalite's and
 * librdkafka's) behind one set of operations, so that every measurement
 * is written once and drives both the same way (bench_consumer_clients.c).
 * A setup failure or an error message from poll exits the process. */
#ifndef KL_BENCH_CONSUMER_H
#define KL_BENCH_CONSUMER_H

#include <stddef.h>

/* Properties as a NULL-terminated list of name, value pairs. */
typedef const char *const *bench_props_t;

typedef struct bench_client_ops {
    const char *name;
    void *(*consumer_new)(const char *bootstrap, bench_props_t props);
    /* Messages partitions 0..partitions-1 of topic hold (high - low
     * watermark, summed). */
    long (*held)(void *consumer, const char *topic, int partitions);
    /* Without group: assigns every partition from the beginning; with
     * one: subscribes to topic. */
    void (*start)(void *consumer, const char *topic, int partitions, const char *group);
    /* The next message within timeout_ms (its value in *value, *len), or
     * NULL; freed with message_destroy(). */
    void *(*poll)(void *consumer, int timeout_ms, const void **value, size_t *len);
    void (*message_destroy)(void *message);
    void (*consumer_destroy)(void *consumer); /* closes first */

    void *(*producer_new)(const char *bootstrap, bench_props_t props);
    /* Produces a copy of value (keyless) to partition, or to any with -1,
     * serving reports while the queue is full. */
    void (*produce)(void *producer, const char *topic, int partition, const void *value, size_t len);
    void (*producer_poll)(void *producer);
    void (*producer_destroy)(void *producer); /* flushes first */
} bench_client_ops_t;

/* The same on both consumers (librdkafka's names and, but for check.crcs
 * and auto-commit, its defaults), besides socket.nagle.disable and
 * group.id: name, value pairs, BENCH_CONSUMER_NSETTINGS strings. */
#define BENCH_CONSUMER_NSETTINGS 20
extern const char *const bench_consumer_settings[BENCH_CONSUMER_NSETTINGS];

extern const bench_client_ops_t bench_kafkalite_ops, bench_librdkafka_ops;

#endif
