/* ApiVersions (key 18): the first request on every connection, asking which
 * API versions the peer speaks. C structs and schemas for the generic codec
 * (lib/proto/codec.h); the tables are in msg_api_versions.c. */
#ifndef KL_PROTO_MSG_API_VERSIONS_H
#define KL_PROTO_MSG_API_VERSIONS_H

#include "proto/schema.h"
#include "proto/types.h"

typedef struct kl_api_versions_request {
    kl_str_t client_software_name;    /* v3+ */
    kl_str_t client_software_version; /* v3+ */
} kl_api_versions_request_t;

typedef struct kl_api_versions_response_api_version {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
} kl_api_versions_response_api_version_t;

typedef struct kl_api_versions_response_supported_feature_key {
    kl_str_t name;
    int16_t min_version;
    int16_t max_version;
} kl_api_versions_response_supported_feature_key_t;

typedef struct kl_api_versions_response_finalized_feature_key {
    kl_str_t name;
    int16_t max_version_level;
    int16_t min_version_level;
} kl_api_versions_response_finalized_feature_key_t;

typedef struct kl_api_versions_response {
    int16_t error_code;
    KL_ARRAY_OF(kl_api_versions_response_api_version_t) api_keys;
    int32_t throttle_time_ms; /* v1+ */
    /* v3+, tagged */
    KL_ARRAY_OF(kl_api_versions_response_supported_feature_key_t) supported_features;
    int64_t finalized_features_epoch;
    KL_ARRAY_OF(kl_api_versions_response_finalized_feature_key_t) finalized_features;
    bool zk_migration_ready;
} kl_api_versions_response_t;

extern const kl_schema_t kl_api_versions_request_schema, kl_api_versions_response_schema;

#endif
