/* The admin client's client quotas and group configs against the embedded
 * broker, which enforces no quota and has no group configs: quotas are
 * described as none, a filter the broker refuses fails the call with its
 * error, AlterClientQuotas (not served) fails each alteration with Kafka's
 * UNSUPPORTED_VERSION, and a GROUP config resource is refused with
 * INVALID_REQUEST; malformed arguments are refused before any request. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "broker_fixture.h"

#define TIMEOUT_MS 15000

static broker_fixture_t fixture;
static kl_admin_t *admin;

static void setup(void)
{
    char errstr[256];
    fixture_start(&fixture, NULL);
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_nonnull(conf);
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fixture.bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    admin = kl_admin_new(conf, errstr, sizeof errstr);
    ck_assert_msg(admin != NULL, "kl_admin_new: %s", errstr);
    kl_conf_destroy(conf);
}

static void teardown(void)
{
    kl_admin_destroy(admin);
    fixture_stop(&fixture);
}

START_TEST(describe_quotas)
{
    kl_admin_quota_filter_t any = {"client-id", KL_ADMIN_QUOTA_MATCH_ANY, NULL};
    kl_admin_client_quotas_t *q = NULL;
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, &any, 1, 1, TIMEOUT_MS, &q), KL_ERR_NONE);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(q->count, 0);
    kl_admin_client_quotas_destroy(q);
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, NULL, 0, 0, TIMEOUT_MS, &q), KL_ERR_NONE);
    ck_assert_uint_eq(q->count, 0);
    kl_admin_client_quotas_destroy(q);
    /* the broker's own checks, as Kafka's: an unknown entity type */
    kl_admin_quota_filter_t odd = {"nope", KL_ADMIN_QUOTA_MATCH_DEFAULT, NULL};
    q = (kl_admin_client_quotas_t *)&q;
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, &odd, 1, 0, TIMEOUT_MS, &q), KL_ERR_UNSUPPORTED_VERSION);
    ck_assert_ptr_null(q);
}
END_TEST

START_TEST(alter_quotas_refused)
{
    kl_admin_quota_entity_t entity[] = {{"user", "alice"}, {"client-id", NULL}};
    kl_admin_quota_op_t ops[] = {{"producer_byte_rate", 1024, 0}, {"consumer_byte_rate", 0, 1}};
    kl_admin_quota_alteration_t alt = {entity, 2, ops, 2};
    kl_admin_results_t *r = NULL;
    ck_assert_int_eq(kl_admin_alter_client_quotas(admin, &alt, 1, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r->count, 1);
    ck_assert_str_eq(r->items[0].name, "user=alice,client-id=<default>");
    ck_assert_int_eq(r->items[0].err, KL_ERR_UNSUPPORTED_VERSION);
    ck_assert_ptr_nonnull(strstr(r->items[0].errstr, "The broker does not support ALTER_CLIENT_QUOTAS"));
    kl_admin_results_destroy(r);
    /* and nothing was stored */
    kl_admin_client_quotas_t *q = NULL;
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, NULL, 0, 0, TIMEOUT_MS, &q), KL_ERR_NONE);
    ck_assert_uint_eq(q->count, 0);
    kl_admin_client_quotas_destroy(q);
}
END_TEST

START_TEST(group_configs_refused)
{
    kl_admin_resource_t res = {KL_ADMIN_RESOURCE_GROUP, "g1"};
    kl_admin_configs_t *c = NULL;
    ck_assert_int_eq(kl_admin_describe_configs(admin, &res, 1, TIMEOUT_MS, &c), KL_ERR_NONE);
    ck_assert_int_eq(c->items[0].type, KL_ADMIN_RESOURCE_GROUP);
    ck_assert_int_eq(c->items[0].err, KL_ERR_INVALID_REQUEST);
    ck_assert_str_eq(c->items[0].errstr, "Unsupported resource type 32");
    kl_admin_configs_destroy(c);
    kl_admin_config_op_t op = {KL_ADMIN_CONFIG_SET, "consumer.session.timeout.ms", "50000"};
    kl_admin_alter_resource_t alt = {KL_ADMIN_RESOURCE_GROUP, "g1", &op, 1};
    kl_admin_results_t *r = NULL;
    ck_assert_int_eq(kl_admin_incremental_alter_configs(admin, &alt, 1, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_INVALID_REQUEST);
    kl_admin_results_destroy(r);
}
END_TEST

START_TEST(bad_arguments)
{
    kl_admin_client_quotas_t *q = NULL;
    kl_admin_quota_filter_t exact_unnamed = {"client-id", KL_ADMIN_QUOTA_MATCH_EXACT, NULL};
    kl_admin_quota_filter_t default_named = {"client-id", KL_ADMIN_QUOTA_MATCH_DEFAULT, "c1"};
    kl_admin_quota_filter_t untyped = {"", KL_ADMIN_QUOTA_MATCH_ANY, NULL};
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, &exact_unnamed, 1, 0, TIMEOUT_MS, &q), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, &default_named, 1, 0, TIMEOUT_MS, &q), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, &untyped, 1, 0, TIMEOUT_MS, &q), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_describe_client_quotas(admin, NULL, 1, 0, TIMEOUT_MS, &q), KL_ERR_INVALID_ARG);
    kl_admin_results_t *r = NULL;
    kl_admin_quota_entity_t entity = {"client-id", "c1"};
    kl_admin_quota_op_t keyless = {NULL, 1, 0};
    kl_admin_quota_alteration_t no_entity = {NULL, 0, &keyless, 0}, no_key = {&entity, 1, &keyless, 1};
    ck_assert_int_eq(kl_admin_alter_client_quotas(admin, &no_entity, 1, 0, TIMEOUT_MS, &r), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_alter_client_quotas(admin, &no_key, 1, 0, TIMEOUT_MS, &r), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_alter_client_quotas(admin, &no_key, 0, 0, TIMEOUT_MS, &r), KL_ERR_INVALID_ARG);
    kl_admin_resource_t unnamed_group = {KL_ADMIN_RESOURCE_GROUP, ""};
    kl_admin_configs_t *c = NULL;
    ck_assert_int_eq(kl_admin_describe_configs(admin, &unnamed_group, 1, TIMEOUT_MS, &c), KL_ERR_INVALID_ARG);
    kl_admin_client_quotas_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("admin_quotas");
    TCase *tc = tcase_create("quotas");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, describe_quotas);
    tcase_add_test(tc, alter_quotas_refused);
    tcase_add_test(tc, group_configs_refused);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
