/* DescribeClientQuotas (48): the quota entries matching a filter, and
 * AlterClientQuotas (49): set or remove quota values of entities (KIP-546),
 * as C structs plus the field tables (msg_client_quotas.c) the generic
 * codec walks. Both versions 0-1, flexible from 1. Match types: 0 the exact
 * name, 1 the default entity, 2 any named entity. */
#ifndef KL_PROTO_MSG_CLIENT_QUOTAS_H
#define KL_PROTO_MSG_CLIENT_QUOTAS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

enum { KL_QUOTA_MATCH_EXACT = 0, KL_QUOTA_MATCH_DEFAULT = 1, KL_QUOTA_MATCH_SPECIFIED = 2 };

typedef struct kl_quota_filter_component {
    kl_str_t entity_type;
    int8_t match_type;
    kl_str_t match; /* nullable */
} kl_quota_filter_component_t;

typedef struct kl_describe_client_quotas_request {
    KL_ARRAY_OF(kl_quota_filter_component_t) components;
    bool strict;
} kl_describe_client_quotas_request_t;

typedef struct kl_quota_entity {
    kl_str_t entity_type;
    kl_str_t entity_name; /* nullable: the default entity */
} kl_quota_entity_t;

typedef struct kl_quota_value {
    kl_str_t key;
    double value;
} kl_quota_value_t;

typedef struct kl_quota_entry {
    KL_ARRAY_OF(kl_quota_entity_t) entity;
    KL_ARRAY_OF(kl_quota_value_t) values;
} kl_quota_entry_t;

typedef struct kl_describe_client_quotas_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    kl_str_t error_message;                  /* nullable */
    KL_ARRAY_OF(kl_quota_entry_t) entries; /* nullable: null on error */
} kl_describe_client_quotas_response_t;

extern const kl_schema_t kl_describe_client_quotas_request_schema, kl_describe_client_quotas_response_schema;

typedef struct kl_quota_op {
    kl_str_t key;
    double value; /* ignored when remove */
    bool remove;
} kl_quota_op_t;

typedef struct kl_alter_client_quotas_request_entry {
    KL_ARRAY_OF(kl_quota_entity_t) entity;
    KL_ARRAY_OF(kl_quota_op_t) ops;
} kl_alter_client_quotas_request_entry_t;

typedef struct kl_alter_client_quotas_request {
    KL_ARRAY_OF(kl_alter_client_quotas_request_entry_t) entries;
    bool validate_only;
} kl_alter_client_quotas_request_t;

typedef struct kl_alter_client_quotas_response_entry {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    KL_ARRAY_OF(kl_quota_entity_t) entity;
} kl_alter_client_quotas_response_entry_t;

typedef struct kl_alter_client_quotas_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_alter_client_quotas_response_entry_t) entries;
} kl_alter_client_quotas_response_t;

extern const kl_schema_t kl_alter_client_quotas_request_schema, kl_alter_client_quotas_response_schema;

#endif
