/* Configuration messages: DescribeConfigs (32), AlterConfigs (33) and
 * IncrementalAlterConfigs (44), as C structs plus the field tables
 * (msg_config.c) the generic codec walks. */
#ifndef KL_PROTO_MSG_CONFIG_H
#define KL_PROTO_MSG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* ---- DescribeConfigs: versions 0-4, flexible from 4 ---- */

typedef struct kl_describe_configs_request_describe_configs_resource {
    int8_t resource_type;
    kl_str_t resource_name;
    KL_ARRAY_OF(kl_str_t) configuration_keys; /* nullable: null asks for all */
} kl_describe_configs_request_describe_configs_resource_t;

typedef struct kl_describe_configs_request {
    KL_ARRAY_OF(kl_describe_configs_request_describe_configs_resource_t) resources;
    bool include_synonyms;      /* v1+ */
    bool include_documentation; /* v3+ */
} kl_describe_configs_request_t;

typedef struct kl_describe_configs_response_describe_configs_synonym {
    kl_str_t name;
    kl_str_t value; /* nullable */
    int8_t source;
} kl_describe_configs_response_describe_configs_synonym_t;

typedef struct kl_describe_configs_response_describe_configs_resource_result {
    kl_str_t name;
    kl_str_t value; /* nullable */
    bool read_only;
    bool is_default;      /* v0 only */
    int8_t config_source; /* v1+, default -1 */
    bool is_sensitive;
    KL_ARRAY_OF(kl_describe_configs_response_describe_configs_synonym_t) synonyms; /* v1+ */
    int8_t config_type;     /* v3+ */
    kl_str_t documentation; /* v3+, nullable */
} kl_describe_configs_response_describe_configs_resource_result_t;

typedef struct kl_describe_configs_response_describe_configs_result {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    int8_t resource_type;
    kl_str_t resource_name;
    KL_ARRAY_OF(kl_describe_configs_response_describe_configs_resource_result_t) configs;
} kl_describe_configs_response_describe_configs_result_t;

typedef struct kl_describe_configs_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_describe_configs_response_describe_configs_result_t) results;
} kl_describe_configs_response_t;

extern const kl_schema_t kl_describe_configs_request_schema, kl_describe_configs_response_schema;

/* ---- AlterConfigs: versions 0-2, flexible from 2 ---- */

typedef struct kl_alter_configs_request_alterable_config {
    kl_str_t name;
    kl_str_t value; /* nullable */
} kl_alter_configs_request_alterable_config_t;

typedef struct kl_alter_configs_request_alter_configs_resource {
    int8_t resource_type;
    kl_str_t resource_name;
    KL_ARRAY_OF(kl_alter_configs_request_alterable_config_t) configs;
} kl_alter_configs_request_alter_configs_resource_t;

typedef struct kl_alter_configs_request {
    KL_ARRAY_OF(kl_alter_configs_request_alter_configs_resource_t) resources;
    bool validate_only;
} kl_alter_configs_request_t;

typedef struct kl_alter_configs_response_alter_configs_resource_response {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    int8_t resource_type;
    kl_str_t resource_name;
} kl_alter_configs_response_alter_configs_resource_response_t;

typedef struct kl_alter_configs_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_alter_configs_response_alter_configs_resource_response_t) responses;
} kl_alter_configs_response_t;

extern const kl_schema_t kl_alter_configs_request_schema, kl_alter_configs_response_schema;

/* ---- IncrementalAlterConfigs: versions 0-1, flexible from 1 ---- */

typedef struct kl_incremental_alter_configs_request_alterable_config {
    kl_str_t name;
    int8_t config_operation; /* 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT */
    kl_str_t value;          /* nullable */
} kl_incremental_alter_configs_request_alterable_config_t;

typedef struct kl_incremental_alter_configs_request_alter_configs_resource {
    int8_t resource_type;
    kl_str_t resource_name;
    KL_ARRAY_OF(kl_incremental_alter_configs_request_alterable_config_t) configs;
} kl_incremental_alter_configs_request_alter_configs_resource_t;

typedef struct kl_incremental_alter_configs_request {
    KL_ARRAY_OF(kl_incremental_alter_configs_request_alter_configs_resource_t) resources;
    bool validate_only;
} kl_incremental_alter_configs_request_t;

typedef struct kl_incremental_alter_configs_response_alter_configs_resource_response {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    int8_t resource_type;
    kl_str_t resource_name;
} kl_incremental_alter_configs_response_alter_configs_resource_response_t;

typedef struct kl_incremental_alter_configs_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_incremental_alter_configs_response_alter_configs_resource_response_t) responses;
} kl_incremental_alter_configs_response_t;

extern const kl_schema_t kl_incremental_alter_configs_request_schema,
    kl_incremental_alter_configs_response_schema;

#endif
