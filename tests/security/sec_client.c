/* The security tests' client helpers (see sec_client.h). */
#include "security/sec_client.h"

#include <check.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

sec_seen_t sec_seen;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

long long sec_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque, (void)level, (void)facility;
    pthread_mutex_lock(&log_lock);
    size_t n = strlen(sec_seen.log);
    snprintf(sec_seen.log + n, sizeof sec_seen.log - n, "%s\n", message);
    pthread_mutex_unlock(&log_lock);
}

static void on_delivery(kl_producer_t *p, const kl_message_t *msg, void *opaque)
{
    (void)p, (void)opaque;
    if (kl_message_error(msg)) {
        sec_seen.failed++;
        sec_seen.last_err = kl_message_error(msg);
    } else {
        sec_seen.delivered++;
    }
}

kl_conf_t *sec_conf(const char *host, int port, const char *protocol, ...)
{
    char errstr[256], bootstrap[96];
    kl_conf_t *conf = kl_conf_new();
    snprintf(bootstrap, sizeof bootstrap, "%s:%d", host, port);
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "security.protocol", protocol, errstr, sizeof errstr), KL_ERR_NONE);
    va_list ap;
    va_start(ap, protocol);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);
        ck_assert_msg(kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    }
    va_end(ap);
    kl_conf_set_log_cb(conf, on_log);
    kl_conf_set_delivery_cb(conf, on_delivery);
    memset(&sec_seen, 0, sizeof sec_seen);
    return conf;
}

void sec_produce(kl_conf_t *conf, const char *topic, int count, size_t size)
{
    char errstr[256];
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "%s", errstr);
    char *value = malloc(size);
    ck_assert_ptr_nonnull(value);
    for (size_t i = 0; i < size; i++)
        value[i] = (char)('a' + i % 26);
    for (int i = 0; i < count; i++)
        ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, value, size, 0, NULL), KL_ERR_NONE);
    free(value);
    long long deadline = sec_now_ms() + 30000;
    while (sec_seen.delivered + sec_seen.failed < count && sec_now_ms() < deadline)
        kl_producer_poll(p, 100);
    kl_producer_destroy(p);
    ck_assert_msg(sec_seen.delivered + sec_seen.failed == count, "%d of %d reported; log:\n%s",
                  sec_seen.delivered + sec_seen.failed, count, sec_seen.log);
}

int sec_consume(kl_conf_t *conf, const char *topic, int want, size_t size)
{
    char errstr[256];
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "%s", errstr);
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(parts, topic, 0)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(c, parts), KL_ERR_NONE);
    kl_topic_partition_list_destroy(parts);
    int got = 0;
    long long deadline = sec_now_ms() + 30000;
    while (got < want && sec_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (!m)
            continue;
        size_t len = 0;
        if (!kl_message_error(m) && kl_message_value(m, &len) && len == size)
            got++;
        kl_message_destroy(m);
    }
    kl_consumer_close(c);
    kl_consumer_destroy(c);
    return got;
}

void sec_assert_auth_refused(kl_conf_t *conf, const char *want)
{
    ck_assert_int_eq(kl_conf_set(conf, "message.timeout.ms", "120000", NULL, 0), KL_ERR_NONE);
    long long t0 = sec_now_ms();
    sec_produce(conf, "refused", 3, 100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.last_err == KL_ERR_AUTHENTICATION, "failed %d (%s); log:\n%s",
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, want), "the log lacks \"%s\":\n%s", want, sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - t0, 60000); /* not the message timeout */
}

/* base64url without padding of n bytes into out (room for 4n/3 + 4). */
static void base64url(const char *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);
    ck_assert_int_ge(len, 0);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
}

char *sec_unsecured_jwt(const char *sub, long long iat, long long exp)
{
    static const char header[] = "{\"alg\":\"none\"}";
    char claims[256], h[64], c[400];
    int n = snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}", sub, iat, exp);
    ck_assert_int_lt(n, (int)sizeof claims);
    base64url(header, sizeof header - 1, h);
    base64url(claims, (size_t)n, c);
    char *jwt = malloc(strlen(h) + strlen(c) + 3);
    ck_assert_ptr_nonnull(jwt);
    sprintf(jwt, "%s.%s.", h, c);
    return jwt;
}

int sec_produce_steadily(kl_producer_t *p, const char *topic, long long ms, int interval_ms)
{
    int sent = 0;
    long long end = sec_now_ms() + ms;
    while (sec_now_ms() < end) {
        ck_assert_int_eq(kl_produce(p, topic, 0, NULL, 0, "v", 1, 0, NULL), KL_ERR_NONE);
        sent++;
        kl_producer_poll(p, interval_ms);
    }
    long long deadline = sec_now_ms() + 30000;
    while (sec_seen.delivered + sec_seen.failed < sent && sec_now_ms() < deadline)
        kl_producer_poll(p, 100);
    return sent;
}
