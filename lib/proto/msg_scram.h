/* DescribeUserScramCredentials (50) and AlterUserScramCredentials (51):
 * the users' SCRAM credentials (KIP-554), as C structs plus the field
 * tables (msg_scram.c) the generic codec walks. Version 0 only, flexible.
 * Mechanism: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
#ifndef KL_PROTO_MSG_SCRAM_H
#define KL_PROTO_MSG_SCRAM_H

#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

enum { KL_SCRAM_MECHANISM_SHA_256 = 1, KL_SCRAM_MECHANISM_SHA_512 = 2 };

typedef struct kl_describe_scram_request_user {
    kl_str_t name;
} kl_describe_scram_request_user_t;

typedef struct kl_describe_user_scram_credentials_request {
    KL_ARRAY_OF(kl_describe_scram_request_user_t) users; /* nullable: every user */
} kl_describe_user_scram_credentials_request_t;

typedef struct kl_scram_credential_info {
    int8_t mechanism;
    int32_t iterations;
} kl_scram_credential_info_t;

typedef struct kl_describe_scram_result {
    kl_str_t user;
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    KL_ARRAY_OF(kl_scram_credential_info_t) credential_infos;
} kl_describe_scram_result_t;

typedef struct kl_describe_user_scram_credentials_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    KL_ARRAY_OF(kl_describe_scram_result_t) results;
} kl_describe_user_scram_credentials_response_t;

typedef struct kl_scram_deletion {
    kl_str_t name;
    int8_t mechanism;
} kl_scram_deletion_t;

typedef struct kl_scram_upsertion {
    kl_str_t name;
    int8_t mechanism;
    int32_t iterations;
    kl_bytes_t salt;
    kl_bytes_t salted_password;
} kl_scram_upsertion_t;

typedef struct kl_alter_user_scram_credentials_request {
    KL_ARRAY_OF(kl_scram_deletion_t) deletions;
    KL_ARRAY_OF(kl_scram_upsertion_t) upsertions;
} kl_alter_user_scram_credentials_request_t;

typedef struct kl_alter_scram_result {
    kl_str_t user;
    int16_t error_code;
    kl_str_t error_message; /* nullable */
} kl_alter_scram_result_t;

typedef struct kl_alter_user_scram_credentials_response {
    int32_t throttle_time_ms;
    KL_ARRAY_OF(kl_alter_scram_result_t) results;
} kl_alter_user_scram_credentials_response_t;

extern const kl_schema_t kl_describe_user_scram_credentials_request_schema,
    kl_describe_user_scram_credentials_response_schema, kl_alter_user_scram_credentials_request_schema,
    kl_alter_user_scram_credentials_response_schema;

#endif
