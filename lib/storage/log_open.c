/* Opening and closing the partition log: finds the segments of the
 * partition directory, loads the ones the recovery checkpoint vouches for,
 * recovers the others, restores the recovery point and the log start
 * offset; a clean close flushes and writes the checkpoint. See log.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/checkpoint.h"
#include "storage/cleaner.h"
#include "storage/log_internal.h"

/* A segment file name: 20 decimal digits then ".log". */
static bool parse_segment_name(const char *name, int64_t *base_offset)
{
    if (strlen(name) != 24 || strcmp(name + 20, ".log") != 0)
        return false;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (name[i] - '0');
    }
    *base_offset = v;
    return true;
}

static int compare_offsets(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The base offsets of the segments in the directory, sorted. */
static kl_err_t list_segments(const char *dir, int64_t **offsets, size_t *count)
{
    *offsets = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    size_t n = 0, cap = 0;
    int64_t *v = NULL, base;
    kl_err_t err = KL_ERR_NONE;
    for (struct dirent *e; (e = readdir(d)) != NULL && !err;) {
        if (!parse_segment_name(e->d_name, &base))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                err = KL_ERR_NOMEM;
                break;
            }
            v = grown;
        }
        v[n++] = base;
    }
    closedir(d);
    if (n > 1)
        qsort(v, n, sizeof *v, compare_offsets);
    *offsets = v;
    *count = n;
    return err;
}

/* An older segment: its index files are trusted when they fit the .log,
 * else rebuilt from the batch headers. Its time index must end with its max
 * timestamp (a crash may have come between the roll and that entry). */
static kl_err_t log_load_inactive(kl_log_t *log, size_t i)
{
    kl_segment_t *seg = &log->segments[i];
    kl_err_t err = kl_segment_load(seg);
    if (err == KL_ERR_NOENT) {
        err = kl_segment_rebuild(seg, true);
        if (!err && seg->size > 0)
            err = log_repair_note(log, KL_LOG_REPAIR_INDEXES, seg->log_path, -1, -1, 0, 0);
    } else if (!err)
        err = kl_segment_seal(seg);
    seg->next_offset = log->segments[i + 1].base_offset;
    return err;
}

/* As Kafka: the log start checkpoint lies past everything found (a crash
 * cut unflushed records that DeleteRecords had passed, or segment files
 * were removed), so the log restarts empty at that start. Offsets never go
 * back, and what is appended next is never below the log start, where the
 * next open would hide it. The segments dropped hold only records below
 * the start, deleted already. */
static kl_err_t log_restart_at(kl_log_t *log, int64_t offset)
{
    kl_err_t err = log_add_segment(log, offset, true, kl_wallclock_ms());
    if (err)
        return err;
    log_remove_segments(log, 0, log->count - 1);
    log->start_offset = log->end_offset = log->high_watermark = offset;
    return KL_ERR_NONE;
}

/* The log start offset: the first segment's base offset, or further on
 * where DeleteRecords moved it (log-start-offset-checkpoint). Segments
 * wholly below it that a crash left behind go now. */
static kl_err_t log_load_start_offset(kl_log_t *log)
{
    int64_t saved = -1;
    kl_err_t err = kl_checkpoint_read(log->dir, KL_CHECKPOINT_LOG_START, log->topic, log->partition, &saved);
    if (err != KL_ERR_NONE && err != KL_ERR_NOENT && err != KL_ERR_BAD_MSG)
        return err;
    if (saved > log->end_offset)
        return log_restart_at(log, saved);
    log->start_offset = log->segments[0].base_offset;
    if (saved > log->start_offset)
        log->start_offset = saved;
    size_t below = 0;
    while (below + 1 < log->count && log->segments[below + 1].base_offset <= log->start_offset)
        below++;
    log_remove_segments(log, 0, below);
    return KL_ERR_NONE;
}

/* Segment i scanned with CRC checks: a damaged batch that valid ones
 * follow is dropped alone (the valid ones move to a new segment, *split
 * set); a cut tail is noted. */
static kl_err_t log_recover_segment(kl_log_t *log, size_t i, bool sealed, int64_t now_ms, bool *split)
{
    kl_segment_t *seg = &log->segments[i];
    kl_segment_recovery_t found;
    log->scanned_bytes += seg->size;
    kl_err_t err = kl_segment_recover(seg, sealed, &found);
    if (!err && found.damaged) {
        *split = true;
        return log_split_damaged(log, i, &found, now_ms);
    }
    if (err || found.truncated == 0)
        return err;
    log->recovered_bytes += found.truncated;
    int64_t end = sealed ? log->segments[i + 1].base_offset : -1;
    return log_repair_note(log, KL_LOG_REPAIR_TRUNCATED, seg->log_path, found.cut_offset, end, seg->size,
                           found.truncated);
}

/* An older segment holding data past the recovery point: scanned with
 * CRC checks like the last one. A cut tail leaves a gap in the offsets
 * (as the cleaner does): the segments after it are kept, since what they
 * hold still checks out (Kafka deletes them). */
static kl_err_t log_recover_inactive(kl_log_t *log, size_t i, int64_t now_ms, bool *split)
{
    log->segments[i].gap_limit = log->segments[i + 1].base_offset;
    kl_err_t err = log_recover_segment(log, i, true, now_ms, split);
    if (!err)
        log->segments[i].next_offset = log->segments[i + 1].base_offset;
    return err;
}

/* The last segment: trusted without a scan when the checkpoint says the
 * log was flushed up to exactly where its index files and headers end. */
static kl_err_t log_load_active(kl_log_t *log, int64_t point, int64_t now_ms, bool *split)
{
    kl_segment_t *seg = log_active(log);
    if (point >= 0 && kl_segment_load(seg) == KL_ERR_NONE && seg->next_offset == point)
        return KL_ERR_NONE;
    return log_recover_segment(log, log->count - 1, false, now_ms, split);
}

/* Says in log->why (when the caller gave one) which file failed and how. */
static void log_report(kl_log_t *log, const char *path, kl_err_t err, int saved_errno)
{
    if (log->why && log->why_size > 0)
        snprintf(log->why, log->why_size, "%s: %s", path,
                 err == KL_ERR_KAFKA_STORAGE_ERROR && saved_errno ? strerror(saved_errno) : kl_err_str(err));
}

/* Loads each segment by what the recovery point (-1: no checkpoint) says
 * of it: wholly below, its indexes are checked; holding unflushed data,
 * it is scanned. With no checkpoint, only the last one is scanned. A
 * segment split off a damaged one is scanned too. */
static kl_err_t log_load_segments(kl_log_t *log, int64_t point, int64_t now_ms)
{
    kl_err_t err = KL_ERR_NONE;
    bool split = false;
    for (size_t i = 0; !err && i < log->count; i++) {
        bool scan = split;
        split = false;
        errno = 0;
        if (i + 1 == log->count)
            err = log_load_active(log, scan ? -1 : point, now_ms, &split);
        else if (!scan && (point < 0 || log->segments[i + 1].base_offset <= point))
            err = log_load_inactive(log, i);
        else
            err = log_recover_inactive(log, i, now_ms, &split);
        if (err)
            log_report(log, log->segments[i].log_path, err, errno);
    }
    return err;
}

/* The recovery point the open leaves: the checkpoint's, or without one
 * the last segment's base (what was scanned may not be on disk yet). A
 * checkpoint past the end of what was found cannot be trusted again; it
 * may say that flushed data is gone (segment files removed or cut), which
 * is noted as lost. */
static kl_err_t log_set_recovery_point(kl_log_t *log, int64_t point, int64_t now_ms)
{
    log->checkpointed = point;
    if (point > log->end_offset) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", log->dir, KL_CHECKPOINT_RECOVERY_POINT);
        kl_err_t err = log_repair_note(log, KL_LOG_REPAIR_LOST, path, log->end_offset, point, 0, 0);
        if (!err)
            err = kl_checkpoint_remove(log->dir, KL_CHECKPOINT_RECOVERY_POINT);
        if (err)
            return err;
        log->checkpointed = point = -1;
    }
    log->recovery_point = point >= 0 ? point : log_active(log)->base_offset;
    log->oldest_unflushed_ms = log->recovery_point < log->end_offset ? now_ms : -1;
    return KL_ERR_NONE;
}

/* Opens every segment found, loads or recovers each, and restores the
 * recovery point and the log start offset. */
static kl_err_t log_load(kl_log_t *log)
{
    int64_t *offsets, now = kl_wallclock_ms(), point = -1;
    size_t n;
    errno = 0;
    kl_err_t err = list_segments(log->dir, &offsets, &n);
    if (err)
        log_report(log, log->dir, err, errno);
    for (size_t i = 0; !err && i < n; i++) {
        errno = 0;
        err = log_add_segment(log, offsets[i], false, now);
        if (err) {
            char path[4096];
            int saved = errno;
            snprintf(path, sizeof path, "%s/%020" PRId64 ".log", log->dir, offsets[i]);
            log_report(log, path, err, saved);
        }
    }
    free(offsets);
    if (!err && log->count == 0 && (err = log_add_segment(log, 0, true, now)) != KL_ERR_NONE)
        log_report(log, log->dir, err, errno); /* EMFILE, say: the cause is what the broker reports */
    if (!err) {
        err = kl_checkpoint_read(log->dir, KL_CHECKPOINT_RECOVERY_POINT, log->topic, log->partition, &point);
        if (err == KL_ERR_NOENT || err == KL_ERR_BAD_MSG)
            err = KL_ERR_NONE, point = -1;
    }
    if (!err)
        err = log_load_segments(log, point, now);
    if (err)
        return err;
    if (log->split_point >= 0 && (point < 0 || log->split_point < point))
        point = log->split_point; /* what the checkpoint file says now */
    log->end_offset = log_active(log)->next_offset;
    log->high_watermark = log->end_offset;
    err = log_set_recovery_point(log, point, now);
    if (!err)
        log_close_flushed_indexes(log); /* a segment costs one descriptor */
    return err ? err : log_load_start_offset(log);
}

static bool valid_topic(const char *topic)
{
    return topic && topic[0] && strchr(topic, '/') == NULL && strcmp(topic, ".") != 0 && strcmp(topic, "..") != 0;
}

/* Frees everything, with no I/O but closing files. */
static void log_free(kl_log_t *log)
{
    for (size_t i = 0; i < log->count; i++)
        kl_segment_close(&log->segments[i]);
    log_clean_result_free(log->clean_pending, false);
    log_repairs_free(log);
    pthread_mutex_destroy(&log->lock);
    pthread_mutex_destroy(&log->flush_lock);
    free(log->segments);
    free(log->dir);
    free(log->topic);
    free(log);
}

kl_err_t kl_log_open(const char *dir, const char *topic, int32_t partition, const kl_log_config_t *config,
                     kl_log_t **logp)
{
    return kl_log_open_why(dir, topic, partition, config, logp, NULL, 0);
}

kl_err_t kl_log_open_why(const char *dir, const char *topic, int32_t partition, const kl_log_config_t *config,
                         kl_log_t **logp, char *why, size_t why_size)
{
    *logp = NULL;
    if (why && why_size > 0)
        why[0] = '\0';
    if (!dir || !valid_topic(topic) || partition < 0 || (config && !log_config_valid(config)))
        return KL_ERR_INVALID_ARG;
    kl_log_t *log = calloc(1, sizeof *log);
    if (!log)
        return KL_ERR_NOMEM;
    pthread_mutex_init(&log->lock, NULL);
    pthread_mutex_init(&log->flush_lock, NULL);
    atomic_init(&log->failed, false);
    if (config)
        log->config = *config;
    else
        kl_log_config_init(&log->config);
    log->partition = partition;
    log->split_point = -1;
    log->topic = strdup(topic);
    if (!log->topic || asprintf(&log->dir, "%s/%s-%d", dir, topic, (int)partition) < 0) {
        log->dir = NULL;
        log_free(log);
        return KL_ERR_NOMEM;
    }
    log->why = why;
    log->why_size = why_size;
    kl_err_t err = KL_ERR_NONE;
    if (mkdir(log->dir, 0755) != 0 && errno != EEXIST) {
        err = KL_ERR_KAFKA_STORAGE_ERROR;
        log_report(log, log->dir, err, errno);
    }
    if (!err && (err = kl_cleaner_recover_dir(log->dir)) != KL_ERR_NONE)
        log_report(log, log->dir, err, errno);
    if (!err)
        err = log_load(log);
    if (!err)
        err = log_load_clean_point(log);
    if (err && why && why_size > 0 && !why[0])
        log_report(log, log->dir, err, 0);
    log->why = NULL;
    if (err) {
        log_free(log);
        return err;
    }
    *logp = log;
    return KL_ERR_NONE;
}

void kl_log_close(kl_log_t *log)
{
    if (!log)
        return;
    log_clean_result_free(log->clean_pending, true);
    log->clean_pending = NULL;
    /* As Kafka: the time index ends with the max timestamp, everything is
     * flushed, and the checkpoint says so. If any of it fails, the next
     * open rescans, as after a crash. */
    kl_err_t err = atomic_load(&log->failed) ? KL_ERR_KAFKA_STORAGE_ERROR : kl_segment_seal(log_active(log));
    if (!err)
        err = kl_log_flush(log);
    if (!err && log->checkpointed != log->end_offset)
        err = log_write_checkpoint(log, log->end_offset);
    log_free(log);
}

void kl_log_abandon(kl_log_t *log)
{
    if (log)
        log_free(log);
}
