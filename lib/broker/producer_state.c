/* Idempotent producer state of one partition (see producer_state.h): an
 * open-addressing table keyed by producer id, Kafka's sequence rules, and
 * the rebuild from the log's batch headers. */
#include "broker/producer_state.h"

#include <stdlib.h>

/* Kafka's sequence arithmetic: sequences wrap from INT32_MAX to 0. */
static int32_t seq_add(int32_t seq, int32_t n)
{
    return seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n;
}

static bool in_sequence(int32_t last_seq, int32_t next_seq)
{
    return next_seq == seq_add(last_seq, 1);
}

static size_t slot_of(int64_t producer_id, size_t cap)
{
    uint64_t h = (uint64_t)producer_id * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (cap - 1);
}

void producer_state_init(producer_state_t *ps) { *ps = (producer_state_t){0}; }

void producer_state_free(producer_state_t *ps)
{
    free(ps->slots);
    kl_txn_index_free(&ps->aborted);
    *ps = (producer_state_t){0};
}

const producer_entry_t *producer_state_find(const producer_state_t *ps, int64_t producer_id)
{
    if (ps->cap == 0)
        return NULL;
    for (size_t i = slot_of(producer_id, ps->cap);; i = (i + 1) & (ps->cap - 1)) {
        if (ps->slots[i].producer_id == producer_id)
            return &ps->slots[i];
        if (ps->slots[i].producer_id < 0)
            return NULL;
    }
}

static const producer_batch_t *entry_batch(const producer_entry_t *e, size_t k)
{
    return &e->batches[(e->first + k) % PRODUCER_STATE_BATCHES];
}

kl_err_t producer_state_check(const producer_state_t *ps, const kl_batch_t *batch, producer_batch_t *dup,
                              const char **why)
{
    const producer_entry_t *e = producer_state_find(ps, batch->producer_id);
    *why = NULL;
    if (!e)
        return KL_ERR_NONE; /* unknown (new, expired or deleted): any sequence starts it */
    if (batch->producer_epoch < e->epoch) {
        *why = "The producer epoch is older than the last one seen: the producer was fenced";
        return KL_ERR_INVALID_PRODUCER_EPOCH;
    }
    if (batch->producer_epoch > e->epoch) {
        if (batch->base_sequence == 0)
            return KL_ERR_NONE;
        *why = "A new producer epoch must start at sequence 0";
        return KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    }
    int32_t last_seq = seq_add(batch->base_sequence, batch->last_offset_delta);
    for (size_t k = 0; k < e->count; k++) {
        const producer_batch_t *b = entry_batch(e, k);
        if (b->first_seq == batch->base_sequence && b->last_seq == last_seq) {
            *dup = *b;
            return KL_ERR_DUPLICATE_SEQUENCE_NUMBER;
        }
    }
    if (e->count == 0 || in_sequence(entry_batch(e, e->count - 1)->last_seq, batch->base_sequence))
        return KL_ERR_NONE;
    *why = "The batch's sequence does not follow the producer's last one";
    return KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

static kl_err_t grow(producer_state_t *ps)
{
    size_t cap = ps->cap ? ps->cap * 2 : 16;
    producer_entry_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].producer_id = -1;
    for (size_t i = 0; i < ps->cap; i++) {
        if (ps->slots[i].producer_id < 0)
            continue;
        size_t k = slot_of(ps->slots[i].producer_id, cap);
        while (slots[k].producer_id >= 0)
            k = (k + 1) & (cap - 1);
        slots[k] = ps->slots[i];
    }
    free(ps->slots);
    ps->slots = slots;
    ps->cap = cap;
    return KL_ERR_NONE;
}

producer_entry_t *producer_state_entry(producer_state_t *ps, int64_t producer_id)
{
    producer_entry_t *e = (producer_entry_t *)producer_state_find(ps, producer_id);
    if (e)
        return e;
    if ((ps->count + 1) * 4 > ps->cap * 3 && grow(ps) != KL_ERR_NONE)
        return NULL;
    size_t i = slot_of(producer_id, ps->cap);
    while (ps->slots[i].producer_id >= 0)
        i = (i + 1) & (ps->cap - 1);
    e = &ps->slots[i];
    *e = (producer_entry_t){
        .producer_id = producer_id, .epoch = -1, .txn_first_offset = -1, .coordinator_epoch = -1};
    ps->count++;
    return e;
}

kl_err_t producer_state_update(producer_state_t *ps, int64_t producer_id, int16_t epoch, int32_t base_sequence,
                               int64_t base_offset, int64_t last_offset, int64_t max_timestamp)
{
    producer_entry_t *e = producer_state_entry(ps, producer_id);
    if (!e)
        return KL_ERR_NOMEM;
    if (epoch != e->epoch) {
        e->epoch = epoch;
        e->count = e->first = 0;
    }
    producer_batch_t b = {base_sequence, seq_add(base_sequence, (int32_t)(last_offset - base_offset)), base_offset,
                          last_offset, max_timestamp};
    if (e->count == PRODUCER_STATE_BATCHES) {
        e->first = (uint8_t)((e->first + 1) % PRODUCER_STATE_BATCHES);
        e->count--;
    }
    e->batches[(e->first + e->count) % PRODUCER_STATE_BATCHES] = b;
    e->count++;
    e->last_timestamp = max_timestamp;
    return KL_ERR_NONE;
}

/* Removes slot i and shifts back the entries after it that belong before
 * the hole, so lookups keep finding them. */
static void remove_slot(producer_state_t *ps, size_t i)
{
    size_t mask = ps->cap - 1;
    ps->slots[i].producer_id = -1;
    ps->count--;
    for (size_t j = (i + 1) & mask; ps->slots[j].producer_id >= 0; j = (j + 1) & mask) {
        size_t home = slot_of(ps->slots[j].producer_id, ps->cap);
        /* j may move into the hole when its home is not within (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        ps->slots[i] = ps->slots[j];
        ps->slots[j].producer_id = -1;
        i = j;
    }
}

void producer_state_expire(producer_state_t *ps, int64_t now_ms, int64_t expiration_ms, int64_t log_start_offset)
{
    kl_txn_index_trim(&ps->aborted, log_start_offset); /* the aborts nobody can read any more */
    for (size_t i = 0; i < ps->cap;) {
        const producer_entry_t *e = &ps->slots[i];
        bool gone = e->producer_id >= 0 && e->txn_first_offset < 0 &&
                    ((e->count > 0 && entry_batch(e, e->count - 1)->last_offset < log_start_offset) ||
                     now_ms - e->last_timestamp >= expiration_ms);
        if (gone)
            remove_slot(ps, i); /* slot i now holds another entry: look again */
        else
            i++;
    }
}

typedef struct load_ctx {
    producer_state_t *ps;
    partition_txn_replay_t txns;
    kl_err_t err;
} load_ctx_t;

static int load_batch(void *opaque, const kl_log_batch_info_t *b)
{
    load_ctx_t *ctx = opaque;
    if (b->producer_id < 0)
        return 0;
    if (!(b->attributes & KL_BATCH_ATTR_CONTROL))
        ctx->err = producer_state_update(ctx->ps, b->producer_id, b->producer_epoch, b->base_sequence,
                                         b->base_offset, b->last_offset, b->max_timestamp);
    if (!ctx->err && (b->attributes & KL_BATCH_ATTR_TRANSACTIONAL))
        ctx->err = partition_txn_replay(ctx->ps, &ctx->txns, b);
    return ctx->err != KL_ERR_NONE;
}

kl_err_t producer_state_load(producer_state_t *ps, kl_log_t *log, int64_t now_ms, int64_t expiration_ms,
                             size_t *txn_repairs)
{
    load_ctx_t ctx = {ps, {0}, KL_ERR_NONE};
    int64_t first_segment;
    *txn_repairs = 0;
    kl_err_t err = kl_txn_index_load(&ps->aborted, kl_log_dir(log), kl_log_end_offset(log));
    if (!err)
        err = kl_log_scan_from(log, now_ms - expiration_ms, kl_log_recovery_point(log), load_batch, &ctx,
                               &first_segment);
    if (!err)
        err = ctx.err;
    if (!err)
        err = kl_txn_index_rebuild(&ps->aborted, first_segment, ctx.txns.found, ctx.txns.count, txn_repairs);
    free(ctx.txns.found);
    if (!err)
        producer_state_expire(ps, now_ms, expiration_ms, kl_log_start_offset(log));
    return err;
}
