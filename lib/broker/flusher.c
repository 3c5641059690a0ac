/* The flusher thread (see housekeeping.h): takes logs from its queue one
 * at a time and fsyncs each one that kl_log_flush_due() still calls due,
 * so appends on the network thread never wait for a disk. */
#include <errno.h>
#include <stdlib.h>

#include "broker/server.h"

void flusher_init(broker_flusher_t *f, kl_broker_t *broker)
{
    *f = (broker_flusher_t){.broker = broker};
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->wake, NULL);
    pthread_cond_init(&f->idle, NULL);
}

/* The first queued log, now busy; NULL when told to stop (lock held). */
static kl_log_t *next_log(broker_flusher_t *f)
{
    while (!f->stop && f->count == 0)
        pthread_cond_wait(&f->wake, &f->lock);
    if (f->stop)
        return NULL;
    kl_log_t *log = f->queue[0];
    f->count--;
    for (size_t i = 0; i < f->count; i++)
        f->queue[i] = f->queue[i + 1];
    f->busy = log;
    return log;
}

static void *flusher_main(void *arg)
{
    broker_flusher_t *f = arg;
    pthread_mutex_lock(&f->lock);
    for (kl_log_t *log; (log = next_log(f)) != NULL;) {
        pthread_mutex_unlock(&f->lock);
        if (kl_log_flush_due(log, kl_wallclock_ms()) && kl_log_flush(log) != KL_ERR_NONE)
            broker_log(f->broker, BROKER_LOG_ERR, "flushing %s failed: the partition takes no more writes",
                       kl_log_dir(log));
        pthread_mutex_lock(&f->lock);
        f->busy = NULL;
        pthread_cond_broadcast(&f->idle);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

int flusher_start(broker_flusher_t *f)
{
    f->stop = false;
    int rc = pthread_create(&f->thread, NULL, flusher_main, f);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    f->running = true;
    return 0;
}

void flusher_stop(broker_flusher_t *f)
{
    if (!f->running)
        return;
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    f->count = 0;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    f->running = false;
}

void flusher_destroy(broker_flusher_t *f)
{
    flusher_stop(f);
    free(f->queue);
    f->queue = NULL;
    pthread_cond_destroy(&f->idle);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
}

void flusher_request(broker_flusher_t *f, kl_log_t *log)
{
    pthread_mutex_lock(&f->lock);
    bool queued = false;
    for (size_t i = 0; i < f->count && !queued; i++)
        queued = f->queue[i] == log;
    if (!queued && f->running && f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        kl_log_t **grown = realloc(f->queue, cap * sizeof *grown);
        if (grown) {
            f->queue = grown;
            f->cap = cap;
        }
    }
    /* Out of memory: the flush timer or the next append asks again. */
    if (!queued && f->running && f->count < f->cap) {
        f->queue[f->count++] = log;
        pthread_cond_signal(&f->wake);
    }
    pthread_mutex_unlock(&f->lock);
}

void flusher_forget(broker_flusher_t *f, kl_log_t *log)
{
    pthread_mutex_lock(&f->lock);
    size_t kept = 0;
    for (size_t i = 0; i < f->count; i++)
        if (f->queue[i] != log)
            f->queue[kept++] = f->queue[i];
    f->count = kept;
    while (f->busy == log)
        pthread_cond_wait(&f->idle, &f->lock);
    pthread_mutex_unlock(&f->lock);
}
