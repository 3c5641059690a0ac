/* Compression codecs of Kafka record batches (gzip, snappy, lz4, zstd).
 * PLACEHOLDER on branch records: the real header and compress.c come from
 * branch compress; this copy only states the agreed API so that batch.c
 * compiles. On merge, the compress branch's version wins. */
#ifndef KL_RECORD_COMPRESS_H
#define KL_RECORD_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "kafkalite/error.h"
#include "util/buf.h"

typedef enum {
    KL_CODEC_NONE = 0,
    KL_CODEC_GZIP = 1,
    KL_CODEC_SNAPPY = 2,
    KL_CODEC_LZ4 = 3,
    KL_CODEC_ZSTD = 4
} kl_codec_t;

bool kl_codec_available(kl_codec_t codec);
/* Appends the compressed form of src to out. level: -1 = codec default. */
kl_err_t kl_compress(kl_codec_t codec, int level, const void *src, size_t len, kl_buf_t *out);
/* Appends the decompressed form of src to out, refusing (KL_ERR_TOO_LARGE)
 * to produce more than max_out bytes; KL_ERR_BAD_COMPRESSION on corrupt
 * input. Snappy accepts raw and xerial-framed input. */
kl_err_t kl_decompress(kl_codec_t codec, const void *src, size_t len, size_t max_out, kl_buf_t *out);

#endif
