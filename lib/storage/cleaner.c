/* The log cleaner's heavy half: picks the cleanable closed segments,
 * builds the offset map over their dirty part and writes the cleaned
 * `.log.cleaned` files beside them, all off the owner's thread. The swap
 * is in cleaner_swap.c. See cleaner.h. */
#include "storage/cleaner.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/batch.h"
#include "record/batch_layout.h"
#include "record/control.h"
#include "storage/cleaner_map.h"
#include "storage/cleaner_txn.h"
#include "storage/log_internal.h"
#include "util/buf.h"

/* One closed segment as the cleaner saw it when it started. */
typedef struct clean_source {
    int64_t base, end; /* end: the next segment's base offset */
    uint64_t size;
    kl_file_t *file;  /* a reference on its .log */
    int64_t mtime_ms; /* written, or last cleaned */
    bool dirty;       /* at or past the clean point */
} clean_source_t;

/* Everything one kl_log_clean_prepare() works with. */
typedef struct cleaner {
    kl_log_t *log;
    kl_log_config_t config;
    int64_t now_ms;
    clean_source_t *sources;
    size_t count; /* cleanable segments (a reference held on each) */
    size_t usable; /* of which the clean may take: up to the first open transaction */
    size_t first_dirty;
    kl_offset_map_t *map;
    kl_offset_map_t *producers; /* producer id -> base offset of its last batch */
    clean_txns_t txns;
    uint8_t *buf; /* one batch read from a segment */
    size_t buf_cap;
    kl_record_iter_t records;
    kl_batch_writer_t writer;
    const clean_source_t *failed; /* damage met there, as: */
    kl_log_clean_failure_t failure;
    bool *keep; /* per record of the batch at hand */
    size_t keep_cap;
    int64_t tombstone_due_ms;
} cleaner_t;

/* The first closed segment min.compaction.lag.ms keeps back, or the
 * damaged one before it (lock held). */
static size_t first_uncleanable(kl_log_t *log, int64_t now_ms)
{
    size_t i = 0, damaged = log_damaged_segment(log);
    int64_t lag = log->config.min_compaction_lag_ms;
    while (i + 1 < log->count && i < damaged &&
           (lag == 0 || kl_segment_largest_timestamp(&log->segments[i]) <= now_ms - lag))
        i++;
    return i;
}

/* Damage met in source s at byte position: remembered for the log, and
 * KL_ERR_CORRUPT_MESSAGE for the caller. */
static kl_err_t damaged(cleaner_t *c, const clean_source_t *s, uint64_t position, kl_err_t err, const char *why)
{
    c->failed = s;
    c->failure = (kl_log_clean_failure_t){s->base, position, err, why ? why : kl_err_str(err)};
    return KL_ERR_CORRUPT_MESSAGE;
}

/* Takes the cleanable segments, with a reference on each file (lock held). */
static kl_err_t cleaner_snapshot(cleaner_t *c)
{
    kl_log_t *log = c->log;
    size_t n = first_uncleanable(log, c->now_ms);
    c->sources = calloc(n ? n : 1, sizeof *c->sources);
    if (!c->sources)
        return KL_ERR_NOMEM;
    c->first_dirty = n;
    for (size_t i = 0; i < n; i++) {
        const kl_segment_t *seg = &log->segments[i];
        clean_source_t *s = &c->sources[i];
        *s = (clean_source_t){seg->base_offset, log->segments[i + 1].base_offset, seg->size,
                              kl_file_ref(seg->log_file), kl_file_mtime_ms(seg->log_fd),
                              seg->base_offset >= log->clean_point};
        if (s->dirty && c->first_dirty == n)
            c->first_dirty = i;
    }
    c->count = n;
    return KL_ERR_NONE;
}

static void cleaner_free(cleaner_t *c)
{
    for (size_t i = 0; i < c->count; i++)
        kl_file_unref(c->sources[i].file);
    free(c->sources);
    kl_offset_map_free(c->map);
    kl_offset_map_free(c->producers);
    clean_txns_free(&c->txns);
    free(c->buf);
    free(c->keep);
    kl_record_iter_free(&c->records);
    kl_batch_writer_free(&c->writer);
}

/* ------------------------------------------------------------ reading */

/* Reads the batch at *pos of s into c->buf: KL_ERR_NOENT at the end. */
static kl_err_t read_batch(cleaner_t *c, const clean_source_t *s, uint64_t *pos, kl_batch_t *b)
{
    if (*pos >= s->size)
        return KL_ERR_NOENT;
    uint8_t head[KL_BATCH_LOG_OVERHEAD];
    if (s->size - *pos < KL_BATCH_HEADER_SIZE)
        return damaged(c, s, *pos, KL_ERR_CORRUPT_MESSAGE, "a partial batch header at the end");
    if (kl_pread_full(s->file->fd, head, sizeof head, *pos) != (ssize_t)sizeof head)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    uint64_t len = (uint64_t)(int32_t)kl_load_be32(head + 8) + KL_BATCH_LOG_OVERHEAD;
    if (len < KL_BATCH_HEADER_SIZE || len > s->size - *pos)
        return damaged(c, s, *pos, KL_ERR_CORRUPT_MESSAGE, "a batch length that does not fit the segment");
    if (len > c->buf_cap) {
        uint8_t *grown = realloc(c->buf, (size_t)len);
        if (!grown)
            return KL_ERR_NOMEM;
        c->buf = grown;
        c->buf_cap = (size_t)len;
    }
    if (kl_pread_full(s->file->fd, c->buf, (size_t)len, *pos) != (ssize_t)len)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, c->buf, (size_t)len, 0);
    if (kl_batch_iter_next(&it, b) != KL_ERR_NONE)
        return damaged(c, s, *pos, KL_ERR_CORRUPT_MESSAGE, it.why);
    *pos += len;
    return KL_ERR_NONE;
}

/* Puts every keyed record of s into the map. */
static kl_err_t map_segment(cleaner_t *c, const clean_source_t *s)
{
    kl_batch_t b;
    kl_err_t err;
    for (uint64_t pos = 0, at = 0; (err = read_batch(c, s, &pos, &b)) == KL_ERR_NONE; at = pos) {
        if (kl_batch_is_control(&b) || clean_txns_aborted(&c->txns, &b))
            continue;
        if ((err = kl_record_iter_start(&c->records, &b)) != KL_ERR_NONE)
            return damaged(c, s, at, err, c->records.why);
        kl_record_t rec;
        while ((err = kl_record_iter_next(&c->records, &rec)) == KL_ERR_NONE)
            if (rec.key && (err = kl_offset_map_put(c->map, rec.key, rec.key_len, rec.offset)) != KL_ERR_NONE)
                return err;
        if (err != KL_ERR_NOENT)
            return damaged(c, s, at, err, c->records.why);
    }
    return err == KL_ERR_NOENT ? KL_ERR_NONE : err;
}

/* Maps the dirty segments, stopping at a segment boundary once the map
 * passes max_bytes: the number of segments the clean covers. */
static kl_err_t build_map(cleaner_t *c, size_t max_bytes, size_t *covered)
{
    c->map = kl_offset_map_new();
    if (!c->map)
        return KL_ERR_NOMEM;
    size_t i = c->first_dirty;
    for (; i < c->usable; i++) {
        if (max_bytes && i > c->first_dirty && kl_offset_map_bytes(c->map) > max_bytes)
            break;
        kl_err_t err = map_segment(c, &c->sources[i]);
        if (err)
            return err;
    }
    *covered = i < c->usable ? i : c->usable;
    return KL_ERR_NONE;
}

/* The type of the transaction marker whose header h is at pos of s, -1
 * when h is not one. */
static kl_err_t marker_type(const clean_source_t *s, const uint8_t *h, uint64_t pos, int64_t length, int16_t *type)
{
    int16_t attributes = (int16_t)kl_load_be16(h + KL_BATCH_POS_ATTRIBUTES);
    *type = -1;
    if (!(attributes & KL_BATCH_ATTR_CONTROL) || !(attributes & KL_BATCH_ATTR_TRANSACTIONAL))
        return KL_ERR_NONE;
    uint8_t records[64];
    uint64_t avail = (uint64_t)length + KL_BATCH_LOG_OVERHEAD - KL_BATCH_HEADER_SIZE;
    size_t len = avail < sizeof records ? (size_t)avail : sizeof records;
    if (kl_pread_full(s->file->fd, records, len, pos + KL_BATCH_HEADER_SIZE) != (ssize_t)len)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    if (!kl_control_records_type(records, len, type))
        *type = -1; /* not a marker we know: kept as it is */
    return KL_ERR_NONE;
}

/* From the batch headers of every cleanable segment: the last batch of
 * each idempotent producer (an emptied one keeps its header, see below)
 * and the transactions (cleaner_txn.h), which set how many segments the
 * clean may take (c->usable). */
static kl_err_t scan_headers(cleaner_t *c)
{
    c->producers = kl_offset_map_new();
    if (!c->producers)
        return KL_ERR_NOMEM;
    kl_err_t err = clean_txns_init(&c->txns);
    if (err)
        return err;
    for (size_t i = 0; i < c->count; i++) {
        const clean_source_t *s = &c->sources[i];
        uint8_t h[KL_BATCH_HEADER_SIZE];
        for (uint64_t pos = 0; pos < s->size;) {
            if (s->size - pos < sizeof h)
                return damaged(c, s, pos, KL_ERR_CORRUPT_MESSAGE, "a partial batch header at the end");
            if (kl_pread_full(s->file->fd, h, sizeof h, pos) != (ssize_t)sizeof h)
                return KL_ERR_KAFKA_STORAGE_ERROR;
            int64_t length = (int32_t)kl_load_be32(h + KL_BATCH_POS_LENGTH);
            int64_t pid = (int64_t)kl_load_be64(h + KL_BATCH_POS_PRODUCER_ID);
            int64_t base = (int64_t)kl_load_be64(h + KL_BATCH_POS_BASE_OFFSET);
            if (length + KL_BATCH_LOG_OVERHEAD < KL_BATCH_HEADER_SIZE)
                return damaged(c, s, pos, KL_ERR_CORRUPT_MESSAGE, "a batch length that does not fit the segment");
            uint8_t key[8];
            int16_t type;
            kl_store_be64(key, (uint64_t)pid);
            err = pid >= 0 ? kl_offset_map_put(c->producers, key, sizeof key, base) : KL_ERR_NONE;
            if (!err)
                err = marker_type(s, h, pos, length, &type);
            if (!err)
                err = clean_txns_batch(&c->txns, pid, base,
                                       kl_load_be16(h + KL_BATCH_POS_ATTRIBUTES) & KL_BATCH_ATTR_TRANSACTIONAL,
                                       type, i);
            if (err)
                return err;
            pos += (uint64_t)length + KL_BATCH_LOG_OVERHEAD;
        }
    }
    c->usable = c->count;
    return clean_txns_finish(&c->txns, &c->usable);
}

/* Whether b is its idempotent producer's last batch in the cleaned part:
 * emptied, it stays as a header without records (Kafka's rule), so that
 * the producer's sequence and epoch survive for its next batch and for
 * the producer state rebuilt from the log on restart. */
static bool last_of_producer(const cleaner_t *c, const kl_batch_t *b)
{
    uint8_t key[8];
    int64_t last;
    kl_store_be64(key, (uint64_t)b->producer_id);
    return b->producer_id >= 0 && kl_offset_map_get(c->producers, key, sizeof key, &last) &&
           last == b->base_offset;
}

/* ------------------------------------------------------------ deciding */

/* A tombstone or a lone marker of s stays until its segment was cleaned
 * more than delete.retention.ms ago; the cleaner is due again then. */
static bool within_delete_retention(cleaner_t *c, const clean_source_t *s)
{
    int64_t cleaned_at = s->dirty ? c->now_ms : s->mtime_ms;
    if (!s->dirty && c->now_ms - cleaned_at > c->config.delete_retention_ms)
        return false;
    int64_t due = cleaned_at + c->config.delete_retention_ms + 1;
    if (due < c->tombstone_due_ms)
        c->tombstone_due_ms = due;
    return true;
}

/* Kafka's rule for one record of s: keyless records go, a key the map
 * has at a later offset goes, and a tombstone goes once its segment was
 * cleaned more than delete.retention.ms ago. */
static bool keep_record(cleaner_t *c, const clean_source_t *s, const kl_record_t *rec)
{
    int64_t newest;
    if (!rec->key)
        return false;
    if (kl_offset_map_get(c->map, rec->key, rec->key_len, &newest) && newest > rec->offset)
        return false;
    if (rec->value)
        return true;
    return within_delete_retention(c, s);
}

/* Kafka's rule for a transaction marker of s: it goes once no batch of
 * its transaction is left and its segment was cleaned more than
 * delete.retention.ms ago (the producer's last batch stays). */
static bool keep_marker(cleaner_t *c, const clean_source_t *s, const kl_batch_t *b)
{
    if (!clean_txns_marker_alone(&c->txns, b) || last_of_producer(c, b))
        return true;
    return within_delete_retention(c, s);
}

/* Fills c->keep for the batch's records (at byte position of s): how
 * many stay, of how many. */
static kl_err_t decide_batch(cleaner_t *c, const clean_source_t *s, uint64_t position, const kl_batch_t *b,
                             int32_t *kept, int32_t *total)
{
    *kept = *total = 0;
    kl_err_t err = kl_record_iter_start(&c->records, b);
    if (err)
        return damaged(c, s, position, err, c->records.why);
    kl_record_t rec;
    bool aborted = clean_txns_aborted(&c->txns, b); /* all its records go */
    while ((err = kl_record_iter_next(&c->records, &rec)) == KL_ERR_NONE) {
        if ((size_t)*total == c->keep_cap) {
            size_t cap = c->keep_cap ? c->keep_cap * 2 : 256;
            bool *grown = realloc(c->keep, cap * sizeof *grown);
            if (!grown)
                return KL_ERR_NOMEM;
            c->keep = grown;
            c->keep_cap = cap;
        }
        bool keep = !aborted && keep_record(c, s, &rec);
        c->keep[(*total)++] = keep;
        *kept += keep;
    }
    return err == KL_ERR_NOENT ? KL_ERR_NONE : damaged(c, s, position, err, c->records.why);
}

/* ------------------------------------------------------------ writing */

/* The batch with only its kept records, re-encoded with its own producer
 * fields, attributes, base timestamp and codec. */
static kl_err_t rewrite_batch(cleaner_t *c, const kl_batch_t *b, const uint8_t **out, size_t *out_len)
{
    kl_batch_params_t p;
    kl_batch_params_init(&p);
    p.base_offset = b->base_offset;
    p.partition_leader_epoch = b->partition_leader_epoch;
    p.producer_id = b->producer_id;
    p.producer_epoch = b->producer_epoch;
    p.base_sequence = b->base_sequence;
    p.codec = kl_batch_codec(b);
    p.attributes = (int16_t)(b->attributes & (KL_BATCH_ATTR_LOG_APPEND_TIME | KL_BATCH_ATTR_TRANSACTIONAL));
    p.base_timestamp = b->base_timestamp;
    kl_err_t err = kl_batch_writer_open(&c->writer, &p);
    if (!err)
        err = kl_record_iter_start(&c->records, b);
    kl_record_t rec;
    for (size_t i = 0; !err && (err = kl_record_iter_next(&c->records, &rec)) == KL_ERR_NONE; i++)
        if (c->keep[i])
            err = kl_batch_writer_append_record(&c->writer, &rec);
    if (err != KL_ERR_NOENT)
        return err ? err : KL_ERR_CORRUPT_MESSAGE;
    err = kl_batch_writer_close(&c->writer, out, out_len);
    if (!err && kl_batch_writer_count(&c->writer) == 0) {
        /* An emptied batch keeps the offsets and times it covered. */
        uint8_t *h = (uint8_t *)*out;
        kl_store_be32(h + KL_BATCH_POS_LAST_OFFSET_DELTA, (uint32_t)b->last_offset_delta);
        kl_store_be64(h + KL_BATCH_POS_MAX_TIMESTAMP, (uint64_t)b->max_timestamp);
        kl_store_be32(h + KL_BATCH_POS_CRC, kl_batch_compute_crc(h, *out_len));
    }
    return err;
}

/* Notes a batch written to the group's file, for its indexes. */
static bool note_written(log_clean_group_t *g, const uint8_t *batch, size_t len, uint64_t pos)
{
    if (g->batch_count == g->batch_cap) {
        size_t cap = g->batch_cap ? g->batch_cap * 2 : 256;
        kl_segment_batch_t *grown = realloc(g->batches, cap * sizeof *grown);
        if (!grown)
            return false;
        g->batches = grown;
        g->batch_cap = cap;
    }
    int64_t base = (int64_t)kl_load_be64(batch + KL_BATCH_POS_BASE_OFFSET);
    int64_t last = base + (int32_t)kl_load_be32(batch + KL_BATCH_POS_LAST_OFFSET_DELTA);
    int64_t max_ts = (int64_t)kl_load_be64(batch + KL_BATCH_POS_MAX_TIMESTAMP);
    g->batches[g->batch_count++] = (kl_segment_batch_t){base, last, max_ts, pos, len};
    return true;
}

/* Copies what survives of source s into the group's file fd. */
static kl_err_t clean_segment(cleaner_t *c, const clean_source_t *s, int fd, log_clean_group_t *g)
{
    uint64_t *pos = &g->bytes_out;
    int64_t *removed = &g->removed;
    kl_batch_t b;
    kl_err_t err;
    for (uint64_t at = 0; (err = read_batch(c, s, &at, &b)) == KL_ERR_NONE;) {
        const uint8_t *out = b.data;
        size_t out_len = b.size;
        int32_t kept = 0, total = 0;
        if (kl_batch_is_control(&b)) {
            if (!keep_marker(c, s, &b)) {
                *removed += b.record_count;
                continue;
            }
        } else if ((err = decide_batch(c, s, at - b.size, &b, &kept, &total)) != KL_ERR_NONE) {
            return err;
        }
        *removed += total - kept;
        if (total > 0 && kept == 0 && !last_of_producer(c, &b))
            continue;
        if (kept < total && (err = rewrite_batch(c, &b, &out, &out_len)) != KL_ERR_NONE)
            return err;
        if (!kl_pwrite_all(fd, out, out_len, *pos))
            return KL_ERR_KAFKA_STORAGE_ERROR;
        if (!note_written(g, out, out_len, *pos))
            return KL_ERR_NOMEM;
        *pos += out_len;
    }
    return err == KL_ERR_NOENT ? KL_ERR_NONE : err;
}

static bool set_mtime(int fd, int64_t ms)
{
    struct timespec t[2] = {{ms / 1000, (ms % 1000) * 1000000}, {ms / 1000, (ms % 1000) * 1000000}};
    return futimens(fd, t) == 0;
}

/* When the group's cleaned file counts as cleaned: now if it holds
 * anything dirty, else the newest of its segments' clean times. */
static int64_t group_cleaned_at(const cleaner_t *c, size_t first, size_t n)
{
    int64_t at = 0;
    for (size_t i = first; i < first + n; i++) {
        int64_t t = c->sources[i].dirty ? c->now_ms : c->sources[i].mtime_ms;
        at = t > at ? t : at;
    }
    return at;
}

/* Starts the group beginning at source first: its `.log.cleaned`. */
static kl_err_t group_open(cleaner_t *c, size_t first, log_clean_group_t *g, int *fd)
{
    *g = (log_clean_group_t){.base = c->sources[first].base, .end = c->sources[first].base};
    g->old_files = calloc(c->count - first, sizeof *g->old_files);
    if (!g->old_files || asprintf(&g->cleaned_path, "%s/%020" PRId64 ".log.cleaned", c->log->dir, g->base) < 0) {
        g->cleaned_path = NULL;
        return KL_ERR_NOMEM;
    }
    *fd = open(g->cleaned_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return *fd < 0 ? KL_ERR_KAFKA_STORAGE_ERROR : KL_ERR_NONE;
}

/* Ends the group [first, first + n): fsynced with its clean time, or
 * dropped when a lone segment lost nothing (a dirty one is then only
 * marked cleaned). */
static kl_err_t group_close(cleaner_t *c, size_t first, log_clean_group_t *g, int fd)
{
    size_t n = g->old_count;
    kl_err_t err = KL_ERR_NONE;
    if (!set_mtime(fd, group_cleaned_at(c, first, n)) || fsync(fd) != 0)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    close(fd);
    if (!err && n == 1 && g->removed == 0) {
        unlink(g->cleaned_path);
        free(g->cleaned_path);
        g->cleaned_path = NULL;
        if (c->sources[first].dirty && !set_mtime(c->sources[first].file->fd, c->now_ms))
            err = KL_ERR_KAFKA_STORAGE_ERROR;
    }
    return err;
}

/* Adds source i to the open group: false (and the group as it was) when
 * what survives of it would not fit log.segment.bytes with the rest, or
 * the group would span 2^31 offsets or more (index entries are relative
 * int32). A group always takes its first source. */
static kl_err_t group_add(cleaner_t *c, size_t i, log_clean_group_t *g, int fd, bool *added)
{
    const clean_source_t *s = &c->sources[i];
    uint64_t mark = g->bytes_out;
    int64_t removed = g->removed;
    size_t batches = g->batch_count;
    *added = false;
    if (g->old_count > 0 && s->end - g->base > INT32_MAX)
        return KL_ERR_NONE;
    kl_err_t err = clean_segment(c, s, fd, g);
    if (err)
        return err;
    if (g->old_count > 0 && g->bytes_out > c->config.segment_bytes) {
        g->bytes_out = mark;
        g->removed = removed;
        g->batch_count = batches;
        return ftruncate(fd, (off_t)mark) == 0 ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    g->old_files[g->old_count++] = kl_file_ref(s->file);
    g->bytes_in += s->size;
    g->end = s->end;
    *added = true;
    return KL_ERR_NONE;
}

/* Cleans sources [0, covered) into groups of adjacent segments whose
 * cleaned bytes fit one segment: a source that does not fit is cleaned
 * again into the next group. */
static kl_err_t clean_groups(cleaner_t *c, size_t covered, log_clean_result_t *r)
{
    r->groups = calloc(covered ? covered : 1, sizeof *r->groups);
    if (!r->groups)
        return KL_ERR_NOMEM;
    kl_err_t err = KL_ERR_NONE;
    for (size_t i = 0; !err && i < covered;) {
        size_t first = i;
        log_clean_group_t *g = &r->groups[r->count++];
        int fd = -1;
        err = group_open(c, first, g, &fd);
        bool added = true;
        while (!err && added && i < covered && (err = group_add(c, i, g, fd, &added)) == KL_ERR_NONE)
            i += added;
        if (fd >= 0) {
            kl_err_t closed = group_close(c, first, g, fd);
            err = err ? err : closed;
        }
    }
    return err;
}

/* ------------------------------------------------------------ entry points */

kl_err_t kl_log_clean_prepare(kl_log_t *log, int64_t now_ms, size_t map_max_bytes)
{
    cleaner_t c = {.log = log, .now_ms = now_ms, .tombstone_due_ms = INT64_MAX};
    kl_record_iter_init(&c.records, 0);
    kl_batch_writer_init(&c.writer, 0);
    pthread_mutex_lock(&log->lock);
    kl_err_t err = log->cleaning || log->clean_pending ? KL_ERR_STATE : KL_ERR_NONE;
    if (!err) {
        c.config = log->config;
        err = cleaner_snapshot(&c);
        log->cleaning = !err;
    }
    bool tombstones_due = now_ms >= log->tombstone_due_ms;
    pthread_mutex_unlock(&log->lock);
    if (err) {
        cleaner_free(&c);
        return err;
    }
    size_t covered = 0;
    if (c.count == 0)
        err = KL_ERR_NOENT;
    if (!err)
        err = scan_headers(&c);
    if (!err && (c.usable == 0 || (c.first_dirty >= c.usable && !tombstones_due)))
        err = KL_ERR_NOENT;
    if (!err)
        err = build_map(&c, map_max_bytes, &covered);
    log_clean_result_t *r = err ? NULL : calloc(1, sizeof *r);
    if (!err && !r)
        err = KL_ERR_NOMEM;
    if (!err) {
        err = clean_groups(&c, covered, r);
        r->clean_end = covered ? c.sources[covered - 1].end : c.sources[0].base;
        r->tombstone_due_ms = c.tombstone_due_ms;
    }
    if (err) {
        log_clean_result_free(r, true);
        r = NULL;
    }
    pthread_mutex_lock(&log->lock);
    log->cleaning = false;
    log->clean_pending = r;
    if (err == KL_ERR_CORRUPT_MESSAGE && c.failed)
        log_clean_failed(log, &c.failure, c.failed->size, c.failed->mtime_ms);
    pthread_mutex_unlock(&log->lock);
    cleaner_free(&c);
    return err;
}

bool kl_log_clean_prepared(kl_log_t *log)
{
    pthread_mutex_lock(&log->lock);
    bool pending = log->clean_pending != NULL;
    pthread_mutex_unlock(&log->lock);
    return pending;
}

double kl_log_dirty_ratio(kl_log_t *log, int64_t now_ms)
{
    pthread_mutex_lock(&log->lock);
    size_t n = first_uncleanable(log, now_ms);
    uint64_t clean = 0, dirty = 0;
    for (size_t i = 0; i < n; i++) {
        const kl_segment_t *seg = &log->segments[i];
        if (seg->base_offset >= log->clean_point)
            dirty += seg->size;
        else
            clean += seg->size;
    }
    pthread_mutex_unlock(&log->lock);
    return clean + dirty ? (double)dirty / (double)(clean + dirty) : 0;
}

bool kl_log_clean_due(kl_log_t *log, int64_t now_ms)
{
    pthread_mutex_lock(&log->lock);
    bool compact = log->config.compact && !log->cleaning && !log->clean_pending;
    double min_ratio = log->config.min_cleanable_dirty_ratio;
    bool tombstones = now_ms >= log->tombstone_due_ms;
    pthread_mutex_unlock(&log->lock);
    if (!compact)
        return false;
    double ratio = kl_log_dirty_ratio(log, now_ms);
    return tombstones || (ratio > 0 && ratio >= min_ratio);
}

kl_err_t kl_log_clean(kl_log_t *log, int64_t now_ms, kl_log_clean_stats_t *stats)
{
    kl_err_t err = kl_log_clean_prepare(log, now_ms, 0);
    return err ? err : kl_log_clean_install(log, stats);
}
