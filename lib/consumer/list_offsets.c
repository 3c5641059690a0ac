/* ListOffsets on the consumer's I/O thread: a lookup of many partitions
 * (one request per leader, retried while leaders move, until a deadline),
 * used to turn KL_OFFSET_BEGINNING / KL_OFFSET_END into offsets, to apply
 * auto.offset.reset, and for kl_query_watermark_offsets() and
 * kl_offsets_for_times(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/consumer_impl.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_fetch.h"
#include "util/arena.h"
#include "util/clock.h"

/* v1 is the first with a single offset per partition; v2 adds the
 * isolation level. v4+ only add leader epochs, which we do not need, and
 * older librdkafka mock clusters encode v4+ answers with an 8-byte leader
 * epoch that no decoder can read: v3 works everywhere. */
#define LIST_OFFSETS_VERSION_MAX 3
#define LIST_OFFSETS_VERSION_MIN 1
#define LOOKUP_RETRY_MS 100

typedef struct cons_lookup {
    struct cons_lookup *next;
    kl_consumer_t *c;
    kl_topic_partition_list_t *list;
    int64_t *timestamps; /* the list's offsets as given */
    bool *todo;
    int pending;         /* requests in flight */
    int64_t deadline_ms;
    cons_lookup_cb *done;
    void *arg;
    kl_timer_t retry;
} cons_lookup_t;

typedef struct lookup_req {
    cons_lookup_t *lk;
    int16_t version;
    size_t n;
    size_t idx[]; /* elements of lk->list */
} lookup_req_t;

static void lookup_send(cons_lookup_t *lk);

static void lookup_finish(cons_lookup_t *lk, kl_err_t err)
{
    kl_consumer_t *c = lk->c;
    for (cons_lookup_t **pp = &c->lookups; *pp; pp = &(*pp)->next)
        if (*pp == lk) {
            *pp = lk->next;
            break;
        }
    kl_timer_stop(kl_client_loop(c->client), &lk->retry);
    for (size_t i = 0; i < lk->list->count; i++)
        if (lk->todo[i]) {
            lk->list->elems[i].err = err;
            lk->list->elems[i].offset = KL_OFFSET_INVALID;
        }
    lk->done(c, lk->list, lk->arg);
    free(lk->timestamps);
    free(lk->todo);
    free(lk);
}

/* Sends again, or gives up once the deadline passed. */
static void lookup_retry_later(cons_lookup_t *lk)
{
    int64_t now = kl_clock_ms();
    if (now >= lk->deadline_ms || atomic_load(&lk->c->stopping)) {
        lookup_finish(lk, KL_ERR_TIMED_OUT);
        return;
    }
    if (!kl_timer_active(&lk->retry))
        kl_timer_start(kl_client_loop(lk->c->client), &lk->retry, LOOKUP_RETRY_MS);
}

static void retry_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    lookup_send(t->opaque);
}

static bool retriable(kl_err_t err)
{
    return err == KL_ERR_NOT_LEADER_OR_FOLLOWER || err == KL_ERR_LEADER_NOT_AVAILABLE ||
           err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION || err == KL_ERR_FENCED_LEADER_EPOCH ||
           err == KL_ERR_UNKNOWN_LEADER_EPOCH || err == KL_ERR_OFFSET_NOT_AVAILABLE || err == KL_ERR_TRANSPORT ||
           err == KL_ERR_TIMED_OUT || err == KL_ERR_REQUEST_TIMED_OUT;
}

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    lookup_req_t *req = arg;
    cons_lookup_t *lk = req->lk;
    kl_consumer_t *c = lk->c;
    lk->pending--;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_list_offsets_response_t resp;
    if (!err) {
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = kl_proto_read_response(&rd, kl_api_find(KL_API_LIST_OFFSETS), req->version, &corr, &arena, &resp);
    }
    bool again = false;
    for (size_t k = 0; k < req->n; k++) {
        kl_topic_partition_t *e = &lk->list->elems[req->idx[k]];
        kl_err_t perr = err ? err : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        for (int32_t i = 0; !err && i < resp.topics.count; i++) {
            const kl_list_offsets_response_topic_t *t = &resp.topics.items[i];
            for (int32_t j = 0; kl_str_eq(t->name, e->topic) && j < t->partitions.count; j++) {
                const kl_list_offsets_response_partition_t *pr = &t->partitions.items[j];
                if (pr->partition_index != e->partition)
                    continue;
                perr = (kl_err_t)pr->error_code;
                e->offset = pr->offset;
                e->leader_epoch = pr->leader_epoch;
            }
        }
        e->err = perr;
        if (perr && retriable(perr) && perr != KL_ERR_DESTROY)
            again = true;
        else
            lk->todo[req->idx[k]] = false;
    }
    kl_arena_free(&arena);
    free(req);
    if (err == KL_ERR_DESTROY || atomic_load(&c->stopping)) {
        if (!lk->pending)
            lookup_finish(lk, KL_ERR_DESTROY);
        return;
    }
    if (again)
        kl_client_refresh_metadata(c->client, "ListOffsets error");
    if (lk->pending)
        return;
    bool left = false;
    for (size_t i = 0; i < lk->list->count; i++)
        left |= lk->todo[i];
    if (left)
        lookup_retry_later(lk);
    else
        lookup_finish(lk, KL_ERR_NONE);
}

/* Sends one request per leader for the elements still to do. */
static void lookup_send(cons_lookup_t *lk)
{
    kl_consumer_t *c = lk->c;
    size_t n = lk->list->count;
    kl_client_broker_t **leaders = calloc(n ? n : 1, sizeof *leaders);
    bool waiting = false;
    for (size_t i = 0; leaders && i < n; i++)
        if (lk->todo[i]) {
            kl_topic_partition_t *e = &lk->list->elems[i];
            leaders[i] = cons_io_leader(c, e->topic, e->partition);
            if (leaders[i] && kl_client_broker_api_version(leaders[i], KL_API_LIST_OFFSETS) < LIST_OFFSETS_VERSION_MIN) {
                lk->todo[i] = false;
                e->err = KL_ERR_UNSUPPORTED_VERSION;
                leaders[i] = NULL;
            }
            waiting |= !leaders[i] && lk->todo[i];
        }
    for (size_t i = 0; leaders && i < n; i++) {
        kl_client_broker_t *b = leaders[i];
        if (!b)
            continue;
        lookup_req_t *req = calloc(1, sizeof *req + n * sizeof req->idx[0]);
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_list_offsets_request_topic_t *topics = kl_arena_calloc(&arena, n, sizeof *topics);
        kl_list_offsets_request_partition_t *parts = kl_arena_calloc(&arena, n, sizeof *parts);
        if (!req || !topics || !parts) {
            free(req);
            kl_arena_free(&arena);
            waiting = true;
            break;
        }
        req->lk = lk;
        int16_t v = kl_client_broker_api_version(b, KL_API_LIST_OFFSETS);
        req->version = v > LIST_OFFSETS_VERSION_MAX ? LIST_OFFSETS_VERSION_MAX : v;
        int ntopics = 0;
        /* one topic entry per element: Kafka accepts a topic named twice */
        for (size_t j = i; j < n; j++) {
            if (leaders[j] != b)
                continue;
            kl_topic_partition_t *e = &lk->list->elems[j];
            parts[req->n] = (kl_list_offsets_request_partition_t){e->partition, -1, lk->timestamps[j], 1};
            topics[ntopics].name = kl_str(e->topic);
            topics[ntopics].partitions.items = &parts[req->n];
            topics[ntopics].partitions.count = 1;
            ntopics++;
            req->idx[req->n++] = j;
            leaders[j] = NULL;
        }
        kl_list_offsets_request_t body;
        kl_proto_init(&kl_list_offsets_request_schema, &body);
        body.replica_id = -1;
        body.isolation_level = c->s.isolation;
        body.topics.items = topics;
        body.topics.count = ntopics;
        kl_err_t err = kl_client_broker_request(b, KL_API_LIST_OFFSETS, req->version, &body, 64 + 40 * req->n, 0,
                                                c->s.request_timeout_ms, on_response, req);
        kl_arena_free(&arena);
        if (err) {
            free(req);
            waiting = true;
        } else
            lk->pending++;
    }
    free(leaders);
    if (!leaders)
        waiting = true;
    if (lk->pending)
        return;
    if (waiting)
        lookup_retry_later(lk);
    else
        lookup_finish(lk, KL_ERR_NONE);
}

void cons_io_lookup(kl_consumer_t *c, kl_topic_partition_list_t *list, int64_t deadline_ms, cons_lookup_cb *done,
                    void *arg)
{
    cons_lookup_t *lk = calloc(1, sizeof *lk);
    size_t n = list->count ? list->count : 1;
    if (lk) {
        lk->timestamps = malloc(n * sizeof *lk->timestamps);
        lk->todo = malloc(n * sizeof *lk->todo);
    }
    if (!lk || !lk->timestamps || !lk->todo) {
        if (lk) {
            free(lk->timestamps);
            free(lk->todo);
        }
        free(lk);
        for (size_t i = 0; i < list->count; i++)
            list->elems[i].err = KL_ERR_NOMEM;
        done(c, list, arg);
        return;
    }
    lk->c = c;
    lk->list = list;
    lk->deadline_ms = deadline_ms;
    lk->done = done;
    lk->arg = arg;
    for (size_t i = 0; i < list->count; i++) {
        lk->timestamps[i] = list->elems[i].offset;
        lk->todo[i] = true;
    }
    kl_timer_init(&lk->retry, retry_cb, lk);
    lk->next = c->lookups;
    c->lookups = lk;
    lookup_send(lk);
}

void cons_io_lookups_end(kl_consumer_t *c)
{
    while (c->lookups)
        lookup_finish(c->lookups, KL_ERR_DESTROY);
}

/* ---- start offsets and resets ------------------------------------------------------ */

typedef struct resolve_slot {
    cons_part_t *part; /* a reference */
    uint32_t version;
} resolve_slot_t;

static void resolved(kl_consumer_t *c, kl_topic_partition_list_t *list, void *arg)
{
    resolve_slot_t *slots = arg;
    int64_t now = kl_clock_ms();
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < list->count; i++) {
        cons_part_t *p = slots[i].part;
        const kl_topic_partition_t *e = &list->elems[i];
        if (p->assigned && p->version == slots[i].version && p->state == PART_RESOLVING) {
            if (!e->err && e->offset >= 0) {
                p->fetch_offset = e->offset;
                p->state = PART_FETCHING;
            } else if (!e->err && (e->offset == KL_OFFSET_BEGINNING || e->offset == KL_OFFSET_END)) {
                p->fetch_offset = e->offset; /* nothing committed: auto.offset.reset */
                p->state = PART_NEED_OFFSET;
            } else if (e->err == KL_ERR_NO_OFFSET) {
                p->state = PART_STOPPED;
                cons_enqueue_error_locked(c, p, e->err, KL_OFFSET_INVALID,
                                          "%s [%d]: no committed offset and auto.offset.reset=error", p->topic,
                                          p->partition);
            } else {
                /* back to the start: tried again after the back-off */
                p->state = PART_NEED_OFFSET;
                p->backoff_until = now + c->s.error_backoff_ms;
                if (e->err != KL_ERR_DESTROY && !kl_err_is_retriable(e->err))
                    cons_enqueue_error_locked(c, p, e->err, p->fetch_offset, "%s [%d]: cannot look the offset up: %s",
                                              p->topic, p->partition, kl_err_str(e->err));
            }
        }
        cons_part_unref_locked(p);
    }
    pthread_cond_broadcast(&c->cond); /* a kl_seek() may wait for the position */
    pthread_mutex_unlock(&c->lock);
    kl_topic_partition_list_destroy(list);
    free(slots);
    if (!atomic_load(&c->stopping)) {
        cons_io_arm_fetch(c, now + c->s.error_backoff_ms);
        cons_io_resolve_offsets(c);
        cons_io_fetch(c);
    }
}

/* The logical offset auto.offset.reset points at, or 0 for "error". */
static int64_t reset_target(const kl_consumer_t *c)
{
    switch (c->s.reset) {
    case KL_OFFSET_RESET_EARLIEST:
        return KL_OFFSET_BEGINNING;
    case KL_OFFSET_RESET_LATEST:
        return KL_OFFSET_END;
    default:
        return 0;
    }
}

void cons_io_resolve_offsets(kl_consumer_t *c)
{
    if (atomic_load(&c->stopping))
        return;
    int64_t now = kl_clock_ms();
    pthread_mutex_lock(&c->lock);
    size_t n = 0, nstored = 0;
    for (cons_part_t *p = c->parts; p; p = p->next) {
        if (p->state != PART_NEED_OFFSET)
            continue;
        if (p->backoff_until > now) {
            cons_io_arm_fetch(c, p->backoff_until);
            continue;
        }
        if (p->fetch_offset == KL_OFFSET_STORED && c->cgrp) {
            nstored++;
            continue;
        }
        if (p->fetch_offset == KL_OFFSET_STORED) {
            /* without a group nothing is committed: auto.offset.reset */
            int64_t target = reset_target(c);
            if (!target) {
                p->state = PART_STOPPED;
                cons_enqueue_error_locked(c, p, KL_ERR_NO_OFFSET, KL_OFFSET_INVALID,
                                          "%s [%d]: no committed offset and auto.offset.reset=error", p->topic,
                                          p->partition);
                continue;
            }
            p->fetch_offset = target;
        }
        n++;
    }
    kl_topic_partition_list_t *stored = nstored ? kl_topic_partition_list_new(nstored) : NULL;
    resolve_slot_t *stored_slots = nstored ? calloc(nstored, sizeof *stored_slots) : NULL;
    size_t ks = 0;
    for (cons_part_t *p = c->parts; stored && stored_slots && p; p = p->next) {
        if (p->state != PART_NEED_OFFSET || p->backoff_until > now || p->fetch_offset != KL_OFFSET_STORED)
            continue;
        if (!kl_topic_partition_list_add(stored, p->topic, p->partition))
            break;
        p->state = PART_RESOLVING;
        p->refs++;
        stored_slots[ks++] = (resolve_slot_t){p, p->version};
    }
    kl_topic_partition_list_t *list = n ? kl_topic_partition_list_new(n) : NULL;
    resolve_slot_t *slots = n ? calloc(n, sizeof *slots) : NULL;
    size_t k = 0;
    for (cons_part_t *p = c->parts; list && slots && p; p = p->next) {
        if (p->state != PART_NEED_OFFSET || p->backoff_until > now || p->fetch_offset == KL_OFFSET_STORED)
            continue;
        kl_topic_partition_t *e = kl_topic_partition_list_add(list, p->topic, p->partition);
        if (!e)
            break;
        e->offset = p->fetch_offset; /* -2 earliest, -1 latest: ListOffsets' own timestamps */
        p->state = PART_RESOLVING;
        p->refs++;
        slots[k++] = (resolve_slot_t){p, p->version};
    }
    pthread_mutex_unlock(&c->lock);
    if (ks)
        cons_group_fetch_start(c, stored, stored_slots, resolved);
    else {
        kl_topic_partition_list_destroy(stored);
        free(stored_slots);
    }
    if (!k) {
        kl_topic_partition_list_destroy(list);
        free(slots);
        return;
    }
    cons_io_lookup(c, list, now + c->s.request_timeout_ms, resolved, slots);
}

void cons_io_offset_reset(kl_consumer_t *c, cons_part_t *p, uint32_t version, const char *why)
{
    int64_t target = reset_target(c), at = -1;
    bool reset = false;
    char topic[256];
    int32_t partition = p->partition;
    pthread_mutex_lock(&c->lock);
    snprintf(topic, sizeof topic, "%s", p->topic);
    if (p->assigned && p->version == version) {
        at = p->fetch_offset;
        if (!target) {
            p->state = PART_STOPPED;
            cons_enqueue_error_locked(c, p, KL_ERR_NO_OFFSET, at, "%s [%d]: %s at offset %lld and auto.offset.reset=error",
                                      p->topic, p->partition, why, (long long)at);
        } else {
            reset = true;
            p->version++; /* data fetched from the old offset is stale */
            p->fetch_offset = target;
            p->state = PART_NEED_OFFSET;
            p->eof_at = -1;
        }
    }
    pthread_mutex_unlock(&c->lock);
    /* Logged unlocked: with a log callback, kl_log() wakes the application
     * through c->lock. */
    if (reset)
        kl_log(c->log, KL_LOG_INFO, "OFFSET", "%s [%d]: %s at offset %lld: resetting to the %s offset", topic,
               (int)partition, why, (long long)at, target == KL_OFFSET_BEGINNING ? "earliest" : "latest");
    cons_io_resolve_offsets(c);
}
