/* The transaction APIs' request handlers: AddPartitionsToTxn (v0-3, the
 * producer's), AddOffsetsToTxn (v0-4) and EndTxn (v0-4) decoded, checked
 * against the topics and handed to the transaction coordinator
 * (txn_coordinator.c), which answers synchronously: every state change is
 * on disk when it returns. TxnOffsetCommit (v0-4) is checked against the
 * transaction here and then goes to the group coordinator
 * (group_txn_offsets.c), which holds the offsets until the marker. */
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/group_wire.h"
#include "broker/txn_coordinator.h"
#include "proto/msg_txn.h"

typedef kl_add_partitions_to_txn_topic_result_t topic_result_t;

/* One error for every partition of the request (Kafka answers a check
 * that fails for the transaction this way). */
static void answer_all(const kl_add_partitions_to_txn_request_t *body, topic_result_t *results, int16_t error,
                       const kl_broker_t *b, bool by_partition)
{
    for (int32_t i = 0; i < body->v3_and_below_topics.count; i++) {
        const kl_add_partitions_to_txn_topic_t *tp = &body->v3_and_below_topics.items[i];
        const broker_topic_t *t = topics_find(&b->topics, tp->name);
        for (int32_t k = 0; k < tp->partitions.count; k++) {
            int32_t p = tp->partitions.items[k];
            int16_t e = error;
            if (by_partition)
                e = !t || p < 0 || p >= t->partition_count ? KL_ERR_UNKNOWN_TOPIC_OR_PARTITION
                    : !t->logs[p]                         ? KL_ERR_KAFKA_STORAGE_ERROR
                                                           : KL_ERR_OPERATION_NOT_ATTEMPTED;
            results[i].results_by_partition.items[k] = (kl_add_partitions_to_txn_partition_result_t){p, e};
        }
    }
}

/* The partitions of the request, each checked to exist and be online
 * (false: some is not), into parts (n of them). */
static bool collect(broker_request_t *req, const kl_add_partitions_to_txn_request_t *body, txn_partition_t *parts,
                    size_t *n)
{
    bool ok = true;
    *n = 0;
    for (int32_t i = 0; i < body->v3_and_below_topics.count; i++) {
        const kl_add_partitions_to_txn_topic_t *tp = &body->v3_and_below_topics.items[i];
        const broker_topic_t *t = topics_find(&req->broker->topics, tp->name);
        for (int32_t k = 0; k < tp->partitions.count; k++) {
            int32_t p = tp->partitions.items[k];
            if (!t || p < 0 || p >= t->partition_count || !t->logs[p]) {
                ok = false;
                continue;
            }
            parts[(*n)++] = (txn_partition_t){t->name, p};
        }
    }
    return ok;
}

broker_req_status_t handle_add_partitions_to_txn(broker_request_t *req)
{
    const kl_add_partitions_to_txn_request_t *body = req->body;
    kl_add_partitions_to_txn_response_t resp;
    kl_proto_init(&kl_add_partitions_to_txn_response_schema, &resp);
    int32_t nt = body->v3_and_below_topics.count > 0 ? body->v3_and_below_topics.count : 0;
    size_t total = 0;
    topic_result_t *results = broker_alloc(req, (size_t)nt, sizeof *results);
    if (!results)
        return BROKER_REQ_CLOSE;
    for (int32_t i = 0; i < nt; i++) {
        const kl_add_partitions_to_txn_topic_t *tp = &body->v3_and_below_topics.items[i];
        int32_t np = tp->partitions.count > 0 ? tp->partitions.count : 0;
        results[i].name = tp->name;
        results[i].results_by_partition.count = np;
        results[i].results_by_partition.items = broker_alloc(req, (size_t)np, sizeof(kl_add_partitions_to_txn_partition_result_t));
        if (!results[i].results_by_partition.items)
            return BROKER_REQ_CLOSE;
        total += (size_t)np;
    }
    resp.results_by_topic_v3_and_below.items = results;
    resp.results_by_topic_v3_and_below.count = nt;
    txn_partition_t *parts = broker_alloc(req, total, sizeof *parts);
    if (!parts)
        return BROKER_REQ_CLOSE;
    txn_meta_t *m = NULL;
    int16_t err = req->broker->txns ? txns_check(req->broker->txns, body->v3_and_below_transactional_id,
                                                 body->v3_and_below_producer_id, body->v3_and_below_producer_epoch, &m)
                                    : KL_ERR_COORDINATOR_NOT_AVAILABLE;
    size_t n = 0;
    if (!err && !collect(req, body, parts, &n)) {
        answer_all(body, results, 0, req->broker, true);
        return broker_respond(req, &resp);
    }
    if (!err)
        err = txns_add_partitions(req->broker->txns, m, parts, n);
    answer_all(body, results, err, req->broker, false);
    return broker_respond(req, &resp);
}

broker_req_status_t handle_end_txn(broker_request_t *req)
{
    const kl_end_txn_request_t *body = req->body;
    kl_end_txn_response_t resp;
    kl_proto_init(&kl_end_txn_response_schema, &resp);
    resp.error_code = req->broker->txns ? txns_end(req->broker, body->transactional_id, body->producer_id,
                                                   body->producer_epoch, body->committed)
                                        : KL_ERR_COORDINATOR_NOT_AVAILABLE;
    return broker_respond(req, &resp);
}

/* The group's __consumer_offsets partition, which holds its offsets and
 * so takes part in the transaction; false when there is none online. */
static bool offsets_partition(kl_broker_t *b, kl_str_t group_id, txn_partition_t *part)
{
    const broker_topic_t *t = topics_find(&b->topics, kl_str(GROUP_OFFSETS_TOPIC));
    if (!t || t->partition_count <= 0)
        return false;
    int32_t p = group_partition_for(group_id, t->partition_count);
    *part = (txn_partition_t){t->name, p};
    return t->logs[p] != NULL;
}

broker_req_status_t handle_add_offsets_to_txn(broker_request_t *req)
{
    const kl_add_offsets_to_txn_request_t *body = req->body;
    kl_add_offsets_to_txn_response_t resp;
    kl_proto_init(&kl_add_offsets_to_txn_response_schema, &resp);
    txn_meta_t *m = NULL;
    txn_partition_t part;
    int16_t err = req->broker->txns ? txns_check(req->broker->txns, body->transactional_id, body->producer_id,
                                                 body->producer_epoch, &m)
                                    : KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (!err && body->group_id.len <= 0)
        err = KL_ERR_INVALID_GROUP_ID;
    if (!err && groups_ensure_topic(req->broker) != KL_ERR_NONE)
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (!err && !offsets_partition(req->broker, body->group_id, &part))
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (!err)
        err = txns_add_partitions(req->broker->txns, m, &part, 1);
    resp.error_code = err;
    return broker_respond(req, &resp);
}

/* Whether the producer may commit the group's offsets now: its
 * transaction is current and took in the group's partition
 * (AddOffsetsToTxn), so that the marker ending it reaches the offsets. */
static int16_t txn_commit_check(kl_broker_t *b, const kl_txn_offset_commit_request_t *body)
{
    txn_meta_t *m = NULL;
    txn_partition_t part;
    if (!b->txns)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    int16_t err = txns_check(b->txns, body->transactional_id, body->producer_id, body->producer_epoch, &m);
    if (err)
        return err;
    if (!offsets_partition(b, body->group_id, &part))
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    return m->status == TXN_ONGOING && txns_has_partition(m, &part) ? KL_ERR_NONE : KL_ERR_INVALID_TXN_STATE;
}

broker_req_status_t handle_txn_offset_commit(broker_request_t *req)
{
    const kl_txn_offset_commit_request_t *body = req->body;
    int16_t err = txn_commit_check(req->broker, body);
    if (!err)
        return handle_group_request(req);
    kl_txn_offset_commit_response_t resp;
    kl_proto_init(&kl_txn_offset_commit_response_schema, &resp);
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (nt && !resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_txn_offset_commit_request_topic_t *rt = &body->topics.items[i];
        kl_txn_offset_commit_response_topic_t *st = &resp.topics.items[i];
        int32_t np = rt->partitions.count > 0 ? rt->partitions.count : 0;
        st->name = rt->name;
        st->partitions.items = broker_alloc(req, (size_t)np, sizeof *st->partitions.items);
        if (np && !st->partitions.items)
            return BROKER_REQ_CLOSE;
        st->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            st->partitions.items[k] =
                (kl_txn_offset_commit_response_partition_t){rt->partitions.items[k].partition_index, err};
    }
    return broker_respond(req, &resp);
}
