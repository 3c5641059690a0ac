/* The admin client against the embedded broker: topics created, described,
 * grown and deleted; topic configs described and altered; records deleted
 * and offsets listed through the leader; a consumer group formed over the
 * wire, then listed, described, reset (refused while it has a member) and
 * deleted through its coordinator; an unreachable bootstrap times out. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_consumer_protocol.h"
#include "proto/msg_group.h"

#define TIMEOUT_MS 15000
#define GROUP "admin-group"

static const char *const props[] = {
    "group.initial.rebalance.delay.ms", "0",
    "offsets.topic.num.partitions", "3",
    NULL,
};

static broker_fixture_t fixture;
static kl_admin_t *admin;

static kl_admin_t *admin_for(const char *bootstrap)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_nonnull(conf);
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    kl_admin_t *a = kl_admin_new(conf, errstr, sizeof errstr);
    ck_assert_msg(a != NULL, "kl_admin_new: %s", errstr);
    kl_conf_destroy(conf);
    return a;
}

static void setup(void)
{
    fixture_start(&fixture, props);
    admin = admin_for(fixture.bootstrap);
}

static void teardown(void)
{
    kl_admin_destroy(admin);
    fixture_stop(&fixture);
}

static void create(const char *name, int32_t partitions, const char *const *configs)
{
    kl_admin_new_topic_t nt = {name, partitions, 1, configs};
    kl_admin_results_t *r;
    ck_assert_int_eq(kl_admin_create_topics(admin, &nt, 1, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r->count, 1);
    ck_assert_msg(r->items[0].err == KL_ERR_NONE, "create %s: %s", name, kl_err_name(r->items[0].err));
    kl_admin_results_destroy(r);
}

/* The partition count of topic, or -1 when it does not exist. */
static int partitions_of(const char *topic)
{
    kl_admin_topics_t *t;
    ck_assert_int_eq(kl_admin_describe_topics(admin, &topic, 1, TIMEOUT_MS, &t), KL_ERR_NONE);
    ck_assert_uint_eq(t->count, 1);
    ck_assert_str_eq(t->items[0].name, topic);
    int n = t->items[0].err ? -1 : (int)t->items[0].partition_count;
    if (n >= 0)
        ck_assert_int_eq(t->items[0].err, KL_ERR_NONE);
    else
        ck_assert_int_eq(t->items[0].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_admin_topics_destroy(t);
    return n;
}

START_TEST(topics)
{
    static const char *const configs[] = {"retention.ms", "123456", NULL};
    kl_admin_new_topic_t nts[] = {{"alpha", 3, 1, configs}, {"beta", -1, -1, NULL}};
    kl_admin_results_t *r;
    ck_assert_int_eq(kl_admin_create_topics(admin, nts, 2, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r->count, 2);
    ck_assert_str_eq(r->items[0].name, "alpha");
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    ck_assert_str_eq(r->items[1].name, "beta");
    ck_assert_int_eq(r->items[1].err, KL_ERR_NONE);
    kl_admin_results_destroy(r);

    /* again: refused per topic, with the broker's message */
    ck_assert_int_eq(kl_admin_create_topics(admin, nts, 1, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_TOPIC_ALREADY_EXISTS);
    ck_assert_ptr_nonnull(r->items[0].errstr);
    ck_assert_ptr_nonnull(strstr(r->items[0].errstr, "alpha"));
    kl_admin_results_destroy(r);

    /* validate only: accepted, not created */
    kl_admin_new_topic_t dry = {"gamma", 2, 1, NULL};
    ck_assert_int_eq(kl_admin_create_topics(admin, &dry, 1, 1, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(partitions_of("gamma"), -1);

    /* every topic, sorted; leaders and replicas named */
    kl_admin_topics_t *all;
    ck_assert_int_eq(kl_admin_describe_topics(admin, NULL, 0, TIMEOUT_MS, &all), KL_ERR_NONE);
    ck_assert_uint_ge(all->count, 2);
    ck_assert_ptr_nonnull(all->cluster_id);
    ck_assert_int_eq(all->controller_id, 1);
    for (size_t i = 1; i < all->count; i++)
        ck_assert_int_lt(strcmp(all->items[i - 1].name, all->items[i].name), 0);
    /* the group coordinator's topic, if there, is internal */
    size_t first = !strcmp(all->items[0].name, "__consumer_offsets");
    ck_assert_int_eq(all->items[0].internal, (int)first);
    ck_assert_str_eq(all->items[first].name, "alpha");
    ck_assert_str_eq(all->items[first + 1].name, "beta");
    ck_assert_uint_eq(all->items[first].partition_count, 3);
    ck_assert_int_eq(all->items[first].internal, 0);
    ck_assert_uint_eq(strlen(all->items[first].topic_id), 36);
    for (size_t p = 0; p < 3; p++) {
        const kl_admin_partition_t *part = &all->items[first].partitions[p];
        ck_assert_int_eq(part->id, (int)p);
        ck_assert_int_eq(part->leader, 1);
        ck_assert_uint_eq(part->replica_count, 1);
        ck_assert_int_eq(part->replicas[0], 1);
        ck_assert_uint_eq(part->isr_count, 1);
    }
    ck_assert_uint_eq(all->items[first + 1].partition_count, 1); /* num.partitions */
    kl_admin_topics_destroy(all);

    /* grow; shrinking is refused */
    ck_assert_int_eq(kl_admin_create_partitions(admin, "alpha", 5, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(partitions_of("alpha"), 5);
    ck_assert_int_eq(kl_admin_create_partitions(admin, "alpha", 2, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_INVALID_PARTITIONS);
    kl_admin_results_destroy(r);

    /* delete one existing and one missing topic */
    const char *names[] = {"beta", "nosuch"};
    ck_assert_int_eq(kl_admin_delete_topics(admin, names, 2, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    ck_assert_int_eq(r->items[1].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(partitions_of("beta"), -1);
    ck_assert_int_eq(partitions_of("alpha"), 5);
}
END_TEST

/* The entry name of res, or NULL. */
static const kl_admin_config_entry_t *entry(const kl_admin_config_resource_t *res, const char *name)
{
    for (size_t i = 0; i < res->entry_count; i++)
        if (!strcmp(res->entries[i].name, name))
            return &res->entries[i];
    return NULL;
}

START_TEST(topic_configs)
{
    static const char *const configs[] = {"retention.ms", "123456", NULL};
    create("conf", 1, configs);
    kl_admin_resource_t res[] = {{KL_ADMIN_RESOURCE_TOPIC, "conf"}, {KL_ADMIN_RESOURCE_BROKER, "1"},
                                 {KL_ADMIN_RESOURCE_TOPIC, "nosuch"}};
    kl_admin_configs_t *c;
    ck_assert_int_eq(kl_admin_describe_configs(admin, res, 3, TIMEOUT_MS, &c), KL_ERR_NONE);
    ck_assert_uint_eq(c->count, 3);
    ck_assert_int_eq(c->items[0].err, KL_ERR_NONE);
    const kl_admin_config_entry_t *e = entry(&c->items[0], "retention.ms");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->value, "123456");
    ck_assert_int_eq(e->source, KL_ADMIN_SOURCE_DYNAMIC_TOPIC);
    ck_assert_int_eq(e->is_default, 0);
    e = entry(&c->items[0], "max.compaction.lag.ms");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->source, KL_ADMIN_SOURCE_DEFAULT);
    ck_assert_int_ne(e->is_default, 0);
    /* the broker's own settings, read-only */
    ck_assert_int_eq(c->items[1].err, KL_ERR_NONE);
    e = entry(&c->items[1], "log.dirs");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->value, fixture.dir);
    ck_assert_int_ne(e->read_only, 0);
    ck_assert_int_eq(c->items[2].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_admin_configs_destroy(c);

    /* set one, delete another, and refuse a name Kafka does not know */
    kl_admin_config_op_t ops[] = {{KL_ADMIN_CONFIG_SET, "cleanup.policy", "compact"},
                                  {KL_ADMIN_CONFIG_DELETE, "retention.ms", NULL}};
    kl_admin_config_op_t bad[] = {{KL_ADMIN_CONFIG_SET, "no.such.config", "1"}};
    kl_admin_alter_resource_t alter[] = {{KL_ADMIN_RESOURCE_TOPIC, "conf", ops, 2},
                                         {KL_ADMIN_RESOURCE_TOPIC, "conf", bad, 1}};
    kl_admin_results_t *r;
    ck_assert_int_eq(kl_admin_incremental_alter_configs(admin, alter, 2, 0, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r->count, 2);
    ck_assert_msg(r->items[0].err == KL_ERR_NONE, "alter: %s", r->items[0].errstr ? r->items[0].errstr : "");
    ck_assert_int_eq(r->items[1].err, KL_ERR_INVALID_CONFIG);
    ck_assert_ptr_nonnull(r->items[1].errstr);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(kl_admin_describe_configs(admin, res, 1, TIMEOUT_MS, &c), KL_ERR_NONE);
    ck_assert_str_eq(entry(&c->items[0], "cleanup.policy")->value, "compact");
    ck_assert_int_eq(entry(&c->items[0], "cleanup.policy")->source, KL_ADMIN_SOURCE_DYNAMIC_TOPIC);
    ck_assert_str_ne(entry(&c->items[0], "retention.ms")->value, "123456");
    ck_assert_int_ne(entry(&c->items[0], "retention.ms")->source, KL_ADMIN_SOURCE_DYNAMIC_TOPIC);
    kl_admin_configs_destroy(c);
}
END_TEST

static int64_t offset_for(const char *topic, int32_t partition, int64_t spec, kl_err_t *errp)
{
    kl_topic_partition_list_t *q = kl_topic_partition_list_new(1), *out;
    kl_topic_partition_list_set_offset(q, topic, partition, spec);
    ck_assert_int_eq(kl_admin_list_offsets(admin, q, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_uint_eq(out->count, 1);
    *errp = out->elems[0].err;
    int64_t offset = out->elems[0].offset;
    kl_topic_partition_list_destroy(q);
    kl_topic_partition_list_destroy(out);
    return offset;
}

START_TEST(records_and_offsets)
{
    create("recs", 2, NULL);
    wire_client_t wc;
    connect_to(&wc, &fixture);
    int64_t base;
    ck_assert_int_eq(produce(&wc, "recs", 0, 0, 10, 10, &base), 0);
    wire_close(&wc);
    kl_err_t err;
    ck_assert_int_eq(offset_for("recs", 0, KL_OFFSET_BEGINNING, &err), 0);
    ck_assert_int_eq(err, KL_ERR_NONE);
    ck_assert_int_eq(offset_for("recs", 0, KL_OFFSET_END, &err), 10);
    ck_assert_int_eq(offset_for("recs", 1, KL_OFFSET_END, &err), 0);
    ck_assert_int_eq(offset_for("recs", 0, WIRE_BASE_TIMESTAMP + 5, &err), 5);
    ck_assert_int_eq(offset_for("recs", 0, WIRE_BASE_TIMESTAMP + 1000, &err), -1);
    offset_for("recs", 7, KL_OFFSET_END, &err);
    ck_assert_int_eq(err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    offset_for("nosuch", 0, KL_OFFSET_END, &err);
    ck_assert_int_eq(err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);

    kl_topic_partition_list_t *before = kl_topic_partition_list_new(2), *out;
    kl_topic_partition_list_set_offset(before, "recs", 0, 4);
    kl_topic_partition_list_set_offset(before, "recs", 1, 3); /* beyond the end */
    ck_assert_int_eq(kl_admin_delete_records(admin, before, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_int_eq(out->elems[0].err, KL_ERR_NONE);
    ck_assert_int_eq(out->elems[0].offset, 4);
    ck_assert_int_eq(out->elems[1].err, KL_ERR_OFFSET_OUT_OF_RANGE);
    kl_topic_partition_list_destroy(before);
    kl_topic_partition_list_destroy(out);
    ck_assert_int_eq(offset_for("recs", 0, KL_OFFSET_BEGINNING, &err), 4);
    ck_assert_int_eq(offset_for("recs", 0, KL_OFFSET_END, &err), 10);
}
END_TEST

/* ------------------------------------------------------------------ groups */

typedef struct member {
    wire_client_t wc;
    char id[128];
    int32_t generation;
} member_t;

/* One member joins GROUP (JoinGroup v3: no member id round trip) and, as
 * leader, assigns itself both partitions of topic. */
static void join_alone(member_t *m, const char *topic)
{
    connect_to(&m->wc, &fixture);
    kl_join_group_request_protocol_t proto = {kl_str("range"), kl_bytes("", 0)};
    kl_join_group_request_t join;
    kl_proto_init(&kl_join_group_request_schema, &join);
    join.group_id = kl_str(GROUP);
    join.session_timeout_ms = 60000;
    join.rebalance_timeout_ms = 60000;
    join.member_id = kl_str("");
    join.protocol_type = kl_str("consumer");
    join.protocols.items = &proto;
    join.protocols.count = 1;
    kl_join_group_response_t joined;
    exchange_t x;
    call(&m->wc, KL_API_JOIN_GROUP, 3, &join, &joined, &x);
    ck_assert_int_eq(joined.error_code, 0);
    snprintf(m->id, sizeof m->id, "%.*s", (int)joined.member_id.len, joined.member_id.ptr);
    m->generation = joined.generation_id;
    done(&x);

    int32_t parts[] = {0, 1};
    kl_consumer_protocol_assignment_topic_partition_t tp = {kl_str(topic), {parts, 2}};
    kl_consumer_protocol_assignment_t assignment;
    kl_proto_init(&kl_consumer_protocol_assignment_schema, &assignment);
    assignment.assigned_partitions.items = &tp;
    assignment.assigned_partitions.count = 1;
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_consumer_protocol_assignment_encode(&buf, 1, &assignment), KL_ERR_NONE);
    kl_sync_group_request_assignment_t mine = {kl_str(m->id), kl_bytes(buf.data, (int32_t)buf.len)};
    kl_sync_group_request_t sync;
    kl_proto_init(&kl_sync_group_request_schema, &sync);
    sync.group_id = kl_str(GROUP);
    sync.generation_id = m->generation;
    sync.member_id = kl_str(m->id);
    sync.assignments.items = &mine;
    sync.assignments.count = 1;
    kl_sync_group_response_t synced;
    call(&m->wc, KL_API_SYNC_GROUP, 3, &sync, &synced, &x);
    ck_assert_int_eq(synced.error_code, 0);
    done(&x);
    kl_buf_free(&buf);
}

static void leave(member_t *m)
{
    kl_leave_group_request_t req;
    kl_proto_init(&kl_leave_group_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.member_id = kl_str(m->id);
    kl_leave_group_response_t resp;
    exchange_t x;
    call(&m->wc, KL_API_LEAVE_GROUP, 1, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    done(&x);
    wire_close(&m->wc);
}

static kl_admin_group_t *listed(kl_admin_groups_t *g, const char *id)
{
    for (size_t i = 0; i < g->count; i++)
        if (!strcmp(g->items[i].group_id, id))
            return &g->items[i];
    return NULL;
}

static kl_topic_partition_list_t *two_offsets(const char *topic, int64_t first, int64_t second)
{
    kl_topic_partition_list_t *l = kl_topic_partition_list_new(2);
    kl_topic_partition_list_set_offset(l, topic, 0, first);
    kl_topic_partition_list_set_offset(l, topic, 1, second);
    return l;
}

START_TEST(groups)
{
    create("grouped", 2, NULL);
    member_t m;
    join_alone(&m, "grouped");

    kl_admin_groups_t *g;
    ck_assert_int_eq(kl_admin_list_groups(admin, TIMEOUT_MS, &g), KL_ERR_NONE);
    kl_admin_group_t *found = listed(g, GROUP);
    ck_assert_ptr_nonnull(found);
    ck_assert_str_eq(found->state, "Stable");
    ck_assert_str_eq(found->protocol_type, "consumer");
    kl_admin_groups_destroy(g);

    const char *name = GROUP;
    ck_assert_int_eq(kl_admin_describe_groups(admin, &name, 1, TIMEOUT_MS, &g), KL_ERR_NONE);
    ck_assert_uint_eq(g->count, 1);
    ck_assert_int_eq(g->items[0].err, KL_ERR_NONE);
    ck_assert_str_eq(g->items[0].state, "Stable");
    ck_assert_str_eq(g->items[0].protocol, "range");
    ck_assert_int_eq(g->items[0].coordinator, 1);
    ck_assert_uint_eq(g->items[0].member_count, 1);
    const kl_admin_member_t *member = &g->items[0].members[0];
    ck_assert_str_eq(member->member_id, m.id);
    ck_assert_str_eq(member->client_id, "kafkalite-interop");
    ck_assert_ptr_nonnull(strstr(member->host, "127.0.0.1"));
    ck_assert_uint_eq(member->assignment->count, 2);
    ck_assert_str_eq(member->assignment->elems[1].topic, "grouped");
    ck_assert_int_eq(member->assignment->elems[1].partition, 1);
    kl_admin_groups_destroy(g);

    /* a reset while the group has a member is refused, as by Kafka */
    kl_topic_partition_list_t *offsets = two_offsets("grouped", 3, 7), *out;
    ck_assert_int_eq(kl_admin_alter_group_offsets(admin, GROUP, offsets, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_int_eq(out->elems[0].err, KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(out->elems[1].err, KL_ERR_UNKNOWN_MEMBER_ID);
    kl_topic_partition_list_destroy(out);
    kl_admin_results_t *r;
    ck_assert_int_eq(kl_admin_delete_groups(admin, &name, 1, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NON_EMPTY_GROUP);
    kl_admin_results_destroy(r);

    leave(&m);
    ck_assert_int_eq(kl_admin_alter_group_offsets(admin, GROUP, offsets, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_int_eq(out->elems[0].err, KL_ERR_NONE);
    ck_assert_int_eq(out->elems[1].err, KL_ERR_NONE);
    kl_topic_partition_list_destroy(out);

    /* every committed offset, then one partition asked by name */
    ck_assert_int_eq(kl_admin_list_group_offsets(admin, GROUP, NULL, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_uint_eq(out->count, 2);
    ck_assert_int_eq(out->elems[0].offset, 3);
    ck_assert_int_eq(out->elems[1].offset, 7);
    kl_topic_partition_list_destroy(out);
    kl_topic_partition_list_t *one = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(one, "grouped", 1);
    kl_topic_partition_list_add(one, "other", 0);
    ck_assert_int_eq(kl_admin_list_group_offsets(admin, GROUP, one, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_uint_eq(out->count, 2);
    ck_assert_int_eq(kl_topic_partition_list_find(out, "grouped", 1)->offset, 7);
    ck_assert_int_eq(kl_topic_partition_list_find(out, "other", 0)->offset, KL_OFFSET_INVALID);
    kl_topic_partition_list_destroy(out);

    /* OffsetDelete: grouped [1] goes, grouped [0] stays */
    ck_assert_int_eq(kl_admin_delete_group_offsets(admin, GROUP, one, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_int_eq(kl_topic_partition_list_find(out, "grouped", 1)->err, KL_ERR_NONE);
    ck_assert_int_eq(kl_topic_partition_list_find(out, "other", 0)->err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_topic_partition_list_destroy(out);
    ck_assert_int_eq(kl_admin_list_group_offsets(admin, GROUP, NULL, TIMEOUT_MS, &out), KL_ERR_NONE);
    ck_assert_uint_eq(out->count, 1);
    ck_assert_int_eq(kl_topic_partition_list_find(out, "grouped", 0)->offset, 3);
    kl_topic_partition_list_destroy(out);
    kl_topic_partition_list_destroy(one);
    ck_assert_int_eq(kl_admin_delete_group_offsets(admin, "no-such-group", offsets, TIMEOUT_MS, &out),
                     KL_ERR_GROUP_ID_NOT_FOUND);
    ck_assert_ptr_null(out);
    kl_topic_partition_list_destroy(offsets);

    ck_assert_int_eq(kl_admin_list_groups(admin, TIMEOUT_MS, &g), KL_ERR_NONE);
    ck_assert_str_eq(listed(g, GROUP)->state, "Empty");
    kl_admin_groups_destroy(g);
    ck_assert_int_eq(kl_admin_delete_groups(admin, &name, 1, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(r);
    ck_assert_int_eq(kl_admin_list_groups(admin, TIMEOUT_MS, &g), KL_ERR_NONE);
    ck_assert_ptr_null(listed(g, GROUP));
    kl_admin_groups_destroy(g);
    ck_assert_int_eq(kl_admin_delete_groups(admin, &name, 1, TIMEOUT_MS, &r), KL_ERR_NONE);
    ck_assert_int_eq(r->items[0].err, KL_ERR_GROUP_ID_NOT_FOUND);
    kl_admin_results_destroy(r);
}
END_TEST

/* ---------------------------------------------------------- failures, usage */

START_TEST(unreachable)
{
    /* a port nothing listens on: the call gives up at its timeout */
    kl_admin_t *lost = admin_for("127.0.0.1:1");
    kl_admin_topics_t *t = NULL;
    long long t0 = fixture_now_ms();
    ck_assert_int_eq(kl_admin_describe_topics(lost, NULL, 0, 1500, &t), KL_ERR_TIMED_OUT);
    long long took = fixture_now_ms() - t0;
    ck_assert_ptr_null(t);
    ck_assert_msg(took >= 1400 && took < 10000, "took %lld ms", took);
    kl_admin_destroy(lost);
}
END_TEST

START_TEST(bad_arguments)
{
    kl_admin_results_t *r = NULL;
    const char *empty = "";
    ck_assert_int_eq(kl_admin_delete_topics(admin, &empty, 1, TIMEOUT_MS, &r), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_admin_create_partitions(admin, "x", 0, 0, TIMEOUT_MS, &r), KL_ERR_INVALID_ARG);
    kl_admin_resource_t res = {KL_ADMIN_RESOURCE_BROKER, "one"};
    kl_admin_configs_t *c = NULL;
    ck_assert_int_eq(kl_admin_describe_configs(admin, &res, 1, TIMEOUT_MS, &c), KL_ERR_INVALID_ARG);
    kl_topic_partition_list_t *l = two_offsets("t", -2, 0), *out = NULL;
    ck_assert_int_eq(kl_admin_alter_group_offsets(admin, "g", l, TIMEOUT_MS, &out), KL_ERR_INVALID_ARG);
    kl_topic_partition_list_destroy(l);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(c);
    ck_assert_ptr_null(out);
    char errstr[128];
    kl_conf_t *broker_conf = kl_broker_conf_new();
    ck_assert_ptr_null(kl_admin_new(broker_conf, errstr, sizeof errstr));
    ck_assert_ptr_nonnull(strstr(errstr, "client configuration"));
    kl_conf_destroy(broker_conf);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("admin");
    TCase *tc = tcase_create("admin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, topics);
    tcase_add_test(tc, topic_configs);
    tcase_add_test(tc, records_and_offsets);
    tcase_add_test(tc, groups);
    tcase_add_test(tc, unreachable);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
