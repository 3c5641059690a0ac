/* Writes the seed corpora of the fuzz targets that do not take protocol
 * frames (those come from the unit tests' vectors: see make_seeds.sh):
 * record batches from the batch writer in every codec this build has,
 * legacy message sets, fetched records, a partition log written by the
 * storage layer and closed cleanly, and properties files.
 * Usage: gen_seeds DIR (DIR/<target>/ must exist). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/legacy_message.h"
#include "record/batch.h"
#include "storage/log.h"
#include "util/buf.h"

#define T0 1700000000000LL

static const char *out_dir;

static void die(const char *what)
{
    fprintf(stderr, "gen_seeds: %s\n", what);
    exit(1);
}

static void put_seed(const char *target, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path);
}

/* Appends a batch of n records (every third with a null key, the second
 * with two headers) from the writer to out. */
static void put_batch(kl_buf_t *out, kl_codec_t codec, int64_t base, int n, int16_t attributes, int64_t pid)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.base_offset = base;
    params.codec = codec;
    params.attributes = attributes;
    if (pid >= 0) {
        params.producer_id = pid;
        params.producer_epoch = 0;
        params.base_sequence = 0;
    }
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    if (kl_batch_writer_open(&w, &params))
        die("writer open");
    kl_record_header_t headers[2] = {{"h1", 2, "v", 1}, {"h2", 2, NULL, 0}};
    for (int i = 0; i < n; i++) {
        char key[16], value[64];
        snprintf(key, sizeof key, "key-%d", i);
        snprintf(value, sizeof value, "value %d, repeated repeated repeated", i);
        if (kl_batch_writer_append(&w, T0 + i * 10, i % 3 == 2 ? NULL : key, i % 3 == 2 ? 0 : strlen(key),
                                   value, strlen(value), i == 1 ? headers : NULL, i == 1 ? 2 : 0))
            die("writer append");
    }
    const uint8_t *data;
    size_t len;
    if (kl_batch_writer_close(&w, &data, &len))
        die("writer close");
    kl_buf_put(out, data, len);
    kl_batch_writer_free(&w);
}

static void batch_seeds(void)
{
    static const kl_codec_t codecs[] = {KL_CODEC_NONE, KL_CODEC_GZIP, KL_CODEC_SNAPPY, KL_CODEC_LZ4, KL_CODEC_ZSTD};
    kl_buf_t b;
    kl_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        if (!kl_codec_available(codecs[i]))
            continue;
        kl_buf_reset(&b);
        put_batch(&b, codecs[i], 0, 4, 0, -1);
        char name[64];
        snprintf(name, sizeof name, "batch-%s", kl_codec_name(codecs[i]));
        put_seed("batch", name, b.data, b.len);
        /* for fuzz_fetch: check.crcs on, fetch offset 0 */
        kl_buf_t f;
        kl_buf_init(&f, 0);
        kl_buf_put_i8(&f, 1);
        kl_buf_put_i16(&f, 0);
        kl_buf_put(&f, b.data, b.len);
        put_seed("fetch", name, f.data, f.len);
        kl_buf_free(&f);
    }
    kl_buf_reset(&b); /* idempotent, then transactional, then two in a row */
    put_batch(&b, KL_CODEC_NONE, 0, 2, 0, 1000);
    put_seed("batch", "idempotent", b.data, b.len);
    kl_buf_reset(&b);
    put_batch(&b, KL_CODEC_NONE, 0, 1, KL_BATCH_ATTR_TRANSACTIONAL, 77);
    put_seed("batch", "transactional", b.data, b.len);
    kl_buf_reset(&b);
    put_batch(&b, KL_CODEC_NONE, 0, 3, 0, -1);
    put_batch(&b, KL_CODEC_NONE, 3, 2, KL_BATCH_ATTR_LOG_APPEND_TIME, -1);
    put_seed("batch", "two-batches", b.data, b.len);
    kl_buf_t f; /* fetched from offset 4, CRCs not checked, cut short */
    kl_buf_init(&f, 0);
    kl_buf_put_i8(&f, 0);
    kl_buf_put_i16(&f, 4);
    kl_buf_put(&f, b.data, b.len - 5);
    put_seed("fetch", "two-batches-cut", f.data, f.len);
    kl_buf_free(&f);
    kl_buf_free(&b);
}

static void put_message(kl_buf_t *b, int64_t offset, int magic, int attrs, const char *key, const void *value,
                        int32_t value_len)
{
    if (put_legacy_message(b, offset, magic, attrs, T0, key, value, value_len))
        die("out of memory");
}

static void msgset_seeds(void)
{
    for (int magic = 0; magic <= 1; magic++) {
        kl_buf_t plain, inner, wrapped;
        kl_buf_init(&plain, 0);
        kl_buf_init(&inner, 0);
        kl_buf_init(&wrapped, 0);
        put_message(&plain, 3, magic, 0, NULL, "hi", 2);
        put_message(&plain, 4, magic, 0, "k", "v", 1);
        put_message(&plain, 5, magic, 0, "tombstone", NULL, -1);
        char name[64];
        snprintf(name, sizeof name, "plain-v%d", magic);
        put_seed("msgset", name, plain.data, plain.len);
        /* a gzip wrapper: magic 1 inner offsets count from 0 */
        for (int i = 0; i < 3; i++)
            put_message(&inner, magic == 1 ? i : 10 + i, magic, 0, "k", "inner value", 11);
        kl_buf_t z;
        kl_buf_init(&z, 0);
        if (kl_codec_available(KL_CODEC_GZIP)) {
            if (kl_compress(KL_CODEC_GZIP, -1, inner.data, inner.len, &z))
                die("gzip");
            put_message(&wrapped, 12, magic, KL_CODEC_GZIP, NULL, z.data, (int32_t)z.len);
            snprintf(name, sizeof name, "gzip-v%d", magic);
            put_seed("msgset", name, wrapped.data, wrapped.len);
        }
        kl_buf_free(&z);
        kl_buf_free(&plain);
        kl_buf_free(&inner);
        kl_buf_free(&wrapped);
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die(path);
    uint8_t *data = malloc((size_t)st.st_size + 1);
    if (!data || read(fd, data, (size_t)st.st_size) != st.st_size)
        die(path);
    close(fd);
    *len = (size_t)st.st_size;
    return data;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char path[4096];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* A log of a few batches, an index entry for each, closed cleanly; packed
 * as fuzz_storage reads it, without and with its checkpoint. */
static void storage_seeds(void)
{
    char root[] = "/tmp/kl-gen-seeds-XXXXXX";
    if (!mkdtemp(root))
        die("mkdtemp");
    kl_log_config_t config;
    kl_log_config_init(&config);
    config.index_interval_bytes = 1;
    kl_log_t *log;
    if (kl_log_open(root, "fz", 0, &config, &log))
        die("log open");
    for (int i = 0; i < 3; i++) {
        kl_buf_t b;
        kl_buf_init(&b, 0);
        put_batch(&b, i == 1 && kl_codec_available(KL_CODEC_GZIP) ? KL_CODEC_GZIP : KL_CODEC_NONE, 0, 2, 0, -1);
        if (kl_log_append(log, b.data, b.len, NULL))
            die("log append");
        kl_buf_free(&b);
    }
    kl_log_close(log);
    char path[4096];
    size_t log_len, index_len, timeindex_len;
    snprintf(path, sizeof path, "%s/fz-0/%020d.log", root, 0);
    uint8_t *seg = slurp(path, &log_len);
    snprintf(path, sizeof path, "%s/fz-0/%020d.index", root, 0);
    uint8_t *index = slurp(path, &index_len);
    snprintf(path, sizeof path, "%s/fz-0/%020d.timeindex", root, 0);
    uint8_t *timeindex = slurp(path, &timeindex_len);
    if (index_len > 0xffff || timeindex_len > 0xffff)
        die("index files too big for a seed");
    for (int flags = 0; flags <= 3; flags++) {
        kl_buf_t b;
        kl_buf_init(&b, 0);
        kl_buf_put_i8(&b, (int8_t)flags);
        kl_buf_put_u16(&b, (uint16_t)index_len);
        kl_buf_put_u16(&b, (uint16_t)timeindex_len);
        kl_buf_put_u16(&b, 6);                   /* the checkpointed offset: the log end */
        kl_buf_put_u16(&b, (uint16_t)(log_len / 3 * 2)); /* where a second segment starts */
        kl_buf_put_u16(&b, 4);                   /* its base offset */
        kl_buf_put(&b, index, index_len);
        kl_buf_put(&b, timeindex, timeindex_len);
        kl_buf_put(&b, seg, log_len);
        char name[32];
        snprintf(name, sizeof name, "log-flags-%d", flags);
        put_seed("storage", name, b.data, b.len);
        kl_buf_free(&b);
    }
    free(seg);
    free(index);
    free(timeindex);
    remove_tree(root);
}

static void properties_seeds(void)
{
    static const char *const texts[] = {
        "# kafkalite broker\nlisteners=PLAINTEXT://127.0.0.1:9092\nlog.dirs=/var/lib/kafkalite\n"
        "num.partitions = 3\nlog.retention.hours:168\n",
        "! comment\n  key\\ with\\ blanks = value with \\\n    continuation\r\nunicode=\\u00e9\\u20ac\n"
        "tabs\\tand\\nescapes=\\=\\:\\#\\!\n",
        "empty=\nonly.key\n\\\n\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "properties-%zu", i);
        put_seed("properties", name, texts[i], strlen(texts[i]));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds DIR\n");
        return 2;
    }
    out_dir = argv[1];
    batch_seeds();
    msgset_seeds();
    storage_seeds();
    properties_seeds();
    return 0;
}
