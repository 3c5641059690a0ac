/* Our broker's per-listener security settings and its OAUTHBEARER
 * (issue 17), with our client: listener.name.<l>.sasl.enabled.mechanisms,
 * .ssl.client.auth and the PLAIN users of a listener's PlainLoginModule
 * sasl.jaas.config, each applying to its listener only; a sasl.jaas.config
 * that does not parse refuses the start naming the property; unsecured
 * OAUTHBEARER tokens accepted, and refused with Kafka's JSON status when
 * they lack the required scope; a setting for a listener that is not
 * opened is warned about. */
#include <check.h>
#include <kafkalite.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"

static tls_certs_t certs;
static sec_broker_t sb;

#define JAAS_BOB                                                                                               \
    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"x\" "     \
    "user_bob=\"bob secret\";"

#define LOGIN(protocol, port, mech, user, password, ...)                                                         \
    sec_conf("localhost", port, protocol, "sasl.mechanisms", mech, "sasl.username", user, "sasl.password",     \
             password, "ssl.ca.location", certs.ca, __VA_ARGS__)

static void assert_delivered(kl_conf_t *conf, const char *topic)
{
    sec_produce(conf, topic, 3, 100);
    ck_assert_msg(sec_seen.delivered == 3, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered,
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
}

/* Produces 3 messages with conf, which must all fail with
 * KL_ERR_AUTHENTICATION well before their timeout, the log holding want. */
static void assert_refused(kl_conf_t *conf, const char *want)
{
    ck_assert_int_eq(kl_conf_set(conf, "message.timeout.ms", "120000", NULL, 0), KL_ERR_NONE);
    long long t0 = sec_now_ms();
    sec_produce(conf, "refused", 3, 100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.last_err == KL_ERR_AUTHENTICATION, "failed %d (%s); log:\n%s",
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, want), "the log lacks \"%s\":\n%s", want, sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - t0, 60000);
}

START_TEST(test_jaas_users_serve_their_listener_only)
{
    tls_certs_make(&certs);
    /* upper case as users write it: the broker reads the lower-case name */
    sec_broker_start(&sb, &certs, "listener.name.SASL_PLAINTEXT.plain.sasl.jaas.config", JAAS_BOB, NULL);
    assert_delivered(LOGIN("sasl_plaintext", sb.sasl_plaintext, "PLAIN", "bob", "bob secret", NULL), "jaas");
    /* the jaas users replace the SCRAM store on that listener... */
    assert_refused(LOGIN("sasl_plaintext", sb.sasl_plaintext, "PLAIN", SEC_USER, SEC_PASSWORD, NULL),
                   "Invalid username or password");
    assert_refused(LOGIN("sasl_plaintext", sb.sasl_plaintext, "PLAIN", "bob", "bob secreT", NULL),
                   "Invalid username or password");
    /* ...and bob is nobody on the other one, where alice still is */
    assert_refused(LOGIN("sasl_ssl", sb.sasl_ssl, "PLAIN", "bob", "bob secret", NULL), "Invalid username");
    assert_delivered(LOGIN("sasl_ssl", sb.sasl_ssl, "PLAIN", SEC_USER, SEC_PASSWORD, NULL), "jaas");
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

START_TEST(test_mechanisms_and_client_auth_per_listener)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512",
                     "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "SCRAM-SHA-256",
                     "listener.name.ssl.ssl.client.auth", "required", "ssl.truststore.location", certs.ca, NULL);
    assert_delivered(LOGIN("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-256", SEC_USER, SEC_PASSWORD, NULL),
                     "mechs");
    assert_refused(LOGIN("sasl_plaintext", sb.sasl_plaintext, "PLAIN", SEC_USER, SEC_PASSWORD, NULL),
                   "does not enable PLAIN (it offers: SCRAM-SHA-256)");
    assert_refused(LOGIN("sasl_ssl", sb.sasl_ssl, "SCRAM-SHA-256", SEC_USER, SEC_PASSWORD, NULL),
                   "does not enable SCRAM-SHA-256 (it offers: PLAIN, SCRAM-SHA-512)");
    assert_delivered(LOGIN("sasl_ssl", sb.sasl_ssl, "PLAIN", SEC_USER, SEC_PASSWORD, NULL), "mechs");
    /* the SSL listener wants a client certificate, SASL_SSL does not */
    sec_produce(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "message.timeout.ms", "4000",
                         NULL),
                "mechs", 3, 100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.delivered == 0, "log:\n%s", sec_seen.log);
    assert_delivered(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "ssl.certificate.location",
                              certs.client, "ssl.key.location", certs.client_key, "ssl.key.password",
                              TLS_CERTS_KEY_PASSWORD, NULL),
                     "mechs");
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

/* kl_broker_new with listeners SASL_PLAINTEXT and name=value: refused,
 * the error holding want. */
/* ... with name/value pairs (ending with NULL) set too. */
static void assert_start_refused_with(const char *want, const char *name, const char *value, ...)
{
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "SASL_PLAINTEXT://127.0.0.1:0", errstr, sizeof errstr),
                     KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", "/tmp/kl-never-made", errstr, sizeof errstr), KL_ERR_NONE);
    va_list ap;
    va_start(ap, value);
    for (const char *n = name, *v = value; n; n = va_arg(ap, const char *), v = n ? va_arg(ap, const char *) : NULL)
        ck_assert_msg(kl_conf_set(conf, n, v, errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    va_end(ap);
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (b)
        kl_broker_destroy(b);
    ck_assert_msg(!b, "%s=%s was accepted", name, value);
    ck_assert_msg(strstr(errstr, want), "\"%s\" lacks \"%s\"", errstr, want);
}

static void assert_start_refused(const char *name, const char *value, const char *want)
{
    assert_start_refused_with(want, name, value, NULL);
}

START_TEST(test_bad_jaas_config_refuses_the_start)
{
    const char *name = "listener.name.sasl_plaintext.plain.sasl.jaas.config";
    assert_start_refused(name, "org.apache.kafka.common.security.plain.PlainLoginModule required user_bob=\"x\"",
                         "listener.name.sasl_plaintext.plain.sasl.jaas.config: the login module does not end");
    assert_start_refused(name, "org.apache.kafka.common.security.plain.PlainLoginModule maybe user_bob=x;",
                         "control flag");
    assert_start_refused(name, "org.apache.kafka.common.security.plain.PlainLoginModule required user_bob=\"x;",
                         "a quoted value does not end");
    assert_start_refused(name, "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                         "plain wants org.apache.kafka.common.security.plain.PlainLoginModule");
    assert_start_refused("listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config",
                         "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                         "unsecuredValidatorAllowableClockSkewMs=soon;",
                         "oauthbearer.sasl.jaas.config: unsecuredValidatorAllowableClockSkewMs");
    /* GSSAPI's Krb5LoginModule: the key from a keytab, and no second
     * opinion on the principal */
    name = "listener.name.sasl_plaintext.gssapi.sasl.jaas.config";
    assert_start_refused_with("gssapi.sasl.jaas.config: a broker reads its Kerberos key from a keytab", name,
                              "com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;",
                              "sasl.enabled.mechanisms", "GSSAPI", NULL);
    assert_start_refused_with("sasl.kerberos.principal=kafka/b@R and "
                              "listener.name.sasl_plaintext.gssapi.sasl.jaas.config's principal=\"kafka/a@R\" "
                              "disagree",
                              name,
                              "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
                              "keyTab=\"/k\" principal=\"kafka/a@R\";",
                              "sasl.kerberos.principal", "kafka/b@R", "sasl.enabled.mechanisms", "GSSAPI", NULL);
    assert_start_refused_with("gssapi wants com.sun.security.auth.module.Krb5LoginModule", name,
                              "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                              "sasl.enabled.mechanisms", "GSSAPI", NULL);
}
END_TEST

#define OAUTH(port, config, ...)                                                                              \
    sec_conf("localhost", port, "sasl_plaintext", "sasl.mechanisms", "OAUTHBEARER", "sasl.oauthbearer.config", \
             config, __VA_ARGS__)

START_TEST(test_oauthbearer_unsecured)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER",
                     "listener.name.sasl_ssl.sasl.enabled.mechanisms", "OAUTHBEARER",
                     "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config",
                     "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                     "unsecuredValidatorRequiredScope=\"produce\";",
                     NULL);
    sec_produce(OAUTH(sb.sasl_plaintext, "principal=carol", NULL), "oauth", 5, 100);
    ck_assert_msg(sec_seen.delivered == 5, "log:\n%s", sec_seen.log);
    ck_assert_int_eq(sec_consume(OAUTH(sb.sasl_plaintext, "principal=carol", NULL), "oauth", 5, 100), 5);
    /* the SASL_SSL listener wants the scope "produce" */
    assert_refused(sec_conf("localhost", sb.sasl_ssl, "sasl_ssl", "sasl.mechanisms", "OAUTHBEARER",
                            "sasl.oauthbearer.config", "principal=carol scope=read", "ssl.ca.location", certs.ca,
                            NULL),
                   "{\"status\":\"insufficient_scope\", \"scope\":\"produce\"}");
    assert_delivered(sec_conf("localhost", sb.sasl_ssl, "sasl_ssl", "sasl.mechanisms", "OAUTHBEARER",
                              "sasl.oauthbearer.config", "principal=carol scope=read,produce", "ssl.ca.location",
                              certs.ca, NULL),
                     "oauth");
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

/* listener.name.<l>.* for a listener the broker does not open: Kafka
 * starts and never reads it; kafkalite starts too and warns, naming the
 * setting and the listener. */
START_TEST(test_setting_for_unknown_listener_warned)
{
    tls_certs_make(&certs);
    char log[16384];
    sec_broker_take_log(log, sizeof log);
    sec_broker_start(&sb, &certs, "listener.name.SASL_SSSL.sasl.enabled.mechanisms", "PLAIN",
                     "listener.name.sasl_ssl.sasl.enabled.mechanisms", "PLAIN", "controller.listener.names",
                     "CONTROLLER", "listener.name.controller.sasl.enabled.mechanisms", "PLAIN", NULL);
    sec_broker_take_log(log, sizeof log);
    ck_assert_msg(strstr(log, "listener.name.sasl_sssl.sasl.enabled.mechanisms is ignored: no listener SASL_SSSL "
                              "in listeners (PLAINTEXT://127.0.0.1:0,"),
                  "log:\n%s", log);
    ck_assert_msg(strstr(log, "listener.name.controller.sasl.enabled.mechanisms is ignored: CONTROLLER is a "
                              "controller listener"),
                  "log:\n%s", log);
    ck_assert_msg(!strstr(log, "listener.name.sasl_ssl."), "a known listener's setting was warned about:\n%s", log);
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_sasl_listeners");
    TCase *tc = tcase_create("listeners");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_jaas_users_serve_their_listener_only);
    tcase_add_test(tc, test_mechanisms_and_client_auth_per_listener);
    tcase_add_test(tc, test_bad_jaas_config_refuses_the_start);
    tcase_add_test(tc, test_oauthbearer_unsecured);
    tcase_add_test(tc, test_setting_for_unknown_listener_warned);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
