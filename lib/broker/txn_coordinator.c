/* The transaction coordinator's state machine (see txn_coordinator.h):
 * Kafka's transitions, each new state written to __transaction_state and
 * fsynced before it takes effect, and the markers written to the
 * partitions of a transaction once its outcome is decided. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group_wire.h"
#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "storage/checkpoint.h"
#include "util/conf.h"

/* Kafka's limit: the epoch is an int16 and one value is kept for fencing. */
#define TXN_MAX_EPOCH (INT16_MAX - 1)
#define COORDINATOR_EPOCH_FILE "transaction-coordinator-epoch-checkpoint"

txn_meta_t *txns_find(const broker_txns_t *t, kl_str_t id)
{
    for (size_t i = 0; t && i < t->count; i++)
        if (kl_str_eq(id, t->items[i]->id))
            return t->items[i];
    return NULL;
}

static void meta_free(txn_meta_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->parts[i].topic);
    free(m->parts);
    free(m->id);
    free(m);
}

/* A copy of src's fields into dst (a fresh one, parts duplicated); false
 * when out of memory, with nothing left allocated. */
static bool meta_copy(txn_meta_t *dst, const txn_meta_t *src)
{
    *dst = *src;
    dst->id = NULL;
    dst->parts = src->count ? calloc(src->count, sizeof *dst->parts) : NULL;
    dst->cap = src->count;
    if (src->count && !dst->parts)
        return false;
    for (size_t i = 0; i < src->count; i++) {
        dst->parts[i] = (txn_partition_t){strdup(src->parts[i].topic), src->parts[i].partition};
        if (!dst->parts[i].topic) {
            for (size_t k = 0; k < i; k++)
                free(dst->parts[k].topic);
            free(dst->parts);
            dst->parts = NULL;
            dst->count = dst->cap = 0;
            return false;
        }
    }
    return true;
}

static void meta_clear_parts(txn_meta_t *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->parts[i].topic);
    m->count = 0;
}

/* Makes next (same id, fields copied from meta_copy) the state of m once
 * it is on disk. next's parts are taken; on failure they are freed. */
static kl_err_t commit_state(broker_txns_t *t, txn_meta_t *m, txn_meta_t *next)
{
    next->id = m->id;
    next->update_ms = kl_wallclock_ms();
    kl_err_t err = txn_log_write(t->broker, next);
    if (err) {
        broker_log(t->broker, BROKER_LOG_ERR, "transaction %s: cannot write its state: %s", m->id, kl_err_str(err));
        for (size_t i = 0; i < next->count; i++)
            free(next->parts[i].topic);
        free(next->parts);
        return err;
    }
    for (size_t i = 0; i < m->count; i++)
        free(m->parts[i].topic);
    free(m->parts);
    *m = *next;
    return KL_ERR_NONE;
}

static int16_t append_error(kl_err_t err)
{
    return err == KL_ERR_NOMEM ? KL_ERR_COORDINATOR_NOT_AVAILABLE : KL_ERR_NOT_COORDINATOR;
}

/* Writes the markers of m's outcome to each of its partitions, flushed,
 * so that what the coordinator then records as complete is on disk.
 * False when a partition could not take its marker (offline, storage
 * error): the transaction stays prepared and the timer tries again. */
static bool write_markers(broker_txns_t *t, txn_meta_t *m, bool commit)
{
    kl_broker_t *b = t->broker;
    bool ok = true;
    for (size_t i = 0; i < m->count; i++) {
        const txn_partition_t *p = &m->parts[i];
        broker_topic_t *topic = topics_find(&b->topics, kl_str(p->topic));
        if (!topic || p->partition >= topic->partition_count)
            continue; /* deleted since: nothing to mark */
        kl_log_t *log = topic->logs[p->partition];
        int64_t offset = -1;
        kl_err_t err = log ? partition_txn_write_marker(&topic->producers[p->partition], log, m->producer_id,
                                                        m->epoch, commit, t->coordinator_epoch, kl_wallclock_ms(),
                                                        &offset)
                           : KL_ERR_KAFKA_STORAGE_ERROR;
        if (!err)
            err = housekeeping_flush(b, log);
        bool marked = !err;
        if (err == KL_ERR_INVALID_PRODUCER_EPOCH)
            err = KL_ERR_NONE; /* a newer epoch of the producer wrote there: this one is over */
        if (err == KL_ERR_TRANSACTION_COORDINATOR_FENCED) {
            /* a newer coordinator marked the producer there: not ours to end */
            broker_log(b, BROKER_LOG_WARN, "transaction %s: %s-%d refused its %s marker of coordinator epoch %d: %s",
                       m->id, p->topic, (int)p->partition, commit ? "commit" : "abort", (int)t->coordinator_epoch,
                       kl_err_str(err));
            err = KL_ERR_NONE;
        }
        if (err) {
            broker_log(b, BROKER_LOG_ERR, "transaction %s: cannot write its %s marker to %s-%d: %s", m->id,
                       commit ? "commit" : "abort", p->topic, (int)p->partition, kl_err_str(err));
            if (err == KL_ERR_KAFKA_STORAGE_ERROR && log)
                broker_storage_failed(b, topic, p->partition, "writing a transaction marker");
            ok = false;
            continue;
        }
        fetch_wake(b, topic, p->partition, 1);
        if (marked && strcmp(p->topic, GROUP_OFFSETS_TOPIC) == 0 && groups_coordinator(b))
            group_txn_marker(groups_coordinator(b), p->partition, m->producer_id, commit);
    }
    return ok;
}

/* From PrepareCommit or PrepareAbort: the markers, then Complete*. */
static kl_err_t complete(broker_txns_t *t, txn_meta_t *m)
{
    bool commit = m->status == TXN_PREPARE_COMMIT;
    if (!write_markers(t, m, commit))
        return KL_ERR_KAFKA_STORAGE_ERROR;
    txn_meta_t next;
    if (!meta_copy(&next, m))
        return KL_ERR_NOMEM;
    next.status = commit ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT;
    meta_clear_parts(&next);
    next.start_ms = -1;
    return commit_state(t, m, &next);
}

/* Decides m's outcome durably (at epoch, which an abort on timeout or
 * fencing bumps), then completes it. KL_ERR_NONE once the decision is on
 * disk, even when the markers must wait for the timer. */
static kl_err_t end_transaction(broker_txns_t *t, txn_meta_t *m, bool commit, int16_t epoch)
{
    txn_meta_t next;
    if (!meta_copy(&next, m))
        return KL_ERR_NOMEM;
    next.status = commit ? TXN_PREPARE_COMMIT : TXN_PREPARE_ABORT;
    if (epoch != m->epoch)
        next.last_epoch = m->epoch; /* the producer fenced by the bump may claim it (KIP-588) */
    next.epoch = epoch;
    kl_err_t err = commit_state(t, m, &next);
    if (!err && complete(t, m) != KL_ERR_NONE)
        broker_log(t->broker, BROKER_LOG_WARN, "transaction %s: %s decided; its markers are retried", m->id,
                   commit ? "commit" : "abort");
    return err;
}

static kl_err_t ensure_topic(kl_broker_t *b, char *errstr, size_t errstr_size);

/* -------------------------------------------------------------- the APIs */

static int16_t new_transactional_id(broker_txns_t *t, kl_str_t id, int32_t timeout_ms, txn_meta_t **mp)
{
    txn_meta_t *m = calloc(1, sizeof *m);
    char *name = m ? strndup(id.ptr, (size_t)id.len) : NULL;
    txn_meta_t **items = name && t->count == t->cap ? realloc(t->items, (t->cap ? t->cap * 2 : 8) * sizeof *items)
                                                    : t->items;
    if (!m || !name || !items) {
        free(m);
        free(name);
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (t->count == t->cap) {
        t->items = items;
        t->cap = t->cap ? t->cap * 2 : 8;
    }
    *m = (txn_meta_t){.id = name, .producer_id = -1, .epoch = -1, .last_epoch = -1, .timeout_ms = timeout_ms,
                      .status = TXN_EMPTY, .start_ms = -1};
    t->items[t->count++] = m;
    *mp = m;
    return KL_ERR_NONE;
}

int16_t txns_init_producer_id(kl_broker_t *b, kl_str_t id, int32_t timeout_ms, int64_t expect_pid,
                              int16_t expect_epoch, int64_t *producer_id, int16_t *epoch)
{
    broker_txns_t *t = b->txns;
    if (!t)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (id.len <= 0)
        return KL_ERR_INVALID_REQUEST; /* Kafka's answer to an empty id */
    const char *why;
    if (txns_coordinator_for(b, id, &why) != KL_ERR_NONE)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (timeout_ms <= 0 || timeout_ms > t->max_timeout_ms)
        return KL_ERR_INVALID_TRANSACTION_TIMEOUT;
    txn_meta_t *m = txns_find(t, id);
    if (!m) {
        int16_t e = new_transactional_id(t, id, timeout_ms, &m);
        if (e)
            return e;
    }
    if (m->status == TXN_PREPARE_COMMIT || m->status == TXN_PREPARE_ABORT)
        return KL_ERR_CONCURRENT_TRANSACTIONS; /* markers still to write */
    int16_t next_epoch = m->epoch < 0 ? 0 : (int16_t)(m->epoch + 1);
    int16_t last_epoch = -1; /* a new instance: the one before is fenced for good */
    int64_t pid = m->producer_id;
    if (expect_pid >= 0) {
        /* KIP-360: the producer names its id and epoch; it continues when
         * it is the current one (the epoch is bumped) or the one whose
         * epoch the coordinator last bumped without it (KIP-588: its
         * transaction timed out, or this retries a bump it did not hear
         * of): it gets the current epoch. Any other is fenced. */
        if (expect_pid != m->producer_id)
            return KL_ERR_PRODUCER_FENCED;
        if (expect_epoch == m->last_epoch && m->epoch >= 0 && m->status != TXN_ONGOING) {
            next_epoch = m->epoch;
            last_epoch = m->last_epoch;
        } else if (expect_epoch == m->epoch) {
            last_epoch = m->epoch;
        } else {
            broker_log(b, BROKER_LOG_INFO, "transaction %s: producer id %lld epoch %d is fenced (epoch %d now)",
                       m->id, (long long)expect_pid, (int)expect_epoch, (int)m->epoch);
            return KL_ERR_PRODUCER_FENCED;
        }
    }
    if (m->status == TXN_ONGOING) {
        /* the previous instance's transaction: aborted under the new
         * epoch, which fences that instance everywhere */
        kl_err_t err = end_transaction(t, m, false, next_epoch);
        if (err)
            return append_error(err);
        if (m->status != TXN_COMPLETE_ABORT)
            return KL_ERR_CONCURRENT_TRANSACTIONS;
    }
    if (pid < 0 || next_epoch > TXN_MAX_EPOCH) {
        if (producer_ids_next(&b->producer_ids, &pid) != KL_ERR_NONE)
            return KL_ERR_COORDINATOR_NOT_AVAILABLE;
        next_epoch = 0;
        last_epoch = -1;
    }
    txn_meta_t next;
    if (!meta_copy(&next, m))
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    meta_clear_parts(&next);
    next.producer_id = pid;
    next.epoch = next_epoch;
    next.last_epoch = last_epoch;
    next.timeout_ms = timeout_ms;
    next.status = TXN_EMPTY;
    next.start_ms = -1;
    kl_err_t err = commit_state(t, m, &next);
    if (err)
        return append_error(err);
    *producer_id = m->producer_id;
    *epoch = m->epoch;
    return KL_ERR_NONE;
}

/* The producer id and epoch of a request against m (NULL: unknown). */
static int16_t txns_check_epoch(const txn_meta_t *m, int64_t producer_id, int16_t epoch)
{
    if (!m || m->producer_id != producer_id)
        return KL_ERR_INVALID_PRODUCER_ID_MAPPING;
    if (epoch != m->epoch && epoch >= 0 && epoch == m->last_epoch)
        return KL_ERR_INVALID_PRODUCER_ID_MAPPING; /* bumped without it: abortable, KIP-588 */
    if (epoch != m->epoch)
        return KL_ERR_INVALID_PRODUCER_EPOCH; /* fenced by a newer instance */
    return KL_ERR_NONE;
}

int16_t txns_check(broker_txns_t *t, kl_str_t id, int64_t producer_id, int16_t epoch, txn_meta_t **meta)
{
    txn_meta_t *m = txns_find(t, id);
    int16_t e = txns_check_epoch(m, producer_id, epoch);
    if (e)
        return e;
    if (m->status == TXN_PREPARE_COMMIT || m->status == TXN_PREPARE_ABORT)
        return KL_ERR_CONCURRENT_TRANSACTIONS;
    *meta = m;
    return KL_ERR_NONE;
}

bool txns_has_partition(const txn_meta_t *m, const txn_partition_t *p)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->parts[i].partition == p->partition && strcmp(m->parts[i].topic, p->topic) == 0)
            return true;
    return false;
}

int16_t txns_add_partitions(broker_txns_t *t, txn_meta_t *m, const txn_partition_t *parts, size_t n)
{
    bool fresh = m->status != TXN_ONGOING;
    size_t added = 0;
    for (size_t i = 0; i < n; i++)
        added += !txns_has_partition(m, &parts[i]);
    if (!fresh && added == 0)
        return KL_ERR_NONE;
    txn_meta_t next;
    if (!meta_copy(&next, m))
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (fresh) {
        meta_clear_parts(&next);
        next.start_ms = kl_wallclock_ms();
    }
    next.status = TXN_ONGOING;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (txns_has_partition(&next, &parts[i]))
            continue;
        if (next.count == next.cap) {
            size_t cap = next.cap ? next.cap * 2 : 4;
            txn_partition_t *grown = realloc(next.parts, cap * sizeof *grown);
            ok = grown != NULL;
            if (ok) {
                next.parts = grown;
                next.cap = cap;
            }
        }
        char *topic = ok ? strdup(parts[i].topic) : NULL;
        ok = topic != NULL;
        if (ok)
            next.parts[next.count++] = (txn_partition_t){topic, parts[i].partition};
    }
    if (!ok) {
        for (size_t i = 0; i < next.count; i++)
            free(next.parts[i].topic);
        free(next.parts);
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    kl_err_t err = commit_state(t, m, &next);
    return err ? append_error(err) : KL_ERR_NONE;
}

int16_t txns_end(kl_broker_t *b, kl_str_t id, int64_t producer_id, int16_t epoch, bool commit)
{
    broker_txns_t *t = b->txns;
    txn_meta_t *m = txns_find(t, id);
    int16_t e = txns_check_epoch(m, producer_id, epoch);
    if (e)
        return e;
    switch (m->status) {
    case TXN_ONGOING: {
        kl_err_t err = end_transaction(t, m, commit, m->epoch);
        return err ? append_error(err) : KL_ERR_NONE;
    }
    case TXN_COMPLETE_COMMIT: /* a retry of the request that completed it */
        return commit ? KL_ERR_NONE : KL_ERR_INVALID_TXN_STATE;
    case TXN_COMPLETE_ABORT:
        return commit ? KL_ERR_INVALID_TXN_STATE : KL_ERR_NONE;
    case TXN_PREPARE_COMMIT:
    case TXN_PREPARE_ABORT:
        return (m->status == TXN_PREPARE_COMMIT) == commit ? KL_ERR_CONCURRENT_TRANSACTIONS
                                                           : KL_ERR_INVALID_TXN_STATE;
    default: return KL_ERR_INVALID_TXN_STATE;
    }
}

kl_err_t txns_coordinator_for(kl_broker_t *b, kl_str_t transactional_id, const char **why)
{
    char errstr[256];
    *why = NULL;
    if (b->txns && ensure_topic(b, errstr, sizeof errstr) != KL_ERR_NONE)
        broker_log(b, BROKER_LOG_ERR, "%s", errstr);
    const broker_topic_t *t = topics_find(&b->topics, kl_str(TXN_STATE_TOPIC));
    if (!b->txns || !t) {
        *why = "The transaction coordinator is not loaded";
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (!t->logs[txn_log_partition_for(transactional_id, t->partition_count)]) {
        *why = "The transactional id's __transaction_state partition is offline";
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    return KL_ERR_NONE;
}

/* ------------------------------------------------------------ expiry */

void txns_expire(broker_txns_t *t, int64_t now_ms)
{
    for (size_t i = 0; i < t->count; i++) {
        txn_meta_t *m = t->items[i];
        if (m->status == TXN_PREPARE_COMMIT || m->status == TXN_PREPARE_ABORT) {
            if (complete(t, m) != KL_ERR_NONE)
                broker_log(t->broker, BROKER_LOG_WARN, "transaction %s: its markers are still to write", m->id);
            continue;
        }
        if (m->status != TXN_ONGOING || m->start_ms < 0 || now_ms - m->start_ms <= m->timeout_ms)
            continue;
        if (m->epoch >= TXN_MAX_EPOCH)
            continue; /* no epoch left to fence with: left to InitProducerId */
        broker_log(t->broker, BROKER_LOG_INFO, "transaction %s: aborted after its timeout of %d ms", m->id,
                   (int)m->timeout_ms);
        /* Kafka bumps the epoch: the timed-out producer is fenced */
        if (end_transaction(t, m, false, (int16_t)(m->epoch + 1)) != KL_ERR_NONE)
            broker_log(t->broker, BROKER_LOG_WARN, "transaction %s: the abort could not be recorded", m->id);
    }
}

static void on_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    broker_txns_t *t = timer->opaque;
    txns_expire(t, kl_wallclock_ms());
    kl_timer_start(loop, &t->timer, t->check_ms);
}

/* ------------------------------------------------------------ loading */

static kl_err_t load_one(broker_txns_t *t, const char *id, const txn_meta_t *value)
{
    txn_meta_t *m = txns_find(t, kl_str(id));
    if (!value) { /* a tombstone */
        for (size_t i = 0; m && i < t->count; i++)
            if (t->items[i] == m) {
                t->items[i] = t->items[--t->count];
                meta_free(m);
                break;
            }
        return KL_ERR_NONE;
    }
    if (!m && new_transactional_id(t, kl_str(id), value->timeout_ms, &m) != KL_ERR_NONE)
        return KL_ERR_NOMEM;
    txn_meta_t next;
    if (!meta_copy(&next, value))
        return KL_ERR_NOMEM;
    meta_clear_parts(m);
    free(m->parts);
    next.id = m->id;
    next.last_epoch = -1; /* not in the log */
    *m = next;
    return KL_ERR_NONE;
}

/* Creates __transaction_state when the first transactional producer
 * comes, as Kafka does: a broker never used for transactions has none. */
static kl_err_t ensure_topic(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    if (topics_find(&b->topics, kl_str(TXN_STATE_TOPIC)))
        return KL_ERR_NONE;
    const kl_str_t names[] = {kl_str("cleanup.policy"), kl_str("segment.bytes")};
    const kl_str_t values[] = {kl_str("compact"),
                               kl_str(kl_conf_get_str(b->conf, "transaction.state.log.segment.bytes"))};
    int32_t partitions = (int32_t)kl_conf_get_int(b->conf, "transaction.state.log.num.partitions");
    int16_t rf = (int16_t)kl_conf_get_int(b->conf, "transaction.state.log.replication.factor");
    broker_topic_t *t;
    kl_err_t err = topics_create(&b->topics, kl_str(TXN_STATE_TOPIC), partitions, rf, names, values, 2, &t);
    if (err)
        snprintf(errstr, errstr_size, "cannot create %s in %s: %s", TXN_STATE_TOPIC, b->log_dir, kl_err_str(err));
    else
        broker_log(b, BROKER_LOG_INFO, "created %s with %d partitions", TXN_STATE_TOPIC, (int)partitions);
    return err;
}

/* The epoch of this load: one more than the checkpointed one (0 on the
 * first), checkpointed before use so it never goes back. */
static kl_err_t coordinator_epoch_next(kl_broker_t *b, int32_t *epoch, char *errstr, size_t errstr_size)
{
    int64_t last = -1;
    kl_err_t err = kl_checkpoint_read(b->log_dir, COORDINATOR_EPOCH_FILE, TXN_STATE_TOPIC, 0, &last);
    if (err == KL_ERR_NOENT)
        last = -1;
    else if (err || last >= INT32_MAX) {
        /* an unknown epoch could go back and let a marker through that is fenced */
        snprintf(errstr, errstr_size, "cannot read %s/%s: %s", b->log_dir, COORDINATOR_EPOCH_FILE,
                 kl_err_str(err ? err : KL_ERR_BAD_MSG));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    err = kl_checkpoint_write(b->log_dir, COORDINATOR_EPOCH_FILE, TXN_STATE_TOPIC, 0, last + 1);
    if (err) {
        snprintf(errstr, errstr_size, "cannot write %s/%s: %s", b->log_dir, COORDINATOR_EPOCH_FILE, kl_err_str(err));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    *epoch = (int32_t)(last + 1);
    return KL_ERR_NONE;
}

kl_err_t txns_open(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    kl_err_t err;
    broker_txns_t *t = calloc(1, sizeof *t);
    if (!t)
        return KL_ERR_NOMEM;
    t->broker = b;
    t->max_timeout_ms = kl_conf_get_int(b->conf, "transaction.max.timeout.ms");
    t->check_ms = kl_conf_get_int(b->conf, "transaction.abort.timed.out.transaction.cleanup.interval.ms");
    kl_timer_init(&t->timer, on_timer, t);
    b->txns = t;
    err = coordinator_epoch_next(b, &t->coordinator_epoch, errstr, errstr_size);
    if (err)
        return err;
    err = txn_log_replay(b, load_one);
    if (err) {
        snprintf(errstr, errstr_size, "cannot load %s: %s", TXN_STATE_TOPIC, kl_err_str(err));
        return err;
    }
    size_t prepared = 0;
    for (size_t i = 0; i < t->count; i++) {
        txn_meta_t *m = t->items[i];
        if (m->status != TXN_PREPARE_COMMIT && m->status != TXN_PREPARE_ABORT)
            continue;
        prepared++;
        if (complete(t, m) != KL_ERR_NONE)
            broker_log(b, BROKER_LOG_WARN, "transaction %s: its markers are still to write", m->id);
    }
    if (t->count)
        broker_log(b, BROKER_LOG_INFO, "loaded %zu transactional id(s) from %s, %zu prepared transaction(s) completed",
                   t->count, TXN_STATE_TOPIC, prepared);
    return KL_ERR_NONE;
}

void txns_start(kl_broker_t *b)
{
    if (b->txns)
        kl_timer_start(b->loop, &b->txns->timer, b->txns->check_ms);
}

void txns_close(kl_broker_t *b)
{
    broker_txns_t *t = b->txns;
    if (!t)
        return;
    /* the timer went with the loop (kl_broker_stop) */
    for (size_t i = 0; i < t->count; i++)
        meta_free(t->items[i]);
    free(t->items);
    free(t);
    b->txns = NULL;
}
