/* Legacy Kafka MessageSets (magic 0 and 1), decoded for reading old data:
 * each message is offset, size, CRC-32 (IEEE), magic, attributes,
 * [timestamp,] key, value; a compressed message wraps an inner message set
 * in its value, which the iterator decompresses and walks in turn. */
#ifndef KL_RECORD_MSGSET_H
#define KL_RECORD_MSGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "util/buf.h"

#define KL_MSG_ATTR_CODEC_MASK 0x07
#define KL_MSG_ATTR_LOG_APPEND_TIME 0x08 /* magic 1 only */

/* One message. key/value are NULL when null; they point into the input or
 * into the iterator's decompression buffer (valid until the next call that
 * leaves the current wrapper). */
typedef struct kl_message {
    int64_t offset;
    int64_t timestamp; /* -1 for magic 0 */
    int8_t magic;
    int8_t attributes;
    bool log_append_time;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} kl_message_t;

/* One level of message set being walked. */
typedef struct kl_msgset_level {
    const uint8_t *p;
    const uint8_t *end;
} kl_msgset_level_t;

typedef struct kl_msgset_iter {
    kl_msgset_level_t outer;
    kl_msgset_level_t inner;  /* inner.p == NULL: not inside a wrapper */
    kl_message_t wrapper;     /* the compressed message being walked */
    int64_t inner_offset_base; /* added to magic 1 inner (relative) offsets */
    kl_buf_t inflated;
    size_t max_inflated;
    unsigned flags;
    kl_err_t err;
    const char *why;
    size_t incomplete; /* at the end: bytes the partial last message needs */
} kl_msgset_iter_t;

#define KL_MSGSET_SKIP_CRC 0x1

/* max_inflated caps one wrapper's decompressed size (0: 64 MiB). */
void kl_msgset_iter_init(kl_msgset_iter_t *it, const void *data, size_t len, size_t max_inflated,
                         unsigned flags);
void kl_msgset_iter_free(kl_msgset_iter_t *it);

/* KL_ERR_NONE and *msg filled; KL_ERR_NOENT when no whole message is left
 * (it->incomplete > 0 when the data ends in a partial one, which is not an
 * error); sticky errors: KL_ERR_BAD_MSG (it->why says what),
 * KL_ERR_CRC_MISMATCH, KL_ERR_BAD_COMPRESSION, KL_ERR_TOO_LARGE,
 * KL_ERR_UNSUPPORTED_FEATURE (codec not in this build). */
kl_err_t kl_msgset_iter_next(kl_msgset_iter_t *it, kl_message_t *msg);

#endif
