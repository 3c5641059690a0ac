/* Produce (key 0, versions 0-11, flexible from v9) and InitProducerId
 * (key 22, versions 0-5, flexible from v2) field tables. */
#include "proto/msg_produce.h"

/* Produce request */

#define PA kl_produce_request_partition_t
static const kl_field_t produce_request_partition_fields[] = {
    KL_F(PA, index, KL_FT_INT32, 0, KL_VMAX),
    KL_FN(PA, records, KL_FT_RECORDS, 0, KL_VMAX, 0),
};
static KL_SCHEMA(kl_produce_request_partition_schema, kl_produce_request_partition_t,
                 produce_request_partition_fields);
#undef PA

#define TP kl_produce_request_topic_t
static const kl_field_t produce_request_topic_fields[] = {
    KL_F(TP, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(TP, partition_data, kl_produce_request_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_produce_request_topic_schema, kl_produce_request_topic_t,
                 produce_request_topic_fields);
#undef TP

#define RQ kl_produce_request_t
static const kl_field_t produce_request_fields[] = {
    KL_FNN(RQ, transactional_id, KL_FT_STRING, 3, KL_VMAX, 3),
    KL_F(RQ, acks, KL_FT_INT16, 0, KL_VMAX),
    KL_F(RQ, timeout_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_AS(RQ, topic_data, kl_produce_request_topic_schema, 0, KL_VMAX),
};
KL_SCHEMA(kl_produce_request_schema, kl_produce_request_t, produce_request_fields);
#undef RQ

/* Produce response */

#define RE kl_produce_response_record_error_t
static const kl_field_t produce_response_record_error_fields[] = {
    KL_F(RE, batch_index, KL_FT_INT32, 8, KL_VMAX),
    KL_FNN(RE, batch_index_error_message, KL_FT_STRING, 8, KL_VMAX, 8),
};
static KL_SCHEMA(kl_produce_response_record_error_schema, kl_produce_response_record_error_t,
                 produce_response_record_error_fields);
#undef RE

#define LE kl_produce_response_leader_id_and_epoch_t
static const kl_field_t produce_response_leader_fields[] = {
    KL_FD(LE, leader_id, KL_FT_INT32, 10, KL_VMAX, -1),
    KL_FD(LE, leader_epoch, KL_FT_INT32, 10, KL_VMAX, -1),
};
static KL_SCHEMA(kl_produce_response_leader_id_and_epoch_schema,
                 kl_produce_response_leader_id_and_epoch_t, produce_response_leader_fields);
#undef LE

#define PA kl_produce_response_partition_t
static const kl_field_t produce_response_partition_fields[] = {
    KL_F(PA, index, KL_FT_INT32, 0, KL_VMAX),
    KL_F(PA, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_F(PA, base_offset, KL_FT_INT64, 0, KL_VMAX),
    KL_FD(PA, log_append_time_ms, KL_FT_INT64, 2, KL_VMAX, -1),
    KL_FD(PA, log_start_offset, KL_FT_INT64, 5, KL_VMAX, -1),
    KL_AS(PA, record_errors, kl_produce_response_record_error_schema, 8, KL_VMAX),
    KL_FNN(PA, error_message, KL_FT_STRING, 8, KL_VMAX, 8),
    KL_ST(PA, current_leader, kl_produce_response_leader_id_and_epoch_schema, 10, KL_VMAX, 0,
          10),
};
static KL_SCHEMA(kl_produce_response_partition_schema, kl_produce_response_partition_t,
                 produce_response_partition_fields);
#undef PA

#define TP kl_produce_response_topic_t
static const kl_field_t produce_response_topic_fields[] = {
    KL_F(TP, name, KL_FT_STRING, 0, KL_VMAX),
    KL_AS(TP, partition_responses, kl_produce_response_partition_schema, 0, KL_VMAX),
};
static KL_SCHEMA(kl_produce_response_topic_schema, kl_produce_response_topic_t,
                 produce_response_topic_fields);
#undef TP

#define NE kl_produce_response_node_endpoint_t
static const kl_field_t produce_response_node_endpoint_fields[] = {
    KL_F(NE, node_id, KL_FT_INT32, 10, KL_VMAX),
    KL_F(NE, host, KL_FT_STRING, 10, KL_VMAX),
    KL_F(NE, port, KL_FT_INT32, 10, KL_VMAX),
    KL_FNN(NE, rack, KL_FT_STRING, 10, KL_VMAX, 10),
};
static KL_SCHEMA(kl_produce_response_node_endpoint_schema, kl_produce_response_node_endpoint_t,
                 produce_response_node_endpoint_fields);
#undef NE

#define RS kl_produce_response_t
static const kl_field_t produce_response_fields[] = {
    KL_AS(RS, responses, kl_produce_response_topic_schema, 0, KL_VMAX),
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_AST(RS, node_endpoints, kl_produce_response_node_endpoint_schema, 10, KL_VMAX, 0, 10),
};
KL_SCHEMA(kl_produce_response_schema, kl_produce_response_t, produce_response_fields);
#undef RS

/* InitProducerId request */

#define RQ kl_init_producer_id_request_t
static const kl_field_t init_producer_id_request_fields[] = {
    KL_FN(RQ, transactional_id, KL_FT_STRING, 0, KL_VMAX, 0),
    KL_F(RQ, transaction_timeout_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_FD(RQ, producer_id, KL_FT_INT64, 3, KL_VMAX, -1),
    KL_FD(RQ, producer_epoch, KL_FT_INT16, 3, KL_VMAX, -1),
};
KL_SCHEMA(kl_init_producer_id_request_schema, kl_init_producer_id_request_t,
          init_producer_id_request_fields);
#undef RQ

/* InitProducerId response */

#define RS kl_init_producer_id_response_t
static const kl_field_t init_producer_id_response_fields[] = {
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 0, KL_VMAX),
    KL_F(RS, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FD(RS, producer_id, KL_FT_INT64, 0, KL_VMAX, -1),
    KL_F(RS, producer_epoch, KL_FT_INT16, 0, KL_VMAX),
};
KL_SCHEMA(kl_init_producer_id_response_schema, kl_init_producer_id_response_t,
          init_producer_id_response_fields);
#undef RS
