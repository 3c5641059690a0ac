/* OffsetForLeaderEpoch (key 23) field tables, transcribed from Kafka's
 * message definitions: versions 0-4, flexible from 4; structs in
 * msg_offset_for_leader_epoch.h. */
#include "proto/msg_offset_for_leader_epoch.h"

#define V KL_VMAX
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

#define S kl_offset_for_leader_epoch_request_partition_t
static const kl_field_t request_partition_fields[] = {
    KL_F(S, partition, KL_FT_INT32, 0, V),
    KL_FD(S, current_leader_epoch, KL_FT_INT32, 2, V, -1),
    KL_F(S, leader_epoch, KL_FT_INT32, 0, V),
};
static SCHEMA(kl_offset_for_leader_epoch_request_partition_schema, S, request_partition_fields);
#undef S

#define S kl_offset_for_leader_epoch_request_topic_t
static const kl_field_t request_topic_fields[] = {
    KL_F(S, topic, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_offset_for_leader_epoch_request_partition_schema, 0, V),
};
static SCHEMA(kl_offset_for_leader_epoch_request_topic_schema, S, request_topic_fields);
#undef S

#define S kl_offset_for_leader_epoch_request_t
static const kl_field_t request_fields[] = {
    KL_FD(S, replica_id, KL_FT_INT32, 3, V, -2),
    KL_AS(S, topics, kl_offset_for_leader_epoch_request_topic_schema, 0, V),
};
SCHEMA(kl_offset_for_leader_epoch_request_schema, S, request_fields);
#undef S

#define S kl_offset_for_leader_epoch_response_partition_t
static const kl_field_t response_partition_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_F(S, partition, KL_FT_INT32, 0, V),
    KL_FD(S, leader_epoch, KL_FT_INT32, 1, V, -1),
    KL_FD(S, end_offset, KL_FT_INT64, 0, V, -1),
};
static SCHEMA(kl_offset_for_leader_epoch_response_partition_schema, S, response_partition_fields);
#undef S

#define S kl_offset_for_leader_epoch_response_topic_t
static const kl_field_t response_topic_fields[] = {
    KL_F(S, topic, KL_FT_STRING, 0, V),
    KL_AS(S, partitions, kl_offset_for_leader_epoch_response_partition_schema, 0, V),
};
static SCHEMA(kl_offset_for_leader_epoch_response_topic_schema, S, response_topic_fields);
#undef S

#define S kl_offset_for_leader_epoch_response_t
static const kl_field_t response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 2, V),
    KL_AS(S, topics, kl_offset_for_leader_epoch_response_topic_schema, 0, V),
};
SCHEMA(kl_offset_for_leader_epoch_response_schema, S, response_fields);
#undef S
