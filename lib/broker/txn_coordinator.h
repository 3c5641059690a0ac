/* The transaction coordinator: for each transactional id, its producer id
 * and epoch (InitProducerId bumps the epoch, fencing the instance before),
 * the partitions of its ongoing transaction (AddPartitionsToTxn), and
 * EndTxn, which decides the outcome durably (PrepareCommit/PrepareAbort),
 * writes the markers to every partition and completes. The state lives
 * in the compacted __transaction_state topic in Kafka's record format
 * (txn_log.c), is replayed at start (a transaction found prepared is
 * completed; an ongoing one runs on until it ends or times out), and
 * transactions older than their transaction.timeout.ms are aborted with
 * the epoch bumped. Loop thread only; every change is in the log, and
 * fsynced, before it is acknowledged. */
#ifndef KL_BROKER_TXN_COORDINATOR_H
#define KL_BROKER_TXN_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "net/loop.h"
#include "proto/types.h"

#define TXN_STATE_TOPIC "__transaction_state"

typedef struct kl_broker kl_broker_t;

/* Kafka's TransactionState values, as stored. */
typedef enum txn_status {
    TXN_EMPTY = 0,
    TXN_ONGOING = 1,
    TXN_PREPARE_COMMIT = 2,
    TXN_PREPARE_ABORT = 3,
    TXN_COMPLETE_COMMIT = 4,
    TXN_COMPLETE_ABORT = 5,
    TXN_DEAD = 6,
    TXN_PREPARE_EPOCH_FENCE = 7,
} txn_status_t;

typedef struct txn_partition {
    char *topic;
    int32_t partition;
} txn_partition_t;

typedef struct txn_meta {
    char *id;
    int64_t producer_id;
    int16_t epoch;
    /* the epoch before the last bump of a live producer (KIP-360 bump, or
     * the abort on timeout, KIP-588): that producer may claim the current
     * epoch with InitProducerId; -1 after a new instance fenced it. Kept
     * in memory only, as Kafka does (a restart forgets it). */
    int16_t last_epoch;
    int32_t timeout_ms;
    txn_status_t status;
    txn_partition_t *parts;
    size_t count, cap;
    int64_t start_ms;  /* the transaction's first AddPartitionsToTxn; -1 */
    int64_t update_ms; /* the last change */
} txn_meta_t;

typedef struct broker_txns {
    kl_broker_t *broker;
    txn_meta_t **items;
    size_t count, cap;
    int64_t max_timeout_ms; /* transaction.max.timeout.ms */
    int64_t check_ms;       /* transaction.abort.timed.out.transaction.cleanup.interval.ms */
    /* one more than the last load's, checkpointed before the coordinator
     * writes anything: the markers carry it, and a partition refuses a
     * marker older than the newest it took for the producer */
    int32_t coordinator_epoch;
    kl_timer_t timer;
} broker_txns_t;

/* Replays __transaction_state when there is one, completing the
 * transactions found prepared. errstr says why on failure. */
kl_err_t txns_open(kl_broker_t *b, char *errstr, size_t errstr_size);
/* Starts the expiry timer (broker loop). */
void txns_start(kl_broker_t *b);
void txns_close(kl_broker_t *b);

/* FindCoordinator for a transactional id, creating __transaction_state
 * on first use: KL_ERR_NONE (this node), or
 * KL_ERR_COORDINATOR_NOT_AVAILABLE when its __transaction_state partition
 * is offline; *why a static reason. */
kl_err_t txns_coordinator_for(kl_broker_t *b, kl_str_t transactional_id, const char **why);

/* The state of id, NULL when the coordinator does not know it. */
txn_meta_t *txns_find(const broker_txns_t *t, kl_str_t id);
/* Kafka's name of a state ("Ongoing", "CompleteCommit", ...), as
 * DescribeTransactions and ListTransactions show it. */
const char *txns_status_name(txn_status_t status);

/* The coordinator's operations, answering Kafka's error codes. */
int16_t txns_init_producer_id(kl_broker_t *b, kl_str_t id, int32_t timeout_ms, int64_t expect_pid,
                              int16_t expect_epoch, int64_t *producer_id, int16_t *epoch);
/* Checks the caller's id, producer id and epoch against the state and
 * the state allows adding: *meta gets the transaction. The previous
 * epoch of a producer whose transaction the coordinator aborted on
 * timeout gets INVALID_PRODUCER_ID_MAPPING, which librdkafka and the Java
 * client take as abortable, bumping the epoch with InitProducerId (KIP-360,
 * KIP-588); older epochs are fenced (INVALID_PRODUCER_EPOCH). */
int16_t txns_check(broker_txns_t *t, kl_str_t id, int64_t producer_id, int16_t epoch, txn_meta_t **meta);
/* Adds the partitions (already checked to exist) and makes the
 * transaction ongoing, durably. */
/* Whether the transaction holds the partition. */
bool txns_has_partition(const txn_meta_t *m, const txn_partition_t *p);
int16_t txns_add_partitions(broker_txns_t *t, txn_meta_t *m, const txn_partition_t *parts, size_t n);
int16_t txns_end(kl_broker_t *b, kl_str_t id, int64_t producer_id, int16_t epoch, bool commit);

/* Aborts every ongoing transaction past its timeout (the timer's work;
 * exposed for tests). */
void txns_expire(broker_txns_t *t, int64_t now_ms);

/* ---- txn_log.c: __transaction_state records ---- */

/* The __transaction_state partition of id: Java's String.hashCode of it,
 * made non-negative as Kafka does, modulo partitions. */
int32_t txn_log_partition_for(kl_str_t id, int32_t partitions);
/* Appends m's state to its partition and fsyncs it. */
kl_err_t txn_log_write(kl_broker_t *b, const txn_meta_t *m);
/* Replays every partition of the topic, calling load for each record
 * (value NULL: a tombstone). Damaged batches are skipped and logged. */
typedef kl_err_t txn_log_load_fn(broker_txns_t *t, const char *id, const txn_meta_t *value);
kl_err_t txn_log_replay(kl_broker_t *b, txn_log_load_fn *load);

#endif
