/* Unit tests of the latency percentiles `kafkalite perf` prints
 * (tools/latency.c): nearest rank on known samples, in any order. */
#include <check.h>
#include <stdlib.h>

#include "../../tools/latency.h"

START_TEST(nearest_rank_of_one_to_hundred)
{
    latency_t lat;
    ck_assert_int_eq(latency_init(&lat, 100), 0);
    for (int64_t v = 100; v >= 1; v--) /* added in reverse: sorting is the module's job */
        latency_add(&lat, v);
    ck_assert_int_eq(latency_percentile(&lat, 50), 50);
    ck_assert_int_eq(latency_percentile(&lat, 95), 95);
    ck_assert_int_eq(latency_percentile(&lat, 99), 99);
    ck_assert_int_eq(latency_percentile(&lat, 100), 100);
    ck_assert_int_eq(latency_percentile(&lat, 0.5), 1);
    latency_free(&lat);
}
END_TEST

START_TEST(few_samples_round_up)
{
    latency_t lat;
    ck_assert_int_eq(latency_init(&lat, 3), 0);
    ck_assert_int_eq(latency_percentile(&lat, 50), 0); /* none yet */
    latency_add(&lat, 30);
    latency_add(&lat, 10);
    latency_add(&lat, 20);
    latency_add(&lat, 99); /* beyond cap: dropped */
    ck_assert_uint_eq(lat.count, 3);
    ck_assert_int_eq(latency_percentile(&lat, 50), 20); /* rank ceil(1.5) = 2 */
    ck_assert_int_eq(latency_percentile(&lat, 34), 20); /* rank ceil(1.02) = 2 */
    ck_assert_int_eq(latency_percentile(&lat, 33), 10);
    ck_assert_int_eq(latency_percentile(&lat, 99), 30);
    latency_add(&lat, 5); /* still full: the sorted samples stay as they are */
    ck_assert_int_eq(latency_percentile(&lat, 100), 30);
    latency_free(&lat);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, nearest_rank_of_one_to_hundred);
    tcase_add_test(tc, few_samples_round_up);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
