/* CRC-32C (Castagnoli), the checksum of Kafka record batches v2. Uses the
 * SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table
 * otherwise; the choice is made once, at first use. */
#ifndef KL_UTIL_CRC32C_H
#define KL_UTIL_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Incremental: pass 0 for the first piece, then the previous result.
 * kl_crc32c(kl_crc32c(0, a, n), b, m) == CRC-32C of a followed by b. */
uint32_t kl_crc32c(uint32_t crc, const void *data, size_t len);

/* The two implementations behind kl_crc32c, for tests and benchmarks.
 * kl_crc32c_hw() may only be called when kl_crc32c_hw_available(). */
uint32_t kl_crc32c_sw(uint32_t crc, const void *data, size_t len);
uint32_t kl_crc32c_hw(uint32_t crc, const void *data, size_t len);
bool kl_crc32c_hw_available(void);

#endif
