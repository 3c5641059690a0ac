/* OffsetForLeaderEpoch (23): where a leader epoch ends in a partition's log,
 * asked by consumers to detect truncation (KIP-320), as C structs plus the
 * field tables (msg_offset_for_leader_epoch.c) the generic codec walks.
 * Versions 0-4, flexible from 4. */
#ifndef KL_PROTO_MSG_OFFSET_FOR_LEADER_EPOCH_H
#define KL_PROTO_MSG_OFFSET_FOR_LEADER_EPOCH_H

#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

typedef struct kl_offset_for_leader_epoch_request_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v2+, default -1 */
    int32_t leader_epoch;
} kl_offset_for_leader_epoch_request_partition_t;

typedef struct kl_offset_for_leader_epoch_request_topic {
    kl_str_t topic;
    KL_ARRAY_OF(kl_offset_for_leader_epoch_request_partition_t) partitions;
} kl_offset_for_leader_epoch_request_topic_t;

typedef struct kl_offset_for_leader_epoch_request {
    int32_t replica_id; /* v3+, default -2 */
    KL_ARRAY_OF(kl_offset_for_leader_epoch_request_topic_t) topics;
} kl_offset_for_leader_epoch_request_t;

typedef struct kl_offset_for_leader_epoch_response_partition {
    int16_t error_code;
    int32_t partition;
    int32_t leader_epoch; /* v1+, default -1 */
    int64_t end_offset;   /* default -1 */
} kl_offset_for_leader_epoch_response_partition_t;

typedef struct kl_offset_for_leader_epoch_response_topic {
    kl_str_t topic;
    KL_ARRAY_OF(kl_offset_for_leader_epoch_response_partition_t) partitions;
} kl_offset_for_leader_epoch_response_topic_t;

typedef struct kl_offset_for_leader_epoch_response {
    int32_t throttle_time_ms; /* v2+ */
    KL_ARRAY_OF(kl_offset_for_leader_epoch_response_topic_t) topics;
} kl_offset_for_leader_epoch_response_t;

extern const kl_schema_t kl_offset_for_leader_epoch_request_schema, kl_offset_for_leader_epoch_response_schema;

#endif
