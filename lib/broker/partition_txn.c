/* Transactions, partition side (see producer_state.h): which producers
 * have a transaction ongoing here and from which offset, the last stable
 * offset read_committed consumers stop at, the markers the coordinator
 * writes to end a transaction, and the aborted-transaction index those
 * consumers filter with. Loop thread only. */
#include <stdlib.h>

#include "broker/producer_state.h"
#include "record/control.h"
#include "storage/cleaner.h"

kl_err_t partition_txn_check(const producer_state_t *ps, const kl_batch_t *batch, const char **why)
{
    const producer_entry_t *e = producer_state_find(ps, batch->producer_id);
    if (e && e->txn_first_offset >= 0 && !kl_batch_is_transactional(batch) &&
        batch->producer_epoch == e->epoch) {
        *why = "A non-transactional batch from a producer whose transaction is ongoing";
        return KL_ERR_INVALID_TXN_STATE;
    }
    return KL_ERR_NONE;
}

static void txn_begin(producer_state_t *ps, producer_entry_t *e, int64_t first_offset)
{
    if (e->txn_first_offset >= 0)
        return;
    e->txn_first_offset = first_offset;
    ps->ongoing++;
}

void partition_txn_appended(producer_state_t *ps, int64_t producer_id, int64_t base_offset)
{
    /* the entry exists: producer_state_update() made it for this batch */
    producer_entry_t *e = (producer_entry_t *)producer_state_find(ps, producer_id);
    if (e)
        txn_begin(ps, e, base_offset);
}

/* The first offset of the oldest ongoing transaction but skip's, or
 * INT64_MAX. */
static int64_t first_unstable(const producer_state_t *ps, const producer_entry_t *skip)
{
    int64_t first = INT64_MAX;
    for (size_t i = 0; ps->ongoing > 0 && i < ps->cap; i++) {
        const producer_entry_t *e = &ps->slots[i];
        if (e != skip && e->producer_id >= 0 && e->txn_first_offset >= 0 && e->txn_first_offset < first)
            first = e->txn_first_offset;
    }
    return first;
}

int64_t partition_txn_lso(const producer_state_t *ps, int64_t high_watermark)
{
    int64_t first = first_unstable(ps, NULL);
    return first < high_watermark ? first : high_watermark;
}

/* Ends e's transaction with the marker at marker_offset; *aborted gets
 * the index entry when it was aborted (false: nothing to index). */
static bool txn_end(producer_state_t *ps, producer_entry_t *e, bool commit, int64_t marker_offset,
                    kl_aborted_txn_t *aborted)
{
    if (e->txn_first_offset < 0)
        return false;
    int64_t lso = first_unstable(ps, e);
    *aborted = (kl_aborted_txn_t){e->producer_id, e->txn_first_offset, marker_offset,
                                  lso < marker_offset + 1 ? lso : marker_offset + 1, -1};
    e->txn_first_offset = -1;
    ps->ongoing--;
    return !commit;
}

/* A marker carries the epoch the coordinator ended the transaction with,
 * which may be a bumped one: the producer's sequences restart under it. */
static void take_epoch(producer_entry_t *e, int16_t epoch)
{
    if (epoch > e->epoch) {
        e->epoch = epoch;
        e->count = e->first = 0;
    }
}

kl_err_t partition_txn_write_marker(producer_state_t *ps, kl_log_t *log, int64_t producer_id, int16_t epoch,
                                    bool commit, int32_t coordinator_epoch, int64_t now_ms, int64_t *offset)
{
    const producer_entry_t *known = producer_state_find(ps, producer_id);
    if (known && epoch < known->epoch)
        return KL_ERR_INVALID_PRODUCER_EPOCH;
    if (known && coordinator_epoch < known->coordinator_epoch)
        return KL_ERR_TRANSACTION_COORDINATOR_FENCED; /* a zombie coordinator: a newer one marked this producer */
    producer_entry_t *e = producer_state_entry(ps, producer_id);
    if (!e)
        return KL_ERR_NOMEM;
    uint8_t *batch;
    size_t len;
    kl_err_t err = kl_control_batch_encode(producer_id, epoch, commit ? KL_CONTROL_COMMIT : KL_CONTROL_ABORT,
                                           coordinator_epoch, now_ms, &batch, &len);
    kl_log_append_info_t info;
    if (!err)
        err = kl_log_append_at(log, batch, len, now_ms, &info);
    free(batch);
    if (err)
        return err;
    *offset = info.base_offset;
    take_epoch(e, epoch);
    e->coordinator_epoch = coordinator_epoch;
    e->last_timestamp = now_ms;
    kl_aborted_txn_t aborted;
    if (txn_end(ps, e, commit, info.base_offset, &aborted)) {
        aborted.segment_base = kl_log_active_segment_base(log);
        err = kl_txn_index_append(&ps->aborted, &aborted);
    }
    return err;
}

kl_err_t partition_txn_replay(producer_state_t *ps, partition_txn_replay_t *r, const kl_log_batch_info_t *b)
{
    producer_entry_t *e = producer_state_entry(ps, b->producer_id);
    if (!e)
        return KL_ERR_NOMEM;
    if (!(b->attributes & KL_BATCH_ATTR_CONTROL)) {
        txn_begin(ps, e, b->base_offset);
        return KL_ERR_NONE;
    }
    /* the marker is the producer's newest activity, as when it was written */
    e->last_timestamp = b->max_timestamp;
    take_epoch(e, b->producer_epoch);
    if (b->coordinator_epoch > e->coordinator_epoch)
        e->coordinator_epoch = b->coordinator_epoch;
    kl_aborted_txn_t aborted;
    /* an unreadable control key is not a commit: Kafka's reader would fail on it */
    bool commit = b->control_type == KL_CONTROL_COMMIT;
    const kl_aborted_txn_t *had = kl_txn_index_find(&ps->aborted, b->last_offset);
    if (!txn_end(ps, e, commit, b->last_offset, &aborted)) {
        /* an abort whose transaction began before the scan: keep the
         * entry the file had */
        if (commit || !had || had->producer_id != b->producer_id)
            return KL_ERR_NONE;
        aborted = *had;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        kl_aborted_txn_t *found = realloc(r->found, cap * sizeof *found);
        if (!found)
            return KL_ERR_NOMEM;
        r->found = found;
        r->cap = cap;
    }
    aborted.segment_base = b->segment_base;
    r->found[r->count++] = aborted;
    return KL_ERR_NONE;
}

static bool marker_still_there(void *opaque, const kl_aborted_txn_t *e, int64_t *segment_base)
{
    kl_log_t *log = opaque;
    kl_log_range_t r;
    if (kl_log_read(log, e->last_offset, 1, &r) != KL_ERR_NONE)
        return true; /* not readable now: left as it is */
    bool there = r.first_offset == e->last_offset;
    kl_log_range_release(&r);
    if (there)
        *segment_base = kl_log_segment_base_of(log, e->last_offset);
    return there;
}

kl_err_t partition_txn_cleaned(producer_state_t *ps, kl_log_t *log, size_t *changed)
{
    return kl_txn_index_refit(&ps->aborted, kl_log_clean_point(log), marker_still_there, log, changed);
}
