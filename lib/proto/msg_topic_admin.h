/* Topic administration messages: CreateTopics (19), DeleteTopics (20),
 * CreatePartitions (37) and DeleteRecords (21), as C structs plus the field
 * tables (msg_topic_admin.c) the generic codec walks. */
#ifndef KL_PROTO_MSG_TOPIC_ADMIN_H
#define KL_PROTO_MSG_TOPIC_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* ---- CreateTopics: versions 0-7, flexible from 5 ---- */

typedef struct kl_create_topics_request_creatable_replica_assignment {
    int32_t partition_index;
    KL_ARRAY_OF(int32_t) broker_ids;
} kl_create_topics_request_creatable_replica_assignment_t;

typedef struct kl_create_topics_request_creatable_topic_config {
    kl_str_t name;
    kl_str_t value; /* nullable */
} kl_create_topics_request_creatable_topic_config_t;

typedef struct kl_create_topics_request_creatable_topic {
    kl_str_t name;
    int32_t num_partitions;     /* -1 with assignments or broker default */
    int16_t replication_factor; /* -1 with assignments or broker default */
    KL_ARRAY_OF(kl_create_topics_request_creatable_replica_assignment_t) assignments;
    KL_ARRAY_OF(kl_create_topics_request_creatable_topic_config_t) configs;
} kl_create_topics_request_creatable_topic_t;

typedef struct kl_create_topics_request {
    KL_ARRAY_OF(kl_create_topics_request_creatable_topic_t) topics;
    int32_t timeout_ms;  /* default 60000 */
    bool validate_only;  /* v1+ */
} kl_create_topics_request_t;

typedef struct kl_create_topics_response_creatable_topic_configs {
    kl_str_t name;
    kl_str_t value; /* nullable */
    bool read_only;
    int8_t config_source; /* default -1 */
    bool is_sensitive;
} kl_create_topics_response_creatable_topic_configs_t;

typedef struct kl_create_topics_response_creatable_topic_result {
    kl_str_t name;
    kl_uuid_t topic_id;     /* v7+ */
    int16_t error_code;
    kl_str_t error_message; /* v1+, nullable */
    int16_t topic_config_error_code; /* v5+, tagged (tag 0) */
    int32_t num_partitions;          /* v5+, default -1 */
    int16_t replication_factor;      /* v5+, default -1 */
    KL_ARRAY_OF(kl_create_topics_response_creatable_topic_configs_t) configs; /* v5+, nullable */
} kl_create_topics_response_creatable_topic_result_t;

typedef struct kl_create_topics_response {
    int32_t throttle_time_ms; /* v2+ */
    KL_ARRAY_OF(kl_create_topics_response_creatable_topic_result_t) topics;
} kl_create_topics_response_t;

extern const kl_schema_t kl_create_topics_request_schema, kl_create_topics_response_schema;

/* ---- DeleteTopics: versions 0-6, flexible from 4 ---- */

typedef struct kl_delete_topics_request_delete_topic_state {
    kl_str_t name; /* nullable, default null */
    kl_uuid_t topic_id;
} kl_delete_topics_request_delete_topic_state_t;

typedef struct kl_delete_topics_request {
    KL_ARRAY_OF(kl_delete_topics_request_delete_topic_state_t) topics; /* v6+ */
    KL_ARRAY_OF(kl_str_t) topic_names;                                 /* v0-5 */
    int32_t timeout_ms;
} kl_delete_topics_request_t;

typedef struct kl_delete_topics_response_deletable_topic_result {
    kl_str_t name;          /* nullable from v6 */
    kl_uuid_t topic_id;     /* v6+ */
    int16_t error_code;
    kl_str_t error_message; /* v5+, nullable, default null */
} kl_delete_topics_response_deletable_topic_result_t;

typedef struct kl_delete_topics_response {
    int32_t throttle_time_ms; /* v1+ */
    KL_ARRAY_OF(kl_delete_topics_response_deletable_topic_result_t) responses;
} kl_delete_topics_response_t;

extern const kl_schema_t kl_delete_topics_request_schema, kl_delete_topics_response_schema;

/* ---- CreatePartitions: versions 0-3, flexible from 2 ---- */

typedef struct kl_create_partitions_request_create_partitions_assignment {
    KL_ARRAY_OF(int32_t) broker_ids;
} kl_create_partitions_request_create_partitions_assignment_t;

typedef struct kl_create_partitions_request_create_partitions_topic {
    kl_str_t name;
    int32_t count;
    /* nullable: null lets the broker place the new partitions */
    KL_ARRAY_OF(kl_create_partitions_request_create_partitions_assignment_t) assignments;
} kl_create_partitions_request_create_partitions_topic_t;

typedef struct kl_create_partitions_request {
    KL_ARRAY_OF(kl_create_partitions_request_create_partitions_topic_t) topics;
    int32_t timeout_ms;
    bool validate_only;
} kl_create_partitions_request_t;

typedef struct kl_create_partitions_response_create_partitions_topic_result {
    kl_str_t name;
    int16_t error_code;
    kl_str_t error_message; /* nullable, default null */
} kl_create_partitions_response_create_partitions_topic_result_t;

typedef struct kl_create_partitions_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_create_partitions_response_create_partitions_topic_result_t) results;
} kl_create_partitions_response_t;

extern const kl_schema_t kl_create_partitions_request_schema, kl_create_partitions_response_schema;

/* ---- DeleteRecords: versions 0-2, flexible from 2 ---- */

typedef struct kl_delete_records_request_delete_records_partition {
    int32_t partition_index;
    int64_t offset; /* delete records before this offset; -1: high watermark */
} kl_delete_records_request_delete_records_partition_t;

typedef struct kl_delete_records_request_delete_records_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_delete_records_request_delete_records_partition_t) partitions;
} kl_delete_records_request_delete_records_topic_t;

typedef struct kl_delete_records_request {
    KL_ARRAY_OF(kl_delete_records_request_delete_records_topic_t) topics;
    int32_t timeout_ms;
} kl_delete_records_request_t;

typedef struct kl_delete_records_response_delete_records_partition_result {
    int32_t partition_index;
    int64_t low_watermark;
    int16_t error_code;
} kl_delete_records_response_delete_records_partition_result_t;

typedef struct kl_delete_records_response_delete_records_topic_result {
    kl_str_t name;
    KL_ARRAY_OF(kl_delete_records_response_delete_records_partition_result_t) partitions;
} kl_delete_records_response_delete_records_topic_result_t;

typedef struct kl_delete_records_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_delete_records_response_delete_records_topic_result_t) topics;
} kl_delete_records_response_t;

extern const kl_schema_t kl_delete_records_request_schema, kl_delete_records_response_schema;

#endif
