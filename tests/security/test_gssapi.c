/* SASL/GSSAPI (Kerberos, issue 17), our client against our broker: run by
 * test_gssapi.sh with a throw-away KDC (kdc_lib.sh; KL_KDC_DIR names its
 * directory and keytabs). The client gets its ticket with the default
 * sasl.kerberos.kinit.cmd from its keytab, the broker accepts
 * kafka/localhost with its keytab; produce and consume over SASL_PLAINTEXT
 * and SASL_SSL; the broker's keytab and principal also from Kafka's
 * Krb5LoginModule sasl.jaas.config. Refused, fast and with an authentication error naming
 * SASL and Kerberos' reason: a stale keytab, a principal the KDC does not
 * know, a service the KDC does not know. Each case has its own credential
 * cache, so no ticket leaks from one to the next. */
#include <check.h>
#include <kafkalite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"
#include "test_skip.h"

static const char *kdc;
static tls_certs_t certs;
static sec_broker_t sb;
static char broker_keytab[300], client_keytab[300], stale_keytab[300], ghost_keytab[300], app_keytab[300];

/* A fresh credential cache for the case (before any thread starts), then
 * a broker serving GSSAPI (and SCRAM) as kafka/localhost. */
static void start(const char *name)
{
    char ccache[400];
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-%s-%d", kdc, name, (int)getpid());
    setenv("KRB5CCNAME", ccache, 1);
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "sasl.enabled.mechanisms", "GSSAPI,SCRAM-SHA-512", "sasl.kerberos.keytab",
                     broker_keytab, "sasl.kerberos.principal", "kafka/localhost@KAFKALITE.TEST",
                     "advertised.listeners",
                     "PLAINTEXT://localhost:0,SSL://localhost:0,SASL_PLAINTEXT://localhost:0,"
                     "SASL_SSL://localhost:0",
                     NULL);
}

static void stop(void)
{
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}

#define GSSAPI(protocol, port, keytab, principal, ...)                                                           \
    sec_conf("localhost", port, protocol, "sasl.mechanisms", "GSSAPI", "sasl.kerberos.keytab", keytab,          \
             "sasl.kerberos.principal", principal, __VA_ARGS__)

START_TEST(test_gssapi_sasl_plaintext)
{
    start("plaintext");
    sec_produce(GSSAPI("sasl_plaintext", sb.sasl_plaintext, client_keytab, "kafkaclient", NULL), "krb", 20, 1000);
    ck_assert_msg(sec_seen.delivered == 20, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered,
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    /* the broker took kafkaclient@KAFKALITE.TEST for User:kafkaclient */
    char log[16384];
    sec_broker_take_log(log, sizeof log);
    ck_assert_msg(strstr(log, "as User:kafkaclient with GSSAPI"), "the broker's log:\n%s", log);
    /* read back as app/worker@KAFKALITE.TEST: User:app */
    ck_assert_int_eq(
        sec_consume(GSSAPI("sasl_plaintext", sb.sasl_plaintext, app_keytab, "app/worker", NULL), "krb", 20, 1000), 20);
    sec_broker_take_log(log, sizeof log);
    ck_assert_msg(strstr(log, "as User:app with GSSAPI"), "the broker's log:\n%s", log);
    stop();
}
END_TEST

/* Kafka's server.properties form: the broker's keytab and principal from
 * a listener's Krb5LoginModule sasl.jaas.config, no sasl.kerberos.* */
START_TEST(test_gssapi_jaas_config)
{
    char ccache[400], jaas[800];
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-jaas-%d", kdc, (int)getpid());
    setenv("KRB5CCNAME", ccache, 1);
    snprintf(jaas, sizeof jaas,
             "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"%s\" "
             "principal=\"kafka/localhost@KAFKALITE.TEST\";",
             broker_keytab);
    tls_certs_make(&certs);
    char log[16384];
    sec_broker_take_log(log, sizeof log);
    sec_broker_start(&sb, &certs, "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "GSSAPI",
                     "sasl.kerberos.service.name", "kafka", "listener.name.sasl_plaintext.gssapi.sasl.jaas.config",
                     jaas, "advertised.listeners", "SASL_PLAINTEXT://localhost:0", NULL);
    sec_broker_take_log(log, sizeof log);
    ck_assert_msg(strstr(log, "accepting Kerberos service principal kafka/localhost (keytab ") &&
                      strstr(log, "from listener.name.sasl_plaintext.gssapi.sasl.jaas.config)"),
                  "the broker's log:\n%s", log);
    sec_produce(GSSAPI("sasl_plaintext", sb.sasl_plaintext, client_keytab, "kafkaclient", NULL), "krb-jaas", 3, 100);
    ck_assert_msg(sec_seen.delivered == 3, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered,
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    stop();
}
END_TEST

START_TEST(test_gssapi_sasl_ssl)
{
    start("ssl");
    sec_produce(GSSAPI("sasl_ssl", sb.sasl_ssl, client_keytab, "kafkaclient", "ssl.ca.location", certs.ca, NULL),
                "krb-tls", 5, 50000);
    ck_assert_msg(sec_seen.delivered == 5, "delivered %d; log:\n%s", sec_seen.delivered, sec_seen.log);
    ck_assert_int_eq(sec_consume(GSSAPI("sasl_ssl", sb.sasl_ssl, client_keytab, "kafkaclient", "ssl.ca.location",
                                        certs.ca, NULL),
                                 "krb-tls", 5, 50000),
                     5);
    stop();
}
END_TEST

START_TEST(test_gssapi_stale_keytab)
{
    start("stale");
    /* kinit fails (its output is logged), then so does the exchange */
    sec_assert_auth_refused(GSSAPI("sasl_plaintext", sb.sasl_plaintext, stale_keytab, "kafkaclient", NULL),
                            "SASL GSSAPI failed");
    ck_assert_msg(strstr(sec_seen.log, "sasl.kerberos.kinit.cmd failed") && strstr(sec_seen.log, "kinit"),
                  "the log lacks kinit's failure:\n%s", sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, "No Kerberos credentials available"), "no reason from cyrus-sasl:\n%s",
                  sec_seen.log);
    stop();
}
END_TEST

START_TEST(test_gssapi_unknown_principal)
{
    start("ghost");
    sec_assert_auth_refused(GSSAPI("sasl_plaintext", sb.sasl_plaintext, ghost_keytab, "ghost", NULL),
                            "SASL GSSAPI failed");
    ck_assert_msg(strstr(sec_seen.log, "not found in Kerberos database"), "the log lacks the KDC's reason:\n%s",
                  sec_seen.log);
    stop();
}
END_TEST

START_TEST(test_gssapi_unknown_service)
{
    start("service");
    /* a ticket, but for a service the KDC has never heard of */
    sec_assert_auth_refused(GSSAPI("sasl_plaintext", sb.sasl_plaintext, client_keytab, "kafkaclient",
                                   "sasl.kerberos.service.name", "nokafka", NULL),
                            "SASL GSSAPI failed");
    ck_assert_msg(strstr(sec_seen.log, "not found in Kerberos database"), "the log lacks the KDC's reason:\n%s",
                  sec_seen.log);
    stop();
}
END_TEST

START_TEST(test_gssapi_not_enabled)
{
    char ccache[400];
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-off-%d", kdc, (int)getpid());
    setenv("KRB5CCNAME", ccache, 1);
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "sasl.enabled.mechanisms", "SCRAM-SHA-512", NULL);
    sec_assert_auth_refused(GSSAPI("sasl_plaintext", sb.sasl_plaintext, client_keytab, "kafkaclient", NULL),
                            "does not enable GSSAPI (it offers: SCRAM-SHA-512)");
    stop();
}
END_TEST

int main(void)
{
    setenv("KAFKALITE_BROKER_LOG", "7", 1); /* the broker logs who authenticated */
    kdc = getenv("KL_KDC_DIR");
    if (!kdc || !*kdc)
        kl_test_skip_all("no KDC: run tests/security/test_gssapi.sh, which starts one");
    snprintf(broker_keytab, sizeof broker_keytab, "%s/broker.keytab", kdc);
    snprintf(client_keytab, sizeof client_keytab, "%s/client.keytab", kdc);
    snprintf(stale_keytab, sizeof stale_keytab, "%s/stale.keytab", kdc);
    snprintf(ghost_keytab, sizeof ghost_keytab, "%s/ghost.keytab", kdc);
    snprintf(app_keytab, sizeof app_keytab, "%s/app.keytab", kdc);
    Suite *s = suite_create("gssapi");
    TCase *tc = tcase_create("our client, our broker");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_gssapi_sasl_plaintext);
    tcase_add_test(tc, test_gssapi_sasl_ssl);
    tcase_add_test(tc, test_gssapi_jaas_config);
    tcase_add_test(tc, test_gssapi_stale_keytab);
    tcase_add_test(tc, test_gssapi_unknown_principal);
    tcase_add_test(tc, test_gssapi_unknown_service);
    tcase_add_test(tc, test_gssapi_not_enabled);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int result = kl_test_result(sr);
    srunner_free(sr);
    return result;
}
