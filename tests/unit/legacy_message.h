/* Writes legacy Kafka messages (magic 0 and 1), for the message set tests
 * and the fuzz seeds: lib/record has a reader only. */
#ifndef KL_TEST_LEGACY_MESSAGE_H
#define KL_TEST_LEGACY_MESSAGE_H

#include <stdint.h>

#include "util/buf.h"

/* Appends one message: offset, size, CRC-32 (kl_crc32), magic, attributes,
 * the timestamp when magic is 1, key (NULL: null) and value (value_len -1:
 * null). The buffer's error, if any. */
kl_err_t put_legacy_message(kl_buf_t *b, int64_t offset, int magic, int attrs, int64_t ts, const char *key,
                            const void *value, int32_t value_len);

#endif
