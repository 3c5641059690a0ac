/* Produce (key 0) and InitProducerId (key 22): appending record batches and
 * obtaining an idempotent/transactional producer id. C structs and schemas
 * for the generic codec (lib/proto/codec.h); tables in msg_produce.c. */
#ifndef KL_PROTO_MSG_PRODUCE_H
#define KL_PROTO_MSG_PRODUCE_H

#include "proto/schema.h"
#include "proto/types.h"

/* Produce */

typedef struct kl_produce_request_partition {
    int32_t index;
    kl_bytes_t records; /* record batches as sent (nullable) */
} kl_produce_request_partition_t;

typedef struct kl_produce_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_produce_request_partition_t) partition_data;
} kl_produce_request_topic_t;

typedef struct kl_produce_request {
    kl_str_t transactional_id; /* v3+, nullable, default null */
    int16_t acks;
    int32_t timeout_ms;
    KL_ARRAY_OF(kl_produce_request_topic_t) topic_data;
} kl_produce_request_t;

typedef struct kl_produce_response_record_error {
    int32_t batch_index;
    kl_str_t batch_index_error_message; /* nullable, default null */
} kl_produce_response_record_error_t;

typedef struct kl_produce_response_leader_id_and_epoch {
    int32_t leader_id;    /* default -1 */
    int32_t leader_epoch; /* default -1 */
} kl_produce_response_leader_id_and_epoch_t;

typedef struct kl_produce_response_partition {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* v2+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    KL_ARRAY_OF(kl_produce_response_record_error_t) record_errors; /* v8+ */
    kl_str_t error_message; /* v8+, nullable, default null */
    kl_produce_response_leader_id_and_epoch_t current_leader; /* v10+, tag 0 */
} kl_produce_response_partition_t;

typedef struct kl_produce_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_produce_response_partition_t) partition_responses;
} kl_produce_response_topic_t;

typedef struct kl_produce_response_node_endpoint {
    int32_t node_id;
    kl_str_t host;
    int32_t port;
    kl_str_t rack; /* nullable, default null */
} kl_produce_response_node_endpoint_t;

typedef struct kl_produce_response {
    KL_ARRAY_OF(kl_produce_response_topic_t) responses;
    int32_t throttle_time_ms; /* v1+ */
    KL_ARRAY_OF(kl_produce_response_node_endpoint_t) node_endpoints; /* v10+, tag 0 */
} kl_produce_response_t;

extern const kl_schema_t kl_produce_request_schema, kl_produce_response_schema;

/* InitProducerId */

typedef struct kl_init_producer_id_request {
    kl_str_t transactional_id; /* nullable */
    int32_t transaction_timeout_ms;
    int64_t producer_id;    /* v3+, default -1 */
    int16_t producer_epoch; /* v3+, default -1 */
} kl_init_producer_id_request_t;

typedef struct kl_init_producer_id_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id; /* default -1 */
    int16_t producer_epoch;
} kl_init_producer_id_response_t;

extern const kl_schema_t kl_init_producer_id_request_schema,
    kl_init_producer_id_response_schema;

#endif
