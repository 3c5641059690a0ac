/* The producer's sending side, on the I/O thread: drains ready batches
 * into one Produce request per broker (one batch per partition per
 * request, within message.max.bytes and max.in.flight), and handles the
 * responses: success, a retry with back-off that keeps partition order,
 * or the final error. topics.c feeds it partitions and leaders. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_produce.h"
#include "producer/producer_impl.h"
#include "util/arena.h"

#define MAX_BROKERS_PER_PASS 16

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

void prod_io_arm(kl_producer_t *p, kl_timer_t *t, int64_t due)
{
    if (due == INT64_MAX)
        return;
    int64_t now = kl_clock_ms();
    if (!kl_timer_active(t) || t->due_ms > due)
        kl_timer_start(kl_client_loop(p->client), t, due > now ? due - now : 0);
}

/* ---- outcomes ---------------------------------------------------------------- */

void prod_batch_fail(kl_producer_t *p, prod_batch_t *b, kl_err_t err)
{
    prod_idem_batch_failed(p, b, err);
    if (p->txn.id && err != KL_ERR_FATAL && err != KL_ERR_DESTROY && !atomic_load(&p->fatal))
        prod_txn_set_abortable(p, err, "%d messages to %s [%d] failed: %s", b->count, b->part->topic->name,
                               b->part->id, kl_err_str(err));
    b->err = err;
    b->status = b->maybe_persisted ? KL_MSG_STATUS_POSSIBLY_PERSISTED : KL_MSG_STATUS_NOT_PERSISTED;
    b->base_offset = -1;
    kl_log_debug(p->log, KL_DEBUG_MSG, "MSG", "%s [%d]: %d messages failed: %s (%s)", b->part->topic->name,
                 b->part->id, b->count, kl_err_name(err),
                 b->maybe_persisted ? "possibly persisted" : "not persisted");
    prod_dr_enqueue(p, &b->dr);
}

/* Puts a batch to retry back in its partition's queue, in order. */
static void requeue(prod_partition_t *part, prod_batch_t *b)
{
    pthread_mutex_lock(&part->lock);
    prod_batch_t **pp = &part->head;
    while (*pp && (*pp)->seq < b->seq)
        pp = &(*pp)->next;
    b->next = *pp;
    *pp = b;
    if (!b->next)
        part->tail = b;
    pthread_mutex_unlock(&part->lock);
}

static bool stale_metadata(kl_err_t err)
{
    return err == KL_ERR_NOT_LEADER_OR_FOLLOWER || err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KL_ERR_LEADER_NOT_AVAILABLE || err == KL_ERR_FENCED_LEADER_EPOCH ||
           err == KL_ERR_UNKNOWN_LEADER_EPOCH || err == KL_ERR_KAFKA_STORAGE_ERROR || err == KL_ERR_TRANSPORT;
}

/* The end of one attempt. maybe: the attempt may have reached the log.
 * Returns what became of the batch. */
typedef enum { ATTEMPT_DELIVERED, ATTEMPT_RETRY, ATTEMPT_FAILED } attempt_t;
static attempt_t batch_result(kl_producer_t *p, prod_batch_t *b, kl_err_t err, bool maybe, int64_t base_offset,
                         int64_t log_append_time)
{
    b->maybe_persisted |= maybe;
    bool must_retry = false;
    if (b->base_sequence >= 0)
        err = prod_idem_result(p, b, err, &must_retry);
    if (!err) {
        b->err = KL_ERR_NONE;
        b->status = p->s.acks == 0 ? KL_MSG_STATUS_POSSIBLY_PERSISTED : KL_MSG_STATUS_PERSISTED;
        b->base_offset = p->s.acks == 0 ? -1 : base_offset;
        b->log_append_time = log_append_time;
        prod_dr_enqueue(p, &b->dr);
        return ATTEMPT_DELIVERED;
    }
    b->last_err = err;
    int64_t now = kl_clock_ms();
    if (stale_metadata(err) && !atomic_load(&p->closing))
        kl_client_refresh_metadata(p->client, kl_err_name(err));
    bool retry = !atomic_load(&p->closing) && !atomic_load(&p->fatal) && (must_retry || kl_err_is_retriable(err)) &&
                 b->attempts <= p->s.retries && (!b->deadline_ms || now < b->deadline_ms);
    if (!retry) {
        prod_batch_fail(p, b, err);
        return ATTEMPT_FAILED;
    }
    int64_t backoff = kl_backoff_jittered_ms(&p->s.backoff, b->attempts, prod_random(&p->io_rand_state));
    b->retry_at_ms = now + backoff;
    kl_log_debug(p->log, KL_DEBUG_MSG, "RETRY", "%s [%d]: %d messages (sequence %d, leader %d): %s, retry %d in %lld ms",
                 b->part->topic->name, b->part->id, b->count, b->base_sequence, b->part->inflight_leader,
                 kl_err_name(err), b->attempts, (long long)backoff);

    requeue(b->part, b);
    prod_io_arm(p, &p->drain_timer, b->retry_at_ms);
    return ATTEMPT_RETRY;
}

/* ---- responses ---------------------------------------------------------------- */

static void request_unlink(kl_producer_t *p, prod_request_t *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else
        p->requests = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->next = req->prev = NULL;
}

static const kl_produce_response_partition_t *find_partition(const kl_produce_response_t *resp, const prod_batch_t *b)
{
    for (int32_t i = 0; i < resp->responses.count; i++) {
        const kl_produce_response_topic_t *t = &resp->responses.items[i];
        if (!kl_str_eq(t->name, b->part->topic->name))
            continue;
        for (int32_t j = 0; j < t->partition_responses.count; j++)
            if (t->partition_responses.items[j].index == b->part->id)
                return &t->partition_responses.items[j];
    }
    return NULL;
}

static void on_produce_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    prod_request_t *req = arg;
    kl_producer_t *p = req->producer;
    request_unlink(p, req);
    int errors = 0, retries = 0;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_response_t resp;
    bool decoded = false;
    if (!err && frame) {
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = kl_proto_read_response(&rd, kl_api_find(KL_API_PRODUCE), req->version, &corr, &arena, &resp);
        decoded = !err;
    }
    for (int i = 0; i < req->nslots; i++) {
        prod_batch_t *b = req->slots[i];
        if (!b)
            continue; /* expired while in flight: already reported */
        b->req = NULL;
        b->part->inflight--;
        const kl_produce_response_partition_t *pr = decoded ? find_partition(&resp, b) : NULL;
        attempt_t outcome;
        if (err)
            outcome = batch_result(p, b, err, sent, -1, -1);
        else if (!decoded) /* acks=0: written is all we will know */
            outcome = batch_result(p, b, KL_ERR_NONE, true, -1, -1);
        else if (!pr)
            outcome = batch_result(p, b, KL_ERR_BAD_MSG, true, -1, -1);
        else {
            kl_err_t code = (kl_err_t)pr->error_code;
            bool maybe = code == KL_ERR_REQUEST_TIMED_OUT || code == KL_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
            outcome = batch_result(p, b, code, maybe, pr->base_offset, pr->log_append_time_ms);
        }
        errors += outcome != ATTEMPT_DELIVERED;
        retries += outcome == ATTEMPT_RETRY;
    }
    prod_stats_done(p, req->broker, prod_clock_us() - req->sent_us, errors, retries);
    kl_arena_free(&arena);
    free(req);
    prod_idem_step(p);
    if (!atomic_load(&p->closing))
        prod_io_drain(p);
}

/* ---- requests ---------------------------------------------------------------- */

typedef struct builder {
    kl_client_broker_t *broker;
    prod_batch_t **batches;
    int n;
    size_t bytes;
} builder_t;

/* Groups the batches by topic into a Produce request body; the arrays
 * live in arena. */
static kl_err_t build_body(kl_producer_t *p, const builder_t *bl, kl_arena_t *arena, kl_produce_request_t *req)
{
    kl_produce_request_topic_t *topics = kl_arena_calloc(arena, (size_t)bl->n, sizeof *topics);
    kl_produce_request_partition_t *parts = kl_arena_calloc(arena, (size_t)bl->n, sizeof *parts);
    prod_topic_t **owner = kl_arena_calloc(arena, (size_t)bl->n, sizeof *owner);
    if (!topics || !parts || !owner)
        return KL_ERR_NOMEM;
    int ntopics = 0, nparts = 0;
    for (int i = 0; i < bl->n; i++) {
        prod_topic_t *t = bl->batches[i]->part->topic;
        int j = 0;
        while (j < ntopics && owner[j] != t)
            j++;
        if (j == ntopics) {
            owner[ntopics] = t;
            topics[ntopics++].name = kl_str(t->name);
        }
    }
    for (int j = 0; j < ntopics; j++) {
        topics[j].partition_data.items = &parts[nparts];
        for (int i = 0; i < bl->n; i++) {
            prod_batch_t *b = bl->batches[i];
            if (b->part->topic != owner[j])
                continue;
            parts[nparts].index = b->part->id;
            parts[nparts++].records = kl_bytes(b->wire, (int32_t)b->wire_size);
            topics[j].partition_data.count++;
        }
    }
    kl_proto_init(&kl_produce_request_schema, req);
    req->transactional_id = p->txn.id ? kl_str(p->txn.id) : KL_STR_NULL;
    req->acks = p->s.acks;
    req->timeout_ms = (int32_t)p->s.request_timeout_ms;
    req->topic_data.items = topics;
    req->topic_data.count = ntopics;
    return KL_ERR_NONE;
}

static void send_request(kl_producer_t *p, builder_t *bl)
{
    int16_t version = kl_client_broker_api_version(bl->broker, KL_API_PRODUCE);
    prod_request_t *req = calloc(1, sizeof *req + (size_t)bl->n * sizeof req->slots[0]);
    kl_err_t err = KL_ERR_NONE;
    if (version < 3) /* record batches v2 need Produce v3 (Kafka 0.11) */
        err = KL_ERR_UNSUPPORTED_VERSION;
    else if (!req)
        err = KL_ERR_NOMEM;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_produce_request_t body;
    if (!err)
        err = build_body(p, bl, &arena, &body);
    if (!err) {
        req->producer = p;
        req->version = version;
        req->nslots = bl->n;
        req->broker = bl->broker;
        req->sent_us = prod_clock_us();
        for (int i = 0; i < bl->n; i++) {
            prod_batch_t *b = bl->batches[i];
            req->slots[i] = b;
            b->req = req;
            b->slot = i;
            b->attempts++;
            b->part->inflight++;
            b->part->inflight_leader = kl_client_broker_id(bl->broker);
        }
        req->next = p->requests;
        if (p->requests)
            p->requests->prev = req;
        p->requests = req;
        unsigned flags = p->s.acks == 0 ? KL_CONN_F_NO_RESPONSE : 0;
        prod_stats_sent(p, bl->broker, bl->n); /* before: the answer may come at once */
        err = kl_client_broker_request(bl->broker, KL_API_PRODUCE, version, &body, bl->bytes + 64 * (size_t)bl->n, flags,
                                p->s.request_timeout_ms, on_produce_response, req);
        if (err) {
            request_unlink(p, req);
            for (int i = 0; i < bl->n; i++)
                bl->batches[i]->part->inflight--;
            prod_stats_done(p, bl->broker, 0, bl->n, 0);
        }
    }
    kl_arena_free(&arena);
    if (err) {
        kl_log(p->log, KL_LOG_ERR, "PRODUCE", "%s: cannot send a Produce request: %s",
               kl_client_broker_name(bl->broker), kl_err_str(err));
        for (int i = 0; i < bl->n; i++)
            prod_batch_fail(p, bl->batches[i], err);
        free(req);
    }
}

/* ---- draining ----------------------------------------------------------------- */

/* The partition's first batch if it may go now and fits in room bytes; a
 * full batch, or an open one past its linger time (or any, with force), is
 * closed first.
 * Otherwise NULL, with *next_wake lowered to when it might go. */
static prod_batch_t *take_sendable(kl_producer_t *p, prod_partition_t *part, int64_t now, bool force, size_t room,
                                   bool sequenced_only, int64_t *next_wake)
{
    pthread_mutex_lock(&part->lock);
    prod_batch_t *b = part->head;
    if (b && sequenced_only && b->base_sequence < 0) {
        pthread_mutex_unlock(&part->lock);
        return NULL;
    }
    if (b && (b->state == BATCH_OPEN || b->state == BATCH_FULL)) {
        int64_t due = b->created_ms + p->s.linger_ms;
        if (b->state == BATCH_OPEN && !force && due > now) {
            *next_wake = min64(*next_wake, due);
            pthread_mutex_unlock(&part->lock);
            return NULL;
        }
        /* Only this thread removes or reorders queued batches, so b stays
         * first while it is closed without the lock. */
        if (part->open == b)
            part->open = NULL;
        b->state = BATCH_CLOSING;
        pthread_mutex_unlock(&part->lock);
        prod_batch_close(p, b);
        pthread_mutex_lock(&part->lock);
    }
    if (!b || b->state != BATCH_READY || (b->wire_size > room && !b->err)) {
        pthread_mutex_unlock(&part->lock);
        return NULL;
    }
    if (b->retry_at_ms > now) {
        *next_wake = min64(*next_wake, b->retry_at_ms);
        pthread_mutex_unlock(&part->lock);
        return NULL;
    }
    part->head = b->next;
    if (part->tail == b)
        part->tail = NULL;
    b->next = NULL;
    pthread_mutex_unlock(&part->lock);
    return b;
}

static bool has_batches(prod_partition_t *part)
{
    pthread_mutex_lock(&part->lock);
    bool has = part->head != NULL;
    pthread_mutex_unlock(&part->lock);
    return has;
}

static builder_t *builder_for(builder_t *bl, int *nb, kl_client_broker_t *broker, prod_batch_t **storage, int per)
{
    for (int i = 0; i < *nb; i++)
        if (bl[i].broker == broker)
            return &bl[i];
    if (*nb == MAX_BROKERS_PER_PASS)
        return NULL; /* the next pass takes it */
    builder_t *b = &bl[(*nb)++];
    *b = (builder_t){.broker = broker, .batches = storage + (size_t)(*nb - 1) * (size_t)per};
    return b;
}

/* One pass over every partition, at most one batch each; returns how many
 * batches it took. */
static int drain_pass(kl_producer_t *p, int64_t now, bool force, prod_batch_t **storage, int64_t *next_wake,
                      bool *need_metadata)
{
    builder_t bl[MAX_BROKERS_PER_PASS];
    int nb = 0, taken = 0, per = (int)p->n_io_parts;
    for (size_t k = 0; k < p->n_io_parts; k++) {
        prod_partition_t *part = p->io_parts[(p->rr + k) % p->n_io_parts];
        kl_client_broker_t *broker = part->leader >= 0 ? kl_client_broker(p->client, part->leader) : NULL;
        if (!broker || !kl_client_broker_is_ready(broker)) {
            if (has_batches(part)) {
                if (broker)
                    kl_client_broker_connect(broker);
                else
                    *need_metadata = true;
            }
            continue;
        }
        /* A partition never has more batches in flight than a connection
         * may have requests: with 1, order survives retries and leader
         * changes (the new leader's connection is another one). */
        /* After a leader change, the batches still in flight to the old
         * leader come back first: one sent to the new leader meanwhile
         * could land before an earlier one the old leader refuses. */
        /* A request is a copy of its batches: while the socket still has
         * one message.max.bytes to write, more copies would only wait
         * there, doubling what the producer holds (the answers to what
         * was written drain again). */
        bool sequenced_only;
        if (!kl_client_broker_can_send(broker) || part->inflight >= p->s.max_in_flight ||
            kl_client_broker_unwritten(broker) >= p->s.message_max_bytes ||
            (part->inflight > 0 && part->inflight_leader != part->leader) ||
            !prod_txn_may_send(p, part) || !prod_idem_may_send(p, part, &sequenced_only))
            continue;
        builder_t *b = builder_for(bl, &nb, broker, storage, per);
        if (!b)
            continue;
        size_t max = p->s.message_max_bytes;
        size_t room = !b->n ? SIZE_MAX : b->bytes < max ? max - b->bytes : 0;
        prod_batch_t *batch = take_sendable(p, part, now, force, room, sequenced_only, next_wake);
        if (!batch)
            continue;
        taken++;
        if (batch->err) /* the batch could not be closed (compression) */
            prod_batch_fail(p, batch, batch->err);
        else if (batch->deadline_ms && batch->deadline_ms <= now)
            prod_batch_fail(p, batch, KL_ERR_MSG_TIMED_OUT);
        else {
            prod_idem_stamp(p, batch);
            batch->sent_ms = now;
            if (batch->attempts == 0)
                prod_stats_batch(p, batch);
            b->batches[b->n++] = batch;
            b->bytes += batch->wire_size;
        }
    }
    for (int i = 0; i < nb; i++)
        if (bl[i].n)
            send_request(p, &bl[i]);
    p->rr++;
    return taken;
}

/* A request can fail on the spot (a connection that breaks while it is
 * written), and its callback drains again: that inner drain only asks the
 * outer one to make another pass, as the outer's builders own the slots. */
static void drain_once(kl_producer_t *p)
{
    size_t need = MAX_BROKERS_PER_PASS * p->n_io_parts;
    if (p->drain_slots_cap < need) {
        prod_batch_t **slots = realloc(p->drain_slots, need * sizeof *slots);
        if (!slots) {
            prod_io_arm(p, &p->drain_timer, kl_clock_ms() + 10);
            return;
        }
        p->drain_slots = slots;
        p->drain_slots_cap = need;
    }
    prod_batch_t **storage = p->drain_slots;
    bool force = atomic_load(&p->flushing) > 0 || p->s.linger_ms == 0;
    int64_t next_wake = INT64_MAX;
    bool need_metadata = false;
    while (drain_pass(p, kl_clock_ms(), force, storage, &next_wake, &need_metadata) > 0)
        ;
    if (need_metadata)
        kl_client_refresh_metadata(p->client, "partition without a known leader");
    prod_io_arm(p, &p->drain_timer, next_wake);
}

void prod_io_drain(kl_producer_t *p)
{
    if (atomic_load(&p->closing))
        return;
    if (p->in_drain) {
        p->drain_again = true;
        return;
    }
    p->in_drain = true;
    do {
        p->drain_again = false;
        prod_idem_step(p);
        if (p->n_io_parts > 0)
            drain_once(p);
    } while (p->drain_again && !atomic_load(&p->closing));
    p->in_drain = false;
    prod_txn_io_step(p); /* partitions with batches may have to join the transaction */
}

void prod_io_broker_ready(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    prod_idem_broker_ready(opaque, broker);
    prod_txn_io_broker_ready(opaque, broker);
    prod_io_drain(opaque);
}

void prod_io_broker_down(kl_client_t *client, kl_client_broker_t *broker, void *opaque)
{
    (void)client;
    prod_txn_io_broker_down(opaque, broker);
}
