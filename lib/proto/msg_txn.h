/* The transaction APIs a producer sends its transaction coordinator:
 * AddPartitionsToTxn (24), AddOffsetsToTxn (25), EndTxn (26) and
 * TxnOffsetCommit (28), as C structs plus the field tables (msg_txn.c)
 * the generic codec walks. */
#ifndef KL_PROTO_MSG_TXN_H
#define KL_PROTO_MSG_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* AddPartitionsToTxn */

typedef struct kl_add_partitions_to_txn_topic {
    kl_str_t name;
    KL_ARRAY_OF(int32_t) partitions;
} kl_add_partitions_to_txn_topic_t;

typedef struct kl_add_partitions_to_txn_transaction { /* v4+: brokers batching */
    kl_str_t transactional_id;
    int64_t producer_id;
    int16_t producer_epoch;
    bool verify_only;
    KL_ARRAY_OF(kl_add_partitions_to_txn_topic_t) topics;
} kl_add_partitions_to_txn_transaction_t;

typedef struct kl_add_partitions_to_txn_request {
    KL_ARRAY_OF(kl_add_partitions_to_txn_transaction_t) transactions; /* v4+ */
    kl_str_t v3_and_below_transactional_id;                           /* v0-3 */
    int64_t v3_and_below_producer_id;                                 /* v0-3 */
    int16_t v3_and_below_producer_epoch;                              /* v0-3 */
    KL_ARRAY_OF(kl_add_partitions_to_txn_topic_t) v3_and_below_topics; /* v0-3 */
} kl_add_partitions_to_txn_request_t;

typedef struct kl_add_partitions_to_txn_partition_result {
    int32_t partition_index;
    int16_t partition_error_code;
} kl_add_partitions_to_txn_partition_result_t;

typedef struct kl_add_partitions_to_txn_topic_result {
    kl_str_t name;
    KL_ARRAY_OF(kl_add_partitions_to_txn_partition_result_t) results_by_partition;
} kl_add_partitions_to_txn_topic_result_t;

typedef struct kl_add_partitions_to_txn_result {
    kl_str_t transactional_id;
    KL_ARRAY_OF(kl_add_partitions_to_txn_topic_result_t) topic_results;
} kl_add_partitions_to_txn_result_t;

typedef struct kl_add_partitions_to_txn_response {
    int32_t throttle_time_ms;
    int16_t error_code; /* v4+ */
    KL_ARRAY_OF(kl_add_partitions_to_txn_result_t) results_by_transaction; /* v4+ */
    KL_ARRAY_OF(kl_add_partitions_to_txn_topic_result_t) results_by_topic_v3_and_below; /* v0-3 */
} kl_add_partitions_to_txn_response_t;

extern const kl_schema_t kl_add_partitions_to_txn_request_schema, kl_add_partitions_to_txn_response_schema;

/* AddOffsetsToTxn */

typedef struct kl_add_offsets_to_txn_request {
    kl_str_t transactional_id;
    int64_t producer_id;
    int16_t producer_epoch;
    kl_str_t group_id;
} kl_add_offsets_to_txn_request_t;

typedef struct kl_add_offsets_to_txn_response {
    int32_t throttle_time_ms;
    int16_t error_code;
} kl_add_offsets_to_txn_response_t;

extern const kl_schema_t kl_add_offsets_to_txn_request_schema, kl_add_offsets_to_txn_response_schema;

/* EndTxn */

typedef struct kl_end_txn_request {
    kl_str_t transactional_id;
    int64_t producer_id;
    int16_t producer_epoch;
    bool committed;
} kl_end_txn_request_t;

typedef struct kl_end_txn_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id;    /* v5+, default -1 */
    int16_t producer_epoch; /* v5+, default -1 */
} kl_end_txn_response_t;

extern const kl_schema_t kl_end_txn_request_schema, kl_end_txn_response_schema;

/* TxnOffsetCommit */

typedef struct kl_txn_offset_commit_request_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v2+, default -1 */
    kl_str_t committed_metadata;    /* nullable */
} kl_txn_offset_commit_request_partition_t;

typedef struct kl_txn_offset_commit_request_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_txn_offset_commit_request_partition_t) partitions;
} kl_txn_offset_commit_request_topic_t;

typedef struct kl_txn_offset_commit_request {
    kl_str_t transactional_id;
    kl_str_t group_id;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t generation_id;      /* v3+, default -1 */
    kl_str_t member_id;         /* v3+, default "" */
    kl_str_t group_instance_id; /* v3+, nullable, default null */
    KL_ARRAY_OF(kl_txn_offset_commit_request_topic_t) topics;
} kl_txn_offset_commit_request_t;

typedef struct kl_txn_offset_commit_response_partition {
    int32_t partition_index;
    int16_t error_code;
} kl_txn_offset_commit_response_partition_t;

typedef struct kl_txn_offset_commit_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_txn_offset_commit_response_partition_t) partitions;
} kl_txn_offset_commit_response_topic_t;

typedef struct kl_txn_offset_commit_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_txn_offset_commit_response_topic_t) topics;
} kl_txn_offset_commit_response_t;

extern const kl_schema_t kl_txn_offset_commit_request_schema, kl_txn_offset_commit_response_schema;

#endif
