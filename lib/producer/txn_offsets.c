/* kl_send_offsets_to_transaction() on the I/O thread: AddOffsetsToTxn to
 * the transaction coordinator (the group's offsets partition joins the
 * transaction), then TxnOffsetCommit to the group's coordinator with the
 * consumer's generation and member id (KIP-447). The offsets become the
 * group's committed offsets only when the transaction commits. */
#include <stdlib.h>

#include "consumer/group_metadata.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_txn.h"
#include "producer/producer_impl.h"

static void on_txn_offset_commit(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len,
                                 void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_txn_offset_commit_response_t resp;
    err = prod_txn_io_decode(p, KL_API_TXN_OFFSET_COMMIT, err, frame, len, &arena, &resp);
    for (int32_t t = 0; !err && t < resp.topics.count; t++)
        for (int32_t k = 0; !err && k < resp.topics.items[t].partitions.count; k++)
            err = (kl_err_t)resp.topics.items[t].partitions.items[k].error_code;
    kl_arena_free(&arena);
    if (err == KL_ERR_DESTROY)
        return;
    if (err) {
        if (err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION) { /* Kafka's retriable answer for a moving partition */
            prod_txn_io_retry(p);
            return;
        }
        (void)prod_txn_io_error(p, err, true, "TxnOffsetCommit");
        return;
    }
    prod_txn_finish(p, KL_ERR_NONE, KL_ERROR_PLAIN, "done");
}

static void send_txn_offset_commit(kl_producer_t *p, kl_client_broker_t *gc)
{
    const kl_topic_partition_list_t *offsets = p->txn.offsets;
    const kl_consumer_group_metadata_t *md = p->txn.group;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    size_t n = offsets->count;
    kl_txn_offset_commit_request_topic_t *topics = kl_arena_calloc(&arena, n, sizeof *topics);
    kl_txn_offset_commit_request_partition_t *parts = kl_arena_calloc(&arena, n, sizeof *parts);
    bool *done = kl_arena_calloc(&arena, n, sizeof *done);
    if (!topics || !parts || !done) {
        kl_arena_free(&arena);
        prod_txn_io_retry(p);
        return;
    }
    int32_t ntopics = 0;
    size_t nparts = 0;
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        kl_txn_offset_commit_request_topic_t *t = &topics[ntopics++];
        t->name = kl_str(offsets->elems[i].topic);
        t->partitions.items = &parts[nparts];
        for (size_t k = i; k < n; k++) {
            const kl_topic_partition_t *e = &offsets->elems[k];
            if (done[k] || !kl_str_eq(t->name, e->topic))
                continue;
            done[k] = true;
            parts[nparts++] = (kl_txn_offset_commit_request_partition_t){
                .partition_index = e->partition,
                .committed_offset = e->offset,
                .committed_leader_epoch = e->leader_epoch,
                .committed_metadata = e->metadata ? kl_str(e->metadata) : KL_STR_NULL,
            };
            t->partitions.count++;
        }
    }
    kl_txn_offset_commit_request_t req;
    kl_proto_init(&kl_txn_offset_commit_request_schema, &req);
    req.transactional_id = kl_str(p->txn.id);
    req.group_id = kl_str(md->group_id);
    req.producer_id = p->idem.producer_id;
    req.producer_epoch = p->idem.epoch;
    req.generation_id = md->generation_id;
    req.member_id = kl_str(md->member_id);
    req.group_instance_id = md->instance_id ? kl_str(md->instance_id) : KL_STR_NULL;
    req.topics.items = topics;
    req.topics.count = ntopics;
    prod_txn_io_send(p, gc, KL_API_TXN_OFFSET_COMMIT, INT16_MAX, &req, on_txn_offset_commit);
    kl_arena_free(&arena);
}

static void on_add_offsets(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    kl_add_offsets_to_txn_response_t resp = {0};
    if (!prod_txn_io_answer(p, KL_API_ADD_OFFSETS_TO_TXN, err, frame, len, &resp, &resp.error_code,
                            "AddOffsetsToTxn"))
        return;
    p->txn.has_data = true;
    p->txn.stage = 1;
    p->txn.failures = 0;
    prod_txn_io_step(p);
}

void prod_txn_io_offsets(kl_producer_t *p)
{
    if (p->txn.stage == 0) {
        kl_add_offsets_to_txn_request_t req;
        kl_proto_init(&kl_add_offsets_to_txn_request_schema, &req);
        req.transactional_id = kl_str(p->txn.id);
        req.producer_id = p->idem.producer_id;
        req.producer_epoch = p->idem.epoch;
        req.group_id = kl_str(p->txn.group->group_id);
        prod_txn_io_send(p, p->txn.coord.broker, KL_API_ADD_OFFSETS_TO_TXN, INT16_MAX, &req, on_add_offsets);
        return;
    }
    kl_client_broker_t *gc = prod_txn_io_group_coord(p);
    if (gc)
        send_txn_offset_commit(p, gc);
}
