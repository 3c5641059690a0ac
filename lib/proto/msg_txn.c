/* AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit field
 * tables, transcribed from Kafka's message definitions; structs in
 * msg_txn.h. */
#include "proto/msg_txn.h"

#define V KL_VMAX

/* AddPartitionsToTxn */

#define S kl_add_partitions_to_txn_topic_t
static const kl_field_t apt_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_A(S, partitions, KL_FT_INT32, 0, V),
};
static KL_SCHEMA(apt_topic_schema, S, apt_topic_fields);
#undef S

#define S kl_add_partitions_to_txn_transaction_t
static const kl_field_t apt_transaction_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 4, V),
    KL_F(S, producer_id, KL_FT_INT64, 4, V),
    KL_F(S, producer_epoch, KL_FT_INT16, 4, V),
    KL_F(S, verify_only, KL_FT_BOOL, 4, V),
    KL_AS(S, topics, apt_topic_schema, 4, V),
};
static KL_SCHEMA(apt_transaction_schema, S, apt_transaction_fields);
#undef S

#define S kl_add_partitions_to_txn_request_t
static const kl_field_t apt_request_fields[] = {
    KL_AS(S, transactions, apt_transaction_schema, 4, V),
    KL_F(S, v3_and_below_transactional_id, KL_FT_STRING, 0, 3),
    KL_F(S, v3_and_below_producer_id, KL_FT_INT64, 0, 3),
    KL_F(S, v3_and_below_producer_epoch, KL_FT_INT16, 0, 3),
    KL_AS(S, v3_and_below_topics, apt_topic_schema, 0, 3),
};
KL_SCHEMA(kl_add_partitions_to_txn_request_schema, S, apt_request_fields);
#undef S

#define S kl_add_partitions_to_txn_partition_result_t
static const kl_field_t apt_partition_result_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, partition_error_code, KL_FT_INT16, 0, V),
};
static KL_SCHEMA(apt_partition_result_schema, S, apt_partition_result_fields);
#undef S

#define S kl_add_partitions_to_txn_topic_result_t
static const kl_field_t apt_topic_result_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, results_by_partition, apt_partition_result_schema, 0, V),
};
static KL_SCHEMA(apt_topic_result_schema, S, apt_topic_result_fields);
#undef S

#define S kl_add_partitions_to_txn_result_t
static const kl_field_t apt_result_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 4, V),
    KL_AS(S, topic_results, apt_topic_result_schema, 4, V),
};
static KL_SCHEMA(apt_result_schema, S, apt_result_fields);
#undef S

#define S kl_add_partitions_to_txn_response_t
static const kl_field_t apt_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 4, V),
    KL_AS(S, results_by_transaction, apt_result_schema, 4, V),
    KL_AS(S, results_by_topic_v3_and_below, apt_topic_result_schema, 0, 3),
};
KL_SCHEMA(kl_add_partitions_to_txn_response_schema, S, apt_response_fields);
#undef S

/* AddOffsetsToTxn */

#define S kl_add_offsets_to_txn_request_t
static const kl_field_t aot_request_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 0, V),
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, producer_epoch, KL_FT_INT16, 0, V),
    KL_F(S, group_id, KL_FT_STRING, 0, V),
};
KL_SCHEMA(kl_add_offsets_to_txn_request_schema, S, aot_request_fields);
#undef S

#define S kl_add_offsets_to_txn_response_t
static const kl_field_t aot_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
};
KL_SCHEMA(kl_add_offsets_to_txn_response_schema, S, aot_response_fields);
#undef S

/* EndTxn */

#define S kl_end_txn_request_t
static const kl_field_t end_request_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 0, V),
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, producer_epoch, KL_FT_INT16, 0, V),
    KL_F(S, committed, KL_FT_BOOL, 0, V),
};
KL_SCHEMA(kl_end_txn_request_schema, S, end_request_fields);
#undef S

#define S kl_end_txn_response_t
static const kl_field_t end_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FD(S, producer_id, KL_FT_INT64, 5, V, -1),
    KL_FD(S, producer_epoch, KL_FT_INT16, 5, V, -1),
};
KL_SCHEMA(kl_end_txn_response_schema, S, end_response_fields);
#undef S

/* TxnOffsetCommit */

#define S kl_txn_offset_commit_request_partition_t
static const kl_field_t toc_request_partition_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, committed_offset, KL_FT_INT64, 0, V),
    KL_FD(S, committed_leader_epoch, KL_FT_INT32, 2, V, -1),
    KL_FN(S, committed_metadata, KL_FT_STRING, 0, V, 0),
};
static KL_SCHEMA(toc_request_partition_schema, S, toc_request_partition_fields);
#undef S

#define S kl_txn_offset_commit_request_topic_t
static const kl_field_t toc_request_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, toc_request_partition_schema, 0, V),
};
static KL_SCHEMA(toc_request_topic_schema, S, toc_request_topic_fields);
#undef S

#define S kl_txn_offset_commit_request_t
static const kl_field_t toc_request_fields[] = {
    KL_F(S, transactional_id, KL_FT_STRING, 0, V),
    KL_F(S, group_id, KL_FT_STRING, 0, V),
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, producer_epoch, KL_FT_INT16, 0, V),
    KL_FD(S, generation_id, KL_FT_INT32, 3, V, -1),
    KL_F(S, member_id, KL_FT_STRING, 3, V),
    KL_FNN(S, group_instance_id, KL_FT_STRING, 3, V, 3),
    KL_AS(S, topics, toc_request_topic_schema, 0, V),
};
KL_SCHEMA(kl_txn_offset_commit_request_schema, S, toc_request_fields);
#undef S

#define S kl_txn_offset_commit_response_partition_t
static const kl_field_t toc_response_partition_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
};
static KL_SCHEMA(toc_response_partition_schema, S, toc_response_partition_fields);
#undef S

#define S kl_txn_offset_commit_response_topic_t
static const kl_field_t toc_response_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, toc_response_partition_schema, 0, V),
};
static KL_SCHEMA(toc_response_topic_schema, S, toc_response_topic_fields);
#undef S

#define S kl_txn_offset_commit_response_t
static const kl_field_t toc_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, topics, toc_response_topic_schema, 0, V),
};
KL_SCHEMA(kl_txn_offset_commit_response_schema, S, toc_response_fields);
#undef S
