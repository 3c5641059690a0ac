/* Dropping messages on purpose: kl_producer_purge() (the application asks,
 * the I/O thread does it) and the fatal error that makes the producer
 * unusable and fails what it still holds. Either way every message still
 * gets its one delivery report. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "client/sync_call.h"
#include "producer/producer_impl.h"

void prod_io_purge(kl_producer_t *p, bool queued, bool inflight, kl_err_t err)
{
    int64_t next = INT64_MAX;
    if (inflight) /* their late answers find empty slots and are ignored */
        prod_fail_batches(p, prod_take_in_flight(p, INT64_MAX, &next), err);
    if (!queued)
        return;
    for (size_t i = 0; i < p->n_io_topics; i++)
        prod_fail_pending(p, prod_take_pending(p, p->io_topics[i], INT64_MAX, &next), err);
    for (size_t i = 0; i < p->n_io_parts; i++)
        prod_fail_batches(p, prod_take_queued(p->io_parts[i], PROD_TAKE_SETTLED, &next), err);
}

void prod_fatal(kl_producer_t *p, kl_err_t err, const char *fmt, ...)
{
    pthread_mutex_lock(&p->dr_lock);
    bool first = atomic_load(&p->fatal) == 0;
    if (first) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->fatal_reason, sizeof p->fatal_reason, fmt, ap);
        va_end(ap);
        atomic_store(&p->fatal, (int)err);
    }
    pthread_mutex_unlock(&p->dr_lock);
    if (!first)
        return;
    kl_log(p->log, KL_LOG_ERR, "FATAL", "%s", p->fatal_reason);
    if (p->idem.state != IDEM_OFF) {
        p->idem.state = IDEM_FATAL;
        prod_stats_idem(p);
    }
    prod_io_purge(p, true, false, KL_ERR_FATAL);
    prod_wake_app(p); /* a blocked kl_produce_flags() returns */
}

kl_err_t kl_producer_fatal_error(kl_producer_t *p, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&p->dr_lock);
    kl_err_t err = (kl_err_t)atomic_load(&p->fatal);
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s", err ? p->fatal_reason : "");
    pthread_mutex_unlock(&p->dr_lock);
    return err;
}

/* ---- kl_producer_purge --------------------------------------------------------- */

typedef struct purge_task {
    kl_sync_call_t call; /* first */
    kl_producer_t *producer;
    int flags;
} purge_task_t;

static void purge_task_free(kl_sync_call_t *call) { free(call); }

static void purge_task(kl_sync_call_t *call)
{
    purge_task_t *t = (purge_task_t *)call;
    kl_producer_t *p = t->producer;
    if (!atomic_load(&p->closing)) {
        prod_io_purge(p, t->flags & KL_PURGE_QUEUE, t->flags & KL_PURGE_INFLIGHT, KL_ERR_PURGED);
        prod_io_drain(p); /* in-flight slots may have freed up */
    }
    kl_sync_call_done(call, KL_ERR_NONE);
}

kl_err_t kl_producer_purge(kl_producer_t *p, int flags)
{
    if (!p || (flags & ~(KL_PURGE_QUEUE | KL_PURGE_INFLIGHT | KL_PURGE_NON_BLOCKING)))
        return KL_ERR_INVALID_ARG;
    purge_task_t *t = calloc(1, sizeof *t);
    if (!t)
        return KL_ERR_NOMEM;
    t->producer = p;
    t->flags = flags;
    kl_sync_call_init(&t->call, p->client, purge_task, purge_task_free, -1);
    kl_err_t err = kl_sync_call_post(&t->call);
    if (!err && !(flags & KL_PURGE_NON_BLOCKING))
        err = kl_sync_call_wait(&t->call);
    kl_sync_call_release(&t->call);
    return err;
}
