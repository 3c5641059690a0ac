/* A segment's sparse offset index, Kafka's `.index`: in memory for
 * lookups, mirrored entry by entry into the file on append, checked and
 * rewritten on open. Also the file helpers both indexes share. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/segment_index.h"
#include "util/buf.h"

kl_err_t kl_index_file_sync(int fd, const uint8_t *bytes, size_t len)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size == len) {
        uint8_t *have = malloc(len ? len : 1);
        bool same = have && kl_pread_full(fd, have, len, 0) == (ssize_t)len && memcmp(have, bytes, len) == 0;
        free(have);
        if (same)
            return KL_ERR_NONE;
    }
    bool ok = ftruncate(fd, 0) == 0 && kl_pwrite_all(fd, bytes, len, 0);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

bool kl_index_file_append(int fd, const uint8_t *bytes, size_t entry_size, size_t from, size_t count)
{
    if (kl_pwrite_all(fd, bytes, count * entry_size, from * entry_size))
        return true;
    /* If this fails too, a later open finds the file does not fit the
     * .log and rebuilds it. */
    int ignored = ftruncate(fd, (off_t)(from * entry_size));
    (void)ignored;
    return false;
}

bool kl_index_file_slurp(int fd, size_t entry_size, uint8_t **bytes, size_t *count)
{
    struct stat st;
    *bytes = NULL;
    *count = 0;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size % entry_size != 0)
        return false;
    size_t len = (size_t)st.st_size;
    *bytes = malloc(len ? len : 1);
    if (!*bytes || kl_pread_full(fd, *bytes, len, 0) != (ssize_t)len)
        return false;
    *count = len / entry_size;
    return true;
}

bool kl_offset_index_push(kl_segment_t *seg, int64_t offset, uint64_t position)
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

static void offset_entry_encode(const kl_segment_t *seg, const kl_index_entry_t *e, uint8_t *out)
{
    kl_store_be32(out, (uint32_t)(e->offset - seg->base_offset));
    kl_store_be32(out + 4, e->position);
}

kl_err_t kl_offset_index_sync(kl_segment_t *seg)
{
    int fd = kl_segment_index_fd(seg);
    if (fd < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    size_t len = seg->index_len * KL_SEGMENT_INDEX_ENTRY_SIZE;
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < seg->index_len; i++)
        offset_entry_encode(seg, &seg->index[i], bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE);
    kl_err_t err = kl_index_file_sync(fd, bytes, len);
    free(bytes);
    if (!err)
        seg->index_written = seg->index_len;
    return err;
}

bool kl_offset_index_write_pending(kl_segment_t *seg)
{
    size_t from = seg->index_written, count = seg->index_len - from;
    if (count == 0)
        return true;
    uint8_t *bytes = malloc(count * KL_SEGMENT_INDEX_ENTRY_SIZE);
    if (!bytes)
        return false;
    for (size_t i = 0; i < count; i++)
        offset_entry_encode(seg, &seg->index[from + i], bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE);
    int fd = kl_segment_index_fd(seg);
    bool ok = fd >= 0 && kl_index_file_append(fd, bytes, KL_SEGMENT_INDEX_ENTRY_SIZE, from, count);
    free(bytes);
    if (ok)
        seg->index_written = seg->index_len;
    return ok;
}

bool kl_offset_index_read(kl_segment_t *seg)
{
    uint8_t *bytes;
    size_t n;
    bool ok = kl_index_file_slurp(kl_segment_index_fd(seg), KL_SEGMENT_INDEX_ENTRY_SIZE, &bytes, &n);
    seg->index_len = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const uint8_t *e = bytes + i * KL_SEGMENT_INDEX_ENTRY_SIZE;
        int64_t offset = seg->base_offset + (int32_t)kl_load_be32(e);
        uint32_t position = kl_load_be32(e + 4);
        const kl_index_entry_t *prev = i ? &seg->index[i - 1] : NULL;
        ok = offset >= seg->base_offset && position < seg->size &&
             (!prev || (offset > prev->offset && position > prev->position)) &&
             kl_offset_index_push(seg, offset, position);
    }
    free(bytes);
    seg->index_written = seg->index_len;
    return ok;
}
