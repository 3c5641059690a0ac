/* DescribeProducers (61): the idempotent producers a partition knows, as
 * C structs plus the field tables (msg_describe_producers.c) the generic
 * codec walks. Version 0 only, flexible. */
#ifndef KL_PROTO_MSG_DESCRIBE_PRODUCERS_H
#define KL_PROTO_MSG_DESCRIBE_PRODUCERS_H

#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

typedef struct kl_describe_producers_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(int32_t) partition_indexes;
} kl_describe_producers_request_topic_t;

typedef struct kl_describe_producers_request {
    KL_ARRAY_OF(kl_describe_producers_request_topic_t) topics;
} kl_describe_producers_request_t;

typedef struct kl_describe_producers_response_producer {
    int64_t producer_id;
    int32_t producer_epoch;
    int32_t last_sequence;  /* default -1 */
    int64_t last_timestamp; /* default -1 */
    int32_t coordinator_epoch;
    int64_t current_txn_start_offset; /* default -1 */
} kl_describe_producers_response_producer_t;

typedef struct kl_describe_producers_response_partition {
    int32_t partition_index;
    int16_t error_code;
    kl_str_t error_message; /* nullable, default null */
    KL_ARRAY_OF(kl_describe_producers_response_producer_t) active_producers;
} kl_describe_producers_response_partition_t;

typedef struct kl_describe_producers_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_describe_producers_response_partition_t) partitions;
} kl_describe_producers_response_topic_t;

typedef struct kl_describe_producers_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_describe_producers_response_topic_t) topics;
} kl_describe_producers_response_t;

extern const kl_schema_t kl_describe_producers_request_schema, kl_describe_producers_response_schema;

#endif
