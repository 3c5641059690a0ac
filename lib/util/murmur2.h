/* Hashes that Kafka clients place keyed messages with: MurmurHash2 as the
 * Java client computes it (seed 0x9747b28c, little-endian 4-byte blocks),
 * and FNV-1a 32-bit as Sarama and librdkafka's fnv1a partitioner do. */
#ifndef KL_UTIL_MURMUR2_H
#define KL_UTIL_MURMUR2_H

#include <stddef.h>
#include <stdint.h>

uint32_t kl_murmur2(const void *data, size_t len);
uint32_t kl_fnv1a(const void *data, size_t len);

#endif
