/* Committed offsets of a deleted topic, over the wire: DeleteTopics
 * removes them from every group, as Kafka does, so OffsetFetch no longer
 * lists them (nor after a restart, nor once a topic of the same name is
 * created again); a group that kept offsets of other topics stays listed
 * and described as Empty, and a group left with none is gone from
 * ListGroups and described as Dead. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_wire.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"

static const char *const props[] = {
    "offsets.topic.num.partitions", "3",
    NULL,
};

/* OffsetCommit v2 of a simple group: offset 10 * (p + 1) on each partition
 * in parts (ending with -1) of topic; every partition must be accepted. */
static void commit(wire_client_t *wc, const char *group, const char *topic, const int32_t *parts)
{
    kl_offset_commit_request_partition_t p[4];
    int n = 0;
    for (; parts[n] >= 0; n++)
        p[n] = (kl_offset_commit_request_partition_t){.partition_index = parts[n],
                                                      .committed_offset = 10 * (parts[n] + 1),
                                                      .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                      .committed_metadata = kl_str("")};
    kl_offset_commit_request_topic_t t = {.name = kl_str(topic), .partitions = {p, n}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id_or_member_epoch = -1;
    req.member_id = kl_str("");
    req.retention_time_ms = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_commit_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_COMMIT, 2, &req, &resp, &x);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(resp.topics.items[0].partitions.items[i].error_code, 0);
    done(&x);
}

/* OffsetFetch v3 of every committed offset of group (topics null), as
 * "topic:partition=offset " pairs in buf, in the broker's order. */
static const char *fetch_all(wire_client_t *wc, const char *group, char *buf, size_t size)
{
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.count = -1;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 3, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    size_t used = 0;
    buf[0] = '\0';
    for (int32_t t = 0; t < resp.topics.count; t++) {
        const kl_offset_fetch_response_topic_t *rt = &resp.topics.items[t];
        for (int32_t p = 0; p < rt->partitions.count; p++) {
            ck_assert_int_eq(rt->partitions.items[p].error_code, 0);
            used += (size_t)snprintf(buf + used, size - used, "%.*s:%d=%lld ", (int)rt->name.len, rt->name.ptr,
                                     (int)rt->partitions.items[p].partition_index,
                                     (long long)rt->partitions.items[p].committed_offset);
            ck_assert_uint_lt(used, size);
        }
    }
    done(&x);
    return buf;
}

/* Whether fetch_all's answer holds exactly the pairs in want (in any order). */
static bool same_pairs(const char *got, const char *const *want)
{
    size_t n = 0, len = 0;
    for (; want[n]; n++) {
        char pair[64];
        snprintf(pair, sizeof pair, "%s ", want[n]);
        if (!strstr(got, pair))
            return false;
        len += strlen(pair);
    }
    return strlen(got) == len;
}

/* OffsetFetch v1 of one named partition: its offset (-1: none). */
static int64_t fetch_one(wire_client_t *wc, const char *group, const char *topic, int32_t partition)
{
    kl_offset_fetch_request_topic_t t = {.name = kl_str(topic), .partition_indexes = {&partition, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 1, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.count, 1);
    ck_assert_int_eq(resp.topics.items[0].partitions.items[0].error_code, 0);
    int64_t offset = resp.topics.items[0].partitions.items[0].committed_offset;
    done(&x);
    return offset;
}

/* ListGroups v0: whether group is listed. */
static bool listed(wire_client_t *wc, const char *group)
{
    kl_list_groups_request_t req;
    kl_proto_init(&kl_list_groups_request_schema, &req);
    kl_list_groups_response_t resp;
    exchange_t x;
    call(wc, KL_API_LIST_GROUPS, 0, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    bool found = false;
    for (int32_t i = 0; i < resp.groups.count; i++)
        found |= kl_str_eq(resp.groups.items[i].group_id, group);
    done(&x);
    return found;
}

/* DescribeGroups v0: the group's state, in buf. */
static const char *described_state(wire_client_t *wc, const char *group, char *buf, size_t size)
{
    kl_str_t name = kl_str(group);
    kl_describe_groups_request_t req;
    kl_proto_init(&kl_describe_groups_request_schema, &req);
    req.groups.items = &name;
    req.groups.count = 1;
    kl_describe_groups_response_t resp;
    exchange_t x;
    call(wc, KL_API_DESCRIBE_GROUPS, 0, &req, &resp, &x);
    ck_assert_int_eq(resp.groups.count, 1);
    ck_assert_int_eq(resp.groups.items[0].error_code, 0);
    ck_assert_int_eq(resp.groups.items[0].members.count, 0);
    snprintf(buf, size, "%.*s", (int)resp.groups.items[0].group_state.len, resp.groups.items[0].group_state.ptr);
    done(&x);
    return buf;
}

/* What the two groups look like once "doomed" is deleted. */
static void check_after_delete(wire_client_t *wc)
{
    char buf[256];
    static const char *const kept[] = {"kept:0=10", NULL};
    static const char *const none[] = {NULL};
    ck_assert_msg(same_pairs(fetch_all(wc, "both", buf, sizeof buf), kept), "both: %s", buf);
    ck_assert_msg(same_pairs(fetch_all(wc, "only-doomed", buf, sizeof buf), none), "only-doomed: %s", buf);
    ck_assert_int_eq(fetch_one(wc, "both", "doomed", 0), -1);
    ck_assert_int_eq(fetch_one(wc, "only-doomed", "doomed", 1), -1);
    ck_assert(listed(wc, "both"));
    ck_assert_str_eq(described_state(wc, "both", buf, sizeof buf), "Empty");
    ck_assert(!listed(wc, "only-doomed"));
    ck_assert_str_eq(described_state(wc, "only-doomed", buf, sizeof buf), "Dead");
}

START_TEST(test_deleted_topic_offsets_removed)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "doomed", 2, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(create_topic(&wc, "kept", 1, 1, NULL, NULL, false, NULL), 0);
    static const int32_t both_parts[] = {0, 1, -1}, first[] = {0, -1};
    commit(&wc, "both", "doomed", both_parts);
    commit(&wc, "both", "kept", first);
    commit(&wc, "only-doomed", "doomed", both_parts);

    char buf[256];
    static const char *const before[] = {"doomed:0=10", "doomed:1=20", "kept:0=10", NULL};
    ck_assert_msg(same_pairs(fetch_all(&wc, "both", buf, sizeof buf), before), "both: %s", buf);
    ck_assert(listed(&wc, "only-doomed"));
    ck_assert_str_eq(described_state(&wc, "only-doomed", buf, sizeof buf), "Empty");

    ck_assert_int_eq(delete_topic(&wc, "doomed"), 0);
    check_after_delete(&wc);
    wire_close(&wc);

    /* the removal was stored: a restart replays the tombstones */
    fixture_restart(&f);
    connect_to(&wc, &f);
    check_after_delete(&wc);
    /* and a new topic of the same name starts with no committed offsets */
    ck_assert_int_eq(create_topic(&wc, "doomed", 2, 1, NULL, NULL, false, NULL), 0);
    check_after_delete(&wc);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("group_topic_deleted");
    TCase *tc = tcase_create("wire");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_deleted_topic_offsets_removed);
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
