/* Fetch (key 1) and ListOffsets (key 2): reading record batches and looking
 * offsets up by timestamp. C structs and schemas for the generic codec
 * (lib/proto/codec.h); the tables are in msg_fetch.c. */
#ifndef KL_PROTO_MSG_FETCH_H
#define KL_PROTO_MSG_FETCH_H

#include "proto/schema.h"
#include "proto/types.h"

/* Fetch request */

typedef struct kl_fetch_request_replica_state {
    int32_t replica_id;    /* default -1 */
    int64_t replica_epoch; /* default -1 */
} kl_fetch_request_replica_state_t;

typedef struct kl_fetch_request_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v9+, default -1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* v12+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    int32_t partition_max_bytes;
    kl_uuid_t replica_directory_id; /* v17+, tag 0 */
} kl_fetch_request_partition_t;

typedef struct kl_fetch_request_topic {
    kl_str_t topic;     /* v0-12 */
    kl_uuid_t topic_id; /* v13+ */
    KL_ARRAY_OF(kl_fetch_request_partition_t) partitions;
} kl_fetch_request_topic_t;

typedef struct kl_fetch_request_forgotten_topic {
    kl_str_t topic;     /* v7-12 */
    kl_uuid_t topic_id; /* v13+ */
    KL_ARRAY_OF(int32_t) partitions;
} kl_fetch_request_forgotten_topic_t;

typedef struct kl_fetch_request {
    kl_str_t cluster_id; /* v12+, tag 0, nullable, default null */
    int32_t replica_id;  /* v0-14, default -1 */
    kl_fetch_request_replica_state_t replica_state; /* v15+, tag 1 */
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;       /* v3+, default INT32_MAX */
    int8_t isolation_level;  /* v4+ */
    int32_t session_id;      /* v7+, default 0 */
    int32_t session_epoch;   /* v7+, default -1 */
    KL_ARRAY_OF(kl_fetch_request_topic_t) topics;
    KL_ARRAY_OF(kl_fetch_request_forgotten_topic_t) forgotten_topics_data; /* v7+ */
    kl_str_t rack_id; /* v11+, default "" */
} kl_fetch_request_t;

/* Fetch response */

typedef struct kl_fetch_response_epoch_end_offset {
    int32_t epoch;      /* default -1 */
    int64_t end_offset; /* default -1 */
} kl_fetch_response_epoch_end_offset_t;

typedef struct kl_fetch_response_leader_id_and_epoch {
    int32_t leader_id;    /* default -1 */
    int32_t leader_epoch; /* default -1 */
} kl_fetch_response_leader_id_and_epoch_t;

typedef struct kl_fetch_response_snapshot_id {
    int64_t end_offset; /* default -1 */
    int32_t epoch;      /* default -1 */
} kl_fetch_response_snapshot_id_t;

typedef struct kl_fetch_response_aborted_transaction {
    int64_t producer_id;
    int64_t first_offset;
} kl_fetch_response_aborted_transaction_t;

typedef struct kl_fetch_response_partition {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* v4+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    kl_fetch_response_epoch_end_offset_t diverging_epoch;  /* v12+, tag 0 */
    kl_fetch_response_leader_id_and_epoch_t current_leader; /* v12+, tag 1 */
    kl_fetch_response_snapshot_id_t snapshot_id;           /* v12+, tag 2 */
    /* v4+, nullable */
    KL_ARRAY_OF(kl_fetch_response_aborted_transaction_t) aborted_transactions;
    int32_t preferred_read_replica; /* v11+, default -1 */
    kl_bytes_t records;             /* nullable */
} kl_fetch_response_partition_t;

typedef struct kl_fetch_response_topic {
    kl_str_t topic;     /* v0-12 */
    kl_uuid_t topic_id; /* v13+ */
    KL_ARRAY_OF(kl_fetch_response_partition_t) partitions;
} kl_fetch_response_topic_t;

typedef struct kl_fetch_response_node_endpoint {
    int32_t node_id;
    kl_str_t host;
    int32_t port;
    kl_str_t rack; /* nullable, default null */
} kl_fetch_response_node_endpoint_t;

typedef struct kl_fetch_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;       /* v7+ */
    int32_t session_id;       /* v7+, default 0 */
    KL_ARRAY_OF(kl_fetch_response_topic_t) responses;
    KL_ARRAY_OF(kl_fetch_response_node_endpoint_t) node_endpoints; /* v16+, tag 0 */
} kl_fetch_response_t;

extern const kl_schema_t kl_fetch_request_schema, kl_fetch_response_schema;

/* ListOffsets request */

typedef struct kl_list_offsets_request_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+, default -1 */
    int64_t timestamp;
    int32_t max_num_offsets; /* v0 only, default 1 */
} kl_list_offsets_request_partition_t;

typedef struct kl_list_offsets_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_list_offsets_request_partition_t) partitions;
} kl_list_offsets_request_topic_t;

typedef struct kl_list_offsets_request {
    int32_t replica_id;
    int8_t isolation_level; /* v2+ */
    KL_ARRAY_OF(kl_list_offsets_request_topic_t) topics;
    int32_t timeout_ms; /* v10+ */
} kl_list_offsets_request_t;

/* ListOffsets response */

typedef struct kl_list_offsets_response_partition {
    int32_t partition_index;
    int16_t error_code;
    KL_ARRAY_OF(int64_t) old_style_offsets; /* v0 only */
    int64_t timestamp;    /* v1+, default -1 */
    int64_t offset;       /* v1+, default -1 */
    int32_t leader_epoch; /* v4+, default -1 */
} kl_list_offsets_response_partition_t;

typedef struct kl_list_offsets_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_list_offsets_response_partition_t) partitions;
} kl_list_offsets_response_topic_t;

typedef struct kl_list_offsets_response {
    int32_t throttle_time_ms; /* v2+ */
    KL_ARRAY_OF(kl_list_offsets_response_topic_t) topics;
} kl_list_offsets_response_t;

extern const kl_schema_t kl_list_offsets_request_schema, kl_list_offsets_response_schema;

#endif
