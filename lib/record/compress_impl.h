/* Private to the compression codecs: the entry points of each codec file,
 * the output sink that enforces a decompression budget, and the per-thread
 * cache of codec contexts. Only lib/record/compress*.c include this. */
#ifndef KL_RECORD_COMPRESS_IMPL_H
#define KL_RECORD_COMPRESS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "record/compress.h"

/* Each codec file provides these two; compress.c has already checked the
 * arguments (len <= INT32_MAX, out without a sticky error) and restores
 * out->len when they fail. level is the caller's value, -1 for default. */
kl_err_t codec_gzip_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out);
kl_err_t codec_gzip_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out);
kl_err_t codec_snappy_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out);
kl_err_t codec_snappy_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out);
kl_err_t codec_lz4_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out);
kl_err_t codec_lz4_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out);
kl_err_t codec_zstd_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out);
kl_err_t codec_zstd_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out);

static inline int codec_clamp_level(int level, int lo, int hi)
{
    return level < lo ? lo : level > hi ? hi : level;
}

/* Where a streaming decoder writes. It hands out windows of out's free
 * space no larger than what is left of the budget, so memory grows with the
 * output really produced; once the budget is spent it hands out a one-byte
 * probe instead, and any byte landing there means the input decodes to more
 * than allowed. */
typedef struct codec_sink {
    kl_buf_t *out;
    size_t start; /* out->len on entry */
    size_t limit; /* most bytes this call may append */
    uint8_t probe;
    bool in_probe; /* the last window was the probe */
} codec_sink_t;

void codec_sink_init(codec_sink_t *sink, kl_buf_t *out, size_t max_out);
/* Bytes appended so far and bytes still allowed. */
static inline size_t codec_sink_produced(const codec_sink_t *sink) { return sink->out->len - sink->start; }
static inline size_t codec_sink_left(const codec_sink_t *sink) { return sink->limit - codec_sink_produced(sink); }
/* Makes room for `expected` more bytes at once when the format says how many
 * are coming (never more than the budget); a hint, so it cannot fail. */
void codec_sink_expect(codec_sink_t *sink, uint64_t expected);
/* The next window to write into (*room >= 1), or NULL on allocation failure. */
uint8_t *codec_sink_window(codec_sink_t *sink, size_t *room);
/* Accounts n bytes the decoder wrote into the last window; KL_ERR_TOO_LARGE
 * when they went into the probe. */
kl_err_t codec_sink_commit(codec_sink_t *sink, size_t n);

/* Per-thread codec contexts, freed when the thread exits. */
typedef enum {
    CODEC_CTX_LZ4_COMPRESS,
    CODEC_CTX_LZ4_DECOMPRESS,
    CODEC_CTX_ZSTD_COMPRESS,
    CODEC_CTX_ZSTD_DECOMPRESS,
    CODEC_CTX_COUNT
} codec_ctx_slot_t;

/* The calling thread's slot for one kind of context (*slot is NULL until the
 * caller stores one there); free_ctx releases it at thread exit. NULL when
 * per-thread storage cannot be had: the caller then creates and frees a
 * context for this call only. */
void **codec_thread_slot(codec_ctx_slot_t which, void (*free_ctx)(void *ctx));

#endif
