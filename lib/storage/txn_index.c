/* The aborted-transaction index (see txn_index.h): Kafka's .txnindex
 * entries, kept in memory in marker order and in one file per segment. */
#include "storage/txn_index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/file.h"
#include "util/buf.h"

void kl_txn_index_path(const char *dir, int64_t segment_base, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%020" PRId64 KL_TXN_INDEX_SUFFIX, dir, segment_base);
}

static void encode(const kl_aborted_txn_t *e, uint8_t out[KL_TXN_INDEX_ENTRY_SIZE])
{
    kl_store_be16(out, 0);
    kl_store_be64(out + 2, (uint64_t)e->producer_id);
    kl_store_be64(out + 10, (uint64_t)e->first_offset);
    kl_store_be64(out + 18, (uint64_t)e->last_offset);
    kl_store_be64(out + 26, (uint64_t)e->last_stable_offset);
}

static void decode(const uint8_t *in, int64_t segment_base, kl_aborted_txn_t *e)
{
    e->producer_id = (int64_t)kl_load_be64(in + 2);
    e->first_offset = (int64_t)kl_load_be64(in + 10);
    e->last_offset = (int64_t)kl_load_be64(in + 18);
    e->last_stable_offset = (int64_t)kl_load_be64(in + 26);
    e->segment_base = segment_base;
}

static kl_err_t reserve(kl_txn_index_t *idx, size_t more)
{
    if (idx->count + more <= idx->cap)
        return KL_ERR_NONE;
    size_t cap = idx->cap ? idx->cap : 8;
    while (cap < idx->count + more)
        cap *= 2;
    kl_aborted_txn_t *items = realloc(idx->items, cap * sizeof *items);
    if (!items)
        return KL_ERR_NOMEM;
    idx->items = items;
    idx->cap = cap;
    return KL_ERR_NONE;
}

static int by_last_offset(const void *a, const void *b)
{
    const kl_aborted_txn_t *x = a, *y = b;
    return x->last_offset < y->last_offset ? -1 : x->last_offset > y->last_offset;
}

static kl_err_t mark_dirty(kl_txn_index_t *idx, int64_t base)
{
    if (idx->dirty_count > 0 && idx->dirty[idx->dirty_count - 1] == base)
        return KL_ERR_NONE;
    int64_t *dirty = realloc(idx->dirty, (idx->dirty_count + 1) * sizeof *dirty);
    if (!dirty)
        return KL_ERR_NOMEM;
    idx->dirty = dirty;
    idx->dirty[idx->dirty_count++] = base;
    return KL_ERR_NONE;
}

/* Adds the entries of one file; a torn last entry and entries of an
 * unknown version are left out. */
static kl_err_t load_file(kl_txn_index_t *idx, const char *path, int64_t base, int64_t end_offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
    kl_err_t err = KL_ERR_NONE;
    uint8_t entry[KL_TXN_INDEX_ENTRY_SIZE];
    ssize_t got;
    for (uint64_t pos = 0; (got = kl_pread_full(fd, entry, sizeof entry, pos)) == (ssize_t)sizeof entry;
         pos += sizeof entry) {
        kl_aborted_txn_t e;
        decode(entry, base, &e);
        if (kl_load_be16(entry) != 0 || e.last_offset >= end_offset || e.first_offset > e.last_offset) {
            err = mark_dirty(idx, base);
            if (err)
                break;
            continue;
        }
        if ((err = reserve(idx, 1)) != KL_ERR_NONE)
            break;
        idx->items[idx->count++] = e;
    }
    if (got < 0)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    else if (!err && got > 0)
        err = mark_dirty(idx, base); /* a torn last entry */
    close(fd);
    return err;
}

/* The base offset a file name "<20 digits>.txnindex" carries, or -1. */
static int64_t file_base(const char *name)
{
    size_t len = strlen(name), suffix = strlen(KL_TXN_INDEX_SUFFIX);
    if (len != 20 + suffix || strcmp(name + 20, KL_TXN_INDEX_SUFFIX) != 0)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return v;
}

kl_err_t kl_txn_index_load(kl_txn_index_t *idx, const char *dir, int64_t end_offset)
{
    *idx = (kl_txn_index_t){0};
    idx->dir = strdup(dir);
    if (!idx->dir)
        return KL_ERR_NOMEM;
    DIR *d = opendir(dir);
    if (!d)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    kl_err_t err = KL_ERR_NONE;
    struct dirent *de;
    while (!err && (de = readdir(d)) != NULL) {
        int64_t base = file_base(de->d_name);
        if (base < 0)
            continue;
        char path[4096];
        kl_txn_index_path(dir, base, path, sizeof path);
        err = load_file(idx, path, base, end_offset);
    }
    closedir(d);
    if (idx->count > 1)
        qsort(idx->items, idx->count, sizeof *idx->items, by_last_offset);
    return err;
}

void kl_txn_index_free(kl_txn_index_t *idx)
{
    free(idx->dir);
    free(idx->items);
    free(idx->dirty);
    *idx = (kl_txn_index_t){0};
}

kl_err_t kl_txn_index_append(kl_txn_index_t *idx, const kl_aborted_txn_t *e)
{
    if (!idx->dir)
        return KL_ERR_INVALID_ARG;
    if (reserve(idx, 1) != KL_ERR_NONE)
        return KL_ERR_NOMEM;
    char path[4096];
    kl_txn_index_path(idx->dir, e->segment_base, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    struct stat st;
    uint8_t entry[KL_TXN_INDEX_ENTRY_SIZE];
    encode(e, entry);
    /* whole entries only: a torn one from a crash is written over */
    bool ok = fstat(fd, &st) == 0 &&
              kl_pwrite_all(fd, entry, sizeof entry,
                            (uint64_t)st.st_size / KL_TXN_INDEX_ENTRY_SIZE * KL_TXN_INDEX_ENTRY_SIZE) &&
              fdatasync(fd) == 0;
    close(fd);
    if (!ok)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    idx->items[idx->count++] = *e;
    return KL_ERR_NONE;
}

/* The first entry whose last offset is >= offset. */
static size_t lower_bound(const kl_txn_index_t *idx, int64_t offset)
{
    size_t lo = 0, hi = idx->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->items[mid].last_offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t kl_txn_index_collect(const kl_txn_index_t *idx, int64_t fetch_offset, int64_t upper_offset,
                            kl_txn_index_fn *fn, void *opaque)
{
    size_t n = 0;
    for (size_t i = lower_bound(idx, fetch_offset); i < idx->count; i++) {
        if (idx->items[i].first_offset >= upper_offset)
            continue;
        n++;
        if (fn(opaque, &idx->items[i]))
            break;
    }
    return n;
}

const kl_aborted_txn_t *kl_txn_index_find(const kl_txn_index_t *idx, int64_t last_offset)
{
    size_t i = lower_bound(idx, last_offset);
    return i < idx->count && idx->items[i].last_offset == last_offset ? &idx->items[i] : NULL;
}

void kl_txn_index_trim(kl_txn_index_t *idx, int64_t offset)
{
    size_t drop = lower_bound(idx, offset);
    if (drop == 0)
        return;
    memmove(idx->items, idx->items + drop, (idx->count - drop) * sizeof *idx->items);
    idx->count -= drop;
}

/* Rewrites the file of one segment from the entries in memory, durably:
 * a temporary file fsynced and renamed over it, or removed when empty. */
static kl_err_t rewrite_file(const kl_txn_index_t *idx, int64_t base)
{
    char path[4096], tmp[4200];
    kl_txn_index_path(idx->dir, base, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    size_t n = 0;
    for (size_t i = 0; i < idx->count; i++)
        n += idx->items[i].segment_base == base;
    if (n == 0)
        return unlink(path) == 0 || errno == ENOENT ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    bool ok = true;
    uint64_t pos = 0;
    for (size_t i = 0; ok && i < idx->count; i++) {
        if (idx->items[i].segment_base != base)
            continue;
        uint8_t entry[KL_TXN_INDEX_ENTRY_SIZE];
        encode(&idx->items[i], entry);
        ok = kl_pwrite_all(fd, entry, sizeof entry, pos);
        pos += sizeof entry;
    }
    ok = ok && fdatasync(fd) == 0;
    close(fd);
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

static bool same_entry(const kl_aborted_txn_t *a, const kl_aborted_txn_t *b)
{
    return a->producer_id == b->producer_id && a->first_offset == b->first_offset &&
           a->last_offset == b->last_offset && a->last_stable_offset == b->last_stable_offset &&
           a->segment_base == b->segment_base;
}

/* Whether the entries of segment base differ between old and now. */
static bool segment_differs(const kl_aborted_txn_t *old, size_t old_n, const kl_txn_index_t *now, int64_t base)
{
    size_t i = 0, k = 0;
    for (;;) {
        while (i < old_n && old[i].segment_base != base)
            i++;
        while (k < now->count && now->items[k].segment_base != base)
            k++;
        if (i == old_n || k == now->count)
            return (i == old_n) != (k == now->count);
        if (!same_entry(&old[i++], &now->items[k++]))
            return true;
    }
}

kl_err_t kl_txn_index_rebuild(kl_txn_index_t *idx, int64_t from_segment, const kl_aborted_txn_t *found, size_t n,
                              size_t *changed)
{
    *changed = 0;
    size_t keep = 0;
    while (keep < idx->count && idx->items[keep].segment_base < from_segment)
        keep++;
    size_t old_n = idx->count - keep;
    kl_aborted_txn_t *old = malloc((old_n ? old_n : 1) * sizeof *old);
    if (!old || reserve(idx, n > old_n ? n - old_n : 0) != KL_ERR_NONE) {
        free(old);
        return KL_ERR_NOMEM;
    }
    if (old_n > 0)
        memcpy(old, idx->items + keep, old_n * sizeof *old);
    if (n > 0)
        memcpy(idx->items + keep, found, n * sizeof *found);
    idx->count = keep + n;
    kl_err_t err = KL_ERR_NONE;
    /* every segment named on either side, each looked at once */
    for (size_t i = 0; !err && i < old_n + n; i++) {
        int64_t base = i < old_n ? old[i].segment_base : found[i - old_n].segment_base;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = (j < old_n ? old[j].segment_base : found[j - old_n].segment_base) == base;
        if (seen || !segment_differs(old, old_n, idx, base))
            continue;
        err = rewrite_file(idx, base);
        ++*changed;
    }
    for (size_t i = 0; !err && i < idx->dirty_count; i++) {
        err = rewrite_file(idx, idx->dirty[i]);
        ++*changed;
    }
    if (!err)
        idx->dirty_count = 0;
    free(old);
    return err;
}

kl_err_t kl_txn_index_refit(kl_txn_index_t *idx, int64_t clean_end, kl_txn_index_keep_fn *keep, void *opaque,
                            size_t *changed)
{
    *changed = 0;
    size_t n = 0;
    while (n < idx->count && idx->items[n].last_offset < clean_end)
        n++;
    kl_aborted_txn_t *old = malloc((n ? n : 1) * sizeof *old);
    if (!old)
        return KL_ERR_NOMEM;
    if (n) /* items is NULL while the index is empty */
        memcpy(old, idx->items, n * sizeof *old);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        kl_aborted_txn_t e = old[i];
        if (keep(opaque, &e, &e.segment_base))
            idx->items[kept++] = e;
    }
    if (n)
        memmove(idx->items + kept, idx->items + n, (idx->count - n) * sizeof *idx->items);
    idx->count -= n - kept;
    kl_err_t err = KL_ERR_NONE;
    /* every segment named before or after, each looked at once */
    for (size_t i = 0; !err && i < n + kept; i++) {
        int64_t base = i < n ? old[i].segment_base : idx->items[i - n].segment_base;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = (j < n ? old[j].segment_base : idx->items[j - n].segment_base) == base;
        if (seen || !segment_differs(old, n, idx, base))
            continue;
        err = rewrite_file(idx, base);
        ++*changed;
    }
    free(old);
    return err;
}
