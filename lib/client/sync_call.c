/* "Post to the I/O thread and wait" (see sync_call.h). */
#include "client/sync_call.h"

#include <time.h>

#include "util/clock.h"
#include "util/cond.h"

static void run_task(void *arg)
{
    kl_sync_call_t *call = arg;
    call->run(call);
}

void kl_sync_call_init(kl_sync_call_t *call, kl_client_t *client, void (*run)(kl_sync_call_t *call),
                       void (*free_fn)(kl_sync_call_t *call), int timeout_ms)
{
    call->client = client;
    call->run = run;
    call->free = free_fn;
    call->deadline_ms = timeout_ms < 0 ? INT64_MAX : kl_clock_ms() + timeout_ms;
    call->refs = 2;
    call->done = false;
    call->err = KL_ERR_NONE;
}

/* Drops one reference under the attached lock; true when it was the last. */
static bool unref_locked(kl_sync_call_t *call) { return --call->refs == 0; }

void kl_sync_call_release(kl_sync_call_t *call)
{
    kl_log_t *log = kl_client_log(call->client);
    pthread_mutex_lock(log->app_lock);
    bool last = unref_locked(call);
    pthread_mutex_unlock(log->app_lock);
    if (last && call->free)
        call->free(call);
}

kl_err_t kl_sync_call_post(kl_sync_call_t *call)
{
    if (kl_client_post(call->client, run_task, call) == 0)
        return KL_ERR_NONE;
    kl_sync_call_release(call); /* the I/O thread's reference */
    return KL_ERR_NOMEM;
}

kl_err_t kl_sync_call_wait(kl_sync_call_t *call)
{
    kl_log_t *log = kl_client_log(call->client);
    struct timespec ts;
    bool bounded = call->deadline_ms != INT64_MAX;
    if (bounded)
        kl_cond_deadline_at(&ts, call->deadline_ms);
    pthread_mutex_lock(log->app_lock);
    while (!call->done && kl_log_wait(log, bounded ? &ts : NULL) == 0)
        ;
    kl_err_t err = call->done ? call->err : KL_ERR_TIMED_OUT;
    kl_log_pump(log);
    pthread_mutex_unlock(log->app_lock);
    return err;
}

kl_err_t kl_sync_call_run(kl_sync_call_t *call)
{
    kl_err_t err = kl_sync_call_post(call);
    return err ? err : kl_sync_call_wait(call);
}

bool kl_sync_call_is_done(kl_sync_call_t *call)
{
    kl_log_t *log = kl_client_log(call->client);
    pthread_mutex_lock(log->app_lock);
    bool done = call->done;
    pthread_mutex_unlock(log->app_lock);
    return done;
}

void kl_sync_call_done(kl_sync_call_t *call, kl_err_t err)
{
    kl_log_t *log = kl_client_log(call->client);
    pthread_mutex_lock(log->app_lock);
    call->err = err;
    call->done = true;
    pthread_cond_broadcast(log->app_cond);
    bool last = unref_locked(call);
    pthread_mutex_unlock(log->app_lock);
    if (last && call->free)
        call->free(call);
}
