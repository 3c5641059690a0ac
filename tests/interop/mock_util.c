/* Mock-cluster helpers for the interop tests: see mock_util.h. */
#include "mock_util.h"

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void log_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3) /* errors only: the mock is chatty */
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

rd_kafka_conf_t *mock_rk_conf(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_quiet);
    return conf;
}

void mock_rk_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s=%s: %s",
                  name, value, errstr);
}

void mock_kl_set(kl_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE, "%s=%s: %s", name, value,
                  errstr);
}

kl_producer_t *mock_kl_producer_new(kl_conf_t *conf)
{
    char errstr[256];
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    kl_conf_destroy(conf);
    return p;
}

void mock_cluster_start(mock_cluster_t *m, int brokers)
{
    char errstr[256];
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, mock_rk_conf(), errstr, sizeof errstr);
    ck_assert_msg(m->rk != NULL, "rd_kafka_new: %s", errstr);
    m->mc = rd_kafka_mock_cluster_new(m->rk, brokers);
    ck_assert_ptr_nonnull(m->mc);
    m->bootstraps = rd_kafka_mock_cluster_bootstraps(m->mc);
}

void mock_cluster_stop(mock_cluster_t *m)
{
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
}

void mock_topic_create(mock_cluster_t *m, const char *topic, int partitions)
{
    ck_assert_int_eq(rd_kafka_mock_topic_create(m->mc, topic, partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
}

int mock_dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

int64_t mock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
