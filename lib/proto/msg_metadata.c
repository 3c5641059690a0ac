/* Metadata (key 3, versions 0-12, flexible from v9) and DescribeCluster
 * (key 60, versions 0-1, always flexible) field tables. */
#include "proto/msg_metadata.h"

/* "Operations unknown": the default of every authorized-operations field. */
#define OPS_UNKNOWN INT32_MIN

/* Metadata request */

#define TP kl_metadata_request_topic_t
static const kl_field_t metadata_request_topic_fields[] = {
    KL_F(TP, topic_id, KL_FT_UUID, 10, KL_VMAX),
    KL_FN(TP, name, KL_FT_STRING, 0, KL_VMAX, 10),
};
static KL_SCHEMA(kl_metadata_request_topic_schema, kl_metadata_request_topic_t,
                 metadata_request_topic_fields);
#undef TP

#define RQ kl_metadata_request_t
static const kl_field_t metadata_request_fields[] = {
    KL_ASN(RQ, topics, kl_metadata_request_topic_schema, 0, KL_VMAX, 1),
    KL_FD(RQ, allow_auto_topic_creation, KL_FT_BOOL, 4, KL_VMAX, 1),
    KL_F(RQ, include_cluster_authorized_operations, KL_FT_BOOL, 8, 10),
    KL_F(RQ, include_topic_authorized_operations, KL_FT_BOOL, 8, KL_VMAX),
};
KL_SCHEMA(kl_metadata_request_schema, kl_metadata_request_t, metadata_request_fields);
#undef RQ

/* Metadata response */

#define B kl_metadata_response_broker_t
static const kl_field_t metadata_response_broker_fields[] = {
    KL_F(B, node_id, KL_FT_INT32, 0, KL_VMAX),
    KL_F(B, host, KL_FT_STRING, 0, KL_VMAX),
    KL_F(B, port, KL_FT_INT32, 0, KL_VMAX),
    KL_FNN(B, rack, KL_FT_STRING, 1, KL_VMAX, 1),
};
static KL_SCHEMA(kl_metadata_response_broker_schema, kl_metadata_response_broker_t,
                 metadata_response_broker_fields);
#undef B

#define P kl_metadata_response_partition_t
static const kl_field_t metadata_response_partition_fields[] = {
    KL_F(P, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(P, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(P, leader_id, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(P, leader_epoch, KL_FT_INT32, 7, KL_VMAX, -1),
    KL_A(P, replica_nodes, KL_FT_INT32, 0, KL_VMAX),
    KL_A(P, isr_nodes, KL_FT_INT32, 0, KL_VMAX),
    KL_A(P, offline_replicas, KL_FT_INT32, 5, KL_VMAX),
};
static KL_SCHEMA(kl_metadata_response_partition_schema, kl_metadata_response_partition_t,
                 metadata_response_partition_fields);
#undef P

#define TP kl_metadata_response_topic_t
static const kl_field_t metadata_response_topic_fields[] = {
    KL_F(TP, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FN(TP, name, KL_FT_STRING, 0, KL_VMAX, 12),
    KL_F(TP, topic_id, KL_FT_UUID, 10, KL_VMAX),
    KL_F(TP, is_internal, KL_FT_BOOL, 1, KL_VMAX),
    KL_AS(TP, partitions, kl_metadata_response_partition_schema, 0, KL_VMAX),
    KL_FD(TP, topic_authorized_operations, KL_FT_INT32, 8, KL_VMAX, OPS_UNKNOWN),
};
static KL_SCHEMA(kl_metadata_response_topic_schema, kl_metadata_response_topic_t,
                 metadata_response_topic_fields);
#undef TP

#define RS kl_metadata_response_t
static const kl_field_t metadata_response_fields[] = {
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 3, KL_VMAX),
    KL_AS(RS, brokers, kl_metadata_response_broker_schema, 0, KL_VMAX),
    KL_FNN(RS, cluster_id, KL_FT_STRING, 2, KL_VMAX, 2),
    KL_FD(RS, controller_id, KL_FT_INT32, 1, KL_VMAX, -1),
    KL_AS(RS, topics, kl_metadata_response_topic_schema, 0, KL_VMAX),
    KL_FD(RS, cluster_authorized_operations, KL_FT_INT32, 8, 10, OPS_UNKNOWN),
};
KL_SCHEMA(kl_metadata_response_schema, kl_metadata_response_t, metadata_response_fields);
#undef RS

/* DescribeCluster request */

#define RQ kl_describe_cluster_request_t
static const kl_field_t describe_cluster_request_fields[] = {
    KL_F(RQ, include_cluster_authorized_operations, KL_FT_BOOL, 0, KL_VMAX),
    KL_FD(RQ, endpoint_type, KL_FT_INT8, 1, KL_VMAX, 1),
};
KL_SCHEMA(kl_describe_cluster_request_schema, kl_describe_cluster_request_t,
          describe_cluster_request_fields);
#undef RQ

/* DescribeCluster response */

#define B kl_describe_cluster_response_broker_t
static const kl_field_t describe_cluster_response_broker_fields[] = {
    KL_F(B, broker_id, KL_FT_INT32, 0, KL_VMAX),
    KL_F(B, host, KL_FT_STRING, 0, KL_VMAX),
    KL_F(B, port, KL_FT_INT32, 0, KL_VMAX),
    KL_FNN(B, rack, KL_FT_STRING, 0, KL_VMAX, 0),
};
static KL_SCHEMA(kl_describe_cluster_response_broker_schema,
                 kl_describe_cluster_response_broker_t,
                 describe_cluster_response_broker_fields);
#undef B

#define RS kl_describe_cluster_response_t
static const kl_field_t describe_cluster_response_fields[] = {
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_F(RS, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FNN(RS, error_message, KL_FT_STRING, 0, KL_VMAX, 0),
    KL_FD(RS, endpoint_type, KL_FT_INT8, 1, KL_VMAX, 1),
    KL_F(RS, cluster_id, KL_FT_STRING, 0, KL_VMAX),
    KL_FD(RS, controller_id, KL_FT_INT32, 0, KL_VMAX, -1),
    KL_AS(RS, brokers, kl_describe_cluster_response_broker_schema, 0, KL_VMAX),
    KL_FD(RS, cluster_authorized_operations, KL_FT_INT32, 0, KL_VMAX, OPS_UNKNOWN),
};
KL_SCHEMA(kl_describe_cluster_response_schema, kl_describe_cluster_response_t,
          describe_cluster_response_fields);
#undef RS
