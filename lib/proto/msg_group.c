/* Field tables of the group membership APIs (FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, ListGroups, DescribeGroups,
 * DeleteGroups), transcribed from Kafka's message definitions, in wire order. */
#include "proto/msg_group.h"

#include <stddef.h>
#include <stdint.h>

/* A field Kafka marks nullable in a bounded range n0..n1 (not "n0+"). */
#define FIELD_NULLABLE_IN(S, m, T, v0, v1, n0, n1)                                 \
    KL_FLD(S, m, T, 0, NULL, v0, v1, n0, n1, KL_VNONE, KL_VNONE, KL_VNONE, 0)

/* FindCoordinator: validVersions 0-6, flexibleVersions 3+. v4 batches keys. */

static const kl_field_t find_coordinator_request_fields[] = {
    KL_F(kl_find_coordinator_request_t, key, KL_FT_STRING, 0, 3),
    KL_F(kl_find_coordinator_request_t, key_type, KL_FT_INT8, 1, KL_VMAX),
    KL_A(kl_find_coordinator_request_t, coordinator_keys, KL_FT_STRING, 4, KL_VMAX),
};
KL_SCHEMA(kl_find_coordinator_request_schema, kl_find_coordinator_request_t,
          find_coordinator_request_fields);

static const kl_field_t find_coordinator_response_coordinator_fields[] = {
    KL_F(kl_find_coordinator_response_coordinator_t, key, KL_FT_STRING, 4, KL_VMAX),
    KL_F(kl_find_coordinator_response_coordinator_t, node_id, KL_FT_INT32, 4, KL_VMAX),
    KL_F(kl_find_coordinator_response_coordinator_t, host, KL_FT_STRING, 4, KL_VMAX),
    KL_F(kl_find_coordinator_response_coordinator_t, port, KL_FT_INT32, 4, KL_VMAX),
    KL_F(kl_find_coordinator_response_coordinator_t, error_code, KL_FT_INT16, 4, KL_VMAX),
    KL_FN(kl_find_coordinator_response_coordinator_t, error_message, KL_FT_STRING, 4, KL_VMAX, 4),
};
static KL_SCHEMA(kl_find_coordinator_response_coordinator_schema,
                 kl_find_coordinator_response_coordinator_t,
                 find_coordinator_response_coordinator_fields);

static const kl_field_t find_coordinator_response_fields[] = {
    KL_F(kl_find_coordinator_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(kl_find_coordinator_response_t, error_code, KL_FT_INT16, 0, 3),
    FIELD_NULLABLE_IN(kl_find_coordinator_response_t, error_message, KL_FT_STRING, 1, 3, 1, 3),
    KL_F(kl_find_coordinator_response_t, node_id, KL_FT_INT32, 0, 3),
    KL_F(kl_find_coordinator_response_t, host, KL_FT_STRING, 0, 3),
    KL_F(kl_find_coordinator_response_t, port, KL_FT_INT32, 0, 3),
    KL_AS(kl_find_coordinator_response_t, coordinators,
          kl_find_coordinator_response_coordinator_schema, 4, KL_VMAX),
};
KL_SCHEMA(kl_find_coordinator_response_schema, kl_find_coordinator_response_t,
          find_coordinator_response_fields);

/* JoinGroup: validVersions 0-9, flexibleVersions 6+. */

static const kl_field_t join_group_request_protocol_fields[] = {
    KL_F(kl_join_group_request_protocol_t, name, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_join_group_request_protocol_t, metadata, KL_FT_BYTES, 0, KL_VMAX),
};
static KL_SCHEMA(kl_join_group_request_protocol_schema, kl_join_group_request_protocol_t,
                 join_group_request_protocol_fields);

static const kl_field_t join_group_request_fields[] = {
    KL_F(kl_join_group_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_join_group_request_t, session_timeout_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(kl_join_group_request_t, rebalance_timeout_ms, KL_FT_INT32, 1, KL_VMAX, -1),
    KL_F(kl_join_group_request_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FNN(kl_join_group_request_t, group_instance_id, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_F(kl_join_group_request_t, protocol_type, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_join_group_request_t, protocols, kl_join_group_request_protocol_schema, 0, KL_VMAX),
    KL_FNN(kl_join_group_request_t, reason, KL_FT_STRING, 8, KL_VMAX, 8),
};
KL_SCHEMA(kl_join_group_request_schema, kl_join_group_request_t, join_group_request_fields);

static const kl_field_t join_group_response_member_fields[] = {
    KL_F(kl_join_group_response_member_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FNN(kl_join_group_response_member_t, group_instance_id, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_F(kl_join_group_response_member_t, metadata, KL_FT_BYTES, 0, KL_VMAX),
};
static KL_SCHEMA(kl_join_group_response_member_schema, kl_join_group_response_member_t,
                 join_group_response_member_fields);

static const kl_field_t join_group_response_fields[] = {
    KL_F(kl_join_group_response_t, throttle_time_ms, KL_FT_INT32, 2, KL_VMAX),
    KL_F(kl_join_group_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FD(kl_join_group_response_t, generation_id, KL_FT_INT32, 0, KL_VMAX, -1),
    KL_FNN(kl_join_group_response_t, protocol_type, KL_FT_STRING, 7, KL_VMAX, 7),
    /* Exists since v0 but may be null only from v7; its default is "". */
    KL_FN(kl_join_group_response_t, protocol_name, KL_FT_STRING, 0, KL_VMAX, 7),
    KL_F(kl_join_group_response_t, leader, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_join_group_response_t, skip_assignment, KL_FT_BOOL, 9, KL_VMAX),
    KL_F(kl_join_group_response_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_join_group_response_t, members, kl_join_group_response_member_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_join_group_response_schema, kl_join_group_response_t, join_group_response_fields);

/* SyncGroup: validVersions 0-5, flexibleVersions 4+. */

static const kl_field_t sync_group_request_assignment_fields[] = {
    KL_F(kl_sync_group_request_assignment_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_sync_group_request_assignment_t, assignment, KL_FT_BYTES, 0, KL_VMAX),
};
static KL_SCHEMA(kl_sync_group_request_assignment_schema, kl_sync_group_request_assignment_t,
                 sync_group_request_assignment_fields);

static const kl_field_t sync_group_request_fields[] = {
    KL_F(kl_sync_group_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_sync_group_request_t, generation_id, KL_FT_INT32, 0, KL_VMAX),
    KL_F(kl_sync_group_request_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FNN(kl_sync_group_request_t, group_instance_id, KL_FT_STRING, 3, KL_VMAX, 3),
    KL_FNN(kl_sync_group_request_t, protocol_type, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_FNN(kl_sync_group_request_t, protocol_name, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_AS(kl_sync_group_request_t, assignments, kl_sync_group_request_assignment_schema, 0,
          KL_VMAX),
};
KL_SCHEMA(kl_sync_group_request_schema, kl_sync_group_request_t, sync_group_request_fields);

static const kl_field_t sync_group_response_fields[] = {
    KL_F(kl_sync_group_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(kl_sync_group_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FNN(kl_sync_group_response_t, protocol_type, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_FNN(kl_sync_group_response_t, protocol_name, KL_FT_STRING, 5, KL_VMAX, 5),
    KL_F(kl_sync_group_response_t, assignment, KL_FT_BYTES, 0, KL_VMAX),
};
KL_SCHEMA(kl_sync_group_response_schema, kl_sync_group_response_t, sync_group_response_fields);

/* Heartbeat: validVersions 0-4, flexibleVersions 4+. */

static const kl_field_t heartbeat_request_fields[] = {
    KL_F(kl_heartbeat_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_heartbeat_request_t, generation_id, KL_FT_INT32, 0, KL_VMAX),
    KL_F(kl_heartbeat_request_t, member_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FNN(kl_heartbeat_request_t, group_instance_id, KL_FT_STRING, 3, KL_VMAX, 3),
};
KL_SCHEMA(kl_heartbeat_request_schema, kl_heartbeat_request_t, heartbeat_request_fields);

static const kl_field_t heartbeat_response_fields[] = {
    KL_F(kl_heartbeat_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(kl_heartbeat_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
};
KL_SCHEMA(kl_heartbeat_response_schema, kl_heartbeat_response_t, heartbeat_response_fields);

/* LeaveGroup: validVersions 0-5, flexibleVersions 4+. v3 batches members. */

static const kl_field_t leave_group_request_member_identity_fields[] = {
    KL_F(kl_leave_group_request_member_identity_t, member_id, KL_FT_STRING, 3, KL_VMAX),
    KL_FNN(kl_leave_group_request_member_identity_t, group_instance_id, KL_FT_STRING, 3, KL_VMAX,
           3),
    KL_FNN(kl_leave_group_request_member_identity_t, reason, KL_FT_STRING, 5, KL_VMAX, 5),
};
static KL_SCHEMA(kl_leave_group_request_member_identity_schema,
                 kl_leave_group_request_member_identity_t,
                 leave_group_request_member_identity_fields);

static const kl_field_t leave_group_request_fields[] = {
    KL_F(kl_leave_group_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_leave_group_request_t, member_id, KL_FT_STRING, 0, 2),
    KL_AS(kl_leave_group_request_t, members, kl_leave_group_request_member_identity_schema, 3,
          KL_VMAX),
};
KL_SCHEMA(kl_leave_group_request_schema, kl_leave_group_request_t, leave_group_request_fields);

static const kl_field_t leave_group_response_member_response_fields[] = {
    KL_F(kl_leave_group_response_member_response_t, member_id, KL_FT_STRING, 3, KL_VMAX),
    /* Nullable but, unlike the request's, with no null default. */
    KL_FN(kl_leave_group_response_member_response_t, group_instance_id, KL_FT_STRING, 3, KL_VMAX,
          3),
    KL_F(kl_leave_group_response_member_response_t, error_code, KL_FT_INT16, 3, KL_VMAX),
};
static KL_SCHEMA(kl_leave_group_response_member_response_schema,
                 kl_leave_group_response_member_response_t,
                 leave_group_response_member_response_fields);

static const kl_field_t leave_group_response_fields[] = {
    KL_F(kl_leave_group_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(kl_leave_group_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_AS(kl_leave_group_response_t, members, kl_leave_group_response_member_response_schema, 3,
          KL_VMAX),
};
KL_SCHEMA(kl_leave_group_response_schema, kl_leave_group_response_t, leave_group_response_fields);

/* ListGroups: validVersions 0-5, flexibleVersions 3+. */

static const kl_field_t list_groups_request_fields[] = {
    KL_A(kl_list_groups_request_t, states_filter, KL_FT_STRING, 4, KL_VMAX),
    KL_A(kl_list_groups_request_t, types_filter, KL_FT_STRING, 5, KL_VMAX),
};
KL_SCHEMA(kl_list_groups_request_schema, kl_list_groups_request_t, list_groups_request_fields);

static const kl_field_t list_groups_response_listed_group_fields[] = {
    KL_F(kl_list_groups_response_listed_group_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_list_groups_response_listed_group_t, protocol_type, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_list_groups_response_listed_group_t, group_state, KL_FT_STRING, 4, KL_VMAX),
    KL_F(kl_list_groups_response_listed_group_t, group_type, KL_FT_STRING, 5, KL_VMAX),
};
static KL_SCHEMA(kl_list_groups_response_listed_group_schema,
                 kl_list_groups_response_listed_group_t, list_groups_response_listed_group_fields);

static const kl_field_t list_groups_response_fields[] = {
    KL_F(kl_list_groups_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(kl_list_groups_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_AS(kl_list_groups_response_t, groups, kl_list_groups_response_listed_group_schema, 0,
          KL_VMAX),
};
KL_SCHEMA(kl_list_groups_response_schema, kl_list_groups_response_t, list_groups_response_fields);

/* DescribeGroups: validVersions 0-5, flexibleVersions 5+. */

static const kl_field_t describe_groups_request_fields[] = {
    KL_A(kl_describe_groups_request_t, groups, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_describe_groups_request_t, include_authorized_operations, KL_FT_BOOL, 3, KL_VMAX),
};
KL_SCHEMA(kl_describe_groups_request_schema, kl_describe_groups_request_t,
          describe_groups_request_fields);

static const kl_field_t describe_groups_response_described_group_member_fields[] = {
    KL_F(kl_describe_groups_response_described_group_member_t, member_id, KL_FT_STRING, 0,
         KL_VMAX),
    KL_FNN(kl_describe_groups_response_described_group_member_t, group_instance_id,
           KL_FT_STRING, 4, KL_VMAX, 4),
    KL_F(kl_describe_groups_response_described_group_member_t, client_id, KL_FT_STRING, 0,
         KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_member_t, client_host, KL_FT_STRING, 0,
         KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_member_t, member_metadata, KL_FT_BYTES, 0,
         KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_member_t, member_assignment, KL_FT_BYTES,
         0, KL_VMAX),
};
static KL_SCHEMA(kl_describe_groups_response_described_group_member_schema,
                 kl_describe_groups_response_described_group_member_t,
                 describe_groups_response_described_group_member_fields);

static const kl_field_t describe_groups_response_described_group_fields[] = {
    KL_F(kl_describe_groups_response_described_group_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_t, group_state, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_t, protocol_type, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_describe_groups_response_described_group_t, protocol_data, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_describe_groups_response_described_group_t, members,
          kl_describe_groups_response_described_group_member_schema, 0, KL_VMAX),
    KL_FD(kl_describe_groups_response_described_group_t, authorized_operations, KL_FT_INT32, 3,
          KL_VMAX, INT32_MIN),
};
static KL_SCHEMA(kl_describe_groups_response_described_group_schema,
                 kl_describe_groups_response_described_group_t,
                 describe_groups_response_described_group_fields);

static const kl_field_t describe_groups_response_fields[] = {
    KL_F(kl_describe_groups_response_t, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_AS(kl_describe_groups_response_t, groups,
          kl_describe_groups_response_described_group_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_describe_groups_response_schema, kl_describe_groups_response_t,
          describe_groups_response_fields);

/* DeleteGroups: validVersions 0-2, flexibleVersions 2+. */

static const kl_field_t delete_groups_request_fields[] = {
    KL_A(kl_delete_groups_request_t, groups_names, KL_FT_STRING, 0, KL_VMAX),
};
KL_SCHEMA(kl_delete_groups_request_schema, kl_delete_groups_request_t,
          delete_groups_request_fields);

static const kl_field_t delete_groups_response_deletable_group_result_fields[] = {
    KL_F(kl_delete_groups_response_deletable_group_result_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_F(kl_delete_groups_response_deletable_group_result_t, error_code, KL_FT_INT16, 0, KL_VMAX),
};
static KL_SCHEMA(kl_delete_groups_response_deletable_group_result_schema,
                 kl_delete_groups_response_deletable_group_result_t,
                 delete_groups_response_deletable_group_result_fields);

static const kl_field_t delete_groups_response_fields[] = {
    KL_F(kl_delete_groups_response_t, throttle_time_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_AS(kl_delete_groups_response_t, results,
          kl_delete_groups_response_deletable_group_result_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_delete_groups_response_schema, kl_delete_groups_response_t,
          delete_groups_response_fields);
