/* librdkafka client helpers shared by the interop suites that run real
 * clients against the embedded broker: configuration that fails the Check
 * test on a bad property, handles, topic creation through the admin API,
 * and transactional producers. */
#ifndef KL_TEST_RDKAFKA_CLIENTS_H
#define KL_TEST_RDKAFKA_CLIENTS_H

#include <librdkafka/rdkafka.h>

/* How long a helper waits for the broker to answer. */
#define RDKAFKA_CLIENTS_TIMEOUT_MS 60000

/* Sets name=value on conf (fails the test when refused). */
void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value);
/* A configuration for bootstrap that logs only errors, to stderr. */
rd_kafka_conf_t *conf_new(const char *bootstrap);
/* A producer or consumer handle owning conf. */
rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf);
/* Creates topic with partitions partitions; it must not exist yet. */
void create_topic(const char *bootstrap, const char *topic, int partitions);
/* Reads partition 0 of topic from the start with a consumer of isolation
 * level isolation ("read_committed" or "read_uncommitted") until
 * librdkafka reports its end (the last stable offset for read_committed,
 * the high watermark otherwise): the values, space-separated, into out
 * (fails the test when they do not fit, or after the timeout). */
void read_partition(const char *bootstrap, const char *topic, const char *isolation, char *out, size_t size);

/* A transactional producer for txn_id (linger.ms 5), its transactions
 * initialised. */
rd_kafka_t *rdkafka_txn_producer(const char *bootstrap, const char *txn_id);
/* Fails the test when error is set, naming what failed. */
void check_rdkafka_error(rd_kafka_error_t *error, const char *what);
/* Produces the values prefix0 .. prefix<n-1> to partition 0 of topic and
 * waits for them to be written (in the open transaction, if any). */
void produce_values(rd_kafka_t *rk, const char *topic, const char *prefix, int n);

#endif
