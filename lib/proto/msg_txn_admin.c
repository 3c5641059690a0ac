/* DescribeTransactions (key 65) and ListTransactions (key 66) field
 * tables, transcribed from Kafka's message definitions: DescribeTransactions
 * v0, ListTransactions v0-1 (v1 adds the duration filter), all flexible;
 * structs in msg_txn_admin.h. */
#include "proto/msg_txn_admin.h"

#define V KL_VMAX
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

#define S kl_describe_transactions_request_t
static const kl_field_t describe_request_fields[] = {
    KL_A(S, transactional_ids, KL_FT_STRING, 0, V),
};
SCHEMA(kl_describe_transactions_request_schema, S, describe_request_fields);
#undef S

#define S kl_describe_transactions_response_topic_t
static const kl_field_t describe_topic_fields[] = {
    KL_F(S, topic, KL_FT_STRING, 0, V),
    KL_A(S, partitions, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_describe_transactions_response_topic_schema, S, describe_topic_fields);
#undef S

#define S kl_describe_transactions_response_state_t
static const kl_field_t describe_state_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_F(S, transactional_id, KL_FT_STRING, 0, V),
    KL_F(S, transaction_state, KL_FT_STRING, 0, V),
    KL_F(S, transaction_timeout_ms, KL_FT_INT32, 0, V),
    KL_F(S, transaction_start_time_ms, KL_FT_INT64, 0, V),
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, producer_epoch, KL_FT_INT16, 0, V),
    KL_AS(S, topics, kl_describe_transactions_response_topic_schema, 0, V),
};
static SCHEMA(kl_describe_transactions_response_state_schema, S, describe_state_fields);
#undef S

#define S kl_describe_transactions_response_t
static const kl_field_t describe_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, transaction_states, kl_describe_transactions_response_state_schema, 0, V),
};
SCHEMA(kl_describe_transactions_response_schema, S, describe_response_fields);
#undef S

#define S kl_list_transactions_request_t
static const kl_field_t list_request_fields[] = {
    KL_A(S, state_filters, KL_FT_STRING, 0, V),
    KL_A(S, producer_id_filters, KL_FT_INT64, 0, V),
    KL_FD(S, duration_filter, KL_FT_INT64, 1, V, -1),
};
SCHEMA(kl_list_transactions_request_schema, S, list_request_fields);
#undef S

#define S kl_list_transactions_response_state_t
static const kl_field_t list_state_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 0, V),
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, transaction_state, KL_FT_STRING, 0, V),
};
static SCHEMA(kl_list_transactions_response_state_schema, S, list_state_fields);
#undef S

#define S kl_list_transactions_response_t
static const kl_field_t list_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_A(S, unknown_state_filters, KL_FT_STRING, 0, V),
    KL_AS(S, transaction_states, kl_list_transactions_response_state_schema, 0, V),
};
SCHEMA(kl_list_transactions_response_schema, S, list_response_fields);
#undef S
