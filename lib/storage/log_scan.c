/* Walking the batch headers of a log's newest segments, for state that is
 * rebuilt from the log on open rather than stored beside it (the
 * broker's idempotent producer state). Headers only: no record is decoded
 * and no CRC checked, since kl_log_open() recovered the log. See log.h. */
#include "record/batch_layout.h"
#include "record/control.h"
#include "storage/file.h"
#include "storage/log_internal.h"
#include "util/buf.h"

/* The first segment of the scan: the last one, and the ones before it
 * going back while each holds something at or after since_ms. */
static size_t scan_start(const kl_log_t *log, int64_t since_ms)
{
    size_t first = log->count - 1;
    while (first > 0 && kl_segment_largest_timestamp(&log->segments[first - 1]) >= since_ms)
        first--;
    return first;
}

static void header_info(const uint8_t *h, kl_log_batch_info_t *b)
{
    b->control_type = -1;
    b->coordinator_epoch = -1;
    b->base_offset = (int64_t)kl_load_be64(h + KL_BATCH_POS_BASE_OFFSET);
    b->last_offset = b->base_offset + (int32_t)kl_load_be32(h + KL_BATCH_POS_LAST_OFFSET_DELTA);
    b->attributes = (int16_t)kl_load_be16(h + KL_BATCH_POS_ATTRIBUTES);
    b->max_timestamp = (int64_t)kl_load_be64(h + KL_BATCH_POS_MAX_TIMESTAMP);
    b->producer_id = (int64_t)kl_load_be64(h + KL_BATCH_POS_PRODUCER_ID);
    b->producer_epoch = (int16_t)kl_load_be16(h + KL_BATCH_POS_PRODUCER_EPOCH);
    b->base_sequence = (int32_t)kl_load_be32(h + KL_BATCH_POS_BASE_SEQUENCE);
}

static kl_err_t scan_segment(const kl_log_t *log, const kl_segment_t *seg, kl_log_scan_fn *fn, void *opaque,
                             int *stop)
{
    kl_segment_batch_t where;
    kl_err_t err;
    for (uint64_t pos = 0; !*stop && (err = kl_segment_read_header(seg, pos, &where)) == KL_ERR_NONE;
         pos += where.size) {
        if (where.last_offset < log->start_offset)
            continue;
        uint8_t h[KL_BATCH_HEADER_SIZE];
        if (where.size < sizeof h)
            return KL_ERR_CORRUPT_MESSAGE;
        if (kl_pread_full(seg->log_fd, h, sizeof h, pos) != (ssize_t)sizeof h)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        kl_log_batch_info_t info;
        header_info(h, &info);
        info.segment_base = seg->base_offset;
        if ((info.attributes & KL_BATCH_ATTR_CONTROL) && (info.attributes & KL_BATCH_ATTR_CODEC_MASK) == 0) {
            uint8_t rec[32];
            size_t want = where.size - sizeof h < sizeof rec ? where.size - sizeof h : sizeof rec;
            if (kl_pread_full(seg->log_fd, rec, want, pos + sizeof h) != (ssize_t)want)
                return KL_ERR_KAFKA_STORAGE_ERROR;
            if (!kl_control_records_read(rec, want, &info.control_type, &info.coordinator_epoch))
                info.control_type = -1;
        }
        *stop = fn(opaque, &info);
    }
    return *stop || err == KL_ERR_NOENT ? KL_ERR_NONE : err;
}

kl_err_t kl_log_scan(kl_log_t *log, int64_t since_ms, kl_log_scan_fn *fn, void *opaque)
{
    int64_t first;
    return kl_log_scan_from(log, since_ms, INT64_MAX, fn, opaque, &first);
}

kl_err_t kl_log_scan_from(kl_log_t *log, int64_t since_ms, int64_t from_offset, kl_log_scan_fn *fn, void *opaque,
                          int64_t *first_segment)
{
    int stop = 0;
    size_t start = scan_start(log, since_ms);
    if (from_offset < log->end_offset) {
        size_t at = log_segment_for(log, from_offset < log->start_offset ? log->start_offset : from_offset);
        if (at < start)
            start = at;
    }
    *first_segment = log->segments[start].base_offset;
    for (size_t i = start; i < log->count && !stop; i++) {
        kl_err_t err = scan_segment(log, &log->segments[i], fn, opaque, &stop);
        if (err)
            return err;
    }
    return KL_ERR_NONE;
}
