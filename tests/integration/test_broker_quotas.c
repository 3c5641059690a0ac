/* DescribeClientQuotas on the embedded broker, v0 and v1: ApiVersions
 * lists 48 (0-1) and not AlterClientQuotas (49); the filters
 * kafka-configs sends (every named user, one user, the default user) get
 * an empty entry list, since kafkalite sets no quota; each malformed filter
 * gets Kafka's error code and message with a null entry list. Driven by
 * the blocking wire client. */
#include <check.h>
#include <stdlib.h>

#include "broker_wire.h"
#include "proto/api.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_client_quotas.h"

#define API_ALTER_CLIENT_QUOTAS 49

static broker_fixture_t f;
static wire_client_t wc;

static void setup(void)
{
    fixture_start(&f, NULL);
    connect_to(&wc, &f);
}

static void teardown(void)
{
    wire_close(&wc);
    fixture_stop(&f);
}

START_TEST(test_advertised)
{
    kl_api_versions_request_t req = {0};
    kl_api_versions_response_t resp;
    exchange_t x;
    call(&wc, KL_API_API_VERSIONS, 2, &req, &resp, &x);
    bool describe = false, alter = false;
    for (int32_t i = 0; i < resp.api_keys.count; i++) {
        const kl_api_versions_response_api_version_t *k = &resp.api_keys.items[i];
        if (k->api_key == KL_API_DESCRIBE_CLIENT_QUOTAS) {
            describe = true;
            ck_assert_int_eq(k->min_version, 0);
            ck_assert_int_eq(k->max_version, 1);
        }
        alter |= k->api_key == API_ALTER_CLIENT_QUOTAS;
    }
    ck_assert_msg(describe, "DescribeClientQuotas not in ApiVersions");
    ck_assert_msg(!alter, "AlterClientQuotas advertised but not served");
    done(&x);
}
END_TEST

/* One filter component: type, match type, match (NULL: null). */
#define COMPONENT(type, mt, m) {kl_str(type), (mt), kl_str(m)}
#define UNUSED COMPONENT(NULL, 0, NULL)

/* Sends the n components c at version; the answer's error code, the
 * answer in *resp (valid until done(x)). */
static int16_t describe(int16_t version, const kl_quota_filter_component_t *c, int32_t n, bool strict,
                        kl_describe_client_quotas_response_t *resp, exchange_t *x)
{
    kl_describe_client_quotas_request_t req = {0};
    req.components.items = (kl_quota_filter_component_t *)c;
    req.components.count = n;
    req.strict = strict;
    call(&wc, KL_API_DESCRIBE_CLIENT_QUOTAS, version, &req, resp, x);
    return resp->error_code;
}

START_TEST(test_no_quota_matches)
{
    const kl_quota_filter_component_t any_user[] = {COMPONENT("user", KL_QUOTA_MATCH_SPECIFIED, NULL)};
    const kl_quota_filter_component_t alice[] = {COMPONENT("user", KL_QUOTA_MATCH_EXACT, "alice")};
    const kl_quota_filter_component_t user_default[] = {COMPONENT("user", KL_QUOTA_MATCH_DEFAULT, NULL),
                                                        COMPONENT("client-id", KL_QUOTA_MATCH_SPECIFIED, NULL)};
    const kl_quota_filter_component_t ip[] = {COMPONENT("ip", KL_QUOTA_MATCH_EXACT, "127.0.0.1")};
    struct {
        const kl_quota_filter_component_t *c;
        int32_t n;
        bool strict;
    } filters[] = {{any_user, 1, true}, {alice, 1, true}, {user_default, 2, false}, {ip, 1, true}, {NULL, 0, false}};
    for (int16_t v = 0; v <= 1; v++)
        for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
            kl_describe_client_quotas_response_t resp;
            exchange_t x;
            ck_assert_int_eq(describe(v, filters[i].c, filters[i].n, filters[i].strict, &resp, &x), 0);
            ck_assert_int_eq(resp.error_message.len, -1);
            ck_assert_msg(resp.entries.count == 0, "v%d filter %zu: %d entries", v, i, resp.entries.count);
            done(&x);
        }
}
END_TEST

START_TEST(test_bad_filters)
{
    const struct {
        int32_t n;
        kl_quota_filter_component_t c[2];
        int16_t err;
        const char *msg;
    } cases[] = {
        {1, {COMPONENT("", KL_QUOTA_MATCH_SPECIFIED, NULL), UNUSED}, KL_ERR_INVALID_REQUEST,
         "Invalid empty entity type."},
        {2, {COMPONENT("user", KL_QUOTA_MATCH_SPECIFIED, NULL), COMPONENT("user", KL_QUOTA_MATCH_EXACT, "a")},
         KL_ERR_INVALID_REQUEST, "Entity type user cannot appear more than once in the filter."},
        {1, {COMPONENT("topic", KL_QUOTA_MATCH_SPECIFIED, NULL), UNUSED}, KL_ERR_UNSUPPORTED_VERSION,
         "Unsupported entity type topic"},
        {1, {COMPONENT("user", KL_QUOTA_MATCH_EXACT, NULL), UNUSED}, KL_ERR_INVALID_REQUEST,
         "Request specified MATCH_TYPE_EXACT, but set match string to null."},
        {1, {COMPONENT("user", KL_QUOTA_MATCH_DEFAULT, "a"), UNUSED}, KL_ERR_INVALID_REQUEST,
         "Request specified MATCH_TYPE_DEFAULT, but also specified a match string."},
        {1, {COMPONENT("user", KL_QUOTA_MATCH_SPECIFIED, "a"), UNUSED}, KL_ERR_INVALID_REQUEST,
         "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string."},
        {1, {COMPONENT("user", 7, NULL), UNUSED}, KL_ERR_INVALID_REQUEST, "Unknown match type 7"},
        {2, {COMPONENT("ip", KL_QUOTA_MATCH_SPECIFIED, NULL), COMPONENT("client-id", KL_QUOTA_MATCH_SPECIFIED, NULL)},
         KL_ERR_INVALID_REQUEST, "Invalid entity filter component combination. IP filter component should not be "
                                 "used with user or clientId filter component."},
    };
    for (int16_t v = 0; v <= 1; v++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            kl_describe_client_quotas_response_t resp;
            exchange_t x;
            ck_assert_int_eq(describe(v, cases[i].c, cases[i].n, false, &resp, &x), cases[i].err);
            ck_assert_msg(kl_str_eq(resp.error_message, cases[i].msg), "v%d case %zu: message \"%.*s\"", v, i,
                          (int)resp.error_message.len, resp.error_message.ptr);
            ck_assert_int_eq(resp.entries.count, -1);
            done(&x);
        }
    ck_assert(wire_ping(&wc)); /* refused filters leave the connection up */
}
END_TEST

static Suite *quotas_suite(void)
{
    Suite *s = suite_create("broker_quotas");
    TCase *tc = tcase_create("describe_client_quotas");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_advertised);
    tcase_add_test(tc, test_no_quota_matches);
    tcase_add_test(tc, test_bad_filters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(quotas_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
