/* Unit tests for lib/client/backoff: the one retry back-off of every client
 * handle (producer, consumer group, admin client) -- retry.backoff.ms for
 * the first retry, doubled per failure, capped at retry.backoff.max.ms,
 * jitter of at most a fifth -- and lib/client/coordinator's retry rule for
 * coordinator lookups (group and transaction), the same for every handle. */
#include <check.h>
#include <stdint.h>

#include "client/backoff.h"
#include "client/coordinator.h"
#include "util/conf.h"

static kl_backoff_t backoff_of(const char *base, const char *max)
{
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_nonnull(conf);
    if (base)
        ck_assert_int_eq(kl_conf_set(conf, "retry.backoff.ms", base, NULL, 0), KL_ERR_NONE);
    if (max)
        ck_assert_int_eq(kl_conf_set(conf, "retry.backoff.max.ms", max, NULL, 0), KL_ERR_NONE);
    kl_backoff_t b;
    kl_backoff_init(&b, conf);
    kl_conf_destroy(conf);
    return b;
}

START_TEST(doubles_up_to_the_cap)
{
    kl_backoff_t b = backoff_of("100", "1000");
    ck_assert_int_eq(kl_backoff_ms(&b, 0), 100);
    ck_assert_int_eq(kl_backoff_ms(&b, 1), 100);
    ck_assert_int_eq(kl_backoff_ms(&b, 2), 200);
    ck_assert_int_eq(kl_backoff_ms(&b, 3), 400);
    ck_assert_int_eq(kl_backoff_ms(&b, 4), 800);
    ck_assert_int_eq(kl_backoff_ms(&b, 5), 1000);
    ck_assert_int_eq(kl_backoff_ms(&b, 1000000), 1000); /* no overflow however long it fails */
}
END_TEST

START_TEST(defaults)
{
    kl_backoff_t b = backoff_of(NULL, NULL);
    ck_assert_int_eq(b.base_ms, 100);
    ck_assert_int_eq(b.max_ms, 1000);
}
END_TEST

START_TEST(cap_below_base_is_the_base)
{
    kl_backoff_t b = backoff_of("500", "200");
    ck_assert_int_eq(b.max_ms, 500);
    ck_assert_int_eq(kl_backoff_ms(&b, 1), 500);
    ck_assert_int_eq(kl_backoff_ms(&b, 7), 500);
}
END_TEST

START_TEST(jitter_adds_at_most_a_fifth)
{
    kl_backoff_t b = backoff_of("100", "1000");
    ck_assert_int_eq(kl_backoff_jittered_ms(&b, 2, 0), 200);
    ck_assert_int_eq(kl_backoff_jittered_ms(&b, 2, 40), 240);
    ck_assert_int_eq(kl_backoff_jittered_ms(&b, 2, 41), 200); /* 41 % 41 */
    int64_t lo = INT64_MAX, hi = 0;
    for (uint32_t r = 0; r < 1000; r++) {
        int64_t ms = kl_backoff_jittered_ms(&b, 9, r);
        lo = ms < lo ? ms : lo;
        hi = ms > hi ? ms : hi;
    }
    ck_assert_int_eq(lo, 1000);
    ck_assert_int_eq(hi, 1200);
}
END_TEST

START_TEST(coordinator_lookup_retry_rule)
{
    /* lost, timed out, not there yet, moving, loading, unusable: again */
    const kl_err_t again[] = {KL_ERR_TRANSPORT,         KL_ERR_TIMED_OUT,
                              KL_ERR_NETWORK_EXCEPTION, KL_ERR_REQUEST_TIMED_OUT,
                              KL_ERR_COORDINATOR_NOT_AVAILABLE, KL_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                              KL_ERR_NOT_COORDINATOR,   KL_ERR_BAD_MSG};
    for (size_t i = 0; i < sizeof again / sizeof again[0]; i++)
        ck_assert_msg(kl_coord_retriable(again[i]), "%s not retried", kl_err_name(again[i]));
    /* refused for good: the owner hears it */
    const kl_err_t fail[] = {KL_ERR_GROUP_AUTHORIZATION_FAILED, KL_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                             KL_ERR_INVALID_REQUEST, KL_ERR_UNSUPPORTED_API_VERSION, KL_ERR_DESTROY};
    for (size_t i = 0; i < sizeof fail / sizeof fail[0]; i++)
        ck_assert_msg(!kl_coord_retriable(fail[i]), "%s retried", kl_err_name(fail[i]));
    /* a coordinator request's errors that mean "look it up again" */
    ck_assert(kl_coord_moved(KL_ERR_NOT_COORDINATOR));
    ck_assert(kl_coord_moved(KL_ERR_COORDINATOR_NOT_AVAILABLE));
    ck_assert(kl_coord_moved(KL_ERR_TRANSPORT));
    ck_assert(!kl_coord_moved(KL_ERR_COORDINATOR_LOAD_IN_PROGRESS)); /* the same one, loading */
    ck_assert(!kl_coord_moved(KL_ERR_UNKNOWN_MEMBER_ID));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("backoff");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, doubles_up_to_the_cap);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, cap_below_base_is_the_base);
    tcase_add_test(tc, jitter_adds_at_most_a_fifth);
    tcase_add_test(tc, coordinator_lookup_retry_rule);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
