/* One partition's fetched records turned into consumer messages: the
 * batches are walked in place (CRC-32C checked with check.crcs),
 * compressed ones decompressed once into a buffer the messages share,
 * control batches and records before the fetch offset skipped, and with
 * read_committed the batches of aborted transactions (txn_filter.c) and
 * records at or past the last stable offset too. A batch
 * that fails its CRC or does not decode is reported (once the messages
 * before it are out) and skipped, as librdkafka does. Messages
 * point into the fetched bytes; nothing is copied per message. */
#include <stdbool.h>
#include <stdlib.h>

#include "consumer/consumer_impl.h"
#include "record/batch_layout.h"
#include "util/buf.h"

/* An upper bound of the messages in the uncompressed batches: a sum of
 * record counts, each within what its batch's size can hold. A compressed
 * batch's count is only believed once its records are inflated (room is
 * made then), so a claimed count cannot make the consumer allocate. */
static size_t count_records(const uint8_t *raw, size_t len, unsigned flags)
{
    kl_batch_iter_t it;
    kl_batch_t b;
    size_t n = 0;
    kl_batch_iter_init(&it, raw, len, flags | KL_BATCH_SKIP_CRC);
    while (kl_batch_iter_next(&it, &b) == KL_ERR_NONE)
        if (b.magic == KL_BATCH_MAGIC && !kl_batch_is_control(&b) && b.record_count > 0 &&
            kl_batch_codec(&b) == KL_CODEC_NONE)
            n += (size_t)b.record_count;
    return n;
}

/* Where the batch the iterator stopped at ends, when its header can be
 * trusted that far: its offsets lie at or after from. -1 otherwise. */
static int64_t skip_past_bad(const kl_batch_iter_t *it, int64_t from)
{
    if ((size_t)(it->end - it->p) < KL_BATCH_HEADER_SIZE)
        return -1;
    int64_t base = (int64_t)kl_load_be64(it->p + KL_BATCH_POS_BASE_OFFSET);
    int32_t delta = (int32_t)kl_load_be32(it->p + KL_BATCH_POS_LAST_OFFSET_DELTA);
    if (base < 0 || delta < 0 || base > INT64_MAX - 1 - delta || base + delta < from || base > from)
        return -1;
    return base + delta + 1;
}

/* Fills messages from one batch's records below limit. false on a record
 * error. */
static bool add_records(kl_msgbuf_t *buf, kl_record_iter_t *rit, const kl_batch_t *b, int32_t partition,
                        int64_t limit, int64_t *next_offset)
{
    kl_record_t rec;
    kl_err_t err;
    kl_timestamp_type_t tstype =
        kl_batch_is_log_append_time(b) ? KL_TIMESTAMP_LOG_APPEND_TIME : KL_TIMESTAMP_CREATE_TIME;
    while ((err = kl_record_iter_next(rit, &rec)) == KL_ERR_NONE) {
        /* A compressed batch may start before the fetch offset, and a
         * damaged answer may repeat offsets (overlapping batches, deltas
         * going back): as the Java client, only offsets past those
         * already handed out are taken. */
        if (rec.offset < *next_offset)
            continue;
        if (rec.offset >= limit)
            return true;
        kl_message_t *m = kl_msgbuf_next(buf);
        if (!m)
            return false;
        m->partition = partition;
        m->offset = rec.offset;
        m->key = rec.key;
        m->key_len = rec.key_len;
        m->value = rec.value;
        m->value_len = rec.value_len;
        m->timestamp = rec.timestamp;
        m->tstype = tstype;
        m->leader_epoch = b->partition_leader_epoch;
        m->hdr_data = rec.headers;
        m->hdr_size = rec.headers_size;
        m->hdr_count = rec.header_count;
        m->status = KL_MSG_STATUS_PERSISTED;
        *next_offset = rec.offset + 1;
    }
    return err == KL_ERR_NOENT;
}

/* Where the next fetch starts once the records up to last were taken or
 * skipped: past last but not past the last stable offset, never back. */
static int64_t move_past(int64_t next, int64_t last, int64_t limit)
{
    int64_t to = last < limit ? last + 1 : limit;
    return to > next ? to : next;
}

kl_msgbuf_t *cons_parse_records(const cons_settings_t *s, const char *topic, int32_t partition, uint8_t *raw,
                                size_t len, int64_t fetch_offset, const cons_txn_view_t *txn,
                                int64_t *next_offset, bool *incomplete, kl_err_t *errp, const char **whyp)
{
    unsigned flags = s->check_crcs ? 0 : KL_BATCH_SKIP_CRC;
    *next_offset = fetch_offset;
    *incomplete = false;
    *errp = KL_ERR_NONE;
    *whyp = NULL;
    cons_txn_filter_t filter;
    kl_msgbuf_t *buf = kl_msgbuf_new(topic, raw, count_records(raw, len, flags));
    if (!buf || cons_txn_filter_init(&filter, txn) != KL_ERR_NONE) {
        if (buf) /* kl_msgbuf_new() freed raw otherwise */
            kl_msgbuf_release(buf, 1);
        *errp = KL_ERR_NOMEM;
        *whyp = "out of memory";
        return NULL;
    }
    kl_batch_iter_t it;
    kl_record_iter_t rit;
    kl_batch_t b;
    kl_err_t err;
    bool unstable = false; /* stopped at the last stable offset */
    kl_batch_iter_init(&it, raw, len, flags);
    kl_record_iter_init(&rit, 0);
    while ((err = kl_batch_iter_next(&it, &b)) == KL_ERR_NONE) {
        if (b.magic != KL_BATCH_MAGIC)
            continue;
        if (b.base_offset >= filter.limit) { /* not stable yet: fetched again later */
            err = KL_ERR_NOENT;
            unstable = true;
            break;
        }
        /* every batch, those before the fetch offset too, moves the
         * transactions' state on (an abort marker closes one) */
        bool aborted = cons_txn_filter_aborted(&filter, &b);
        if (kl_batch_last_offset(&b) < *next_offset)
            continue;
        if (aborted || kl_batch_is_control(&b)) {
            *next_offset = move_past(*next_offset, kl_batch_last_offset(&b), filter.limit);
            continue;
        }
        size_t before = buf->nmsgs;
        int64_t batch_start = *next_offset;
        err = kl_record_iter_start(&rit, &b);
        /* inflated: the count is within what the records can hold */
        if (!err && kl_batch_codec(&b) != KL_CODEC_NONE && !kl_msgbuf_reserve(buf, (size_t)b.record_count))
            err = KL_ERR_NOMEM;
        if (!err) {
            size_t inflated_len;
            uint8_t *inflated = kl_record_iter_take_buffer(&rit, &inflated_len);
            if (inflated && !kl_msgbuf_adopt(buf, inflated))
                err = KL_ERR_NOMEM;
        }
        if (!err && !add_records(buf, &rit, &b, partition, filter.limit, next_offset))
            err = rit.err ? rit.err : KL_ERR_BAD_MSG;
        if (err) {
            /* A batch whose records do not all decode gives none of
             * them: the messages before it go now, and the error is
             * reported by itself at the batch's offset. A corrupt one (a
             * damaged stream, a malformed record) is then skipped as a
             * CRC failure is, its header having framed it; one this
             * consumer cannot read (a codec not built in, past the
             * decompression limit) stops the partition instead, since
             * another reader may read it. */
            buf->nmsgs = before;
            *next_offset = batch_start;
            *errp = err;
            *whyp = rit.why ? rit.why : kl_err_str(err);
            bool corrupt = err == KL_ERR_BAD_MSG || err == KL_ERR_BAD_COMPRESSION;
            if (before == 0 && corrupt && b.base_offset <= batch_start)
                *next_offset = move_past(batch_start, kl_batch_last_offset(&b), filter.limit);
            break;
        }
        /* records the broker compacted away still move the offset on */
        *next_offset = move_past(*next_offset, kl_batch_last_offset(&b), filter.limit);
    }
    if (err != KL_ERR_NOENT && !*errp) {
        *errp = err;
        *whyp = it.why ? it.why : kl_err_str(err);
        int64_t past = skip_past_bad(&it, *next_offset);
        if (past > filter.limit)
            past = filter.limit;
        if (past > *next_offset && buf->nmsgs == 0)
            *next_offset = past;
    }
    if (err == KL_ERR_NOENT && !unstable && it.incomplete && buf->nmsgs == 0)
        *incomplete = true;
    kl_record_iter_free(&rit);
    cons_txn_filter_free(&filter);
    if (buf->nmsgs == 0) {
        kl_msgbuf_release(buf, 1);
        return NULL;
    }
    return buf;
}
