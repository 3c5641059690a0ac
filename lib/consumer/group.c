/* The consumer group as the consumer sees it: the cgrp (cgrp.h) runs the
 * membership on the I/O thread; here its revoke and assign events become
 * rebalance events served on the application's thread, offsets committed
 * (by hand, every auto.commit.interval.ms, before a revocation and at
 * close) and looked up, and the subscription handed over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/cgrp.h"
#include "consumer/consumer_impl.h"
#include "util/clock.h"
#include "util/conf.h"

/* How often poll tells the group it was called (max.poll.interval.ms is
 * much coarser). */
#define POLL_SEEN_EVERY_MS 500

/* ---- events from the group (io) -------------------------------------------------- */

static void note_group_locked(kl_consumer_t *c)
{
    const char *id = kl_cgrp_member_id(c->cgrp);
    if (id && (!c->member_id || strcmp(id, c->member_id))) {
        char *copy = strdup(id);
        if (copy) {
            free(c->member_id);
            c->member_id = copy;
        }
    }
    c->generation = kl_cgrp_generation(c->cgrp);
    c->protocol = !kl_cgrp_protocol(c->cgrp) ? "NONE" : kl_cgrp_cooperative(c->cgrp) ? "COOPERATIVE" : "EAGER";
}

static void enqueue_rebalance(kl_consumer_t *c, kl_err_t err, const kl_topic_partition_list_t *parts)
{
    cons_item_t *item = calloc(1, sizeof *item);
    kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(parts);
    pthread_mutex_lock(&c->lock);
    note_group_locked(c);
    if (item && copy) {
        item->kind = ITEM_REBALANCE;
        item->err = err;
        item->parts = copy;
        for (size_t i = 0; i < copy->count; i++)
            copy->elems[i].offset = parts->elems[i].offset;
        cons_enqueue_locked(c, item);
        item = NULL;
        copy = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (item || copy) {
        free(item);
        kl_topic_partition_list_destroy(copy);
        kl_log(c->log, KL_LOG_ERR, "CGRP", "out of memory queueing a rebalance: acknowledged without telling");
        kl_cgrp_rebalance_done(c->cgrp);
    }
}

static void commit_result(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg);

/* The stored offsets not committed yet of the assigned partitions (of
 * only, when not NULL), or NULL when there are none (lock held). */
static kl_topic_partition_list_t *uncommitted_locked(kl_consumer_t *c, const kl_topic_partition_list_t *only)
{
    kl_topic_partition_list_t *list = NULL;
    for (cons_part_t *p = c->parts; p; p = p->next) {
        if (p->stored < 0 || p->stored == p->committed)
            continue;
        if (only && !kl_topic_partition_list_find(only, p->topic, p->partition))
            continue;
        if (!list && !(list = kl_topic_partition_list_new(8)))
            return NULL;
        kl_topic_partition_t *e = kl_topic_partition_list_add(list, p->topic, p->partition);
        if (!e)
            break;
        e->offset = p->stored;
        e->leader_epoch = p->stored_epoch;
    }
    return list;
}

/* (io) commits what auto-commit should, of only (or everything). */
static void auto_commit(kl_consumer_t *c, const kl_topic_partition_list_t *only)
{
    if (!c->s.auto_commit)
        return;
    pthread_mutex_lock(&c->lock);
    kl_topic_partition_list_t *list = uncommitted_locked(c, only);
    pthread_mutex_unlock(&c->lock);
    if (list)
        kl_cgrp_commit(c->cgrp, list, commit_result, c);
    kl_topic_partition_list_destroy(list);
}

static void ev_revoke(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *parts, bool lost, void *opaque)
{
    (void)cgrp;
    kl_consumer_t *c = opaque;
    /* stop at once: nothing more of these partitions comes out of poll */
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < parts->count; i++) {
        cons_part_t *p = cons_part_find_locked(c, parts->elems[i].topic, parts->elems[i].partition);
        if (p) {
            p->version++;
            p->state = PART_STOPPED;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (!lost)
        auto_commit(c, parts);
    enqueue_rebalance(c, lost ? KL_ERR_ASSIGNMENT_LOST : KL_ERR_REVOKE_PARTITIONS, parts);
}

static void ev_assign(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *parts, void *opaque)
{
    (void)cgrp;
    enqueue_rebalance(opaque, KL_ERR_ASSIGN_PARTITIONS, parts);
}

static void ev_error(kl_cgrp_t *cgrp, kl_err_t err, const char *reason, void *opaque)
{
    (void)cgrp;
    kl_consumer_t *c = opaque;
    pthread_mutex_lock(&c->lock);
    cons_enqueue_error_locked(c, NULL, err, KL_OFFSET_INVALID, "%s", reason ? reason : kl_err_str(err));
    pthread_mutex_unlock(&c->lock);
}

static void commit_timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    kl_consumer_t *c = t->opaque;
    auto_commit(c, NULL);
    if (!atomic_load(&c->stopping))
        kl_timer_start(loop, t, c->s.commit_interval_ms);
}

static void start_task(void *arg)
{
    kl_consumer_t *c = arg;
    if (c->s.auto_commit && c->s.commit_interval_ms > 0)
        kl_timer_start(kl_client_loop(c->client), &c->commit_timer, c->s.commit_interval_ms);
}

kl_err_t cons_group_init(kl_consumer_t *c, char *errstr, size_t errstr_size)
{
    c->protocol = "NONE";
    c->generation = -1;
    const char *group = kl_conf_get_str(kl_client_conf(c->client), "group.id");
    if (!group || !*group)
        return KL_ERR_NONE;
    static const kl_cgrp_events_t events = {ev_revoke, ev_assign, ev_error};
    c->cgrp = kl_cgrp_new(c->client, &events, c, errstr, errstr_size);
    if (!c->cgrp)
        return KL_ERR_INVALID_ARG;
    c->member_id = strdup("");
    kl_timer_init(&c->commit_timer, commit_timer_cb, c);
    if (kl_client_post(c->client, start_task, c) != 0)
        return KL_ERR_NOMEM;
    return c->member_id ? KL_ERR_NONE : KL_ERR_NOMEM;
}

void cons_group_broker_ready(kl_consumer_t *c, kl_client_broker_t *broker)
{
    if (c->cgrp)
        kl_cgrp_broker_ready(c->cgrp, broker);
}

void cons_group_broker_down(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    kl_consumer_t *c = opaque;
    if (c->cgrp)
        kl_cgrp_broker_down(c->cgrp, broker);
}

void cons_group_metadata(kl_consumer_t *c)
{
    if (c->cgrp)
        kl_cgrp_metadata(c->cgrp);
}

void cons_group_io_shutdown(kl_consumer_t *c)
{
    if (!c->cgrp)
        return;
    kl_timer_stop(kl_client_loop(c->client), &c->commit_timer);
    kl_cgrp_destroy(c->cgrp);
    c->cgrp = NULL;
}

/* ---- committed offsets as start positions (io) ------------------------------------ */

typedef struct fetch_start {
    void *slots;
    cons_lookup_cb *resolved;
    kl_consumer_t *c;
} fetch_start_t;

static void fetch_start_done(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg)
{
    (void)cgrp;
    fetch_start_t *fs = arg;
    kl_consumer_t *c = fs->c;
    /* Offsets found become the start; partitions without one go through
     * auto.offset.reset: resolved() treats a negative offset without an
     * error as "look it up again", so map them here. */
    kl_topic_partition_list_t *list = kl_topic_partition_list_copy(offsets);
    for (size_t i = 0; list && i < list->count; i++) {
        kl_topic_partition_t *e = &list->elems[i];
        e->offset = offsets->elems[i].offset;
        e->err = err ? err : offsets->elems[i].err;
        if (!e->err && e->offset < 0) {
            e->offset = c->s.reset == 0 ? KL_OFFSET_BEGINNING : c->s.reset == 1 ? KL_OFFSET_END : KL_OFFSET_INVALID;
            e->err = e->offset == KL_OFFSET_INVALID ? KL_ERR_NO_OFFSET : KL_ERR_NONE;
        }
    }
    if (!list) {
        list = kl_topic_partition_list_copy(offsets);
        for (size_t i = 0; list && i < list->count; i++)
            list->elems[i].err = KL_ERR_NOMEM;
    }
    fs->resolved(c, list, fs->slots);
    free(fs);
}

void cons_group_fetch_start(kl_consumer_t *c, kl_topic_partition_list_t *list, void *slots, cons_lookup_cb *resolved)
{
    fetch_start_t *fs = malloc(sizeof *fs);
    if (!fs) {
        for (size_t i = 0; i < list->count; i++)
            list->elems[i].err = KL_ERR_NOMEM;
        resolved(c, list, slots);
        return;
    }
    *fs = (fetch_start_t){slots, resolved, c};
    kl_cgrp_fetch_offsets(c->cgrp, list, fetch_start_done, fs);
    kl_topic_partition_list_destroy(list);
}

/* ---- rebalance events (application thread) ---------------------------------------- */

static void rebalance_done_task(void *arg)
{
    kl_consumer_t *c = arg;
    kl_log_debug(c->log, KL_DEBUG_CONSUMER, "REBALANCE", "rebalance handled by the application");
    if (c->cgrp)
        kl_cgrp_rebalance_done(c->cgrp);
}

void cons_group_serve_rebalance(kl_consumer_t *c, cons_item_t *item)
{
    pthread_mutex_lock(&c->lock);
    bool cooperative = c->protocol && !strcmp(c->protocol, "COOPERATIVE");
    pthread_mutex_unlock(&c->lock);
    kl_log_debug(c->log, KL_DEBUG_CONSUMER, "REBALANCE", "serving %s of %zu partitions", kl_err_name(item->err),
                 item->parts->count);
    if (c->rebalance_cb)
        c->rebalance_cb(c, item->err, item->parts, c->opaque);
    else if (item->err == KL_ERR_ASSIGN_PARTITIONS)
        (void)(cooperative ? kl_incremental_assign(c, item->parts) : kl_assign(c, item->parts));
    else
        (void)(cooperative ? kl_incremental_unassign(c, item->parts) : kl_assign(c, NULL));
    if (kl_client_post(c->client, rebalance_done_task, c) != 0)
        kl_log(c->log, KL_LOG_ERR, "CGRP", "cannot acknowledge a rebalance: out of memory");
}

static void poll_seen_task(void *arg)
{
    kl_consumer_t *c = arg;
    if (c->cgrp)
        kl_cgrp_poll_seen(c->cgrp);
}

void cons_group_poll_seen(kl_consumer_t *c)
{
    if (!c->cgrp)
        return;
    /* called for every message: the coarse clock is enough to report
     * polls every POLL_SEEN_EVERY_MS (the group keeps its own time) */
    long long now = kl_clock_coarse_ms(), last = atomic_load(&c->poll_seen_ms);
    if (now - last >= POLL_SEEN_EVERY_MS && atomic_compare_exchange_strong(&c->poll_seen_ms, &last, now))
        (void)kl_client_post(c->client, poll_seen_task, c);
}

/* ---- subscription ------------------------------------------------------------------ */

static void subscribe_task(void *arg)
{
    kl_consumer_t *c = arg;
    pthread_mutex_lock(&c->lock);
    size_t n = c->nsubscription;
    char **copy = n ? calloc(n, sizeof *copy) : NULL;
    for (size_t i = 0; copy && i < n; i++)
        copy[i] = strdup(c->subscription[i]);
    pthread_mutex_unlock(&c->lock);
    if (!c->cgrp || atomic_load(&c->stopping))
        ;
    else if (!n)
        kl_cgrp_unsubscribe(c->cgrp);
    else if (copy && kl_cgrp_subscribe(c->cgrp, (const char *const *)copy, n) != KL_ERR_NONE)
        kl_log(c->log, KL_LOG_ERR, "CGRP", "subscription refused by the group");
    for (size_t i = 0; copy && i < n; i++)
        free(copy[i]);
    free(copy);
}

static void free_subscription_locked(kl_consumer_t *c)
{
    for (size_t i = 0; i < c->nsubscription; i++)
        free(c->subscription[i]);
    free(c->subscription);
    c->subscription = NULL;
    c->nsubscription = 0;
}

kl_err_t kl_subscribe(kl_consumer_t *c, const char *const *topics, size_t count)
{
    if (!c->cgrp || !topics || !count)
        return KL_ERR_INVALID_ARG;
    char **copy = calloc(count, sizeof *copy);
    for (size_t i = 0; copy && i < count; i++)
        if (!topics[i] || !*topics[i] || !(copy[i] = strdup(topics[i]))) {
            for (size_t j = 0; j <= i; j++)
                free(copy[j]);
            free(copy);
            return topics[i] && *topics[i] ? KL_ERR_NOMEM : KL_ERR_INVALID_ARG;
        }
    if (!copy)
        return KL_ERR_NOMEM;
    pthread_mutex_lock(&c->lock);
    free_subscription_locked(c);
    c->subscription = copy;
    c->nsubscription = count;
    pthread_mutex_unlock(&c->lock);
    return kl_client_post(c->client, subscribe_task, c) ? KL_ERR_NOMEM : KL_ERR_NONE;
}

kl_err_t kl_unsubscribe(kl_consumer_t *c)
{
    if (!c->cgrp)
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    free_subscription_locked(c);
    pthread_mutex_unlock(&c->lock);
    return kl_client_post(c->client, subscribe_task, c) ? KL_ERR_NOMEM : KL_ERR_NONE;
}

kl_err_t kl_subscription(kl_consumer_t *c, kl_topic_partition_list_t **topicsp)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(4);
    if (!list)
        return KL_ERR_NOMEM;
    pthread_mutex_lock(&c->lock);
    bool ok = true;
    for (size_t i = 0; ok && i < c->nsubscription; i++)
        ok = kl_topic_partition_list_add(list, c->subscription[i], -1) != NULL;
    pthread_mutex_unlock(&c->lock);
    if (!ok) {
        kl_topic_partition_list_destroy(list);
        return KL_ERR_NOMEM;
    }
    *topicsp = list;
    return KL_ERR_NONE;
}

const char *kl_rebalance_protocol(kl_consumer_t *c)
{
    pthread_mutex_lock(&c->lock);
    const char *p = c->protocol ? c->protocol : "NONE";
    pthread_mutex_unlock(&c->lock);
    return p;
}

char *kl_consumer_memberid(kl_consumer_t *c)
{
    if (!c->cgrp)
        return NULL;
    pthread_mutex_lock(&c->lock);
    char *id = strdup(c->member_id ? c->member_id : "");
    pthread_mutex_unlock(&c->lock);
    return id;
}

/* ---- commits ----------------------------------------------------------------------- */

/* Marks what was committed (lock taken). */
static void note_committed(kl_consumer_t *c, kl_err_t err, const kl_topic_partition_list_t *offsets)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; !err && i < offsets->count; i++) {
        const kl_topic_partition_t *e = &offsets->elems[i];
        cons_part_t *p = e->err ? NULL : cons_part_find_locked(c, e->topic, e->partition);
        if (p)
            p->committed = e->offset;
    }
    pthread_mutex_unlock(&c->lock);
}

/* A commit the coordinator answered can still be refused partition by
 * partition (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, ...): the first
 * such error is the commit's, so that the application learns that these
 * offsets were not stored. */
static kl_err_t commit_error(kl_err_t err, const kl_topic_partition_list_t *offsets)
{
    for (size_t i = 0; !err && offsets && i < offsets->count; i++)
        err = offsets->elems[i].err;
    return err;
}

/* An automatic or asynchronous commit's result: noted, and queued for the
 * offset-commit callback, which poll serves. */
static void commit_result(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg)
{
    (void)cgrp;
    kl_consumer_t *c = arg;
    note_committed(c, err, offsets);
    err = commit_error(err, offsets);
    if (err)
        kl_log(c->log, KL_LOG_WARNING, "COMMIT", "offset commit failed: %s", kl_err_str(err));
    if (!c->commit_cb || err == KL_ERR_DESTROY)
        return;
    cons_item_t *item = calloc(1, sizeof *item);
    kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(offsets);
    if (!item || !copy) {
        free(item);
        kl_topic_partition_list_destroy(copy);
        return;
    }
    for (size_t i = 0; i < copy->count; i++) {
        copy->elems[i].offset = offsets->elems[i].offset;
        copy->elems[i].err = offsets->elems[i].err;
    }
    item->kind = ITEM_COMMIT;
    item->err = err;
    item->parts = copy;
    pthread_mutex_lock(&c->lock);
    cons_enqueue_locked(c, item);
    pthread_mutex_unlock(&c->lock);
}

/* Copies a group answer's offsets and errors into op->list. */
static void copy_results(cons_op_t *op, const kl_topic_partition_list_t *offsets)
{
    for (size_t i = 0; i < op->list->count && i < offsets->count; i++) {
        kl_topic_partition_t *e = &op->list->elems[i];
        e->offset = offsets->elems[i].offset;
        e->err = offsets->elems[i].err;
        e->leader_epoch = offsets->elems[i].leader_epoch;
        (void)kl_topic_partition_set_metadata(e, offsets->elems[i].metadata);
    }
}

static void sync_commit_done(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg)
{
    (void)cgrp;
    cons_op_t *op = arg;
    note_committed(op->c, err, offsets);
    copy_results(op, offsets);
    cons_op_done(op, commit_error(err, offsets));
}

static void run_commit(cons_op_t *op)
{
    if (op->arg) /* asynchronous: the result goes to poll */
        kl_cgrp_commit(op->c->cgrp, op->list, commit_result, op->c);
    if (op->arg)
        cons_op_done(op, KL_ERR_NONE);
    else
        kl_cgrp_commit(op->c->cgrp, op->list, sync_commit_done, op);
}

kl_err_t kl_commit(kl_consumer_t *c, const kl_topic_partition_list_t *offsets, int async)
{
    if (!c->cgrp)
        return KL_ERR_INVALID_ARG;
    kl_topic_partition_list_t *list;
    if (offsets)
        list = kl_topic_partition_list_copy(offsets);
    else {
        pthread_mutex_lock(&c->lock);
        list = uncommitted_locked(c, NULL);
        pthread_mutex_unlock(&c->lock);
        if (!list)
            return KL_ERR_NOENT;
    }
    for (size_t i = 0; offsets && list && i < list->count; i++) {
        list->elems[i].offset = offsets->elems[i].offset;
        list->elems[i].leader_epoch = offsets->elems[i].leader_epoch;
    }
    cons_op_t *op = list ? cons_op_new(c, run_commit, (int)(c->s.request_timeout_ms * 2)) : NULL;
    if (!op) {
        kl_topic_partition_list_destroy(list);
        return KL_ERR_NOMEM;
    }
    op->list = list;
    op->arg = async ? c : NULL;
    kl_err_t err = cons_op_wait(op);
    if (!async && err != KL_ERR_TIMED_OUT && err != KL_ERR_STATE && c->commit_cb)
        c->commit_cb(c, err, op->list, c->opaque);
    cons_op_release(op);
    return err;
}

kl_err_t kl_commit_message(kl_consumer_t *c, const kl_message_t *msg, int async)
{
    if (!msg || msg->err || !msg->topic)
        return KL_ERR_INVALID_ARG;
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    if (!list || kl_topic_partition_list_set_offset(list, msg->topic, msg->partition, msg->offset + 1)) {
        kl_topic_partition_list_destroy(list);
        return KL_ERR_NOMEM;
    }
    list->elems[0].leader_epoch = msg->leader_epoch;
    kl_err_t err = kl_commit(c, list, async);
    kl_topic_partition_list_destroy(list);
    return err;
}

static void committed_done(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg)
{
    (void)cgrp;
    cons_op_t *op = arg;
    copy_results(op, offsets);
    cons_op_done(op, err);
}

static void run_committed(cons_op_t *op) { kl_cgrp_fetch_offsets(op->c->cgrp, op->list, committed_done, op); }

kl_err_t kl_committed(kl_consumer_t *c, kl_topic_partition_list_t *parts, int timeout_ms)
{
    if (!c->cgrp || !parts)
        return KL_ERR_INVALID_ARG;
    cons_op_t *op = cons_op_new(c, run_committed, timeout_ms);
    kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(parts);
    if (!op || !copy) {
        free(op);
        kl_topic_partition_list_destroy(copy);
        return KL_ERR_NOMEM;
    }
    op->list = copy;
    kl_err_t err = cons_op_wait(op);
    if (err != KL_ERR_TIMED_OUT && err != KL_ERR_STATE)
        for (size_t i = 0; i < parts->count; i++) {
            kl_topic_partition_t *e = &parts->elems[i];
            e->offset = copy->elems[i].offset;
            e->err = copy->elems[i].err;
            e->leader_epoch = copy->elems[i].leader_epoch;
            (void)kl_topic_partition_set_metadata(e, copy->elems[i].metadata);
        }
    cons_op_release(op);
    return err;
}

/* ---- close ------------------------------------------------------------------------- */

static void close_done(void *arg) { cons_op_done(arg, KL_ERR_NONE); }

static void run_close(cons_op_t *op)
{
    kl_consumer_t *c = op->c;
    kl_timer_stop(kl_client_loop(c->client), &c->commit_timer);
    auto_commit(c, NULL);
    kl_cgrp_close(c->cgrp, close_done, op);
}

void cons_group_close(kl_consumer_t *c)
{
    if (!c->cgrp)
        return;
    cons_op_t *op = cons_op_new(c, run_close, (int)c->s.request_timeout_ms + 5000);
    if (!op)
        return;
    if (cons_op_post(op) == KL_ERR_NONE) {
        /* the revocation on the way out needs the application's callback:
         * serve the queue while waiting (messages are dropped) */
        for (;;) {
            if (kl_sync_call_is_done(&op->call) || kl_clock_ms() >= op->deadline_ms)
                break;
            kl_message_destroy(kl_consumer_poll(c, 100));
        }
    }
    cons_op_release(op);
}
