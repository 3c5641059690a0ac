/* Field tables for the topic administration APIs (CreateTopics,
 * DeleteTopics, CreatePartitions, DeleteRecords), transcribed version by
 * version from Kafka's message definitions; structs in msg_topic_admin.h. */
#include "proto/msg_topic_admin.h"

#define V KL_VMAX
/* S names the struct each table describes; going through SCHEMA expands it
 * before KL_SCHEMA turns it into the schema's name string. */
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

/* ---- CreateTopics ---- */

#define S kl_create_topics_request_creatable_replica_assignment_t
static const kl_field_t create_topics_assignment_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_A(S, broker_ids, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_create_topics_request_creatable_replica_assignment_schema, S,
              create_topics_assignment_fields);
#undef S

#define S kl_create_topics_request_creatable_topic_config_t
static const kl_field_t create_topics_config_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_FN(S, value, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_create_topics_request_creatable_topic_config_schema, S,
              create_topics_config_fields);
#undef S

#define S kl_create_topics_request_creatable_topic_t
static const kl_field_t create_topics_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, num_partitions, KL_FT_INT32, 0, V),
    KL_F(S, replication_factor, KL_FT_INT16, 0, V),
    KL_AS(S, assignments, kl_create_topics_request_creatable_replica_assignment_schema, 0, V),
    KL_AS(S, configs, kl_create_topics_request_creatable_topic_config_schema, 0, V),
};
static SCHEMA(kl_create_topics_request_creatable_topic_schema, S, create_topics_topic_fields);
#undef S

#define S kl_create_topics_request_t
static const kl_field_t create_topics_request_fields[] = {
    KL_AS(S, topics, kl_create_topics_request_creatable_topic_schema, 0, V),
    KL_FD(S, timeout_ms, KL_FT_INT32, 0, V, 60000),
    KL_FD(S, validate_only, KL_FT_BOOL, 1, V, false),
};
SCHEMA(kl_create_topics_request_schema, S, create_topics_request_fields);
#undef S

#define S kl_create_topics_response_creatable_topic_configs_t
static const kl_field_t create_topics_result_config_fields[] = {
    KL_F(S, name, KL_FT_STRING, 5, V),
    KL_FN(S, value, KL_FT_STRING, 5, V, 5),
    KL_F(S, read_only, KL_FT_BOOL, 5, V),
    KL_FD(S, config_source, KL_FT_INT8, 5, V, -1),
    KL_F(S, is_sensitive, KL_FT_BOOL, 5, V),
};
static SCHEMA(kl_create_topics_response_creatable_topic_configs_schema, S,
              create_topics_result_config_fields);
#undef S

#define S kl_create_topics_response_creatable_topic_result_t
static const kl_field_t create_topics_result_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, topic_id, KL_FT_UUID, 7, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 1, V, 0),
    KL_FT(S, topic_config_error_code, KL_FT_INT16, 5, V, 0, 5),
    KL_FD(S, num_partitions, KL_FT_INT32, 5, V, -1),
    KL_FD(S, replication_factor, KL_FT_INT16, 5, V, -1),
    KL_ASN(S, configs, kl_create_topics_response_creatable_topic_configs_schema, 5, V, 5),
};
static SCHEMA(kl_create_topics_response_creatable_topic_result_schema, S,
              create_topics_result_fields);
#undef S

#define S kl_create_topics_response_t
static const kl_field_t create_topics_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 2, V),
    KL_AS(S, topics, kl_create_topics_response_creatable_topic_result_schema, 0, V),
};
SCHEMA(kl_create_topics_response_schema, S, create_topics_response_fields);
#undef S

/* ---- DeleteTopics ---- */

#define S kl_delete_topics_request_delete_topic_state_t
static const kl_field_t delete_topics_state_fields[] = {
    KL_FNN(S, name, KL_FT_STRING, 6, V, 6),
    KL_F(S, topic_id, KL_FT_UUID, 6, V),
};
static SCHEMA(kl_delete_topics_request_delete_topic_state_schema, S, delete_topics_state_fields);
#undef S

#define S kl_delete_topics_request_t
static const kl_field_t delete_topics_request_fields[] = {
    KL_AS(S, topics, kl_delete_topics_request_delete_topic_state_schema, 6, V),
    KL_A(S, topic_names, KL_FT_STRING, 0, 5),
    KL_F(S, timeout_ms, KL_FT_INT32, 0, V),
};
SCHEMA(kl_delete_topics_request_schema, S, delete_topics_request_fields);
#undef S

#define S kl_delete_topics_response_deletable_topic_result_t
static const kl_field_t delete_topics_result_fields[] = {
    KL_FN(S, name, KL_FT_STRING, 0, V, 6),
    KL_F(S, topic_id, KL_FT_UUID, 6, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 5, V, 5),
};
static SCHEMA(kl_delete_topics_response_deletable_topic_result_schema, S,
              delete_topics_result_fields);
#undef S

#define S kl_delete_topics_response_t
static const kl_field_t delete_topics_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 1, V),
    KL_AS(S, responses, kl_delete_topics_response_deletable_topic_result_schema, 0, V),
};
SCHEMA(kl_delete_topics_response_schema, S, delete_topics_response_fields);
#undef S

/* ---- CreatePartitions ---- */

#define S kl_create_partitions_request_create_partitions_assignment_t
static const kl_field_t create_partitions_assignment_fields[] = {
    KL_A(S, broker_ids, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_create_partitions_request_create_partitions_assignment_schema, S,
              create_partitions_assignment_fields);
#undef S

#define S kl_create_partitions_request_create_partitions_topic_t
static const kl_field_t create_partitions_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, count, KL_FT_INT32, 0, V),
    KL_ASN(S, assignments, kl_create_partitions_request_create_partitions_assignment_schema,
           0, V, 0),
};
static SCHEMA(kl_create_partitions_request_create_partitions_topic_schema, S,
              create_partitions_topic_fields);
#undef S

#define S kl_create_partitions_request_t
static const kl_field_t create_partitions_request_fields[] = {
    KL_AS(S, topics, kl_create_partitions_request_create_partitions_topic_schema, 0, V),
    KL_F(S, timeout_ms, KL_FT_INT32, 0, V),
    KL_F(S, validate_only, KL_FT_BOOL, 0, V),
};
SCHEMA(kl_create_partitions_request_schema, S, create_partitions_request_fields);
#undef S

#define S kl_create_partitions_response_create_partitions_topic_result_t
static const kl_field_t create_partitions_result_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_create_partitions_response_create_partitions_topic_result_schema, S,
              create_partitions_result_fields);
#undef S

#define S kl_create_partitions_response_t
static const kl_field_t create_partitions_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, results, kl_create_partitions_response_create_partitions_topic_result_schema, 0, V),
};
SCHEMA(kl_create_partitions_response_schema, S, create_partitions_response_fields);
#undef S

/* ---- DeleteRecords ---- */

#define S kl_delete_records_request_delete_records_partition_t
static const kl_field_t delete_records_partition_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, offset, KL_FT_INT64, 0, V),
};
static SCHEMA(kl_delete_records_request_delete_records_partition_schema, S,
              delete_records_partition_fields);
#undef S

#define S kl_delete_records_request_delete_records_topic_t
static const kl_field_t delete_records_topic_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_delete_records_request_delete_records_partition_schema, 0, V),
};
static SCHEMA(kl_delete_records_request_delete_records_topic_schema, S,
              delete_records_topic_fields);
#undef S

#define S kl_delete_records_request_t
static const kl_field_t delete_records_request_fields[] = {
    KL_AS(S, topics, kl_delete_records_request_delete_records_topic_schema, 0, V),
    KL_F(S, timeout_ms, KL_FT_INT32, 0, V),
};
SCHEMA(kl_delete_records_request_schema, S, delete_records_request_fields);
#undef S

#define S kl_delete_records_response_delete_records_partition_result_t
static const kl_field_t delete_records_partition_result_fields[] = {
    KL_F(S, partition_index, KL_FT_INT32, 0, V),
    KL_F(S, low_watermark, KL_FT_INT64, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
};
static SCHEMA(kl_delete_records_response_delete_records_partition_result_schema, S,
              delete_records_partition_result_fields);
#undef S

#define S kl_delete_records_response_delete_records_topic_result_t
static const kl_field_t delete_records_topic_result_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_delete_records_response_delete_records_partition_result_schema, 0, V),
};
static SCHEMA(kl_delete_records_response_delete_records_topic_result_schema, S,
              delete_records_topic_result_fields);
#undef S

#define S kl_delete_records_response_t
static const kl_field_t delete_records_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, topics, kl_delete_records_response_delete_records_topic_result_schema, 0, V),
};
SCHEMA(kl_delete_records_response_schema, S, delete_records_response_fields);
#undef S
