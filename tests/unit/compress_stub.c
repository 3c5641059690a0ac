/* TEMPORARY test-only stand-in for lib/record/compress.c (branch compress),
 * linked into test_record only, so the batch code's compressed path can be
 * exercised before the real codecs land: every codec "compresses" to a
 * 2-byte tag plus the input. Delete once compress.c is on main. */
#include <string.h>

#include "record/compress.h"

bool kl_codec_available(kl_codec_t codec) { return (unsigned)codec <= KL_CODEC_ZSTD; }

kl_err_t kl_compress(kl_codec_t codec, int level, const void *src, size_t len, kl_buf_t *out)
{
    if (!kl_codec_available(codec) || codec == KL_CODEC_NONE)
        return KL_ERR_INVALID_ARG;
    kl_buf_put_i8(out, 'S');
    kl_buf_put_i8(out, (int8_t)codec);
    kl_buf_put(out, src, len);
    return kl_buf_error(out);
}

kl_err_t kl_decompress(kl_codec_t codec, const void *src, size_t len, size_t max_out, kl_buf_t *out)
{
    const uint8_t *p = src;
    if (!kl_codec_available(codec) || codec == KL_CODEC_NONE)
        return KL_ERR_INVALID_ARG;
    if (len < 2 || p[0] != 'S' || p[1] != codec)
        return KL_ERR_BAD_COMPRESSION;
    if (len - 2 > max_out)
        return KL_ERR_TOO_LARGE;
    kl_buf_put(out, p + 2, len - 2);
    return kl_buf_error(out);
}
