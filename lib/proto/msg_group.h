/* Group membership APIs: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, ListGroups, DescribeGroups, DeleteGroups. C structs and the
 * field tables (msg_group.c) the generic codec walks; see schema.h.
 * Comments give the versions a member exists in when it is not all of them. */
#ifndef KL_PROTO_MSG_GROUP_H
#define KL_PROTO_MSG_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* FindCoordinator (10) */

typedef struct kl_find_coordinator_request {
    kl_str_t key;                           /* v0-3 */
    int8_t key_type;                        /* v1+: 0 group, 1 transaction */
    KL_ARRAY_OF(kl_str_t) coordinator_keys; /* v4+ */
} kl_find_coordinator_request_t;

typedef struct kl_find_coordinator_response_coordinator {
    kl_str_t key;
    int32_t node_id;
    kl_str_t host;
    int32_t port;
    int16_t error_code;
    kl_str_t error_message; /* nullable */
} kl_find_coordinator_response_coordinator_t;

typedef struct kl_find_coordinator_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;       /* v0-3 */
    kl_str_t error_message;   /* v1-3, nullable */
    int32_t node_id;          /* v0-3 */
    kl_str_t host;            /* v0-3 */
    int32_t port;             /* v0-3 */
    KL_ARRAY_OF(kl_find_coordinator_response_coordinator_t) coordinators; /* v4+ */
} kl_find_coordinator_response_t;

/* JoinGroup (11) */

typedef struct kl_join_group_request_protocol {
    kl_str_t name;
    kl_bytes_t metadata; /* e.g. a ConsumerProtocolSubscription */
} kl_join_group_request_protocol_t;

typedef struct kl_join_group_request {
    kl_str_t group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+ */
    kl_str_t member_id;
    kl_str_t group_instance_id; /* v5+, nullable */
    kl_str_t protocol_type;
    KL_ARRAY_OF(kl_join_group_request_protocol_t) protocols;
    kl_str_t reason; /* v8+, nullable */
} kl_join_group_request_t;

typedef struct kl_join_group_response_member {
    kl_str_t member_id;
    kl_str_t group_instance_id; /* v5+, nullable */
    kl_bytes_t metadata;
} kl_join_group_response_member_t;

typedef struct kl_join_group_response {
    int32_t throttle_time_ms; /* v2+ */
    int16_t error_code;
    int32_t generation_id;
    kl_str_t protocol_type; /* v7+, nullable */
    kl_str_t protocol_name; /* nullable from v7 */
    kl_str_t leader;
    bool skip_assignment; /* v9+ */
    kl_str_t member_id;
    KL_ARRAY_OF(kl_join_group_response_member_t) members;
} kl_join_group_response_t;

/* SyncGroup (14) */

typedef struct kl_sync_group_request_assignment {
    kl_str_t member_id;
    kl_bytes_t assignment; /* e.g. a ConsumerProtocolAssignment */
} kl_sync_group_request_assignment_t;

typedef struct kl_sync_group_request {
    kl_str_t group_id;
    int32_t generation_id;
    kl_str_t member_id;
    kl_str_t group_instance_id; /* v3+, nullable */
    kl_str_t protocol_type;     /* v5+, nullable */
    kl_str_t protocol_name;     /* v5+, nullable */
    KL_ARRAY_OF(kl_sync_group_request_assignment_t) assignments;
} kl_sync_group_request_t;

typedef struct kl_sync_group_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    kl_str_t protocol_type; /* v5+, nullable */
    kl_str_t protocol_name; /* v5+, nullable */
    kl_bytes_t assignment;
} kl_sync_group_response_t;

/* Heartbeat (12) */

typedef struct kl_heartbeat_request {
    kl_str_t group_id;
    int32_t generation_id;
    kl_str_t member_id;
    kl_str_t group_instance_id; /* v3+, nullable */
} kl_heartbeat_request_t;

typedef struct kl_heartbeat_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
} kl_heartbeat_response_t;

/* LeaveGroup (13) */

typedef struct kl_leave_group_request_member_identity {
    kl_str_t member_id;
    kl_str_t group_instance_id; /* nullable */
    kl_str_t reason;            /* v5+, nullable */
} kl_leave_group_request_member_identity_t;

typedef struct kl_leave_group_request {
    kl_str_t group_id;
    kl_str_t member_id; /* v0-2 */
    KL_ARRAY_OF(kl_leave_group_request_member_identity_t) members; /* v3+ */
} kl_leave_group_request_t;

typedef struct kl_leave_group_response_member_response {
    kl_str_t member_id;
    kl_str_t group_instance_id; /* nullable */
    int16_t error_code;
} kl_leave_group_response_member_response_t;

typedef struct kl_leave_group_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    KL_ARRAY_OF(kl_leave_group_response_member_response_t) members; /* v3+ */
} kl_leave_group_response_t;

/* ListGroups (16) */

typedef struct kl_list_groups_request {
    KL_ARRAY_OF(kl_str_t) states_filter; /* v4+ */
    KL_ARRAY_OF(kl_str_t) types_filter;  /* v5+ */
} kl_list_groups_request_t;

typedef struct kl_list_groups_response_listed_group {
    kl_str_t group_id;
    kl_str_t protocol_type;
    kl_str_t group_state; /* v4+ */
    kl_str_t group_type;  /* v5+ */
} kl_list_groups_response_listed_group_t;

typedef struct kl_list_groups_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    KL_ARRAY_OF(kl_list_groups_response_listed_group_t) groups;
} kl_list_groups_response_t;

/* DescribeGroups (15) */

typedef struct kl_describe_groups_request {
    KL_ARRAY_OF(kl_str_t) groups;
    bool include_authorized_operations; /* v3+ */
} kl_describe_groups_request_t;

typedef struct kl_describe_groups_response_described_group_member {
    kl_str_t member_id;
    kl_str_t group_instance_id; /* v4+, nullable */
    kl_str_t client_id;
    kl_str_t client_host;
    kl_bytes_t member_metadata;
    kl_bytes_t member_assignment;
} kl_describe_groups_response_described_group_member_t;

typedef struct kl_describe_groups_response_described_group {
    int16_t error_code;
    kl_str_t group_id;
    kl_str_t group_state;
    kl_str_t protocol_type;
    kl_str_t protocol_data;
    KL_ARRAY_OF(kl_describe_groups_response_described_group_member_t) members;
    int32_t authorized_operations; /* v3+, INT32_MIN when not asked for */
} kl_describe_groups_response_described_group_t;

typedef struct kl_describe_groups_response {
    int32_t throttle_time_ms; /* v1+ */
    KL_ARRAY_OF(kl_describe_groups_response_described_group_t) groups;
} kl_describe_groups_response_t;

/* DeleteGroups (42) */

typedef struct kl_delete_groups_request {
    KL_ARRAY_OF(kl_str_t) groups_names;
} kl_delete_groups_request_t;

typedef struct kl_delete_groups_response_deletable_group_result {
    kl_str_t group_id;
    int16_t error_code;
} kl_delete_groups_response_deletable_group_result_t;

typedef struct kl_delete_groups_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_delete_groups_response_deletable_group_result_t) results;
} kl_delete_groups_response_t;

extern const kl_schema_t kl_find_coordinator_request_schema, kl_find_coordinator_response_schema;
extern const kl_schema_t kl_join_group_request_schema, kl_join_group_response_schema;
extern const kl_schema_t kl_sync_group_request_schema, kl_sync_group_response_schema;
extern const kl_schema_t kl_heartbeat_request_schema, kl_heartbeat_response_schema;
extern const kl_schema_t kl_leave_group_request_schema, kl_leave_group_response_schema;
extern const kl_schema_t kl_list_groups_request_schema, kl_list_groups_response_schema;
extern const kl_schema_t kl_describe_groups_request_schema, kl_describe_groups_response_schema;
extern const kl_schema_t kl_delete_groups_request_schema, kl_delete_groups_response_schema;

#endif
