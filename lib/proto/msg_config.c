/* Field tables for the configuration APIs (DescribeConfigs, AlterConfigs,
 * IncrementalAlterConfigs), transcribed version by version from Kafka's
 * message definitions; structs in msg_config.h. */
#include "proto/msg_config.h"

#define V KL_VMAX
/* S names the struct each table describes; going through SCHEMA expands it
 * before KL_SCHEMA turns it into the schema's name string. */
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)

/* ---- DescribeConfigs ---- */

#define S kl_describe_configs_request_describe_configs_resource_t
static const kl_field_t describe_configs_resource_fields[] = {
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_AN(S, configuration_keys, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_describe_configs_request_describe_configs_resource_schema, S,
              describe_configs_resource_fields);
#undef S

#define S kl_describe_configs_request_t
static const kl_field_t describe_configs_request_fields[] = {
    KL_AS(S, resources, kl_describe_configs_request_describe_configs_resource_schema, 0, V),
    KL_FD(S, include_synonyms, KL_FT_BOOL, 1, V, false),
    KL_FD(S, include_documentation, KL_FT_BOOL, 3, V, false),
};
SCHEMA(kl_describe_configs_request_schema, S, describe_configs_request_fields);
#undef S

#define S kl_describe_configs_response_describe_configs_synonym_t
static const kl_field_t describe_configs_synonym_fields[] = {
    KL_F(S, name, KL_FT_STRING, 1, V),
    KL_FN(S, value, KL_FT_STRING, 1, V, 0),
    KL_F(S, source, KL_FT_INT8, 1, V),
};
static SCHEMA(kl_describe_configs_response_describe_configs_synonym_schema, S,
              describe_configs_synonym_fields);
#undef S

#define S kl_describe_configs_response_describe_configs_resource_result_t
static const kl_field_t describe_configs_config_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_FN(S, value, KL_FT_STRING, 0, V, 0),
    KL_F(S, read_only, KL_FT_BOOL, 0, V),
    KL_F(S, is_default, KL_FT_BOOL, 0, 0),
    KL_FD(S, config_source, KL_FT_INT8, 1, V, -1),
    KL_F(S, is_sensitive, KL_FT_BOOL, 0, V),
    KL_AS(S, synonyms, kl_describe_configs_response_describe_configs_synonym_schema, 1, V),
    KL_FD(S, config_type, KL_FT_INT8, 3, V, 0),
    KL_FN(S, documentation, KL_FT_STRING, 3, V, 0),
};
static SCHEMA(kl_describe_configs_response_describe_configs_resource_result_schema, S,
              describe_configs_config_fields);
#undef S

#define S kl_describe_configs_response_describe_configs_result_t
static const kl_field_t describe_configs_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_AS(S, configs, kl_describe_configs_response_describe_configs_resource_result_schema, 0, V),
};
static SCHEMA(kl_describe_configs_response_describe_configs_result_schema, S,
              describe_configs_result_fields);
#undef S

#define S kl_describe_configs_response_t
static const kl_field_t describe_configs_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, results, kl_describe_configs_response_describe_configs_result_schema, 0, V),
};
SCHEMA(kl_describe_configs_response_schema, S, describe_configs_response_fields);
#undef S

/* ---- AlterConfigs ---- */

#define S kl_alter_configs_request_alterable_config_t
static const kl_field_t alter_configs_config_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_FN(S, value, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_alter_configs_request_alterable_config_schema, S, alter_configs_config_fields);
#undef S

#define S kl_alter_configs_request_alter_configs_resource_t
static const kl_field_t alter_configs_resource_fields[] = {
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_AS(S, configs, kl_alter_configs_request_alterable_config_schema, 0, V),
};
static SCHEMA(kl_alter_configs_request_alter_configs_resource_schema, S,
              alter_configs_resource_fields);
#undef S

#define S kl_alter_configs_request_t
static const kl_field_t alter_configs_request_fields[] = {
    KL_AS(S, resources, kl_alter_configs_request_alter_configs_resource_schema, 0, V),
    KL_F(S, validate_only, KL_FT_BOOL, 0, V),
};
SCHEMA(kl_alter_configs_request_schema, S, alter_configs_request_fields);
#undef S

#define S kl_alter_configs_response_alter_configs_resource_response_t
static const kl_field_t alter_configs_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
};
static SCHEMA(kl_alter_configs_response_alter_configs_resource_response_schema, S,
              alter_configs_result_fields);
#undef S

#define S kl_alter_configs_response_t
static const kl_field_t alter_configs_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, responses, kl_alter_configs_response_alter_configs_resource_response_schema, 0, V),
};
SCHEMA(kl_alter_configs_response_schema, S, alter_configs_response_fields);
#undef S

/* ---- IncrementalAlterConfigs ---- */

#define S kl_incremental_alter_configs_request_alterable_config_t
static const kl_field_t incremental_alter_configs_config_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, config_operation, KL_FT_INT8, 0, V),
    KL_FN(S, value, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_incremental_alter_configs_request_alterable_config_schema, S,
              incremental_alter_configs_config_fields);
#undef S

#define S kl_incremental_alter_configs_request_alter_configs_resource_t
static const kl_field_t incremental_alter_configs_resource_fields[] = {
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_AS(S, configs, kl_incremental_alter_configs_request_alterable_config_schema, 0, V),
};
static SCHEMA(kl_incremental_alter_configs_request_alter_configs_resource_schema, S,
              incremental_alter_configs_resource_fields);
#undef S

#define S kl_incremental_alter_configs_request_t
static const kl_field_t incremental_alter_configs_request_fields[] = {
    KL_AS(S, resources, kl_incremental_alter_configs_request_alter_configs_resource_schema, 0, V),
    KL_F(S, validate_only, KL_FT_BOOL, 0, V),
};
SCHEMA(kl_incremental_alter_configs_request_schema, S, incremental_alter_configs_request_fields);
#undef S

#define S kl_incremental_alter_configs_response_alter_configs_resource_response_t
static const kl_field_t incremental_alter_configs_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
};
static SCHEMA(kl_incremental_alter_configs_response_alter_configs_resource_response_schema, S,
              incremental_alter_configs_result_fields);
#undef S

#define S kl_incremental_alter_configs_response_t
static const kl_field_t incremental_alter_configs_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, responses,
          kl_incremental_alter_configs_response_alter_configs_resource_response_schema, 0, V),
};
SCHEMA(kl_incremental_alter_configs_response_schema, S,
       incremental_alter_configs_response_fields);
#undef S
