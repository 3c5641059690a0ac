/* Idempotent producers, broker side: the producer ids InitProducerId hands
 * out (from a block whose upper end is checkpointed before use, so ids
 * never repeat across restarts), and per partition the state Kafka keeps
 * for each producer id: its epoch and the sequence and offset ranges of
 * its last five batches, which decide whether a produced batch is the next
 * one, a retry of one already written, a gap or from a fenced epoch. The
 * state is rebuilt from the log's newest segments on open. Loop thread
 * only. */
#ifndef KL_BROKER_PRODUCER_STATE_H
#define KL_BROKER_PRODUCER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "record/batch.h"
#include "storage/log.h"
#include "storage/txn_index.h"

/* Batches remembered per producer: the producer's in-flight limit. */
#define PRODUCER_STATE_BATCHES 5

typedef struct producer_batch {
    int32_t first_seq, last_seq;
    int64_t first_offset, last_offset;
    int64_t timestamp; /* the stored batch's max timestamp */
} producer_batch_t;

typedef struct producer_entry {
    int64_t producer_id; /* -1: a free slot */
    int16_t epoch;
    uint8_t count; /* batches remembered, oldest first from `first` */
    uint8_t first;
    producer_batch_t batches[PRODUCER_STATE_BATCHES];
    int64_t last_timestamp; /* of its newest batch: for expiry */
    int64_t txn_first_offset; /* its ongoing transaction's first offset; -1: none */
    int32_t coordinator_epoch; /* of the newest marker written for it; -1: none */
} producer_entry_t;

/* One partition's producers: an open-addressing table by producer id;
 * and its transactions (partition_txn.c): how many are ongoing, and the
 * aborted ones. */
typedef struct producer_state {
    producer_entry_t *slots;
    size_t cap, count;
    size_t ongoing; /* entries with txn_first_offset >= 0 */
    kl_txn_index_t aborted;
} producer_state_t;

void producer_state_init(producer_state_t *ps);
void producer_state_free(producer_state_t *ps);

/* Checks a validated batch of an idempotent producer (producer_id >= 0)
 * against the state, as Kafka does: KL_ERR_NONE when it is to be appended
 * (the producer's next batch, its first under a newer epoch, or one from a
 * producer the partition does not know); KL_ERR_DUPLICATE_SEQUENCE_NUMBER
 * when it repeats one of the remembered batches, whose ranges *dup gets (the
 * answer is that batch's offset, and nothing is written);
 * KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER for a gap; KL_ERR_INVALID_PRODUCER_EPOCH
 * for an epoch older than the last seen. *why gets a static message. */
kl_err_t producer_state_check(const producer_state_t *ps, const kl_batch_t *batch, producer_batch_t *dup,
                              const char **why);

/* Records a batch of producer_id written at base_offset (after the append,
 * or found by the load scan). KL_ERR_NOMEM when the table cannot grow. */
kl_err_t producer_state_update(producer_state_t *ps, int64_t producer_id, int16_t epoch, int32_t base_sequence,
                               int64_t base_offset, int64_t last_offset, int64_t max_timestamp);

/* Forgets producers whose newest batch is below log_start_offset (deleted
 * by retention or DeleteRecords) or whose last timestamp is expiration_ms
 * or more before now_ms (producer.id.expiration.ms), but never one with a
 * transaction ongoing (Kafka keeps those until the coordinator ends it);
 * and the aborted transactions wholly below log_start_offset. */
void producer_state_expire(producer_state_t *ps, int64_t now_ms, int64_t expiration_ms, int64_t log_start_offset);

/* Rebuilds the state of a freshly opened log from the batch headers of its
 * newest segments (those holding anything younger than expiration_ms, and
 * every one from the recovery point on), as Kafka replays segments after
 * its last producer snapshot: sequences, ongoing transactions, and the
 * aborted-transaction index, whose files for the segments scanned are
 * rewritten when they disagree with the markers found (*txn_repairs:
 * how many files were, for the broker's log). */
kl_err_t producer_state_load(producer_state_t *ps, kl_log_t *log, int64_t now_ms, int64_t expiration_ms,
                             size_t *txn_repairs);

/* The entry of producer_id, created empty if missing; NULL when out of
 * memory. */
producer_entry_t *producer_state_entry(producer_state_t *ps, int64_t producer_id);

/* ---- transactions, partition side (partition_txn.c) ---- */

/* Kafka's rules for a producer's batch against its transaction: a
 * non-transactional batch while its transaction is ongoing is
 * KL_ERR_INVALID_TXN_STATE (*why set). */
kl_err_t partition_txn_check(const producer_state_t *ps, const kl_batch_t *batch, const char **why);
/* After the append of a transactional batch at base_offset: its
 * producer's transaction starts there unless already ongoing. */
void partition_txn_appended(producer_state_t *ps, int64_t producer_id, int64_t base_offset);

/* Writes a transaction marker (commit or abort) of producer_id at epoch
 * to the partition and ends its transaction there: an abort goes into
 * the aborted-transaction index. KL_ERR_INVALID_PRODUCER_EPOCH when the
 * partition has seen a newer epoch of the producer,
 * KL_ERR_TRANSACTION_COORDINATOR_FENCED when a marker of a newer
 * coordinator epoch was written for it (nothing written either way);
 * the append's errors (KL_ERR_KAFKA_STORAGE_ERROR). *offset: the
 * marker's. */
kl_err_t partition_txn_write_marker(producer_state_t *ps, kl_log_t *log, int64_t producer_id, int16_t epoch,
                                    bool commit, int32_t coordinator_epoch, int64_t now_ms, int64_t *offset);

/* The last stable offset: the first offset of the oldest ongoing
 * transaction, or high_watermark when none is ongoing. */
int64_t partition_txn_lso(const producer_state_t *ps, int64_t high_watermark);
/* After the cleaner installed a clean of log: the aborted-transaction
 * index follows (kl_txn_index_refit()): entries whose marker went are
 * dropped, the others move to the segment now holding their marker.
 * *changed: the .txnindex files rewritten. Owner thread. */
kl_err_t partition_txn_cleaned(producer_state_t *ps, kl_log_t *log, size_t *changed);

/* For the load scan: replays one transactional batch (a data batch
 * starts its producer's transaction, a marker ends it, recording an
 * abort in found). */
typedef struct partition_txn_replay {
    kl_aborted_txn_t *found;
    size_t count, cap;
} partition_txn_replay_t;
kl_err_t partition_txn_replay(producer_state_t *ps, partition_txn_replay_t *r, const kl_log_batch_info_t *b);

/* The entry of producer_id, or NULL. */
const producer_entry_t *producer_state_find(const producer_state_t *ps, int64_t producer_id);

/* ---- producer ids (producer_ids.c) ---- */

typedef struct producer_ids {
    char *dir;       /* the log directory, holding the block checkpoint */
    int64_t next;    /* the next id to hand out */
    int64_t ceiling; /* ids below it are checkpointed as used */
} producer_ids_t;

/* Reads the block checkpoint: ids start at the last checkpointed ceiling,
 * so none handed out before a restart is handed out again. */
kl_err_t producer_ids_load(producer_ids_t *ids, const char *dir, char *errstr, size_t errstr_size);
void producer_ids_free(producer_ids_t *ids);
/* The next unused id, checkpointing a new block first when the current one
 * is used up. KL_ERR_KAFKA_STORAGE_ERROR when that checkpoint fails. */
kl_err_t producer_ids_next(producer_ids_t *ids, int64_t *id);

#endif
