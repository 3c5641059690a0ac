/* Logging for client handles: lines are filtered by log_level and the
 * debug contexts, then either written to standard error at once or, when
 * the application set a log callback, queued (bounded) and handed to the
 * callback from the application's own thread by kl_log_serve(), so no user
 * code ever runs on the I/O thread. Any thread may log.
 *
 * The pump: every handle attaches the lock and condition its application
 * calls wait on (kl_log_attach()); a queued line then wakes them, and every
 * poll or blocking call waits with kl_log_wait() (or calls kl_log_pump()),
 * which serves the lines on the waiting thread. */
#ifndef KL_CLIENT_LOG_H
#define KL_CLIENT_LOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kafkalite/conf.h"

#define KL_LOG_ERR 3
#define KL_LOG_WARNING 4
#define KL_LOG_NOTICE 5
#define KL_LOG_INFO 6
#define KL_LOG_DEBUG 7

typedef struct kl_log_line kl_log_line_t;

typedef struct kl_log {
    int level;      /* log_level */
    int64_t debug;  /* debug contexts (KL_DEBUG_* flags) */
    kl_log_cb *cb;  /* NULL: standard error */
    void *opaque;
    char name[64];  /* client.id, prefixed to standard-error lines */
    pthread_mutex_t lock;
    kl_log_line_t *head, *tail;
    size_t queued, dropped;
    /* The pump (kl_log_attach()): NULL until attached. */
    pthread_mutex_t *app_lock;
    pthread_cond_t *app_cond;
    atomic_bool app_pending; /* lines wait to be served */
    /* Other work for the application's thread, run by kl_log_serve()
     * after the lines (the OAUTHBEARER token refresh); NULL: none. */
    void (*app_task)(void *arg);
    void *app_task_arg;
} kl_log_t;

/* Reads log_level, debug, client.id and the log callback from conf. */
void kl_log_init(kl_log_t *log, const kl_conf_t *conf);
/* Drops lines still queued (kl_log_serve() them first to keep them). */
void kl_log_free(kl_log_t *log);

/* True when a line of that level (and, for KL_LOG_DEBUG, that debug
 * context) would be kept: callers skip building expensive messages. */
static inline bool kl_log_enabled(const kl_log_t *log, int level, int64_t context)
{
    return level == KL_LOG_DEBUG ? (log->debug & context) != 0 : level <= log->level;
}

void kl_log(kl_log_t *log, int level, const char *facility, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A debug line for one context (KL_DEBUG_BROKER, ...). */
void kl_log_debug(kl_log_t *log, int64_t context, const char *facility, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Application thread: runs the callback for every queued line, then the
 * app_task. Returns how many lines it served. */
int kl_log_serve(kl_log_t *log);

/* Once, before the handle's threads start: a queued line sets a flag and
 * broadcasts cond (under lock unless the lock is taken, so a thread may
 * log while holding it). */
void kl_log_attach(kl_log_t *log, pthread_mutex_t *lock, pthread_cond_t *cond);
/* Application thread, attached lock held: serves the lines waiting (the
 * lock released meanwhile). */
void kl_log_pump(kl_log_t *log);
/* Application thread, attached lock held: pthread_cond_timedwait() on the
 * attached condition (deadline NULL: pthread_cond_wait()), then
 * kl_log_pump(); returns 0 or ETIMEDOUT, and callers re-check what they
 * wait for either way. */
int kl_log_wait(kl_log_t *log, const struct timespec *deadline);

#endif
