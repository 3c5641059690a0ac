/* A segment's sparse time index, Kafka's `.timeindex`: entries of (max
 * timestamp so far, offset of the batch that reached it), added with the
 * offset index entries when the max timestamp grew, for ListOffsets by
 * time and for retention. */
#include <stdlib.h>

#include "storage/segment_index.h"
#include "util/buf.h"

bool kl_time_index_wants(const kl_segment_t *seg, int64_t timestamp)
{
    int64_t last = seg->time_len ? seg->time_index[seg->time_len - 1].timestamp : -1;
    return timestamp > last;
}

bool kl_time_index_push(kl_segment_t *seg, int64_t timestamp, int64_t offset)
{
    if (seg->time_len == seg->time_cap) {
        size_t cap = seg->time_cap ? seg->time_cap * 2 : 64;
        kl_time_entry_t *grown = realloc(seg->time_index, cap * sizeof *grown);
        if (!grown)
            return false;
        seg->time_index = grown;
        seg->time_cap = cap;
    }
    seg->time_index[seg->time_len++] = (kl_time_entry_t){timestamp, offset};
    return true;
}

static void time_entry_encode(const kl_segment_t *seg, const kl_time_entry_t *e, uint8_t *out)
{
    kl_store_be64(out, (uint64_t)e->timestamp);
    kl_store_be32(out + 8, (uint32_t)(e->offset - seg->base_offset));
}

kl_err_t kl_time_index_sync(kl_segment_t *seg)
{
    int fd = kl_segment_timeindex_fd(seg);
    if (fd < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    size_t len = seg->time_len * KL_SEGMENT_TIME_ENTRY_SIZE;
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < seg->time_len; i++)
        time_entry_encode(seg, &seg->time_index[i], bytes + i * KL_SEGMENT_TIME_ENTRY_SIZE);
    kl_err_t err = kl_index_file_sync(fd, bytes, len);
    free(bytes);
    if (!err)
        seg->time_written = seg->time_len;
    return err;
}

bool kl_time_index_write_pending(kl_segment_t *seg)
{
    size_t from = seg->time_written, count = seg->time_len - from;
    if (count == 0)
        return true;
    uint8_t *bytes = malloc(count * KL_SEGMENT_TIME_ENTRY_SIZE);
    if (!bytes)
        return false;
    for (size_t i = 0; i < count; i++)
        time_entry_encode(seg, &seg->time_index[from + i], bytes + i * KL_SEGMENT_TIME_ENTRY_SIZE);
    int fd = kl_segment_timeindex_fd(seg);
    bool ok = fd >= 0 && kl_index_file_append(fd, bytes, KL_SEGMENT_TIME_ENTRY_SIZE, from, count);
    free(bytes);
    if (ok)
        seg->time_written = seg->time_len;
    return ok;
}

bool kl_time_index_read(kl_segment_t *seg)
{
    uint8_t *bytes;
    size_t n;
    bool ok = kl_index_file_slurp(kl_segment_timeindex_fd(seg), KL_SEGMENT_TIME_ENTRY_SIZE, &bytes, &n);
    seg->time_len = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const uint8_t *e = bytes + i * KL_SEGMENT_TIME_ENTRY_SIZE;
        int64_t timestamp = (int64_t)kl_load_be64(e);
        int64_t offset = seg->base_offset + (int32_t)kl_load_be32(e + 8);
        const kl_time_entry_t *prev = i ? &seg->time_index[i - 1] : NULL;
        ok = timestamp >= 0 && offset >= seg->base_offset && offset < seg->next_offset &&
             (!prev || (timestamp > prev->timestamp && offset >= prev->offset)) &&
             kl_time_index_push(seg, timestamp, offset);
    }
    free(bytes);
    seg->time_written = seg->time_len;
    return ok;
}

const kl_time_entry_t *kl_time_index_lookup(const kl_segment_t *seg, int64_t timestamp)
{
    size_t lo = 0, hi = seg->time_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->time_index[mid].timestamp <= timestamp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &seg->time_index[lo - 1] : NULL;
}
