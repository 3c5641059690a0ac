/* DescribeTransactions and ListTransactions: the transaction coordinator's
 * state (txn_coordinator.h) as Admin.describeTransactions and
 * listTransactions, and so `kafka-transactions describe` and `list`, see
 * it. Read only: neither creates __transaction_state. An id the
 * coordinator does not know is TRANSACTIONAL_ID_NOT_FOUND; one whose
 * __transaction_state partition is offline (its state unknown)
 * COORDINATOR_NOT_AVAILABLE, as is everything before the coordinator is
 * loaded. */
#include <string.h>

#include "broker/dispatch.h"
#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "proto/msg_txn_admin.h"
#include "util/clock.h"

typedef kl_describe_transactions_response_state_t describe_state_t;
typedef kl_describe_transactions_response_topic_t describe_topic_t;

static const char *const status_names[] = {
    [TXN_EMPTY] = "Empty",
    [TXN_ONGOING] = "Ongoing",
    [TXN_PREPARE_COMMIT] = "PrepareCommit",
    [TXN_PREPARE_ABORT] = "PrepareAbort",
    [TXN_COMPLETE_COMMIT] = "CompleteCommit",
    [TXN_COMPLETE_ABORT] = "CompleteAbort",
    [TXN_DEAD] = "Dead",
    [TXN_PREPARE_EPOCH_FENCE] = "PrepareEpochFence",
};

const char *txns_status_name(txn_status_t status)
{
    size_t n = sizeof status_names / sizeof status_names[0];
    return (size_t)status < n && status_names[status] ? status_names[status] : "Unknown";
}

/* Whether the coordinator knows what there is to know of id. */
static int16_t coordinator_error(kl_broker_t *b, kl_str_t id)
{
    if (!b->txns)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    const broker_topic_t *t = topics_find(&b->topics, kl_str(TXN_STATE_TOPIC));
    if (t && !t->logs[txn_log_partition_for(id, t->partition_count)])
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    return KL_ERR_NONE;
}

/* The transaction's partitions grouped by topic, in the order first seen. */
static bool describe_topics(broker_request_t *req, const txn_meta_t *m, describe_state_t *out)
{
    out->topics.items = broker_alloc(req, m->count, sizeof *out->topics.items);
    if (m->count && !out->topics.items)
        return false;
    for (size_t i = 0; i < m->count; i++) {
        describe_topic_t *dt = NULL;
        for (int32_t k = 0; k < out->topics.count && !dt; k++)
            if (kl_str_eq(out->topics.items[k].topic, m->parts[i].topic))
                dt = &out->topics.items[k];
        if (!dt) {
            dt = &out->topics.items[out->topics.count++];
            dt->topic = kl_str(m->parts[i].topic);
            dt->partitions.count = 0;
            dt->partitions.items = broker_alloc(req, m->count, sizeof *dt->partitions.items);
            if (!dt->partitions.items)
                return false;
        }
        dt->partitions.items[dt->partitions.count++] = m->parts[i].partition;
    }
    return true;
}

broker_req_status_t handle_describe_transactions(broker_request_t *req)
{
    const kl_describe_transactions_request_t *body = req->body;
    kl_describe_transactions_response_t resp;
    kl_proto_init(&kl_describe_transactions_response_schema, &resp);
    int32_t n = body->transactional_ids.count > 0 ? body->transactional_ids.count : 0;
    resp.transaction_states.items = broker_alloc(req, (size_t)n, sizeof *resp.transaction_states.items);
    if (n && !resp.transaction_states.items)
        return BROKER_REQ_CLOSE;
    resp.transaction_states.count = n;
    for (int32_t i = 0; i < n; i++) {
        kl_str_t id = body->transactional_ids.items[i];
        describe_state_t *out = &resp.transaction_states.items[i];
        *out = (describe_state_t){.transactional_id = id, .transaction_state = kl_str("")};
        out->error_code = coordinator_error(req->broker, id);
        const txn_meta_t *m = out->error_code ? NULL : txns_find(req->broker->txns, id);
        if (!out->error_code && !m)
            out->error_code = KL_ERR_TRANSACTIONAL_ID_NOT_FOUND;
        if (!m)
            continue;
        out->transaction_state = kl_str(txns_status_name(m->status));
        out->transaction_timeout_ms = m->timeout_ms;
        out->transaction_start_time_ms = m->start_ms;
        out->producer_id = m->producer_id;
        out->producer_epoch = m->epoch;
        if (!describe_topics(req, m, out))
            return BROKER_REQ_CLOSE;
    }
    return broker_respond(req, &resp);
}

/* ---- ListTransactions ---- */

static bool has_pid(const kl_list_transactions_request_t *body, int64_t pid)
{
    for (int32_t i = 0; i < body->producer_id_filters.count; i++)
        if (body->producer_id_filters.items[i] == pid)
            return true;
    return false;
}

static bool has_state(const kl_list_transactions_request_t *body, txn_status_t status)
{
    for (int32_t i = 0; i < body->state_filters.count; i++)
        if (kl_str_eq(body->state_filters.items[i], txns_status_name(status)))
            return true;
    return false;
}

/* Kafka's filters: none is all; Dead ids (being removed) never; with a
 * duration, only transactions running longer than it. */
static bool listed(const kl_list_transactions_request_t *body, const txn_meta_t *m, int64_t now_ms)
{
    if (m->status == TXN_DEAD)
        return false;
    if (body->producer_id_filters.count > 0 && !has_pid(body, m->producer_id))
        return false;
    if (body->state_filters.count > 0 && !has_state(body, m->status))
        return false;
    return body->duration_filter < 0 || now_ms - m->start_ms > body->duration_filter;
}

static bool known_state(kl_str_t name)
{
    for (size_t s = 0; s < sizeof status_names / sizeof status_names[0]; s++)
        if (kl_str_eq(name, status_names[s]))
            return true;
    return false;
}

broker_req_status_t handle_list_transactions(broker_request_t *req)
{
    const kl_list_transactions_request_t *body = req->body;
    const broker_txns_t *t = req->broker->txns;
    kl_list_transactions_response_t resp;
    kl_proto_init(&kl_list_transactions_response_schema, &resp);
    int32_t nf = body->state_filters.count > 0 ? body->state_filters.count : 0;
    resp.unknown_state_filters.items = broker_alloc(req, (size_t)nf, sizeof *resp.unknown_state_filters.items);
    size_t cap = t ? t->count : 0;
    resp.transaction_states.items = broker_alloc(req, cap, sizeof *resp.transaction_states.items);
    if ((nf && !resp.unknown_state_filters.items) || (cap && !resp.transaction_states.items))
        return BROKER_REQ_CLOSE;
    for (int32_t i = 0; i < nf; i++)
        if (!known_state(body->state_filters.items[i]))
            resp.unknown_state_filters.items[resp.unknown_state_filters.count++] = body->state_filters.items[i];
    if (!t)
        resp.error_code = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    int64_t now = kl_wallclock_ms();
    for (size_t i = 0; i < cap; i++) {
        const txn_meta_t *m = t->items[i];
        if (listed(body, m, now))
            resp.transaction_states.items[resp.transaction_states.count++] =
                (kl_list_transactions_response_state_t){kl_str(m->id), m->producer_id,
                                                        kl_str(txns_status_name(m->status))};
    }
    return broker_respond(req, &resp);
}
