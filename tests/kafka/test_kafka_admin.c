/* Our admin client (lib/admin) against Apache Kafka: topics with
 * replication factor 3 (validate-only, create, describe, errors Kafka gives
 * for a duplicate and for too many replicas), added partitions,
 * incremental config changes, deleted records with the offsets that
 * follow, the cluster's description, and groups (list, describe, offsets
 * read and reset, delete). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_fixture.h"
#include "test_skip.h"

static kl_admin_t *admin(void)
{
    char err[256];
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    return a;
}

static kl_err_t create(kl_admin_t *a, const char *topic, int partitions, int rf, int validate_only)
{
    kl_admin_new_topic_t nt = {topic, partitions, (int16_t)rf, NULL};
    kl_admin_results_t *res = NULL;
    ck_assert_int_eq(kl_admin_create_topics(a, &nt, 1, validate_only, 30000, &res), KL_ERR_NONE);
    ck_assert_uint_eq(res->count, 1);
    kl_err_t err = res->items[0].err;
    kl_admin_results_destroy(res);
    return err;
}

static kl_admin_topics_t *describe(kl_admin_t *a, const char *topic)
{
    kl_admin_topics_t *t = NULL;
    ck_assert_int_eq(kl_admin_describe_topics(a, &topic, 1, 10000, &t), KL_ERR_NONE);
    ck_assert_uint_eq(t->count, 1);
    return t;
}

START_TEST(test_topics)
{
    char topic[64];
    kf_name(topic, sizeof topic, "adm");
    kl_admin_t *a = admin();
    ck_assert_int_eq(create(a, topic, 3, 3, 1), KL_ERR_NONE);
    kl_admin_topics_t *t = describe(a, topic);
    ck_assert_int_eq(t->items[0].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION); /* validate-only made nothing */
    kl_admin_topics_destroy(t);
    ck_assert_int_eq(create(a, topic, 3, 4, 0), KL_ERR_INVALID_REPLICATION_FACTOR);
    kf_create_topic(topic, 3, 3, NULL);
    ck_assert_int_eq(create(a, topic, 3, 3, 0), KL_ERR_TOPIC_ALREADY_EXISTS);
    t = describe(a, topic);
    ck_assert_int_eq(t->items[0].err, KL_ERR_NONE);
    ck_assert_ptr_nonnull(t->cluster_id);
    ck_assert_int_ge(t->controller_id, 1);
    ck_assert_uint_eq(t->items[0].partition_count, 3);
    ck_assert_str_ne(t->items[0].topic_id, "");
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(t->items[0].partitions[i].replica_count, 3);
        ck_assert_uint_eq(t->items[0].partitions[i].isr_count, 3);
    }
    kl_admin_topics_destroy(t);
    /* more partitions */
    kl_admin_results_t *res = NULL;
    ck_assert_int_eq(kl_admin_create_partitions(a, topic, 5, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    for (size_t n = 0; n != 5;) {
        ck_assert_msg(kf_now_ms() < deadline, "%zu partitions", n);
        t = describe(a, topic);
        n = t->items[0].partition_count;
        kl_admin_topics_destroy(t);
    }
    ck_assert_int_eq(kl_admin_create_partitions(a, topic, 4, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_INVALID_PARTITIONS);
    kl_admin_results_destroy(res);
    /* delete */
    const char *names[] = {topic};
    ck_assert_int_eq(kl_admin_delete_topics(a, names, 1, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    deadline = kf_now_ms() + KF_DEADLINE_MS;
    for (kl_err_t e = KL_ERR_NONE; e != KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;) {
        ck_assert_msg(kf_now_ms() < deadline, "the topic outlived its deletion");
        t = describe(a, topic);
        e = t->items[0].err;
        kl_admin_topics_destroy(t);
    }
    kl_admin_destroy(a);
}
END_TEST

static const kl_admin_config_entry_t *config(const kl_admin_configs_t *c, const char *name)
{
    for (size_t i = 0; i < c->items[0].entry_count; i++)
        if (strcmp(c->items[0].entries[i].name, name) == 0)
            return &c->items[0].entries[i];
    return NULL;
}

/* Describes the resource until config name has value (NULL: until it is
 * no longer set on the topic itself), within the deadline. */
static kl_admin_configs_t *describe_until(kl_admin_t *a, const kl_admin_resource_t *which, const char *name,
                                          const char *value)
{
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    for (;;) {
        kl_admin_configs_t *c = NULL;
        ck_assert_int_eq(kl_admin_describe_configs(a, which, 1, 10000, &c), KL_ERR_NONE);
        ck_assert_int_eq(c->items[0].err, KL_ERR_NONE);
        const kl_admin_config_entry_t *e = config(c, name);
        ck_assert_ptr_nonnull(e);
        if (value ? e->value && strcmp(e->value, value) == 0 : e->source != KL_ADMIN_SOURCE_DYNAMIC_TOPIC)
            return c;
        ck_assert_msg(kf_now_ms() < deadline, "%s is %s", name, e->value ? e->value : "(null)");
        kl_admin_configs_destroy(c);
        usleep(100 * 1000); /* between DescribeConfigs */
    }
}

START_TEST(test_configs)
{
    char topic[64];
    kf_name(topic, sizeof topic, "cfg");
    kf_create_topic(topic, 1, 3, NULL);
    kl_admin_t *a = admin();
    kl_admin_config_op_t ops[] = {{KL_ADMIN_CONFIG_SET, "retention.ms", "7200000"},
                                  {KL_ADMIN_CONFIG_SET, "cleanup.policy", "compact"},
                                  {KL_ADMIN_CONFIG_APPEND, "cleanup.policy", "delete"}};
    kl_admin_alter_resource_t r = {KL_ADMIN_RESOURCE_TOPIC, topic, ops, 2};
    kl_admin_results_t *res = NULL;
    ck_assert_int_eq(kl_admin_incremental_alter_configs(a, &r, 1, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    r.ops = &ops[2];
    r.op_count = 1;
    ck_assert_int_eq(kl_admin_incremental_alter_configs(a, &r, 1, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    kl_admin_resource_t which = {KL_ADMIN_RESOURCE_TOPIC, topic};
    /* The brokers learn a change from the metadata log a moment later. */
    kl_admin_configs_t *c = describe_until(a, &which, "cleanup.policy", "compact,delete");
    const kl_admin_config_entry_t *e = config(c, "retention.ms");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->value, "7200000");
    ck_assert_int_eq(e->source, KL_ADMIN_SOURCE_DYNAMIC_TOPIC);
    e = config(c, "segment.bytes");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->source, KL_ADMIN_SOURCE_DEFAULT);
    kl_admin_configs_destroy(c);
    kl_admin_config_op_t del = {KL_ADMIN_CONFIG_DELETE, "retention.ms", NULL};
    r.ops = &del;
    ck_assert_int_eq(kl_admin_incremental_alter_configs(a, &r, 1, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    c = describe_until(a, &which, "retention.ms", NULL);
    kl_admin_configs_destroy(c);
    /* a broker's configs */
    kl_admin_resource_t broker = {KL_ADMIN_RESOURCE_BROKER, "2"};
    ck_assert_int_eq(kl_admin_describe_configs(a, &broker, 1, 10000, &c), KL_ERR_NONE);
    ck_assert_int_eq(c->items[0].err, KL_ERR_NONE);
    e = config(c, "node.id");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->value, "2");
    kl_admin_configs_destroy(c);
    kl_admin_destroy(a);
}
END_TEST

START_TEST(test_delete_records_offsets)
{
    char topic[64];
    kf_name(topic, sizeof topic, "del");
    kf_create_topic(topic, 2, 3, NULL);
    kf_produce(topic, 0, 100, "d", 1700000000000);
    kl_admin_t *a = admin();
    kl_topic_partition_list_t *before = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(before, topic, 0)->offset = 40;
    kl_topic_partition_list_add(before, topic, 1)->offset = KL_OFFSET_END;
    kl_topic_partition_list_t *res = NULL;
    ck_assert_int_eq(kl_admin_delete_records(a, before, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->elems[0].err, KL_ERR_NONE);
    ck_assert_int_eq(res->elems[0].offset, 40);
    ck_assert_int_eq(res->elems[1].err, KL_ERR_NONE);
    ck_assert_int_eq(res->elems[1].offset, 0);
    kl_topic_partition_list_destroy(res);
    kl_topic_partition_list_t *q = kl_topic_partition_list_new(3);
    kl_topic_partition_list_add(q, topic, 0)->offset = KL_OFFSET_BEGINNING;
    kl_topic_partition_list_add(q, topic, 1)->offset = KL_OFFSET_END;
    ck_assert_int_eq(kl_admin_list_offsets(a, q, 10000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->elems[0].offset, 40);
    ck_assert_int_eq(res->elems[1].offset, 0);
    kl_topic_partition_list_destroy(res);
    q->elems[0].offset = 1700000000000 + 70; /* by time */
    ck_assert_int_eq(kl_admin_list_offsets(a, q, 10000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->elems[0].offset, 70);
    kl_topic_partition_list_destroy(res);
    kl_topic_partition_list_destroy(q);
    kl_topic_partition_list_destroy(before);
    kl_admin_destroy(a);
}
END_TEST

START_TEST(test_groups)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "agrp");
    kf_name(group, sizeof group, "ag");
    kf_create_topic(topic, 2, 3, NULL);
    kl_admin_t *a = admin();
    /* offsets set for a group with no members create it */
    kl_topic_partition_list_t *offs = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(offs, topic, 0)->offset = 0;
    kl_topic_partition_list_add(offs, topic, 1)->offset = 0;
    kl_topic_partition_list_t *res = NULL;
    ck_assert_int_eq(kl_admin_alter_group_offsets(a, group, offs, 30000, &res), KL_ERR_NONE);
    ck_assert_int_eq(res->elems[0].err, KL_ERR_NONE);
    kl_topic_partition_list_destroy(res);
    kl_admin_groups_t *g = NULL;
    ck_assert_int_eq(kl_admin_list_groups(a, 10000, &g), KL_ERR_NONE);
    int found = 0;
    for (size_t i = 0; i < g->count; i++)
        if (strcmp(g->items[i].group_id, group) == 0) {
            found = 1;
            ck_assert_str_eq(g->items[i].state, "Empty");
        }
    ck_assert_msg(found, "list_groups lacks %s", group);
    kl_admin_groups_destroy(g);
    const char *gs[] = {group};
    ck_assert_int_eq(kl_admin_describe_groups(a, gs, 1, 10000, &g), KL_ERR_NONE);
    ck_assert_int_eq(g->items[0].err, KL_ERR_NONE);
    ck_assert_str_eq(g->items[0].state, "Empty");
    ck_assert_int_ge(g->items[0].coordinator, 1);
    kl_admin_groups_destroy(g);
    offs->elems[1].offset = 0;
    kf_produce(topic, 1, 10, "x", 0);
    offs->elems[1].offset = 7;
    ck_assert_int_eq(kl_admin_alter_group_offsets(a, group, offs, 30000, &res), KL_ERR_NONE);
    kl_topic_partition_list_destroy(res);
    ck_assert_int_eq(kl_admin_list_group_offsets(a, group, NULL, 10000, &res), KL_ERR_NONE);
    ck_assert_uint_eq(res->count, 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_int_eq(res->elems[i].offset, res->elems[i].partition == 1 ? 7 : 0);
    kl_topic_partition_list_destroy(res);
    kl_admin_results_t *r = NULL;
    ck_assert_int_eq(kl_admin_delete_groups(a, gs, 1, 30000, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(kl_admin_describe_groups(a, gs, 1, 10000, &g), KL_ERR_NONE);
    ck_assert_msg(g->items[0].err == KL_ERR_GROUP_ID_NOT_FOUND || strcmp(g->items[0].state, "Dead") == 0,
                  "deleted group: %s %s", kl_err_name(g->items[0].err), g->items[0].state);
    kl_admin_groups_destroy(g);
    kl_topic_partition_list_destroy(offs);
    kl_admin_destroy(a);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_admin");
    Suite *s = suite_create("kafka_admin");
    TCase *tc = tcase_create("against_kafka");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_topics);
    tcase_add_test(tc, test_configs);
    tcase_add_test(tc, test_delete_records_offsets);
    tcase_add_test(tc, test_groups);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
