/* librdkafka client helpers for the interop suites (see rdkafka_clients.h). */
#include "rdkafka_clients.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void log_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s=%s: %s",
                  name, value, errstr);
}

rd_kafka_conf_t *conf_new(const char *bootstrap)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_quiet);
    conf_set(conf, "bootstrap.servers", bootstrap);
    return conf;
}

rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "rd_kafka_new: %s", errstr);
    return rk;
}

void create_topic(const char *bootstrap, const char *topic, int partitions)
{
    char errstr[256];
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf_new(bootstrap));
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, errstr, sizeof errstr);
    ck_assert_ptr_nonnull(nt);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, RDKAFKA_CLIENTS_TIMEOUT_MS);
    ck_assert_ptr_nonnull(ev);
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(rd_kafka_topic_result_error(res[0]) == 0, "CreateTopics %s: %s", topic,
                  rd_kafka_topic_result_error_string(res[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_destroy(rk);
}

rd_kafka_t *rdkafka_txn_producer(const char *bootstrap, const char *txn_id)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "transactional.id", txn_id);
    conf_set(conf, "linger.ms", "5");
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf);
    check_rdkafka_error(rd_kafka_init_transactions(rk, RDKAFKA_CLIENTS_TIMEOUT_MS), "init_transactions");
    return rk;
}

void check_rdkafka_error(rd_kafka_error_t *error, const char *what)
{
    ck_assert_msg(error == NULL, "%s: %s", what, error ? rd_kafka_error_string(error) : "");
}

void produce_values(rd_kafka_t *rk, const char *topic, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char v[64];
        int len = snprintf(v, sizeof v, "%s%d", prefix, i);
        ck_assert_int_eq(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                           RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ck_assert_int_eq(rd_kafka_flush(rk, RDKAFKA_CLIENTS_TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void read_partition(const char *bootstrap, const char *topic, const char *isolation, char *out, size_t size)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", "txn-reader");
    conf_set(conf, "isolation.level", isolation);
    conf_set(conf, "enable.partition.eof", "true");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);
    size_t len = 0;
    out[0] = '\0';
    long long deadline = now_ms() + RDKAFKA_CLIENTS_TIMEOUT_MS;
    for (bool eof = false; !eof;) {
        ck_assert_msg(now_ms() < deadline, "%s: no end of partition after \"%s\"", isolation, out);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eof = true;
        } else {
            ck_assert_msg(m->err == 0, "%s: %s", isolation, rd_kafka_message_errstr(m));
            ck_assert_uint_lt(len + m->len + 2, size);
            if (len)
                out[len++] = ' ';
            memcpy(out + len, m->payload, m->len);
            len += m->len;
            out[len] = '\0';
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}
