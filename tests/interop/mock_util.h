/* Helpers for tests that run librdkafka's in-process mock cluster: start
 * and stop a cluster of N brokers on loopback (OS-picked ports), create
 * topics and keep librdkafka's chatter quiet; set up kafkalite clients
 * aimed at it. */
#ifndef KL_TEST_MOCK_UTIL_H
#define KL_TEST_MOCK_UTIL_H

#include <stdint.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

typedef struct mock_cluster {
    rd_kafka_t *rk; /* dummy handle that owns the cluster */
    rd_kafka_mock_cluster_t *mc;
    const char *bootstraps;
} mock_cluster_t;

void mock_cluster_start(mock_cluster_t *m, int brokers);
void mock_cluster_stop(mock_cluster_t *m);
void mock_topic_create(mock_cluster_t *m, const char *topic, int partitions);

/* A librdkafka configuration with a quiet logger. */
rd_kafka_conf_t *mock_rk_conf(void);
void mock_rk_set(rd_kafka_conf_t *conf, const char *name, const char *value);

/* kl_conf_set() that fails the test, naming the error. */
void mock_kl_set(kl_conf_t *conf, const char *name, const char *value);
/* kl_producer_new() that fails the test on error; destroys conf. */
kl_producer_t *mock_kl_producer_new(kl_conf_t *conf);

/* A loopback port nothing listens on. */
int mock_dead_port(void);

int64_t mock_now_ms(void);

#endif
