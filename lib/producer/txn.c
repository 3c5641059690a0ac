/* The transactional producer's calls, on the application's thread:
 * kl_init_transactions(), kl_begin_transaction(), kl_send_offsets_to_transaction(),
 * kl_commit_transaction(), kl_abort_transaction(). Each checks the state,
 * hands its operation to the I/O thread (txn_io.c) and waits for its end
 * or its timeout; commit and abort first flush (or purge) the
 * transaction's messages here, serving their delivery reports. Errors come
 * back as kl_error_t with their class (retriable, abortable, fatal). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer/group_metadata.h"
#include "producer/producer_impl.h"
#include "util/cond.h"
#include "util/conf.h"

kl_err_t prod_txn_init(kl_producer_t *p, const kl_conf_t *conf)
{
    const char *id = kl_conf_get_str(conf, "transactional.id");
    p->txn.timeout_ms = (int32_t)kl_conf_get_int(conf, "transaction.timeout.ms");
    p->txn.state = TXN_UNINIT;
    prod_txn_io_init(p);
    if (!id || !*id)
        return KL_ERR_NONE;
    p->txn.id = strdup(id);
    return p->txn.id ? KL_ERR_NONE : KL_ERR_NOMEM;
}

void prod_txn_free(kl_producer_t *p)
{
    free(p->txn.id);
    kl_topic_partition_list_destroy(p->txn.offsets);
    kl_consumer_group_metadata_destroy(p->txn.group);
}

/* ---- states (dr_lock) ---------------------------------------------------------- */

static void set_abortable_locked(kl_producer_t *p, kl_err_t err, const char *reason)
{
    if (p->txn.state != TXN_IN_TXN && p->txn.state != TXN_COMMITTING)
        return;
    p->txn.state = TXN_ABORTABLE;
    atomic_store(&p->txn.produce_open, false);
    p->txn.abort_err = err;
    snprintf(p->txn.abort_reason, sizeof p->txn.abort_reason, "%s", reason);
}

void prod_txn_set_abortable(kl_producer_t *p, kl_err_t err, const char *fmt, ...)
{
    char reason[sizeof p->txn.abort_reason];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&p->dr_lock);
    bool was_open = p->txn.state == TXN_IN_TXN || p->txn.state == TXN_COMMITTING;
    set_abortable_locked(p, err, reason);
    pthread_cond_broadcast(&p->dr_cond);
    pthread_mutex_unlock(&p->dr_lock);
    if (was_open)
        kl_log(p->log, KL_LOG_WARNING, "TXN", "transaction %s must be aborted: %s", p->txn.id, reason);
}

void prod_txn_epoch_lost(kl_producer_t *p, kl_err_t err, const char *what)
{
    if (!p->txn.epoch_lost)
        kl_log(p->log, KL_LOG_WARNING, "TXN",
               "transaction %s: %s: %s: epoch %d of producer id %lld is over (the transaction timed out?): the abort "
               "asks for the next one", p->txn.id, what, kl_err_name(err), p->idem.epoch,
               (long long)p->idem.producer_id);
    p->txn.epoch_lost = true;
    prod_txn_set_abortable(p, err, "%s failed: %s", what, kl_err_str(err));
}

void prod_txn_finish(kl_producer_t *p, kl_err_t err, kl_error_class_t cls, const char *fmt, ...)
{
    txn_op_t op = p->txn.io_op;
    p->txn.io_op = TXN_OP_NONE;
    p->txn.failures = 0;
    pthread_mutex_lock(&p->dr_lock);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->txn.op_reason, sizeof p->txn.op_reason, fmt, ap);
    va_end(ap);
    p->txn.op_done = true;
    p->txn.op_err = err;
    p->txn.op_class = cls;
    if (!err && (op == TXN_OP_INIT || op == TXN_OP_COMMIT || op == TXN_OP_ABORT))
        p->txn.state = TXN_READY;
    else if (cls == KL_ERROR_ABORTABLE)
        set_abortable_locked(p, err, p->txn.op_reason);
    pthread_cond_broadcast(&p->dr_cond);
    pthread_mutex_unlock(&p->dr_lock);
}

/* ---- errors -------------------------------------------------------------------- */

static kl_error_t *fatal_error(kl_producer_t *p)
{
    char reason[sizeof p->fatal_reason];
    kl_err_t err = kl_producer_fatal_error(p, reason, sizeof reason);
    return kl_error_new(err, KL_ERROR_FATAL, "%s", reason);
}

static kl_error_t *state_error(const char *call, const char *why)
{
    return kl_error_new(KL_ERR_STATE, KL_ERROR_PLAIN, "%s: %s", call, why);
}

static kl_error_t *abortable_error_locked(kl_producer_t *p)
{
    return kl_error_new(p->txn.abort_err, KL_ERROR_ABORTABLE, "the transaction must be aborted: %s",
                        p->txn.abort_reason);
}

static kl_error_t *timed_out(const char *call, const char *what)
{
    return kl_error_new(KL_ERR_TIMED_OUT, KL_ERROR_RETRIABLE, "%s: timed out %s; call it again to keep waiting",
                        call, what);
}

/* The checks every call starts with: a transactional producer that is not
 * fatally failed. */
static kl_error_t *usable(kl_producer_t *p, const char *call)
{
    if (!p)
        return kl_error_new(KL_ERR_INVALID_ARG, KL_ERROR_PLAIN, "%s: no producer", call);
    if (!p->txn.id)
        return state_error(call, "the producer is not transactional (set transactional.id)");
    if (atomic_load(&p->fatal))
        return fatal_error(p);
    return NULL;
}

/* ---- operations on the I/O thread -------------------------------------------------- */

/* An operation whose call timed out and that ended since: its outcome is
 * in the state already, so another call may go on (dr_lock held). */
static void forget_ended_locked(kl_producer_t *p, txn_op_t call_op)
{
    if (p->txn.op != call_op && p->txn.op_done) {
        p->txn.op = TXN_OP_NONE;
        p->txn.op_done = false;
    }
}

/* Hands op to the I/O thread (dr_lock held). */
static kl_error_t *start_locked(kl_producer_t *p, txn_op_t op, const char *call)
{
    p->txn.op = op;
    p->txn.op_done = false;
    if (kl_client_post(p->client, prod_txn_io_start, p) != 0) {
        p->txn.op = TXN_OP_NONE;
        return kl_error_new(KL_ERR_NOMEM, KL_ERROR_RETRIABLE, "%s: out of memory", call);
    }
    return NULL;
}

/* A deadline for timeout_ms from now; INT64_MAX for -1. */
static int64_t deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? INT64_MAX : kl_clock_ms() + timeout_ms;
}

/* Waits for the operation handed over to end (dr_lock held; released). */
static kl_error_t *wait_op_locked(kl_producer_t *p, const char *call, int64_t deadline)
{
    while (!p->txn.op_done && !atomic_load(&p->fatal)) {
        int64_t left = deadline - kl_clock_ms();
        if (left <= 0)
            break;
        struct timespec ts;
        kl_cond_deadline(&ts, left > 1000 ? 1000 : (int)left);
        kl_log_wait(p->log, &ts);
    }
    kl_error_t *e = NULL;
    if (p->txn.op_done) {
        p->txn.op = TXN_OP_NONE;
        p->txn.op_done = false;
        if (p->txn.op_err)
            e = kl_error_new(p->txn.op_err, p->txn.op_class, "%s: %s", call, p->txn.op_reason);
    } else if (!atomic_load(&p->fatal)) {
        e = timed_out(call, "waiting for the transaction coordinator");
    }
    pthread_mutex_unlock(&p->dr_lock);
    if (p->log)
        kl_log_serve(p->log);
    if (!e && atomic_load(&p->fatal))
        e = fatal_error(p);
    return e;
}

/* The application's part of commit and abort: serves delivery reports
 * until none is outstanding (the in-flight messages are back), the
 * transaction turns abortable (commit only), or the deadline. */
static void settle(kl_producer_t *p, int64_t deadline, bool stop_on_abortable)
{
    atomic_fetch_add(&p->flushing, 1);
    prod_wake(p);
    while (atomic_load(&p->msg_count) > 0 && !atomic_load(&p->fatal)) {
        if (stop_on_abortable) {
            pthread_mutex_lock(&p->dr_lock);
            bool abortable = p->txn.state == TXN_ABORTABLE;
            pthread_mutex_unlock(&p->dr_lock);
            if (abortable)
                break;
        }
        int64_t left = deadline - kl_clock_ms();
        if (left <= 0)
            break;
        kl_producer_poll(p, left > 100 ? 100 : (int)left);
    }
    atomic_fetch_sub(&p->flushing, 1);
    kl_producer_poll(p, 0);
}

/* ---- the calls ----------------------------------------------------------------- */

kl_error_t *kl_init_transactions(kl_producer_t *p, int timeout_ms)
{
    static const char call[] = "kl_init_transactions";
    kl_error_t *e = usable(p, call);
    if (e)
        return e;
    int64_t deadline = deadline_of(timeout_ms);
    pthread_mutex_lock(&p->dr_lock);
    forget_ended_locked(p, TXN_OP_INIT);
    if (p->txn.op != TXN_OP_INIT) {
        if (p->txn.state != TXN_UNINIT || p->txn.op != TXN_OP_NONE) {
            pthread_mutex_unlock(&p->dr_lock);
            return state_error(call, "transactions are initialized already");
        }
        if ((e = start_locked(p, TXN_OP_INIT, call))) {
            pthread_mutex_unlock(&p->dr_lock);
            return e;
        }
    }
    return wait_op_locked(p, call, deadline);
}

kl_error_t *kl_begin_transaction(kl_producer_t *p)
{
    static const char call[] = "kl_begin_transaction";
    kl_error_t *e = usable(p, call);
    if (e)
        return e;
    pthread_mutex_lock(&p->dr_lock);
    forget_ended_locked(p, TXN_OP_NONE);
    if (p->txn.state == TXN_UNINIT)
        e = state_error(call, "call kl_init_transactions() first");
    else if (p->txn.state == TXN_ABORTABLE)
        e = abortable_error_locked(p);
    else if (p->txn.state != TXN_READY || p->txn.op != TXN_OP_NONE)
        e = state_error(call, "a transaction is open already (commit or abort it first)");
    else {
        p->txn.state = TXN_IN_TXN;
        atomic_store(&p->txn.produce_open, true);
    }
    pthread_mutex_unlock(&p->dr_lock);
    return e;
}

/* offsets' entries with an offset to commit, or NULL when out of memory. */
static kl_topic_partition_list_t *valid_offsets(const kl_topic_partition_list_t *offsets)
{
    kl_topic_partition_list_t *copy = kl_topic_partition_list_new(offsets->count);
    for (size_t i = 0; copy && i < offsets->count; i++) {
        const kl_topic_partition_t *e = &offsets->elems[i];
        if (e->offset < 0)
            continue;
        kl_topic_partition_t *c = kl_topic_partition_list_add(copy, e->topic, e->partition);
        if (!c || kl_topic_partition_set_metadata(c, e->metadata) != KL_ERR_NONE) {
            kl_topic_partition_list_destroy(copy);
            return NULL;
        }
        c->offset = e->offset;
        c->leader_epoch = e->leader_epoch;
    }
    return copy;
}

kl_error_t *kl_send_offsets_to_transaction(kl_producer_t *p, const kl_topic_partition_list_t *offsets,
                                           const kl_consumer_group_metadata_t *group, int timeout_ms)
{
    static const char call[] = "kl_send_offsets_to_transaction";
    kl_error_t *e = usable(p, call);
    if (e)
        return e;
    if (!offsets || !group)
        return kl_error_new(KL_ERR_INVALID_ARG, KL_ERROR_PLAIN, "%s: offsets and group metadata are required", call);
    int64_t deadline = deadline_of(timeout_ms);
    pthread_mutex_lock(&p->dr_lock);
    forget_ended_locked(p, TXN_OP_OFFSETS);
    if (p->txn.op != TXN_OP_OFFSETS) {
        if (p->txn.state == TXN_ABORTABLE)
            e = abortable_error_locked(p);
        else if (p->txn.state != TXN_IN_TXN || p->txn.op != TXN_OP_NONE)
            e = state_error(call, "no transaction is open (kl_begin_transaction())");
        if (e) {
            pthread_mutex_unlock(&p->dr_lock);
            return e;
        }
        kl_topic_partition_list_t *valid = valid_offsets(offsets);
        kl_consumer_group_metadata_t *md = kl_consumer_group_metadata_copy(group);
        if (!valid || !md || !valid->count) {
            pthread_mutex_unlock(&p->dr_lock);
            bool empty = valid && md;
            kl_topic_partition_list_destroy(valid);
            kl_consumer_group_metadata_destroy(md);
            return empty ? NULL /* nothing to commit */
                         : kl_error_new(KL_ERR_NOMEM, KL_ERROR_RETRIABLE, "%s: out of memory", call);
        }
        kl_topic_partition_list_destroy(p->txn.offsets);
        kl_consumer_group_metadata_destroy(p->txn.group);
        p->txn.offsets = valid;
        p->txn.group = md;
        if ((e = start_locked(p, TXN_OP_OFFSETS, call))) {
            pthread_mutex_unlock(&p->dr_lock);
            return e;
        }
    }
    return wait_op_locked(p, call, deadline);
}

kl_error_t *kl_commit_transaction(kl_producer_t *p, int timeout_ms)
{
    static const char call[] = "kl_commit_transaction";
    kl_error_t *e = usable(p, call);
    if (e)
        return e;
    int64_t deadline = deadline_of(timeout_ms);
    pthread_mutex_lock(&p->dr_lock);
    forget_ended_locked(p, TXN_OP_COMMIT);
    if (p->txn.op == TXN_OP_COMMIT)
        return wait_op_locked(p, call, deadline);
    if (p->txn.state == TXN_ABORTABLE)
        e = abortable_error_locked(p);
    else if (p->txn.op != TXN_OP_NONE)
        e = state_error(call, "another transaction call is under way (call it again to finish it)");
    else if (p->txn.state != TXN_IN_TXN && p->txn.state != TXN_COMMITTING)
        e = state_error(call, "no transaction is open (kl_begin_transaction())");
    else {
        p->txn.state = TXN_COMMITTING;
        atomic_store(&p->txn.produce_open, false);
    }
    pthread_mutex_unlock(&p->dr_lock);
    if (e)
        return e;
    settle(p, deadline, true);
    if (atomic_load(&p->fatal))
        return fatal_error(p);
    pthread_mutex_lock(&p->dr_lock);
    if (p->txn.state == TXN_ABORTABLE)
        e = abortable_error_locked(p);
    else if (atomic_load(&p->msg_count) > 0)
        e = timed_out(call, "delivering the transaction's messages");
    else
        e = start_locked(p, TXN_OP_COMMIT, call);
    if (e) {
        pthread_mutex_unlock(&p->dr_lock);
        return e;
    }
    return wait_op_locked(p, call, deadline);
}

kl_error_t *kl_abort_transaction(kl_producer_t *p, int timeout_ms)
{
    static const char call[] = "kl_abort_transaction";
    kl_error_t *e = usable(p, call);
    if (e)
        return e;
    int64_t deadline = deadline_of(timeout_ms);
    pthread_mutex_lock(&p->dr_lock);
    forget_ended_locked(p, TXN_OP_ABORT);
    if (p->txn.op == TXN_OP_ABORT)
        return wait_op_locked(p, call, deadline);
    if (p->txn.op != TXN_OP_NONE)
        e = state_error(call, "another transaction call is under way (call it again to finish it)");
    else if (p->txn.state == TXN_UNINIT || p->txn.state == TXN_READY)
        e = state_error(call, "no transaction is open (kl_begin_transaction())");
    else {
        p->txn.state = TXN_ABORTING;
        atomic_store(&p->txn.produce_open, false);
    }
    pthread_mutex_unlock(&p->dr_lock);
    if (e)
        return e;
    /* The queued messages go; those in flight must come back before the
     * abort marker, or they could land after it. */
    (void)kl_producer_purge(p, KL_PURGE_QUEUE);
    settle(p, deadline, false);
    if (atomic_load(&p->fatal))
        return fatal_error(p);
    pthread_mutex_lock(&p->dr_lock);
    if (atomic_load(&p->msg_count) > 0)
        e = timed_out(call, "waiting for the messages in flight");
    else
        e = start_locked(p, TXN_OP_ABORT, call);
    if (e) {
        pthread_mutex_unlock(&p->dr_lock);
        return e;
    }
    return wait_op_locked(p, call, deadline);
}
