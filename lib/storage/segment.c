/* One log segment: its two files, the sparse offset index kept in memory
 * and on disk, appends, offset lookups by header scans, and the recovery
 * scan that cuts a torn or corrupt tail. See segment.h. */
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
#include "storage/file.h"
#include "util/buf.h"

/* Header bytes a scan reads: up to and including lastOffsetDelta. */
#define SEGMENT_HEADER_PEEK (KL_BATCH_POS_LAST_OFFSET_DELTA + 4)
/* First read size of the recovery scan; grows for bigger batches. */
#define SEGMENT_SCAN_CHUNK (1u << 20)

static char *segment_path(const char *dir, int64_t base_offset, const char *suffix)
{
    char *path;
    if (asprintf(&path, "%s/%020" PRId64 "%s", dir, base_offset, suffix) < 0)
        return NULL;
    return path;
}

kl_err_t kl_segment_open(kl_segment_t *seg, const char *dir, int64_t base_offset, size_t index_interval,
                         bool create)
{
    memset(seg, 0, sizeof *seg);
    seg->log_fd = seg->index_fd = -1;
    seg->base_offset = seg->next_offset = base_offset;
    seg->index_interval = index_interval;
    seg->log_path = segment_path(dir, base_offset, ".log");
    seg->index_path = segment_path(dir, base_offset, ".index");
    if (!seg->log_path || !seg->index_path) {
        kl_segment_close(seg);
        return KL_ERR_NOMEM;
    }
    int flags = O_RDWR | O_CREAT | (create ? O_EXCL : 0);
    struct stat st;
    seg->log_file = kl_file_open(seg->log_path, flags, 0644);
    if (seg->log_file)
        seg->index_file = kl_file_open(seg->index_path, O_RDWR | O_CREAT, 0644);
    seg->log_fd = seg->log_file ? seg->log_file->fd : -1;
    seg->index_fd = seg->index_file ? seg->index_file->fd : -1;
    if (seg->index_fd < 0 || fstat(seg->log_fd, &st) != 0) {
        if (create)
            kl_segment_destroy(seg);
        else
            kl_segment_close(seg);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    seg->size = (uint64_t)st.st_size;
    return KL_ERR_NONE;
}

void kl_segment_close(kl_segment_t *seg)
{
    kl_file_unref(seg->log_file);
    kl_file_unref(seg->index_file);
    free(seg->log_path);
    free(seg->index_path);
    free(seg->index);
    memset(seg, 0, sizeof *seg);
    seg->log_fd = seg->index_fd = -1;
}

void kl_segment_destroy(kl_segment_t *seg)
{
    if (seg->log_path)
        unlink(seg->log_path);
    if (seg->index_path)
        unlink(seg->index_path);
    kl_segment_close(seg);
}

/* ----------------------------------------------------------------- index */

static bool index_push(kl_segment_t *seg, int64_t offset, uint64_t position)
{
    if (seg->index_len == seg->index_cap) {
        size_t cap = seg->index_cap ? seg->index_cap * 2 : 64;
        kl_index_entry_t *grown = realloc(seg->index, cap * sizeof *grown);
        if (!grown)
            return false;
        seg->index = grown;
        seg->index_cap = cap;
    }
    seg->index[seg->index_len++] = (kl_index_entry_t){offset, (uint32_t)position};
    return true;
}

static void index_encode(const kl_segment_t *seg, const kl_index_entry_t *e, uint8_t out[8])
{
    kl_store_be32(out, (uint32_t)(e->offset - seg->base_offset));
    kl_store_be32(out + 4, e->position);
}

/* Kafka's rule: a batch gets an entry when more than index_interval bytes
 * were appended since the previous entry. Returns true when it got one. */
static bool index_note(kl_segment_t *seg, int64_t last_offset, uint64_t position, uint64_t size, bool *nomem)
{
    bool added = false;
    if (seg->bytes_since_index > seg->index_interval) {
        if (!index_push(seg, last_offset, position))
            *nomem = true;
        added = true;
        seg->bytes_since_index = 0;
    }
    seg->bytes_since_index += size;
    return added;
}

/* Replaces the .index file with the in-memory index. */
static kl_err_t index_write_file(kl_segment_t *seg)
{
    size_t len = seg->index_len * KL_SEGMENT_INDEX_ENTRY_SIZE;
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < seg->index_len; i++)
        index_encode(seg, &seg->index[i], bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE);
    bool ok = ftruncate(seg->index_fd, 0) == 0 && kl_pwrite_all(seg->index_fd, bytes, len, 0);
    free(bytes);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

/* True when the .index file holds exactly the in-memory index. */
static bool index_file_matches(const kl_segment_t *seg)
{
    struct stat st;
    size_t len = seg->index_len * KL_SEGMENT_INDEX_ENTRY_SIZE;
    if (fstat(seg->index_fd, &st) != 0 || (uint64_t)st.st_size != len)
        return false;
    uint8_t *bytes = malloc(len ? len : 1);
    bool same = bytes && kl_pread_full(seg->index_fd, bytes, len, 0) == (ssize_t)len;
    for (size_t i = 0; same && i < seg->index_len; i++) {
        uint8_t want[8];
        index_encode(seg, &seg->index[i], want);
        same = memcmp(want, bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE, 8) == 0;
    }
    free(bytes);
    return same;
}

/* ------------------------------------------------------------- recovery */

/* Takes the scanned batch at position into the index if it follows the
 * previous ones; false when it cannot belong here. */
static bool scan_accept(kl_segment_t *seg, const kl_batch_t *b, uint64_t position, bool *nomem)
{
    int64_t last = kl_batch_last_offset(b);
    if (b->base_offset < seg->next_offset || b->last_offset_delta < 0 ||
        last - seg->base_offset > INT32_MAX || position + b->size > INT32_MAX)
        return false;
    index_note(seg, last, position, b->size, nomem);
    seg->next_offset = last + 1;
    return true;
}

/* Scans the .log from its start with CRC checks, rebuilding the in-memory
 * index; *valid_end gets where the last whole valid batch ends. */
static kl_err_t segment_scan(kl_segment_t *seg, uint64_t file_size, uint64_t *valid_end)
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

kl_err_t kl_segment_recover(kl_segment_t *seg, uint64_t *truncated)
{
    struct stat st;
    if (fstat(seg->log_fd, &st) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    seg->index_len = 0;
    seg->bytes_since_index = 0;
    seg->next_offset = seg->base_offset;
    uint64_t end;
    kl_err_t err = segment_scan(seg, (uint64_t)st.st_size, &end);
    if (err)
        return err;
    if (end < (uint64_t)st.st_size && ftruncate(seg->log_fd, (off_t)end) != 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    seg->size = end;
    seg->dirty_tail = false;
    if (truncated)
        *truncated = (uint64_t)st.st_size - end;
    return index_file_matches(seg) ? KL_ERR_NONE : index_write_file(seg);
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
        h[KL_BATCH_POS_MAGIC] != KL_BATCH_MAGIC ||
        (uint64_t)length + KL_BATCH_LOG_OVERHEAD > seg->size - position)
        return KL_ERR_CORRUPT_MESSAGE;
    out->base_offset = (int64_t)kl_load_be64(h + KL_BATCH_POS_BASE_OFFSET);
    out->last_offset = out->base_offset + delta;
    out->position = position;
    out->size = (uint64_t)length + KL_BATCH_LOG_OVERHEAD;
    return KL_ERR_NONE;
}

/* Replays the index rule over the batches after the last entry (at most
 * about one interval of them): false when one of them should have had an
 * entry or the headers do not end exactly at the end of the .log. */
static bool index_tail_matches(kl_segment_t *seg)
{
    const kl_index_entry_t *last = seg->index_len ? &seg->index[seg->index_len - 1] : NULL;
    uint64_t pos = last ? last->position : 0;
    kl_segment_batch_t b;
    kl_err_t err;
    bool nomem = false;
    seg->bytes_since_index = 0;
    for (; (err = kl_segment_read_header(seg, pos, &b)) == KL_ERR_NONE; pos += b.size) {
        if (last && pos == last->position && b.last_offset != last->offset)
            return false;
        if (index_note(seg, b.last_offset, pos, b.size, &nomem))
            return false;
        seg->next_offset = b.last_offset + 1;
    }
    return err == KL_ERR_NOENT;
}

/* Reads the .index file into memory; false when it is missing, torn or
 * does not fit the .log (entries out of order or past its end, batches
 * after the last entry that should have one). */
static bool index_read_file(kl_segment_t *seg)
{
    struct stat st;
    if (fstat(seg->index_fd, &st) != 0 || st.st_size % KL_SEGMENT_INDEX_ENTRY_SIZE != 0)
        return false;
    size_t n = (size_t)st.st_size / KL_SEGMENT_INDEX_ENTRY_SIZE;
    uint8_t *bytes = malloc(n ? (size_t)st.st_size : 1);
    bool ok = bytes && kl_pread_full(seg->index_fd, bytes, (size_t)st.st_size, 0) == st.st_size;
    seg->index_len = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const uint8_t *e = bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE;
        int64_t offset = seg->base_offset + (int32_t)kl_load_be32(e);
        uint32_t position = kl_load_be32(e + 4);
        const kl_index_entry_t *prev = i ? &seg->index[i - 1] : NULL;
        ok = offset >= seg->base_offset && position < seg->size &&
             (!prev || (offset > prev->offset && position > prev->position)) && index_push(seg, offset, position);
    }
    free(bytes);
    return ok && index_tail_matches(seg);
}

kl_err_t kl_segment_load_index(kl_segment_t *seg)
{
    if (index_read_file(seg))
        return KL_ERR_NONE;
    seg->index_len = 0;
    seg->bytes_since_index = 0;
    seg->next_offset = seg->base_offset;
    kl_segment_batch_t b;
    kl_err_t err;
    bool nomem = false;
    for (uint64_t pos = 0; (err = kl_segment_read_header(seg, pos, &b)) == KL_ERR_NONE; pos += b.size) {
        index_note(seg, b.last_offset, pos, b.size, &nomem);
        seg->next_offset = b.last_offset + 1;
    }
    if (nomem)
        return KL_ERR_NOMEM;
    if (err != KL_ERR_NOENT)
        return err;
    return index_write_file(seg);
}

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

/* ---------------------------------------------------------------- append */

kl_err_t kl_segment_append(kl_segment_t *seg, const void *batch, size_t len, int64_t last_offset)
{
    uint64_t pos = seg->size;
    if (seg->dirty_tail) {
        if (ftruncate(seg->log_fd, (off_t)pos) != 0)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        seg->dirty_tail = false;
    }
    if (!kl_pwrite_all(seg->log_fd, batch, len, pos))
        goto undo_log;
    size_t since = seg->bytes_since_index;
    bool nomem = false;
    if (index_note(seg, last_offset, pos, len, &nomem)) {
        uint8_t entry[KL_SEGMENT_INDEX_ENTRY_SIZE];
        if (!nomem)
            index_encode(seg, &seg->index[seg->index_len - 1], entry);
        if (nomem || !kl_pwrite_all(seg->index_fd, entry, sizeof entry, (seg->index_len - 1) * sizeof entry)) {
            seg->index_len -= !nomem;
            seg->bytes_since_index = since;
            if (ftruncate(seg->index_fd, (off_t)(seg->index_len * sizeof entry)) != 0)
                seg->dirty_tail = true; /* recovery rebuilds a bad index */
            goto undo_log;
        }
    }
    seg->size += len;
    seg->next_offset = last_offset + 1;
    return KL_ERR_NONE;
undo_log:
    if (ftruncate(seg->log_fd, (off_t)pos) != 0)
        seg->dirty_tail = true;
    return KL_ERR_KAFKA_STORAGE_ERROR;
}
