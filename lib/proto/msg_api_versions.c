/* ApiVersions (key 18) field tables: versions 0-4, flexible from v3. The
 * response's feature lists only ever travel as tagged fields. */
#include "proto/msg_api_versions.h"

#define RQ kl_api_versions_request_t
static const kl_field_t request_fields[] = {
    KL_F(RQ, client_software_name, KL_FT_STRING, 3, KL_VMAX),
    KL_F(RQ, client_software_version, KL_FT_STRING, 3, KL_VMAX),
};
KL_SCHEMA(kl_api_versions_request_schema, kl_api_versions_request_t, request_fields);
#undef RQ

#define AV kl_api_versions_response_api_version_t
static const kl_field_t api_version_fields[] = {
    KL_F(AV, api_key, KL_FT_INT16, 0, KL_VMAX),
    KL_F(AV, min_version, KL_FT_INT16, 0, KL_VMAX),
    KL_F(AV, max_version, KL_FT_INT16, 0, KL_VMAX),
};
static KL_SCHEMA(kl_api_versions_response_api_version_schema,
                 kl_api_versions_response_api_version_t, api_version_fields);
#undef AV

#define SF kl_api_versions_response_supported_feature_key_t
static const kl_field_t supported_feature_fields[] = {
    KL_F(SF, name, KL_FT_STRING, 3, KL_VMAX),
    KL_F(SF, min_version, KL_FT_INT16, 3, KL_VMAX),
    KL_F(SF, max_version, KL_FT_INT16, 3, KL_VMAX),
};
static KL_SCHEMA(kl_api_versions_response_supported_feature_key_schema,
                 kl_api_versions_response_supported_feature_key_t, supported_feature_fields);
#undef SF

/* Note the wire order: max level before min level. */
#define FF kl_api_versions_response_finalized_feature_key_t
static const kl_field_t finalized_feature_fields[] = {
    KL_F(FF, name, KL_FT_STRING, 3, KL_VMAX),
    KL_F(FF, max_version_level, KL_FT_INT16, 3, KL_VMAX),
    KL_F(FF, min_version_level, KL_FT_INT16, 3, KL_VMAX),
};
static KL_SCHEMA(kl_api_versions_response_finalized_feature_key_schema,
                 kl_api_versions_response_finalized_feature_key_t, finalized_feature_fields);
#undef FF

#define RS kl_api_versions_response_t
static const kl_field_t response_fields[] = {
    KL_F(RS, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_AS(RS, api_keys, kl_api_versions_response_api_version_schema, 0, KL_VMAX),
    KL_F(RS, throttle_time_ms, KL_FT_INT32, 1, KL_VMAX),
    KL_AST(RS, supported_features, kl_api_versions_response_supported_feature_key_schema,
           3, KL_VMAX, 0, 3),
    KL_FTD(RS, finalized_features_epoch, KL_FT_INT64, 3, KL_VMAX, 1, 3, -1),
    KL_AST(RS, finalized_features, kl_api_versions_response_finalized_feature_key_schema,
           3, KL_VMAX, 2, 3),
    KL_FT(RS, zk_migration_ready, KL_FT_BOOL, 3, KL_VMAX, 3, 3),
};
KL_SCHEMA(kl_api_versions_response_schema, kl_api_versions_response_t, response_fields);
#undef RS
