/* Damaged record batches whose CRC-32C still checks out, for the tests of
 * what the broker refuses on produce and what consumers make of such a
 * batch already in a log (written by an older broker, or damaged in
 * memory before its CRC was computed). No Check calls: the command
 * tests' helper program uses these too. */
#ifndef KL_TEST_CORRUPT_BATCH_H
#define KL_TEST_CORRUPT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "record/batch.h"

/* A codec of this build that detects damage to its stream (gzip, lz4 or
 * zstd, in that order), or KL_CODEC_NONE when none is built in. */
kl_codec_t corrupt_batch_codec(void);
/* corrupt_batch_codec(), or exits: 77 (skip) when there is none, 1 when
 * KL_TEST_NO_SKIP=1 forbids skipping. */
kl_codec_t corrupt_batch_require_codec(void);

typedef enum {
    CORRUPT_NONE,    /* a sound batch, to plant around damaged ones */
    CORRUPT_STREAM,  /* the compressed bytes are damaged */
    CORRUPT_RECORDS, /* a valid stream of records that do not decode */
} corrupt_kind_t;

/* A batch of n records, values "c<i>", compressed with codec, damaged as
 * kind says, CRC recomputed: malloc'd (free() it), or NULL when out of
 * memory or the codec fails. */
uint8_t *corrupt_batch(kl_codec_t codec, corrupt_kind_t kind, int n, size_t *len);

/* Appends batch to partition p of topic in the log directory dir (no
 * broker running on it), as an older broker would have stored it.
 * KL_ERR_NONE or the storage's error. */
kl_err_t corrupt_batch_plant(const char *dir, const char *topic, int32_t p, void *batch, size_t len);

#endif
