/* The consumer handle: settings checked at creation, the application's
 * queue that the I/O thread fills (fetched batches, error and event
 * messages, rebalance events, commit results) and kl_consumer_poll()
 * drains on the application's thread, and the life cycle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cond.h"
#include "consumer/cgrp.h"
#include "consumer/consumer_impl.h"
#include "util/clock.h"
#include "util/conf.h"
#include "util/errstr.h"

void kl_conf_set_rebalance_cb(kl_conf_t *conf, kl_rebalance_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_REBALANCE] = (kl_conf_fn_t)cb;
}

void kl_conf_set_offset_commit_cb(kl_conf_t *conf, kl_offset_commit_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_OFFSET_COMMIT] = (kl_conf_fn_t)cb;
}

/* ---- settings ------------------------------------------------------------------ */

static void read_settings(kl_consumer_t *c, const kl_conf_t *conf)
{
    cons_settings_t *s = &c->s;
    s->fetch_min_bytes = (int32_t)kl_conf_get_int(conf, "fetch.min.bytes");
    s->fetch_max_bytes = (int32_t)kl_conf_get_int(conf, "fetch.max.bytes");
    s->partition_max_bytes = (int32_t)kl_conf_get_int(conf, "max.partition.fetch.bytes");
    s->fetch_wait_ms = (int32_t)kl_conf_get_int(conf, "fetch.wait.max.ms");
    s->queued_min_messages = (size_t)kl_conf_get_int(conf, "queued.min.messages");
    s->queued_max_bytes = (size_t)kl_conf_get_int(conf, "queued.max.messages.kbytes") * 1024;
    s->isolation = (int8_t)kl_conf_get_int(conf, "isolation.level");
    s->check_crcs = kl_conf_get_bool(conf, "check.crcs");
    s->partition_eof = kl_conf_get_bool(conf, "enable.partition.eof");
    s->reset = (int)kl_conf_get_int(conf, "auto.offset.reset");
    s->auto_store = kl_conf_get_bool(conf, "enable.auto.offset.store");
    s->auto_commit = kl_conf_get_bool(conf, "enable.auto.commit");
    s->commit_interval_ms = kl_conf_get_int(conf, "auto.commit.interval.ms");
    s->error_backoff_ms = kl_conf_get_int(conf, "fetch.error.backoff.ms");
    s->request_timeout_ms = kl_conf_get_int(conf, "socket.timeout.ms");
    if (s->fetch_max_bytes < s->partition_max_bytes)
        s->fetch_max_bytes = s->partition_max_bytes;
    const kl_conf_hooks_t *hooks = kl_conf_hooks_get(conf);
    c->rebalance_cb = (kl_rebalance_cb *)hooks->fn[KL_CONF_HOOK_REBALANCE];
    c->commit_cb = (kl_offset_commit_cb *)hooks->fn[KL_CONF_HOOK_OFFSET_COMMIT];
    c->opaque = hooks->opaque;
}

/* ---- life cycle ------------------------------------------------------------------ */

static void fetch_timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    cons_io_resolve_offsets(t->opaque);
    cons_io_fetch(t->opaque);
}

kl_consumer_t *kl_consumer_new(const kl_conf_t *conf, char *errstr, size_t errstr_size)
{
    kl_conf_t *copy;
    kl_consumer_t *c = kl_client_handle_new(conf, sizeof *c, &copy, &errstr, &errstr_size);
    if (!c)
        return NULL;
    read_settings(c, copy);
    pthread_mutex_init(&c->lock, NULL);
    kl_cond_init(&c->cond);
    kl_client_events_t ev = {cons_io_broker_ready, cons_group_broker_down, cons_io_metadata};
    c->client = kl_client_new(copy, &ev, c, errstr, errstr_size);
    if (!c->client) {
        kl_consumer_destroy(c);
        return NULL;
    }
    c->log = kl_client_log(c->client);
    kl_log_attach(c->log, &c->lock, &c->cond);
    kl_timer_init(&c->fetch_timer, fetch_timer_cb, c);
    if (cons_group_init(c, errstr, errstr_size) != KL_ERR_NONE) {
        if (!errstr[0])
            kl_errstr_set(errstr, errstr_size, "out of memory");
        kl_consumer_destroy(c);
        return NULL;
    }
    if (kl_client_start(c->client, errstr, errstr_size) != KL_ERR_NONE) {
        kl_consumer_destroy(c);
        return NULL;
    }
    return c;
}

static void wake_task(void *arg)
{
    kl_consumer_t *c = arg;
    atomic_store(&c->wake_posted, false);
    if (atomic_load(&c->stopping))
        return;
    cons_io_resolve_offsets(c);
    cons_io_fetch(c);
}

void cons_wake(kl_consumer_t *c)
{
    if (!atomic_exchange(&c->wake_posted, true) && kl_client_post(c->client, wake_task, c) != 0)
        atomic_store(&c->wake_posted, false);
}

/* Drops every queued item (lock held). */
static void queue_clear_locked(kl_consumer_t *c)
{
    cons_item_t *item = c->q_head;
    c->q_head = c->q_tail = NULL;
    while (item) {
        cons_item_t *next = item->next;
        cons_item_drop_locked(c, item);
        item = next;
    }
}

static void io_shutdown(void *arg)
{
    kl_consumer_t *c = arg;
    kl_timer_stop(kl_client_loop(c->client), &c->fetch_timer);
    cons_io_lookups_end(c);
    cons_group_io_shutdown(c);
}

kl_err_t kl_consumer_close(kl_consumer_t *c)
{
    pthread_mutex_lock(&c->lock);
    bool was = c->closing || c->closed;
    c->closing = true;
    pthread_mutex_unlock(&c->lock);
    if (was)
        return KL_ERR_STATE;
    cons_group_close(c);
    pthread_mutex_lock(&c->lock);
    c->closed = true;
    pthread_mutex_unlock(&c->lock);
    atomic_store(&c->stopping, true);
    kl_client_stop(c->client, io_shutdown, c);
    pthread_mutex_lock(&c->lock);
    queue_clear_locked(c);
    pthread_mutex_unlock(&c->lock);
    kl_log_serve(c->log);
    return KL_ERR_NONE;
}

void kl_consumer_destroy(kl_consumer_t *c)
{
    if (!c)
        return;
    if (c->client) {
        if (!c->closed)
            kl_consumer_close(c);
        kl_client_destroy(c->client);
    } else
        kl_cgrp_destroy(c->cgrp); /* never started */
    cons_parts_free(c);
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->nsubscription; i++)
        free(c->subscription[i]);
    pthread_mutex_unlock(&c->lock);
    free(c->subscription);
    free(c->member_id);
    free(c->busy_nodes);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* ---- the application's queue ---------------------------------------------------- */

void cons_enqueue_locked(kl_consumer_t *c, cons_item_t *item)
{
    item->next = NULL;
    if (c->q_tail)
        c->q_tail->next = item;
    else
        c->q_head = item;
    c->q_tail = item;
    c->queued_bytes += item->bytes;
    if (item->part && item->kind == ITEM_BATCH)
        item->part->queued += item->buf->nmsgs - item->idx;
    pthread_cond_broadcast(&c->cond);
}

void cons_enqueue_error_locked(kl_consumer_t *c, cons_part_t *part, kl_err_t err, int64_t offset, const char *fmt,
                               ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    cons_item_t *item = calloc(1, sizeof *item);
    kl_message_t *m = kl_message_new_error(part ? part->topic : NULL, part ? part->partition : -1, offset, err, reason);
    if (!item || !m) {
        free(item);
        kl_message_destroy(m);
        kl_log(c->log, KL_LOG_ERR, "CONSUMER", "out of memory reporting: %s", reason);
        return;
    }
    item->kind = ITEM_MESSAGE;
    item->msg = m;
    if (part) {
        item->part = part;
        item->version = part->version;
        part->refs++;
    }
    cons_enqueue_locked(c, item);
}

/* Takes an item off the head (lock held), undoing its accounting. */
static void item_unlink_locked(kl_consumer_t *c, cons_item_t *item)
{
    c->q_head = item->next;
    if (!c->q_head)
        c->q_tail = NULL;
    item->next = NULL;
    c->queued_bytes -= item->bytes;
    item->bytes = 0;
}

void cons_item_drop_locked(kl_consumer_t *c, cons_item_t *item)
{
    (void)c;
    if (item->buf) {
        size_t left = item->buf->nmsgs - item->idx;
        if (item->part)
            item->part->queued -= left;
        kl_msgbuf_release(item->buf, left);
    }
    kl_message_destroy(item->msg);
    kl_topic_partition_list_destroy(item->parts);
    if (item->part)
        cons_part_unref_locked(item->part);
    free(item);
}

/* Whether an item of a partition still counts: the partition is assigned
 * and was not sought or reset since the data was fetched. */
static bool item_current(const cons_item_t *item)
{
    return !item->part || (item->part->assigned && item->part->version == item->version);
}

/* The application takes message m of a partition: its position moves past
 * it, and with enable.auto.offset.store, the stored offset too. */
static void hand_out_locked(kl_consumer_t *c, cons_part_t *part, const kl_message_t *m)
{
    part->position = m->offset + 1;
    part->position_epoch = m->leader_epoch;
    if (c->s.auto_store) {
        part->stored = part->position;
        part->stored_epoch = m->leader_epoch;
    }
}

void cons_skip_locked(kl_consumer_t *c, const cons_item_t *item)
{
    cons_part_t *part = item->part;
    if (item->skip_to < 0 || (part->position >= 0 && part->position >= item->skip_to))
        return;
    part->position = item->skip_to;
    if (c->s.auto_store) {
        part->stored = part->position;
        part->stored_epoch = part->position_epoch;
    }
}

/* One callback item, called without the lock. */
static void serve_callback(kl_consumer_t *c, cons_item_t *item)
{
    if (item->kind == ITEM_COMMIT && c->commit_cb)
        c->commit_cb(c, item->err, item->parts, c->opaque);
    else if (item->kind == ITEM_REBALANCE)
        cons_group_serve_rebalance(c, item);
}

kl_message_t *kl_consumer_poll(kl_consumer_t *c, int timeout_ms)
{
    struct timespec ts;
    bool timed = timeout_ms >= 0, have_deadline = false;
    kl_message_t *out = NULL;
    bool wake = false;
    cons_group_poll_seen(c);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        kl_log_pump(c->log);
        cons_item_t *item = c->q_head;
        if (!item) {
            if (c->closed || timeout_ms == 0)
                break;
            if (!timed) {
                kl_log_wait(c->log, NULL);
                continue;
            }
            if (!have_deadline) { /* read the clock only when there is a wait */
                kl_cond_deadline(&ts, timeout_ms);
                have_deadline = true;
            }
            if (kl_log_wait(c->log, &ts) != 0)
                break;
            continue;
        }
        if (!item_current(item) ||
            (c->closing && (item->kind == ITEM_BATCH || item->kind == ITEM_SKIP || item->kind == ITEM_MESSAGE))) {
            item_unlink_locked(c, item);
            cons_item_drop_locked(c, item);
            wake = true;
            continue;
        }
        if (item->kind == ITEM_BATCH) {
            out = &item->buf->msgs[item->idx++];
            item->part->queued--;
            hand_out_locked(c, item->part, out);
            if (item->idx == item->buf->nmsgs) {
                cons_skip_locked(c, item);
                item_unlink_locked(c, item);
                cons_item_drop_locked(c, item);
                wake = true;
            } else if (item->part->queued + 1 == c->s.queued_min_messages)
                wake = true;
            break;
        }
        item_unlink_locked(c, item);
        if (item->kind == ITEM_SKIP) {
            cons_skip_locked(c, item);
            cons_item_drop_locked(c, item);
            continue;
        }
        if (item->kind == ITEM_MESSAGE) {
            out = item->msg;
            item->msg = NULL;
            cons_item_drop_locked(c, item);
            break;
        }
        pthread_mutex_unlock(&c->lock);
        serve_callback(c, item);
        pthread_mutex_lock(&c->lock);
        cons_item_drop_locked(c, item);
    }
    pthread_mutex_unlock(&c->lock);
    if (wake)
        cons_wake(c);
    return out;
}
