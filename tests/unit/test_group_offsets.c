/* Unit tests for the group coordinator's committed offsets
 * (lib/broker/group_*): commits by members and by simple groups, replies
 * held until the append is stored, persistence to real partition logs and
 * loading into a fresh coordinator, tombstones from OffsetDelete and
 * DeleteGroups, offsets.retention.minutes, deleted topics, ListGroups, the record formats
 * and the placement of groups on __consumer_offsets partitions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"
#include "group_fixture.h"
#include "proto/codec.h"
#include "proto/msg_consumer_protocol.h"

#define MINUTE INT64_C(60000)

static const char *state_of(fixture_t *f, const char *group)
{
    fx_reply_t r = {0};
    const char *state = fx_state(f, group, &r);
    fx_reply_free(&r);
    return state;
}

/* A consumer-protocol subscription to one topic, in buf. */
static int32_t subscription(uint8_t *buf, size_t cap, const char *topic)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    kl_str_t topics[] = {kl_str(topic)};
    kl_consumer_protocol_subscription_t sub;
    kl_proto_init(&kl_consumer_protocol_subscription_schema, &sub);
    sub.topics.items = topics;
    sub.topics.count = 1;
    ck_assert_int_eq(kl_consumer_protocol_subscription_encode(&b, 1, &sub), KL_ERR_NONE);
    ck_assert_uint_le(b.len, cap);
    memcpy(buf, b.data, b.len);
    int32_t len = (int32_t)b.len;
    kl_buf_free(&b);
    return len;
}

/* OffsetFetch v7 of one partition: the committed leader epoch. */
static int32_t fetched_epoch(fixture_t *f, const char *group, const char *topic, int32_t partition)
{
    kl_offset_fetch_request_topic_t t = {kl_str(topic), {&partition, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.items = &t;
    req.topics.count = 1;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(7, "fetcher");
    ck_assert_int_eq(group_offset_fetch(f->coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 7)), GROUP_REPLIED);
    const kl_offset_fetch_response_t *resp = r.resp;
    int32_t epoch = resp->topics.items[0].partitions.items[0].committed_leader_epoch;
    fx_reply_free(&r);
    return epoch;
}

START_TEST(test_member_commits)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    char meta[64];
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t", 0, 42, "m", 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 0, meta, sizeof meta), 42);
    ck_assert_str_eq(meta, "m");
    ck_assert_int_eq(fetched_epoch(&f, "g", "t", 0), 7);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 1, meta, sizeof meta), -1);
    ck_assert_str_eq(meta, "");
    ck_assert_int_eq(fx_commit(&f, "g", 1, "stranger", "t", 0, 1, NULL, 8), KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(fx_commit(&f, "g", -1, NULL, "t", 0, 1, NULL, 8), KL_ERR_UNKNOWN_MEMBER_ID);
    /* per partition: metadata past offset.metadata.max.bytes, unknown topic */
    char big[4200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t", 0, 43, big, 8), KL_ERR_OFFSET_METADATA_TOO_LARGE);
    f.only_topic = "t";
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "u", 0, 43, NULL, 8), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    /* while preparing a rebalance the current generation still commits;
     * once the join phase is over, not before the assignment */
    b.metadata[0] = "b2";
    ck_assert_int_eq(fx_join(&f, &b, "g", 5), GROUP_PENDING);
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t", 0, 44, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_join(&f, &a, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "g", 2, a.member_id, "t", 0, 45, NULL, 8), KL_ERR_REBALANCE_IN_PROGRESS);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 0, NULL, 0), 44);
    /* a group nobody knows, with a generation */
    ck_assert_int_eq(fx_commit(&f, "nope", 3, "m", "t", 0, 1, NULL, 8), KL_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(fx_commit(&f, "nope", 3, "m", "t", 0, 1, NULL, 9), KL_ERR_GROUP_ID_NOT_FOUND);
    ck_assert_int_eq(fx_commit(&f, "", -1, NULL, "t", 0, 1, NULL, 9), KL_ERR_INVALID_GROUP_ID);
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

static const kl_list_groups_response_t *list_groups(fixture_t *f, fx_reply_t *r, const char *state)
{
    kl_str_t filter = kl_str(state);
    kl_list_groups_request_t req;
    kl_proto_init(&kl_list_groups_request_schema, &req);
    if (state) {
        req.states_filter.items = &filter;
        req.states_filter.count = 1;
    }
    group_ctx_t ctx = fx_ctx(4, "admin");
    ck_assert_int_eq(group_list(f->coord, &ctx, &req, fx_reply(r, KL_API_LIST_GROUPS, 4)), GROUP_REPLIED);
    return r->resp;
}

START_TEST(test_simple_group_and_listing)
{
    fixture_t f;
    fx_init(&f, false);
    ck_assert_int_eq(fx_commit(&f, "simple", -1, NULL, "t", 3, 100, "x", 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "simple", -1, NULL, "u", 0, 7, NULL, 2), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "simple", "t", 3, NULL, 0), 100);
    fx_client_t a;
    fx_client_init(&a, "a", "range");
    fx_client_t *all[] = {&a};
    fx_form_group(&f, all, 1, "g");
    fx_reply_t r = {0};
    const kl_list_groups_response_t *lr = list_groups(&f, &r, NULL);
    ck_assert_int_eq(lr->groups.count, 2);
    ck_assert(kl_str_eq(lr->groups.items[0].group_id, "g"));
    ck_assert(kl_str_eq(lr->groups.items[0].group_state, "Stable"));
    ck_assert(kl_str_eq(lr->groups.items[0].protocol_type, "consumer"));
    ck_assert(kl_str_eq(lr->groups.items[1].group_id, "simple"));
    ck_assert(kl_str_eq(lr->groups.items[1].protocol_type, ""));
    ck_assert(kl_str_eq(lr->groups.items[1].group_state, "Empty"));
    lr = list_groups(&f, &r, "empty"); /* the filter ignores case */
    ck_assert_int_eq(lr->groups.count, 1);
    ck_assert(kl_str_eq(lr->groups.items[0].group_id, "simple"));
    lr = list_groups(&f, &r, "Dead");
    ck_assert_int_eq(lr->groups.count, 0);
    fx_reply_free(&r);

    /* OffsetFetch v8: several groups, all partitions when topics is null */
    kl_offset_fetch_request_group_t groups[3];
    const char *ids[] = {"simple", "g", "missing"};
    for (int i = 0; i < 3; i++)
        groups[i] = (kl_offset_fetch_request_group_t){kl_str(ids[i]), KL_STR_NULL, -1, {NULL, -1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.groups.items = groups;
    req.groups.count = 3;
    group_ctx_t ctx = fx_ctx(8, "admin");
    ck_assert_int_eq(group_offset_fetch(f.coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 8)), GROUP_REPLIED);
    const kl_offset_fetch_response_t *fr = r.resp;
    ck_assert_int_eq(fr->groups.count, 3);
    const kl_offset_fetch_response_group_t *sg = &fr->groups.items[0];
    ck_assert(kl_str_eq(sg->group_id, "simple"));
    ck_assert_int_eq(sg->topics.count, 2);
    ck_assert(kl_str_eq(sg->topics.items[0].name, "t"));
    ck_assert_int_eq(sg->topics.items[0].partitions.items[0].partition_index, 3);
    ck_assert_int_eq(sg->topics.items[0].partitions.items[0].committed_offset, 100);
    ck_assert(kl_str_eq(sg->topics.items[0].partitions.items[0].metadata, "x"));
    ck_assert(kl_str_eq(sg->topics.items[1].name, "u"));
    ck_assert_int_eq(sg->topics.items[1].partitions.items[0].committed_offset, 7);
    ck_assert_int_eq(fr->groups.items[1].topics.count, 0);
    ck_assert_int_eq(fr->groups.items[2].topics.count, 0);
    ck_assert_int_eq(fr->groups.items[2].error_code, 0);
    /* v7: one group, null topics for all of them */
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str("simple");
    req.topics.count = -1;
    ctx = fx_ctx(7, "admin");
    ck_assert_int_eq(group_offset_fetch(f.coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 7)), GROUP_REPLIED);
    fr = r.resp;
    ck_assert_int_eq(fr->topics.count, 2);
    ck_assert(kl_str_eq(fr->topics.items[1].name, "u"));
    ck_assert_int_eq(fr->topics.items[1].partitions.items[0].committed_offset, 7);
    fx_reply_free(&r);
    fx_client_free(&a);
    fx_free(&f);
}
END_TEST

/* An OffsetCommit whose reply outlives the call (held appends). */
static group_status_t commit_async(fixture_t *f, fx_reply_t *r, const char *group, int64_t offset)
{
    kl_offset_commit_request_partition_t p = {0, offset, -1, -1, KL_STR_NULL};
    kl_offset_commit_request_topic_t t = {kl_str("t"), {&p, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.items = &t;
    req.topics.count = 1;
    group_ctx_t ctx = fx_ctx(8, "c");
    return group_offset_commit(f->coord, &ctx, &req, fx_reply(r, KL_API_OFFSET_COMMIT, 8));
}

static int16_t commit_error(const fx_reply_t *r)
{
    return ((kl_offset_commit_response_t *)r->resp)->topics.items[0].partitions.items[0].error_code;
}

START_TEST(test_commit_acknowledged_after_append)
{
    fixture_t f;
    fx_init(&f, false);
    fx_reply_t r = {0};
    f.hold = true;
    ck_assert_int_eq(commit_async(&f, &r, "s", 5), GROUP_PENDING);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), -1); /* not stored yet */
    fx_release(&f, KL_ERR_NONE);
    ck_assert_int_eq(r.count, 1);
    ck_assert_int_eq(commit_error(&r), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 5);
    /* the append fails: nothing changes, the client looks again */
    ck_assert_int_eq(commit_async(&f, &r, "s", 6), GROUP_PENDING);
    fx_release(&f, KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(commit_error(&r), KL_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 5);
    ck_assert_int_eq(commit_async(&f, &r, "s", 7), GROUP_PENDING);
    fx_release(&f, KL_ERR_MESSAGE_TOO_LARGE);
    ck_assert_int_eq(commit_error(&r), KL_ERR_INVALID_COMMIT_OFFSET_SIZE);
    /* the connection goes away: the offset is stored, nobody is told */
    ck_assert_int_eq(commit_async(&f, &r, "s", 8), GROUP_PENDING);
    group_cancel(f.coord, &r);
    fx_release(&f, KL_ERR_NONE);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 8);
    /* an append failing at once */
    f.hold = false;
    f.fail_next = KL_ERR_KAFKA_STORAGE_ERROR;
    ck_assert_int_eq(fx_commit(&f, "s", -1, NULL, "t", 0, 9, NULL, 8), KL_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 8);
    fx_reply_free(&r);
    fx_free(&f);
}
END_TEST

START_TEST(test_offsets_and_groups_survive_restart)
{
    fixture_t f;
    fx_init(&f, true);
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    b.instance_id = "b-static";
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t", 0, 10, "meta", 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "g", 1, b.member_id, "t", 1, 11, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t", 0, 12, "meta2", 8), KL_ERR_NONE); /* last wins */
    for (int i = 0; i < 20; i++) {
        char group[16];
        snprintf(group, sizeof group, "simple-%d", i); /* spread over the partitions */
        ck_assert_int_eq(fx_commit(&f, group, -1, NULL, "u", i % 8, 100 + i, NULL, 8), KL_ERR_NONE);
    }
    fx_restart(&f);
    char meta[64];
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 0, meta, sizeof meta), 12);
    ck_assert_str_eq(meta, "meta2");
    ck_assert_int_eq(fetched_epoch(&f, "g", "t", 0), 7);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 1, meta, sizeof meta), 11);
    ck_assert_str_eq(meta, "");
    for (int i = 0; i < 20; i++) {
        char group[16];
        snprintf(group, sizeof group, "simple-%d", i);
        ck_assert_int_eq(fx_fetch(&f, group, "u", i % 8, NULL, 0), 100 + i);
    }
    /* the Stable group came back with its generation, members and
     * assignments; members must show up within their session */
    fx_reply_t r = {0};
    ck_assert_str_eq(fx_state(&f, "g", &r), "Stable");
    const kl_describe_groups_response_described_group_t *dg =
        &((kl_describe_groups_response_t *)r.resp)->groups.items[0];
    ck_assert_int_eq(dg->members.count, 2);
    ck_assert(kl_str_eq(dg->members.items[1].member_id, b.member_id));
    ck_assert(kl_str_eq(dg->members.items[1].group_instance_id, "b-static"));
    ck_assert(kl_str_eq(dg->members.items[1].client_id, "b"));
    ck_assert_int_eq(memcmp(dg->members.items[1].member_assignment.ptr, "b-part", 6), 0);
    ck_assert(kl_str_eq(dg->protocol_data, "range"));
    fx_reply_free(&r);
    ck_assert_int_eq(fx_heartbeat(&f, &b, "g"), KL_ERR_NONE);
    ck_assert_int_eq(fx_sync(&f, &b, "g", 5, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(memcmp(((kl_sync_group_response_t *)b.sync.resp)->assignment.ptr, "b-part", 6), 0);
    fx_advance(&f, 6000);
    ck_assert_int_eq(fx_heartbeat(&f, &b, "g"), KL_ERR_NONE);
    fx_advance(&f, 4000); /* a never came back */
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    ck_assert_int_eq(fx_heartbeat(&f, &a, "g"), KL_ERR_UNKNOWN_MEMBER_ID);
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

static int16_t offset_delete(fixture_t *f, const char *group, const char *topic, int32_t *partitions, int n,
                             fx_reply_t *r)
{
    kl_offset_delete_request_partition_t ps[8];
    for (int i = 0; i < n; i++)
        ps[i].partition_index = partitions[i];
    kl_offset_delete_request_topic_t t = {kl_str(topic), {ps, n}};
    kl_offset_delete_request_t req = {kl_str(group), {&t, 1}};
    group_ctx_t ctx = fx_ctx(0, "admin");
    ck_assert_int_eq(group_offset_delete(f->coord, &ctx, &req, fx_reply(r, KL_API_OFFSET_DELETE, 0)), GROUP_REPLIED);
    return ((kl_offset_delete_response_t *)r->resp)->error_code;
}

static int16_t partition_error(const fx_reply_t *r, int i)
{
    return ((kl_offset_delete_response_t *)r->resp)->topics.items[0].partitions.items[i].error_code;
}

START_TEST(test_tombstones_and_delete_groups)
{
    fixture_t f;
    fx_init(&f, true);
    for (int p = 0; p < 3; p++)
        ck_assert_int_eq(fx_commit(&f, "s", -1, NULL, "u", p, 10 + p, NULL, 8), KL_ERR_NONE);
    fx_reply_t r = {0};
    int32_t gone[] = {0, 2};
    ck_assert_int_eq(offset_delete(&f, "s", "u", gone, 2, &r), KL_ERR_NONE);
    ck_assert_int_eq(partition_error(&r, 0), KL_ERR_NONE);
    ck_assert_int_eq(partition_error(&r, 1), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 0, NULL, 0), -1);
    fx_restart(&f);
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 0, NULL, 0), -1);
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 1, NULL, 0), 11);
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 2, NULL, 0), -1);

    /* DeleteGroups: Empty groups only */
    fx_client_t a;
    fx_client_init(&a, "a", "range");
    fx_client_t *all[] = {&a};
    fx_form_group(&f, all, 1, "g");
    kl_str_t names[] = {kl_str("s"), kl_str("g"), kl_str("missing")};
    kl_delete_groups_request_t req = {{names, 3}};
    group_ctx_t ctx = fx_ctx(2, "admin");
    ck_assert_int_eq(group_delete(f.coord, &ctx, &req, fx_reply(&r, KL_API_DELETE_GROUPS, 2)), GROUP_REPLIED);
    const kl_delete_groups_response_t *dr = r.resp;
    ck_assert_int_eq(dr->results.count, 3);
    ck_assert(kl_str_eq(dr->results.items[0].group_id, "s"));
    ck_assert_int_eq(dr->results.items[0].error_code, KL_ERR_NONE);
    ck_assert_int_eq(dr->results.items[1].error_code, KL_ERR_NON_EMPTY_GROUP);
    ck_assert_int_eq(dr->results.items[2].error_code, KL_ERR_GROUP_ID_NOT_FOUND);
    ck_assert_str_eq(state_of(&f, "s"), "Dead");
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 1, NULL, 0), -1);
    fx_restart(&f);
    ck_assert_str_eq(state_of(&f, "s"), "Dead");
    ck_assert_int_eq(fx_fetch(&f, "s", "u", 1, NULL, 0), -1);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    /* g empties (its member leaves) and can then be deleted */
    ck_assert_int_eq(fx_leave(&f, &a, "g", 1), KL_ERR_NONE);
    ck_assert_str_eq(state_of(&f, "g"), "Empty");
    kl_delete_groups_request_t req2 = {{&names[1], 1}};
    f.hold = true; /* the answer waits for the tombstones */
    ck_assert_int_eq(group_delete(f.coord, &ctx, &req2, fx_reply(&r, KL_API_DELETE_GROUPS, 2)), GROUP_PENDING);
    fx_release(&f, KL_ERR_NONE);
    ck_assert_int_eq(r.count, 1);
    ck_assert_int_eq(((kl_delete_groups_response_t *)r.resp)->results.items[0].error_code, KL_ERR_NONE);
    f.hold = false;
    fx_restart(&f);
    ck_assert_str_eq(state_of(&f, "g"), "Dead");
    fx_reply_free(&r);
    fx_client_free(&a);
    fx_free(&f);
}
END_TEST

START_TEST(test_offset_delete_rules)
{
    fixture_t f;
    fx_init(&f, false);
    uint8_t sub_a[64], sub_b[64];
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    a.metadata[0] = (const char *)sub_a;
    a.metadata_len[0] = subscription(sub_a, sizeof sub_a, "t1");
    b.metadata[0] = (const char *)sub_b;
    b.metadata_len[0] = subscription(sub_b, sizeof sub_b, "t1");
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t1", 0, 5, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "g", 1, a.member_id, "t2", 0, 6, NULL, 8), KL_ERR_NONE);
    fx_reply_t r = {0};
    int32_t p0[] = {0};
    ck_assert_int_eq(offset_delete(&f, "g", "t1", p0, 1, &r), KL_ERR_NONE);
    ck_assert_int_eq(partition_error(&r, 0), KL_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
    ck_assert_int_eq(offset_delete(&f, "g", "t2", p0, 1, &r), KL_ERR_NONE);
    ck_assert_int_eq(partition_error(&r, 0), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "g", "t1", 0, NULL, 0), 5);
    ck_assert_int_eq(fx_fetch(&f, "g", "t2", 0, NULL, 0), -1);
    f.only_topic = "t1";
    ck_assert_int_eq(offset_delete(&f, "g", "t3", p0, 1, &r), KL_ERR_NONE);
    ck_assert_int_eq(partition_error(&r, 0), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(offset_delete(&f, "missing", "t1", p0, 1, &r), KL_ERR_GROUP_ID_NOT_FOUND);
    /* another protocol type: only once the group is empty */
    fx_client_t c;
    fx_client_init(&c, "c", "assign");
    c.protocol_type = "connect";
    fx_client_t *other[] = {&c};
    fx_form_group(&f, other, 1, "connect-group");
    ck_assert_int_eq(offset_delete(&f, "connect-group", "t1", p0, 1, &r), KL_ERR_NON_EMPTY_GROUP);
    fx_reply_free(&r);
    fx_client_free(&a);
    fx_client_free(&b);
    fx_client_free(&c);
    fx_free(&f);
}
END_TEST

/* Moves on by minutes, one at a time, with heartbeats from the first n
 * clients (each in its group). */
static void live_minutes(fixture_t *f, fx_client_t **cs, const char **groups, int n, int minutes)
{
    for (int i = 0; i < minutes; i++) {
        fx_advance(f, MINUTE);
        for (int k = 0; k < n; k++)
            ck_assert_int_eq(fx_heartbeat(f, cs[k], groups[k]), KL_ERR_NONE);
    }
}

START_TEST(test_retention_expires_offsets)
{
    fixture_t f;
    fx_init(&f, true);
    f.config.offsets_retention_ms = 60 * MINUTE;
    f.config.retention_check_ms = 10 * MINUTE;
    fx_restart(&f);
    uint8_t sub[64];
    fx_client_t e, st;
    fx_client_init(&e, "e", "range");
    fx_client_init(&st, "st", "range");
    e.session_ms = st.session_ms = 2 * MINUTE;
    st.metadata[0] = (const char *)sub;
    st.metadata_len[0] = subscription(sub, sizeof sub, "t1");
    fx_client_t *eg[] = {&e}, *sg[] = {&st};
    fx_form_group(&f, eg, 1, "empty-later");
    fx_form_group(&f, sg, 1, "stable");
    ck_assert_int_eq(fx_commit(&f, "simple", -1, NULL, "t", 0, 1, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "empty-later", 1, e.member_id, "t", 0, 2, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "stable", 1, st.member_id, "t1", 0, 3, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "stable", 1, st.member_id, "t2", 0, 4, NULL, 8), KL_ERR_NONE);
    fx_client_t *live[] = {&st, &e};
    const char *groups[] = {"stable", "empty-later"};
    live_minutes(&f, live, groups, 2, 30);
    ck_assert_int_eq(fx_leave(&f, &e, "empty-later", 1), KL_ERR_NONE); /* Empty from minute 30 */
    live_minutes(&f, live, groups, 1, 25);
    ck_assert_int_eq(fx_fetch(&f, "simple", "t", 0, NULL, 0), 1);
    ck_assert_int_eq(fx_fetch(&f, "stable", "t2", 0, NULL, 0), 4);
    /* the commits came some seconds after the checks started: the check
     * at minute 60 is just too early, the one at 70 catches them */
    live_minutes(&f, live, groups, 1, 20);
    /* the simple group's offset aged out from its commit, and the group
     * with it; the stable group keeps what its member subscribes to */
    ck_assert_int_eq(fx_fetch(&f, "simple", "t", 0, NULL, 0), -1);
    ck_assert_str_eq(state_of(&f, "simple"), "Dead");
    ck_assert_int_eq(fx_fetch(&f, "stable", "t2", 0, NULL, 0), -1);
    ck_assert_int_eq(fx_fetch(&f, "stable", "t1", 0, NULL, 0), 3);
    /* the emptied group counts from when it became Empty */
    ck_assert_int_eq(fx_fetch(&f, "empty-later", "t", 0, NULL, 0), 2);
    live_minutes(&f, live, groups, 1, 30);
    ck_assert_int_eq(fx_fetch(&f, "empty-later", "t", 0, NULL, 0), -1);
    ck_assert_str_eq(state_of(&f, "empty-later"), "Dead");
    /* and the tombstones were stored */
    fx_restart(&f);
    ck_assert_str_eq(state_of(&f, "simple"), "Dead");
    ck_assert_int_eq(fx_fetch(&f, "stable", "t2", 0, NULL, 0), -1);
    ck_assert_int_eq(fx_fetch(&f, "stable", "t1", 0, NULL, 0), 3);
    fx_client_free(&e);
    fx_client_free(&st);
    fx_free(&f);
}
END_TEST

START_TEST(test_commit_retention_time)
{
    /* OffsetCommit v2-4 may set its own retention: kept as an expire
     * timestamp (a v1 value), across a restart */
    fixture_t f;
    fx_init(&f, true);
    kl_offset_commit_request_partition_t p = {0, 77, -1, -1, KL_STR_NULL};
    kl_offset_commit_request_topic_t t = {kl_str("t"), {&p, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str("s");
    req.retention_time_ms = 5 * MINUTE;
    req.topics.items = &t;
    req.topics.count = 1;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(3, "c");
    ck_assert_int_eq(group_offset_commit(f.coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_COMMIT, 3)), GROUP_REPLIED);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 77);
    fx_restart(&f);
    fx_advance(&f, 9 * MINUTE);
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), 77);
    fx_advance(&f, MINUTE); /* the first check after the restart */
    ck_assert_int_eq(fx_fetch(&f, "s", "t", 0, NULL, 0), -1);
    fx_reply_free(&r);
    fx_free(&f);
}
END_TEST

START_TEST(test_group_partition_hash)
{
    /* Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] in int32. */
    ck_assert_int_eq(group_java_hash(kl_str("a")), 97);
    ck_assert_int_eq(group_java_hash(kl_str("ab")), 97 * 31 + 98);
    /* "my-group", by hand: m=109 y=121 -=45 g=103 r=114 o=111 u=117 p=112 */
    uint32_t h = 0;
    const int chars[] = {109, 121, 45, 103, 114, 111, 117, 112};
    for (int i = 0; i < 8; i++)
        h = h * 31 + (uint32_t)chars[i];
    ck_assert_int_eq((int32_t)h, -1906497762);
    ck_assert_int_eq(group_java_hash(kl_str("my-group")), -1906497762);
    ck_assert_int_eq(group_partition_for(kl_str("my-group"), 50), 1906497762 % 50);
    ck_assert_int_eq(group_partition_for(kl_str("console-consumer-12345"), 50), 158455506 % 50);
    /* hashCode == Integer.MIN_VALUE: Kafka's abs gives 0 */
    ck_assert_int_eq(group_java_hash(kl_str("polygenelubricants")), INT32_MIN);
    ck_assert_int_eq(group_partition_for(kl_str("polygenelubricants"), 50), 0);
    /* non-ASCII: UTF-16 code units, a surrogate pair beyond the BMP */
    ck_assert_int_eq(group_java_hash(kl_str("\xc3\xa9")), 0xe9);
    ck_assert_int_eq(group_java_hash(kl_str("\xf0\x9f\x98\x80")), 0xd83d * 31 + 0xde00);
    ck_assert_int_eq(group_partition_for(kl_str("group\xc3\xa9\xf0\x9f\x98\x80x"), 50), 39);
}
END_TEST

START_TEST(test_record_formats)
{
    kl_buf_t b;
    kl_buf_init(&b, 0);
    group_record_offset_key(&b, "g1", "t", 3);
    const uint8_t key[] = {0, 1, 0, 2, 'g', '1', 0, 1, 't', 0, 0, 0, 3};
    ck_assert_uint_eq(b.len, sizeof key);
    ck_assert_int_eq(memcmp(b.data, key, sizeof key), 0);
    kl_buf_reset(&b);
    group_offset_t o = {"t", 3, 0x0102030405060708, 5, "md", 0x1122334455667788, -1};
    group_record_offset_value(&b, &o);
    const uint8_t value[] = {0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 5, 0, 2, 'm', 'd',
                             0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    ck_assert_uint_eq(b.len, sizeof value);
    ck_assert_int_eq(memcmp(b.data, value, sizeof value), 0);
    kl_buf_reset(&b);
    group_record_group_key(&b, "g1");
    const uint8_t gkey[] = {0, 2, 0, 2, 'g', '1'};
    ck_assert_uint_eq(b.len, sizeof gkey);
    ck_assert_int_eq(memcmp(b.data, gkey, sizeof gkey), 0);
    kl_buf_free(&b);
}
END_TEST

START_TEST(test_group_metadata_record)
{
    /* An Empty group after its last member left: GroupMetadataValue v3
     * with protocol type, generation, null protocol and leader, the state
     * timestamp and no members. */
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a;
    fx_client_init(&a, "a", "range");
    fx_client_t *all[] = {&a};
    fx_form_group(&f, all, 1, "g");
    kl_buf_reset(&f.stored);
    ck_assert_int_eq(fx_leave(&f, &a, "g", 1), KL_ERR_NONE);
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, f.stored.data, f.stored.len, 0);
    kl_batch_t batch;
    ck_assert_int_eq(kl_batch_iter_next(&it, &batch), KL_ERR_NONE);
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, &batch), KL_ERR_NONE);
    kl_record_t rec;
    ck_assert_int_eq(kl_record_iter_next(&ri, &rec), KL_ERR_NONE);
    const uint8_t key[] = {0, 2, 0, 1, 'g'};
    ck_assert_uint_eq(rec.key_len, sizeof key);
    ck_assert_int_eq(memcmp(rec.key, key, sizeof key), 0);
    uint8_t value[64] = {0, 3, 0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff};
    size_t n = 20;
    kl_store_be64(value + n, (uint64_t)f.wall);
    n += 8;
    n += 4; /* no members */
    ck_assert_uint_eq(rec.value_len, n);
    ck_assert_int_eq(memcmp(rec.value, value, n), 0);
    ck_assert_int_eq(rec.timestamp, f.wall);
    kl_record_iter_free(&ri);
    fx_client_free(&a);
    fx_free(&f);
}
END_TEST

START_TEST(test_deleted_topic_offsets)
{
    /* A deleted topic's offsets leave every group: a Stable group keeps
     * its member and its other offsets, an Empty one left without offsets
     * goes, and the tombstones outlive a restart. */
    fixture_t f;
    fx_init(&f, true);
    fx_client_t a;
    fx_client_init(&a, "a", "range");
    fx_client_t *ga[] = {&a};
    fx_form_group(&f, ga, 1, "stable");
    ck_assert_int_eq(fx_commit(&f, "stable", 1, a.member_id, "gone", 0, 5, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "stable", 1, a.member_id, "stays", 0, 6, NULL, 8), KL_ERR_NONE);
    ck_assert_int_eq(fx_commit(&f, "simple", -1, NULL, "gone", 1, 7, NULL, 8), KL_ERR_NONE);
    group_topic_deleted(f.coord, "gone");
    ck_assert_int_eq(fx_fetch(&f, "stable", "gone", 0, NULL, 0), -1);
    ck_assert_int_eq(fx_fetch(&f, "stable", "stays", 0, NULL, 0), 6);
    ck_assert_str_eq(state_of(&f, "stable"), "Stable");
    ck_assert_int_eq(fx_heartbeat(&f, &a, "stable"), KL_ERR_NONE);
    ck_assert_int_eq(fx_fetch(&f, "simple", "gone", 1, NULL, 0), -1);
    ck_assert_str_eq(state_of(&f, "simple"), "Dead");
    fx_restart(&f);
    ck_assert_int_eq(fx_fetch(&f, "stable", "gone", 0, NULL, 0), -1);
    ck_assert_int_eq(fx_fetch(&f, "stable", "stays", 0, NULL, 0), 6);
    ck_assert_str_eq(state_of(&f, "simple"), "Dead");
    fx_client_free(&a);
    fx_free(&f);
}
END_TEST

static Suite *group_offsets_suite(void)
{
    Suite *s = suite_create("group_offsets");
    TCase *tc = tcase_create("offsets");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_member_commits);
    tcase_add_test(tc, test_simple_group_and_listing);
    tcase_add_test(tc, test_commit_acknowledged_after_append);
    tcase_add_test(tc, test_offsets_and_groups_survive_restart);
    tcase_add_test(tc, test_tombstones_and_delete_groups);
    tcase_add_test(tc, test_offset_delete_rules);
    tcase_add_test(tc, test_retention_expires_offsets);
    tcase_add_test(tc, test_commit_retention_time);
    tcase_add_test(tc, test_deleted_topic_offsets);
    tcase_add_test(tc, test_group_partition_hash);
    tcase_add_test(tc, test_record_formats);
    tcase_add_test(tc, test_group_metadata_record);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(group_offsets_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
