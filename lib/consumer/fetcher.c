/* The consumer's fetching, on the I/O thread: one Fetch request per broker
 * at a time, covering every partition it leads that may fetch (assigned,
 * started, not paused, not backing off, with room in the application's
 * queue); a new one as soon as the previous response is parsed, so that
 * fetching runs ahead of the application. Responses become queue items;
 * data of a partition sought or unassigned meanwhile is dropped (its
 * version moved on). */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/consumer_impl.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_fetch.h"
#include "util/arena.h"
#include "util/clock.h"

/* Newest Fetch version we send: v13 names topics by id, which our
 * metadata cache does not keep. v4 is the first with record batches v2. */
#define FETCH_VERSION_MAX 12
#define FETCH_VERSION_MIN 4

typedef struct fetch_slot {
    cons_part_t *part; /* a reference */
    uint32_t version;
    int64_t offset;
    int32_t max_bytes;
} fetch_slot_t;

typedef struct fetch_req {
    kl_consumer_t *c;
    int32_t node;
    int16_t version;
    int n;
    fetch_slot_t slots[];
} fetch_req_t;

void cons_io_arm_fetch(kl_consumer_t *c, int64_t due)
{
    if (due == INT64_MAX || atomic_load(&c->stopping))
        return;
    int64_t now = kl_clock_ms();
    kl_timer_t *t = &c->fetch_timer;
    if (!kl_timer_active(t) || t->due_ms > due)
        kl_timer_start(kl_client_loop(c->client), t, due > now ? due - now : 0);
}

kl_client_broker_t *cons_io_leader(kl_consumer_t *c, const char *topic, int32_t partition)
{
    const kl_md_topic_t *md = kl_client_topic(c->client, topic);
    if (!md) {
        kl_client_want_topic(c->client, topic);
        return NULL;
    }
    if (!md->described || md->err || partition >= md->partition_count || md->leaders[partition] < 0) {
        kl_client_refresh_metadata(c->client, "partition without a known leader");
        return NULL;
    }
    kl_client_broker_t *b = kl_client_broker(c->client, md->leaders[partition]);
    if (!b) {
        kl_client_refresh_metadata(c->client, "leader not in metadata");
        return NULL;
    }
    if (!kl_client_broker_is_ready(b)) {
        kl_client_broker_connect(b);
        return NULL;
    }
    return b;
}

static bool node_busy(const kl_consumer_t *c, int32_t node)
{
    for (size_t i = 0; i < c->nbusy; i++)
        if (c->busy_nodes[i] == node)
            return true;
    return false;
}

static bool set_busy(kl_consumer_t *c, int32_t node)
{
    if (c->nbusy == c->cap_busy) {
        size_t cap = c->cap_busy ? c->cap_busy * 2 : 8;
        int32_t *arr = realloc(c->busy_nodes, cap * sizeof *arr);
        if (!arr)
            return false;
        c->busy_nodes = arr;
        c->cap_busy = cap;
    }
    c->busy_nodes[c->nbusy++] = node;
    return true;
}

static void clear_busy(kl_consumer_t *c, int32_t node)
{
    for (size_t i = 0; i < c->nbusy; i++)
        if (c->busy_nodes[i] == node) {
            c->busy_nodes[i] = c->busy_nodes[--c->nbusy];
            return;
        }
}

/* ---- responses ------------------------------------------------------------------ */

static const kl_fetch_response_partition_t *find_partition(const kl_fetch_response_t *resp, const cons_part_t *p)
{
    for (int32_t i = 0; i < resp->responses.count; i++) {
        const kl_fetch_response_topic_t *t = &resp->responses.items[i];
        if (!kl_str_eq(t->topic, p->topic))
            continue;
        for (int32_t j = 0; j < t->partitions.count; j++)
            if (t->partitions.items[j].partition_index == p->partition)
                return &t->partitions.items[j];
    }
    return NULL;
}

static bool stale_metadata(kl_err_t err)
{
    return err == KL_ERR_NOT_LEADER_OR_FOLLOWER || err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KL_ERR_LEADER_NOT_AVAILABLE || err == KL_ERR_FENCED_LEADER_EPOCH ||
           err == KL_ERR_UNKNOWN_LEADER_EPOCH || err == KL_ERR_KAFKA_STORAGE_ERROR ||
           err == KL_ERR_REPLICA_NOT_AVAILABLE || err == KL_ERR_TRANSPORT || err == KL_ERR_TIMED_OUT;
}

/* The partition's data (lock held, slot current): queue the messages, move
 * the fetch offset, report the end of the partition or a data error. */
static void deliver_locked(kl_consumer_t *c, const fetch_slot_t *s, const kl_fetch_response_partition_t *pr,
                           kl_msgbuf_t *buf, int64_t next, bool incomplete, kl_err_t data_err, const char *why)
{
    cons_part_t *p = s->part;
    p->hi = pr->high_watermark;
    p->lso = pr->last_stable_offset;
    if (pr->log_start_offset >= 0)
        p->lo = pr->log_start_offset;
    if (buf || (!data_err && next > s->offset)) {
        cons_item_t *item = calloc(1, sizeof *item);
        if (!item) {
            if (buf)
                kl_msgbuf_release(buf, 1);
            p->backoff_until = kl_clock_ms() + c->s.error_backoff_ms;
            return;
        }
        if (buf) {
            kl_msgbuf_ref(buf, buf->nmsgs);
            kl_msgbuf_release(buf, 1); /* the builder's: each message holds one now */
            item->buf = buf;
            item->bytes = (size_t)pr->records.len;
        }
        /* without messages: only records the application is not shown
         * (control, aborted), which the position moves past in turn */
        item->kind = buf ? ITEM_BATCH : ITEM_SKIP;
        item->part = p;
        p->refs++;
        item->version = s->version;
        item->skip_to = next;
        cons_enqueue_locked(c, item);
    } else if (data_err) {
        cons_enqueue_error_locked(c, p, data_err, s->offset, "%s [%d] at offset %lld: %s", p->topic, p->partition,
                                  (long long)s->offset, why);
        if (next == s->offset) { /* cannot get past it: the application must seek */
            p->state = PART_STOPPED;
            return;
        }
    } else if (incomplete && p->max_bytes < INT32_MAX / 2) {
        p->max_bytes *= 2; /* a batch larger than max.partition.fetch.bytes */
        kl_log_debug(c->log, KL_DEBUG_FETCH, "FETCH", "%s [%d]: partition fetch size grown to %d", p->topic,
                     p->partition, p->max_bytes);
    }
    p->fetch_offset = next;
    if (c->s.partition_eof && next >= cons_part_end(c, p) && p->eof_at != next) {
        p->eof_at = next;
        cons_enqueue_error_locked(c, p, KL_ERR_PARTITION_EOF, next, "%s [%d] reached end at offset %lld", p->topic,
                                  p->partition, (long long)next);
    }
}

static void partition_result(kl_consumer_t *c, const fetch_slot_t *s, const kl_fetch_response_partition_t *pr,
                             kl_err_t err)
{
    cons_part_t *p = s->part;
    kl_msgbuf_t *buf = NULL;
    int64_t next = s->offset;
    bool incomplete = false;
    kl_err_t data_err = KL_ERR_NONE;
    const char *why = NULL;
    if (!err && pr && pr->records.len > 0) {
        uint8_t *raw = malloc((size_t)pr->records.len);
        if (!raw)
            err = KL_ERR_NOMEM;
        else {
            memcpy(raw, pr->records.ptr, (size_t)pr->records.len);
            cons_txn_view_t txn = {pr->last_stable_offset, pr->aborted_transactions.items,
                                   pr->aborted_transactions.count > 0 ? (size_t)pr->aborted_transactions.count : 0};
            bool committed = c->s.isolation == KL_ISOLATION_READ_COMMITTED;
            buf = cons_parse_records(&c->s, p->topic, p->partition, raw, (size_t)pr->records.len, s->offset,
                                     committed ? &txn : NULL, &next, &incomplete, &data_err, &why);
        }
    }
    pthread_mutex_lock(&c->lock);
    bool current = p->assigned && p->version == s->version && p->state == PART_FETCHING;
    if (!current) {
        if (buf)
            kl_msgbuf_release(buf, 1);
    } else if (!err && pr) {
        deliver_locked(c, s, pr, buf, next, incomplete, data_err, why);
    } else if (err == KL_ERR_OFFSET_OUT_OF_RANGE) {
        pthread_mutex_unlock(&c->lock);
        cons_io_offset_reset(c, p, s->version, "offset out of range");
        pthread_mutex_lock(&c->lock);
    } else {
        p->backoff_until = kl_clock_ms() + c->s.error_backoff_ms;
        if (err && !stale_metadata(err) && err != KL_ERR_DESTROY)
            cons_enqueue_error_locked(c, p, err, s->offset, "%s [%d]: fetch failed: %s", p->topic, p->partition,
                                      kl_err_str(err));
        else if (err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION && p->eof_at != -2) {
            p->eof_at = -2; /* reported once until the partition fetches again */
            cons_enqueue_error_locked(c, p, err, s->offset, "%s [%d]: %s", p->topic, p->partition, kl_err_str(err));
        }
    }
    p->in_flight = false;
    cons_part_unref_locked(p);
    pthread_mutex_unlock(&c->lock);
}

static void on_fetch_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    fetch_req_t *req = arg;
    kl_consumer_t *c = req->c;
    clear_busy(c, req->node);
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_response_t resp;
    if (!err) {
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = kl_proto_read_response(&rd, kl_api_find(KL_API_FETCH), req->version, &corr, &arena, &resp);
        if (!err && resp.error_code)
            err = (kl_err_t)resp.error_code;
    }
    bool refresh = stale_metadata(err);
    for (int i = 0; i < req->n; i++) {
        const kl_fetch_response_partition_t *pr = err ? NULL : find_partition(&resp, req->slots[i].part);
        kl_err_t perr = err ? err : pr ? (kl_err_t)pr->error_code : KL_ERR_NONE;
        refresh |= stale_metadata(perr);
        partition_result(c, &req->slots[i], pr, perr);
    }
    kl_arena_free(&arena);
    free(req);
    if (atomic_load(&c->stopping))
        return;
    if (refresh)
        kl_client_refresh_metadata(c->client, "fetch error");
    cons_io_resolve_offsets(c);
    cons_io_fetch(c);
}

/* ---- requests ------------------------------------------------------------------- */

static void send_fetch(kl_consumer_t *c, kl_client_broker_t *broker, fetch_req_t *req)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_fetch_request_topic_t *topics = kl_arena_calloc(&arena, (size_t)req->n, sizeof *topics);
    kl_fetch_request_partition_t *parts = kl_arena_calloc(&arena, (size_t)req->n, sizeof *parts);
    kl_err_t err = topics && parts ? KL_ERR_NONE : KL_ERR_NOMEM;
    int ntopics = 0;
    /* the caller put each topic's slots next to each other */
    for (int i = 0; !err && i < req->n; i++) {
        const fetch_slot_t *s = &req->slots[i];
        if (!ntopics || !kl_str_eq(topics[ntopics - 1].topic, s->part->topic)) {
            topics[ntopics].topic = kl_str(s->part->topic);
            topics[ntopics].partitions.items = &parts[i];
            ntopics++;
        }
        topics[ntopics - 1].partitions.count++;
        parts[i] = (kl_fetch_request_partition_t){
            .partition = s->part->partition,
            .current_leader_epoch = -1,
            .fetch_offset = s->offset,
            .last_fetched_epoch = -1,
            .log_start_offset = -1,
            .partition_max_bytes = s->max_bytes,
        };
    }
    if (!err) {
        kl_fetch_request_t body;
        kl_proto_init(&kl_fetch_request_schema, &body);
        body.replica_id = -1;
        body.max_wait_ms = c->s.fetch_wait_ms;
        body.min_bytes = c->s.fetch_min_bytes;
        body.max_bytes = c->s.fetch_max_bytes;
        body.isolation_level = c->s.isolation;
        body.session_id = 0;
        body.session_epoch = -1; /* no fetch session: every request names its partitions */
        body.topics.items = topics;
        body.topics.count = ntopics;
        body.forgotten_topics_data.count = 0;
        body.rack_id = kl_str("");
        err = kl_client_broker_request(broker, KL_API_FETCH, req->version, &body, 64 + 32 * (size_t)req->n, 0,
                                       c->s.request_timeout_ms + c->s.fetch_wait_ms, on_fetch_response, req);
    }
    kl_arena_free(&arena);
    if (!err)
        return;
    kl_log(c->log, KL_LOG_ERR, "FETCH", "%s: cannot send a Fetch request: %s", kl_client_broker_name(broker),
           kl_err_str(err));
    clear_busy(c, req->node);
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < req->n; i++) {
        req->slots[i].part->in_flight = false;
        req->slots[i].part->backoff_until = kl_clock_ms() + c->s.error_backoff_ms;
        cons_part_unref_locked(req->slots[i].part);
    }
    pthread_mutex_unlock(&c->lock);
    cons_io_arm_fetch(c, kl_clock_ms() + c->s.error_backoff_ms);
    free(req);
}

static int slot_cmp(const void *a, const void *b)
{
    const fetch_slot_t *x = a, *y = b;
    int d = strcmp(x->part->topic, y->part->topic);
    return d ? d : (x->part->partition > y->part->partition) - (x->part->partition < y->part->partition);
}

/* A partition that may be fetched now (lock held). */
static bool fetchable_locked(const kl_consumer_t *c, const cons_part_t *p, int64_t now, int64_t *next_wake)
{
    if (p->state != PART_FETCHING || p->paused || p->in_flight || p->queued >= c->s.queued_min_messages)
        return false;
    if (p->backoff_until > now) {
        if (p->backoff_until < *next_wake)
            *next_wake = p->backoff_until;
        return false;
    }
    return true;
}

void cons_io_fetch(kl_consumer_t *c)
{
    if (atomic_load(&c->stopping))
        return;
    int64_t now = kl_clock_ms(), next_wake = INT64_MAX;
    /* Take a reference on every candidate under the lock, then look their
     * leaders up without it (the client core may call back into us). */
    pthread_mutex_lock(&c->lock);
    size_t n = 0;
    bool room = c->queued_bytes < c->s.queued_max_bytes;
    for (cons_part_t *p = c->parts; room && p; p = p->next)
        n += fetchable_locked(c, p, now, &next_wake);
    fetch_slot_t *cand = n ? malloc(n * sizeof *cand) : NULL;
    n = cand ? n : 0;
    size_t k = 0;
    for (cons_part_t *p = c->parts; k < n && p; p = p->next)
        if (fetchable_locked(c, p, now, &next_wake)) {
            p->refs++;
            cand[k++] = (fetch_slot_t){p, p->version, p->fetch_offset, p->max_bytes};
        }
    pthread_mutex_unlock(&c->lock);
    kl_client_broker_t **leaders = k ? calloc(k, sizeof *leaders) : NULL;
    for (size_t i = 0; leaders && i < k; i++) {
        kl_client_broker_t *b = cons_io_leader(c, cand[i].part->topic, cand[i].part->partition);
        if (b && !node_busy(c, kl_client_broker_id(b)) &&
            kl_client_broker_api_version(b, KL_API_FETCH) >= FETCH_VERSION_MIN)
            leaders[i] = b;
    }
    /* One request per leader, its partitions grouped by topic. */
    for (size_t i = 0; leaders && i < k; i++) {
        kl_client_broker_t *b = leaders[i];
        if (!b || !kl_client_broker_can_send(b))
            continue;
        size_t count = 0;
        for (size_t j = i; j < k; j++)
            count += leaders[j] == b;
        fetch_req_t *req = calloc(1, sizeof *req + count * sizeof req->slots[0]);
        if (!req || !set_busy(c, kl_client_broker_id(b))) {
            free(req);
            break;
        }
        req->c = c;
        req->node = kl_client_broker_id(b);
        int16_t v = kl_client_broker_api_version(b, KL_API_FETCH);
        req->version = v > FETCH_VERSION_MAX ? FETCH_VERSION_MAX : v;
        for (size_t j = i; j < k; j++)
            if (leaders[j] == b) {
                req->slots[req->n++] = cand[j];
                leaders[j] = NULL;
                cand[j].part = NULL;
            }
        qsort(req->slots, (size_t)req->n, sizeof req->slots[0], slot_cmp); /* topic by topic */
        pthread_mutex_lock(&c->lock);
        for (int j = 0; j < req->n; j++)
            req->slots[j].part->in_flight = true;
        pthread_mutex_unlock(&c->lock);
        send_fetch(c, b, req);
    }
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < k; i++)
        if (cand[i].part)
            cons_part_unref_locked(cand[i].part);
    pthread_mutex_unlock(&c->lock);
    free(leaders);
    free(cand);
    cons_io_arm_fetch(c, next_wake);
}

void cons_io_broker_ready(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    kl_consumer_t *c = opaque;
    cons_group_broker_ready(c, broker);
    cons_io_resolve_offsets(c);
    cons_io_fetch(c);
}

void cons_io_metadata(kl_client_t *client, void *opaque)
{
    (void)client;
    kl_consumer_t *c = opaque;
    cons_group_metadata(c);
    cons_io_resolve_offsets(c);
    cons_io_fetch(c);
}
