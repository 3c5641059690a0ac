/* DescribeTransactions (65) and ListTransactions (66): what the
 * transaction coordinator knows of transactional ids, as C structs plus
 * the field tables (msg_txn_admin.c) the generic codec walks. Every
 * version is flexible. */
#ifndef KL_PROTO_MSG_TXN_ADMIN_H
#define KL_PROTO_MSG_TXN_ADMIN_H

#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* ---- DescribeTransactions (v0) ---- */

typedef struct kl_describe_transactions_request {
    KL_ARRAY_OF(kl_str_t) transactional_ids;
} kl_describe_transactions_request_t;

typedef struct kl_describe_transactions_response_topic {
    kl_str_t topic;
    KL_ARRAY_OF(int32_t) partitions;
} kl_describe_transactions_response_topic_t;

typedef struct kl_describe_transactions_response_state {
    int16_t error_code;
    kl_str_t transactional_id;
    kl_str_t transaction_state;
    int32_t transaction_timeout_ms;
    int64_t transaction_start_time_ms;
    int64_t producer_id;
    int16_t producer_epoch;
    KL_ARRAY_OF(kl_describe_transactions_response_topic_t) topics;
} kl_describe_transactions_response_state_t;

typedef struct kl_describe_transactions_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_describe_transactions_response_state_t) transaction_states;
} kl_describe_transactions_response_t;

/* ---- ListTransactions (v0-1) ---- */

typedef struct kl_list_transactions_request {
    KL_ARRAY_OF(kl_str_t) state_filters;
    KL_ARRAY_OF(int64_t) producer_id_filters;
    int64_t duration_filter; /* v1+, default -1 */
} kl_list_transactions_request_t;

typedef struct kl_list_transactions_response_state {
    kl_str_t transactional_id;
    int64_t producer_id;
    kl_str_t transaction_state;
} kl_list_transactions_response_state_t;

typedef struct kl_list_transactions_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    KL_ARRAY_OF(kl_str_t) unknown_state_filters;
    KL_ARRAY_OF(kl_list_transactions_response_state_t) transaction_states;
} kl_list_transactions_response_t;

extern const kl_schema_t kl_describe_transactions_request_schema, kl_describe_transactions_response_schema;
extern const kl_schema_t kl_list_transactions_request_schema, kl_list_transactions_response_schema;

#endif
