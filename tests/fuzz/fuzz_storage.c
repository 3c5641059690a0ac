/* Fuzz target: storage recovery on arbitrary segment and index bytes.
 * The input is a header (see below) and then a partition's files: the
 * .index, the .timeindex and the .log of segment 0, of which a tail may
 * go to a second segment. They are written to a directory in tmpfs (or
 * TMPDIR) and the log is opened as after a crash. It must open or fail
 * with a storage error, never crash. After a crash with one segment and no
 * checkpoint, every byte it serves must pass the CRC-checked iterator, in
 * offset order; an append must then land at the log end offset, and a
 * clean close and reopen must keep that end and serve the appended batch.
 * Header: flags (bit 0: a recovery-point checkpoint, bit 1: a second
 * segment, bit 2: a log-start-offset checkpoint), the .index and
 * .timeindex lengths, the checkpointed offset, where the second segment
 * starts in the .log bytes and its base offset (uint16 each). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "storage/checkpoint.h"
#include "storage/log.h"

#define TOPIC "fz"
#define READ_MAX (64u << 10)

#define FLAG_RECOVERY_POINT 0x1
#define FLAG_TWO_SEGMENTS 0x2
#define FLAG_LOG_START 0x4

static char root[256], part[300];

/* The directory, made once per process; emptied before each input. */
static void make_root(void)
{
    if (root[0])
        return;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/kl-fuzz-storage-XXXXXX", base && *base ? base : "/tmp");
    FUZZ_ASSERT(mkdtemp(root), "mkdtemp %s", root);
    snprintf(part, sizeof part, "%s/" TOPIC "-0", root);
}

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char path[600];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FUZZ_ASSERT(unlink(path) == 0, "cannot remove %s", path);
    }
    closedir(d);
}

static void cleanup(void)
{
    empty_dir(part);
    rmdir(part);
    rmdir(root);
}

static void put_file(int64_t base, const char *suffix, const uint8_t *data, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%020lld%s", part, (long long)base, suffix);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    FUZZ_ASSERT(fd >= 0, "cannot create %s", path);
    FUZZ_ASSERT(len == 0 || write(fd, data, len) == (ssize_t)len, "cannot write %s", path);
    close(fd);
}

/* Reads the log from its start to its end. strict: every batch must pass
 * the CRC-checked iterator. Returns the base offset of the last batch. */
static int64_t read_all(kl_log_t *log, bool strict)
{
    int64_t off = kl_log_start_offset(log), end = kl_log_end_offset(log), last_base = -1;
    FUZZ_ASSERT(off <= end, "log start %lld past its end %lld", (long long)off, (long long)end);
    for (int reads = 0; off < end && reads < 10000; reads++) {
        kl_log_range_t r;
        kl_err_t err = kl_log_read(log, off, READ_MAX, &r);
        FUZZ_ASSERT(!strict || err == KL_ERR_NONE, "reading offset %lld of a recovered log: %s", (long long)off,
                    kl_err_name(err));
        if (err)
            return last_base;
        if (r.length == 0) {
            kl_log_range_release(&r);
            FUZZ_ASSERT(!strict, "an empty read at %lld below the end %lld", (long long)off, (long long)end);
            return last_base;
        }
        uint8_t *bytes = malloc(r.length);
        FUZZ_ASSERT(bytes, "out of memory");
        ssize_t got = pread(r.fd, bytes, r.length, (off_t)r.position);
        FUZZ_ASSERT(got == (ssize_t)r.length, "short read of a range");
        kl_batch_iter_t it;
        kl_batch_t b;
        kl_batch_iter_init(&it, bytes, r.length, strict ? 0 : KL_BATCH_SKIP_CRC);
        int64_t before = off;
        while ((err = kl_batch_iter_next(&it, &b)) == KL_ERR_NONE) {
            FUZZ_ASSERT(!strict || (b.base_offset >= last_base && kl_batch_last_offset(&b) >= off),
                        "batch %lld..%lld served out of order at %lld", (long long)b.base_offset,
                        (long long)kl_batch_last_offset(&b), (long long)off);
            last_base = b.base_offset;
            if (kl_batch_last_offset(&b) >= off)
                off = kl_batch_last_offset(&b) + 1;
        }
        FUZZ_ASSERT(!strict || (err == KL_ERR_NOENT && it.incomplete == 0),
                    "a recovered log serves a bad or partial batch at %lld: %s (%s)", (long long)off,
                    kl_err_name(err), it.why ? it.why : "partial");
        free(bytes);
        kl_log_range_release(&r);
        if (off <= before)
            break; /* served nothing new: only possible when not strict */
    }
    return last_base;
}

static void append_and_reopen(kl_log_t *log)
{
    int64_t end = kl_log_end_offset(log);
    kl_batch_writer_t w;
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    kl_batch_writer_init(&w, 0);
    const uint8_t *batch;
    size_t len;
    FUZZ_ASSERT(kl_batch_writer_open(&w, &params) == KL_ERR_NONE &&
                    kl_batch_writer_append(&w, 1700000000000LL, "k", 1, "v", 1, NULL, 0) == KL_ERR_NONE &&
                    kl_batch_writer_close(&w, &batch, &len) == KL_ERR_NONE,
                "the batch writer failed");
    int64_t base = -1;
    kl_err_t err = kl_log_append(log, (void *)batch, len, &base);
    FUZZ_ASSERT(err == KL_ERR_NONE && base == end, "append after recovery: %s at %lld, end was %lld",
                kl_err_name(err), (long long)base, (long long)end);
    kl_batch_writer_free(&w);
    kl_log_close(log);

    err = kl_log_open(root, TOPIC, 0, NULL, &log);
    FUZZ_ASSERT(err == KL_ERR_NONE, "reopening after a clean close: %s", kl_err_name(err));
    FUZZ_ASSERT(kl_log_end_offset(log) == end + 1, "reopened with end %lld, closed at %lld",
                (long long)kl_log_end_offset(log), (long long)end + 1);
    FUZZ_ASSERT(read_all(log, true) == end, "the appended batch is not served last after a reopen");
    kl_log_close(log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    make_root();
    static bool registered;
    if (!registered) {
        atexit(cleanup);
        registered = true;
    }
    empty_dir(part);
    FUZZ_ASSERT(mkdir(part, 0755) == 0 || errno == EEXIST, "cannot create %s", part);

    fuzz_in_t in = {data, size};
    unsigned flags = fuzz_u8(&in);
    size_t index_len = fuzz_u16(&in), timeindex_len = fuzz_u16(&in);
    int64_t point = fuzz_u16(&in);
    size_t split = fuzz_u16(&in);
    int64_t second_base = fuzz_u16(&in);
    size_t n;
    const uint8_t *index = fuzz_take(&in, index_len, &index_len);
    const uint8_t *timeindex = fuzz_take(&in, timeindex_len, &timeindex_len);
    const uint8_t *segment = fuzz_take(&in, in.left, &n);
    bool two = (flags & FLAG_TWO_SEGMENTS) && second_base > 0 && split <= n;
    put_file(0, ".log", segment, two ? split : n);
    put_file(0, ".index", index, index_len);
    put_file(0, ".timeindex", timeindex, timeindex_len);
    if (two)
        put_file(second_base, ".log", segment + split, n - split);
    if (flags & FLAG_RECOVERY_POINT)
        FUZZ_ASSERT(kl_checkpoint_write(part, KL_CHECKPOINT_RECOVERY_POINT, TOPIC, 0, point) == KL_ERR_NONE,
                    "cannot write the recovery checkpoint");
    if (flags & FLAG_LOG_START)
        FUZZ_ASSERT(kl_checkpoint_write(part, KL_CHECKPOINT_LOG_START, TOPIC, 0, point) == KL_ERR_NONE,
                    "cannot write the log start checkpoint");

    kl_log_t *log;
    kl_err_t err = kl_log_open(root, TOPIC, 0, NULL, &log);
    if (err) {
        FUZZ_ASSERT(err == KL_ERR_CORRUPT_MESSAGE || err == KL_ERR_KAFKA_STORAGE_ERROR,
                    "opening gave %s", kl_err_name(err));
        return 0;
    }
    /* Trusted bytes (older segments, or the checkpoint vouching for them)
     * are not rescanned, as in Kafka: only a crash of a one-segment log
     * promises CRC-checked data. */
    bool strict = !(flags & FLAG_RECOVERY_POINT) && !two;
    read_all(log, strict);
    if (strict)
        append_and_reopen(log);
    else
        kl_log_abandon(log);
    return 0;
}
