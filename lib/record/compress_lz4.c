/* lz4 codec in the LZ4 frame format Kafka >= 0.10 uses (lz4frame.h). Writes
 * what librdkafka and the Java client write: independent 64 KiB blocks, no
 * checksums beyond the header's. Contexts are kept one per thread. Built
 * only when configure found liblz4. */
#include "config.h"

#include <lz4frame.h>
#include <string.h>

#include "record/compress_impl.h"

/* LZ4F levels: 0..2 fast, 3..12 HC (higher values act as 12). */
#define LZ4_LEVEL_MAX 12

static void free_cctx(void *ctx) { LZ4F_freeCompressionContext(ctx); }
static void free_dctx(void *ctx) { LZ4F_freeDecompressionContext(ctx); }

/* The thread's cached context, or one for this call only (*owned) when the
 * thread cache is unavailable. NULL when none can be created. */
static LZ4F_cctx *get_cctx(bool *owned)
{
    void **slot = codec_thread_slot(CODEC_CTX_LZ4_COMPRESS, free_cctx);
    *owned = slot == NULL;
    if (slot && *slot)
        return *slot;
    LZ4F_cctx *cctx = NULL;
    if (LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION)))
        return NULL;
    if (slot)
        *slot = cctx;
    return cctx;
}

static LZ4F_dctx *get_dctx(bool *owned)
{
    void **slot = codec_thread_slot(CODEC_CTX_LZ4_DECOMPRESS, free_dctx);
    *owned = slot == NULL;
    if (slot && *slot) {
        /* A previous call may have stopped mid-frame. */
        LZ4F_resetDecompressionContext(*slot);
        return *slot;
    }
    LZ4F_dctx *dctx = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return NULL;
    if (slot)
        *slot = dctx;
    return dctx;
}

kl_err_t codec_lz4_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    /* The Java client reads only independent blocks. */
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.compressionLevel = level == -1 ? 0 : codec_clamp_level(level, 0, LZ4_LEVEL_MAX);
    prefs.autoFlush = 1; /* the whole input is here: no point buffering */

    size_t bound = LZ4F_compressFrameBound(len, &prefs);
    if (LZ4F_isError(bound))
        return KL_ERR_TOO_LARGE;
    uint8_t *dst = kl_buf_reserve(out, bound);
    if (!dst)
        return kl_buf_error(out);
    bool owned;
    LZ4F_cctx *cctx = get_cctx(&owned);
    if (!cctx)
        return KL_ERR_NOMEM;

    /* compressBegin resets the context, whatever an earlier call left. */
    kl_err_t err = KL_ERR_BAD_COMPRESSION; /* library refusals; none expected */
    size_t pos = 0;
    size_t r = LZ4F_compressBegin(cctx, dst, bound, &prefs);
    if (LZ4F_isError(r))
        goto done;
    pos += r;
    if (len) {
        r = LZ4F_compressUpdate(cctx, dst + pos, bound - pos, src, len, NULL);
        if (LZ4F_isError(r))
            goto done;
        pos += r;
    }
    r = LZ4F_compressEnd(cctx, dst + pos, bound - pos, NULL);
    if (LZ4F_isError(r))
        goto done;
    pos += r;
    out->len += pos;
    err = KL_ERR_NONE;
done:
    if (owned)
        LZ4F_freeCompressionContext(cctx);
    return err;
}

static kl_err_t decode_frames(LZ4F_dctx *dctx, const uint8_t *src, size_t len, codec_sink_t *sink)
{
    /* The first frame's header may state the content size: refuse early if
     * it is over budget, else allocate once. The decoder checks the size
     * against the content at the end of the frame. */
    LZ4F_frameInfo_t info;
    size_t pos = len;
    if (LZ4F_isError(LZ4F_getFrameInfo(dctx, &info, src, &pos)))
        return KL_ERR_BAD_COMPRESSION;
    if (info.contentSize > codec_sink_left(sink))
        return KL_ERR_TOO_LARGE;
    codec_sink_expect(sink, info.contentSize);

    LZ4F_decompressOptions_t opts;
    memset(&opts, 0, sizeof opts);
    for (;;) {
        size_t room;
        uint8_t *win = codec_sink_window(sink, &room);
        if (!win)
            return kl_buf_error(sink->out);
        size_t in_n = len - pos, out_n = room;
        size_t r = LZ4F_decompress(dctx, win, &out_n, src + pos, &in_n, &opts);
        if (LZ4F_isError(r))
            return KL_ERR_BAD_COMPRESSION;
        pos += in_n;
        kl_err_t err = codec_sink_commit(sink, out_n);
        if (err)
            return err;
        if (r == 0) {
            /* End of a frame; the context is ready for another one. */
            if (pos == len)
                return KL_ERR_NONE;
            continue;
        }
        /* Mid-frame with nothing consumed and nothing produced: the input
         * ended early. */
        if (in_n == 0 && out_n == 0)
            return KL_ERR_BAD_COMPRESSION;
    }
}

kl_err_t codec_lz4_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out)
{
    bool owned;
    LZ4F_dctx *dctx = get_dctx(&owned);
    if (!dctx)
        return KL_ERR_NOMEM;
    codec_sink_t sink;
    codec_sink_init(&sink, out, max_out);
    kl_err_t err = decode_frames(dctx, src, len, &sink);
    if (owned)
        LZ4F_freeDecompressionContext(dctx);
    return err;
}
