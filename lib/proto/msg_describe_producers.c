/* DescribeProducers (key 61) field tables, transcribed from Kafka's message
 * definitions: version 0, flexible; structs in msg_describe_producers.h. */
#include "proto/msg_describe_producers.h"

#define V KL_VMAX
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

#define S kl_describe_producers_request_topic_t
static const kl_field_t request_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_A(S, partition_indexes, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_describe_producers_request_topic_schema, S, request_topic_fields);
#undef S

#define S kl_describe_producers_request_t
static const kl_field_t request_fields[] = {
    KL_AS(S, topics, kl_describe_producers_request_topic_schema, 0, V),
};
SCHEMA(kl_describe_producers_request_schema, S, request_fields);
#undef S

#define S kl_describe_producers_response_producer_t
static const kl_field_t producer_fields[] = {
    KL_F(S, producer_id, KL_FT_INT64, 0, V),
    KL_F(S, producer_epoch, KL_FT_INT32, 0, V),
    KL_FD(S, last_sequence, KL_FT_INT32, 0, V, -1),
    KL_FD(S, last_timestamp, KL_FT_INT64, 0, V, -1),
    KL_F(S, coordinator_epoch, KL_FT_INT32, 0, V),
    KL_FD(S, current_txn_start_offset, KL_FT_INT64, 0, V, -1),
};
static SCHEMA(kl_describe_producers_response_producer_schema, S, producer_fields);
#undef S

#define S kl_describe_producers_response_partition_t
static const kl_field_t partition_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, active_producers, kl_describe_producers_response_producer_schema, 0, V),
};
static SCHEMA(kl_describe_producers_response_partition_schema, S, partition_fields);
#undef S

#define S kl_describe_producers_response_topic_t
static const kl_field_t topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_describe_producers_response_partition_schema, 0, V),
};
static SCHEMA(kl_describe_producers_response_topic_schema, S, topic_fields);
#undef S

#define S kl_describe_producers_response_t
static const kl_field_t response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, topics, kl_describe_producers_response_topic_schema, 0, V),
};
SCHEMA(kl_describe_producers_response_schema, S, response_fields);
#undef S
