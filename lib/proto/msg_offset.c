/* Field tables of the committed-offset APIs (OffsetCommit, OffsetFetch,
 * OffsetDelete), transcribed from Kafka's message definitions, in wire
 * order. */
#include "proto/msg_offset.h"

#include <stddef.h>

/* A field Kafka marks nullable in a bounded range n0..n1 (not "n0+"). */
#define FIELD_NULLABLE_IN(S, m, T, v0, v1, n0, n1)                                 \
    KL_FLD(S, m, T, 0, NULL, v0, v1, n0, n1, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define ARRAY_NULLABLE_IN(S, m, sub, v0, v1, n0, n1)                               \
    KL_FLD(S, m, KL_FT_ARRAY, KL_FT_STRUCT, &(sub), v0, v1, n0, n1, KL_VNONE, KL_VNONE, \
           KL_VNONE, 0)

/* OffsetCommit: validVersions 0-9, flexibleVersions 8+. */

static const kl_field_t offset_commit_request_partition_fields[] = {
    KL_F(kl_offset_commit_request_partition_t, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(kl_offset_commit_request_partition_t, committed_offset, KL_FT_INT64, 0, KL_VMAX),
    KL_FD(kl_offset_commit_request_partition_t, committed_leader_epoch, KL_FT_INT32, 6, KL_VMAX,
          -1),
    KL_FD(kl_offset_commit_request_partition_t, commit_timestamp, KL_FT_INT64, 1, 1, -1),
    KL_FN(kl_offset_commit_request_partition_t, committed_metadata, KL_FT_STRING, 0, KL_VMAX, 0),
};
static KL_SCHEMA(kl_offset_commit_request_partition_schema, kl_offset_commit_request_partition_t,
                 offset_commit_request_partition_fields);

static const kl_field_t offset_commit_request_topic_fields[] = {
    KL_F(kl_offset_commit_request_topic_t, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_offset_commit_request_topic_t, partitions,
          kl_offset_commit_request_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_commit_request_topic_schema, kl_offset_commit_request_topic_t,
                 offset_commit_request_topic_fields);

static const kl_field_t offset_commit_request_fields[] = {
    KL_F(kl_offset_commit_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FD(kl_offset_commit_request_t, generation_id_or_member_epoch, KL_FT_INT32, 1, KL_VMAX, -1),
    KL_F(kl_offset_commit_request_t, member_id, KL_FT_STRING, 1, KL_VMAX),
    KL_FNN(kl_offset_commit_request_t, group_instance_id, KL_FT_STRING, 7, KL_VMAX, 7),
    KL_FD(kl_offset_commit_request_t, retention_time_ms, KL_FT_INT64, 2, 4, -1),
    KL_AS(kl_offset_commit_request_t, topics, kl_offset_commit_request_topic_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_offset_commit_request_schema, kl_offset_commit_request_t,
          offset_commit_request_fields);

static const kl_field_t offset_commit_response_partition_fields[] = {
    KL_F(kl_offset_commit_response_partition_t, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(kl_offset_commit_response_partition_t, error_code, KL_FT_INT16, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_commit_response_partition_schema,
                 kl_offset_commit_response_partition_t, offset_commit_response_partition_fields);

static const kl_field_t offset_commit_response_topic_fields[] = {
    KL_F(kl_offset_commit_response_topic_t, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_offset_commit_response_topic_t, partitions,
          kl_offset_commit_response_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_commit_response_topic_schema, kl_offset_commit_response_topic_t,
                 offset_commit_response_topic_fields);

static const kl_field_t offset_commit_response_fields[] = {
    KL_F(kl_offset_commit_response_t, throttle_time_ms, KL_FT_INT32, 3, KL_VMAX),
    KL_AS(kl_offset_commit_response_t, topics, kl_offset_commit_response_topic_schema, 0,
          KL_VMAX),
};
KL_SCHEMA(kl_offset_commit_response_schema, kl_offset_commit_response_t,
          offset_commit_response_fields);

/* OffsetFetch: validVersions 0-9, flexibleVersions 6+. */

static const kl_field_t offset_fetch_request_topic_fields[] = {
    KL_F(kl_offset_fetch_request_topic_t, name, KL_FT_STRING, 0, 7),
    KL_A(kl_offset_fetch_request_topic_t, partition_indexes, KL_FT_INT32, 0, 7),
};
static KL_SCHEMA(kl_offset_fetch_request_topic_schema, kl_offset_fetch_request_topic_t,
                 offset_fetch_request_topic_fields);

static const kl_field_t offset_fetch_request_group_topic_fields[] = {
    KL_F(kl_offset_fetch_request_group_topic_t, name, KL_FT_STRING, 8, KL_VMAX),
    KL_A(kl_offset_fetch_request_group_topic_t, partition_indexes, KL_FT_INT32, 8, KL_VMAX),
};
static KL_SCHEMA(kl_offset_fetch_request_group_topic_schema,
                 kl_offset_fetch_request_group_topic_t, offset_fetch_request_group_topic_fields);

static const kl_field_t offset_fetch_request_group_fields[] = {
    KL_F(kl_offset_fetch_request_group_t, group_id, KL_FT_STRING, 8, KL_VMAX),
    KL_FNN(kl_offset_fetch_request_group_t, member_id, KL_FT_STRING, 9, KL_VMAX, 9),
    KL_FD(kl_offset_fetch_request_group_t, member_epoch, KL_FT_INT32, 9, KL_VMAX, -1),
    KL_ASN(kl_offset_fetch_request_group_t, topics, kl_offset_fetch_request_group_topic_schema, 8,
           KL_VMAX, 8),
};
static KL_SCHEMA(kl_offset_fetch_request_group_schema, kl_offset_fetch_request_group_t,
                 offset_fetch_request_group_fields);

static const kl_field_t offset_fetch_request_fields[] = {
    KL_F(kl_offset_fetch_request_t, group_id, KL_FT_STRING, 0, 7),
    ARRAY_NULLABLE_IN(kl_offset_fetch_request_t, topics, kl_offset_fetch_request_topic_schema, 0,
                      7, 2, 7),
    KL_AS(kl_offset_fetch_request_t, groups, kl_offset_fetch_request_group_schema, 8, KL_VMAX),
    KL_F(kl_offset_fetch_request_t, require_stable, KL_FT_BOOL, 7, KL_VMAX),
};
KL_SCHEMA(kl_offset_fetch_request_schema, kl_offset_fetch_request_t, offset_fetch_request_fields);

static const kl_field_t offset_fetch_response_partition_fields[] = {
    KL_F(kl_offset_fetch_response_partition_t, partition_index, KL_FT_INT32, 0, 7),
    KL_F(kl_offset_fetch_response_partition_t, committed_offset, KL_FT_INT64, 0, 7),
    KL_FD(kl_offset_fetch_response_partition_t, committed_leader_epoch, KL_FT_INT32, 5, 7, -1),
    FIELD_NULLABLE_IN(kl_offset_fetch_response_partition_t, metadata, KL_FT_STRING, 0, 7, 0, 7),
    KL_F(kl_offset_fetch_response_partition_t, error_code, KL_FT_INT16, 0, 7),
};
static KL_SCHEMA(kl_offset_fetch_response_partition_schema, kl_offset_fetch_response_partition_t,
                 offset_fetch_response_partition_fields);

static const kl_field_t offset_fetch_response_topic_fields[] = {
    KL_F(kl_offset_fetch_response_topic_t, name, KL_FT_STRING, 0, 7),
    KL_AS(kl_offset_fetch_response_topic_t, partitions, kl_offset_fetch_response_partition_schema,
          0, 7),
};
static KL_SCHEMA(kl_offset_fetch_response_topic_schema, kl_offset_fetch_response_topic_t,
                 offset_fetch_response_topic_fields);

static const kl_field_t offset_fetch_response_group_partition_fields[] = {
    KL_F(kl_offset_fetch_response_group_partition_t, partition_index, KL_FT_INT32, 8, KL_VMAX),
    KL_F(kl_offset_fetch_response_group_partition_t, committed_offset, KL_FT_INT64, 8, KL_VMAX),
    KL_FD(kl_offset_fetch_response_group_partition_t, committed_leader_epoch, KL_FT_INT32, 8,
          KL_VMAX, -1),
    KL_FN(kl_offset_fetch_response_group_partition_t, metadata, KL_FT_STRING, 8, KL_VMAX, 8),
    KL_F(kl_offset_fetch_response_group_partition_t, error_code, KL_FT_INT16, 8, KL_VMAX),
};
static KL_SCHEMA(kl_offset_fetch_response_group_partition_schema,
                 kl_offset_fetch_response_group_partition_t,
                 offset_fetch_response_group_partition_fields);

static const kl_field_t offset_fetch_response_group_topic_fields[] = {
    KL_F(kl_offset_fetch_response_group_topic_t, name, KL_FT_STRING, 8, KL_VMAX),
    KL_AS(kl_offset_fetch_response_group_topic_t, partitions,
          kl_offset_fetch_response_group_partition_schema, 8, KL_VMAX),
};
static KL_SCHEMA(kl_offset_fetch_response_group_topic_schema,
                 kl_offset_fetch_response_group_topic_t, offset_fetch_response_group_topic_fields);

static const kl_field_t offset_fetch_response_group_fields[] = {
    KL_F(kl_offset_fetch_response_group_t, group_id, KL_FT_STRING, 8, KL_VMAX),
    KL_AS(kl_offset_fetch_response_group_t, topics, kl_offset_fetch_response_group_topic_schema, 8,
          KL_VMAX),
    KL_F(kl_offset_fetch_response_group_t, error_code, KL_FT_INT16, 8, KL_VMAX),
};
static KL_SCHEMA(kl_offset_fetch_response_group_schema, kl_offset_fetch_response_group_t,
                 offset_fetch_response_group_fields);

static const kl_field_t offset_fetch_response_fields[] = {
    KL_F(kl_offset_fetch_response_t, throttle_time_ms, KL_FT_INT32, 3, KL_VMAX),
    KL_AS(kl_offset_fetch_response_t, topics, kl_offset_fetch_response_topic_schema, 0, 7),
    KL_F(kl_offset_fetch_response_t, error_code, KL_FT_INT16, 2, 7),
    KL_AS(kl_offset_fetch_response_t, groups, kl_offset_fetch_response_group_schema, 8, KL_VMAX),
};
KL_SCHEMA(kl_offset_fetch_response_schema, kl_offset_fetch_response_t,
          offset_fetch_response_fields);

/* OffsetDelete: validVersions 0, never flexible. */

static const kl_field_t offset_delete_request_partition_fields[] = {
    KL_F(kl_offset_delete_request_partition_t, partition_index, KL_FT_INT32, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_delete_request_partition_schema, kl_offset_delete_request_partition_t,
                 offset_delete_request_partition_fields);

static const kl_field_t offset_delete_request_topic_fields[] = {
    KL_F(kl_offset_delete_request_topic_t, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_offset_delete_request_topic_t, partitions,
          kl_offset_delete_request_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_delete_request_topic_schema, kl_offset_delete_request_topic_t,
                 offset_delete_request_topic_fields);

static const kl_field_t offset_delete_request_fields[] = {
    KL_F(kl_offset_delete_request_t, group_id, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_offset_delete_request_t, topics, kl_offset_delete_request_topic_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_offset_delete_request_schema, kl_offset_delete_request_t,
          offset_delete_request_fields);

static const kl_field_t offset_delete_response_partition_fields[] = {
    KL_F(kl_offset_delete_response_partition_t, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(kl_offset_delete_response_partition_t, error_code, KL_FT_INT16, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_delete_response_partition_schema,
                 kl_offset_delete_response_partition_t, offset_delete_response_partition_fields);

static const kl_field_t offset_delete_response_topic_fields[] = {
    KL_F(kl_offset_delete_response_topic_t, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(kl_offset_delete_response_topic_t, partitions,
          kl_offset_delete_response_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_offset_delete_response_topic_schema, kl_offset_delete_response_topic_t,
                 offset_delete_response_topic_fields);

static const kl_field_t offset_delete_response_fields[] = {
    KL_F(kl_offset_delete_response_t, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(kl_offset_delete_response_t, throttle_time_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_AS(kl_offset_delete_response_t, topics, kl_offset_delete_response_topic_schema, 0,
          KL_VMAX),
};
KL_SCHEMA(kl_offset_delete_response_schema, kl_offset_delete_response_t,
          offset_delete_response_fields);
