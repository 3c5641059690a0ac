/* librdkafka (kcat's library) against our broker's SASL_SSL listener:
 * SCRAM-SHA-256 and -512 and PLAIN produce and consume through TLS with
 * the test CA, and a wrong password refused with librdkafka's
 * authentication error, nothing delivered; mutual TLS on the SSL listener
 * (ssl.client.auth=required, librdkafka's certificate and encrypted key); OAUTHBEARER with librdkafka's
 * unsecured JWT, and a token without the required scope refused. With a KDC (KL_KDC_DIR, set by
 * test_gssapi.sh, which runs the "gssapi" case alone): GSSAPI over
 * SASL_PLAINTEXT, librdkafka getting its ticket with its own kinit
 * command, and a stale keytab refused. */
#include <check.h>
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"
#include "test_skip.h"

static tls_certs_t certs;
static sec_broker_t sb;
static int delivered, failed;
static rd_kafka_resp_err_t last_error;
static bool auth_refused; /* an _AUTHENTICATION error came (others may follow) */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk, (void)opaque;
    if (m->err)
        failed++;
    else
        delivered++;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk, (void)reason, (void)opaque;
    last_error = (rd_kafka_resp_err_t)err;
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
        auth_refused = true;
}

/* librdkafka with the test CA on our broker's port, security.protocol
 * protocol, plus name/value pairs ending with NULL. */
static rd_kafka_conf_t *tls_conf(int port, const char *protocol, ...)
{
    char bootstrap[64], errstr[256];
    snprintf(bootstrap, sizeof bootstrap, "localhost:%d", port);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[] = {"bootstrap.servers", bootstrap, "security.protocol", protocol, "ssl.ca.location",
                           certs.ca, "log_level", "3", "message.timeout.ms", "60000", NULL};
    for (const char **p = props; *p; p += 2)
        ck_assert_msg(rd_kafka_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s: %s", p[0],
                      errstr);
    va_list ap;
    va_start(ap, protocol);
    for (const char *name; (name = va_arg(ap, const char *));) {
        const char *value = va_arg(ap, const char *);
        ck_assert_msg(rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s: %s",
                      name, errstr);
    }
    va_end(ap);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    return conf;
}

static rd_kafka_conf_t *sasl_ssl_conf(const char *mechanism, const char *password)
{
    return tls_conf(sb.sasl_ssl, "sasl_ssl", "sasl.mechanisms", mechanism, "sasl.username", SEC_USER,
                    "sasl.password", password, NULL);
}

/* GSSAPI as kafkaclient from keytab (in the KDC's directory). */
static rd_kafka_conf_t *gssapi_conf(const char *keytab)
{
    char bootstrap[64], errstr[256], path[300];
    snprintf(bootstrap, sizeof bootstrap, "localhost:%d", sb.sasl_plaintext);
    snprintf(path, sizeof path, "%s/%s", getenv("KL_KDC_DIR"), keytab);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[] = {"bootstrap.servers", bootstrap, "security.protocol", "sasl_plaintext",
                           "sasl.mechanisms", "GSSAPI", "sasl.kerberos.keytab", path, "sasl.kerberos.principal",
                           "kafkaclient", "log_level", "3", "message.timeout.ms", "60000", NULL};
    for (const char **p = props; *p; p += 2)
        ck_assert_msg(rd_kafka_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s: %s", p[0],
                      errstr);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    return conf;
}

/* Produces count messages to partition 0 of topic and waits for every
 * report (60 s at most). */
static void produce(rd_kafka_conf_t *conf, const char *topic, int count)
{
    char errstr[256];
    delivered = failed = 0;
    last_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    auth_refused = false;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "%s", errstr);
    for (int i = 0; i < count; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "value-%d", i);
        ck_assert_int_eq(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                           RD_KAFKA_V_VALUE(value, (size_t)n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    long long deadline = sec_now_ms() + 60000;
    while (delivered + failed < count && !auth_refused && sec_now_ms() < deadline)
        rd_kafka_poll(rk, 100);
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk, 0);
    rd_kafka_destroy(rk);
}

/* Reads partition 0 of topic from the start until count messages came
 * (60 s at most); the number read. */
static int consume(rd_kafka_conf_t *conf, const char *topic, int count)
{
    char errstr[256];
    ck_assert_int_eq(rd_kafka_conf_set(conf, "group.id", "rdkafka-security", errstr, sizeof errstr),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "%s", errstr);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);
    int got = 0;
    long long deadline = sec_now_ms() + 60000;
    while (got < count && sec_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m && !m->err)
            got++;
        if (m)
            rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got;
}

/* Whether librdkafka's builtin.features has each of the names. */
static bool has_features(const char *const *names)
{
    char features[512];
    size_t size = sizeof features;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bool ok = rd_kafka_conf_get(conf, "builtin.features", features, &size) == RD_KAFKA_CONF_OK;
    for (; ok && *names; names++)
        ok = strstr(features, *names) != NULL;
    rd_kafka_conf_destroy(conf);
    return ok;
}

static void round_trip(const char *mechanism, const char *topic)
{
    produce(sasl_ssl_conf(mechanism, SEC_PASSWORD), topic, 100);
    ck_assert_msg(delivered == 100, "%s: delivered %d, failed %d, error %s", mechanism, delivered, failed,
                  rd_kafka_err2name(last_error));
    ck_assert_int_eq(consume(sasl_ssl_conf(mechanism, SEC_PASSWORD), topic, 100), 100);
}

/* librdkafka's unsecured JWT for principal carol with scope. */
static rd_kafka_conf_t *oauth_conf(const char *scope)
{
    char config[128], errstr[256];
    snprintf(config, sizeof config, "principal=carol scope=%s", scope);
    rd_kafka_conf_t *conf = sasl_ssl_conf("OAUTHBEARER", "");
    ck_assert_msg(rd_kafka_conf_set(conf, "sasl.oauthbearer.config", config, errstr, sizeof errstr) ==
                          RD_KAFKA_CONF_OK &&
                      rd_kafka_conf_set(conf, "enable.sasl.oauthbearer.unsecure.jwt", "true", errstr,
                                        sizeof errstr) == RD_KAFKA_CONF_OK,
                  "%s", errstr);
    return conf;
}

START_TEST(test_rdkafka_oauthbearer)
{
    char features[512];
    size_t size = sizeof features;
    rd_kafka_conf_t *probe = rd_kafka_conf_new();
    bool ok = rd_kafka_conf_get(probe, "builtin.features", features, &size) == RD_KAFKA_CONF_OK &&
              strstr(features, "ssl") && strstr(features, "sasl_oauthbearer");
    rd_kafka_conf_destroy(probe);
    KL_SKIP_IF(!ok, "librdkafka is built without ssl or sasl_oauthbearer");
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.sasl_ssl.sasl.enabled.mechanisms", "OAUTHBEARER",
                     "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config",
                     "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                     "unsecuredValidatorRequiredScope=\"produce\";",
                     NULL);
    produce(oauth_conf("produce"), "rdk-oauth", 100);
    ck_assert_msg(delivered == 100, "delivered %d, failed %d, error %s", delivered, failed,
                  rd_kafka_err2name(last_error));
    ck_assert_int_eq(consume(oauth_conf("read,produce"), "rdk-oauth", 100), 100);
    produce(oauth_conf("read"), "rdk-oauth", 5);
    ck_assert_int_eq(delivered, 0);
    ck_assert_msg(auth_refused, "no authentication error (last %s)", rd_kafka_err2name(last_error));
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

START_TEST(test_rdkafka_sasl_ssl)
{
    KL_SKIP_IF(!has_features((const char *[]){"ssl", "sasl_scram", "sasl_plain", NULL}),
               "librdkafka is built without ssl, sasl_scram or sasl_plain");
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.ssl.ssl.client.auth", "required", "ssl.truststore.location",
                     certs.ca, NULL);
    /* mutual TLS: librdkafka's certificate, its key encrypted */
    produce(tls_conf(sb.ssl, "ssl", "ssl.certificate.location", certs.client, "ssl.key.location", certs.client_key,
                     "ssl.key.password", TLS_CERTS_KEY_PASSWORD, NULL),
            "rdk-mtls", 100);
    ck_assert_msg(delivered == 100, "mutual TLS: delivered %d, failed %d, error %s", delivered, failed,
                  rd_kafka_err2name(last_error));
    ck_assert_int_eq(consume(tls_conf(sb.ssl, "ssl", "ssl.certificate.location", certs.client, "ssl.key.location",
                                      certs.client_key, "ssl.key.password", TLS_CERTS_KEY_PASSWORD, NULL),
                             "rdk-mtls", 100),
                     100);
    round_trip("SCRAM-SHA-256", "rdk-scram256");
    round_trip("SCRAM-SHA-512", "rdk-scram512");
    round_trip("PLAIN", "rdk-plain");
    /* a wrong password: librdkafka's authentication error, nothing delivered */
    produce(sasl_ssl_conf("SCRAM-SHA-512", "wrong"), "rdk-refused", 5);
    ck_assert_int_eq(delivered, 0);
    ck_assert_msg(auth_refused, "no authentication error (last %s)", rd_kafka_err2name(last_error));
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

START_TEST(test_rdkafka_gssapi)
{
    KL_SKIP_IF(!has_features((const char *[]){"sasl_gssapi", NULL}), "librdkafka is built without sasl_gssapi");
    char broker_keytab[300], ccache[300];
    snprintf(broker_keytab, sizeof broker_keytab, "%s/broker.keytab", getenv("KL_KDC_DIR"));
    snprintf(ccache, sizeof ccache, "FILE:%s/ccache-rdkafka", getenv("KL_KDC_DIR"));
    setenv("KRB5CCNAME", ccache, 1);
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "sasl.enabled.mechanisms", "GSSAPI", "sasl.kerberos.keytab", broker_keytab,
                     "sasl.kerberos.principal", "kafka/localhost@KAFKALITE.TEST", "advertised.listeners",
                     "PLAINTEXT://localhost:0,SSL://localhost:0,SASL_PLAINTEXT://localhost:0,SASL_SSL://localhost:0",
                     NULL);
    produce(gssapi_conf("client.keytab"), "rdk-gssapi", 50);
    ck_assert_msg(delivered == 50, "GSSAPI: delivered %d, failed %d, error %s", delivered, failed,
                  rd_kafka_err2name(last_error));
    ck_assert_int_eq(consume(gssapi_conf("client.keytab"), "rdk-gssapi", 50), 50);
    /* a stale keytab: kinit fails, so does the exchange, nothing delivered */
    unlink(ccache + strlen("FILE:"));
    produce(gssapi_conf("stale.keytab"), "rdk-gssapi-refused", 5);
    ck_assert_int_eq(delivered, 0);
    ck_assert_msg(auth_refused, "no authentication error (last %s)", rd_kafka_err2name(last_error));
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_rdkafka_security");
    TCase *tc = tcase_create("sasl_ssl");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_rdkafka_sasl_ssl);
    tcase_add_test(tc, test_rdkafka_oauthbearer);
    suite_add_tcase(s, tc);
    if (getenv("KL_KDC_DIR")) { /* test_gssapi.sh's KDC */
        TCase *krb = tcase_create("gssapi");
        tcase_set_timeout(krb, 300);
        tcase_add_test(krb, test_rdkafka_gssapi);
        suite_add_tcase(s, krb);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int result = kl_test_result(sr);
    srunner_free(sr);
    return result;
}
