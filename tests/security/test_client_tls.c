/* Our client over TLS (security.protocol=ssl), against the embedded broker
 * behind an in-process TLS proxy with certificates made on the fly: produce
 * and consume through TLS with the CA as a file, a hashed directory and PEM
 * text, by host name and by IP address; and the refusals, each fast and
 * naming the stage and the reason: unknown CA, hostname mismatch (DNS and
 * IP), expired certificate, a plaintext port, a peer that never answers
 * the handshake (set-up timeout), and settings that cannot be used. */
#include <check.h>
#include <kafkalite.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "integration/broker_fixture.h"
#include "security/tls_certs.h"
#include "security/tls_proxy.h"
#include "test_skip.h"

/* ---- the set-up: certificates, a broker advertising the proxy ----------- */

static tls_certs_t certs;
static broker_fixture_t broker;
static tls_proxy_t *proxy;
static char advertised[96];

/* Call tls_certs_make(&certs) first. A broker behind a proxy serving cert; the broker advertises the proxy as
 * localhost, so both names of the certificates are used. */
static void start_behind_proxy(const char *cert)
{
    proxy = tls_proxy_new();
    snprintf(advertised, sizeof advertised, "PLAINTEXT://localhost:%d", tls_proxy_port(proxy));
    static const char *props[4];
    props[0] = "advertised.listeners";
    props[1] = advertised;
    props[2] = NULL;
    fixture_start(&broker, props);
    const char *colon = strrchr(broker.bootstrap, ':');
    tls_proxy_start(proxy, cert, certs.key, atoi(colon + 1));
}

static void stop_all(void)
{
    tls_proxy_destroy(proxy);
    fixture_stop(&broker);
    tls_certs_remove(&certs);
}

/* ---- what the client reports -------------------------------------------- */

typedef struct seen {
    pthread_mutex_t lock;
    char log[8192];
    int delivered, failed;
    kl_err_t last_err;
} seen_t;

static seen_t seen;

static void on_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque, (void)level, (void)facility;
    pthread_mutex_lock(&seen.lock);
    size_t n = strlen(seen.log);
    snprintf(seen.log + n, sizeof seen.log - n, "%s\n", message);
    pthread_mutex_unlock(&seen.lock);
}

static void on_delivery(kl_producer_t *p, const kl_message_t *msg, void *opaque)
{
    (void)p, (void)opaque;
    if (kl_message_error(msg)) {
        seen.failed++;
        seen.last_err = kl_message_error(msg);
    } else {
        seen.delivered++;
    }
}

/* A client configuration: bootstrap host:port, security.protocol=ssl,
 * then name/value pairs ending with NULL. */
static kl_conf_t *tls_conf(const char *host, int port, ...)
{
    char errstr[256], bootstrap[96];
    kl_conf_t *conf = kl_conf_new();
    snprintf(bootstrap, sizeof bootstrap, "%s:%d", host, port);
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "security.protocol", "ssl", errstr, sizeof errstr), KL_ERR_NONE);
    va_list ap;
    va_start(ap, port);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);
        ck_assert_msg(kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    }
    va_end(ap);
    kl_conf_set_log_cb(conf, on_log);
    kl_conf_set_delivery_cb(conf, on_delivery);
    memset(seen.log, 0, sizeof seen.log);
    seen.delivered = seen.failed = 0;
    seen.last_err = KL_ERR_NONE;
    return conf;
}

/* Produces count messages of size bytes and waits (deadline 30 s) until
 * every one is reported. */
static void produce_and_wait(kl_conf_t *conf, int count, size_t size)
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
        ck_assert_int_eq(kl_produce(p, "tls", 0, NULL, 0, value, size, 0, NULL), KL_ERR_NONE);
    free(value);
    long long deadline = fixture_now_ms() + 30000;
    while (seen.delivered + seen.failed < count && fixture_now_ms() < deadline)
        kl_producer_poll(p, 100);
    kl_producer_destroy(p);
    ck_assert_msg(seen.delivered + seen.failed == count, "%d of %d reported; log:\n%s",
                  seen.delivered + seen.failed, count, seen.log);
}

/* ---- working connections ------------------------------------------------ */

static int consume_count(kl_conf_t *conf, int want, size_t size)
{
    char errstr[256];
    ck_assert_int_eq(kl_conf_set(conf, "group.id", "tls-readers", errstr, sizeof errstr), KL_ERR_NONE);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "%s", errstr);
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(parts, "tls", 0)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(c, parts), KL_ERR_NONE);
    kl_topic_partition_list_destroy(parts);
    int got = 0;
    long long deadline = fixture_now_ms() + 30000;
    while (got < want && fixture_now_ms() < deadline) {
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

START_TEST(test_produce_and_consume_over_tls)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    int port = tls_proxy_port(proxy);
    /* 300 KB values: requests and responses span many TLS records */
    produce_and_wait(tls_conf("localhost", port, "ssl.ca.location", certs.ca, NULL), 20, 300000);
    ck_assert_msg(seen.delivered == 20, "delivered %d, failed %d (%s); log:\n%s", seen.delivered, seen.failed,
                  kl_err_str(seen.last_err), seen.log);
    char *ca_pem = tls_certs_read(certs.ca);
    int got = consume_count(tls_conf("127.0.0.1", port, "ssl.ca.pem", ca_pem, NULL), 20, 300000);
    free(ca_pem);
    ck_assert_int_eq(got, 20);
    ck_assert_int_ge(tls_proxy_handshakes(proxy), 2);
    stop_all();
}
END_TEST

START_TEST(test_ca_directory_and_ip_address)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    produce_and_wait(tls_conf("127.0.0.1", tls_proxy_port(proxy), "ssl.ca.location", certs.ca_dir, NULL), 1, 10);
    ck_assert_msg(seen.delivered == 1, "%s; log:\n%s", kl_err_str(seen.last_err), seen.log);
    stop_all();
}
END_TEST

/* A refused broker: the message fails with KL_ERR_SSL long before
 * message.timeout.ms (300 s), and the log names the broker, the stage and
 * the reason. */
static void expect_refused(size_t cert_field, const char *host, const char *reason)
{
    tls_certs_make(&certs);
    start_behind_proxy((const char *)&certs + cert_field);
    long long start = fixture_now_ms();
    produce_and_wait(tls_conf(host, tls_proxy_port(proxy), "ssl.ca.location", certs.ca, NULL), 1, 10);
    ck_assert_msg(seen.failed == 1 && seen.last_err == KL_ERR_SSL, "delivered %d, failed %d with %s; log:\n%s",
                  seen.delivered, seen.failed, kl_err_str(seen.last_err), seen.log);
    ck_assert_int_lt(fixture_now_ms() - start, 20000);
    char want[128];
    snprintf(want, sizeof want, "%s:%d/bootstrap: connection down: TLS handshake: certificate verify failed: %s",
             host, tls_proxy_port(proxy), reason);
    ck_assert_msg(strstr(seen.log, want), "the log lacks \"%s\":\n%s", want, seen.log);
    stop_all();
}

START_TEST(test_unknown_ca_refused) { expect_refused(offsetof(tls_certs_t, unknown_ca), "localhost", "unknown CA"); }
END_TEST

START_TEST(test_expired_certificate_refused) { expect_refused(offsetof(tls_certs_t, expired), "localhost", "expired certificate"); }
END_TEST

START_TEST(test_hostname_mismatch_refused) { expect_refused(offsetof(tls_certs_t, other_name), "localhost", "hostname mismatch"); }
END_TEST

START_TEST(test_ip_address_mismatch_refused) { expect_refused(offsetof(tls_certs_t, other_name), "127.0.0.1", "hostname mismatch"); }
END_TEST

START_TEST(test_verification_can_be_turned_off)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.unknown_ca);
    int port = tls_proxy_port(proxy);
    produce_and_wait(tls_conf("localhost", port, "enable.ssl.certificate.verification", "false", NULL), 1, 10);
    ck_assert_msg(seen.delivered == 1, "%s; log:\n%s", kl_err_str(seen.last_err), seen.log);
    stop_all();
}
END_TEST

START_TEST(test_hostname_check_can_be_turned_off)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.other_name);
    int port = tls_proxy_port(proxy);
    produce_and_wait(tls_conf("localhost", port, "ssl.ca.location", certs.ca,
                              "ssl.endpoint.identification.algorithm", "none", NULL),
                     1, 10);
    ck_assert_msg(seen.delivered == 1, "%s; log:\n%s", kl_err_str(seen.last_err), seen.log);
    stop_all();
}
END_TEST

START_TEST(test_plaintext_port_refused)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    const char *colon = strrchr(broker.bootstrap, ':');
    produce_and_wait(tls_conf("127.0.0.1", atoi(colon + 1), "ssl.ca.location", certs.ca, NULL), 1, 10);
    ck_assert_msg(seen.failed == 1 && seen.last_err == KL_ERR_SSL, "%s; log:\n%s", kl_err_str(seen.last_err),
                  seen.log);
    ck_assert_msg(strstr(seen.log, "connection down: TLS handshake: "), "log:\n%s", seen.log);
    stop_all();
}
END_TEST

/* A peer that accepts TCP but never answers the ClientHello: the set-up
 * timeout covers the TLS handshake and says so. */
START_TEST(test_setup_timeout_covers_tls)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    kl_conf_t *conf = tls_conf("127.0.0.1", ntohs(a.sin_port), "socket.connection.setup.timeout.ms", "1000",
                               "message.timeout.ms", "4000", NULL);
    produce_and_wait(conf, 1, 10);
    close(fd);
    ck_assert_msg(strstr(seen.log, "connection set-up timed out after 1000 ms (in the TLS handshake)"), "log:\n%s",
                  seen.log);
}
END_TEST

static void expect_bad_setting(const char *name, const char *value, const char *want)
{
    char errstr[256] = "";
    kl_conf_t *conf = tls_conf("localhost", 9093, name, value, NULL);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(errstr, want), "\"%s\" lacks \"%s\"", errstr, want);
}

START_TEST(test_unusable_settings_refused_at_creation)
{
    tls_certs_make(&certs);
    expect_bad_setting("ssl.ca.location", "/nonexistent/ca.pem", "ssl.ca.location");
    expect_bad_setting("ssl.ca.pem", "not a certificate", "ssl.ca.pem");
    expect_bad_setting("ssl.certificate.location", certs.good, "needs its key");
    expect_bad_setting("ssl.key.location", "/nonexistent/key.pem", "ssl.key.location");
    expect_bad_setting("ssl.cipher.suites", "NO-SUCH-CIPHER", "ssl.cipher.suites");
    tls_certs_remove(&certs);
}
END_TEST

int main(void)
{
#ifndef WITH_SSL
    kl_test_skip_all("TLS needs OpenSSL (configure found no libssl-dev)");
#endif
    pthread_mutex_init(&seen.lock, NULL);
    Suite *s = suite_create("client_tls");
    TCase *tc = tcase_create("client_tls");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_produce_and_consume_over_tls);
    tcase_add_test(tc, test_ca_directory_and_ip_address);
    tcase_add_test(tc, test_unknown_ca_refused);
    tcase_add_test(tc, test_expired_certificate_refused);
    tcase_add_test(tc, test_hostname_mismatch_refused);
    tcase_add_test(tc, test_ip_address_mismatch_refused);
    tcase_add_test(tc, test_verification_can_be_turned_off);
    tcase_add_test(tc, test_hostname_check_can_be_turned_off);
    tcase_add_test(tc, test_plaintext_port_refused);
    tcase_add_test(tc, test_setup_timeout_covers_tls);
    tcase_add_test(tc, test_unusable_settings_refused_at_creation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
