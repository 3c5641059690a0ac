/* The client configuration table (producer, consumer, admin: librdkafka's
 * property names, defaults and ranges) and the numbers its enum and set
 * properties parse to, for code reading them with kl_conf_get_int(). */
#ifndef KL_CLIENT_CONF_TABLE_H
#define KL_CLIENT_CONF_TABLE_H

#include "util/conf.h"

/* The schema kl_conf_new() creates configurations from. */
extern const kl_conf_schema_t kl_client_conf_schema;

/* compression.type: Kafka's codec ids, as stored in a batch's attributes
 * (the same numbers as kl_codec_t in lib/record). */
enum {
    KL_CONF_COMPRESSION_NONE = 0,
    KL_CONF_COMPRESSION_GZIP = 1,
    KL_CONF_COMPRESSION_SNAPPY = 2,
    KL_CONF_COMPRESSION_LZ4 = 3,
    KL_CONF_COMPRESSION_ZSTD = 4
};

/* security.protocol */
enum {
    KL_SECURITY_PLAINTEXT = 0,
    KL_SECURITY_SSL = 1,
    KL_SECURITY_SASL_PLAINTEXT = 2,
    KL_SECURITY_SASL_SSL = 3
};

/* sasl.mechanisms */
enum {
    KL_SASL_GSSAPI = 0,
    KL_SASL_PLAIN = 1,
    KL_SASL_SCRAM_SHA_256 = 2,
    KL_SASL_SCRAM_SHA_512 = 3,
    KL_SASL_OAUTHBEARER = 4
};

/* ssl.endpoint.identification.algorithm */
enum { KL_SSL_ENDPOINT_NONE = 0, KL_SSL_ENDPOINT_HTTPS = 1 };

/* partitioner */
enum {
    KL_PARTITIONER_RANDOM = 0,
    KL_PARTITIONER_CONSISTENT = 1,
    KL_PARTITIONER_CONSISTENT_RANDOM = 2,
    KL_PARTITIONER_MURMUR2 = 3,
    KL_PARTITIONER_MURMUR2_RANDOM = 4,
    KL_PARTITIONER_FNV1A = 5,
    KL_PARTITIONER_FNV1A_RANDOM = 6
};

/* auto.offset.reset: smallest/earliest/beginning and largest/latest/end
 * are synonyms. */
enum { KL_OFFSET_RESET_EARLIEST = 0, KL_OFFSET_RESET_LATEST = 1, KL_OFFSET_RESET_ERROR = 2 };

/* isolation.level: the numbers Fetch requests carry. */
enum { KL_ISOLATION_READ_UNCOMMITTED = 0, KL_ISOLATION_READ_COMMITTED = 1 };

/* partition.assignment.strategy: set flags (the order of preference is in
 * the text, kl_conf_get_str()). */
enum { KL_ASSIGNOR_RANGE = 0x1, KL_ASSIGNOR_ROUNDROBIN = 0x2, KL_ASSIGNOR_COOPERATIVE_STICKY = 0x4 };

/* debug: set flags, librdkafka's contexts. */
enum {
    KL_DEBUG_GENERIC = 1 << 0,
    KL_DEBUG_BROKER = 1 << 1,
    KL_DEBUG_TOPIC = 1 << 2,
    KL_DEBUG_METADATA = 1 << 3,
    KL_DEBUG_FEATURE = 1 << 4,
    KL_DEBUG_QUEUE = 1 << 5,
    KL_DEBUG_MSG = 1 << 6,
    KL_DEBUG_PROTOCOL = 1 << 7,
    KL_DEBUG_CGRP = 1 << 8,
    KL_DEBUG_SECURITY = 1 << 9,
    KL_DEBUG_FETCH = 1 << 10,
    KL_DEBUG_INTERCEPTOR = 1 << 11,
    KL_DEBUG_PLUGIN = 1 << 12,
    KL_DEBUG_CONSUMER = 1 << 13,
    KL_DEBUG_ADMIN = 1 << 14,
    KL_DEBUG_EOS = 1 << 15,
    KL_DEBUG_MOCK = 1 << 16,
    KL_DEBUG_ASSIGNOR = 1 << 17,
    KL_DEBUG_CONF = 1 << 18,
    KL_DEBUG_TELEMETRY = 1 << 19,
    KL_DEBUG_ALL = (1 << 20) - 1
};

#endif
