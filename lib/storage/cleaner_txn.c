/* The log cleaner's view of transactions (see cleaner_txn.h). */
#include "storage/cleaner_txn.h"

#include <stdlib.h>
#include <string.h>

#include "record/control.h"
#include "util/buf.h"

kl_err_t clean_txns_init(clean_txns_t *t)
{
    *t = (clean_txns_t){0};
    t->open = kl_offset_map_new();
    t->markers = kl_offset_map_new();
    if (!t->open || !t->markers) {
        clean_txns_free(t);
        return KL_ERR_NOMEM;
    }
    return KL_ERR_NONE;
}

void clean_txns_free(clean_txns_t *t)
{
    free(t->items);
    free(t->aborted);
    kl_offset_map_free(t->open);
    kl_offset_map_free(t->markers);
    *t = (clean_txns_t){0};
}

static void key_of(uint8_t key[8], int64_t v) { kl_store_be64(key, (uint64_t)v); }

/* The producer's transaction without a marker yet, or NULL. */
static clean_txn_t *open_txn(const clean_txns_t *t, int64_t producer_id)
{
    uint8_t key[8];
    int64_t at;
    key_of(key, producer_id);
    if (!kl_offset_map_get(t->open, key, sizeof key, &at))
        return NULL;
    clean_txn_t *x = &t->items[at - 1];
    return x->marker < 0 ? x : NULL;
}

static kl_err_t new_txn(clean_txns_t *t, int64_t producer_id, int64_t first, size_t source, clean_txn_t **out)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        clean_txn_t *grown = realloc(t->items, cap * sizeof *grown);
        if (!grown)
            return KL_ERR_NOMEM;
        t->items = grown;
        t->cap = cap;
    }
    uint8_t key[8];
    key_of(key, producer_id);
    kl_err_t err = kl_offset_map_put(t->open, key, sizeof key, (int64_t)t->count + 1);
    if (err)
        return err;
    *out = &t->items[t->count++];
    **out = (clean_txn_t){producer_id, first, -1, source, false, first >= 0};
    return KL_ERR_NONE;
}

kl_err_t clean_txns_batch(clean_txns_t *t, int64_t producer_id, int64_t base_offset, bool transactional,
                          int16_t control_type, size_t source)
{
    if (!transactional || producer_id < 0)
        return KL_ERR_NONE;
    clean_txn_t *x = open_txn(t, producer_id);
    kl_err_t err = KL_ERR_NONE;
    if (control_type < 0) { /* data */
        if (!x)
            err = new_txn(t, producer_id, base_offset, source, &x);
        return err;
    }
    if (control_type != KL_CONTROL_ABORT && control_type != KL_CONTROL_COMMIT)
        return KL_ERR_NONE;
    if (!x && (err = new_txn(t, producer_id, -1, source, &x)) != KL_ERR_NONE) /* its data is gone */
        return err;
    x->marker = base_offset;
    x->aborted = control_type == KL_CONTROL_ABORT;
    uint8_t key[8];
    key_of(key, base_offset);
    return kl_offset_map_put(t->markers, key, sizeof key, 1 + x->has_data);
}

static int by_producer_first(const void *a, const void *b)
{
    const clean_txn_t *x = *(clean_txn_t *const *)a, *y = *(clean_txn_t *const *)b;
    if (x->producer_id != y->producer_id)
        return x->producer_id < y->producer_id ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

kl_err_t clean_txns_finish(clean_txns_t *t, size_t *limit)
{
    size_t n = 0;
    for (size_t i = 0; i < t->count; i++) {
        const clean_txn_t *x = &t->items[i];
        if (x->marker < 0 && x->source < *limit)
            *limit = x->source;
        n += x->aborted && x->first >= 0;
    }
    t->aborted = malloc((n ? n : 1) * sizeof *t->aborted);
    if (!t->aborted)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < t->count; i++)
        if (t->items[i].aborted && t->items[i].first >= 0)
            t->aborted[t->aborted_count++] = &t->items[i];
    qsort(t->aborted, t->aborted_count, sizeof *t->aborted, by_producer_first);
    return KL_ERR_NONE;
}

bool clean_txns_aborted(const clean_txns_t *t, const kl_batch_t *b)
{
    if (!kl_batch_is_transactional(b) || kl_batch_is_control(b) || b->producer_id < 0)
        return false;
    /* the producer's last aborted transaction starting at or before b */
    size_t lo = 0, hi = t->aborted_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const clean_txn_t *x = t->aborted[mid];
        bool before = x->producer_id < b->producer_id ||
                      (x->producer_id == b->producer_id && x->first <= b->base_offset);
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const clean_txn_t *x = t->aborted[lo - 1];
    return x->producer_id == b->producer_id && b->base_offset <= x->marker;
}

bool clean_txns_marker_alone(const clean_txns_t *t, const kl_batch_t *b)
{
    uint8_t key[8];
    int64_t v;
    key_of(key, b->base_offset);
    return kl_offset_map_get(t->markers, key, sizeof key, &v) && v == 1;
}
