/* DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key
 * 51) field tables, transcribed from Kafka's message definitions: version
 * 0, flexible; structs in msg_scram.h. */
#include "proto/msg_scram.h"

#define V KL_VMAX

#define S kl_describe_scram_request_user_t
static const kl_field_t describe_user_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
};
static KL_SCHEMA(describe_user_schema, S, describe_user_fields);
#undef S

#define S kl_describe_user_scram_credentials_request_t
static const kl_field_t describe_request_fields[] = {
    KL_ASN(S, users, describe_user_schema, 0, V, 0),
};
KL_SCHEMA(kl_describe_user_scram_credentials_request_schema, S, describe_request_fields);
#undef S

#define S kl_scram_credential_info_t
static const kl_field_t info_fields[] = {
    KL_F(S, mechanism, KL_FT_INT8, 0, V),
    KL_F(S, iterations, KL_FT_INT32, 0, V),
};
static KL_SCHEMA(info_schema, S, info_fields);
#undef S

#define S kl_describe_scram_result_t
static const kl_field_t describe_result_fields[] = {
    KL_F(S, user, KL_FT_STRING, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, credential_infos, info_schema, 0, V),
};
static KL_SCHEMA(describe_result_schema, S, describe_result_fields);
#undef S

#define S kl_describe_user_scram_credentials_response_t
static const kl_field_t describe_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
    KL_AS(S, results, describe_result_schema, 0, V),
};
KL_SCHEMA(kl_describe_user_scram_credentials_response_schema, S, describe_response_fields);
#undef S

#define S kl_scram_deletion_t
static const kl_field_t deletion_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, mechanism, KL_FT_INT8, 0, V),
};
static KL_SCHEMA(deletion_schema, S, deletion_fields);
#undef S

#define S kl_scram_upsertion_t
static const kl_field_t upsertion_fields[] = {
    KL_F(S, name, KL_FT_STRING, 0, V),
    KL_F(S, mechanism, KL_FT_INT8, 0, V),
    KL_F(S, iterations, KL_FT_INT32, 0, V),
    KL_F(S, salt, KL_FT_BYTES, 0, V),
    KL_F(S, salted_password, KL_FT_BYTES, 0, V),
};
static KL_SCHEMA(upsertion_schema, S, upsertion_fields);
#undef S

#define S kl_alter_user_scram_credentials_request_t
static const kl_field_t alter_request_fields[] = {
    KL_AS(S, deletions, deletion_schema, 0, V),
    KL_AS(S, upsertions, upsertion_schema, 0, V),
};
KL_SCHEMA(kl_alter_user_scram_credentials_request_schema, S, alter_request_fields);
#undef S

#define S kl_alter_scram_result_t
static const kl_field_t alter_result_fields[] = {
    KL_F(S, user, KL_FT_STRING, 0, V),
    KL_F(S, error_code, KL_FT_INT16, 0, V),
    KL_FNN(S, error_message, KL_FT_STRING, 0, V, 0),
};
static KL_SCHEMA(alter_result_schema, S, alter_result_fields);
#undef S

#define S kl_alter_user_scram_credentials_response_t
static const kl_field_t alter_response_fields[] = {
    KL_F(S, throttle_time_ms, KL_FT_INT32, 0, V),
    KL_AS(S, results, alter_result_schema, 0, V),
};
KL_SCHEMA(kl_alter_user_scram_credentials_response_schema, S, alter_response_fields);
#undef S
