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
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "integration/broker_fixture.h"
#include "security/sec_client.h"
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
static void start_behind_proxy_auth(const char *cert, const char *client_ca)
{
    proxy = tls_proxy_new();
    snprintf(advertised, sizeof advertised, "PLAINTEXT://localhost:%d", tls_proxy_port(proxy));
    static const char *props[4];
    props[0] = "advertised.listeners";
    props[1] = advertised;
    props[2] = NULL;
    fixture_start(&broker, props);
    const char *colon = strrchr(broker.bootstrap, ':');
    tls_proxy_start(proxy, cert, certs.key, client_ca, atoi(colon + 1));
}

static void start_behind_proxy(const char *cert) { start_behind_proxy_auth(cert, NULL); }

static void stop_all(void)
{
    tls_proxy_destroy(proxy);
    fixture_stop(&broker);
    tls_certs_remove(&certs);
}

/* A client of the proxy: security.protocol=ssl plus name/value pairs. */
#define tls_conf(host, port, ...) sec_conf(host, port, "ssl", __VA_ARGS__)
static void produce_and_wait(kl_conf_t *conf, int count, size_t size) { sec_produce(conf, "tls", count, size); }

/* ---- working connections ------------------------------------------------ */

START_TEST(test_produce_and_consume_over_tls)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    int port = tls_proxy_port(proxy);
    /* 300 KB values: requests and responses span many TLS records */
    produce_and_wait(tls_conf("localhost", port, "ssl.ca.location", certs.ca, NULL), 20, 300000);
    ck_assert_msg(sec_seen.delivered == 20, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered, sec_seen.failed,
                  kl_err_str(sec_seen.last_err), sec_seen.log);
    char *ca_pem = tls_certs_read(certs.ca);
    int got = sec_consume(tls_conf("127.0.0.1", port, "ssl.ca.pem", ca_pem, NULL), "tls", 20, 300000);
    free(ca_pem);
    ck_assert_int_eq(got, 20);
    ck_assert_int_ge(tls_proxy_handshakes(proxy), 2);
    stop_all();
}
END_TEST

START_TEST(test_ca_directory_ip_address_and_scheme)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    /* bootstrap.servers may name the scheme of security.protocol */
    produce_and_wait(tls_conf("SSL://127.0.0.1", tls_proxy_port(proxy), "ssl.ca.location", certs.ca_dir, NULL), 1,
                     10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
    stop_all();
}
END_TEST

/* A refused broker: the message fails with KL_ERR_SSL long before
 * message.timeout.ms (300 s), and the log names the broker, the stage and
 * the reason. */
static void expect_refused_crl(size_t cert_field, const char *host, const char *reason, bool crl)
{
    tls_certs_make(&certs);
    start_behind_proxy((const char *)&certs + cert_field);
    long long start = sec_now_ms();
    produce_and_wait(tls_conf(host, tls_proxy_port(proxy), "ssl.ca.location", certs.ca,
                              crl ? "ssl.crl.location" : NULL, certs.crl, NULL),
                     1, 10);
    ck_assert_msg(sec_seen.failed == 1 && sec_seen.last_err == KL_ERR_SSL, "delivered %d, failed %d with %s; log:\n%s",
                  sec_seen.delivered, sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - start, 20000);
    char want[192];
    snprintf(want, sizeof want, "%s:%d/bootstrap: connection down: TLS handshake: certificate verify failed: %s",
             host, tls_proxy_port(proxy), reason);
    ck_assert_msg(strstr(sec_seen.log, want), "the log lacks \"%s\":\n%s", want, sec_seen.log);
    stop_all();
}

static void expect_refused(size_t cert_field, const char *host, const char *reason)
{
    expect_refused_crl(cert_field, host, reason, false);
}

START_TEST(test_unknown_ca_refused) { expect_refused(offsetof(tls_certs_t, unknown_ca), "localhost", "unknown CA"); }
END_TEST

START_TEST(test_expired_certificate_refused) { expect_refused(offsetof(tls_certs_t, expired), "localhost", "expired certificate"); }
END_TEST

START_TEST(test_hostname_mismatch_refused) { expect_refused(offsetof(tls_certs_t, other_name), "localhost", "hostname mismatch"); }
END_TEST

/* ssl.crl.location: a revoked broker certificate is refused; an unrevoked
 * one from the same CA still passes. */
START_TEST(test_revoked_certificate_refused)
{
    expect_refused_crl(offsetof(tls_certs_t, revoked), "localhost", "revoked certificate (certificate revoked)",
                       true);
}
END_TEST

START_TEST(test_unrevoked_certificate_passes_crl_check)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    produce_and_wait(tls_conf("localhost", tls_proxy_port(proxy), "ssl.ca.location", certs.ca, "ssl.crl.location",
                              certs.crl, NULL),
                     1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
    stop_all();
}
END_TEST

START_TEST(test_ip_address_mismatch_refused) { expect_refused(offsetof(tls_certs_t, other_name), "127.0.0.1", "hostname mismatch"); }
END_TEST

/* Mutual TLS: the client certificate and its encrypted key, as files and
 * as PEM text. */
START_TEST(test_client_certificate)
{
    tls_certs_make(&certs);
    start_behind_proxy_auth(certs.good, certs.ca);
    int port = tls_proxy_port(proxy);
    produce_and_wait(tls_conf("localhost", port, "ssl.ca.location", certs.ca, "ssl.certificate.location",
                              certs.client, "ssl.key.location", certs.client_key, "ssl.key.password",
                              TLS_CERTS_KEY_PASSWORD, NULL),
                     1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
    char *cert = tls_certs_read(certs.client), *key = tls_certs_read(certs.client_key);
    produce_and_wait(tls_conf("localhost", port, "ssl.ca.location", certs.ca, "ssl.certificate.pem", cert,
                              "ssl.key.pem", key, "ssl.key.password", TLS_CERTS_KEY_PASSWORD, NULL),
                     1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
    free(cert);
    free(key);
    ck_assert_int_ge(tls_proxy_handshakes(proxy), 2);
    ck_assert_int_eq(tls_proxy_failed_handshakes(proxy), 0);
    stop_all();
}
END_TEST

START_TEST(test_verification_can_be_turned_off)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.unknown_ca);
    int port = tls_proxy_port(proxy);
    produce_and_wait(tls_conf("localhost", port, "enable.ssl.certificate.verification", "false", NULL), 1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
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
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
    stop_all();
}
END_TEST

START_TEST(test_plaintext_port_refused)
{
    tls_certs_make(&certs);
    start_behind_proxy(certs.good);
    const char *colon = strrchr(broker.bootstrap, ':');
    produce_and_wait(tls_conf("127.0.0.1", atoi(colon + 1), "ssl.ca.location", certs.ca, NULL), 1, 10);
    ck_assert_msg(sec_seen.failed == 1 && sec_seen.last_err == KL_ERR_SSL, "%s; log:\n%s", kl_err_str(sec_seen.last_err),
                  sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, "connection down: TLS handshake: "), "log:\n%s", sec_seen.log);
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
    ck_assert_msg(strstr(sec_seen.log, "connection set-up timed out after 1000 ms (in the TLS handshake)"), "log:\n%s",
                  sec_seen.log);
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
    expect_bad_setting("ssl.crl.location", "/nonexistent/ca.crl",
                       "ssl.crl.location: cannot read /nonexistent/ca.crl: No such file or directory");
    expect_bad_setting("ssl.crl.location", certs.ca, "holds no certificate revocation list");
    /* an encrypted key without its password */
    char errstr[256] = "";
    kl_conf_t *conf = tls_conf("localhost", 9093, "ssl.certificate.location", certs.client, "ssl.key.location",
                               certs.client_key, "ssl.key.password", "wrong", NULL);
    ck_assert_ptr_null(kl_producer_new(conf, errstr, sizeof errstr));
    kl_conf_destroy(conf);
    ck_assert_msg(strstr(errstr, "ssl.key.password is wrong"), "%s", errstr);
    tls_certs_remove(&certs);
}
END_TEST

int main(void)
{
#ifndef WITH_SSL
    kl_test_skip_all("TLS needs OpenSSL (configure found no libssl-dev)");
#endif
    Suite *s = suite_create("client_tls");
    TCase *tc = tcase_create("client_tls");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_produce_and_consume_over_tls);
    tcase_add_test(tc, test_ca_directory_ip_address_and_scheme);
    tcase_add_test(tc, test_unknown_ca_refused);
    tcase_add_test(tc, test_expired_certificate_refused);
    tcase_add_test(tc, test_hostname_mismatch_refused);
    tcase_add_test(tc, test_ip_address_mismatch_refused);
    tcase_add_test(tc, test_revoked_certificate_refused);
    tcase_add_test(tc, test_unrevoked_certificate_passes_crl_check);
    tcase_add_test(tc, test_client_certificate);
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
