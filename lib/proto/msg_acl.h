/* ACL messages: DescribeAcls (29), CreateAcls (30) and DeleteAcls (31), as
 * C structs plus the field tables (msg_acl.c) the generic codec walks.
 * Pattern types default to 3 (LITERAL), what v0 implied. */
#ifndef KL_PROTO_MSG_ACL_H
#define KL_PROTO_MSG_ACL_H

#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

/* ---- DescribeAcls: versions 0-3, flexible from 2 ---- */

typedef struct kl_describe_acls_request {
    int8_t resource_type_filter;
    kl_str_t resource_name_filter; /* nullable */
    int8_t pattern_type_filter;    /* v1+, default 3 */
    kl_str_t principal_filter;     /* nullable */
    kl_str_t host_filter;          /* nullable */
    int8_t operation;
    int8_t permission_type;
} kl_describe_acls_request_t;

typedef struct kl_describe_acls_response_acl_description {
    kl_str_t principal;
    kl_str_t host;
    int8_t operation;
    int8_t permission_type;
} kl_describe_acls_response_acl_description_t;

typedef struct kl_describe_acls_response_describe_acls_resource {
    int8_t resource_type;
    kl_str_t resource_name;
    int8_t pattern_type; /* v1+, default 3 */
    KL_ARRAY_OF(kl_describe_acls_response_acl_description_t) acls;
} kl_describe_acls_response_describe_acls_resource_t;

typedef struct kl_describe_acls_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    KL_ARRAY_OF(kl_describe_acls_response_describe_acls_resource_t) resources;
} kl_describe_acls_response_t;

extern const kl_schema_t kl_describe_acls_request_schema, kl_describe_acls_response_schema;

/* ---- CreateAcls: versions 0-3, flexible from 2 ---- */

typedef struct kl_create_acls_request_acl_creation {
    int8_t resource_type;
    kl_str_t resource_name;
    int8_t resource_pattern_type; /* v1+, default 3 */
    kl_str_t principal;
    kl_str_t host;
    int8_t operation;
    int8_t permission_type;
} kl_create_acls_request_acl_creation_t;

typedef struct kl_create_acls_request {
    KL_ARRAY_OF(kl_create_acls_request_acl_creation_t) creations;
} kl_create_acls_request_t;

typedef struct kl_create_acls_response_acl_creation_result {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
} kl_create_acls_response_acl_creation_result_t;

typedef struct kl_create_acls_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_create_acls_response_acl_creation_result_t) results;
} kl_create_acls_response_t;

extern const kl_schema_t kl_create_acls_request_schema, kl_create_acls_response_schema;

/* ---- DeleteAcls: versions 0-3, flexible from 2 ---- */

typedef struct kl_delete_acls_request_delete_acls_filter {
    int8_t resource_type_filter;
    kl_str_t resource_name_filter; /* nullable */
    int8_t pattern_type_filter;    /* v1+, default 3 */
    kl_str_t principal_filter;     /* nullable */
    kl_str_t host_filter;          /* nullable */
    int8_t operation;
    int8_t permission_type;
} kl_delete_acls_request_delete_acls_filter_t;

typedef struct kl_delete_acls_request {
    KL_ARRAY_OF(kl_delete_acls_request_delete_acls_filter_t) filters;
} kl_delete_acls_request_t;

typedef struct kl_delete_acls_response_delete_acls_matching_acl {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    int8_t resource_type;
    kl_str_t resource_name;
    int8_t pattern_type; /* v1+, default 3 */
    kl_str_t principal;
    kl_str_t host;
    int8_t operation;
    int8_t permission_type;
} kl_delete_acls_response_delete_acls_matching_acl_t;

typedef struct kl_delete_acls_response_delete_acls_filter_result {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    KL_ARRAY_OF(kl_delete_acls_response_delete_acls_matching_acl_t) matching_acls;
} kl_delete_acls_response_delete_acls_filter_result_t;

typedef struct kl_delete_acls_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_delete_acls_response_delete_acls_filter_result_t) filter_results;
} kl_delete_acls_response_t;

extern const kl_schema_t kl_delete_acls_request_schema, kl_delete_acls_response_schema;

#endif
