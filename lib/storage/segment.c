/* One log segment: its three files, appends under Kafka's index rules, the
 * recovery scan that cuts a torn or corrupt tail, the checks that let an
 * open trust the index files, and lookups by offset and by time. See
 * segment.h; the indexes themselves are in index.c and timeindex.c. */
#include "storage/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/batch.h"
#include "record/batch_layout.h"
#include "storage/segment_index.h"
#include "storage/txn_index.h"
#include "util/buf.h"

/* Header bytes a scan reads: up to and including maxTimestamp. */
#define SEGMENT_HEADER_PEEK (KL_BATCH_POS_MAX_TIMESTAMP + 8)
/* First read size of the recovery scan; grows for bigger batches. */
#define SEGMENT_SCAN_CHUNK (1u << 20)

static char *segment_path(const char *dir, int64_t base_offset, const char *suffix)
{
    char *path;
    if (asprintf(&path, "%s/%020" PRId64 "%s", dir, base_offset, suffix) < 0)
        return NULL;
    return path;
}

/* Forgets everything learnt from the files: back to an empty segment. */
static void segment_reset(kl_segment_t *seg)
{
    seg->index_len = seg->time_len = seg->index_written = seg->time_written = 0;
    seg->bytes_since_index = 0;
    seg->next_offset = seg->base_offset;
    seg->max_timestamp = seg->max_timestamp_offset = seg->first_timestamp = -1;
}

/* Opens an index file, creating it (and saying so) if it is missing; a
 * new segment empties any stale one. */
static kl_file_t *index_file_open(kl_segment_t *seg, const char *path, bool create)
{
    if (create)
        return kl_file_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    kl_file_t *file = kl_file_open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (file) {
        seg->new_indexes = true;
        return file;
    }
    return errno == EEXIST ? kl_file_open(path, O_RDWR, 0644) : NULL;
}

kl_err_t kl_segment_open(kl_segment_t *seg, const char *dir, int64_t base_offset, size_t index_interval,
                         bool create)
{
    memset(seg, 0, sizeof *seg);
    seg->log_fd = seg->index_fd = seg->timeindex_fd = -1;
    seg->base_offset = base_offset;
    seg->index_interval = index_interval;
    segment_reset(seg);
    seg->log_path = segment_path(dir, base_offset, ".log");
    seg->index_path = segment_path(dir, base_offset, ".index");
    seg->timeindex_path = segment_path(dir, base_offset, ".timeindex");
    if (!seg->log_path || !seg->index_path || !seg->timeindex_path) {
        kl_segment_close(seg);
        return KL_ERR_NOMEM;
    }
    struct stat st;
    seg->log_file = kl_file_open(seg->log_path, O_RDWR | O_CREAT | (create ? O_EXCL : 0), 0644);
    if (seg->log_file)
        seg->index_file = index_file_open(seg, seg->index_path, create);
    if (seg->index_file)
        seg->timeindex_file = index_file_open(seg, seg->timeindex_path, create);
    seg->log_fd = seg->log_file ? seg->log_file->fd : -1;
    seg->index_fd = seg->index_file ? seg->index_file->fd : -1;
    seg->timeindex_fd = seg->timeindex_file ? seg->timeindex_file->fd : -1;
    if (seg->timeindex_fd < 0 || fstat(seg->log_fd, &st) != 0) {
        int saved = errno; /* the caller reports it (EMFILE is no disk failure) */
        if (create)
            kl_segment_destroy(seg);
        else
            kl_segment_close(seg);
        errno = saved;
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    seg->size = (uint64_t)st.st_size;
    return KL_ERR_NONE;
}

/* The fd of an index file, opened again if it was closed. */
static int reopen_index(kl_file_t **file, int *fd, const char *path)
{
    if (!*file) {
        *file = kl_file_open(path, O_RDWR | O_CREAT, 0644);
        *fd = *file ? (*file)->fd : -1;
    }
    return *fd;
}

int kl_segment_index_fd(kl_segment_t *seg)
{
    return reopen_index(&seg->index_file, &seg->index_fd, seg->index_path);
}

int kl_segment_timeindex_fd(kl_segment_t *seg)
{
    return reopen_index(&seg->timeindex_file, &seg->timeindex_fd, seg->timeindex_path);
}

void kl_segment_close_indexes(kl_segment_t *seg)
{
    kl_file_unref(seg->index_file);
    kl_file_unref(seg->timeindex_file);
    seg->index_file = seg->timeindex_file = NULL;
    seg->index_fd = seg->timeindex_fd = -1;
}

void kl_segment_close(kl_segment_t *seg)
{
    kl_file_unref(seg->log_file);
    kl_file_unref(seg->index_file);
    kl_file_unref(seg->timeindex_file);
    free(seg->log_path);
    free(seg->index_path);
    free(seg->timeindex_path);
    free(seg->index);
    free(seg->time_index);
    memset(seg, 0, sizeof *seg);
    seg->log_fd = seg->index_fd = seg->timeindex_fd = -1;
}

void kl_segment_destroy(kl_segment_t *seg)
{
    const char *paths[] = {seg->log_path, seg->index_path, seg->timeindex_path};
    for (size_t i = 0; i < 3; i++)
        if (paths[i])
            unlink(paths[i]);
    /* the aborted-transaction index (txn_index.h) goes with its segment */
    size_t len = seg->log_path ? strlen(seg->log_path) : 0;
    if (len > 4) {
        char txn[4096];
        snprintf(txn, sizeof txn, "%.*s%s", (int)(len - 4), seg->log_path, KL_TXN_INDEX_SUFFIX);
        unlink(txn);
    }
    kl_segment_close(seg);
}

/* ----------------------------------------------------------- index rules */

/* What a segment tracks for one more batch, index entries aside. */
static void segment_track(kl_segment_t *seg, const kl_segment_batch_t *b)
{
    if (b->max_timestamp > seg->max_timestamp) {
        seg->max_timestamp = b->max_timestamp;
        seg->max_timestamp_offset = b->last_offset;
    }
    if (b->position == 0)
        seg->first_timestamp = b->max_timestamp;
    seg->bytes_since_index += b->size;
    seg->next_offset = b->last_offset + 1;
}

/* Kafka's rule: the next batch gets an index entry when more than
 * index_interval bytes went in since the last entry. */
static bool segment_index_due(const kl_segment_t *seg) { return seg->bytes_since_index > seg->index_interval; }

/* Takes one more batch under Kafka's rules: the max timestamp first, then,
 * if an entry is due, an offset entry for this batch and a time entry if
 * the max timestamp grew past the last one. */
static void segment_note(kl_segment_t *seg, const kl_segment_batch_t *b, bool *nomem)
{
    bool due = segment_index_due(seg);
    if (due)
        seg->bytes_since_index = 0;
    segment_track(seg, b);
    if (due && !kl_offset_index_push(seg, b->last_offset, b->position))
        *nomem = true;
    if (due && kl_time_index_wants(seg, seg->max_timestamp) &&
        !kl_time_index_push(seg, seg->max_timestamp, seg->max_timestamp_offset))
        *nomem = true;
}

/* Brings both index files in line with the in-memory indexes, sealed
 * first if asked. */
static kl_err_t segment_sync_indexes(kl_segment_t *seg, bool sealed)
{
    if (sealed && kl_time_index_wants(seg, seg->max_timestamp) &&
        !kl_time_index_push(seg, seg->max_timestamp, seg->max_timestamp_offset))
        return KL_ERR_NOMEM;
    kl_err_t err = kl_offset_index_sync(seg);
    return err ? err : kl_time_index_sync(seg);
}

kl_err_t kl_segment_seal(kl_segment_t *seg)
{
    bool sealing = kl_time_index_wants(seg, seg->max_timestamp);
    if (sealing && !kl_time_index_push(seg, seg->max_timestamp, seg->max_timestamp_offset))
        return KL_ERR_NOMEM;
    if (kl_offset_index_write_pending(seg) && kl_time_index_write_pending(seg))
        return KL_ERR_NONE;
    seg->time_len -= sealing;
    return KL_ERR_KAFKA_STORAGE_ERROR;
}

/* ------------------------------------------------------------- recovery */

/* Takes the scanned batch at position if it follows the previous ones;
 * false when it cannot belong here. Appends leave offsets contiguous, and
 * baseOffset is outside the CRC: a batch that does not start where the
 * previous one ended is damage, except in a closed segment, where the
 * cleaner leaves gaps: there offsets must only go up and stay below the
 * next segment (gap_limit). */
static bool scan_accept(kl_segment_t *seg, const kl_batch_t *b, uint64_t position, bool *nomem)
{
    int64_t last = kl_batch_last_offset(b);
    bool fits = seg->gap_limit > 0 ? b->base_offset >= seg->next_offset && last < seg->gap_limit
                                   : b->base_offset == seg->next_offset;
    if (!fits || b->last_offset_delta < 0 || last - seg->base_offset > INT32_MAX ||
        position + b->size > INT32_MAX)
        return false;
    kl_segment_batch_t sb = {b->base_offset, last, b->max_timestamp, position, b->size};
    segment_note(seg, &sb, nomem);
    return true;
}

/* Scans the .log from its start with CRC checks, rebuilding the in-memory
 * indexes; *valid_end gets where the last whole valid batch ends, *damaged
 * whether a whole batch that does not check out is there (else the file
 * ends there or with a torn batch). */
static kl_err_t segment_scan(kl_segment_t *seg, uint64_t file_size, uint64_t *valid_end, bool *damaged)
{
    size_t cap = SEGMENT_SCAN_CHUNK;
    uint8_t *buf = malloc(cap);
    uint64_t pos = 0;
    kl_err_t err = KL_ERR_NONE;
    bool nomem = !buf, stop = false;
    while (!nomem && !stop && pos < file_size) {
        size_t want = file_size - pos < cap ? (size_t)(file_size - pos) : cap;
        ssize_t got = kl_pread_full(seg->log_fd, buf, want, pos);
        if (got < 0) {
            err = KL_ERR_KAFKA_STORAGE_ERROR;
            break;
        }
        if ((size_t)got < want) /* shrank under us: trust what is there */
            file_size = pos + (uint64_t)got;
        kl_batch_iter_t it;
        kl_batch_t b;
        kl_batch_iter_init(&it, buf, (size_t)got, 0);
        size_t accepted = 0;
        kl_err_t e;
        while ((e = kl_batch_iter_next(&it, &b)) == KL_ERR_NONE && scan_accept(seg, &b, pos + accepted, &nomem))
            accepted += b.size;
        if (e != KL_ERR_NOENT || pos + accepted + it.incomplete > file_size) {
            stop = true; /* corrupt, out of order, or torn */
            *damaged = e != KL_ERR_NOENT;
        } else if (it.incomplete > 0 && accepted == 0) {
            uint8_t *grown = realloc(buf, it.incomplete);
            nomem = !grown;
            buf = grown ? grown : buf;
            cap = it.incomplete;
        }
        pos += accepted;
    }
    free(buf);
    *valid_end = pos;
    return nomem ? KL_ERR_NOMEM : err;
}

/* Whether the damaged batch at position can be stepped over: its
 * batchLength (outside the CRC, so it may be intact when the rest is not)
 * leads to a whole batch that checks out and comes after it by offset
 * (past next_offset, which the damaged batch held; below gap_limit in a
 * closed segment). A random length landing on such a batch is as likely
 * as a CRC collision. */
static bool scan_damaged(const kl_segment_t *seg, uint64_t position, uint64_t file_size,
                         kl_segment_recovery_t *found)
{
    uint8_t h[KL_BATCH_LOG_OVERHEAD];
    if (file_size - position < sizeof h || kl_pread_full(seg->log_fd, h, sizeof h, position) != (ssize_t)sizeof h)
        return false;
    int32_t length = (int32_t)kl_load_be32(h + KL_BATCH_POS_LENGTH);
    uint64_t next = position + KL_BATCH_LOG_OVERHEAD + (uint64_t)(length > 0 ? length : 0);
    if (length < KL_BATCH_MIN_LENGTH || next + KL_BATCH_LOG_OVERHEAD > file_size ||
        kl_pread_full(seg->log_fd, h, sizeof h, next) != (ssize_t)sizeof h)
        return false;
    int32_t next_length = (int32_t)kl_load_be32(h + KL_BATCH_POS_LENGTH);
    if (next_length < KL_BATCH_MIN_LENGTH || next + KL_BATCH_LOG_OVERHEAD + (uint64_t)next_length > file_size)
        return false;
    size_t size = KL_BATCH_LOG_OVERHEAD + (size_t)next_length;
    uint8_t *buf = malloc(size);
    kl_batch_iter_t it;
    kl_batch_t b;
    bool ok = buf && kl_pread_full(seg->log_fd, buf, size, next) == (ssize_t)size;
    if (ok) {
        kl_batch_iter_init(&it, buf, size, 0);
        ok = kl_batch_iter_next(&it, &b) == KL_ERR_NONE && b.base_offset > seg->next_offset &&
             b.last_offset_delta >= 0 && (seg->gap_limit == 0 || kl_batch_last_offset(&b) < seg->gap_limit);
    }
    if (ok)
        *found = (kl_segment_recovery_t){.cut_offset = seg->next_offset, .damaged = true,
                                         .damaged_position = position, .damaged_size = next - position,
                                         .resume_position = next, .resume_offset = b.base_offset};
    free(buf);
    return ok;
}

kl_err_t kl_segment_recover(kl_segment_t *seg, bool sealed, kl_segment_recovery_t *found)
{
    struct stat st;
    if (found)
        *found = (kl_segment_recovery_t){.cut_offset = -1};
    if (fstat(seg->log_fd, &st) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    segment_reset(seg);
    uint64_t end;
    bool damaged = false;
    kl_err_t err = segment_scan(seg, (uint64_t)st.st_size, &end, &damaged);
    if (err)
        return err;
    if (found && damaged && scan_damaged(seg, end, (uint64_t)st.st_size, found)) {
        seg->size = end; /* the caller saves what follows first */
        return KL_ERR_NONE;
    }
    if (end < (uint64_t)st.st_size && ftruncate(seg->log_fd, (off_t)end) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    seg->size = end;
    seg->dirty_tail = false;
    if (found && end < (uint64_t)st.st_size) {
        found->truncated = (uint64_t)st.st_size - end;
        found->cut_offset = seg->next_offset;
    }
    return segment_sync_indexes(seg, sealed);
}

/* ---------------------------------------------------------- header scans */

kl_err_t kl_segment_read_header(const kl_segment_t *seg, uint64_t position, kl_segment_batch_t *out)
{
    uint8_t h[SEGMENT_HEADER_PEEK];
    if (position >= seg->size)
        return KL_ERR_NOENT;
    if (seg->size - position < sizeof h)
        return KL_ERR_CORRUPT_MESSAGE;
    ssize_t got = kl_pread_full(seg->log_fd, h, sizeof h, position);
    if (got < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    int32_t length = (int32_t)kl_load_be32(h + KL_BATCH_POS_LENGTH);
    int32_t delta = (int32_t)kl_load_be32(h + KL_BATCH_POS_LAST_OFFSET_DELTA);
    if ((size_t)got != sizeof h || length < KL_BATCH_MIN_LENGTH || delta < 0 ||
        h[KL_BATCH_POS_MAGIC] != KL_BATCH_MAGIC || (uint64_t)length + KL_BATCH_LOG_OVERHEAD > seg->size - position)
        return KL_ERR_CORRUPT_MESSAGE;
    out->base_offset = (int64_t)kl_load_be64(h + KL_BATCH_POS_BASE_OFFSET);
    out->last_offset = out->base_offset + delta;
    out->max_timestamp = (int64_t)kl_load_be64(h + KL_BATCH_POS_MAX_TIMESTAMP);
    out->position = position;
    out->size = (uint64_t)length + KL_BATCH_LOG_OVERHEAD;
    return KL_ERR_NONE;
}

/* Replays the index rule over the batches after the last offset entry (at
 * most about one interval of them), tracking next_offset and their max
 * timestamp: false when one of them should have had an entry or the
 * headers do not end exactly at the end of the .log. */
static bool segment_tail_matches(kl_segment_t *seg)
{
    const kl_index_entry_t *last = seg->index_len ? &seg->index[seg->index_len - 1] : NULL;
    uint64_t pos = last ? last->position : 0;
    kl_segment_batch_t b;
    kl_err_t err;
    for (; (err = kl_segment_read_header(seg, pos, &b)) == KL_ERR_NONE; pos += b.size) {
        if (last && pos == last->position && b.last_offset != last->offset)
            return false;
        if (segment_index_due(seg))
            return false;
        segment_track(seg, &b);
    }
    return err == KL_ERR_NOENT;
}

/* The max timestamp is the larger of the time index's last entry (the
 * batches up to the last offset entry) and the tail's. */
static bool segment_load_times(kl_segment_t *seg)
{
    int64_t tail_max = seg->max_timestamp, tail_offset = seg->max_timestamp_offset;
    if (!kl_time_index_read(seg))
        return false;
    if (seg->time_len && seg->time_index[seg->time_len - 1].timestamp >= tail_max) {
        seg->max_timestamp = seg->time_index[seg->time_len - 1].timestamp;
        seg->max_timestamp_offset = seg->time_index[seg->time_len - 1].offset;
    } else {
        seg->max_timestamp = tail_max;
        seg->max_timestamp_offset = tail_offset;
    }
    kl_segment_batch_t first;
    if (seg->index_len == 0 || seg->size == 0)
        return true; /* the tail walk started at 0 and saw it */
    if (kl_segment_read_header(seg, 0, &first) != KL_ERR_NONE)
        return false;
    seg->first_timestamp = first.max_timestamp;
    return true;
}

kl_err_t kl_segment_load(kl_segment_t *seg)
{
    segment_reset(seg);
    if ((!seg->new_indexes || seg->size == 0) && kl_offset_index_read(seg) && segment_tail_matches(seg) &&
        segment_load_times(seg))
        return KL_ERR_NONE;
    segment_reset(seg);
    return KL_ERR_NOENT;
}

kl_err_t kl_segment_rebuild(kl_segment_t *seg, bool sealed)
{
    segment_reset(seg);
    kl_segment_batch_t b;
    kl_err_t err;
    bool nomem = false;
    for (uint64_t pos = 0; (err = kl_segment_read_header(seg, pos, &b)) == KL_ERR_NONE; pos += b.size)
        segment_note(seg, &b, &nomem);
    if (nomem)
        return KL_ERR_NOMEM;
    if (err != KL_ERR_NOENT)
        return err;
    return segment_sync_indexes(seg, sealed);
}

kl_err_t kl_segment_index_batches(kl_segment_t *seg, const kl_segment_batch_t *batches, size_t n, bool sealed)
{
    segment_reset(seg);
    bool nomem = false;
    uint64_t pos = 0;
    for (size_t i = 0; i < n; pos += batches[i++].size) {
        if (batches[i].position != pos)
            return KL_ERR_CORRUPT_MESSAGE;
        segment_note(seg, &batches[i], &nomem);
    }
    if (pos != seg->size)
        return KL_ERR_CORRUPT_MESSAGE;
    return nomem ? KL_ERR_NOMEM : segment_sync_indexes(seg, sealed);
}

/* --------------------------------------------------------------- lookups */

kl_err_t kl_segment_find(const kl_segment_t *seg, int64_t offset, kl_segment_batch_t *out)
{
    /* Largest entry at or below offset: its batch, or a later one, is the
     * first that can hold offset. */
    size_t lo = 0, hi = seg->index_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->index[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t pos = lo ? seg->index[lo - 1].position : 0;
    kl_err_t err;
    while ((err = kl_segment_read_header(seg, pos, out)) == KL_ERR_NONE && out->last_offset < offset)
        pos += out->size;
    return err;
}

kl_err_t kl_segment_find_timestamp(const kl_segment_t *seg, int64_t timestamp, int64_t min_offset,
                                   kl_segment_batch_t *out)
{
    /* Batches before the entry's own batch all have smaller timestamps: the
     * entry's offset is the first to reach its timestamp. */
    const kl_time_entry_t *e = kl_time_index_lookup(seg, timestamp);
    int64_t from = e ? e->offset : seg->base_offset;
    kl_err_t err = kl_segment_find(seg, from > min_offset ? from : min_offset, out);
    while (err == KL_ERR_NONE && out->max_timestamp < timestamp)
        err = kl_segment_read_header(seg, out->position + out->size, out);
    return err;
}

/* ------------------------------------------------------------- shrinking */

kl_err_t kl_segment_truncate(kl_segment_t *seg, int64_t offset)
{
    kl_segment_batch_t b;
    kl_err_t err = kl_segment_find(seg, offset, &b);
    if (err == KL_ERR_NOENT)
        return KL_ERR_NONE;
    if (err)
        return err;
    if (ftruncate(seg->log_fd, (off_t)b.position) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    seg->size = b.position;
    seg->dirty_tail = false;
    /* A full header walk: truncation is rare, and this way the indexes
     * come out exactly as appends would have made them. */
    return kl_segment_rebuild(seg, false);
}

int64_t kl_segment_largest_timestamp(const kl_segment_t *seg)
{
    struct stat st;
    if (seg->max_timestamp >= 0)
        return seg->max_timestamp;
    if (fstat(seg->log_fd, &st) != 0)
        return INT64_MAX; /* unknown: never expires */
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- append */

/* What an append changes before it knows it will succeed. */
typedef struct segment_marks {
    size_t bytes_since_index, index_len, time_len;
    int64_t next_offset, max_timestamp, max_timestamp_offset, first_timestamp;
} segment_marks_t;

static segment_marks_t segment_mark(const kl_segment_t *seg)
{
    return (segment_marks_t){seg->bytes_since_index, seg->index_len, seg->time_len, seg->next_offset,
                             seg->max_timestamp, seg->max_timestamp_offset, seg->first_timestamp};
}

static void segment_restore(kl_segment_t *seg, const segment_marks_t *m)
{
    seg->bytes_since_index = m->bytes_since_index;
    seg->index_len = m->index_len;
    seg->time_len = m->time_len;
    seg->next_offset = m->next_offset;
    seg->max_timestamp = m->max_timestamp;
    seg->max_timestamp_offset = m->max_timestamp_offset;
    seg->first_timestamp = m->first_timestamp;
}

kl_err_t kl_segment_append(kl_segment_t *seg, const void *batch, size_t len, int64_t last_offset,
                           int64_t max_timestamp)
{
    if (seg->dirty_tail) {
        if (ftruncate(seg->log_fd, (off_t)seg->size) != 0)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        seg->dirty_tail = false;
    }
    uint64_t pos = seg->size;
    segment_marks_t marks = segment_mark(seg);
    kl_segment_batch_t b = {last_offset, last_offset, max_timestamp, pos, len};
    bool nomem = false;
    segment_note(seg, &b, &nomem);
    if (nomem || !kl_pwrite_all(seg->log_fd, batch, len, pos)) {
        int saved = errno;
        segment_restore(seg, &marks);
        seg->dirty_tail = ftruncate(seg->log_fd, (off_t)pos) != 0;
        errno = saved;
        return nomem ? KL_ERR_NOMEM : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    seg->size += len;
    return KL_ERR_NONE;
}
