/* The admin handle and its operations: the application thread posts an
 * operation to the I/O thread and waits (client/sync_call.h) until the
 * operation finishes or its deadline passes. The deadline is kept on the
 * I/O thread (a timer), so the operation is always ended there and the
 * waiting thread never races the calls still running for it. */
#include "admin/admin_impl.h"
#include "util/cond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "client/log.h"
#include "util/conf.h"

/* A broker came up (calls may go) or went down (calls waiting for it ask
 * it to reconnect, a coordinator is looked up again). */
static void on_broker_ready(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    admin_coords_broker_ready(opaque, broker);
    admin_calls_kick(opaque);
}

static void on_broker_down(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    admin_coords_broker_down(opaque, broker);
    admin_calls_kick(opaque);
}

static void on_metadata(kl_client_t *client, void *opaque)
{
    (void)client;
    admin_calls_kick(opaque); /* calls waiting for a broker to be known */
}

static void on_deadline(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_admin_t *a = t->opaque;
    if (a->op)
        admin_op_finish(a->op, KL_ERR_TIMED_OUT, "no answer from the cluster before the timeout");
}

static void on_retry(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    admin_calls_kick(t->opaque);
}

kl_admin_t *kl_admin_new(const kl_conf_t *conf, char *errstr, size_t errstr_size)
{
    kl_conf_t *copy;
    kl_admin_t *a = kl_client_handle_new(conf, sizeof *a, &copy, &errstr, &errstr_size);
    if (!a)
        return NULL;
    kl_backoff_init(&a->backoff, copy);
    pthread_mutex_init(&a->run_lock, NULL);
    pthread_mutex_init(&a->lock, NULL);
    kl_cond_init(&a->cond);
    kl_timer_init(&a->deadline_timer, on_deadline, a);
    kl_timer_init(&a->retry_timer, on_retry, a);
    kl_client_events_t ev = {on_broker_ready, on_broker_down, on_metadata};
    a->client = kl_client_new(copy, &ev, a, errstr, errstr_size);
    if (!a->client) {
        kl_admin_destroy(a);
        return NULL;
    }
    kl_log_attach(kl_client_log(a->client), &a->lock, &a->cond);
    if (kl_client_start(a->client, errstr, errstr_size) != KL_ERR_NONE) {
        kl_admin_destroy(a);
        return NULL;
    }
    return a;
}

static void stop_timers(void *arg)
{
    kl_admin_t *a = arg;
    kl_timer_stop(kl_client_loop(a->client), &a->deadline_timer);
    kl_timer_stop(kl_client_loop(a->client), &a->retry_timer);
    admin_calls_drop(a);
    admin_coords_free(a);
}

void kl_admin_destroy(kl_admin_t *a)
{
    if (!a)
        return;
    if (a->client) {
        /* In-flight calls are answered with KL_ERR_DESTROY while the
         * connections close; no operation is running to hear them. */
        kl_client_stop(a->client, stop_timers, a);
        kl_log_serve(kl_client_log(a->client));
        kl_client_destroy(a->client);
    }
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->lock);
    pthread_mutex_destroy(&a->run_lock);
    free(a);
}

/* ---- operations ------------------------------------------------------------- */

static void start_task(kl_sync_call_t *call)
{
    admin_op_t *op = (admin_op_t *)call;
    kl_admin_t *a = op->admin;
    op->id = ++a->next_op_id;
    a->op = op;
    admin_coords_reset(a);
    int64_t left = op->deadline_ms - kl_clock_ms();
    kl_timer_start(kl_client_loop(a->client), &a->deadline_timer, left > 0 ? left : 0);
    op->start(op);
    if (!op->call.done && op->calls == 0)
        admin_op_finish(op, KL_ERR_NONE, NULL); /* nothing to ask */
    else
        admin_calls_kick(a);
}

void admin_op_finish(admin_op_t *op, kl_err_t err, const char *errstr)
{
    kl_admin_t *a = op->admin;
    if (op->call.done)
        return;
    kl_timer_stop(kl_client_loop(a->client), &a->deadline_timer);
    a->op = NULL;
    admin_calls_drop(a);
    if (err && errstr)
        snprintf(op->errstr, sizeof op->errstr, "%s", errstr);
    else if (err)
        snprintf(op->errstr, sizeof op->errstr, "%s", kl_err_str(err));
    kl_sync_call_done(&op->call, err); /* the waiter may return at once */
}

kl_err_t admin_op_run(kl_admin_t *a, admin_op_t *op, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    op->admin = a;
    op->deadline_ms = kl_clock_ms() + timeout_ms;
    /* The deadline is the I/O thread's timer (on_deadline), so the wait
     * itself has none; the application's log callback runs meanwhile. */
    kl_sync_call_init(&op->call, a->client, start_task, NULL, -1);
    pthread_mutex_lock(&a->run_lock);
    kl_err_t err = kl_sync_call_run(&op->call);
    kl_sync_call_release(&op->call);
    pthread_mutex_unlock(&a->run_lock);
    return err;
}
