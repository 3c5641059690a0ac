/* What recovery at open repairs in a partition log, and the record of it:
 * each cut, dropped batch, lost range or rebuilt index is noted so that
 * the broker logs it once and counts it, and readers of the log (the
 * group coordinator) can tell that something was dropped. Also the one
 * repair that writes a file: a damaged batch that valid batches follow is
 * dropped by moving what follows it to a segment of its own, so nothing
 * that still checks out is lost (Kafka cuts there and loses the rest). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/log_internal.h"

/* The cleaner's temporary suffix: kl_cleaner_recover_dir() deletes such a
 * file at the next open, which is what a split interrupted by a crash
 * needs (the damaged segment is still whole then). */
#define SPLIT_TMP_SUFFIX ".log.cleaned"
#define SPLIT_COPY_CHUNK (1u << 20)

kl_err_t log_repair_note(kl_log_t *log, kl_log_repair_kind_t kind, const char *path, int64_t first_offset,
                         int64_t end_offset, uint64_t position, uint64_t bytes)
{
    kl_log_repair_t *grown = realloc(log->repairs, (log->repair_count + 1) * sizeof *grown);
    if (!grown)
        return KL_ERR_NOMEM;
    log->repairs = grown;
    char *copy = strdup(path);
    if (!copy)
        return KL_ERR_NOMEM;
    log->repairs[log->repair_count++] = (kl_log_repair_t){kind, copy, first_offset, end_offset, position, bytes};
    return KL_ERR_NONE;
}

void log_repairs_free(kl_log_t *log)
{
    for (size_t i = 0; i < log->repair_count; i++)
        free(log->repairs[i].path);
    free(log->repairs);
    log->repairs = NULL;
    log->repair_count = 0;
}

const kl_log_repair_t *kl_log_repairs(const kl_log_t *log, size_t *count)
{
    *count = log->repair_count;
    return log->repairs;
}

void kl_log_repair_describe(const kl_log_t *log, const kl_log_repair_t *r, char *buf, size_t size)
{
    char offsets[96];
    if (r->first_offset >= 0 && r->end_offset > r->first_offset)
        snprintf(offsets, sizeof offsets, "offsets %" PRId64 "-%" PRId64, r->first_offset, r->end_offset - 1);
    else if (r->first_offset >= 0)
        snprintf(offsets, sizeof offsets, "offsets from %" PRId64 " on", r->first_offset);
    else if (r->end_offset >= 0)
        snprintf(offsets, sizeof offsets, "offsets below %" PRId64, r->end_offset);
    else
        snprintf(offsets, sizeof offsets, "no offsets");
    const char *topic = log->topic;
    int partition = (int)log->partition;
    switch (r->kind) {
    case KL_LOG_REPAIR_TRUNCATED:
        snprintf(buf, size, "partition %s-%d: recovery cut %" PRIu64 " bytes at position %" PRIu64 " of %s (%s dropped)",
                 topic, partition, r->bytes, r->position, r->path, offsets);
        break;
    case KL_LOG_REPAIR_SKIPPED:
        snprintf(buf, size,
                 "partition %s-%d: recovery dropped a damaged batch of %" PRIu64 " bytes at position %" PRIu64
                 " of %s (%s dropped); the valid batches after it were kept in a new segment",
                 topic, partition, r->bytes, r->position, r->path, offsets);
        break;
    case KL_LOG_REPAIR_LOST:
        snprintf(buf, size, "partition %s-%d: %s says data was flushed that is no longer there (%s lost); the log "
                 "goes on at offset %" PRId64, topic, partition, r->path, offsets, r->first_offset);
        break;
    case KL_LOG_REPAIR_INDEXES:
        snprintf(buf, size, "partition %s-%d: recovery rebuilt the index files of %s (nothing dropped)", topic,
                 partition, r->path);
        break;
    }
}

/* Copies [from, end of file) of fd into a new file at path, fsynced. */
static kl_err_t copy_tail(int fd, uint64_t from, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    uint8_t *buf = malloc(SPLIT_COPY_CHUNK);
    kl_err_t err = buf ? KL_ERR_NONE : KL_ERR_NOMEM;
    for (uint64_t pos = from; !err && pos < (uint64_t)st.st_size;) {
        ssize_t got = kl_pread_full(fd, buf, SPLIT_COPY_CHUNK, pos);
        if (got <= 0 || !kl_pwrite_all(out, buf, (size_t)got, pos - from))
            err = KL_ERR_KAFKA_STORAGE_ERROR;
        pos += got > 0 ? (uint64_t)got : 0;
    }
    free(buf);
    if (!err && fsync(out) != 0)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    if (close(out) != 0 && !err)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    return err;
}

/* Opens the segment at base (its .log written) and moves it from the end
 * of the list to index at. */
static kl_err_t insert_segment(kl_log_t *log, size_t at, int64_t base, int64_t now_ms)
{
    kl_err_t err = log_add_segment(log, base, false, now_ms);
    if (err)
        return err;
    pthread_mutex_lock(&log->lock);
    kl_segment_t added = log->segments[log->count - 1];
    memmove(&log->segments[at + 1], &log->segments[at], (log->count - 1 - at) * sizeof added);
    log->segments[at] = added;
    pthread_mutex_unlock(&log->lock);
    return KL_ERR_NONE;
}

kl_err_t log_split_damaged(kl_log_t *log, size_t i, const kl_segment_recovery_t *found, int64_t now_ms)
{
    char *final = NULL, *tmp = NULL;
    if (asprintf(&final, "%s/%020" PRId64 ".log", log->dir, found->resume_offset) < 0)
        final = NULL;
    if (!final || asprintf(&tmp, "%s/%020" PRId64 SPLIT_TMP_SUFFIX, log->dir, found->resume_offset) < 0)
        tmp = NULL;
    kl_err_t err = tmp ? KL_ERR_NONE : KL_ERR_NOMEM;
    struct stat st;
    if (!err && (stat(final, &st) == 0 || errno != ENOENT))
        err = KL_ERR_CORRUPT_MESSAGE; /* the offsets after the damage are in two files: not ours to choose */
    if (!err)
        err = copy_tail(log->segments[i].log_fd, found->resume_position, tmp);
    /* Until segment i is cut, what follows the damage is in two files: a
     * crash before then must find segment i scanned at the next open, so
     * the checkpoint comes down to it first (more scanning is always
     * safe). */
    int64_t base = log->segments[i].base_offset;
    if (!err && (log->split_point < 0 || base < log->split_point)) {
        err = log_write_checkpoint(log, base);
        log->split_point = base;
    }
    if (!err && (rename(tmp, final) != 0 || !kl_fsync_dir(log->dir)))
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    if (err && tmp)
        unlink(tmp);
    free(tmp);
    free(final);
    if (!err)
        err = insert_segment(log, i + 1, found->resume_offset, now_ms);
    if (err)
        return err;
    /* Closed now, it may not reach the new segment: its scan cuts where
     * the damaged batch starts. */
    kl_segment_t *seg = &log->segments[i];
    seg->gap_limit = found->resume_offset;
    err = kl_segment_recover(seg, true, NULL);
    if (err)
        return err;
    seg->next_offset = found->resume_offset;
    log->recovered_bytes += found->damaged_size;
    return log_repair_note(log, KL_LOG_REPAIR_SKIPPED, seg->log_path, found->cut_offset, found->resume_offset,
                           found->damaged_position, found->damaged_size);
}
