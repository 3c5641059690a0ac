/* The broker's OAUTHBEARER unsecured validation and the sasl.jaas.config
 * reader it takes its options from: tokens made here with chosen claims
 * and times, judged at a chosen now. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/jaas.h"
#include "broker/oauthbearer_validate.h"

#define NOW_MS INT64_C(1700000000000) /* the validation's wall clock */

static void b64url(const char *in, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = strlen(in), n = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        v |= i + 1 < len ? (unsigned char)in[i + 1] << 8 : 0;
        v |= i + 2 < len ? (unsigned char)in[i + 2] : 0;
        size_t chars = len - i >= 3 ? 4 : len - i + 1;
        for (size_t k = 0; k < chars; k++)
            out[n++] = abc[(v >> (18 - 6 * k)) & 63];
    }
    out[n] = '\0';
}

static char msg[4096];

/* The client message for header and claims JSON (gs2: the GS2 header). */
static const char *message(const char *gs2, const char *header, const char *claims)
{
    char h[512], c[2048];
    b64url(header, h);
    b64url(claims, c);
    snprintf(msg, sizeof msg, "%s\1auth=Bearer %s.%s.\1\1", gs2, h, c);
    return msg;
}

static broker_sasl_conf_t defaults(void)
{
    return (broker_sasl_conf_t){.principal_claim = "sub", .scope_claim = "scope"};
}

static bool validate(const broker_sasl_conf_t *sc, const char *m, oauth_result_t *res)
{
    return oauthbearer_validate(sc, m, strlen(m), NOW_MS, res);
}

#define ALG_NONE "{\"alg\":\"none\"}"

START_TEST(test_valid_token)
{
    broker_sasl_conf_t sc = defaults();
    oauth_result_t res;
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"carol\",\"iat\":1699999990,\"exp\":1700000100}"),
                           &res),
                  "%s", res.why);
    ck_assert_str_eq(res.principal, "carol");
    ck_assert_int_eq(res.expires_ms, INT64_C(1700000100000));
    /* no iat, exp with a fraction, escapes, other claims of any kind */
    ck_assert_msg(validate(&sc, message("n,a=c\"d,", "{ \"typ\" : \"JWT\", \"alg\" : \"none\" }",
                                        "{\"x\":{\"y\":[1,true,null]},\"sub\":\"c\\\"d\",\"exp\":1700000000.5}"),
                           &res),
                  "%s", res.why);
    ck_assert_str_eq(res.principal, "c\"d");
}
END_TEST

/* Refused with the invalid_token status; why holds want. */
static void assert_invalid(const broker_sasl_conf_t *sc, const char *m, const char *want)
{
    oauth_result_t res;
    ck_assert_msg(!validate(sc, m, &res), "accepted: %s", m);
    ck_assert_str_eq(res.status, "{\"status\":\"invalid_token\"}");
    ck_assert_msg(strstr(res.why, want), "\"%s\" lacks \"%s\"", res.why, want);
}

START_TEST(test_times)
{
    broker_sasl_conf_t sc = defaults();
    /* expired: exp is now, or before */
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1700000000}"), "expired");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"iat\":1,\"exp\":2}"), "expired");
    /* issued in the future, exp not after iat, no exp, exp not a number */
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"iat\":1700000050,\"exp\":1700000100}"),
                   "future");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":\"1700000100\"}"), "exp");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\"}"), "exp");
    /* the allowed clock skew forgives both */
    sc.clock_skew_ms = 60000;
    oauth_result_t res;
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"iat\":1700000050,\"exp\":1699999990}"),
                           &res) == false,
                  "exp before iat is refused whatever the skew");
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"iat\":1700000050,\"exp\":1700000100}"),
                           &res),
                  "%s", res.why);
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1699999990}"), &res), "%s",
                  res.why);
}
END_TEST

START_TEST(test_principal_and_scope)
{
    broker_sasl_conf_t sc = defaults();
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"exp\":1700000100}"), "principal");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"\",\"exp\":1700000100}"), "principal");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":7,\"exp\":1700000100}"), "principal");
    sc.principal_claim = "user";
    oauth_result_t res;
    ck_assert(validate(&sc, message("n,,", ALG_NONE, "{\"user\":\"u\",\"exp\":1700000100}"), &res));
    ck_assert_str_eq(res.principal, "u");
    sc = defaults();
    sc.required_scope = "read write";
    ck_assert(!validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1700000100,\"scope\":[\"read\"]}"),
                        &res));
    ck_assert_str_eq(res.status, "{\"status\":\"insufficient_scope\", \"scope\":\"read write\"}");
    ck_assert(!validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1700000100}"), &res));
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE,
                                        "{\"sub\":\"a\",\"exp\":1700000100,\"scope\":[\"write\",\"x\",\"read\"]}"),
                           &res),
                  "%s", res.why);
    ck_assert_msg(validate(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1700000100,\"scope\":\"read write\"}"),
                           &res),
                  "%s", res.why);
}
END_TEST

START_TEST(test_malformed)
{
    broker_sasl_conf_t sc = defaults();
    const char *claims = "{\"sub\":\"a\",\"exp\":1700000100}";
    assert_invalid(&sc, message("n,,", "{\"alg\":\"HS256\"}", claims), "alg none");
    assert_invalid(&sc, message("n,,", "{}", claims), "alg none");
    assert_invalid(&sc, message("n,,", ALG_NONE, "{\"sub\":\"a\",\"exp\":1700000100"), "JSON");
    assert_invalid(&sc, message("n,,", ALG_NONE, "[1]"), "JSON");
    oauth_result_t res;
    /* GS2 header and framing */
    static const char *const bad[] = {"", "n,,", "p=x,,\1auth=Bearer a.b.\1\1", "n,,auth=Bearer a.b.\1\1",
                                      "n,,\1auth=Bearer a.b.\1", "n,,\1\1", "n,,\1nokey\1\1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!oauthbearer_validate(&sc, bad[i], strlen(bad[i]), NOW_MS, &res), "accepted #%zu", i);
        ck_assert(res.malformed);
    }
    /* a signature, base64 that is not base64url */
    snprintf(msg, sizeof msg, "n,,\1auth=Bearer eyJhbGciOiJub25lIn0.e30.c2ln\1\1");
    assert_invalid(&sc, msg, "unsecured JWT");
    snprintf(msg, sizeof msg, "n,,\1auth=Bearer eyJhbGciOiJub25lIn0.e3+.\1\1");
    assert_invalid(&sc, msg, "base64url");
    /* an authorization id that is not the principal */
    ck_assert(!validate(&sc, message("n,a=bob,", ALG_NONE, claims), &res));
    ck_assert(res.malformed);
}
END_TEST

START_TEST(test_jaas_parse)
{
    broker_jaas_t j;
    char why[200];
    ck_assert(broker_jaas_parse("  org.x.Plain  required\n user_alice=\"a \\\"b\\\\\" user_bob = x ;  ", &j, why,
                                sizeof why));
    ck_assert_str_eq(j.module, "org.x.Plain");
    ck_assert_uint_eq(j.count, 2);
    ck_assert_str_eq(broker_jaas_get(&j, "user_alice"), "a \"b\\");
    ck_assert_str_eq(broker_jaas_get(&j, "user_bob"), "x");
    ck_assert_ptr_null(broker_jaas_get(&j, "user_carol"));
    broker_jaas_free(&j);
    ck_assert(broker_jaas_parse("M optional;", &j, why, sizeof why));
    ck_assert_uint_eq(j.count, 0);
    broker_jaas_free(&j);
    static const char *const bad[] = {"", ";", "M;", "M required", "M required a=;", "M required a;",
                                      "M required a=\"x;", "M required a=b; N required;", "M sometimes a=b;"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!broker_jaas_parse(bad[i], &j, why, sizeof why), "accepted \"%s\"", bad[i]);
        ck_assert_ptr_null(j.module);
        ck_assert(why[0]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oauthbearer_validate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valid_token);
    tcase_add_test(tc, test_times);
    tcase_add_test(tc, test_principal_and_scope);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_jaas_parse);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
