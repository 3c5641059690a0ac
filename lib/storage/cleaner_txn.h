/* The log cleaner and transactions (Kafka's rules): a pass over the batch
 * headers of the cleanable segments finds each transaction of the part
 * (its producer id, first batch and marker). A transaction without its
 * marker there (still open, or decided past the cleanable segments) stops
 * the clean before the segment of its first batch, so nothing at or past
 * the last stable offset is cleaned. Aborted transactions' records leave
 * the offset map and the cleaned segments; a marker goes once no batch
 * of its transaction is left and its segment was cleaned more than
 * delete.retention.ms ago, like a tombstone. Internal to lib/storage. */
#ifndef KL_STORAGE_CLEANER_TXN_H
#define KL_STORAGE_CLEANER_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "record/batch.h"
#include "storage/cleaner_map.h"

typedef struct clean_txn {
    int64_t producer_id;
    int64_t first;   /* its first batch; -1 when none is in the part */
    int64_t marker;  /* -1 while none was seen */
    size_t source;   /* the segment of its first batch */
    bool aborted;
    bool has_data;   /* a batch of it is in the part */
} clean_txn_t;

typedef struct clean_txns {
    clean_txn_t *items;
    size_t count, cap;
    kl_offset_map_t *open;     /* producer id -> 1 + index of its latest transaction */
    kl_offset_map_t *markers;  /* marker offset -> 1 + whether a batch of it is in the part */
    clean_txn_t **aborted;     /* by producer id, then first offset (after clean_txns_finish) */
    size_t aborted_count;
} clean_txns_t;

KL_WARN_UNUSED kl_err_t clean_txns_init(clean_txns_t *t);
void clean_txns_free(clean_txns_t *t);

/* Notes a batch of source segment `source`, in log order. control_type: the
 * marker's type for a transactional control batch, else -1. */
KL_WARN_UNUSED kl_err_t clean_txns_batch(clean_txns_t *t, int64_t producer_id, int64_t base_offset,
                                         bool transactional, int16_t control_type, size_t source);

/* Ends the pass: *limit becomes the first source holding a batch of a
 * transaction without its marker, when it is lower. */
KL_WARN_UNUSED kl_err_t clean_txns_finish(clean_txns_t *t, size_t *limit);

/* Whether the data batch b belongs to an aborted transaction. */
bool clean_txns_aborted(const clean_txns_t *t, const kl_batch_t *b);

/* Whether the marker batch b's transaction has no batch left in the part. */
bool clean_txns_marker_alone(const clean_txns_t *t, const kl_batch_t *b);

#endif
