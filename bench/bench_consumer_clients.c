/* The two clients bench_consumer compares, behind bench_client_ops_t:
 * kafkalite's consumer and producer, and librdkafka's. Delivery failures
 * are fatal: the benchmark's counts rely on every message arriving. */
#include <stdint.h>
#include <stdio.h>

#include <kafkalite.h>
#include <librdkafka/rdkafka.h>

#include "bench_consumer.h"
#include "bench_util.h"

#define QUERY_TIMEOUT_MS 30000
#define FLUSH_TIMEOUT_MS 120000

const char *const bench_consumer_settings[BENCH_CONSUMER_NSETTINGS] = {
    "fetch.wait.max.ms",          "500",
    "fetch.min.bytes",            "1",
    "fetch.max.bytes",            "52428800",
    "max.partition.fetch.bytes",  "1048576",
    "queued.min.messages",        "100000",
    "queued.max.messages.kbytes", "65536",
    "check.crcs",                 "false",
    "enable.auto.commit",         "false",
    "auto.offset.reset",          "earliest",
    "enable.partition.eof",       "false",
};

/* ---- kafkalite ------------------------------------------------------------------ */

static void kl_log_errors(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    if (level <= 3)
        fprintf(stderr, "kafkalite %s: %s\n", fac, msg);
}

static void kl_report(kl_producer_t *p, const kl_message_t *m, void *opaque)
{
    (void)p;
    (void)opaque;
    if (kl_message_error(m))
        bench_die("kafkalite delivery", kl_err_str(kl_message_error(m)));
}

static kl_conf_t *kl_conf_for(const char *bootstrap, bench_props_t props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr))
        bench_die("kl_conf_set", errstr);
    for (size_t i = 0; props && props[i]; i += 2)
        if (kl_conf_set(conf, props[i], props[i + 1], errstr, sizeof errstr))
            bench_die("kl_conf_set", errstr);
    kl_conf_set_log_cb(conf, kl_log_errors);
    return conf;
}

static void *kl_consumer_open(const char *bootstrap, bench_props_t props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_for(bootstrap, props);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!c)
        bench_die("kl_consumer_new", errstr);
    return c;
}

static long kl_held(void *consumer, const char *topic, int partitions)
{
    long n = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t lo, hi;
        kl_err_t err = kl_query_watermark_offsets(consumer, topic, p, &lo, &hi, QUERY_TIMEOUT_MS);
        if (err)
            bench_die("kl_query_watermark_offsets", kl_err_str(err));
        n += (long)(hi - lo);
    }
    return n;
}

static void kl_start(void *consumer, const char *topic, int partitions, const char *group)
{
    kl_err_t err;
    if (group) {
        err = kl_subscribe(consumer, &topic, 1);
    } else {
        kl_topic_partition_list_t *list = kl_topic_partition_list_new((size_t)partitions);
        for (int p = 0; p < partitions; p++)
            kl_topic_partition_list_add(list, topic, p)->offset = KL_OFFSET_BEGINNING;
        err = kl_assign(consumer, list);
        kl_topic_partition_list_destroy(list);
    }
    if (err)
        bench_die(group ? "kl_subscribe" : "kl_assign", kl_err_str(err));
}

static void *kl_poll(void *consumer, int timeout_ms, const void **value, size_t *len)
{
    kl_message_t *m = kl_consumer_poll(consumer, timeout_ms);
    if (m && kl_message_error(m)) {
        size_t n;
        const char *why = kl_message_value(m, &n);
        fprintf(stderr, "%s: kafkalite consumer: %.*s\n", bench_prog, (int)n, why ? why : "");
        bench_die("kafkalite consumer", kl_err_str(kl_message_error(m)));
    }
    if (m)
        *value = kl_message_value(m, len);
    return m;
}

static void kl_msg_destroy(void *message) { kl_message_destroy(message); }

static void kl_consumer_end(void *consumer)
{
    kl_consumer_close(consumer);
    kl_consumer_destroy(consumer);
}

static void *kl_producer_open(const char *bootstrap, bench_props_t props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_for(bootstrap, props);
    kl_conf_set_delivery_cb(conf, kl_report);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!p)
        bench_die("kl_producer_new", errstr);
    return p;
}

static void kl_send(void *producer, const char *topic, int partition, const void *value, size_t len)
{
    int32_t to = partition < 0 ? KL_PARTITION_UA : partition;
    kl_err_t err;
    while ((err = kl_produce(producer, topic, to, NULL, 0, value, len, 0, NULL)) == KL_ERR_QUEUE_FULL)
        kl_producer_poll(producer, 1);
    if (err)
        bench_die("kl_produce", kl_err_str(err));
}

static void kl_serve(void *producer) { kl_producer_poll(producer, 0); }

static void kl_producer_end(void *producer)
{
    if (kl_producer_flush(producer, FLUSH_TIMEOUT_MS))
        bench_die("kafkalite", "flush timed out");
    kl_producer_destroy(producer);
}

const bench_client_ops_t bench_kafkalite_ops = {
    .name = "kafkalite",
    .consumer_new = kl_consumer_open,
    .held = kl_held,
    .start = kl_start,
    .poll = kl_poll,
    .message_destroy = kl_msg_destroy,
    .consumer_destroy = kl_consumer_end,
    .producer_new = kl_producer_open,
    .produce = kl_send,
    .producer_poll = kl_serve,
    .producer_destroy = kl_producer_end,
};

/* ---- librdkafka ------------------------------------------------------------------ */

static void rk_log_errors(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

static void rk_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err)
        bench_die("librdkafka delivery", rd_kafka_err2str(m->err));
}

static rd_kafka_t *rk_open(rd_kafka_type_t type, const char *bootstrap, bench_props_t props)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        bench_die("rd_kafka_conf_set", errstr);
    for (size_t i = 0; props && props[i]; i += 2)
        if (rd_kafka_conf_set(conf, props[i], props[i + 1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            bench_die("rd_kafka_conf_set", errstr);
    rd_kafka_conf_set_log_cb(conf, rk_log_errors);
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, rk_report);
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk)
        bench_die("rd_kafka_new", errstr);
    return rk;
}

static void *rk_consumer_open(const char *bootstrap, bench_props_t props)
{
    return rk_open(RD_KAFKA_CONSUMER, bootstrap, props);
}

static long rk_held(void *consumer, const char *topic, int partitions)
{
    long n = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer, topic, p, &lo, &hi, QUERY_TIMEOUT_MS);
        if (err)
            bench_die("rd_kafka_query_watermark_offsets", rd_kafka_err2str(err));
        n += (long)(hi - lo);
    }
    return n;
}

static void rk_start(void *consumer, const char *topic, int partitions, const char *group)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < (group ? 1 : partitions); p++)
        rd_kafka_topic_partition_list_add(list, topic, group ? RD_KAFKA_PARTITION_UA : p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t err = group ? rd_kafka_subscribe(consumer, list) : rd_kafka_assign(consumer, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err)
        bench_die(group ? "rd_kafka_subscribe" : "rd_kafka_assign", rd_kafka_err2str(err));
}

static void *rk_poll(void *consumer, int timeout_ms, const void **value, size_t *len)
{
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, timeout_ms);
    if (m && m->err)
        bench_die("librdkafka consumer", rd_kafka_message_errstr(m));
    if (m) {
        *value = m->payload;
        *len = m->len;
    }
    return m;
}

static void rk_msg_destroy(void *message) { rd_kafka_message_destroy(message); }

static void rk_consumer_end(void *consumer)
{
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
}

static void *rk_producer_open(const char *bootstrap, bench_props_t props)
{
    return rk_open(RD_KAFKA_PRODUCER, bootstrap, props);
}

static void rk_send(void *producer, const char *topic, int partition, const void *value, size_t len)
{
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic),
                                    RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
                                    RD_KAFKA_V_VALUE((void *)value, len),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(producer, 1);
    if (err)
        bench_die("rd_kafka_producev", rd_kafka_err2str(err));
}

static void rk_serve(void *producer) { rd_kafka_poll(producer, 0); }

static void rk_producer_end(void *producer)
{
    if (rd_kafka_flush(producer, FLUSH_TIMEOUT_MS))
        bench_die("librdkafka", "flush timed out");
    rd_kafka_destroy(producer);
}

const bench_client_ops_t bench_librdkafka_ops = {
    .name = "librdkafka",
    .consumer_new = rk_consumer_open,
    .held = rk_held,
    .start = rk_start,
    .poll = rk_poll,
    .message_destroy = rk_msg_destroy,
    .consumer_destroy = rk_consumer_end,
    .producer_new = rk_producer_open,
    .produce = rk_send,
    .producer_poll = rk_serve,
    .producer_destroy = rk_producer_end,
};
