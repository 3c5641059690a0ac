/* zstd codec: writes one frame with its content size (ZSTD_compress2);
 * reads frames with or without one (the Java client streams) through a
 * budgeted ZSTD_decompressStream loop. Contexts are kept one per thread.
 * Built only when configure found libzstd. */
#include "config.h"

#include <zstd.h>
#include <zstd_errors.h>

#include "record/compress_impl.h"

/* The decoder's window buffer is sized from the frame header, so it is
 * capped: the budget rounded up to a power of two, but never below 8 MiB
 * (what zstd's levels up to 19 use when streaming without a known size, as
 * the Java client does) nor above 128 MiB (zstd's own default limit). */
#define ZSTD_WINDOWLOG_FLOOR 23
#define ZSTD_WINDOWLOG_CEILING 27

static void free_cctx(void *ctx) { ZSTD_freeCCtx(ctx); }
static void free_dctx(void *ctx) { ZSTD_freeDCtx(ctx); }

/* The thread's cached context, or one for this call only (*owned) when the
 * thread cache is unavailable. NULL when none can be created. */
static ZSTD_CCtx *get_cctx(bool *owned)
{
    void **slot = codec_thread_slot(CODEC_CTX_ZSTD_COMPRESS, free_cctx);
    *owned = slot == NULL;
    if (slot && *slot)
        return *slot;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (slot)
        *slot = cctx;
    return cctx;
}

static ZSTD_DCtx *get_dctx(bool *owned)
{
    void **slot = codec_thread_slot(CODEC_CTX_ZSTD_DECOMPRESS, free_dctx);
    *owned = slot == NULL;
    if (slot && *slot)
        return *slot;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (slot)
        *slot = dctx;
    return dctx;
}

static kl_err_t zstd_error(size_t code)
{
    switch (ZSTD_getErrorCode(code)) {
    case ZSTD_error_memory_allocation:
        return KL_ERR_NOMEM;
    case ZSTD_error_frameParameter_windowTooLarge:
        return KL_ERR_TOO_LARGE;
    default:
        return KL_ERR_BAD_COMPRESSION;
    }
}

kl_err_t codec_zstd_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out)
{
    level = level == -1 ? ZSTD_CLEVEL_DEFAULT : codec_clamp_level(level, ZSTD_minCLevel(), ZSTD_maxCLevel());
    size_t bound = ZSTD_compressBound(len);
    uint8_t *dst = kl_buf_reserve(out, bound);
    if (!dst)
        return kl_buf_error(out);
    bool owned;
    ZSTD_CCtx *cctx = get_cctx(&owned);
    if (!cctx)
        return KL_ERR_NOMEM;
    /* A cached context keeps the last call's parameters: start clean. */
    size_t r = ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(r))
        r = ZSTD_compress2(cctx, dst, bound, src, len);
    if (owned)
        ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(r))
        return zstd_error(r);
    out->len += r;
    return KL_ERR_NONE;
}

static int window_log_max(size_t budget)
{
    int log = ZSTD_WINDOWLOG_FLOOR;
    while (log < ZSTD_WINDOWLOG_CEILING && ((size_t)1 << log) < budget)
        log++;
    return log;
}

static kl_err_t decode_frames(ZSTD_DCtx *dctx, const uint8_t *src, size_t len, codec_sink_t *sink)
{
    /* A cached context may have stopped mid-frame or kept old limits. */
    size_t r = ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(r))
        r = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max(codec_sink_left(sink)));
    if (ZSTD_isError(r))
        return zstd_error(r);

    /* When the first frame states its size: refuse early if over budget,
     * else allocate once. The decoder checks the size against the content. */
    unsigned long long size = ZSTD_getFrameContentSize(src, len);
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR) {
        if (size > codec_sink_left(sink))
            return KL_ERR_TOO_LARGE;
        codec_sink_expect(sink, size);
    }

    ZSTD_inBuffer in = {src, len, 0};
    for (;;) {
        size_t room;
        uint8_t *win = codec_sink_window(sink, &room);
        if (!win)
            return kl_buf_error(sink->out);
        ZSTD_outBuffer dst = {win, room, 0};
        r = ZSTD_decompressStream(dctx, &dst, &in);
        if (ZSTD_isError(r))
            return zstd_error(r);
        kl_err_t err = codec_sink_commit(sink, dst.pos);
        if (err)
            return err;
        if (r == 0) {
            /* A frame ended and everything is flushed; the next call starts
             * the next frame, if any. */
            if (in.pos == in.size)
                return KL_ERR_NONE;
            continue;
        }
        /* Mid-frame, input used up and no output held back (the window was
         * not filled): the input ended early. */
        if (in.pos == in.size && dst.pos < dst.size)
            return KL_ERR_BAD_COMPRESSION;
    }
}

kl_err_t codec_zstd_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out)
{
    bool owned;
    ZSTD_DCtx *dctx = get_dctx(&owned);
    if (!dctx)
        return KL_ERR_NOMEM;
    codec_sink_t sink;
    codec_sink_init(&sink, out, max_out);
    kl_err_t err = decode_frames(dctx, src, len, &sink);
    if (owned)
        ZSTD_freeDCtx(dctx);
    return err;
}
