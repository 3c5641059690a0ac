/* Fetch (key 1, versions 0-17, flexible from v12) and ListOffsets (key 2,
 * versions 0-10, flexible from v6) field tables. */
#include "proto/msg_fetch.h"

/* Fetch request */

#define RSTATE kl_fetch_request_replica_state_t
static const kl_field_t fetch_request_replica_state_fields[] = {
    KL_FD(RSTATE, replica_id, KL_FT_INT32, 15, KL_VMAX, -1),
    KL_FD(RSTATE, replica_epoch, KL_FT_INT64, 15, KL_VMAX, -1),
};
static KL_SCHEMA(kl_fetch_request_replica_state_schema, kl_fetch_request_replica_state_t,
                 fetch_request_replica_state_fields);
#undef RSTATE

#define PA kl_fetch_request_partition_t
static const kl_field_t fetch_request_partition_fields[] = {
    KL_F(PA, partition, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(PA, current_leader_epoch, KL_FT_INT32, 9, KL_VMAX, -1),
    KL_F(PA, fetch_offset, KL_FT_INT64, 0, KL_VMAX),
    KL_FD(PA, last_fetched_epoch, KL_FT_INT32, 12, KL_VMAX, -1),
    KL_FD(PA, log_start_offset, KL_FT_INT64, 5, KL_VMAX, -1),
    KL_F(PA, partition_max_bytes, KL_FT_INT32, 0, KL_VMAX),
    KL_FT(PA, replica_directory_id, KL_FT_UUID, 17, KL_VMAX, 0, 17),
};
static KL_SCHEMA(kl_fetch_request_partition_schema, kl_fetch_request_partition_t,
                 fetch_request_partition_fields);
#undef PA

#define TP kl_fetch_request_topic_t
static const kl_field_t fetch_request_topic_fields[] = {
    KL_F(TP, topic, KL_FT_STRING, 0, 12),
    KL_F(TP, topic_id, KL_FT_UUID, 13, KL_VMAX),
    KL_AS(TP, partitions, kl_fetch_request_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_fetch_request_topic_schema, kl_fetch_request_topic_t,
                 fetch_request_topic_fields);
#undef TP

#define FT kl_fetch_request_forgotten_topic_t
static const kl_field_t fetch_request_forgotten_topic_fields[] = {
    KL_F(FT, topic, KL_FT_STRING, 7, 12),
    KL_F(FT, topic_id, KL_FT_UUID, 13, KL_VMAX),
    KL_A(FT, partitions, KL_FT_INT32, 7, KL_VMAX),
};
static KL_SCHEMA(kl_fetch_request_forgotten_topic_schema, kl_fetch_request_forgotten_topic_t,
                 fetch_request_forgotten_topic_fields);
#undef FT

#define RQ kl_fetch_request_t
static const kl_field_t fetch_request_fields[] = {
    KL_FTNN(RQ, cluster_id, KL_FT_STRING, 12, KL_VMAX, 0, 12, 12),
    KL_FD(RQ, replica_id, KL_FT_INT32, 0, 14, -1),
    KL_ST(RQ, replica_state, kl_fetch_request_replica_state_schema, 15, KL_VMAX, 1, 15),
    KL_F(RQ, max_wait_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_F(RQ, min_bytes, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(RQ, max_bytes, KL_FT_INT32, 3, KL_VMAX, INT32_MAX),
    KL_F(RQ, isolation_level, KL_FT_INT8, 4, KL_VMAX),
    KL_F(RQ, session_id, KL_FT_INT32, 7, KL_VMAX),
    KL_FD(RQ, session_epoch, KL_FT_INT32, 7, KL_VMAX, -1),
    KL_AS(RQ, topics, kl_fetch_request_topic_schema, 0, KL_VMAX),
    KL_AS(RQ, forgotten_topics_data, kl_fetch_request_forgotten_topic_schema, 7, KL_VMAX),
    KL_F(RQ, rack_id, KL_FT_STRING, 11, KL_VMAX),
};
KL_SCHEMA(kl_fetch_request_schema, kl_fetch_request_t, fetch_request_fields);
#undef RQ

/* Fetch response */

#define EE kl_fetch_response_epoch_end_offset_t
static const kl_field_t fetch_response_epoch_end_offset_fields[] = {
    KL_FD(EE, epoch, KL_FT_INT32, 12, KL_VMAX, -1),
    KL_FD(EE, end_offset, KL_FT_INT64, 12, KL_VMAX, -1),
};
static KL_SCHEMA(kl_fetch_response_epoch_end_offset_schema,
                 kl_fetch_response_epoch_end_offset_t, fetch_response_epoch_end_offset_fields);
#undef EE

#define LE kl_fetch_response_leader_id_and_epoch_t
static const kl_field_t fetch_response_leader_fields[] = {
    KL_FD(LE, leader_id, KL_FT_INT32, 12, KL_VMAX, -1),
    KL_FD(LE, leader_epoch, KL_FT_INT32, 12, KL_VMAX, -1),
};
static KL_SCHEMA(kl_fetch_response_leader_id_and_epoch_schema,
                 kl_fetch_response_leader_id_and_epoch_t, fetch_response_leader_fields);
#undef LE

/* Kafka's JSON gives these two fields "0+" although the struct itself only
 * exists from v12; the effective range is the same. */
#define SN kl_fetch_response_snapshot_id_t
static const kl_field_t fetch_response_snapshot_id_fields[] = {
    KL_FD(SN, end_offset, KL_FT_INT64, 0, KL_VMAX, -1),
    KL_FD(SN, epoch, KL_FT_INT32, 0, KL_VMAX, -1),
};
static KL_SCHEMA(kl_fetch_response_snapshot_id_schema, kl_fetch_response_snapshot_id_t,
                 fetch_response_snapshot_id_fields);
#undef SN

#define AT kl_fetch_response_aborted_transaction_t
static const kl_field_t fetch_response_aborted_transaction_fields[] = {
    KL_F(AT, producer_id, KL_FT_INT64, 4, KL_VMAX),
    KL_F(AT, first_offset, KL_FT_INT64, 4, KL_VMAX),
};
static KL_SCHEMA(kl_fetch_response_aborted_transaction_schema,
                 kl_fetch_response_aborted_transaction_t,
                 fetch_response_aborted_transaction_fields);
#undef AT

#define PA kl_fetch_response_partition_t
static const kl_field_t fetch_response_partition_fields[] = {
    KL_F(PA, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(PA, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(PA, high_watermark, KL_FT_INT64, 0, KL_VMAX),
    KL_FD(PA, last_stable_offset, KL_FT_INT64, 4, KL_VMAX, -1),
    KL_FD(PA, log_start_offset, KL_FT_INT64, 5, KL_VMAX, -1),
    KL_ST(PA, diverging_epoch, kl_fetch_response_epoch_end_offset_schema, 12, KL_VMAX, 0, 12),
    KL_ST(PA, current_leader, kl_fetch_response_leader_id_and_epoch_schema, 12, KL_VMAX, 1, 12),
    KL_ST(PA, snapshot_id, kl_fetch_response_snapshot_id_schema, 12, KL_VMAX, 2, 12),
    KL_ASN(PA, aborted_transactions, kl_fetch_response_aborted_transaction_schema, 4, KL_VMAX,
           4),
    KL_FD(PA, preferred_read_replica, KL_FT_INT32, 11, KL_VMAX, -1),
    KL_FN(PA, records, KL_FT_RECORDS, 0, KL_VMAX, 0),
};
static KL_SCHEMA(kl_fetch_response_partition_schema, kl_fetch_response_partition_t,
                 fetch_response_partition_fields);
#undef PA

#define TP kl_fetch_response_topic_t
static const kl_field_t fetch_response_topic_fields[] = {
    KL_F(TP, topic, KL_FT_STRING, 0, 12),
    KL_F(TP, topic_id, KL_FT_UUID, 13, KL_VMAX),
    KL_AS(TP, partitions, kl_fetch_response_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_fetch_response_topic_schema, kl_fetch_response_topic_t,
                 fetch_response_topic_fields);
#undef TP

#define NE kl_fetch_response_node_endpoint_t
static const kl_field_t fetch_response_node_endpoint_fields[] = {
    KL_F(NE, node_id, KL_FT_INT32, 16, KL_VMAX),
    KL_F(NE, host, KL_FT_STRING, 16, KL_VMAX),
    KL_F(NE, port, KL_FT_INT32, 16, KL_VMAX),
    KL_FNN(NE, rack, KL_FT_STRING, 16, KL_VMAX, 16),
};
static KL_SCHEMA(kl_fetch_response_node_endpoint_schema, kl_fetch_response_node_endpoint_t,
                 fetch_response_node_endpoint_fields);
#undef NE

#define RS kl_fetch_response_t
static const kl_field_t fetch_response_fields[] = {
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_F(RS, error_code, KL_FT_INT16, 7, KL_VMAX),
    KL_F(RS, session_id, KL_FT_INT32, 7, KL_VMAX),
    KL_AS(RS, responses, kl_fetch_response_topic_schema, 0, KL_VMAX),
    KL_AST(RS, node_endpoints, kl_fetch_response_node_endpoint_schema, 16, KL_VMAX, 0, 16),
};
KL_SCHEMA(kl_fetch_response_schema, kl_fetch_response_t, fetch_response_fields);
#undef RS

/* ListOffsets request */

#define PA kl_list_offsets_request_partition_t
static const kl_field_t list_offsets_request_partition_fields[] = {
    KL_F(PA, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(PA, current_leader_epoch, KL_FT_INT32, 4, KL_VMAX, -1),
    KL_F(PA, timestamp, KL_FT_INT64, 0, KL_VMAX),
    KL_FD(PA, max_num_offsets, KL_FT_INT32, 0, 0, 1),
};
static KL_SCHEMA(kl_list_offsets_request_partition_schema, kl_list_offsets_request_partition_t,
                 list_offsets_request_partition_fields);
#undef PA

#define TP kl_list_offsets_request_topic_t
static const kl_field_t list_offsets_request_topic_fields[] = {
    KL_F(TP, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(TP, partitions, kl_list_offsets_request_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_list_offsets_request_topic_schema, kl_list_offsets_request_topic_t,
                 list_offsets_request_topic_fields);
#undef TP

#define RQ kl_list_offsets_request_t
static const kl_field_t list_offsets_request_fields[] = {
    KL_F(RQ, replica_id, KL_FT_INT32, 0, KL_VMAX),
    KL_F(RQ, isolation_level, KL_FT_INT8, 2, KL_VMAX),
    KL_AS(RQ, topics, kl_list_offsets_request_topic_schema, 0, KL_VMAX),
    KL_F(RQ, timeout_ms, KL_FT_INT32, 10, KL_VMAX),
};
KL_SCHEMA(kl_list_offsets_request_schema, kl_list_offsets_request_t,
          list_offsets_request_fields);
#undef RQ

/* ListOffsets response */

#define PA kl_list_offsets_response_partition_t
static const kl_field_t list_offsets_response_partition_fields[] = {
    KL_F(PA, partition_index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(PA, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_A(PA, old_style_offsets, KL_FT_INT64, 0, 0),
    KL_FD(PA, timestamp, KL_FT_INT64, 1, KL_VMAX, -1),
    KL_FD(PA, offset, KL_FT_INT64, 1, KL_VMAX, -1),
    KL_FD(PA, leader_epoch, KL_FT_INT32, 4, KL_VMAX, -1),
};
static KL_SCHEMA(kl_list_offsets_response_partition_schema,
                 kl_list_offsets_response_partition_t, list_offsets_response_partition_fields);
#undef PA

#define TP kl_list_offsets_response_topic_t
static const kl_field_t list_offsets_response_topic_fields[] = {
    KL_F(TP, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(TP, partitions, kl_list_offsets_response_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_list_offsets_response_topic_schema, kl_list_offsets_response_topic_t,
                 list_offsets_response_topic_fields);
#undef TP

#define RS kl_list_offsets_response_t
static const kl_field_t list_offsets_response_fields[] = {
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 2, KL_VMAX),
    KL_AS(RS, topics, kl_list_offsets_response_topic_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_list_offsets_response_schema, kl_list_offsets_response_t,
          list_offsets_response_fields);
#undef RS
