/* Compression front end: codec names, argument checks and dispatch to the
 * codec files compiled into this build, plus what the codecs share (the
 * budgeted output sink, the per-thread context cache). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "record/compress_impl.h"

typedef struct codec_ops {
    const char *name;
    kl_err_t (*compress)(int level, const uint8_t *src, size_t len, kl_buf_t *out);
    kl_err_t (*decompress)(const uint8_t *src, size_t len, size_t max_out, kl_buf_t *out);
} codec_ops_t;

/* Indexed by kl_codec_t; NULL functions mean "not compiled in". */
static const codec_ops_t codecs[] = {
    [KL_CODEC_NONE] = {"none", NULL, NULL},
#ifdef WITH_ZLIB
    [KL_CODEC_GZIP] = {"gzip", codec_gzip_compress, codec_gzip_decompress},
#else
    [KL_CODEC_GZIP] = {"gzip", NULL, NULL},
#endif
#ifdef WITH_SNAPPY
    [KL_CODEC_SNAPPY] = {"snappy", codec_snappy_compress, codec_snappy_decompress},
#else
    [KL_CODEC_SNAPPY] = {"snappy", NULL, NULL},
#endif
#ifdef WITH_LZ4
    [KL_CODEC_LZ4] = {"lz4", codec_lz4_compress, codec_lz4_decompress},
#else
    [KL_CODEC_LZ4] = {"lz4", NULL, NULL},
#endif
#ifdef WITH_ZSTD
    [KL_CODEC_ZSTD] = {"zstd", codec_zstd_compress, codec_zstd_decompress},
#else
    [KL_CODEC_ZSTD] = {"zstd", NULL, NULL},
#endif
};

#define CODEC_COUNT (sizeof codecs / sizeof codecs[0])

static bool codec_known(kl_codec_t codec) { return (unsigned)codec < CODEC_COUNT; }

bool kl_codec_available(kl_codec_t codec)
{
    return codec == KL_CODEC_NONE || (codec_known(codec) && codecs[codec].compress != NULL);
}

const char *kl_codec_name(kl_codec_t codec)
{
    return codec_known(codec) ? codecs[codec].name : "unknown";
}

kl_err_t kl_codec_from_name(const char *name, kl_codec_t *out)
{
    if (name) {
        for (size_t i = 0; i < CODEC_COUNT; i++) {
            if (strcasecmp(name, codecs[i].name) == 0) {
                *out = (kl_codec_t)i;
                return KL_ERR_NONE;
            }
        }
    }
    return KL_ERR_INVALID_VALUE;
}

/* The checks every codec shares. Kafka sizes are int32, so anything larger
 * cannot be a batch; the bound also keeps zlib's 32-bit counters safe. */
static kl_err_t check_args(kl_codec_t codec, size_t len, const kl_buf_t *out)
{
    if (!codec_known(codec))
        return KL_ERR_INVALID_ARG;
    if (!kl_codec_available(codec))
        return KL_ERR_UNSUPPORTED_FEATURE;
    if (kl_buf_error(out))
        return kl_buf_error(out);
    if (len > INT32_MAX)
        return KL_ERR_TOO_LARGE;
    return KL_ERR_NONE;
}

/* Codec libraries want a real pointer even for empty input. */
static const uint8_t *nonnull_src(const void *src)
{
    static const uint8_t empty[1];
    return src ? src : empty;
}

kl_err_t kl_compress(kl_codec_t codec, int level, const void *src, size_t len, kl_buf_t *out)
{
    kl_err_t err = check_args(codec, len, out);
    if (err)
        return err;
    size_t start = out->len;
    if (codec == KL_CODEC_NONE) {
        if (len)
            kl_buf_put(out, src, len);
        err = kl_buf_error(out);
    } else {
        err = codecs[codec].compress(level, nonnull_src(src), len, out);
    }
    if (err)
        out->len = start;
    return err;
}

kl_err_t kl_decompress(kl_codec_t codec, const void *src, size_t len, size_t max_out, kl_buf_t *out)
{
    kl_err_t err = check_args(codec, len, out);
    if (err)
        return err;
    size_t start = out->len;
    if (codec == KL_CODEC_NONE) {
        if (len > max_out || len > out->max - out->len)
            return KL_ERR_TOO_LARGE;
        if (len)
            kl_buf_put(out, src, len);
        err = kl_buf_error(out);
    } else {
        err = codecs[codec].decompress(nonnull_src(src), len, max_out, out);
    }
    if (err)
        out->len = start;
    return err;
}

/* ---- output sink ---- */

/* Window size when the format gives no size: big enough that the decoder
 * loop is not the cost, small enough that a capped call stays cheap. */
#define SINK_CHUNK ((size_t)64 * 1024)
/* Keeps every window within 32-bit library counters (zlib's uInt). */
#define SINK_WINDOW_MAX ((size_t)1 << 30)

void codec_sink_init(codec_sink_t *sink, kl_buf_t *out, size_t max_out)
{
    size_t room = out->max - out->len;
    sink->out = out;
    sink->start = out->len;
    sink->limit = max_out < room ? max_out : room;
    sink->probe = 0;
    sink->in_probe = false;
}

void codec_sink_expect(codec_sink_t *sink, uint64_t expected)
{
    size_t left = codec_sink_left(sink);
    size_t n = expected < left ? (size_t)expected : left;
    kl_err_t saved = sink->out->err;
    if (n)
        (void)kl_buf_reserve(sink->out, n); /* a hint: a real shortage shows up later */
    sink->out->err = saved;
}

uint8_t *codec_sink_window(codec_sink_t *sink, size_t *room)
{
    kl_buf_t *out = sink->out;
    size_t left = codec_sink_left(sink);
    if (left == 0) {
        sink->in_probe = true;
        *room = 1;
        return &sink->probe;
    }
    /* Use whatever capacity is already there, else grow by a chunk. */
    size_t want = out->cap - out->len;
    if (want < SINK_CHUNK)
        want = SINK_CHUNK;
    if (want > SINK_WINDOW_MAX)
        want = SINK_WINDOW_MAX;
    if (want > left)
        want = left;
    uint8_t *p = kl_buf_reserve(out, want);
    if (!p)
        return NULL;
    sink->in_probe = false;
    *room = want;
    return p;
}

kl_err_t codec_sink_commit(codec_sink_t *sink, size_t n)
{
    if (sink->in_probe)
        return n ? KL_ERR_TOO_LARGE : KL_ERR_NONE;
    sink->out->len += n;
    return KL_ERR_NONE;
}

/* ---- per-thread contexts ----
 * A pthread key gives the exit-time destructor; the _Thread_local pointer
 * is the fast path and keeps the main thread's cache visibly reachable. */

typedef struct codec_thread_cache {
    void *ctx[CODEC_CTX_COUNT];
    void (*free_ctx[CODEC_CTX_COUNT])(void *ctx);
} codec_thread_cache_t;

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static bool cache_key_ok;
static _Thread_local codec_thread_cache_t *thread_cache;

static void cache_destroy(void *arg)
{
    codec_thread_cache_t *cache = arg;
    for (int i = 0; i < CODEC_CTX_COUNT; i++)
        if (cache->ctx[i] && cache->free_ctx[i])
            cache->free_ctx[i](cache->ctx[i]);
    free(cache);
    thread_cache = NULL;
}

static void cache_key_create(void) { cache_key_ok = pthread_key_create(&cache_key, cache_destroy) == 0; }

void **codec_thread_slot(codec_ctx_slot_t which, void (*free_ctx)(void *ctx))
{
    codec_thread_cache_t *cache = thread_cache;
    if (!cache) {
        if (pthread_once(&cache_once, cache_key_create) != 0 || !cache_key_ok)
            return NULL;
        cache = calloc(1, sizeof *cache);
        if (!cache)
            return NULL;
        if (pthread_setspecific(cache_key, cache) != 0) {
            free(cache);
            return NULL;
        }
        thread_cache = cache;
    }
    cache->free_ctx[which] = free_ctx;
    return &cache->ctx[which];
}
