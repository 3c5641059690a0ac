/* Unit tests for the group, offset and consumer-protocol field tables:
 * byte vectors written by hand from Kafka's protocol definitions must
 * decode to the expected values, re-encode to the same bytes, and fail
 * cleanly when cut short anywhere. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafkalite.h"
#include "proto/codec.h"
#include "proto/msg_consumer_protocol.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"
#include "proto_vector.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/reader.h"

#define ck_assert_kl_str(s, want)                                                           \
    do {                                                                                    \
        kl_str_t s_ = (s);                                                                  \
        ck_assert_msg(kl_str_eq(s_, (want)), "%s is \"%.*s\" (len %d), want \"%s\"", #s,   \
                      s_.len > 0 ? (int)s_.len : 0, s_.ptr ? s_.ptr : "", (int)s_.len,      \
                      (want) ? (want) : "(null)");                                          \
    } while (0)

#define ck_assert_kl_bytes(b, want, n)                                                      \
    do {                                                                                    \
        kl_bytes_t b_ = (b);                                                                \
        ck_assert_int_eq(b_.len, (n));                                                      \
        if (n > 0)                                                                          \
            ck_assert_mem_eq(b_.ptr, (want), (size_t)(n));                                  \
    } while (0)


#define DECODE(schema, version, flexible, vec, msgp)                                        \
    check_proto_vector(&(schema), (version), (flexible), (const uint8_t *)(vec), sizeof(vec) - 1, &arena, (msgp))

/* Strings are written as separate literals after hex escapes, so that an
 * escape never swallows the text that follows it. */

/* ---- FindCoordinator ---------------------------------------------------- */

START_TEST(test_find_coordinator_request_v0)
{
    static const char vec[] = "\x00\x04" "grp1"; /* key */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_find_coordinator_request_t req;
    DECODE(kl_find_coordinator_request_schema, 0, false, vec, &req);
    ck_assert_kl_str(req.key, "grp1");
    ck_assert_int_eq(req.key_type, 0);
    ck_assert_int_eq(req.coordinator_keys.count, 0);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_find_coordinator_request_v4_batched)
{
    static const char vec[] =
        "\x01"             /* key_type: transaction */
        "\x03"             /* coordinator_keys: compact count 2 */
        "\x04" "tx1"
        "\x04" "tx2"
        "\x00";            /* no tagged fields */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_find_coordinator_request_t req;
    DECODE(kl_find_coordinator_request_schema, 4, true, vec, &req);
    ck_assert_int_eq(req.key_type, 1);
    ck_assert_int_eq(req.coordinator_keys.count, 2);
    ck_assert_kl_str(req.coordinator_keys.items[0], "tx1");
    ck_assert_kl_str(req.coordinator_keys.items[1], "tx2");
    ck_assert_kl_str(req.key, ""); /* v0-3 only: left at its default */
    kl_arena_free(&arena);
}
END_TEST

/* ---- JoinGroup ---------------------------------------------------------- */

/* A ConsumerProtocolSubscription v0 with its leading version: topics ["t"],
 * no user data (13 bytes). */
#define SUBSCRIPTION_V0_T                                                                   \
    "\x00\x00" "\x00\x00\x00\x01" "\x00\x01" "t" "\xff\xff\xff\xff"

START_TEST(test_join_group_request_v5)
{
    static const char vec[] =
        "\x00\x03" "grp"                /* group_id */
        "\x00\x00\x75\x30"              /* session_timeout_ms 30000 */
        "\x00\x00\xea\x60"              /* rebalance_timeout_ms 60000 */
        "\x00\x00"                      /* member_id "" */
        "\x00\x06" "inst-1"             /* group_instance_id */
        "\x00\x08" "consumer"           /* protocol_type */
        "\x00\x00\x00\x02"              /* protocols: 2 */
        "\x00\x05" "range"
        "\x00\x00\x00\x0d" SUBSCRIPTION_V0_T
        "\x00\x0a" "roundrobin"
        "\x00\x00\x00\x00";             /* empty metadata */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_join_group_request_t req;
    DECODE(kl_join_group_request_schema, 5, false, vec, &req);
    ck_assert_kl_str(req.group_id, "grp");
    ck_assert_int_eq(req.session_timeout_ms, 30000);
    ck_assert_int_eq(req.rebalance_timeout_ms, 60000);
    ck_assert_kl_str(req.member_id, "");
    ck_assert_kl_str(req.group_instance_id, "inst-1");
    ck_assert_kl_str(req.protocol_type, "consumer");
    ck_assert_kl_str(req.reason, NULL); /* v8+: default null */
    ck_assert_int_eq(req.protocols.count, 2);
    ck_assert_kl_str(req.protocols.items[0].name, "range");
    ck_assert_kl_str(req.protocols.items[1].name, "roundrobin");
    ck_assert_int_eq(req.protocols.items[1].metadata.len, 0);

    /* The metadata is the consumer protocol's subscription. */
    kl_consumer_protocol_subscription_t sub;
    int16_t sub_version = -1;
    ck_assert_int_eq(kl_consumer_protocol_subscription_decode(req.protocols.items[0].metadata,
                                                              &arena, &sub, &sub_version),
                     KL_ERR_NONE);
    ck_assert_int_eq(sub_version, 0);
    ck_assert_int_eq(sub.topics.count, 1);
    ck_assert_kl_str(sub.topics.items[0], "t");
    ck_assert_int_eq(sub.user_data.len, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_join_group_response_v6_flexible)
{
    static const char vec[] =
        "\x00\x00\x00\x00"              /* throttle_time_ms */
        "\x00\x00"                      /* error_code */
        "\x00\x00\x00\x03"              /* generation_id */
        "\x06" "range"                  /* protocol_name (compact) */
        "\x04" "m-1"                    /* leader */
        "\x04" "m-1"                    /* member_id */
        "\x03"                          /* members: compact count 2 */
        "\x04" "m-1" "\x04" "i-1" "\x03" "\xab\xcd" "\x00"
        "\x04" "m-2" "\x00"             /* group_instance_id null */
        "\x01"                          /* empty metadata */
        "\x00"                          /* member's tagged fields */
        "\x00";                         /* response's tagged fields */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_join_group_response_t resp;
    DECODE(kl_join_group_response_schema, 6, true, vec, &resp);
    ck_assert_int_eq(resp.throttle_time_ms, 0);
    ck_assert_int_eq(resp.error_code, 0);
    ck_assert_int_eq(resp.generation_id, 3);
    ck_assert_kl_str(resp.protocol_type, NULL); /* v7+ */
    ck_assert_kl_str(resp.protocol_name, "range");
    ck_assert_kl_str(resp.leader, "m-1");
    ck_assert(!resp.skip_assignment);
    ck_assert_kl_str(resp.member_id, "m-1");
    ck_assert_int_eq(resp.members.count, 2);
    ck_assert_kl_str(resp.members.items[0].member_id, "m-1");
    ck_assert_kl_str(resp.members.items[0].group_instance_id, "i-1");
    ck_assert_kl_bytes(resp.members.items[0].metadata, "\xab\xcd", 2);
    ck_assert_kl_str(resp.members.items[1].member_id, "m-2");
    ck_assert_kl_str(resp.members.items[1].group_instance_id, NULL);
    ck_assert_int_eq(resp.members.items[1].metadata.len, 0);
    kl_arena_free(&arena);
}
END_TEST

/* ---- SyncGroup ---------------------------------------------------------- */

/* A ConsumerProtocolAssignment v0 with its leading version: t[0,1], no user
 * data (25 bytes). */
#define ASSIGNMENT_V0_T01                                                                   \
    "\x00\x00" "\x00\x00\x00\x01" "\x00\x01" "t"                                            \
    "\x00\x00\x00\x02" "\x00\x00\x00\x00" "\x00\x00\x00\x01" "\xff\xff\xff\xff"

static void check_assignment_t01(kl_bytes_t bytes, kl_arena_t *arena)
{
    kl_consumer_protocol_assignment_t asg;
    int16_t version = -1;
    ck_assert_int_eq(kl_consumer_protocol_assignment_decode(bytes, arena, &asg, &version),
                     KL_ERR_NONE);
    ck_assert_int_eq(version, 0);
    ck_assert_int_eq(asg.assigned_partitions.count, 1);
    ck_assert_kl_str(asg.assigned_partitions.items[0].topic, "t");
    ck_assert_int_eq(asg.assigned_partitions.items[0].partitions.count, 2);
    ck_assert_int_eq(asg.assigned_partitions.items[0].partitions.items[0], 0);
    ck_assert_int_eq(asg.assigned_partitions.items[0].partitions.items[1], 1);
    ck_assert_int_eq(asg.user_data.len, -1);
}

START_TEST(test_sync_group_v3)
{
    static const char req_vec[] =
        "\x00\x03" "grp"                /* group_id */
        "\x00\x00\x00\x03"              /* generation_id */
        "\x00\x03" "m-1"                /* member_id */
        "\xff\xff"                      /* group_instance_id null */
        "\x00\x00\x00\x01"              /* assignments: 1 */
        "\x00\x03" "m-1"
        "\x00\x00\x00\x19" ASSIGNMENT_V0_T01;
    static const char resp_vec[] =
        "\x00\x00\x00\x0a"              /* throttle_time_ms 10 */
        "\x00\x00"                      /* error_code */
        "\x00\x00\x00\x19" ASSIGNMENT_V0_T01;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);

    kl_sync_group_request_t req;
    DECODE(kl_sync_group_request_schema, 3, false, req_vec, &req);
    ck_assert_kl_str(req.group_id, "grp");
    ck_assert_int_eq(req.generation_id, 3);
    ck_assert_kl_str(req.member_id, "m-1");
    ck_assert_kl_str(req.group_instance_id, NULL);
    ck_assert_kl_str(req.protocol_type, NULL); /* v5+ */
    ck_assert_kl_str(req.protocol_name, NULL);
    ck_assert_int_eq(req.assignments.count, 1);
    ck_assert_kl_str(req.assignments.items[0].member_id, "m-1");
    check_assignment_t01(req.assignments.items[0].assignment, &arena);

    kl_sync_group_response_t resp;
    DECODE(kl_sync_group_response_schema, 3, false, resp_vec, &resp);
    ck_assert_int_eq(resp.throttle_time_ms, 10);
    ck_assert_int_eq(resp.error_code, 0);
    check_assignment_t01(resp.assignment, &arena);
    kl_arena_free(&arena);
}
END_TEST

/* ---- LeaveGroup --------------------------------------------------------- */

START_TEST(test_leave_group_v3_batched)
{
    static const char req_vec[] =
        "\x00\x03" "grp"                /* group_id */
        "\x00\x00\x00\x02"              /* members: 2 */
        "\x00\x03" "m-1" "\x00\x03" "i-1"
        "\x00\x03" "m-2" "\xff\xff";    /* no group_instance_id */
    static const char resp_vec[] =
        "\x00\x00\x00\x00"              /* throttle_time_ms */
        "\x00\x00"                      /* error_code */
        "\x00\x00\x00\x02"              /* members: 2 */
        "\x00\x03" "m-1" "\x00\x03" "i-1" "\x00\x00"
        "\x00\x03" "m-2" "\xff\xff" "\x00\x19"; /* UNKNOWN_MEMBER_ID */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);

    kl_leave_group_request_t req;
    DECODE(kl_leave_group_request_schema, 3, false, req_vec, &req);
    ck_assert_kl_str(req.group_id, "grp");
    ck_assert_kl_str(req.member_id, ""); /* v0-2 only */
    ck_assert_int_eq(req.members.count, 2);
    ck_assert_kl_str(req.members.items[0].member_id, "m-1");
    ck_assert_kl_str(req.members.items[0].group_instance_id, "i-1");
    ck_assert_kl_str(req.members.items[0].reason, NULL); /* v5+ */
    ck_assert_kl_str(req.members.items[1].member_id, "m-2");
    ck_assert_kl_str(req.members.items[1].group_instance_id, NULL);

    kl_leave_group_response_t resp;
    DECODE(kl_leave_group_response_schema, 3, false, resp_vec, &resp);
    ck_assert_int_eq(resp.members.count, 2);
    ck_assert_kl_str(resp.members.items[0].group_instance_id, "i-1");
    ck_assert_int_eq(resp.members.items[0].error_code, 0);
    ck_assert_kl_str(resp.members.items[1].group_instance_id, NULL);
    ck_assert_int_eq(resp.members.items[1].error_code, KL_ERR_UNKNOWN_MEMBER_ID);
    kl_arena_free(&arena);
}
END_TEST

/* ---- OffsetCommit ------------------------------------------------------- */

START_TEST(test_offset_commit_request_v2)
{
    static const char vec[] =
        "\x00\x03" "grp"                        /* group_id */
        "\x00\x00\x00\x03"                      /* generation_id_or_member_epoch */
        "\x00\x03" "m-1"                        /* member_id */
        "\x00\x00\x00\x00\x05\x26\x5c\x00"      /* retention_time_ms 86400000 */
        "\x00\x00\x00\x01"                      /* topics: 1 */
        "\x00\x01" "t"
        "\x00\x00\x00\x02"                      /* partitions: 2 */
        "\x00\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x2a" "\x00\x00"
        "\x00\x00\x00\x01" "\x00\x00\x00\x01\x00\x00\x00\x00" "\xff\xff";
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_offset_commit_request_t req;
    DECODE(kl_offset_commit_request_schema, 2, false, vec, &req);
    ck_assert_kl_str(req.group_id, "grp");
    ck_assert_int_eq(req.generation_id_or_member_epoch, 3);
    ck_assert_kl_str(req.member_id, "m-1");
    ck_assert_kl_str(req.group_instance_id, NULL);
    ck_assert_int_eq(req.retention_time_ms, 86400000);
    ck_assert_int_eq(req.topics.count, 1);
    ck_assert_kl_str(req.topics.items[0].name, "t");
    ck_assert_int_eq(req.topics.items[0].partitions.count, 2);
    const kl_offset_commit_request_partition_t *p = req.topics.items[0].partitions.items;
    ck_assert_int_eq(p[0].partition_index, 0);
    ck_assert_int_eq(p[0].committed_offset, 42);
    ck_assert_int_eq(p[0].committed_leader_epoch, -1); /* v6+ */
    ck_assert_int_eq(p[0].commit_timestamp, -1);       /* v1 only */
    ck_assert_kl_str(p[0].committed_metadata, "");
    ck_assert_int_eq(p[1].partition_index, 1);
    ck_assert_int_eq(p[1].committed_offset, INT64_C(1) << 32);
    ck_assert_kl_str(p[1].committed_metadata, NULL);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_offset_commit_request_v8_flexible)
{
    static const char vec[] =
        "\x04" "grp"                            /* group_id */
        "\x00\x00\x00\x03"                      /* generation_id_or_member_epoch */
        "\x04" "m-1"                            /* member_id */
        "\x00"                                  /* group_instance_id null */
        "\x02"                                  /* topics: compact count 1 */
        "\x02" "t"
        "\x02"                                  /* partitions: compact count 1 */
        "\x00\x00\x00\x05"                      /* partition_index */
        "\x00\x00\x00\x00\x00\x00\x00\x64"      /* committed_offset 100 */
        "\x00\x00\x00\x07"                      /* committed_leader_epoch */
        "\x03" "md"                             /* committed_metadata */
        "\x00"                                  /* partition's tagged fields */
        "\x00"                                  /* topic's tagged fields */
        "\x00";                                 /* request's tagged fields */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_offset_commit_request_t req;
    DECODE(kl_offset_commit_request_schema, 8, true, vec, &req);
    ck_assert_kl_str(req.group_id, "grp");
    ck_assert_int_eq(req.generation_id_or_member_epoch, 3);
    ck_assert_kl_str(req.group_instance_id, NULL);
    ck_assert_int_eq(req.retention_time_ms, -1); /* v2-4 only */
    ck_assert_int_eq(req.topics.count, 1);
    const kl_offset_commit_request_partition_t *p = req.topics.items[0].partitions.items;
    ck_assert_int_eq(req.topics.items[0].partitions.count, 1);
    ck_assert_int_eq(p[0].partition_index, 5);
    ck_assert_int_eq(p[0].committed_offset, 100);
    ck_assert_int_eq(p[0].committed_leader_epoch, 7);
    ck_assert_kl_str(p[0].committed_metadata, "md");
    kl_arena_free(&arena);
}
END_TEST

/* ---- OffsetFetch -------------------------------------------------------- */

START_TEST(test_offset_fetch_request_v8_multi_group)
{
    static const char vec[] =
        "\x03"                                  /* groups: compact count 2 */
        "\x03" "g1"
        "\x02"                                  /* topics: compact count 1 */
        "\x02" "t" "\x03" "\x00\x00\x00\x00" "\x00\x00\x00\x01" "\x00"
        "\x00"                                  /* group's tagged fields */
        "\x03" "g2"
        "\x00"                                  /* topics null: all of them */
        "\x00"
        "\x01"                                  /* require_stable */
        "\x00";
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_offset_fetch_request_t req;
    DECODE(kl_offset_fetch_request_schema, 8, true, vec, &req);
    ck_assert(req.require_stable);
    ck_assert_int_eq(req.groups.count, 2);
    const kl_offset_fetch_request_group_t *g = req.groups.items;
    ck_assert_kl_str(g[0].group_id, "g1");
    ck_assert_kl_str(g[0].member_id, NULL); /* v9+ */
    ck_assert_int_eq(g[0].member_epoch, -1);
    ck_assert_int_eq(g[0].topics.count, 1);
    ck_assert_kl_str(g[0].topics.items[0].name, "t");
    ck_assert_int_eq(g[0].topics.items[0].partition_indexes.count, 2);
    ck_assert_int_eq(g[0].topics.items[0].partition_indexes.items[1], 1);
    ck_assert_kl_str(g[1].group_id, "g2");
    ck_assert_int_eq(g[1].topics.count, -1);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(test_offset_fetch_response_v1)
{
    static const char vec[] =
        "\x00\x00\x00\x01"                      /* topics: 1 */
        "\x00\x01" "t"
        "\x00\x00\x00\x02"                      /* partitions: 2 */
        "\x00\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x2a" "\x00\x00" "\x00\x00"
        "\x00\x00\x00\x01" "\xff\xff\xff\xff\xff\xff\xff\xff" "\xff\xff" "\x00\x03";
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_offset_fetch_response_t resp;
    DECODE(kl_offset_fetch_response_schema, 1, false, vec, &resp);
    ck_assert_int_eq(resp.throttle_time_ms, 0); /* v3+ */
    ck_assert_int_eq(resp.error_code, 0);       /* v2-7 */
    ck_assert_int_eq(resp.groups.count, 0);     /* v8+ */
    ck_assert_int_eq(resp.topics.count, 1);
    ck_assert_kl_str(resp.topics.items[0].name, "t");
    ck_assert_int_eq(resp.topics.items[0].partitions.count, 2);
    const kl_offset_fetch_response_partition_t *p = resp.topics.items[0].partitions.items;
    ck_assert_int_eq(p[0].committed_offset, 42);
    ck_assert_int_eq(p[0].committed_leader_epoch, -1); /* v5-7 */
    ck_assert_kl_str(p[0].metadata, "");
    ck_assert_int_eq(p[0].error_code, 0);
    ck_assert_int_eq(p[1].partition_index, 1);
    ck_assert_int_eq(p[1].committed_offset, -1);
    ck_assert_kl_str(p[1].metadata, NULL);
    ck_assert_int_eq(p[1].error_code, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_arena_free(&arena);
}
END_TEST

/* "All topics" (a null array) exists only from v2, v8+ aside. */
START_TEST(test_offset_fetch_null_topics_only_from_v2)
{
    static const char vec[] = "\x00\x01" "g" "\xff\xff\xff\xff"; /* group_id, topics null */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_offset_fetch_request_t req;
    kl_rd_t rd;
    kl_rd_init(&rd, vec, sizeof vec - 1);
    ck_assert_int_eq(kl_proto_decode(&rd, &kl_offset_fetch_request_schema, 1, false, &arena, &req),
                     KL_ERR_BAD_MSG);
    DECODE(kl_offset_fetch_request_schema, 2, false, vec, &req);
    ck_assert_kl_str(req.group_id, "g");
    ck_assert_int_eq(req.topics.count, -1);

    kl_buf_t out;
    kl_buf_init(&out, 0);
    ck_assert_int_eq(kl_proto_encode(&out, &kl_offset_fetch_request_schema, 1, false, &req),
                     KL_ERR_INVALID_ARG);
    kl_buf_free(&out);
    kl_arena_free(&arena);
}
END_TEST

/* ---- ConsumerProtocol --------------------------------------------------- */

START_TEST(test_consumer_protocol_subscription_v0_v1)
{
    /* The fields only; the leading version is the helpers' job (below). */
    static const char v0[] =
        "\x00\x00\x00\x02" "\x00\x02" "t1" "\x00\x02" "t2"  /* topics */
        "\x00\x00\x00\x03" "\x01\x02\x03";                  /* user_data */
    static const char v1[] =
        "\x00\x00\x00\x01" "\x00\x01" "t"                   /* topics */
        "\xff\xff\xff\xff"                                  /* user_data null */
        "\x00\x00\x00\x01"                                  /* owned_partitions: 1 */
        "\x00\x01" "t" "\x00\x00\x00\x02" "\x00\x00\x00\x00" "\x00\x00\x00\x02";
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_consumer_protocol_subscription_t sub;

    DECODE(kl_consumer_protocol_subscription_schema, 0, false, v0, &sub);
    ck_assert_int_eq(sub.topics.count, 2);
    ck_assert_kl_str(sub.topics.items[0], "t1");
    ck_assert_kl_str(sub.topics.items[1], "t2");
    ck_assert_kl_bytes(sub.user_data, "\x01\x02\x03", 3);
    ck_assert_int_eq(sub.owned_partitions.count, 0);
    ck_assert_int_eq(sub.generation_id, -1);
    ck_assert_kl_str(sub.rack_id, NULL);

    DECODE(kl_consumer_protocol_subscription_schema, 1, false, v1, &sub);
    ck_assert_int_eq(sub.topics.count, 1);
    ck_assert_int_eq(sub.user_data.len, -1);
    ck_assert_int_eq(sub.owned_partitions.count, 1);
    ck_assert_kl_str(sub.owned_partitions.items[0].topic, "t");
    ck_assert_int_eq(sub.owned_partitions.items[0].partitions.count, 2);
    ck_assert_int_eq(sub.owned_partitions.items[0].partitions.items[0], 0);
    ck_assert_int_eq(sub.owned_partitions.items[0].partitions.items[1], 2);
    ck_assert_int_eq(sub.generation_id, -1); /* v2+ */
    kl_arena_free(&arena);
}
END_TEST

/* The helpers add the leading version, read a newer version as v3 ignoring
 * what follows the known fields, and refuse negative versions. */
START_TEST(test_consumer_protocol_versioned_helpers)
{
    static const char future[] =
        "\x00\x05"                                          /* version 5 */
        "\x00\x00\x00\x01" "\x00\x01" "t"                   /* topics */
        "\xff\xff\xff\xff"                                  /* user_data null */
        "\x00\x00\x00\x00"                                  /* owned_partitions */
        "\x00\x00\x00\x09"                                  /* generation_id */
        "\x00\x02" "r1"                                     /* rack_id */
        "\x12\x34\x56";                                     /* a v5 field */
    static const char negative[] = "\xff\xff" "\x00\x00\x00\x00" "\xff\xff\xff\xff";
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_consumer_protocol_subscription_t sub;
    int16_t version = 0;
    ck_assert_int_eq(kl_consumer_protocol_subscription_decode(
                         kl_bytes(future, sizeof future - 1), &arena, &sub, &version),
                     KL_ERR_NONE);
    ck_assert_int_eq(version, 5);
    ck_assert_kl_str(sub.topics.items[0], "t");
    ck_assert_int_eq(sub.generation_id, 9);
    ck_assert_kl_str(sub.rack_id, "r1");
    ck_assert_int_eq(kl_consumer_protocol_subscription_decode(
                         kl_bytes(negative, sizeof negative - 1), &arena, &sub, NULL),
                     KL_ERR_BAD_MSG);
    ck_assert_int_eq(kl_consumer_protocol_subscription_decode(kl_bytes("\x00", 1), &arena,
                                                              &sub, NULL),
                     KL_ERR_BAD_MSG);

    /* Encoding v3 gives the future vector minus its version and tail. */
    kl_buf_t out;
    kl_buf_init(&out, 0);
    ck_assert_int_eq(kl_consumer_protocol_subscription_encode(&out, 3, &sub), KL_ERR_NONE);
    ck_assert_uint_eq(out.len, sizeof future - 1 - 3);
    ck_assert_mem_eq(out.data, "\x00\x03", 2);
    ck_assert_mem_eq(out.data + 2, future + 2, out.len - 2);
    ck_assert_int_eq(kl_consumer_protocol_subscription_encode(&out, 4, &sub), KL_ERR_INVALID_ARG);

    static const char assignment[] = ASSIGNMENT_V0_T01;
    kl_consumer_protocol_assignment_t asg;
    ck_assert_int_eq(kl_consumer_protocol_assignment_decode(
                         kl_bytes(assignment, sizeof assignment - 1), &arena, &asg, NULL),
                     KL_ERR_NONE);
    kl_buf_reset(&out);
    ck_assert_int_eq(kl_consumer_protocol_assignment_encode(&out, 0, &asg), KL_ERR_NONE);
    ck_assert_uint_eq(out.len, sizeof assignment - 1);
    ck_assert_mem_eq(out.data, assignment, out.len);
    kl_buf_free(&out);
    kl_arena_free(&arena);
}
END_TEST

/* ---- every table, every version ---------------------------------------- */

static const struct {
    const kl_schema_t *schema;
    int16_t max_version; /* Kafka's validVersions are 0..max_version */
    int16_t flex_min;    /* first flexible version, or KL_VNONE */
} all_schemas[] = {
    {&kl_find_coordinator_request_schema, 6, 3},
    {&kl_find_coordinator_response_schema, 6, 3},
    {&kl_join_group_request_schema, 9, 6},
    {&kl_join_group_response_schema, 9, 6},
    {&kl_sync_group_request_schema, 5, 4},
    {&kl_sync_group_response_schema, 5, 4},
    {&kl_heartbeat_request_schema, 4, 4},
    {&kl_heartbeat_response_schema, 4, 4},
    {&kl_leave_group_request_schema, 5, 4},
    {&kl_leave_group_response_schema, 5, 4},
    {&kl_list_groups_request_schema, 5, 3},
    {&kl_list_groups_response_schema, 5, 3},
    {&kl_describe_groups_request_schema, 5, 5},
    {&kl_describe_groups_response_schema, 5, 5},
    {&kl_delete_groups_request_schema, 2, 2},
    {&kl_delete_groups_response_schema, 2, 2},
    {&kl_offset_commit_request_schema, 9, 8},
    {&kl_offset_commit_response_schema, 9, 8},
    {&kl_offset_fetch_request_schema, 9, 6},
    {&kl_offset_fetch_response_schema, 9, 6},
    {&kl_offset_delete_request_schema, 0, KL_VNONE},
    {&kl_offset_delete_response_schema, 0, KL_VNONE},
    {&kl_consumer_protocol_subscription_schema, 3, KL_VNONE},
    {&kl_consumer_protocol_assignment_schema, 3, KL_VNONE},
};

/* A message left at its defaults must encode and decode back to itself at
 * every version: no table asks for a null where the wire cannot carry one. */
START_TEST(test_defaults_round_trip_every_version)
{
    for (size_t i = 0; i < sizeof all_schemas / sizeof all_schemas[0]; i++) {
        const kl_schema_t *schema = all_schemas[i].schema;
        for (int16_t v = 0; v <= all_schemas[i].max_version; v++) {
            bool flexible = all_schemas[i].flex_min != KL_VNONE && v >= all_schemas[i].flex_min;
            void *a = malloc(schema->size), *b = malloc(schema->size);
            ck_assert(a && b);
            kl_proto_init(schema, a);
            kl_buf_t out;
            kl_buf_init(&out, 0);
            ck_assert_msg(kl_proto_encode(&out, schema, v, flexible, a) == KL_ERR_NONE,
                          "%s v%d encode", schema->name, v);
            kl_arena_t arena;
            kl_arena_init(&arena, 0);
            kl_rd_t rd;
            kl_rd_init(&rd, out.data, out.len);
            ck_assert_msg(kl_proto_decode(&rd, schema, v, flexible, &arena, b) == KL_ERR_NONE,
                          "%s v%d decode", schema->name, v);
            ck_assert_uint_eq(kl_rd_remaining(&rd), 0);
            ck_assert_msg(kl_proto_equal(schema, v, a, b), "%s v%d differs", schema->name, v);
            kl_arena_free(&arena);
            kl_buf_free(&out);
            free(a);
            free(b);
        }
    }
}
END_TEST

START_TEST(test_defaults_follow_kafka)
{
    kl_join_group_request_t join;
    kl_proto_init(&kl_join_group_request_schema, &join);
    ck_assert_int_eq(join.rebalance_timeout_ms, -1);
    ck_assert_kl_str(join.group_instance_id, NULL);
    ck_assert_kl_str(join.reason, NULL);
    ck_assert_kl_str(join.member_id, "");

    kl_join_group_response_t joined;
    kl_proto_init(&kl_join_group_response_schema, &joined);
    ck_assert_int_eq(joined.generation_id, -1);
    ck_assert_kl_str(joined.protocol_type, NULL);
    ck_assert_kl_str(joined.protocol_name, ""); /* nullable, but no null default */

    kl_describe_groups_response_t described;
    kl_proto_init(&kl_describe_groups_response_schema, &described);
    ck_assert_int_eq(described.groups.count, 0);
    kl_describe_groups_response_described_group_t group;
    kl_proto_init(kl_describe_groups_response_schema.fields[1].sub, &group);
    ck_assert_int_eq(group.authorized_operations, INT32_MIN);

    kl_offset_fetch_request_group_t fetch_group;
    kl_proto_init(kl_offset_fetch_request_schema.fields[2].sub, &fetch_group);
    ck_assert_int_eq(fetch_group.member_epoch, -1);
    ck_assert_kl_str(fetch_group.member_id, NULL);
    ck_assert_int_eq(fetch_group.topics.count, 0); /* nullable, but no null default */
}
END_TEST

static Suite *proto_group_suite(void)
{
    Suite *s = suite_create("proto_group");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_find_coordinator_request_v0);
    tcase_add_test(tc, test_find_coordinator_request_v4_batched);
    tcase_add_test(tc, test_join_group_request_v5);
    tcase_add_test(tc, test_join_group_response_v6_flexible);
    tcase_add_test(tc, test_sync_group_v3);
    tcase_add_test(tc, test_leave_group_v3_batched);
    tcase_add_test(tc, test_offset_commit_request_v2);
    tcase_add_test(tc, test_offset_commit_request_v8_flexible);
    tcase_add_test(tc, test_offset_fetch_request_v8_multi_group);
    tcase_add_test(tc, test_offset_fetch_response_v1);
    tcase_add_test(tc, test_offset_fetch_null_topics_only_from_v2);
    tcase_add_test(tc, test_consumer_protocol_subscription_v0_v1);
    tcase_add_test(tc, test_consumer_protocol_versioned_helpers);
    suite_add_tcase(s, tc);
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, test_defaults_round_trip_every_version);
    tcase_add_test(tables, test_defaults_follow_kafka);
    suite_add_tcase(s, tables);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proto_group_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
