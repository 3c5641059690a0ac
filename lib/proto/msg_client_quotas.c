/* DescribeClientQuotas (key 48) and AlterClientQuotas (key 49) field
 * tables, transcribed from Kafka's message definitions: versions 0-1,
 * flexible from 1; structs in msg_client_quotas.h. */
#include "proto/msg_client_quotas.h"

#define V KL_VMAX

#define S kl_quota_filter_component_t
static const kl_field_t component_fields[] = {
    KL_F(S, entity_type, KL_FT_STRING, 0, V),
    KL_F(S, match_type, KL_FT_INT8, 0, V),
    KL_FNN(S, match, KL_FT_STRING, 0, V, 0),
};
static KL_SCHEMA(component_schema, S, component_fields);
#undef S

#define S kl_describe_client_quotas_request_t
static const kl_field_t request_fields[] = {
    KL_AS(S, components, component_schema, 0, V),
    KL_F(S, strict, KL_FT_BOOL, 0, V),
};
KL_SCHEMA(kl_describe_client_quotas_request_schema, S, request_fields);
#undef S

#define S kl_quota_entity_t
static const kl_field_t entity_fields[] = {
    KL_F(S, entity_type, KL_FT_STRING, 0, V),
    KL_FNN(S, entity_name, KL_FT_STRING, 0, V, 0),
};
static KL_SCHEMA(entity_schema, S, entity_fields);
#undef S

#define S kl_quota_value_t
static const kl_field_t value_fields[] = {
    KL_F(S, key, KL_FT_STRING, 0, V),
    KL_F(S, value, KL_FT_FLOAT64, 0, V),
};
static KL_SCHEMA(value_schema, S, value_fields);
#undef S

#define S kl_quota_entry_t
static const kl_field_t entry_fields[] = {
    KL_AS(S, entity, entity_schema, 0, V),
    KL_AS(S, values, value_schema, 0, V),
};
static KL_SCHEMA(entry_schema, S, entry_fields);
#undef S

#define S kl_describe_client_quotas_response_t
static const kl_field_t response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_ASN(S, entries, entry_schema, 0, V, 0),
};
KL_SCHEMA(kl_describe_client_quotas_response_schema, S, response_fields);
#undef S

#define S kl_quota_op_t
static const kl_field_t op_fields[] = {
    KL_F(S, key, KL_FT_STRING, 0, V),
    KL_F(S, value, KL_FT_FLOAT64, 0, V),
    KL_F(S, remove, KL_FT_BOOL, 0, V),
};
static KL_SCHEMA(op_schema, S, op_fields);
#undef S

#define S kl_alter_client_quotas_request_entry_t
static const kl_field_t alter_entry_fields[] = {
    KL_AS(S, entity, entity_schema, 0, V),
    KL_AS(S, ops, op_schema, 0, V),
};
static KL_SCHEMA(alter_entry_schema, S, alter_entry_fields);
#undef S

#define S kl_alter_client_quotas_request_t
static const kl_field_t alter_request_fields[] = {
    KL_AS(S, entries, alter_entry_schema, 0, V),
    KL_F(S, validate_only, KL_FT_BOOL, 0, V),
};
KL_SCHEMA(kl_alter_client_quotas_request_schema, S, alter_request_fields);
#undef S

#define S kl_alter_client_quotas_response_entry_t
static const kl_field_t alter_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, entity, entity_schema, 0, V),
};
static KL_SCHEMA(alter_result_schema, S, alter_result_fields);
#undef S

#define S kl_alter_client_quotas_response_t
static const kl_field_t alter_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, entries, alter_result_schema, 0, V),
};
KL_SCHEMA(kl_alter_client_quotas_response_schema, S, alter_response_fields);
#undef S
