/* KIP-368 re-authentication between our client and our broker (issue 17):
 * with a short connections.max.reauth.ms, a producer running across
 * several session lifetimes re-authenticates on its connection before
 * each ends (SCRAM and OAUTHBEARER), and every message is delivered. */
#include <check.h>
#include <kafkalite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"

static tls_certs_t certs;
static sec_broker_t sb;

#define SESSION_MS 2000

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Produces a message every 50 ms for 3 sessions with conf, then waits for
 * every report: all delivered, and at least 2 re-authentications. */
static void produce_across_sessions(kl_conf_t *conf, const char *topic)
{
    char errstr[256];
    ck_assert_int_eq(kl_conf_set(conf, "debug", "security", errstr, sizeof errstr), KL_ERR_NONE);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "%s", errstr);
    int sent = sec_produce_steadily(p, topic, 3 * SESSION_MS, 50);
    kl_producer_destroy(p);
    ck_assert_msg(sec_seen.delivered == sent, "delivered %d of %d; log:\n%s", sec_seen.delivered, sent,
                  sec_seen.log);
    int reauths = count_of(sec_seen.log, "re-authenticated as");
    ck_assert_msg(reauths >= 2, "%d re-authentications; log:\n%s", reauths, sec_seen.log);
    ck_assert_msg(!strstr(sec_seen.log, "re-authentication failed"), "log:\n%s", sec_seen.log);
}

START_TEST(test_producer_reauthenticates)
{
    tls_certs_make(&certs);
    char ms[16];
    snprintf(ms, sizeof ms, "%d", SESSION_MS);
    sec_broker_start(&sb, &certs, "connections.max.reauth.ms", ms, "listener.name.sasl_ssl.sasl.enabled.mechanisms",
                     "OAUTHBEARER", NULL);
    produce_across_sessions(sec_conf("127.0.0.1", sb.sasl_plaintext, "sasl_plaintext", "sasl.mechanisms",
                                     "SCRAM-SHA-512", "sasl.username", SEC_USER, "sasl.password", SEC_PASSWORD,
                                     NULL),
                            "reauth-scram");
    produce_across_sessions(sec_conf("localhost", sb.sasl_ssl, "sasl_ssl", "sasl.mechanisms", "OAUTHBEARER",
                                     "sasl.oauthbearer.config", "principal=carol", "ssl.ca.location", certs.ca,
                                     NULL),
                            "reauth-oauth");
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sasl_reauth");
    TCase *tc = tcase_create("reauth");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_producer_reauthenticates);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
