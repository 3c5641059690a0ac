/* Field tables for the ACL APIs (DescribeAcls, CreateAcls, DeleteAcls),
 * transcribed version by version from Kafka's message definitions; structs
 * in msg_acl.h. */
#include "proto/msg_acl.h"

#define V KL_VMAX
/* S names the struct each table describes; going through SCHEMA expands it
 * before KL_SCHEMA turns it into the schema's name string. */
#define SCHEMA(var, type, fields) KL_SCHEMA(var, type, fields)
/* v0 had no pattern type: resources were literal names (PatternType 3). */
#define PATTERN_LITERAL 3

/* ---- DescribeAcls ---- */

#define S kl_describe_acls_request_t
static const kl_field_t describe_acls_request_fields[] = {
    KL_F(S, resource_type_filter, KL_FT_INT8, 0, V),
    KL_FN(S, resource_name_filter, KL_FT_STRING, 0, V, 0),
    KL_FD(S, pattern_type_filter, KL_FT_INT8, 1, V, PATTERN_LITERAL),
    KL_FN(S, principal_filter, KL_FT_STRING, 0, V, 0),
    KL_FN(S, host_filter, KL_FT_STRING, 0, V, 0),
    KL_F(S, operation, KL_FT_INT8, 0, V),
    KL_F(S, permission_type, KL_FT_INT8, 0, V),
};
SCHEMA(kl_describe_acls_request_schema, S, describe_acls_request_fields);
#undef S

#define S kl_describe_acls_response_acl_description_t
static const kl_field_t describe_acls_acl_fields[] = {
    KL_F(S, principal, KL_FT_STRING, 0, V),
    KL_F(S, host, KL_FT_STRING, 0, V),
    KL_F(S, operation, KL_FT_INT8, 0, V),
    KL_F(S, permission_type, KL_FT_INT8, 0, V),
};
static SCHEMA(kl_describe_acls_response_acl_description_schema, S, describe_acls_acl_fields);
#undef S

#define S kl_describe_acls_response_describe_acls_resource_t
static const kl_field_t describe_acls_resource_fields[] = {
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_FD(S, pattern_type, KL_FT_INT8, 1, V, PATTERN_LITERAL),
    KL_AS(S, acls, kl_describe_acls_response_acl_description_schema, 0, V),
};
static SCHEMA(kl_describe_acls_response_describe_acls_resource_schema, S,
              describe_acls_resource_fields);
#undef S

#define S kl_describe_acls_response_t
static const kl_field_t describe_acls_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, resources, kl_describe_acls_response_describe_acls_resource_schema, 0, V),
};
SCHEMA(kl_describe_acls_response_schema, S, describe_acls_response_fields);
#undef S

/* ---- CreateAcls ---- */

#define S kl_create_acls_request_acl_creation_t
static const kl_field_t create_acls_creation_fields[] = {
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_FD(S, resource_pattern_type, KL_FT_INT8, 1, V, PATTERN_LITERAL),
    KL_F(S, principal, KL_FT_STRING, 0, V),
    KL_F(S, host, KL_FT_STRING, 0, V),
    KL_F(S, operation, KL_FT_INT8, 0, V),
    KL_F(S, permission_type, KL_FT_INT8, 0, V),
};
static SCHEMA(kl_create_acls_request_acl_creation_schema, S, create_acls_creation_fields);
#undef S

#define S kl_create_acls_request_t
static const kl_field_t create_acls_request_fields[] = {
    KL_AS(S, creations, kl_create_acls_request_acl_creation_schema, 0, V),
};
SCHEMA(kl_create_acls_request_schema, S, create_acls_request_fields);
#undef S

#define S kl_create_acls_response_acl_creation_result_t
static const kl_field_t create_acls_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
};
static SCHEMA(kl_create_acls_response_acl_creation_result_schema, S, create_acls_result_fields);
#undef S

#define S kl_create_acls_response_t
static const kl_field_t create_acls_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, results, kl_create_acls_response_acl_creation_result_schema, 0, V),
};
SCHEMA(kl_create_acls_response_schema, S, create_acls_response_fields);
#undef S

/* ---- DeleteAcls ---- */

#define S kl_delete_acls_request_delete_acls_filter_t
static const kl_field_t delete_acls_filter_fields[] = {
    KL_F(S, resource_type_filter, KL_FT_INT8, 0, V),
    KL_FN(S, resource_name_filter, KL_FT_STRING, 0, V, 0),
    KL_FD(S, pattern_type_filter, KL_FT_INT8, 1, V, PATTERN_LITERAL),
    KL_FN(S, principal_filter, KL_FT_STRING, 0, V, 0),
    KL_FN(S, host_filter, KL_FT_STRING, 0, V, 0),
    KL_F(S, operation, KL_FT_INT8, 0, V),
    KL_F(S, permission_type, KL_FT_INT8, 0, V),
};
static SCHEMA(kl_delete_acls_request_delete_acls_filter_schema, S, delete_acls_filter_fields);
#undef S

#define S kl_delete_acls_request_t
static const kl_field_t delete_acls_request_fields[] = {
    KL_AS(S, filters, kl_delete_acls_request_delete_acls_filter_schema, 0, V),
};
SCHEMA(kl_delete_acls_request_schema, S, delete_acls_request_fields);
#undef S

#define S kl_delete_acls_response_delete_acls_matching_acl_t
static const kl_field_t delete_acls_matching_acl_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_F(S, resource_type, KL_FT_INT8, 0, V),
    KL_F(S, resource_name, KL_FT_STRING, 0, V),
    KL_FD(S, pattern_type, KL_FT_INT8, 1, V, PATTERN_LITERAL),
    KL_F(S, principal, KL_FT_STRING, 0, V),
    KL_F(S, host, KL_FT_STRING, 0, V),
    KL_F(S, operation, KL_FT_INT8, 0, V),
    KL_F(S, permission_type, KL_FT_INT8, 0, V),
};
static SCHEMA(kl_delete_acls_response_delete_acls_matching_acl_schema, S,
              delete_acls_matching_acl_fields);
#undef S

#define S kl_delete_acls_response_delete_acls_filter_result_t
static const kl_field_t delete_acls_filter_result_fields[] = {
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, matching_acls, kl_delete_acls_response_delete_acls_matching_acl_schema, 0, V),
};
static SCHEMA(kl_delete_acls_response_delete_acls_filter_result_schema, S,
              delete_acls_filter_result_fields);
#undef S

#define S kl_delete_acls_response_t
static const kl_field_t delete_acls_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, filter_results, kl_delete_acls_response_delete_acls_filter_result_schema, 0, V),
};
SCHEMA(kl_delete_acls_response_schema, S, delete_acls_response_fields);
#undef S
