/* gzip codec (zlib): writes one gzip member, reads one or more concatenated
 * members. Built only when configure found zlib. Streams are set up per call
 * (deflate's state is a few hundred KiB but cheap next to gzip's own cost). */
#include "config.h"

#include <zlib.h>

#include "record/compress_impl.h"

/* windowBits 15 with 16 added: the gzip wrapper rather than zlib's. */
#define GZIP_WINDOW_BITS (15 + 16)

kl_err_t codec_gzip_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out)
{
    z_stream zs = {0};
    level = level == -1 ? Z_DEFAULT_COMPRESSION : codec_clamp_level(level, 0, 9);
    int ret = deflateInit2(&zs, level, Z_DEFLATED, GZIP_WINDOW_BITS, 8, Z_DEFAULT_STRATEGY);
    if (ret != Z_OK)
        return ret == Z_MEM_ERROR ? KL_ERR_NOMEM : KL_ERR_INVALID_ARG;

    /* len <= INT32_MAX, so the bound and both counters fit zlib's uInt. */
    uLong bound = deflateBound(&zs, (uLong)len);
    uint8_t *dst = kl_buf_reserve(out, bound);
    if (!dst) {
        deflateEnd(&zs);
        return kl_buf_error(out);
    }
    zs.next_in = (Bytef *)src; /* zlib's API is not const-correct */
    zs.avail_in = (uInt)len;
    zs.next_out = dst;
    zs.avail_out = (uInt)bound;
    ret = deflate(&zs, Z_FINISH);
    size_t produced = bound - zs.avail_out;
    deflateEnd(&zs);
    if (ret != Z_STREAM_END) /* cannot happen with deflateBound's room */
        return KL_ERR_BAD_COMPRESSION;
    out->len += produced;
    return KL_ERR_NONE;
}

static kl_err_t inflate_error(int ret)
{
    return ret == Z_MEM_ERROR ? KL_ERR_NOMEM : KL_ERR_BAD_COMPRESSION;
}

kl_err_t codec_gzip_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out)
{
    z_stream zs = {0};
    int ret = inflateInit2(&zs, GZIP_WINDOW_BITS);
    if (ret != Z_OK)
        return inflate_error(ret);

    codec_sink_t sink;
    codec_sink_init(&sink, out, max_out);
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)len;
    kl_err_t err = KL_ERR_NONE;
    for (;;) {
        size_t room;
        uint8_t *win = codec_sink_window(&sink, &room);
        if (!win) {
            err = kl_buf_error(out);
            break;
        }
        zs.next_out = win;
        zs.avail_out = (uInt)room;
        ret = inflate(&zs, Z_NO_FLUSH);
        if ((err = codec_sink_commit(&sink, room - zs.avail_out)))
            break;
        if (ret == Z_STREAM_END) {
            if (zs.avail_in == 0)
                break;
            /* Another member follows (what `cat a.gz b.gz` makes). */
            if ((ret = inflateReset(&zs)) != Z_OK) {
                err = inflate_error(ret);
                break;
            }
            continue;
        }
        if (ret == Z_OK)
            continue;
        /* Z_BUF_ERROR with output room means the input ran out: truncated. */
        err = ret == Z_BUF_ERROR ? KL_ERR_BAD_COMPRESSION : inflate_error(ret);
        break;
    }
    inflateEnd(&zs);
    return err;
}
