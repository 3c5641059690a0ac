/* The assigned partitions as the application sees and changes them:
 * kl_assign() and the incremental variants, seek, pause and resume,
 * positions, stored offsets, cached watermarks and the lag view. The I/O
 * thread (fetcher.c, list_offsets.c) reads the same partitions under the
 * consumer's lock. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/consumer_impl.h"
#include "util/cond.h"

static cons_part_t *part_new(kl_consumer_t *c, const char *topic, int32_t partition)
{
    cons_part_t *p = calloc(1, sizeof *p);
    if (!p || !(p->topic = strdup(topic))) {
        free(p);
        return NULL;
    }
    p->partition = partition;
    p->refs = 1;
    p->assigned = true;
    p->position = p->stored = p->committed = KL_OFFSET_INVALID;
    p->position_epoch = p->stored_epoch = -1;
    p->lo = p->hi = p->lso = -1;
    p->eof_at = -1;
    p->max_bytes = c->s.partition_max_bytes;
    return p;
}

cons_part_t *cons_part_find_locked(kl_consumer_t *c, const char *topic, int32_t partition)
{
    for (cons_part_t *p = c->parts; p; p = p->next)
        if (p->partition == partition && !strcmp(p->topic, topic))
            return p;
    return NULL;
}

void cons_part_unref_locked(cons_part_t *p)
{
    if (--p->refs > 0)
        return;
    free(p->topic);
    free(p);
}

/* Drops the queued items of part (lock held); returns the first offset
 * not handed out among them, or -1 when none was queued. */
static int64_t purge_queue_locked(kl_consumer_t *c, cons_part_t *part)
{
    int64_t first = -1;
    cons_item_t **pp = &c->q_head, *last = NULL;
    while (*pp) {
        cons_item_t *item = *pp;
        if (item->part != part) {
            last = item;
            pp = &item->next;
            continue;
        }
        *pp = item->next;
        if (item->buf && item->version == part->version && first < 0)
            first = item->buf->msgs[item->idx].offset;
        if (item->kind == ITEM_SKIP && item->version == part->version && first < 0)
            cons_skip_locked(c, item); /* nothing before it left to hand out */
        c->queued_bytes -= item->bytes;
        item->bytes = 0;
        cons_item_drop_locked(c, item);
    }
    c->q_tail = last;
    return first;
}

void cons_part_restart_locked(cons_part_t *p, int64_t offset)
{
    p->version++;
    p->eof_at = -1;
    p->backoff_until = 0;
    if (offset == KL_OFFSET_INVALID)
        offset = KL_OFFSET_STORED;
    p->fetch_offset = offset;
    p->state = offset >= 0 ? PART_FETCHING : PART_NEED_OFFSET;
    p->position = offset >= 0 ? offset : KL_OFFSET_INVALID;
}

static void unassign_locked(kl_consumer_t *c, cons_part_t *p)
{
    cons_part_t **pp = &c->parts;
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    p->next = NULL;
    p->assigned = false;
    p->version++;
    purge_queue_locked(c, p);
    cons_part_unref_locked(p);
}

static kl_err_t add_locked(kl_consumer_t *c, const kl_topic_partition_t *e)
{
    if (!e->topic || e->partition < 0)
        return KL_ERR_INVALID_ARG;
    if (cons_part_find_locked(c, e->topic, e->partition))
        return KL_ERR_INVALID_ARG;
    cons_part_t *p = part_new(c, e->topic, e->partition);
    if (!p)
        return KL_ERR_NOMEM;
    cons_part_restart_locked(p, e->offset);
    cons_part_t **pp = &c->parts;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    return KL_ERR_NONE;
}

static kl_err_t check_open(kl_consumer_t *c)
{
    return c->closed ? KL_ERR_STATE : KL_ERR_NONE;
}

kl_err_t kl_assign(kl_consumer_t *c, const kl_topic_partition_list_t *parts)
{
    pthread_mutex_lock(&c->lock);
    kl_err_t err = check_open(c);
    for (size_t i = 0; !err && parts && i < parts->count; i++)
        for (size_t j = 0; !err && j < i; j++)
            if (parts->elems[i].partition == parts->elems[j].partition &&
                !strcmp(parts->elems[i].topic, parts->elems[j].topic))
                err = KL_ERR_INVALID_ARG; /* a duplicate */
    if (!err) {
        while (c->parts)
            unassign_locked(c, c->parts);
        for (size_t i = 0; !err && parts && i < parts->count; i++)
            err = add_locked(c, &parts->elems[i]);
    }
    pthread_mutex_unlock(&c->lock);
    if (!err)
        cons_wake(c);
    return err;
}

kl_err_t kl_incremental_assign(kl_consumer_t *c, const kl_topic_partition_list_t *parts)
{
    if (!parts)
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    kl_err_t err = check_open(c);
    for (size_t i = 0; !err && i < parts->count; i++) {
        const kl_topic_partition_t *e = &parts->elems[i];
        if (!e->topic || cons_part_find_locked(c, e->topic, e->partition))
            err = KL_ERR_INVALID_ARG;
        for (size_t j = 0; !err && j < i; j++)
            if (e->partition == parts->elems[j].partition && !strcmp(e->topic, parts->elems[j].topic))
                err = KL_ERR_INVALID_ARG;
    }
    for (size_t i = 0; !err && i < parts->count; i++)
        err = add_locked(c, &parts->elems[i]);
    pthread_mutex_unlock(&c->lock);
    if (!err)
        cons_wake(c);
    return err;
}

kl_err_t kl_incremental_unassign(kl_consumer_t *c, const kl_topic_partition_list_t *parts)
{
    if (!parts)
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    kl_err_t err = check_open(c);
    for (size_t i = 0; !err && i < parts->count; i++) {
        cons_part_t *p = parts->elems[i].topic
                             ? cons_part_find_locked(c, parts->elems[i].topic, parts->elems[i].partition)
                             : NULL;
        if (p)
            unassign_locked(c, p);
    }
    pthread_mutex_unlock(&c->lock);
    return err;
}

kl_err_t kl_assignment(kl_consumer_t *c, kl_topic_partition_list_t **partsp)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(8);
    if (!list)
        return KL_ERR_NOMEM;
    kl_err_t err = KL_ERR_NONE;
    pthread_mutex_lock(&c->lock);
    for (cons_part_t *p = c->parts; p && !err; p = p->next) {
        kl_topic_partition_t *e = kl_topic_partition_list_add(list, p->topic, p->partition);
        if (!e)
            err = KL_ERR_NOMEM;
        else
            e->offset = p->position;
    }
    pthread_mutex_unlock(&c->lock);
    if (err) {
        kl_topic_partition_list_destroy(list);
        return err;
    }
    *partsp = list;
    return KL_ERR_NONE;
}

void cons_parts_free(kl_consumer_t *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->parts)
        unassign_locked(c, c->parts);
    pthread_mutex_unlock(&c->lock);
}

/* ---- positions and offsets ------------------------------------------------------- */

/* A negative timeout waits this long at most. */
#define SEEK_FOREVER_MS (3600 * 1000)

/* Whether p's logical offset of version still waits for the fetcher to
 * resolve it to a position (lock held). */
static bool seek_pending_locked(const kl_consumer_t *c, const cons_part_t *p, uint32_t version)
{
    return p->assigned && p->version == version && !c->closing &&
           (p->state == PART_NEED_OFFSET || p->state == PART_RESOLVING);
}

/* Waits (lock held) until the fetcher resolved p's logical offset of
 * version to a position, or something else moved it on; TIMED_OUT when
 * timeout_ms passed first. */
static kl_err_t wait_resolved_locked(kl_consumer_t *c, cons_part_t *p, uint32_t version, int timeout_ms)
{
    struct timespec ts;
    kl_cond_deadline(&ts, timeout_ms < 0 ? SEEK_FOREVER_MS : timeout_ms);
    while (seek_pending_locked(c, p, version))
        if (kl_log_wait(c->log, &ts) != 0)
            return seek_pending_locked(c, p, version) ? KL_ERR_TIMED_OUT : KL_ERR_NONE;
    return KL_ERR_NONE;
}

kl_err_t kl_seek(kl_consumer_t *c, const char *topic, int32_t partition, int64_t offset, int timeout_ms)
{
    if (!topic || (offset < 0 && offset != KL_OFFSET_BEGINNING && offset != KL_OFFSET_END &&
                   offset != KL_OFFSET_STORED))
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    cons_part_t *p = cons_part_find_locked(c, topic, partition);
    if (!p) {
        pthread_mutex_unlock(&c->lock);
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    purge_queue_locked(c, p);
    cons_part_restart_locked(p, offset);
    uint32_t version = p->version;
    p->refs++; /* kept while waiting: an unassign may come meanwhile */
    pthread_mutex_unlock(&c->lock);
    cons_wake(c);
    kl_err_t err = KL_ERR_NONE;
    pthread_mutex_lock(&c->lock);
    if (timeout_ms != 0 && offset < 0)
        err = wait_resolved_locked(c, p, version, timeout_ms);
    cons_part_unref_locked(p);
    pthread_mutex_unlock(&c->lock);
    return err;
}

/* Applies fn to each element's assigned partition (lock held); elements
 * not assigned get UNKNOWN_TOPIC_OR_PARTITION, which is also returned. */
static kl_err_t for_each_locked(kl_consumer_t *c, kl_topic_partition_list_t *list,
                                void (*fn)(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e))
{
    kl_err_t err = KL_ERR_NONE;
    for (size_t i = 0; list && i < list->count; i++) {
        kl_topic_partition_t *e = &list->elems[i];
        cons_part_t *p = e->topic ? cons_part_find_locked(c, e->topic, e->partition) : NULL;
        e->err = p ? KL_ERR_NONE : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        if (p)
            fn(c, p, e);
        else
            err = e->err;
    }
    return err;
}

static kl_err_t apply(kl_consumer_t *c, kl_topic_partition_list_t *list,
                      void (*fn)(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e), bool wake)
{
    if (!list)
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    kl_err_t err = for_each_locked(c, list, fn);
    pthread_mutex_unlock(&c->lock);
    if (wake)
        cons_wake(c);
    return err;
}

/* Pausing drops what was fetched but not handed out (and what is in
 * flight): fetching resumes from the first message not handed out. */
static void do_pause(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e)
{
    (void)e;
    p->paused = true;
    if (p->state != PART_FETCHING)
        return;
    int64_t first = purge_queue_locked(c, p);
    if (first >= 0)
        p->fetch_offset = first;
    p->version++;
}

static void do_resume(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e)
{
    (void)c;
    (void)e;
    p->paused = false;
}

static void do_position(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e)
{
    (void)c;
    e->offset = p->position;
    e->leader_epoch = p->position_epoch;
}

static void do_store(kl_consumer_t *c, cons_part_t *p, kl_topic_partition_t *e)
{
    (void)c;
    p->stored = e->offset;
    p->stored_epoch = e->leader_epoch;
}

kl_err_t kl_pause(kl_consumer_t *c, kl_topic_partition_list_t *parts) { return apply(c, parts, do_pause, false); }
kl_err_t kl_resume(kl_consumer_t *c, kl_topic_partition_list_t *parts) { return apply(c, parts, do_resume, true); }
kl_err_t kl_position(kl_consumer_t *c, kl_topic_partition_list_t *parts) { return apply(c, parts, do_position, false); }

kl_err_t kl_offsets_store(kl_consumer_t *c, kl_topic_partition_list_t *offsets)
{
    for (size_t i = 0; offsets && i < offsets->count; i++)
        if (offsets->elems[i].offset < 0)
            return KL_ERR_INVALID_ARG;
    return apply(c, offsets, do_store, false);
}

kl_err_t kl_get_watermark_offsets(kl_consumer_t *c, const char *topic, int32_t partition, int64_t *lowp,
                                  int64_t *highp)
{
    if (!topic)
        return KL_ERR_INVALID_ARG;
    pthread_mutex_lock(&c->lock);
    cons_part_t *p = cons_part_find_locked(c, topic, partition);
    if (p) {
        if (lowp)
            *lowp = p->lo;
        if (highp)
            *highp = p->hi;
    }
    pthread_mutex_unlock(&c->lock);
    return p ? KL_ERR_NONE : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

int64_t cons_part_end(const kl_consumer_t *c, const cons_part_t *p)
{
    return c->s.isolation == KL_ISOLATION_READ_COMMITTED && p->lso >= 0 ? p->lso : p->hi;
}

kl_err_t kl_consumer_lag(kl_consumer_t *c, kl_partition_lag_t **lagsp, size_t *countp)
{
    pthread_mutex_lock(&c->lock);
    size_t n = 0;
    for (cons_part_t *p = c->parts; p; p = p->next)
        n++;
    kl_partition_lag_t *lags = calloc(n ? n : 1, sizeof *lags);
    size_t i = 0;
    for (cons_part_t *p = c->parts; lags && p; p = p->next, i++) {
        kl_partition_lag_t *l = &lags[i];
        if (!(l->topic = strdup(p->topic))) {
            kl_consumer_lag_destroy(lags, i);
            lags = NULL;
            break;
        }
        l->partition = p->partition;
        l->position = p->position >= 0 ? p->position : -1;
        l->committed = p->committed >= 0 ? p->committed : -1;
        l->high_watermark = p->hi;
        int64_t from = l->committed >= 0 ? l->committed : l->position, end = cons_part_end(c, p);
        l->lag = end >= 0 && from >= 0 ? (end > from ? end - from : 0) : -1;
    }
    pthread_mutex_unlock(&c->lock);
    if (!lags)
        return KL_ERR_NOMEM;
    *lagsp = lags;
    *countp = n;
    return KL_ERR_NONE;
}

void kl_consumer_lag_destroy(kl_partition_lag_t *lags, size_t count)
{
    for (size_t i = 0; lags && i < count; i++)
        free(lags[i].topic);
    free(lags);
}

void kl_consumer_lag_free(kl_partition_lag_t *lags, size_t count) { kl_consumer_lag_destroy(lags, count); }
