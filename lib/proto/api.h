/* The table of Kafka APIs the codec speaks: key, name, version range and
 * the schemas of request and response. The same table answers the broker's
 * ApiVersions and drives the client's version negotiation. */
#ifndef KL_PROTO_API_H
#define KL_PROTO_API_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"

enum kl_api_key {
    KL_API_PRODUCE = 0,
    KL_API_FETCH = 1,
    KL_API_LIST_OFFSETS = 2,
    KL_API_METADATA = 3,
    KL_API_OFFSET_COMMIT = 8,
    KL_API_OFFSET_FETCH = 9,
    KL_API_FIND_COORDINATOR = 10,
    KL_API_JOIN_GROUP = 11,
    KL_API_HEARTBEAT = 12,
    KL_API_LEAVE_GROUP = 13,
    KL_API_SYNC_GROUP = 14,
    KL_API_DESCRIBE_GROUPS = 15,
    KL_API_LIST_GROUPS = 16,
    KL_API_SASL_HANDSHAKE = 17,
    KL_API_API_VERSIONS = 18,
    KL_API_CREATE_TOPICS = 19,
    KL_API_DELETE_TOPICS = 20,
    KL_API_DELETE_RECORDS = 21,
    KL_API_INIT_PRODUCER_ID = 22,
    KL_API_OFFSET_FOR_LEADER_EPOCH = 23,
    KL_API_ADD_PARTITIONS_TO_TXN = 24,
    KL_API_ADD_OFFSETS_TO_TXN = 25,
    KL_API_END_TXN = 26,
    KL_API_TXN_OFFSET_COMMIT = 28,
    KL_API_DESCRIBE_ACLS = 29,
    KL_API_CREATE_ACLS = 30,
    KL_API_DELETE_ACLS = 31,
    KL_API_DESCRIBE_CONFIGS = 32,
    KL_API_ALTER_CONFIGS = 33,
    KL_API_DESCRIBE_LOG_DIRS = 35,
    KL_API_SASL_AUTHENTICATE = 36,
    KL_API_CREATE_PARTITIONS = 37,
    KL_API_DELETE_GROUPS = 42,
    KL_API_INCREMENTAL_ALTER_CONFIGS = 44,
    KL_API_OFFSET_DELETE = 47,
    KL_API_DESCRIBE_CLIENT_QUOTAS = 48,
    KL_API_ALTER_CLIENT_QUOTAS = 49,
    KL_API_DESCRIBE_USER_SCRAM_CREDENTIALS = 50,
    KL_API_ALTER_USER_SCRAM_CREDENTIALS = 51,
    KL_API_DESCRIBE_CLUSTER = 60,
    KL_API_DESCRIBE_PRODUCERS = 61,
    KL_API_DESCRIBE_TRANSACTIONS = 65,
    KL_API_LIST_TRANSACTIONS = 66,
};

typedef struct kl_api {
    int16_t key;
    int16_t min_version;  /* oldest version the codec handles */
    int16_t max_version;  /* newest version the codec handles */
    int16_t flex_min;     /* first flexible version, or KL_VNONE */
    const char *name;     /* Kafka's name, e.g. "Metadata" */
    const kl_schema_t *request;
    const kl_schema_t *response;
} kl_api_t;

/* The API with this key, or NULL when the codec does not know it. */
const kl_api_t *kl_api_find(int16_t key);
/* Every API the codec knows, in key order. */
const kl_api_t *kl_api_all(size_t *countp);
/* True when version uses the flexible encoding for this API. */
static inline int kl_api_is_flexible(const kl_api_t *api, int16_t version)
{
    return api->flex_min != KL_VNONE && version >= api->flex_min;
}

#endif
