/* Our client against Apache Kafka's SSL, SASL_SSL (SCRAM-SHA-512/256) and
 * SASL_PLAINTEXT (PLAIN, unsecured OAUTHBEARER) listeners, started by test_kafka_security.sh
 * (KL_SEC_* say where), and GSSAPI with a throw-away KDC: produce and read back on each, and the refusals --
 * wrong password, unknown user, a mechanism the listener does not enable,
 * an untrusted CA -- each failing the messages at once with a clear
 * reason instead of retrying until message.timeout.ms. */
#include <check.h>
#include <kafkalite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "security/sec_client.h"
#include "test_skip.h"

static int port(const char *var)
{
    const char *v = getenv(var);
    ck_assert_msg(v && atoi(v) > 0, "%s is not set", var);
    return atoi(v);
}

/* "<prefix>-<pid>": a topic no other run uses. */
static const char *topic(const char *prefix)
{
    static char name[64];
    snprintf(name, sizeof name, "%s-%d", prefix, (int)getpid());
    return name;
}

/* Produces 10 values of 20 KB on conf and reads them back on read_conf. */
static void round_trip(kl_conf_t *conf, kl_conf_t *read_conf, const char *t)
{
    sec_produce(conf, t, 10, 20000);
    ck_assert_msg(sec_seen.delivered == 10, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered,
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_int_eq(sec_consume(read_conf, t, 10, 20000), 10);
}

#define SSL_CONF(...) sec_conf("localhost", port("KL_SEC_SSL_PORT"), "ssl", "ssl.ca.location", getenv("KL_SEC_CA"), __VA_ARGS__)
#define SCRAM_CONF(mech, password, ...)                                                                         \
    sec_conf("127.0.0.1", port("KL_SEC_SASL_SSL_PORT"), "sasl_ssl", "ssl.ca.location", getenv("KL_SEC_CA"),     \
             "sasl.mechanisms", mech, "sasl.username", "alice", "sasl.password", password, __VA_ARGS__)
#define PLAIN_CONF(user, password, ...)                                                                         \
    sec_conf("localhost", port("KL_SEC_SASL_PLAINTEXT_PORT"), "sasl_plaintext", "sasl.mechanisms", "PLAIN",    \
             "sasl.username", user, "sasl.password", password, __VA_ARGS__)

START_TEST(test_ssl_listener)
{
    round_trip(SSL_CONF(NULL), SSL_CONF(NULL), topic("ssl"));
}
END_TEST

START_TEST(test_sasl_ssl_scram_sha_512)
{
    round_trip(SCRAM_CONF("SCRAM-SHA-512", "alice-secret", NULL), SCRAM_CONF("SCRAM-SHA-512", "alice-secret", NULL),
               topic("scram512"));
}
END_TEST

START_TEST(test_sasl_ssl_scram_sha_256)
{
    sec_produce(SCRAM_CONF("SCRAM-SHA-256", "alice-secret", NULL), topic("scram256"), 1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
}
END_TEST

START_TEST(test_sasl_plaintext_plain)
{
    round_trip(PLAIN_CONF("alice", "alice-secret", NULL), PLAIN_CONF("alice", "alice-secret", NULL), topic("plain"));
}
END_TEST

/* The message fails with want within 20 s (message.timeout.ms is 300 s)
 * and the log has reason. */
static void expect_refused(kl_conf_t *conf, kl_err_t want, const char *reason)
{
    long long start = sec_now_ms();
    sec_produce(conf, topic("refused"), 1, 10);
    ck_assert_msg(sec_seen.failed == 1 && sec_seen.last_err == want, "delivered %d, failed %d with %s; log:\n%s",
                  sec_seen.delivered, sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - start, 20000);
    ck_assert_msg(strstr(sec_seen.log, reason), "the log lacks \"%s\":\n%s", reason, sec_seen.log);
}

START_TEST(test_sasl_plaintext_oauthbearer_unsecured)
{
    sec_produce(sec_conf("localhost", port("KL_SEC_SASL_PLAINTEXT_PORT"), "sasl_plaintext", "sasl.mechanisms",
                         "OAUTHBEARER", "sasl.oauthbearer.config", "principal=alice lifeSeconds=600", NULL),
                topic("oauth"), 1, 10);
    ck_assert_msg(sec_seen.delivered == 1, "%s; log:\n%s", kl_err_str(sec_seen.last_err), sec_seen.log);
}
END_TEST

START_TEST(test_wrong_password_refused)
{
    expect_refused(SCRAM_CONF("SCRAM-SHA-512", "wrong", NULL), KL_ERR_AUTHENTICATION,
                   "/bootstrap: connection down: SASL authentication failed: ");
    expect_refused(PLAIN_CONF("alice", "wrong", NULL), KL_ERR_AUTHENTICATION,
                   "/bootstrap: connection down: SASL authentication failed: ");
}
END_TEST

START_TEST(test_unknown_user_refused)
{
    expect_refused(PLAIN_CONF("mallory", "alice-secret", NULL), KL_ERR_AUTHENTICATION,
                   "SASL authentication failed: ");
}
END_TEST

START_TEST(test_mechanism_not_enabled_refused)
{
    expect_refused(PLAIN_CONF("alice", "alice-secret", "sasl.mechanisms", "SCRAM-SHA-512", NULL),
                   KL_ERR_AUTHENTICATION,
                   "SASL handshake failed: the broker does not enable SCRAM-SHA-512 (it offers: PLAIN, OAUTHBEARER)");
}
END_TEST

/* GSSAPI on the SASL_SSL listener (Kafka's Krb5LoginModule with the
 * KDC's keytab for kafka/localhost), when test_kafka_security.sh could
 * start a KDC (KL_KDC_DIR). */
START_TEST(test_sasl_ssl_gssapi)
{
    const char *kdc = getenv("KL_KDC_DIR");
    KL_SKIP_IF(!kdc, "no KDC (apt-get install krb5-kdc krb5-admin-server krb5-user libsasl2-modules-gssapi-mit)");
    char keytab[300], ccache[300];
    snprintf(keytab, sizeof keytab, "%s/client.keytab", kdc);
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-kafka-%d", kdc, (int)getpid());
    setenv("KRB5CCNAME", ccache, 1);
#define GSSAPI_CONF(keytab)                                                                                     \
    sec_conf("localhost", port("KL_SEC_SASL_SSL_PORT"), "sasl_ssl", "ssl.ca.location", getenv("KL_SEC_CA"),     \
             "sasl.mechanisms", "GSSAPI", "sasl.kerberos.keytab", keytab, NULL)
    round_trip(GSSAPI_CONF(keytab), GSSAPI_CONF(keytab), topic("gssapi"));
    /* a stale keytab: no ticket, refused at once naming Kerberos' reason */
    snprintf(keytab, sizeof keytab, "%s/stale.keytab", kdc);
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-kafka-stale-%d", kdc, (int)getpid());
    setenv("KRB5CCNAME", ccache, 1);
    expect_refused(GSSAPI_CONF(keytab), KL_ERR_AUTHENTICATION, "SASL GSSAPI failed: ");
#undef GSSAPI_CONF
}
END_TEST

START_TEST(test_untrusted_ca_refused)
{
    expect_refused(SSL_CONF("ssl.ca.location", getenv("KL_SEC_UNTRUSTED_CA"), NULL), KL_ERR_SSL,
                   "TLS handshake: certificate verify failed: unknown CA");
}
END_TEST

int main(void)
{
    if (!getenv("KL_SEC_SSL_PORT"))
        kl_test_skip_all("run by tests/security/test_kafka_security.sh, which starts Kafka");
    Suite *s = suite_create("kafka_security");
    TCase *tc = tcase_create("kafka_security");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ssl_listener);
    tcase_add_test(tc, test_sasl_ssl_scram_sha_512);
    tcase_add_test(tc, test_sasl_ssl_scram_sha_256);
    tcase_add_test(tc, test_sasl_plaintext_plain);
    tcase_add_test(tc, test_sasl_plaintext_oauthbearer_unsecured);
    tcase_add_test(tc, test_wrong_password_refused);
    tcase_add_test(tc, test_unknown_user_refused);
    tcase_add_test(tc, test_mechanism_not_enabled_refused);
    tcase_add_test(tc, test_untrusted_ca_refused);
    tcase_add_test(tc, test_sasl_ssl_gssapi);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
