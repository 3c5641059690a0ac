/* CRC-32 (IEEE 802.3, the zlib/gzip checksum): legacy Kafka messages
 * (magic 0 and 1) carry it, and librdkafka's consistent partitioner hashes
 * keys with it. zlib's crc32() when the build has zlib, a table otherwise. */
#ifndef KL_UTIL_CRC32_H
#define KL_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Incremental like zlib's crc32(): pass 0 first, then the previous result. */
uint32_t kl_crc32(uint32_t crc, const void *data, size_t len);

#endif
