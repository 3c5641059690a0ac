/* The housekeeping worker threads (see housekeeping.h): a queue of logs
 * and one or more threads that take them one at a time and call the
 * worker's function on each, so that fsyncs (the flusher) and compaction
 * (the cleaner) never run on the network thread. A log is queued at most
 * once and handled by one thread at a time. */
#include <errno.h>
#include <stdlib.h>

#include "broker/server.h"
#include "util/clock.h"

void log_worker_init(broker_log_worker_t *w, kl_broker_t *broker, log_work_fn *work, size_t threads)
{
    *w = (broker_log_worker_t){.broker = broker, .work = work, .thread_count = threads ? threads : 1};
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->idle, NULL);
}

static bool worker_busy_with(const broker_log_worker_t *w, const kl_log_t *log)
{
    for (size_t i = 0; i < w->started; i++)
        if (w->busy[i] == log)
            return true;
    return false;
}

/* The first queued log no other thread is on, now busy for thread slot;
 * NULL when told to stop (lock held). */
static kl_log_t *next_log(broker_log_worker_t *w, size_t slot)
{
    for (;;) {
        if (w->stop)
            return NULL;
        for (size_t i = 0; i < w->count; i++) {
            kl_log_t *log = w->queue[i];
            if (worker_busy_with(w, log))
                continue;
            w->count--;
            for (size_t k = i; k < w->count; k++)
                w->queue[k] = w->queue[k + 1];
            w->busy[slot] = log;
            return log;
        }
        pthread_cond_wait(&w->wake, &w->lock);
    }
}

typedef struct worker_thread {
    broker_log_worker_t *worker;
    size_t slot;
} worker_thread_t;

static void *worker_main(void *arg)
{
    worker_thread_t *t = arg;
    broker_log_worker_t *w = t->worker;
    size_t slot = t->slot;
    free(t);
    pthread_mutex_lock(&w->lock);
    for (kl_log_t *log; (log = next_log(w, slot)) != NULL;) {
        pthread_mutex_unlock(&w->lock);
        int64_t start_us = kl_clock_us();
        w->work(w->broker, log);
        atomic_fetch_add_explicit(&w->busy_us[slot], kl_clock_us() - start_us, memory_order_relaxed);
        pthread_mutex_lock(&w->lock);
        w->busy[slot] = NULL;
        pthread_cond_broadcast(&w->idle);
        pthread_cond_broadcast(&w->wake); /* the log may be queued again */
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int log_worker_start(broker_log_worker_t *w)
{
    w->stop = false;
    w->threads = calloc(w->thread_count, sizeof *w->threads);
    w->busy = calloc(w->thread_count, sizeof *w->busy);
    if (!w->busy_us)
        w->busy_us = calloc(w->thread_count, sizeof *w->busy_us); /* kept over a restart */
    if (!w->threads || !w->busy || !w->busy_us) {
        errno = ENOMEM;
        return -1;
    }
    for (w->started = 0; w->started < w->thread_count; w->started++) {
        worker_thread_t *t = malloc(sizeof *t);
        int rc = t ? 0 : ENOMEM;
        if (t) {
            *t = (worker_thread_t){w, w->started};
            rc = pthread_create(&w->threads[w->started], NULL, worker_main, t);
        }
        if (rc != 0) {
            free(t);
            log_worker_stop(w);
            errno = rc;
            return -1;
        }
    }
    w->running = true;
    return 0;
}

void log_worker_stop(broker_log_worker_t *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    w->count = 0;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < w->started; i++)
        pthread_join(w->threads[i], NULL);
    w->started = 0;
    w->running = false;
}

void log_worker_destroy(broker_log_worker_t *w)
{
    log_worker_stop(w);
    free(w->queue);
    free(w->threads);
    free(w->busy);
    free(w->busy_us);
    w->queue = NULL;
    w->threads = NULL;
    w->busy = NULL;
    w->busy_us = NULL;
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
}

int64_t log_worker_busy_us(const broker_log_worker_t *w, size_t thread)
{
    return w->busy_us && thread < w->thread_count
               ? atomic_load_explicit(&w->busy_us[thread], memory_order_relaxed)
               : 0;
}

void log_worker_request(broker_log_worker_t *w, kl_log_t *log)
{
    pthread_mutex_lock(&w->lock);
    bool queued = false;
    for (size_t i = 0; i < w->count && !queued; i++)
        queued = w->queue[i] == log;
    if (!queued && w->running && w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        kl_log_t **grown = realloc(w->queue, cap * sizeof *grown);
        if (grown) {
            w->queue = grown;
            w->cap = cap;
        }
    }
    /* Out of memory: the timer or the next append asks again. */
    if (!queued && w->running && w->count < w->cap) {
        w->queue[w->count++] = log;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
}

void log_worker_forget(broker_log_worker_t *w, kl_log_t *log)
{
    pthread_mutex_lock(&w->lock);
    size_t kept = 0;
    for (size_t i = 0; i < w->count; i++)
        if (w->queue[i] != log)
            w->queue[kept++] = w->queue[i];
    w->count = kept;
    while (worker_busy_with(w, log))
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}
