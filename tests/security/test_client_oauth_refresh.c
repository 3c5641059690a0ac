/* Our client's OAUTHBEARER token refresh callback against our broker
 * (issue 17), as librdkafka has it: the callback runs from the
 * application's polls, first before any connection authenticates, then
 * once 80% of the token's lifetime has passed, never earlier; a producer
 * keeps delivering across refreshes; a failure reported with
 * kl_oauthbearer_set_token_failure() fails the waiting messages with the
 * application's reason; wrong arguments are refused. Through the broker:
 * an expired token is refused with the reason, and a token expiring
 * within connections.max.reauth.ms cuts the session (KIP-368). */
#include <check.h>
#include <kafkalite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/oauthbearer.h"
#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"

static tls_certs_t certs;
static sec_broker_t sb;

#define LIFE_MS 3000

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int calls;
static long long call_ms[64], set_ms[64];
static kl_err_t first_errs[6];

/* An unsecured JWT for carol, as our client builds it (lifeSeconds). */
static char *make_token(int life_seconds)
{
    char config[64];
    snprintf(config, sizeof config, "principal=carol lifeSeconds=%d", life_seconds);
    size_t len;
    char *msg = kl_oauthbearer_client_first(config, wall_ms(), &len);
    ck_assert_ptr_nonnull(msg);
    char *start = strstr(msg, "auth=Bearer ") + 12, *token = strndup(start, strcspn(start, "\1"));
    free(msg);
    return token;
}

static void refresh(void *handle, const char *config, void *opaque)
{
    (void)opaque;
    ck_assert_str_eq(config, "ignored=by-the-callback");
    if (calls < 64)
        call_ms[calls] = wall_ms();
    char *token = make_token(LIFE_MS / 1000);
    if (calls == 0) { /* wrong arguments first */
        const char *auth_ext[] = {"auth", "x"}, *odd_ext[] = {"traceId"};
        first_errs[0] = kl_oauthbearer_set_token(handle, "", wall_ms() + LIFE_MS, "carol", NULL, 0, NULL, 0);
        first_errs[1] = kl_oauthbearer_set_token(handle, token, wall_ms() - 1, "carol", NULL, 0, NULL, 0);
        first_errs[2] = kl_oauthbearer_set_token(handle, token, wall_ms() + LIFE_MS, "", NULL, 0, NULL, 0);
        first_errs[3] = kl_oauthbearer_set_token(handle, token, wall_ms() + LIFE_MS, "carol", auth_ext, 2, NULL, 0);
        first_errs[4] = kl_oauthbearer_set_token(handle, token, wall_ms() + LIFE_MS, "carol", odd_ext, 1, NULL, 0);
        first_errs[5] = kl_oauthbearer_set_token(&calls, token, wall_ms() + LIFE_MS, "carol", NULL, 0, NULL, 0);
    }
    const char *ext[] = {"traceId", "abc 1"};
    char errstr[256];
    if (calls < 64)
        set_ms[calls] = wall_ms();
    ck_assert_msg(kl_oauthbearer_set_token(handle, token, wall_ms() + LIFE_MS, "carol", ext, 2, errstr,
                                           sizeof errstr) == KL_ERR_NONE,
                  "%s", errstr);
    free(token);
    calls++;
}

static void start(void)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER", NULL);
}

static void stop(void)
{
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}

static kl_conf_t *oauth_conf(kl_oauthbearer_token_refresh_cb *cb)
{
    kl_conf_t *conf = sec_conf("127.0.0.1", sb.sasl_plaintext, "sasl_plaintext", "sasl.mechanisms", "OAUTHBEARER",
                               "sasl.oauthbearer.config", "ignored=by-the-callback", NULL);
    kl_conf_set_oauthbearer_token_refresh_cb(conf, cb);
    return conf;
}

/* A producer whose tokens come from refresh (calls counted from 0)
 * produces to topic every 100 ms for ms (debug=security): every message
 * must be delivered. */
static void produce_with_refresh(const char *topic, long long ms)
{
    calls = 0;
    char errstr[256];
    kl_conf_t *conf = oauth_conf(refresh);
    ck_assert_int_eq(kl_conf_set(conf, "debug", "security", errstr, sizeof errstr), KL_ERR_NONE);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "%s", errstr);
    int sent = sec_produce_steadily(p, topic, ms, 100);
    kl_producer_destroy(p);
    ck_assert_msg(sec_seen.delivered == sent, "delivered %d of %d; log:\n%s", sec_seen.delivered, sent,
                  sec_seen.log);
}

START_TEST(test_refresh_at_80_percent)
{
    start();
    /* one message every 100 ms for 3 lifetimes, polling between */
    produce_with_refresh("refresh", 3 * LIFE_MS);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(first_errs[i] == KL_ERR_INVALID_ARG, "wrong argument #%d: %s", i, kl_err_str(first_errs[i]));
    ck_assert_msg(calls >= 3, "%d refreshes in 3 lifetimes", calls);
    for (int i = 1; i < calls && i < 64; i++) /* never before 80% of the lifetime */
        ck_assert_msg(call_ms[i] - set_ms[i - 1] >= LIFE_MS * 8 / 10, "refresh %d after %lld ms", i,
                      call_ms[i] - set_ms[i - 1]);
    stop();
}
END_TEST

static void refuse(void *handle, const char *config, void *opaque)
{
    (void)config, (void)opaque;
    calls++;
    ck_assert_int_eq(kl_oauthbearer_set_token_failure(handle, "no identity provider"), KL_ERR_NONE);
}

START_TEST(test_refresh_failure_fails_the_messages)
{
    start();
    calls = 0;
    kl_conf_t *conf = oauth_conf(refuse);
    ck_assert_int_eq(kl_conf_set(conf, "message.timeout.ms", "120000", NULL, 0), KL_ERR_NONE);
    long long t0 = sec_now_ms();
    sec_produce(conf, "refused", 3, 10);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.last_err == KL_ERR_AUTHENTICATION, "failed %d (%s); log:\n%s",
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, "no identity provider"), "log:\n%s", sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - t0, 60000);
    ck_assert_int_ge(calls, 1);
    stop();
}
END_TEST

/* A token whose exp passed 10 s ago, though the application says it is
 * good for LIFE_MS more. */
static void hand_expired(void *handle, const char *config, void *opaque)
{
    (void)config, (void)opaque;
    calls++;
    long long now = wall_ms() / 1000;
    char *jwt = sec_unsecured_jwt("carol", now - 20, now - 10), errstr[256];
    ck_assert_msg(kl_oauthbearer_set_token(handle, jwt, wall_ms() + LIFE_MS, "carol", NULL, 0, errstr,
                                           sizeof errstr) == KL_ERR_NONE,
                  "%s", errstr);
    free(jwt);
}

/* The broker refuses it with SASL_AUTHENTICATION_FAILED, saying why: the
 * messages fail fast with the reason. */
START_TEST(test_expired_token_refused)
{
    start();
    calls = 0;
    sec_assert_auth_refused(oauth_conf(hand_expired), "{\"status\":\"invalid_token\"}: the token expired");
    ck_assert_msg(strstr(sec_seen.log, "SASL authentication failed"), "log:\n%s", sec_seen.log);
    stop();
}
END_TEST

/* KIP-368 with a token that expires long before connections.max.reauth.ms:
 * the broker cuts the session to the token's expiry, so the producer
 * re-authenticates (with the refreshed token) and delivers everything. */
START_TEST(test_session_cut_to_token_expiry)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER",
                     "connections.max.reauth.ms", "600000", NULL);
    produce_with_refresh("token-session", 2 * LIFE_MS);
    ck_assert_msg(strstr(sec_seen.log, "re-authenticated as"), "no re-authentication; log:\n%s", sec_seen.log);
    stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_oauth_refresh");
    TCase *tc = tcase_create("refresh");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_refresh_at_80_percent);
    tcase_add_test(tc, test_refresh_failure_fails_the_messages);
    tcase_add_test(tc, test_expired_token_refused);
    tcase_add_test(tc, test_session_cut_to_token_expiry);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
