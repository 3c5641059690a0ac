/* DescribeProducers: the idempotent producers each asked partition
 * remembers (producer_state.h), with their epoch, last sequence, last
 * timestamp and the first offset of their ongoing transaction (-1: none;
 * the coordinator epoch is not kept: -1). Admin.describeProducers and
 * `kafka-transactions describe-producers` ask for this. */
#include "broker/dispatch.h"
#include "broker/server.h"
#include "proto/msg_describe_producers.h"

typedef kl_describe_producers_response_partition_t partition_result_t;
typedef kl_describe_producers_response_producer_t producer_result_t;

static bool describe_partition(broker_request_t *req, broker_topic_t *t, int32_t p, partition_result_t *r)
{
    *r = (partition_result_t){.partition_index = p, .error_message = KL_STR_NULL};
    if (!t || p < 0 || p >= t->partition_count) {
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return true;
    }
    if (!t->logs[p]) { /* offline */
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
        return true;
    }
    const producer_state_t *ps = &t->producers[p];
    r->active_producers.items = broker_alloc(req, ps->count, sizeof *r->active_producers.items);
    if (!r->active_producers.items)
        return false;
    for (size_t i = 0; i < ps->cap; i++) {
        const producer_entry_t *e = &ps->slots[i];
        if (e->producer_id < 0)
            continue;
        producer_result_t *out = &r->active_producers.items[r->active_producers.count++];
        *out = (producer_result_t){.producer_id = e->producer_id, .producer_epoch = e->epoch,
                                   .last_sequence = -1, .last_timestamp = e->last_timestamp,
                                   .coordinator_epoch = e->coordinator_epoch,
                                   .current_txn_start_offset = e->txn_first_offset};
        if (e->count > 0)
            out->last_sequence =
                e->batches[(e->first + e->count - 1) % PRODUCER_STATE_BATCHES].last_seq;
    }
    return true;
}

broker_req_status_t handle_describe_producers(broker_request_t *req)
{
    const kl_describe_producers_request_t *body = req->body;
    kl_describe_producers_response_t resp;
    kl_proto_init(&kl_describe_producers_response_schema, &resp);
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_describe_producers_request_topic_t *rt = &body->topics.items[i];
        kl_describe_producers_response_topic_t *out = &resp.topics.items[i];
        broker_topic_t *t = topics_find(&req->broker->topics, rt->name);
        int32_t np = rt->partition_indexes.count > 0 ? rt->partition_indexes.count : 0;
        out->name = rt->name;
        out->partitions.items = broker_alloc(req, (size_t)np, sizeof *out->partitions.items);
        if (!out->partitions.items)
            return BROKER_REQ_CLOSE;
        out->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            if (!describe_partition(req, t, rt->partition_indexes.items[k], &out->partitions.items[k]))
                return BROKER_REQ_CLOSE;
    }
    return broker_respond(req, &resp);
}
