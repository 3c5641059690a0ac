/* Client logging (see log.h): filtering, the queue for the application's
 * callback, standard error otherwise; plus the public conf setters for the
 * log callback and the opaque pointer. */
#include "client/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"

/* Lines beyond this wait nowhere: they are counted and reported once the
 * application polls again. */
#define MAX_QUEUED 10000

struct kl_log_line {
    kl_log_line_t *next;
    int level;
    char facility[16];
    char message[];
};

void kl_conf_set_log_cb(kl_conf_t *conf, kl_log_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_LOG] = (kl_conf_fn_t)cb;
}

void kl_conf_set_opaque(kl_conf_t *conf, void *opaque) { kl_conf_hooks(conf)->opaque = opaque; }

void kl_log_init(kl_log_t *log, const kl_conf_t *conf)
{
    memset(log, 0, sizeof *log);
    atomic_init(&log->app_pending, false);
    log->level = (int)kl_conf_get_int(conf, "log_level");
    log->debug = kl_conf_get_int(conf, "debug");
    const kl_conf_hooks_t *hooks = kl_conf_hooks_get(conf);
    log->cb = (kl_log_cb *)hooks->fn[KL_CONF_HOOK_LOG];
    log->opaque = hooks->opaque;
    snprintf(log->name, sizeof log->name, "%s", kl_conf_get_str(conf, "client.id"));
    pthread_mutex_init(&log->lock, NULL);
}

void kl_log_free(kl_log_t *log)
{
    kl_log_line_t *l = log->head;
    while (l) {
        kl_log_line_t *next = l->next;
        free(l);
        l = next;
    }
    log->head = log->tail = NULL;
    pthread_mutex_destroy(&log->lock);
}

/* Wakes the application thread waiting in kl_log_wait(). Under its lock
 * when that is free, so the wake cannot fall between the waiter's check and
 * its wait; but a thread may log while holding that lock (the consumer's
 * I/O thread does), and waiting for it there would deadlock: then the
 * broadcast goes without the lock, and in the rare case the waiter was
 * just about to wait, the lines are served at its next wake. */
static void wake_app(kl_log_t *log)
{
    atomic_store(&log->app_pending, true);
    if (pthread_mutex_trylock(log->app_lock) == 0) {
        pthread_cond_broadcast(log->app_cond);
        pthread_mutex_unlock(log->app_lock);
    } else {
        pthread_cond_broadcast(log->app_cond);
    }
}

static void emit(kl_log_t *log, int level, const char *facility, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!log->cb) {
        fprintf(stderr, "%%%d|%s|%s| %s\n", level, log->name, facility, msg);
        return;
    }
    size_t n = strlen(msg) + 1;
    kl_log_line_t *line = malloc(sizeof *line + n);
    pthread_mutex_lock(&log->lock);
    if (!line || log->queued >= MAX_QUEUED) {
        log->dropped++;
        pthread_mutex_unlock(&log->lock);
        free(line);
        return;
    }
    line->next = NULL;
    line->level = level;
    snprintf(line->facility, sizeof line->facility, "%s", facility);
    memcpy(line->message, msg, n);
    if (log->tail)
        log->tail->next = line;
    else
        log->head = line;
    log->tail = line;
    log->queued++;
    pthread_mutex_unlock(&log->lock);
    if (log->app_lock)
        wake_app(log);
}

void kl_log(kl_log_t *log, int level, const char *facility, const char *fmt, ...)
{
    if (!kl_log_enabled(log, level, 0))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(log, level, facility, fmt, ap);
    va_end(ap);
}

void kl_log_debug(kl_log_t *log, int64_t context, const char *facility, const char *fmt, ...)
{
    if (!kl_log_enabled(log, KL_LOG_DEBUG, context))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(log, KL_LOG_DEBUG, facility, fmt, ap);
    va_end(ap);
}

static int serve_lines(kl_log_t *log);

int kl_log_serve(kl_log_t *log)
{
    int n = log->cb ? serve_lines(log) : 0;
    if (log->app_task)
        log->app_task(log->app_task_arg);
    return n;
}

static int serve_lines(kl_log_t *log)
{
    pthread_mutex_lock(&log->lock);
    kl_log_line_t *l = log->head;
    size_t dropped = log->dropped;
    log->head = log->tail = NULL;
    log->queued = 0;
    log->dropped = 0;
    pthread_mutex_unlock(&log->lock);
    int n = 0;
    if (dropped) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu log lines dropped: the application did not poll in time", dropped);
        log->cb(log->opaque, KL_LOG_WARNING, "LOG", msg);
        n++;
    }
    while (l) {
        kl_log_line_t *next = l->next;
        log->cb(log->opaque, l->level, l->facility, l->message);
        free(l);
        l = next;
        n++;
    }
    return n;
}

void kl_log_attach(kl_log_t *log, pthread_mutex_t *lock, pthread_cond_t *cond)
{
    log->app_lock = lock;
    log->app_cond = cond;
}

void kl_log_pump(kl_log_t *log)
{
    if (!atomic_exchange(&log->app_pending, false))
        return;
    pthread_mutex_unlock(log->app_lock);
    kl_log_serve(log);
    pthread_mutex_lock(log->app_lock);
}

int kl_log_wait(kl_log_t *log, const struct timespec *deadline)
{
    int rc = 0;
    if (!atomic_load(&log->app_pending))
        rc = deadline ? pthread_cond_timedwait(log->app_cond, log->app_lock, deadline)
                      : pthread_cond_wait(log->app_cond, log->app_lock);
    kl_log_pump(log);
    return rc;
}
