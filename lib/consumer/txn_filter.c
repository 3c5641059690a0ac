/* isolation.level=read_committed on the consumer's side: which fetched
 * batches belong to aborted transactions. The Fetch answer lists the
 * aborted transactions overlapping what it returns, each as a producer id
 * and the first offset of the transaction; a producer's transactional
 * batches are aborted from that offset until the producer's abort marker
 * (a control batch). The list comes in any order: it is sorted here and
 * taken in as the batches go past its first offsets, as Kafka's clients
 * do. The last stable offset bounds what is read at all. */
#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_impl.h"
#include "record/control.h"

static int by_first_offset(const void *a, const void *b)
{
    const kl_fetch_response_aborted_transaction_t *x = a, *y = b;
    return (x->first_offset > y->first_offset) - (x->first_offset < y->first_offset);
}

kl_err_t cons_txn_filter_init(cons_txn_filter_t *f, const cons_txn_view_t *view)
{
    memset(f, 0, sizeof *f);
    f->limit = INT64_MAX;
    if (!view)
        return KL_ERR_NONE;
    if (view->last_stable >= 0)
        f->limit = view->last_stable;
    if (view->naborted == 0)
        return KL_ERR_NONE;
    f->pending = malloc(view->naborted * sizeof *f->pending);
    f->open = malloc(view->naborted * sizeof *f->open);
    if (!f->pending || !f->open) {
        cons_txn_filter_free(f);
        return KL_ERR_NOMEM;
    }
    memcpy(f->pending, view->aborted, view->naborted * sizeof *f->pending);
    f->npending = view->naborted;
    qsort(f->pending, f->npending, sizeof *f->pending, by_first_offset);
    return KL_ERR_NONE;
}

void cons_txn_filter_free(cons_txn_filter_t *f)
{
    free(f->pending);
    free(f->open);
    memset(f, 0, sizeof *f);
    f->limit = INT64_MAX;
}

static size_t find_open(const cons_txn_filter_t *f, int64_t producer_id)
{
    for (size_t i = 0; i < f->nopen; i++)
        if (f->open[i] == producer_id)
            return i;
    return SIZE_MAX;
}

bool cons_txn_filter_aborted(cons_txn_filter_t *f, const kl_batch_t *b)
{
    if (b->producer_id < 0)
        return false;
    /* the aborted transactions begun by the end of this batch are open */
    int64_t last = kl_batch_last_offset(b);
    for (; f->next < f->npending && f->pending[f->next].first_offset <= last; f->next++)
        if (find_open(f, f->pending[f->next].producer_id) == SIZE_MAX)
            f->open[f->nopen++] = f->pending[f->next].producer_id;
    size_t at = find_open(f, b->producer_id);
    if (kl_batch_is_control(b)) {
        int16_t type;
        if (at != SIZE_MAX && kl_batch_codec(b) == KL_CODEC_NONE &&
            kl_control_records_type(b->records, b->records_size, &type) && type == KL_CONTROL_ABORT)
            f->open[at] = f->open[--f->nopen]; /* its abort marker: what follows is another transaction */
        return false;
    }
    return at != SIZE_MAX && kl_batch_is_transactional(b);
}
