/* Committed-offset APIs: OffsetCommit, OffsetFetch, OffsetDelete. C structs
 * and the field tables (msg_offset.c) the generic codec walks; see schema.h.
 * Comments give the versions a member exists in when it is not all of them. */
#ifndef KL_PROTO_MSG_OFFSET_H
#define KL_PROTO_MSG_OFFSET_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* OffsetCommit (8) */

typedef struct kl_offset_commit_request_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+ */
    int64_t commit_timestamp;       /* v1 only */
    kl_str_t committed_metadata;    /* nullable */
} kl_offset_commit_request_partition_t;

typedef struct kl_offset_commit_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_commit_request_partition_t) partitions;
} kl_offset_commit_request_topic_t;

typedef struct kl_offset_commit_request {
    kl_str_t group_id;
    int32_t generation_id_or_member_epoch; /* v1+ */
    kl_str_t member_id;                    /* v1+ */
    kl_str_t group_instance_id;            /* v7+, nullable */
    int64_t retention_time_ms;             /* v2-4 */
    KL_ARRAY_OF(kl_offset_commit_request_topic_t) topics;
} kl_offset_commit_request_t;

typedef struct kl_offset_commit_response_partition {
    int32_t partition_index;
    int16_t error_code;
} kl_offset_commit_response_partition_t;

typedef struct kl_offset_commit_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_commit_response_partition_t) partitions;
} kl_offset_commit_response_topic_t;

typedef struct kl_offset_commit_response {
    int32_t throttle_time_ms; /* v3+ */
    KL_ARRAY_OF(kl_offset_commit_response_topic_t) topics;
} kl_offset_commit_response_t;

/* OffsetFetch (9). Up to v7 a request names one group (group_id, topics);
 * from v8 it names several (groups), each with its own topics. The per-group
 * structs are Kafka's OffsetFetch{Request,Response}Topics/Partitions, named
 * group_topic / group_partition here to tell them apart. */

typedef struct kl_offset_fetch_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(int32_t) partition_indexes;
} kl_offset_fetch_request_topic_t;

typedef struct kl_offset_fetch_request_group_topic {
    kl_str_t name;
    KL_ARRAY_OF(int32_t) partition_indexes;
} kl_offset_fetch_request_group_topic_t;

typedef struct kl_offset_fetch_request_group {
    kl_str_t group_id;
    kl_str_t member_id;   /* v9+, nullable */
    int32_t member_epoch; /* v9+ */
    KL_ARRAY_OF(kl_offset_fetch_request_group_topic_t) topics; /* null: all topics */
} kl_offset_fetch_request_group_t;

typedef struct kl_offset_fetch_request {
    kl_str_t group_id;                                   /* v0-7 */
    KL_ARRAY_OF(kl_offset_fetch_request_topic_t) topics; /* v0-7, null (v2+): all */
    KL_ARRAY_OF(kl_offset_fetch_request_group_t) groups; /* v8+ */
    bool require_stable;                                 /* v7+ */
} kl_offset_fetch_request_t;

typedef struct kl_offset_fetch_response_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v5-7 */
    kl_str_t metadata;              /* nullable */
    int16_t error_code;
} kl_offset_fetch_response_partition_t;

typedef struct kl_offset_fetch_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_fetch_response_partition_t) partitions;
} kl_offset_fetch_response_topic_t;

typedef struct kl_offset_fetch_response_group_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch;
    kl_str_t metadata; /* nullable */
    int16_t error_code;
} kl_offset_fetch_response_group_partition_t;

typedef struct kl_offset_fetch_response_group_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_fetch_response_group_partition_t) partitions;
} kl_offset_fetch_response_group_topic_t;

typedef struct kl_offset_fetch_response_group {
    kl_str_t group_id;
    KL_ARRAY_OF(kl_offset_fetch_response_group_topic_t) topics;
    int16_t error_code;
} kl_offset_fetch_response_group_t;

typedef struct kl_offset_fetch_response {
    int32_t throttle_time_ms;                             /* v3+ */
    KL_ARRAY_OF(kl_offset_fetch_response_topic_t) topics; /* v0-7 */
    int16_t error_code;                                   /* v2-7 */
    KL_ARRAY_OF(kl_offset_fetch_response_group_t) groups; /* v8+ */
} kl_offset_fetch_response_t;

/* OffsetDelete (47) */

typedef struct kl_offset_delete_request_partition {
    int32_t partition_index;
} kl_offset_delete_request_partition_t;

typedef struct kl_offset_delete_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_delete_request_partition_t) partitions;
} kl_offset_delete_request_topic_t;

typedef struct kl_offset_delete_request {
    kl_str_t group_id;
    KL_ARRAY_OF(kl_offset_delete_request_topic_t) topics;
} kl_offset_delete_request_t;

typedef struct kl_offset_delete_response_partition {
    int32_t partition_index;
    int16_t error_code;
} kl_offset_delete_response_partition_t;

typedef struct kl_offset_delete_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_offset_delete_response_partition_t) partitions;
} kl_offset_delete_response_topic_t;

typedef struct kl_offset_delete_response {
    int16_t error_code;
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_offset_delete_response_topic_t) topics;
} kl_offset_delete_response_t;

extern const kl_schema_t kl_offset_commit_request_schema, kl_offset_commit_response_schema;
extern const kl_schema_t kl_offset_fetch_request_schema, kl_offset_fetch_response_schema;
extern const kl_schema_t kl_offset_delete_request_schema, kl_offset_delete_response_schema;

#endif
