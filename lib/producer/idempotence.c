/* The idempotent producer, on the I/O thread: a producer id and epoch from
 * InitProducerId (any broker, retried with back-off; batches wait in the
 * accumulator meanwhile), a base sequence stamped into each batch when it
 * is first sent and kept across retries (the bytes and CRC stay as sent),
 * and the rules that keep a partition free of duplicates and reordering:
 * a failed batch holds its partition until the batches in flight behind it
 * are back, then everything is resent in sequence order; an
 * OUT_OF_ORDER_SEQUENCE_NUMBER behind an unacknowledged batch is that
 * batch's echo and is retried; a duplicate is a success. When a sequence
 * can no longer be trusted (a sequenced batch failed for good, or the
 * broker lost the producer) the epoch is bumped once nothing is in flight
 * (KIP-360) and every partition restarts at sequence 0. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_produce.h"
#include "producer/producer_impl.h"
#include "util/arena.h"

/* Kafka's sequences wrap from INT32_MAX to 0. */
static int32_t seq_add(int32_t seq, int32_t n)
{
    int64_t s = (int64_t)seq + n;
    return (int32_t)(s > INT32_MAX ? s - INT32_MAX - 1 : s);
}

/* Whether b comes after a, within half the sequence space. */
static bool seq_after(int32_t b, int32_t a)
{
    int64_t d = (int64_t)b - a;
    if (d < 0)
        d += (int64_t)INT32_MAX + 1;
    return d > 0 && d < ((int64_t)1 << 30);
}

static void timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    prod_idem_step(t->opaque);
}

void prod_idem_init(kl_producer_t *p)
{
    p->idem.state = p->s.idempotent ? IDEM_WANT_PID : IDEM_OFF;
    p->idem.producer_id = -1;
    p->idem.epoch = -1;
    kl_timer_init(&p->idem.timer, timer_cb, p);
    prod_stats_idem(p);
}

static void request_bump(kl_producer_t *p, const char *why)
{
    if (p->txn.id) /* the abort bumps the epoch (txn_io.c) */
        prod_txn_set_abortable(p, KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "producer id %lld: %s",
                               (long long)p->idem.producer_id, why);
    if (!p->idem.bump_wanted)
        kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE", "producer id %lld epoch %d: %s: bumping the epoch",
               (long long)p->idem.producer_id, p->idem.epoch, why);
    p->idem.bump_wanted = true;
    p->idem.bump_reason = why;
}

bool prod_idem_may_send(kl_producer_t *p, prod_partition_t *part, bool *sequenced_only)
{
    *sequenced_only = false;
    if (p->idem.state == IDEM_OFF)
        return true;
    if (p->idem.state != IDEM_ASSIGNED || part->reset_needed)
        return false;
    if (part->draining) {
        if (part->inflight > 0)
            return false;
        part->draining = false;
    }
    /* A broker that does not know the producer takes any sequence as its
     * first (Kafka does, as ours does), so until a batch of this numbering is
     * acknowledged, one goes at a time: otherwise a first batch refused by
     * a leader not ready yet lets the next one in ahead of it. */
    if (!part->seq_confirmed && part->inflight > 0)
        return false;
    /* While a bump waits, only retries of numbered batches may go: they
     * settle under the old epoch before the numbering restarts. */
    *sequenced_only = p->idem.bump_wanted;
    return true;
}

void prod_idem_stamp(kl_producer_t *p, prod_batch_t *b)
{
    if (p->idem.state == IDEM_OFF || b->base_sequence >= 0 || !b->wire)
        return;
    prod_partition_t *part = b->part;
    b->base_sequence = part->next_sequence;
    part->next_sequence = seq_add(part->next_sequence, b->count);
    /* The one rewrite of the batch: the CRC is recomputed here, and every
     * retry sends these bytes unchanged. */
    if (p->txn.id)
        (void)kl_batch_set_transactional(b->wire, b->wire_size);
    (void)kl_batch_set_producer(b->wire, b->wire_size, p->idem.producer_id, p->idem.epoch, b->base_sequence);
}

kl_err_t prod_idem_result(kl_producer_t *p, prod_batch_t *b, kl_err_t err, bool *retry)
{
    prod_partition_t *part = b->part;
    *retry = false;
    switch (err) {
    case KL_ERR_DUPLICATE_SEQUENCE_NUMBER:
        /* An earlier attempt was stored: its answer was lost. */
        kl_log_debug(p->log, KL_DEBUG_EOS, "IDEMPOTENCE", "%s [%d]: sequence %d is a duplicate: delivered",
                     part->topic->name, part->id, b->base_sequence);
        b->maybe_persisted = true;
        /* fall through */
    case KL_ERR_NONE: {
        part->seq_confirmed = true;
        int32_t after = seq_add(b->base_sequence, b->count);
        if (seq_after(after, part->acked_sequence))
            part->acked_sequence = after;
        return KL_ERR_NONE;
    }
    case KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case KL_ERR_UNKNOWN_PRODUCER_ID:
        part->draining = true;
        if (seq_after(part->acked_sequence, b->base_sequence)) {
            /* The broker stored later batches before this one: resending
             * cannot put it in order, so it fails (and the numbering
             * restarts under a new epoch). */
            kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE",
                   "%s [%d]: sequence %d refused after sequence %d was acknowledged: %d messages fail",
                   part->topic->name, part->id, b->base_sequence, part->acked_sequence, b->count);
            return err;
        }
        *retry = true;
        if (b->base_sequence != part->acked_sequence)
            return err; /* an earlier batch is not acknowledged: this is its echo */
        /* Everything before this batch is acknowledged, yet the broker does
         * not take it: it lost the producer's state. Restarting the
         * numbering leaves no gap, and the broker said it does not have
         * this batch, so resending it cannot duplicate it. */
        b->maybe_persisted = false;
        part->reset_needed = true;
        request_bump(p, err == KL_ERR_UNKNOWN_PRODUCER_ID ? "the broker does not know the producer id"
                                                          : "the broker's sequence differs from ours");
        return err;
    case KL_ERR_INVALID_PRODUCER_EPOCH:
        if (p->txn.id) {
            /* a newer epoch wrote there: the coordinator's, when it aborted
             * the transaction on its timeout, or a new instance's; the
             * abort asks the coordinator which (KIP-588) */
            prod_txn_epoch_lost(p, err, "Produce");
            return err;
        }
        /* fall through */
    case KL_ERR_PRODUCER_FENCED:
    case KL_ERR_INVALID_PRODUCER_ID_MAPPING:
        prod_fatal(p, err, "%s [%d]: the broker refused producer id %lld epoch %d: %s (fenced)", part->topic->name,
                   part->id, (long long)p->idem.producer_id, p->idem.epoch, kl_err_name(err));
        return err;
    default:
        /* Hold the partition until the batches behind this one are back,
         * so the retries go out in sequence order. */
        if (kl_err_is_retriable(err))
            part->draining = true;
        return err;
    }
}

void prod_idem_batch_failed(kl_producer_t *p, prod_batch_t *b, kl_err_t err)
{
    if (p->idem.state == IDEM_OFF || b->base_sequence < 0 || err == KL_ERR_DESTROY || atomic_load(&p->closing) ||
        (p->txn.id && atomic_load(&p->fatal)))
        return;
    prod_partition_t *part = b->part;
    part->reset_needed = true;
    b->base_sequence = -1;
    if (p->s.gapless && err != KL_ERR_PURGED && err != KL_ERR_FATAL) {
        prod_fatal(p, err,
                   "%s [%d]: a batch of %d messages failed for good (%s) after being sent: it may leave a gap in "
                   "the partition, which enable.gapless.guarantee forbids",
                   part->topic->name, part->id, b->count, kl_err_name(err));
        return;
    }
    request_bump(p, "a batch failed after being sent, so its partition's sequence must restart");
}

/* ---- InitProducerId ------------------------------------------------------------- */

static kl_client_broker_t *pick_broker(kl_producer_t *p)
{
    if (p->idem.last_ready && kl_client_broker_is_ready(p->idem.last_ready))
        return p->idem.last_ready;
    for (size_t i = 0; i < p->n_io_parts; i++) {
        kl_client_broker_t *b = p->io_parts[i]->leader >= 0 ? kl_client_broker(p->client, p->io_parts[i]->leader)
                                                            : NULL;
        if (b && kl_client_broker_is_ready(b))
            return b;
    }
    if (p->idem.last_ready)
        kl_client_broker_connect(p->idem.last_ready);
    return NULL; /* prod_idem_broker_ready() steps again */
}

/* After a bump: every partition starts again at 0 under the new epoch.
 * Numbered batches still queued get new numbers when sent, except those an
 * earlier attempt may have stored: resent under the new epoch the broker
 * could not recognise them, so they fail rather than risk a duplicate. */
static void reset_sequences(kl_producer_t *p)
{
    for (size_t i = 0; i < p->n_io_parts; i++) {
        prod_partition_t *part = p->io_parts[i];
        part->next_sequence = part->acked_sequence = 0;
        part->draining = part->reset_needed = part->seq_confirmed = false;
        prod_batch_t *doubtful = NULL;
        pthread_mutex_lock(&part->lock);
        prod_batch_t **pp = &part->head, *prev = NULL;
        while (*pp) {
            prod_batch_t *b = *pp;
            if (b->base_sequence >= 0 && b->maybe_persisted) {
                *pp = b->next;
                b->next = doubtful;
                doubtful = b;
                continue;
            }
            b->base_sequence = -1;
            prev = b;
            pp = &b->next;
        }
        part->tail = prev;
        pthread_mutex_unlock(&part->lock);
        while (doubtful) {
            prod_batch_t *next = doubtful->next;
            doubtful->next = NULL;
            doubtful->base_sequence = -1;
            kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE",
                   "%s [%d]: %d messages possibly stored before the epoch bump fail rather than risk a duplicate",
                   part->topic->name, part->id, doubtful->count);
            prod_batch_fail(p, doubtful, doubtful->last_err ? doubtful->last_err : KL_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
            doubtful = next;
        }
    }
}

void prod_idem_set_id(kl_producer_t *p, int64_t producer_id, int16_t epoch)
{
    bool bump = p->idem.producer_id >= 0;
    /* the first id is routine (debug context "eos"); a bump is news */
    if (bump)
        kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE", "producer id %lld epoch %d after an epoch bump",
               (long long)producer_id, epoch);
    else
        kl_log_debug(p->log, KL_DEBUG_EOS, "IDEMPOTENCE", "producer id %lld epoch %d", (long long)producer_id,
                     epoch);
    p->idem.producer_id = producer_id;
    p->idem.epoch = epoch;
    p->idem.state = IDEM_ASSIGNED;
    p->idem.attempts = 0;
    p->idem.fresh_id = false;
    prod_stats_idem(p);
    if (p->idem.bump_wanted || bump) {
        p->idem.bump_wanted = false;
        reset_sequences(p);
    }
}

static void retry_later(kl_producer_t *p, kl_err_t err)
{
    p->idem.state = IDEM_WANT_PID;
    int64_t backoff = kl_backoff_ms(&p->s.backoff, ++p->idem.attempts);
    kl_log_debug(p->log, KL_DEBUG_EOS, "IDEMPOTENCE", "InitProducerId failed (%s): retry in %lld ms",
                 kl_err_name(err), (long long)backoff);
    kl_timer_start(kl_client_loop(p->client), &p->idem.timer, backoff);
}

static void send_init(kl_producer_t *p);

static void on_init_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    if (atomic_load(&p->closing) || p->idem.state != IDEM_REQUESTING)
        return;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_init_producer_id_response_t resp;
    if (!err) {
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = kl_proto_read_response(&rd, kl_api_find(KL_API_INIT_PRODUCER_ID), p->idem.version,
                                     &corr, &arena, &resp);
        if (!err)
            err = (kl_err_t)resp.error_code;
    }
    if (err == KL_ERR_NONE) {
        prod_idem_set_id(p, resp.producer_id, resp.producer_epoch);
        prod_io_drain(p);
    } else if (kl_err_is_retriable(err) || err == KL_ERR_TIMED_OUT || err == KL_ERR_TRANSPORT ||
               err == KL_ERR_BROKER_NOT_AVAILABLE) {
        retry_later(p, err);
    } else if (p->idem.producer_id >= 0 && !p->idem.fresh_id) {
        /* The broker does not bump this id (it may not track idempotent
         * producers' ids): a new id restarts the numbering just as well. */
        kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE", "epoch bump refused (%s): asking for a new producer id",
               kl_err_name(err));
        p->idem.fresh_id = true;
        p->idem.state = IDEM_WANT_PID;
        send_init(p);
    } else {
        prod_fatal(p, err, "InitProducerId failed: %s: the producer cannot be idempotent", kl_err_str(err));
    }
    kl_arena_free(&arena);
}

static void send_init(kl_producer_t *p)
{
    kl_client_broker_t *broker = pick_broker(p);
    if (!broker)
        return;
    int16_t version = kl_client_broker_api_version(broker, KL_API_INIT_PRODUCER_ID);
    if (version < 0) {
        prod_fatal(p, KL_ERR_UNSUPPORTED_VERSION, "%s does not support InitProducerId: idempotence is impossible",
                   kl_client_broker_name(broker));
        return;
    }
    kl_init_producer_id_request_t req;
    kl_proto_init(&kl_init_producer_id_request_schema, &req);
    req.transactional_id = KL_STR_NULL;
    req.transaction_timeout_ms = 60000;
    req.producer_id = -1;
    req.producer_epoch = -1;
    if (p->idem.producer_id >= 0 && version >= 3 && !p->idem.fresh_id) { /* KIP-360: keep the id, bump the epoch */
        req.producer_id = p->idem.producer_id;
        req.producer_epoch = p->idem.epoch;
    }
    p->idem.state = IDEM_REQUESTING;
    p->idem.version = version;
    prod_stats_idem(p);
    kl_err_t err = kl_client_broker_request(broker, KL_API_INIT_PRODUCER_ID, version, &req, 64, 0,
                                            p->s.request_timeout_ms, on_init_response, p);
    if (err)
        retry_later(p, err);
}

/* Whether a partition that keeps its numbering still has a numbered batch
 * waiting for a retry: the bump waits for it to settle. */
static bool retries_unsettled(kl_producer_t *p)
{
    for (size_t i = 0; i < p->n_io_parts; i++) {
        prod_partition_t *part = p->io_parts[i];
        if (part->reset_needed)
            continue;
        pthread_mutex_lock(&part->lock);
        bool found = false;
        for (prod_batch_t *b = part->head; b && !found; b = b->next)
            found = b->state == BATCH_READY && b->base_sequence >= 0;
        pthread_mutex_unlock(&part->lock);
        if (found)
            return true;
    }
    return false;
}

void prod_idem_step(kl_producer_t *p)
{
    /* a transactional producer's id comes from its coordinator (txn_io.c) */
    if (atomic_load(&p->closing) || kl_timer_active(&p->idem.timer) || p->txn.id)
        return;
    if (p->idem.state == IDEM_WANT_PID)
        send_init(p);
    else if (p->idem.state == IDEM_ASSIGNED && p->idem.bump_wanted && !p->requests && !retries_unsettled(p)) {
        kl_log(p->log, KL_LOG_WARNING, "IDEMPOTENCE", "bumping the epoch of producer id %lld: %s",
               (long long)p->idem.producer_id, p->idem.bump_reason);
        send_init(p);
    }
}

void prod_idem_broker_ready(kl_producer_t *p, kl_client_broker_t *broker)
{
    if (p->idem.state == IDEM_OFF)
        return;
    p->idem.last_ready = broker;
    prod_idem_step(p);
}
