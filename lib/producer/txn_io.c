/* Transactions on the I/O thread: the transaction coordinator (and the
 * offsets' group coordinator) found with FindCoordinator, then one request
 * to a coordinator at a time: InitProducerId with the transactional id
 * (kl_init_transactions(); after an abort that left a sequence in doubt, a
 * KIP-360 epoch bump; the coordinators are found in txn_coord.c),
 * AddPartitionsToTxn for each partition before its first batch of the transaction goes, and EndTxn. A lost connection or a
 * moved coordinator looks the coordinator up again; retriable errors retry
 * after the back-off; the others end the operation abortable or fatal. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_produce.h"
#include "proto/msg_txn.h"
#include "producer/producer_impl.h"

/* Versions above these change the protocol's meaning: AddPartitionsToTxn
 * v4+ is for brokers only, EndTxn v5+ bumps the epoch at every end
 * (KIP-890). */
#define ADD_PARTITIONS_MAX_VERSION 3
#define END_TXN_MAX_VERSION 4

static void timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    prod_txn_io_step(t->opaque);
}

void prod_txn_io_init(kl_producer_t *p) { kl_timer_init(&p->txn.timer, timer_cb, p); }

void prod_txn_io_retry(kl_producer_t *p)
{
    int64_t delay = kl_backoff_ms(&p->s.backoff, ++p->txn.failures);
    kl_timer_start(kl_client_loop(p->client), &p->txn.timer, delay);
}

void prod_txn_io_start(void *arg)
{
    kl_producer_t *p = arg;
    if (atomic_load(&p->closing))
        return;
    pthread_mutex_lock(&p->dr_lock);
    p->txn.io_op = p->txn.op;
    pthread_mutex_unlock(&p->dr_lock);
    p->txn.stage = 0;
    p->txn.failures = 0;
    if (atomic_load(&p->fatal)) {
        prod_txn_finish(p, (kl_err_t)atomic_load(&p->fatal), KL_ERROR_FATAL, "%s", p->fatal_reason);
        return;
    }
    prod_txn_io_step(p);
}

bool prod_txn_may_send(kl_producer_t *p, prod_partition_t *part) { return !p->txn.id || part->txn_added; }

/* ---- requests ------------------------------------------------------------------ */

kl_err_t prod_txn_io_decode(kl_producer_t *p, int16_t api_key, kl_err_t err, const uint8_t *frame, size_t len,
                            kl_arena_t *arena, void *body)
{
    p->txn.req_out = false;
    if (atomic_load(&p->closing))
        return KL_ERR_DESTROY;
    if (err)
        return err;
    kl_rd_t rd;
    int32_t corr;
    kl_rd_init(&rd, frame, len);
    return kl_proto_read_response(&rd, kl_api_find(api_key), p->txn.version, &corr, arena, body);
}

void prod_txn_io_send(kl_producer_t *p, kl_client_broker_t *broker, int16_t api_key, int16_t max_version,
                      const void *body, kl_conn_response_cb *cb)
{
    int16_t version = kl_client_broker_api_version(broker, api_key);
    if (version > max_version)
        version = max_version;
    if (version < 0) {
        prod_fatal(p, KL_ERR_UNSUPPORTED_VERSION, "%s does not support %s: transactions are impossible",
                   kl_client_broker_name(broker), kl_api_find(api_key)->name);
        prod_txn_finish(p, KL_ERR_UNSUPPORTED_VERSION, KL_ERROR_FATAL, "%s", p->fatal_reason);
        return;
    }
    p->txn.version = version;
    p->txn.req_out = true;
    kl_err_t err = kl_client_broker_request(broker, api_key, version, body, 256, 0, p->s.request_timeout_ms, cb, p);
    if (err) {
        p->txn.req_out = false;
        kl_log(p->log, KL_LOG_ERR, "TXN", "cannot send %s: %s", kl_api_find(api_key)->name, kl_err_str(err));
        prod_txn_io_retry(p);
    }
}

bool prod_txn_fatal_code(kl_err_t err)
{
    switch (err) {
    case KL_ERR_PRODUCER_FENCED:
    case KL_ERR_INVALID_PRODUCER_EPOCH:
    case KL_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case KL_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case KL_ERR_INVALID_TRANSACTION_TIMEOUT:
    case KL_ERR_UNSUPPORTED_VERSION:
    case KL_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case KL_ERR_INVALID_TXN_STATE:
    case KL_ERR_TRANSACTION_COORDINATOR_FENCED:
        return true;
    default: return false;
    }
}

bool prod_txn_io_error(kl_producer_t *p, kl_err_t err, bool group, const char *what)
{
    if (kl_coord_moved(err) || err == KL_ERR_REQUEST_TIMED_OUT) {
        kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "%s: %s: looking the coordinator up again", what,
                     kl_err_name(err));
        prod_txn_io_coord_dead(p, group, err); /* the step runs again when it is ready */
        return true;
    }
    if (kl_err_is_retriable(err) || err == KL_ERR_CONCURRENT_TRANSACTIONS) {
        kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "%s: %s: retrying", what, kl_err_name(err));
        prod_txn_io_retry(p);
        return true;
    }
    if ((err == KL_ERR_INVALID_PRODUCER_ID_MAPPING || err == KL_ERR_UNKNOWN_PRODUCER_ID) &&
        p->txn.io_op != TXN_OP_INIT && !p->txn.epoch_lost) {
        /* The coordinator no longer takes this epoch, without saying it was
         * fenced (it aborted the transaction on its timeout): as the Java
         * client and librdkafka do, the transaction must abort, and the
         * abort asks for the epoch with InitProducerId instead of EndTxn;
         * a coordinator that fenced us answers PRODUCER_FENCED to that. */
        prod_txn_epoch_lost(p, err, what);
        if (p->txn.io_op == TXN_OP_ABORT) {
            prod_txn_io_step(p);
            return true;
        }
    }
    /* Past the transaction's own errors, an abort or an init that fails
     * leaves nothing to fall back on. */
    bool fatal = prod_txn_fatal_code(err) || p->txn.io_op == TXN_OP_INIT || p->txn.io_op == TXN_OP_ABORT;
    if (fatal) {
        prod_fatal(p, err, "transaction %s: %s failed: %s%s", p->txn.id, what, kl_err_str(err),
                   err == KL_ERR_PRODUCER_FENCED || err == KL_ERR_INVALID_PRODUCER_EPOCH
                       ? " (fenced: another producer with this transactional.id took over, or the coordinator "
                         "aborted the transaction after transaction.timeout.ms)"
                       : "");
        if (p->txn.io_op != TXN_OP_NONE)
            prod_txn_finish(p, err, KL_ERROR_FATAL, "%s", p->fatal_reason);
        return false;
    }
    if (p->txn.io_op != TXN_OP_NONE)
        prod_txn_finish(p, err, KL_ERROR_ABORTABLE, "%s failed: %s", what, kl_err_str(err));
    else
        prod_txn_set_abortable(p, err, "%s failed: %s", what, kl_err_str(err));
    return false;
}

bool prod_txn_io_answer(kl_producer_t *p, int16_t api_key, kl_err_t err, const uint8_t *frame, size_t len,
                        void *body, const int16_t *error_code, const char *what)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    err = prod_txn_io_decode(p, api_key, err, frame, len, &arena, body);
    if (!err)
        err = (kl_err_t)*error_code;
    kl_arena_free(&arena);
    if (err && err != KL_ERR_DESTROY)
        (void)prod_txn_io_error(p, err, false, what);
    return !err;
}

/* ---- InitProducerId -------------------------------------------------------------- */

static void on_init(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    kl_init_producer_id_response_t resp = {0};
    if (!prod_txn_io_answer(p, KL_API_INIT_PRODUCER_ID, err, frame, len, &resp, &resp.error_code, "InitProducerId"))
        return;
    kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "transaction %s: producer id %lld epoch %d", p->txn.id,
                 (long long)resp.producer_id, resp.producer_epoch);
    prod_idem_set_id(p, resp.producer_id, resp.producer_epoch);
    p->txn.epoch_lost = false;
    prod_txn_finish(p, KL_ERR_NONE, KL_ERROR_PLAIN, "done");
    prod_io_drain(p);
}

static void send_init(kl_producer_t *p, kl_client_broker_t *coord, bool bump)
{
    kl_init_producer_id_request_t req;
    kl_proto_init(&kl_init_producer_id_request_schema, &req);
    req.transactional_id = kl_str(p->txn.id);
    req.transaction_timeout_ms = p->txn.timeout_ms;
    req.producer_id = -1;
    req.producer_epoch = -1;
    if (bump) {
        if (kl_client_broker_api_version(coord, KL_API_INIT_PRODUCER_ID) < 3) {
            prod_fatal(p, KL_ERR_UNSUPPORTED_VERSION,
                       "transaction %s: a sequence is in doubt and %s cannot bump the epoch (InitProducerId v3, "
                       "KIP-360)", p->txn.id, kl_client_broker_name(coord));
            prod_txn_finish(p, KL_ERR_UNSUPPORTED_VERSION, KL_ERROR_FATAL, "%s", p->fatal_reason);
            return;
        }
        req.producer_id = p->idem.producer_id;
        req.producer_epoch = p->idem.epoch;
        if (p->txn.epoch_lost)
            kl_log(p->log, KL_LOG_WARNING, "TXN", "transaction %s: asking for the epoch that replaced epoch %d of "
                   "producer id %lld", p->txn.id, p->idem.epoch, (long long)p->idem.producer_id);
        else
            kl_log(p->log, KL_LOG_WARNING, "TXN", "transaction %s: bumping the epoch of producer id %lld after the "
                   "abort", p->txn.id, (long long)p->idem.producer_id);
    }
    prod_txn_io_send(p, coord, KL_API_INIT_PRODUCER_ID, INT16_MAX, &req, on_init);
}

/* ---- AddPartitionsToTxn ---------------------------------------------------------- */

static bool has_batches(prod_partition_t *part)
{
    pthread_mutex_lock(&part->lock);
    bool has = part->head != NULL;
    pthread_mutex_unlock(&part->lock);
    return has;
}

static void on_add(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_add_partitions_to_txn_response_t resp;
    err = prod_txn_io_decode(p, KL_API_ADD_PARTITIONS_TO_TXN, err, frame, len, &arena, &resp);
    if (err == KL_ERR_DESTROY) {
        kl_arena_free(&arena);
        return;
    }
    kl_err_t worst = err;
    for (size_t i = 0; i < p->n_io_parts; i++) {
        prod_partition_t *part = p->io_parts[i];
        if (!part->txn_adding)
            continue;
        part->txn_adding = false;
        kl_err_t perr = err ? err : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION; /* not answered */
        for (int32_t t = 0; !err && t < resp.results_by_topic_v3_and_below.count; t++) {
            const kl_add_partitions_to_txn_topic_result_t *tr = &resp.results_by_topic_v3_and_below.items[t];
            if (!kl_str_eq(tr->name, part->topic->name))
                continue;
            for (int32_t k = 0; k < tr->results_by_partition.count; k++)
                if (tr->results_by_partition.items[k].partition_index == part->id)
                    perr = (kl_err_t)tr->results_by_partition.items[k].partition_error_code;
        }
        if (!perr) {
            part->txn_added = true;
            p->txn.has_data = true;
            kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "%s [%d] is in transaction %s", part->topic->name, part->id,
                         p->txn.id);
        } else if (!worst || worst == KL_ERR_OPERATION_NOT_ATTEMPTED) {
            worst = perr;
        }
    }
    kl_arena_free(&arena);
    if (worst == KL_ERR_OPERATION_NOT_ATTEMPTED) /* another partition's error comes first */
        worst = KL_ERR_NONE;
    if (worst && !prod_txn_fatal_code(worst) && p->txn.io_op == TXN_OP_ABORT) {
        prod_txn_io_step(p); /* the abort purged those partitions' batches: it goes on */
        return;
    }
    if (!worst) {
        p->txn.failures = 0;
        prod_io_drain(p);
        prod_txn_io_step(p);
        return;
    }
    (void)prod_txn_io_error(p, worst, false, "AddPartitionsToTxn");
}

/* Adds the partitions that have batches and are not in the transaction;
 * returns whether a request went out. */
static bool add_partitions(kl_producer_t *p, kl_client_broker_t *coord, bool open)
{
    size_t n = 0;
    for (size_t i = 0; open && i < p->n_io_parts; i++) {
        prod_partition_t *part = p->io_parts[i];
        part->txn_adding = !part->txn_added && has_batches(part);
        n += part->txn_adding;
    }
    if (!n)
        return false;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_add_partitions_to_txn_topic_t *topics = kl_arena_calloc(&arena, n, sizeof *topics);
    int32_t *ids = kl_arena_calloc(&arena, n, sizeof *ids);
    prod_topic_t **owner = kl_arena_calloc(&arena, n, sizeof *owner);
    if (!topics || !ids || !owner) {
        kl_arena_free(&arena);
        for (size_t i = 0; i < p->n_io_parts; i++)
            p->io_parts[i]->txn_adding = false;
        prod_txn_io_retry(p);
        return true;
    }
    int32_t ntopics = 0;
    size_t nids = 0;
    for (size_t i = 0; i < p->n_io_parts; i++) {
        prod_topic_t *t = p->io_parts[i]->topic;
        if (!p->io_parts[i]->txn_adding)
            continue;
        int32_t j = 0;
        while (j < ntopics && owner[j] != t)
            j++;
        if (j < ntopics)
            continue; /* gathered with its topic's first partition */
        owner[ntopics] = t;
        kl_add_partitions_to_txn_topic_t *tt = &topics[ntopics++];
        tt->name = kl_str(t->name);
        tt->partitions.items = &ids[nids];
        for (size_t k = i; k < p->n_io_parts; k++)
            if (p->io_parts[k]->txn_adding && p->io_parts[k]->topic == t) {
                ids[nids++] = p->io_parts[k]->id;
                tt->partitions.count++;
            }
    }
    kl_add_partitions_to_txn_request_t req;
    kl_proto_init(&kl_add_partitions_to_txn_request_schema, &req);
    req.v3_and_below_transactional_id = kl_str(p->txn.id);
    req.v3_and_below_producer_id = p->idem.producer_id;
    req.v3_and_below_producer_epoch = p->idem.epoch;
    req.v3_and_below_topics.items = topics;
    req.v3_and_below_topics.count = ntopics;
    prod_txn_io_send(p, coord, KL_API_ADD_PARTITIONS_TO_TXN, ADD_PARTITIONS_MAX_VERSION, &req, on_add);
    kl_arena_free(&arena);
    return true;
}

/* ---- EndTxn ---------------------------------------------------------------------- */

/* The transaction ended: no partition is in the next one yet. */
static void txn_ended(kl_producer_t *p)
{
    for (size_t i = 0; i < p->n_io_parts; i++)
        p->io_parts[i]->txn_added = p->io_parts[i]->txn_adding = false;
    p->txn.has_data = false;
}

static bool bump_wanted(kl_producer_t *p)
{
    if (p->idem.bump_wanted)
        return true;
    for (size_t i = 0; i < p->n_io_parts; i++)
        if (p->io_parts[i]->reset_needed)
            return true;
    return false;
}

static void on_end(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    kl_end_txn_response_t resp = {0};
    if (!prod_txn_io_answer(p, KL_API_END_TXN, err, frame, len, &resp, &resp.error_code, "EndTxn"))
        return;
    bool commit = p->txn.io_op == TXN_OP_COMMIT;
    kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "transaction %s %s", p->txn.id, commit ? "committed" : "aborted");
    txn_ended(p);
    if (!commit && bump_wanted(p)) {
        p->txn.stage = 1; /* the epoch bump */
        prod_txn_io_step(p);
        return;
    }
    prod_txn_finish(p, KL_ERR_NONE, KL_ERROR_PLAIN, "done");
}

static void send_end(kl_producer_t *p, kl_client_broker_t *coord, bool commit)
{
    kl_end_txn_request_t req;
    kl_proto_init(&kl_end_txn_request_schema, &req);
    req.transactional_id = kl_str(p->txn.id);
    req.producer_id = p->idem.producer_id;
    req.producer_epoch = p->idem.epoch;
    req.committed = commit;
    prod_txn_io_send(p, coord, KL_API_END_TXN, END_TXN_MAX_VERSION, &req, on_end);
}

/* ---- the step -------------------------------------------------------------------- */

void prod_txn_io_step(kl_producer_t *p)
{
    if (!p->txn.id || atomic_load(&p->closing) || atomic_load(&p->fatal) || p->txn.req_out ||
        kl_timer_active(&p->txn.timer))
        return;
    pthread_mutex_lock(&p->dr_lock);
    bool open = p->txn.state == TXN_IN_TXN || p->txn.state == TXN_COMMITTING;
    pthread_mutex_unlock(&p->dr_lock);
    if (p->txn.io_op == TXN_OP_NONE && !open)
        return; /* nothing to do: no lookup before kl_init_transactions() */
    kl_client_broker_t *coord = prod_txn_io_coord(p);
    if (!coord || p->txn.req_out)
        return;
    if (p->txn.io_op != TXN_OP_INIT && p->txn.io_op != TXN_OP_ABORT && add_partitions(p, coord, open))
        return;
    switch (p->txn.io_op) {
    case TXN_OP_NONE: break;
    case TXN_OP_INIT: send_init(p, coord, false); break;
    case TXN_OP_OFFSETS: prod_txn_io_offsets(p); break;
    case TXN_OP_COMMIT:
        if (p->txn.has_data)
            send_end(p, coord, true);
        else {
            txn_ended(p);
            prod_txn_finish(p, KL_ERR_NONE, KL_ERROR_PLAIN, "done"); /* nothing to commit */
        }
        break;
    case TXN_OP_ABORT:
        if (p->txn.epoch_lost) {
            txn_ended(p);
            send_init(p, coord, true);
        } else if (p->txn.stage == 0 && p->txn.has_data)
            send_end(p, coord, false);
        else if (p->txn.stage == 0 && !bump_wanted(p)) {
            txn_ended(p);
            prod_txn_finish(p, KL_ERR_NONE, KL_ERROR_PLAIN, "done");
        } else
            send_init(p, coord, true);
        break;
    }
}
