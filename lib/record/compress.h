/* Compression codecs of Kafka record batches (attributes bits 0-2): gzip,
 * snappy, lz4 (frame format) and zstd, each compiled in only when configure
 * found its library. Callers pass whole blocks; outputs append to a kl_buf_t. */
#ifndef KL_RECORD_COMPRESS_H
#define KL_RECORD_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "kafkalite/error.h"
#include "util/buf.h"

/* The numbers are the codec ids Kafka stores in a batch's attributes. */
typedef enum {
    KL_CODEC_NONE = 0,
    KL_CODEC_GZIP = 1,
    KL_CODEC_SNAPPY = 2,
    KL_CODEC_LZ4 = 3,
    KL_CODEC_ZSTD = 4
} kl_codec_t;

/* True when codec is compiled into this build. NONE is always available;
 * values outside the enum are not. */
bool kl_codec_available(kl_codec_t codec);

/* "none", "gzip", "snappy", "lz4", "zstd" (the names of librdkafka's
 * compression.codec and the Java client's compression.type); "unknown" for
 * values outside the enum. Never NULL. */
const char *kl_codec_name(kl_codec_t codec);

/* Parses one of the names above (ASCII case ignored) into *out. Succeeds
 * whether or not the codec is compiled in: check kl_codec_available()
 * separately. KL_ERR_INVALID_VALUE for any other name or NULL. */
KL_WARN_UNUSED kl_err_t kl_codec_from_name(const char *name, kl_codec_t *out);

/* Appends the compressed form of src[0..len) to out, in the form Kafka
 * clients read: a gzip stream, raw snappy, an lz4 frame (independent 64 KiB
 * blocks, as librdkafka and the Java client write), a zstd frame with its
 * content size. NONE appends src unchanged.
 * level: -1 means the codec's default; any other value is clamped to the
 * codec's range (gzip 0..9, lz4 0..12, zstd ZSTD_minCLevel()..22; snappy has
 * no levels).
 * Errors: KL_ERR_UNSUPPORTED_FEATURE (codec not compiled in),
 * KL_ERR_INVALID_ARG (not a codec), KL_ERR_TOO_LARGE (len > INT32_MAX, which
 * no Kafka batch can hold, or out's own cap cannot take the codec's
 * worst-case size), KL_ERR_NOMEM, or out's sticky error if it already had one.
 * On error out keeps its previous length. */
KL_WARN_UNUSED kl_err_t kl_compress(kl_codec_t codec, int level, const void *src, size_t len,
                                    kl_buf_t *out);

/* Appends the decompressed form of src[0..len) to out, producing at most
 * max_out bytes (and never more than out's own cap allows). Reads gzip
 * (concatenated members too), raw snappy and the xerial framing the Java
 * client writes, lz4 frames, zstd frames with or without a content size
 * (several concatenated frames of one codec are accepted); input must be
 * consumed exactly, trailing bytes are corruption. Memory use follows the
 * output actually produced, not sizes the input claims.
 * Errors: KL_ERR_TOO_LARGE (output would exceed the cap, or len >
 * INT32_MAX), KL_ERR_BAD_COMPRESSION (corrupt or truncated input),
 * KL_ERR_UNSUPPORTED_FEATURE (codec not compiled in), KL_ERR_INVALID_ARG
 * (not a codec), KL_ERR_NOMEM. On error out keeps its previous length (the
 * bytes past it are unspecified). */
KL_WARN_UNUSED kl_err_t kl_decompress(kl_codec_t codec, const void *src, size_t len, size_t max_out,
                                      kl_buf_t *out);

#endif
