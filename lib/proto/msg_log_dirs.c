/* DescribeLogDirs (key 35) field tables, transcribed from Kafka's message
 * definitions: versions 0-4, flexible from 2; structs in msg_log_dirs.h. */
#include "proto/msg_log_dirs.h"

#define V KL_VMAX
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

#define S kl_describe_log_dirs_request_topic_t
static const kl_field_t request_topic_fields[] = {
    KL_F(S, topic, KL_FT_STRING, 0, V),
    KL_A(S, partitions, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_describe_log_dirs_request_topic_schema, S, request_topic_fields);
#undef S

#define S kl_describe_log_dirs_request_t
static const kl_field_t request_fields[] = {
    KL_ASN(S, topics, kl_describe_log_dirs_request_topic_schema, 0, V, 0),
};
SCHEMA(kl_describe_log_dirs_request_schema, S, request_fields);
#undef S

#define S kl_describe_log_dirs_response_partition_t
static const kl_field_t partition_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, partition_size, KL_FT_INT64, 0, V),
    KL_F(S, offset_lag, KL_FT_INT64, 0, V),
    KL_F(S, is_future_key, KL_FT_BOOL, 0, V),
};
static SCHEMA(kl_describe_log_dirs_response_partition_schema, S, partition_fields);
#undef S

#define S kl_describe_log_dirs_response_topic_t
static const kl_field_t topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_describe_log_dirs_response_partition_schema, 0, V),
};
static SCHEMA(kl_describe_log_dirs_response_topic_schema, S, topic_fields);
#undef S

#define S kl_describe_log_dirs_response_result_t
static const kl_field_t result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_F(S, log_dir, KL_FT_STRING, 0, V),
    KL_AS(S, topics, kl_describe_log_dirs_response_topic_schema, 0, V),
    KL_FD(S, total_bytes, KL_FT_INT64, 4, V, -1),
    KL_FD(S, usable_bytes, KL_FT_INT64, 4, V, -1),
};
static SCHEMA(kl_describe_log_dirs_response_result_schema, S, result_fields);
#undef S

#define S kl_describe_log_dirs_response_t
static const kl_field_t response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 3, V),
    KL_AS(S, results, kl_describe_log_dirs_response_result_schema, 0, V),
};
SCHEMA(kl_describe_log_dirs_response_schema, S, response_fields);
#undef S
