/* Unit tests for lib/client/oauthbearer: the RFC 7628 client message around
 * an unsecured JWT -- its framing, the header {"alg":"none"}, the claims
 * (sub, iat, exp = iat + lifeSeconds, scope as a list), extensions -- and
 * the configurations refused with their reason. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "client/oauthbearer.h"

/* Decodes base64url without padding into out (NUL-terminated). */
static void unbase64url(const char *in, size_t len, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned v = 0, bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(abc, in[i]);
        ck_assert_msg(p && in[i], "not base64url: %c", in[i]);
        v = (v << 6) | (unsigned)(p - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((v >> bits) & 0xff);
        }
    }
    out[n] = '\0';
}

START_TEST(test_message_and_token)
{
    size_t len = 0;
    char *msg = kl_oauthbearer_client_first("principal=alice scope=read,write lifeSeconds=60 extension_trace=7",
                                            1700000000123, &len);
    ck_assert_ptr_nonnull(msg);
    const char *prefix = "n,,\001auth=Bearer ";
    ck_assert_int_eq(strncmp(msg, prefix, strlen(prefix)), 0);
    const char *suffix = "\001trace=7\001\001";
    ck_assert_int_gt(len, strlen(suffix));
    ck_assert_int_eq(memcmp(msg + len - strlen(suffix), suffix, strlen(suffix)), 0);
    /* the token: header "." claims "." (no signature) */
    const char *token = msg + strlen(prefix);
    const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    ck_assert_ptr_nonnull(dot2);
    ck_assert_int_eq(dot2[1], '\001');
    char header[128], claims[512];
    unbase64url(token, (size_t)(dot1 - token), header);
    unbase64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), claims);
    ck_assert_str_eq(header, "{\"alg\":\"none\"}");
    ck_assert_str_eq(claims, "{\"sub\":\"alice\",\"iat\":1700000000,\"exp\":1700000060,\"scope\":[\"read\",\"write\"]}");
    free(msg);
}
END_TEST

START_TEST(test_default_life_is_an_hour)
{
    size_t len = 0;
    char *msg = kl_oauthbearer_client_first("principal=bob", 1000, &len);
    ck_assert_ptr_nonnull(msg);
    const char *dot1 = strchr(msg, '.'), *dot2 = strchr(dot1 + 1, '.');
    char claims[256];
    unbase64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), claims);
    ck_assert_str_eq(claims, "{\"sub\":\"bob\",\"iat\":1,\"exp\":3601}");
    free(msg);
}
END_TEST

static void expect_refused(const char *config, const char *reason)
{
    char why[200] = "";
    ck_assert(!kl_oauthbearer_check_config(config, why, sizeof why));
    ck_assert_msg(strstr(why, reason), "\"%s\": \"%s\" lacks \"%s\"", config, why, reason);
    size_t len;
    ck_assert_ptr_null(kl_oauthbearer_client_first(config, 0, &len));
}

START_TEST(test_bad_configs_refused)
{
    expect_refused("", "needs principal");
    expect_refused("scope=a", "needs principal");
    expect_refused("principal=a lifeSeconds=0", "lifeSeconds");
    expect_refused("principal=a lifeSeconds=x", "lifeSeconds");
    expect_refused("principal=a\"b", "principal");
    expect_refused("principal=a colour=red", "unknown setting \"colour\"");
    expect_refused("principal", "not name=value");
    char why[200];
    ck_assert(kl_oauthbearer_check_config("  principal=a   scope=x ", why, sizeof why));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oauthbearer");
    TCase *tc = tcase_create("oauthbearer");
    tcase_add_test(tc, test_message_and_token);
    tcase_add_test(tc, test_default_life_is_an_hour);
    tcase_add_test(tc, test_bad_configs_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
