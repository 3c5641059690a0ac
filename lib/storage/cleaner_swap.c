/* The log cleaner's owner half: swapping cleaned segments in with Kafka's
 * crash-safe sequence (.cleaned, then .swap as the commit point, then the
 * old files deleted and the swap renamed to .log), finishing or rolling
 * back an interrupted swap at open, and the cleaner checkpoint. See
 * cleaner.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/checkpoint.h"
#include "storage/cleaner.h"
#include "storage/log_internal.h"

#define CLEANED_SUFFIX ".log.cleaned"
#define SWAP_SUFFIX ".log.swap"

void log_clean_result_free(log_clean_result_t *r, bool unlink_files)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        log_clean_group_t *g = &r->groups[i];
        for (size_t k = 0; k < g->old_count; k++)
            kl_file_unref(g->old_files[k]);
        free(g->old_files);
        free(g->batches);
        if (g->cleaned_path && unlink_files)
            unlink(g->cleaned_path);
        free(g->cleaned_path);
    }
    free(r->groups);
    free(r);
}

void kl_log_clean_crash_at(kl_log_t *log, kl_clean_crash_t step) { log->clean_crash = (int)step; }

int64_t kl_log_clean_point(kl_log_t *log)
{
    pthread_mutex_lock(&log->lock);
    int64_t point = log->clean_point;
    pthread_mutex_unlock(&log->lock);
    return point;
}

kl_err_t log_load_clean_point(kl_log_t *log)
{
    int64_t point = -1;
    kl_err_t err = kl_checkpoint_read(log->dir, KL_CHECKPOINT_CLEANER, log->topic, log->partition, &point);
    if (err != KL_ERR_NONE && err != KL_ERR_NOENT && err != KL_ERR_BAD_MSG)
        return err;
    int64_t active = log_active(log)->base_offset;
    log->clean_point = point < log->start_offset ? log->start_offset : point > active ? active : point;
    /* Tombstones a clean before the restart kept: the earliest any of
     * them may go is delete.retention.ms after the oldest clean time of
     * the cleaned segments (their file times). */
    log->tombstone_due_ms = INT64_MAX;
    for (size_t i = 0; i + 1 < log->count && log->segments[i].base_offset < log->clean_point; i++) {
        struct stat st;
        if (fstat(log->segments[i].log_fd, &st) != 0)
            continue;
        int64_t due = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 +
                      log->config.delete_retention_ms + 1;
        log->tombstone_due_ms = due < log->tombstone_due_ms ? due : log->tombstone_due_ms;
    }
    return KL_ERR_NONE;
}

/* ---------------------------------------------------------------- swap */

static char *swap_path(const kl_log_t *log, const log_clean_group_t *g)
{
    char *path;
    if (asprintf(&path, "%s/%020" PRId64 "-%020" PRId64 SWAP_SUFFIX, log->dir, g->base, g->end) < 0)
        return NULL;
    return path;
}

/* Where the group's old segments are in the list, if they are all still
 * there as the cleaner read them and none is the active one. */
static bool group_still_there(const kl_log_t *log, const log_clean_group_t *g, size_t *first)
{
    size_t i = log_segment_for(log, g->base);
    if (log->segments[i].base_offset != g->base || i + g->old_count >= log->count ||
        log->segments[i + g->old_count].base_offset != g->end)
        return false;
    for (size_t k = 0; k < g->old_count; k++)
        if (log->segments[i + k].log_file != g->old_files[k])
            return false;
    *first = i;
    return true;
}

static bool crash_here(const kl_log_t *log, kl_clean_crash_t step) { return log->clean_crash == (int)step; }

/* Deletes the old segments' files (their open files stay readable). */
static void unlink_old(kl_log_t *log, size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++) {
        const kl_segment_t *seg = &log->segments[i];
        unlink(seg->index_path);
        unlink(seg->timeindex_path);
        unlink(seg->log_path);
    }
}

/* The new segment in place of the old ones in the list. */
static void replace_in_list(kl_log_t *log, size_t first, size_t n, const kl_segment_t *seg)
{
    pthread_mutex_lock(&log->lock);
    for (size_t i = first; i < first + n; i++)
        kl_segment_close(&log->segments[i]);
    log->segments[first] = *seg;
    memmove(&log->segments[first + 1], &log->segments[first + n], (log->count - first - n) * sizeof *seg);
    log->count -= n - 1;
    pthread_mutex_unlock(&log->lock);
}

/* Opens the renamed file as a sealed segment with fresh indexes, built
 * from the batches the cleaner wrote (the file is not read again). */
static kl_err_t open_cleaned(kl_log_t *log, const log_clean_group_t *g, kl_segment_t *seg)
{
    kl_err_t err = kl_segment_open(seg, log->dir, g->base, (size_t)log->config.index_interval_bytes, false);
    if (err)
        return err;
    err = kl_segment_index_batches(seg, g->batches, g->batch_count, true);
    if (err == KL_ERR_CORRUPT_MESSAGE) /* cannot happen: read it, then */
        err = kl_segment_rebuild(seg, true);
    if (err) {
        kl_segment_close(seg);
        return err;
    }
    seg->next_offset = g->end;
    seg->created_ms = kl_wallclock_ms();
    return KL_ERR_NONE;
}

/* One group: KL_ERR_NOENT when its segments changed meanwhile (the
 * cleaned file is dropped), KL_ERR_STATE at a test crash point. */
static kl_err_t install_group(kl_log_t *log, log_clean_group_t *g)
{
    size_t first;
    if (!group_still_there(log, g, &first)) {
        unlink(g->cleaned_path);
        return KL_ERR_NOENT;
    }
    char *swap = swap_path(log, g);
    if (!swap)
        return KL_ERR_NOMEM;
    kl_err_t err = KL_ERR_NONE;
    if (rename(g->cleaned_path, swap) != 0 || !kl_fsync_dir(log->dir))
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    free(g->cleaned_path);
    g->cleaned_path = NULL; /* renamed: recovery owns it now */
    if (!err && crash_here(log, KL_CLEAN_CRASH_AFTER_SWAP))
        err = KL_ERR_STATE;
    if (!err)
        unlink_old(log, first, g->old_count);
    if (!err && crash_here(log, KL_CLEAN_CRASH_AFTER_DELETE))
        err = KL_ERR_STATE;
    char *final = err ? NULL : log->segments[first].log_path;
    if (!err && (rename(swap, final) != 0 || !kl_fsync_dir(log->dir)))
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    free(swap);
    kl_segment_t seg;
    if (!err)
        err = open_cleaned(log, g, &seg);
    if (!err)
        replace_in_list(log, first, g->old_count, &seg);
    return err;
}

kl_err_t kl_log_clean_install(kl_log_t *log, kl_log_clean_stats_t *stats)
{
    pthread_mutex_lock(&log->lock);
    log_clean_result_t *r = log->clean_pending;
    log->clean_pending = NULL;
    bool busy = log->cleaning;
    log->cleaning |= r != NULL; /* no prepare may write beside the swap */
    pthread_mutex_unlock(&log->lock);
    if (busy && r) /* cannot happen: prepare only leaves a result when done */
        return KL_ERR_STATE;
    if (stats)
        *stats = (kl_log_clean_stats_t){0};
    if (!r)
        return KL_ERR_NOENT;
    if (crash_here(log, KL_CLEAN_CRASH_AFTER_CLEANED)) {
        pthread_mutex_lock(&log->lock);
        log->clean_pending = r; /* as a crash leaves it: files untouched */
        log->cleaning = false;
        pthread_mutex_unlock(&log->lock);
        return KL_ERR_STATE;
    }
    kl_err_t err = KL_ERR_NONE;
    bool complete = true;
    for (size_t i = 0; !err && i < r->count; i++) {
        log_clean_group_t *g = &r->groups[i];
        if (!g->cleaned_path)
            continue;
        err = install_group(log, g);
        if (err == KL_ERR_NOENT) {
            complete = false;
            err = KL_ERR_NONE;
        } else if (!err && stats) {
            stats->bytes_read += g->bytes_in;
            stats->bytes_written += g->bytes_out;
            stats->segments_before += g->old_count;
            stats->segments_after++;
            stats->records_removed += g->removed;
        }
    }
    if (!err && complete)
        err = kl_checkpoint_write(log->dir, KL_CHECKPOINT_CLEANER, log->topic, log->partition, r->clean_end);
    pthread_mutex_lock(&log->lock);
    if (!err && complete && r->clean_end > log->clean_point)
        log->clean_point = r->clean_end;
    if (!err)
        log->tombstone_due_ms = r->tombstone_due_ms;
    log->cleaning = false;
    pthread_mutex_unlock(&log->lock);
    log_clean_result_free(r, true);
    return err;
}

/* ------------------------------------------------------------ recovery */

static bool parse_offset20(const char *s, int64_t *v)
{
    int64_t n = 0;
    for (int i = 0; i < 20; i++) {
        if (s[i] < '0' || s[i] > '9' || n > (INT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (s[i] - '0');
    }
    *v = n;
    return true;
}

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* A segment file (.log, .index, .timeindex) whose base is in [base, end). */
static bool segment_file_in(const char *name, int64_t base, int64_t end)
{
    int64_t v;
    const char *rest = name + 20;
    return strlen(name) > 20 && parse_offset20(name, &v) && v >= base && v < end &&
           (!strcmp(rest, ".log") || !strcmp(rest, ".index") || !strcmp(rest, ".timeindex"));
}

/* A committed swap: the old segments it replaces go (those a crash left),
 * then it becomes its base's .log. */
static kl_err_t finish_swap(const char *dir, const char *swap_name, int64_t base, int64_t end)
{
    DIR *d = opendir(dir);
    if (!d)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    char path[4096];
    bool ok = true;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (segment_file_in(e->d_name, base, end)) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            ok &= unlink(path) == 0 || errno == ENOENT;
        }
    closedir(d);
    char from[4096];
    snprintf(from, sizeof from, "%s/%s", dir, swap_name);
    snprintf(path, sizeof path, "%s/%020" PRId64 ".log", dir, base);
    ok = ok && rename(from, path) == 0 && kl_fsync_dir(dir);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

kl_err_t kl_cleaner_recover_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    char path[4096];
    kl_err_t err = KL_ERR_NONE;
    bool changed = false;
    /* Swaps are finished one at a time, rescanning: each deletes files. */
    char swap[64] = "";
    int64_t base = 0, end = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *n = e->d_name;
        if (has_suffix(n, CLEANED_SUFFIX)) {
            snprintf(path, sizeof path, "%s/%s", dir, n);
            if (unlink(path) != 0 && errno != ENOENT)
                err = KL_ERR_KAFKA_STORAGE_ERROR;
            changed = true;
        } else if (!swap[0] && strlen(n) == 41 + strlen(SWAP_SUFFIX) && has_suffix(n, SWAP_SUFFIX) && n[20] == '-' &&
                   parse_offset20(n, &base) && parse_offset20(n + 21, &end) && base < end) {
            snprintf(swap, sizeof swap, "%s", n);
        }
    }
    closedir(d);
    if (!err && swap[0]) {
        err = finish_swap(dir, swap, base, end);
        if (!err)
            return kl_cleaner_recover_dir(dir); /* the next one, if any */
    }
    if (!err && changed && !kl_fsync_dir(dir))
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    return err;
}
