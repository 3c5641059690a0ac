/* The embedded broker's configuration table (Kafka's server.properties
 * names and defaults) and the numbers its enum and set properties parse
 * to, for code reading them with kl_conf_get_int(). */
#ifndef KL_BROKER_CONF_TABLE_H
#define KL_BROKER_CONF_TABLE_H

#include "util/conf.h"

/* The schema kl_broker_conf_new() creates configurations from. */
extern const kl_conf_schema_t kl_broker_conf_schema;

/* compression.type: Kafka's codec ids, or PRODUCER to keep the codec the
 * producer used. */
enum {
    KL_BROKER_COMPRESSION_PRODUCER = -1,
    KL_BROKER_COMPRESSION_UNCOMPRESSED = 0,
    KL_BROKER_COMPRESSION_GZIP = 1,
    KL_BROKER_COMPRESSION_SNAPPY = 2,
    KL_BROKER_COMPRESSION_LZ4 = 3,
    KL_BROKER_COMPRESSION_ZSTD = 4
};

/* log.cleanup.policy: set flags. */
enum { KL_CLEANUP_DELETE = 0x1, KL_CLEANUP_COMPACT = 0x2 };

#endif
