/* The partition log: finds and opens the segments of a partition
 * directory, recovers the last one, appends with offset assignment and
 * rolling, and turns reads by offset into byte ranges. See log.h. */
#include "storage/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "record/batch.h"
#include "storage/log_internal.h"

#define LOG_DEFAULT_SEGMENT_BYTES (1u << 30)
#define LOG_DEFAULT_INDEX_INTERVAL 4096
#define LOG_DEFAULT_SEGMENT_MS (7 * 24 * 3600 * 1000LL)
/* Index positions are int32: a segment never grows past this. */
#define LOG_MAX_SEGMENT_BYTES INT32_MAX

static int64_t wall_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kl_log_config_init(kl_log_config_t *config)
{
    config->segment_bytes = LOG_DEFAULT_SEGMENT_BYTES;
    config->index_interval_bytes = LOG_DEFAULT_INDEX_INTERVAL;
    config->timestamp_type = KL_LOG_CREATE_TIME;
    config->segment_ms = LOG_DEFAULT_SEGMENT_MS;
}

/* Opens (or creates) one more segment at the end of the list. */
static kl_err_t log_add_segment(kl_log_t *log, int64_t base_offset, bool create, int64_t now_ms)
{
    if (log->count == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 8;
        kl_segment_t *grown = realloc(log->segments, cap * sizeof *grown);
        if (!grown)
            return KL_ERR_NOMEM;
        log->segments = grown;
        log->cap = cap;
    }
    kl_err_t err = kl_segment_open(&log->segments[log->count], log->dir, base_offset,
                                   (size_t)log->config.index_interval_bytes, create);
    if (err == KL_ERR_NONE)
        log->segments[log->count++].created_ms = now_ms;
    return err;
}

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

/* Opens every segment found: indexes of the older ones are loaded, the
 * last one is recovered. */
static kl_err_t log_load(kl_log_t *log)
{
    int64_t *offsets, now = wall_clock_ms();
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
    log->start_offset = log->segments[0].base_offset;
    log->end_offset = log_active(log)->next_offset;
    log->high_watermark = log->end_offset;
    return KL_ERR_NONE;
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
    if (asprintf(&log->dir, "%s/%s-%d", dir, topic, (int)partition) < 0) {
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
    free(log);
}

/* ---------------------------------------------------------------- append */

/* Kafka's rolling rules: size, relative offsets that must fit an int32,
 * and log.roll.ms counted in the batches' own timestamps when they have
 * them, else from when the segment was created or opened. */
static bool log_needs_roll(kl_log_t *log, size_t len, int64_t last_offset, int64_t max_timestamp, int64_t now_ms)
{
    const kl_segment_t *active = log_active(log);
    if (active->size == 0)
        return false;
    int64_t waited = active->first_timestamp >= 0 ? max_timestamp - active->first_timestamp
                                                  : now_ms - active->created_ms;
    return active->size + len > log->config.segment_bytes || last_offset - active->base_offset > INT32_MAX ||
           waited > log->config.segment_ms;
}

/* Starts a new active segment at base, sealing the old one's time index. */
static kl_err_t log_roll(kl_log_t *log, int64_t base, int64_t now_ms)
{
    kl_err_t err = kl_segment_seal(log_active(log));
    if (!err)
        err = log_add_segment(log, base, true, now_ms);
    return err == KL_ERR_NOMEM ? err : err ? KL_ERR_KAFKA_STORAGE_ERROR : KL_ERR_NONE;
}

kl_err_t kl_log_append_at(kl_log_t *log, void *batch, size_t len, int64_t now_ms, kl_log_append_info_t *info)
{
    kl_batch_t b;
    kl_err_t err = kl_batch_validate(batch, len, 0, &b, NULL);
    if (err)
        return err;
    bool append_time = log->config.timestamp_type == KL_LOG_APPEND_TIME;
    int64_t max_timestamp = append_time ? now_ms : b.max_timestamp;
    int64_t base = log->end_offset;
    int64_t last = base + b.last_offset_delta;
    if (log_needs_roll(log, len, last, max_timestamp, now_ms) && (err = log_roll(log, base, now_ms)) != KL_ERR_NONE)
        return err;
    err = kl_batch_set_base_offset(batch, len, base);
    if (!err && append_time)
        err = kl_batch_set_log_append_time(batch, len, now_ms);
    if (!err)
        err = kl_segment_append(log_active(log), batch, len, last, max_timestamp);
    if (err)
        return err;
    log->end_offset = last + 1;
    log->high_watermark = log->end_offset;
    if (info)
        *info = (kl_log_append_info_t){base, last, append_time ? now_ms : -1, log->start_offset};
    return KL_ERR_NONE;
}

kl_err_t kl_log_append(kl_log_t *log, void *batch, size_t len, int64_t *base_offset)
{
    kl_log_append_info_t info;
    kl_err_t err = kl_log_append_at(log, batch, len, wall_clock_ms(), &info);
    if (!err && base_offset)
        *base_offset = info.base_offset;
    return err;
}

/* ------------------------------------------------------------------ read */

size_t log_segment_for(const kl_log_t *log, int64_t offset)
{
    size_t lo = 0, hi = log->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segments[mid].base_offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

/* Extends the range from its first batch with whole batches within budget. */
static void range_fill(const kl_segment_t *seg, const kl_segment_batch_t *first, size_t max_bytes,
                       kl_log_range_t *range)
{
    range->file = kl_file_ref(seg->log_file);
    range->fd = seg->log_fd;
    range->position = first->position;
    range->length = (size_t)first->size;
    range->first_offset = first->base_offset;
    kl_segment_batch_t next;
    uint64_t pos = first->position + first->size;
    while (kl_segment_read_header(seg, pos, &next) == KL_ERR_NONE && range->length + next.size <= max_bytes) {
        range->length += (size_t)next.size;
        pos += next.size;
    }
}

kl_err_t kl_log_read(kl_log_t *log, int64_t offset, size_t max_bytes, kl_log_range_t *range)
{
    if (offset < log->start_offset || offset > log->end_offset)
        return KL_ERR_OFFSET_OUT_OF_RANGE;
    for (size_t i = log_segment_for(log, offset); i < log->count && offset < log->end_offset; i++) {
        kl_segment_batch_t first;
        kl_err_t err = kl_segment_find(&log->segments[i], offset, &first);
        if (err == KL_ERR_NOENT)
            continue;
        if (err)
            return err;
        range_fill(&log->segments[i], &first, max_bytes, range);
        return KL_ERR_NONE;
    }
    const kl_segment_t *active = log_active(log);
    *range = (kl_log_range_t){active->log_fd, active->size, 0, log->end_offset, kl_file_ref(active->log_file)};
    return KL_ERR_NONE;
}

void kl_log_range_release(kl_log_range_t *range)
{
    kl_file_unref(range->file);
    range->file = NULL;
    range->fd = -1;
}

int64_t kl_log_start_offset(const kl_log_t *log) { return log->start_offset; }
int64_t kl_log_end_offset(const kl_log_t *log) { return log->end_offset; }
int64_t kl_log_high_watermark(const kl_log_t *log) { return log->high_watermark; }
size_t kl_log_segment_count(const kl_log_t *log) { return log->count; }
const char *kl_log_dir(const kl_log_t *log) { return log->dir; }
uint64_t kl_log_recovered_bytes(const kl_log_t *log) { return log->recovered_bytes; }
