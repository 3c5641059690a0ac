/* Opening and closing the partition log: finds the segments of the
 * partition directory, loads the older ones' indexes, recovers the last
 * one, and restores the log start offset. See log.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/checkpoint.h"
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
    if (err == KL_ERR_NOENT)
        err = kl_segment_rebuild(seg, true);
    else if (!err)
        err = kl_segment_seal(seg);
    seg->next_offset = log->segments[i + 1].base_offset;
    return err;
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
    log->start_offset = log->segments[0].base_offset;
    if (saved > log->start_offset)
        log->start_offset = saved < log->end_offset ? saved : log->end_offset;
    size_t below = 0;
    while (below + 1 < log->count && log->segments[below + 1].base_offset <= log->start_offset)
        below++;
    log_remove_segments(log, 0, below);
    return KL_ERR_NONE;
}

/* Opens every segment found: indexes of the older ones are loaded, the
 * last one is recovered. */
static kl_err_t log_load(kl_log_t *log)
{
    int64_t *offsets, now = log_clock_ms();
    size_t n;
    kl_err_t err = list_segments(log->dir, &offsets, &n);
    for (size_t i = 0; !err && i < n; i++)
        err = log_add_segment(log, offsets[i], false, now);
    free(offsets);
    if (!err && log->count == 0)
        err = log_add_segment(log, 0, true, now);
    for (size_t i = 0; !err && i + 1 < log->count; i++)
        err = log_load_inactive(log, i);
    if (!err)
        err = kl_segment_recover(log_active(log), false, &log->recovered_bytes);
    if (err)
        return err;
    log->end_offset = log_active(log)->next_offset;
    log->high_watermark = log->end_offset;
    return log_load_start_offset(log);
}

static bool valid_topic(const char *topic)
{
    return topic && topic[0] && strchr(topic, '/') == NULL && strcmp(topic, ".") != 0 && strcmp(topic, "..") != 0;
}

kl_err_t kl_log_open(const char *dir, const char *topic, int32_t partition, const kl_log_config_t *config,
                     kl_log_t **logp)
{
    *logp = NULL;
    if (!dir || !valid_topic(topic) || partition < 0)
        return KL_ERR_INVALID_ARG;
    kl_log_t *log = calloc(1, sizeof *log);
    if (!log)
        return KL_ERR_NOMEM;
    if (config)
        log->config = *config;
    else
        kl_log_config_init(&log->config);
    if (log->config.segment_bytes == 0 || log->config.segment_bytes > LOG_MAX_SEGMENT_BYTES ||
        log->config.segment_ms <= 0) {
        kl_log_close(log);
        return KL_ERR_INVALID_ARG;
    }
    log->partition = partition;
    log->topic = strdup(topic);
    if (!log->topic || asprintf(&log->dir, "%s/%s-%d", dir, topic, (int)partition) < 0) {
        log->dir = NULL;
        kl_log_close(log);
        return KL_ERR_NOMEM;
    }
    kl_err_t err = KL_ERR_NONE;
    if (mkdir(log->dir, 0755) != 0 && errno != EEXIST)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    if (!err)
        err = log_load(log);
    if (err) {
        kl_log_close(log);
        return err;
    }
    *logp = log;
    return KL_ERR_NONE;
}

void kl_log_close(kl_log_t *log)
{
    if (!log)
        return;
    /* As Kafka: a later open learns the max timestamp from the file. If
     * this fails, that open finds it by reading the batch headers. */
    if (log->count > 0) {
        kl_err_t ignored = kl_segment_seal(log_active(log));
        (void)ignored;
    }
    for (size_t i = 0; i < log->count; i++)
        kl_segment_close(&log->segments[i]);
    free(log->segments);
    free(log->dir);
    free(log->topic);
    free(log);
}

