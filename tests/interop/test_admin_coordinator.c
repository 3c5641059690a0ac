/* The admin client's group coordinator lookup against librdkafka's mock
 * cluster, which can answer FindCoordinator with errors on demand: the one
 * retry rule of client/coordinator.h asks again after a lost or timed-out
 * lookup and a coordinator not available yet (the admin client used to
 * fail the operation on the first two), and fails the operation at once
 * with an error the rule does not retry -- for that operation only. */
#include <check.h>
#include <stdlib.h>

#include "mock_util.h"
#include "proto/api.h"

#define GROUP "admin-coord-group"
#define TOPIC "admin-coord-topic"
#define TIMEOUT_MS 30000

static mock_cluster_t m;

static kl_admin_t *admin_new(void)
{
    kl_conf_t *conf = kl_conf_new();
    mock_kl_set(conf, "bootstrap.servers", m.bootstraps);
    mock_kl_set(conf, "retry.backoff.ms", "10");
    mock_kl_set(conf, "retry.backoff.max.ms", "50");
    char errstr[256];
    kl_admin_t *a = kl_admin_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(a != NULL, "kl_admin_new: %s", errstr);
    return a;
}

/* The group's committed offset of TOPIC [0] (none: KL_OFFSET_INVALID). */
static kl_err_t list_offsets(kl_admin_t *a, int64_t *offsetp)
{
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(parts, TOPIC, 0);
    kl_topic_partition_list_t *out = NULL;
    kl_err_t err = kl_admin_list_group_offsets(a, GROUP, parts, TIMEOUT_MS, &out);
    if (!err) {
        ck_assert_uint_eq(out->count, 1);
        ck_assert_int_eq(out->elems[0].err, KL_ERR_NONE);
        *offsetp = out->elems[0].offset;
    }
    kl_topic_partition_list_destroy(out);
    kl_topic_partition_list_destroy(parts);
    return err;
}

START_TEST(test_lookup_retried_after_transient_errors)
{
    mock_cluster_start(&m, 1);
    mock_topic_create(&m, TOPIC, 1);
    kl_admin_t *a = admin_new();
    rd_kafka_mock_push_request_errors(m.mc, KL_API_FIND_COORDINATOR, 3, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                      RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
                                      RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
    int64_t offset = 0;
    ck_assert_int_eq(list_offsets(a, &offset), KL_ERR_NONE);
    ck_assert_int_eq(offset, KL_OFFSET_INVALID);
    kl_admin_destroy(a);
    mock_cluster_stop(&m);
}
END_TEST

START_TEST(test_lookup_error_not_retried_fails_one_operation)
{
    mock_cluster_start(&m, 1);
    mock_topic_create(&m, TOPIC, 1);
    kl_admin_t *a = admin_new();
    rd_kafka_mock_push_request_errors(m.mc, KL_API_FIND_COORDINATOR, 1,
                                      RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
    int64_t offset = 0;
    ck_assert_int_eq(list_offsets(a, &offset), KL_ERR_GROUP_AUTHORIZATION_FAILED);
    /* the next operation looks up again */
    ck_assert_int_eq(list_offsets(a, &offset), KL_ERR_NONE);
    ck_assert_int_eq(offset, KL_OFFSET_INVALID);
    kl_admin_destroy(a);
    mock_cluster_stop(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("admin_coordinator");
    TCase *tc = tcase_create("mock");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_lookup_retried_after_transient_errors);
    tcase_add_test(tc, test_lookup_error_not_retried_fails_one_operation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
