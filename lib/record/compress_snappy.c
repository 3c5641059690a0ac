/* snappy codec: writes raw snappy (as librdkafka does); reads raw snappy and
 * the xerial framing the Java client writes (magic, two versions, then
 * big-endian length-prefixed raw blocks). Built only when configure found
 * libsnappy. */
#include "config.h"

#include <snappy-c.h>
#include <string.h>

#include "record/compress_impl.h"

/* xerial framing: "\x82SNAPPY\0", int32 version, int32 compatible version.
 * Raw snappy can never start with these bytes: 0x82 0x53 is the varint of
 * the uncompressed length and the next byte, 'N', is a copy element, which
 * is invalid before any literal. So the magic alone tells the two apart. */
static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER_SIZE 16

kl_err_t codec_snappy_compress(int level, const uint8_t *src, size_t len, kl_buf_t *out)
{
    (void)level; /* snappy has no levels */
    size_t bound = snappy_max_compressed_length(len);
    uint8_t *dst = kl_buf_reserve(out, bound);
    if (!dst)
        return kl_buf_error(out);
    size_t n = bound;
    if (snappy_compress((const char *)src, len, (char *)dst, &n) != SNAPPY_OK)
        return KL_ERR_BAD_COMPRESSION; /* cannot happen with the bound's room */
    out->len += n;
    return KL_ERR_NONE;
}

/* One raw snappy block. The length the block announces is checked against
 * the budget before anything is allocated for it. */
static kl_err_t raw_block(const uint8_t *src, size_t len, codec_sink_t *sink)
{
    size_t want;
    if (snappy_uncompressed_length((const char *)src, len, &want) != SNAPPY_OK)
        return KL_ERR_BAD_COMPRESSION;
    if (want > codec_sink_left(sink))
        return KL_ERR_TOO_LARGE;
    /* No snappy element expands more than 64 bytes from 3: a bigger claim
     * is a lie, refused before it costs an allocation. */
    if (want / 32 > len)
        return KL_ERR_BAD_COMPRESSION;
    uint8_t empty;
    uint8_t *dst = &empty; /* snappy still validates an empty block's input */
    if (want) {
        dst = kl_buf_reserve(sink->out, want);
        if (!dst)
            return kl_buf_error(sink->out);
    }
    size_t got = want;
    if (snappy_uncompress((const char *)src, len, (char *)dst, &got) != SNAPPY_OK || got != want)
        return KL_ERR_BAD_COMPRESSION;
    sink->out->len += got;
    return KL_ERR_NONE;
}

static bool is_xerial_magic(const uint8_t *p, size_t len)
{
    return len >= sizeof xerial_magic && memcmp(p, xerial_magic, sizeof xerial_magic) == 0;
}

static kl_err_t xerial_stream(const uint8_t *src, size_t len, codec_sink_t *sink)
{
    size_t pos = 0;
    while (pos < len) {
        /* A second header where a chunk length would be: two streams
         * concatenated. Unambiguous, as a length starting 0x82 would be
         * negative. The versions are not checked: every xerial version
         * writes the same chunks. */
        if (is_xerial_magic(src + pos, len - pos)) {
            if (len - pos < XERIAL_HEADER_SIZE)
                return KL_ERR_BAD_COMPRESSION;
            pos += XERIAL_HEADER_SIZE;
            continue;
        }
        if (len - pos < 4)
            return KL_ERR_BAD_COMPRESSION;
        uint32_t chunk = kl_load_be32(src + pos);
        pos += 4;
        if (chunk > len - pos)
            return KL_ERR_BAD_COMPRESSION;
        kl_err_t err = raw_block(src + pos, chunk, sink);
        if (err)
            return err;
        pos += chunk;
    }
    return KL_ERR_NONE;
}

kl_err_t codec_snappy_decompress(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out)
{
    codec_sink_t sink;
    codec_sink_init(&sink, out, max_out);
    if (is_xerial_magic(src, len))
        return xerial_stream(src, len, &sink);
    return raw_block(src, len, &sink);
}
