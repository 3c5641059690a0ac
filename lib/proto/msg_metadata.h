/* Metadata (key 3) and DescribeCluster (key 60): brokers, topics and
 * partition leaders. C structs and schemas for the generic codec
 * (lib/proto/codec.h); the tables are in msg_metadata.c. */
#ifndef KL_PROTO_MSG_METADATA_H
#define KL_PROTO_MSG_METADATA_H

#include "proto/schema.h"
#include "proto/types.h"

/* Metadata */

typedef struct kl_metadata_request_topic {
    kl_uuid_t topic_id; /* v10+ */
    kl_str_t name;      /* nullable v10+ (when the topic is named by id) */
} kl_metadata_request_topic_t;

typedef struct kl_metadata_request {
    /* null (v1+): every topic; empty: none (v0: empty means every topic) */
    KL_ARRAY_OF(kl_metadata_request_topic_t) topics;
    bool allow_auto_topic_creation;             /* v4+, default true */
    bool include_cluster_authorized_operations; /* v8-10 */
    bool include_topic_authorized_operations;   /* v8+ */
} kl_metadata_request_t;

typedef struct kl_metadata_response_broker {
    int32_t node_id;
    kl_str_t host;
    int32_t port;
    kl_str_t rack; /* v1+, nullable, default null */
} kl_metadata_response_broker_t;

typedef struct kl_metadata_response_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* v7+, default -1 */
    KL_ARRAY_OF(int32_t) replica_nodes;
    KL_ARRAY_OF(int32_t) isr_nodes;
    KL_ARRAY_OF(int32_t) offline_replicas; /* v5+ */
} kl_metadata_response_partition_t;

typedef struct kl_metadata_response_topic {
    int16_t error_code;
    kl_str_t name;      /* nullable v12+ */
    kl_uuid_t topic_id; /* v10+ */
    bool is_internal;   /* v1+ */
    KL_ARRAY_OF(kl_metadata_response_partition_t) partitions;
    int32_t topic_authorized_operations; /* v8+, default INT32_MIN */
} kl_metadata_response_topic_t;

typedef struct kl_metadata_response {
    int32_t throttle_time_ms; /* v3+ */
    KL_ARRAY_OF(kl_metadata_response_broker_t) brokers;
    kl_str_t cluster_id;   /* v2+, nullable, default null */
    int32_t controller_id; /* v1+, default -1 */
    KL_ARRAY_OF(kl_metadata_response_topic_t) topics;
    int32_t cluster_authorized_operations; /* v8-10, default INT32_MIN */
} kl_metadata_response_t;

extern const kl_schema_t kl_metadata_request_schema, kl_metadata_response_schema;

/* DescribeCluster */

typedef struct kl_describe_cluster_request {
    bool include_cluster_authorized_operations;
    int8_t endpoint_type; /* v1+, default 1 (brokers) */
} kl_describe_cluster_request_t;

typedef struct kl_describe_cluster_response_broker {
    int32_t broker_id;
    kl_str_t host;
    int32_t port;
    kl_str_t rack; /* nullable, default null */
} kl_describe_cluster_response_broker_t;

typedef struct kl_describe_cluster_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    kl_str_t error_message; /* nullable, default null */
    int8_t endpoint_type;   /* v1+, default 1 */
    kl_str_t cluster_id;
    int32_t controller_id; /* default -1 */
    KL_ARRAY_OF(kl_describe_cluster_response_broker_t) brokers;
    int32_t cluster_authorized_operations; /* default INT32_MIN */
} kl_describe_cluster_response_t;

extern const kl_schema_t kl_describe_cluster_request_schema,
    kl_describe_cluster_response_schema;

#endif
