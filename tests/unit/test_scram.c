/* Unit tests for lib/net/scram: the exchanges printed in RFC 5802 (SHA-1)
 * and RFC 7677 (SHA-256) reproduced byte for byte, SHA-512 agreeing with
 * itself, and the refusals: a server nonce that does not extend ours, too
 * few iterations, a server error, a wrong server signature. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "net/scram.h"
#include "test_skip.h"

static void run_rfc_exchange(kl_scram_hash_t hash, const char *nonce, const char *client_first,
                             const char *server_first, const char *client_final, const char *server_final)
{
    kl_scram_t *s = kl_scram_new(hash, "user", "pencil", nonce);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(kl_scram_client_first(s), client_first);
    char why[200] = "";
    const char *final = kl_scram_client_final(s, server_first, strlen(server_first), why, sizeof why);
    ck_assert_msg(final != NULL, "client-final refused: %s", why);
    ck_assert_str_eq(final, client_final);
    ck_assert_msg(kl_scram_server_final(s, server_final, strlen(server_final), why, sizeof why), "%s", why);
    kl_scram_free(s);
}

START_TEST(test_rfc5802_sha1_vector)
{
    run_rfc_exchange(KL_SCRAM_SHA1, "fyko+d2lbbFgONRv9qkxdawL", "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
                     "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                     "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
                     "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
}
END_TEST

START_TEST(test_rfc7677_sha256_vector)
{
    run_rfc_exchange(
        KL_SCRAM_SHA256, "rOprNGfwEbeRWgbNEkqO", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}
END_TEST

START_TEST(test_user_name_is_escaped_and_nonce_random)
{
    kl_scram_t *a = kl_scram_new(KL_SCRAM_SHA512, "a,b=c", "pw", NULL);
    kl_scram_t *b = kl_scram_new(KL_SCRAM_SHA512, "a,b=c", "pw", NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    const char *prefix = "n,,n=a=2Cb=3Dc,r=";
    ck_assert_msg(strncmp(kl_scram_client_first(a), prefix, strlen(prefix)) == 0, "%s", kl_scram_client_first(a));
    ck_assert_str_ne(kl_scram_client_first(a), kl_scram_client_first(b));
    kl_scram_free(a);
    kl_scram_free(b);
}
END_TEST

/* The refusals, each with its reason. */
static void expect_final_refused(const char *server_first, const char *reason)
{
    kl_scram_t *s = kl_scram_new(KL_SCRAM_SHA256, "user", "pencil", "abc");
    char why[200] = "";
    ck_assert_ptr_null(kl_scram_client_final(s, server_first, strlen(server_first), why, sizeof why));
    ck_assert_msg(strstr(why, reason), "\"%s\" does not say \"%s\"", why, reason);
    kl_scram_free(s);
}

START_TEST(test_bad_server_first_refused)
{
    expect_final_refused("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096", "nonce does not extend ours");
    expect_final_refused("r=abc,s=QSXCR+Q6sek8bf92,i=4096", "nonce does not extend ours");
    expect_final_refused("r=abcdef,s=QSXCR+Q6sek8bf92,i=1", "iteration count");
    expect_final_refused("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096x", "iteration count");
    expect_final_refused("r=abcdef,i=4096", "lacks");
    expect_final_refused("r=abcdef,s=***,i=4096", "not base64");
    expect_final_refused("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", "extension");
}
END_TEST

START_TEST(test_bad_server_final_refused)
{
    kl_scram_t *s = kl_scram_new(KL_SCRAM_SHA256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    const char *first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    char why[200] = "";
    ck_assert_ptr_nonnull(kl_scram_client_final(s, first, strlen(first), why, sizeof why));
    const char *forged = "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    ck_assert(!kl_scram_server_final(s, forged, strlen(forged), why, sizeof why));
    ck_assert_msg(strstr(why, "signature is wrong"), "%s", why);
    const char *err = "e=invalid-proof";
    ck_assert(!kl_scram_server_final(s, err, strlen(err), why, sizeof why));
    ck_assert_msg(strstr(why, "invalid-proof"), "%s", why);
    kl_scram_free(s);
}
END_TEST

int main(void)
{
#ifndef WITH_SSL
    kl_test_skip_all("SCRAM needs OpenSSL (configure found no libssl-dev)");
#endif
    Suite *s = suite_create("scram");
    TCase *tc = tcase_create("scram");
    tcase_add_test(tc, test_rfc5802_sha1_vector);
    tcase_add_test(tc, test_rfc7677_sha256_vector);
    tcase_add_test(tc, test_user_name_is_escaped_and_nonce_random);
    tcase_add_test(tc, test_bad_server_first_refused);
    tcase_add_test(tc, test_bad_server_final_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    return kl_test_result(sr);
}
