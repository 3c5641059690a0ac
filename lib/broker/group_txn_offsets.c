/* Offsets committed in a transaction (TxnOffsetCommit, KIP-98/447): written
 * to the group's __consumer_offsets partition as a transactional batch of
 * the producer, then held pending per producer until the transaction's
 * marker lands on that partition: a commit marker makes them the group's
 * committed offsets, an abort marker drops them. Replay does the same
 * with the batches and markers it reads, so offsets whose marker is not
 * in the log stay pending (the transaction coordinator writes it when it
 * completes a prepared transaction at start). As in Kafka, the newest
 * record of a partition wins: a pending offset whose partition saw a
 * later commit (plain, or of another transaction) before its marker
 * leaves that one in place when it commits. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* ---- the pending list ---- */

static void pending_free(group_txn_pending_t *p)
{
    free(p->group_id);
    free(p->offset.topic);
    free(p->offset.metadata);
    free(p);
}

bool group_txn_pending_add(group_coordinator_t *c, int64_t producer_id, uint32_t load_seq, const char *group_id,
                           const group_offset_t *o)
{
    group_txn_pending_t *p = calloc(1, sizeof *p);
    if (!p)
        return false;
    p->producer_id = producer_id;
    p->partition = group_partition_for(kl_str(group_id), c->config.offsets_partitions);
    p->load_seq = load_seq;
    p->group_id = strdup(group_id);
    p->offset = *o;
    p->offset.topic = strdup(o->topic);
    p->offset.metadata = strdup(o->metadata ? o->metadata : "");
    if (!p->group_id || !p->offset.topic || !p->offset.metadata) {
        pending_free(p);
        return false;
    }
    /* kept in arrival order, so that the last write of a partition wins */
    group_txn_pending_t **tail = &c->txn_pending;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    return true;
}

static bool same_partition(const group_txn_pending_t *p, const char *group_id, kl_str_t topic, int32_t partition)
{
    return p->offset.partition == partition && strcmp(p->group_id, group_id) == 0 &&
           group_str_is(topic, p->offset.topic);
}

void group_txn_pending_supersede(group_coordinator_t *c, const char *group_id, kl_str_t topic, int32_t partition)
{
    for (group_txn_pending_t *p = c->txn_pending; p; p = p->next)
        if (same_partition(p, group_id, topic, partition))
            p->superseded = true;
}

/* A pending offset becomes the group's committed one, unless a later
 * commit of its partition is; the older ones pending lose to it. */
static void make_visible(group_coordinator_t *c, const group_txn_pending_t *p)
{
    if (p->superseded)
        return;
    for (group_txn_pending_t *q = c->txn_pending; q != p; q = q->next) /* in arrival order: older first */
        if (same_partition(q, p->group_id, kl_str(p->offset.topic), p->offset.partition))
            q->superseded = true;
    group_t *g = group_find(c, kl_str(p->group_id));
    if (!g)
        g = group_create(c, kl_str(p->group_id));
    if (g)
        (void)group_offset_put(g, &p->offset); /* out of memory: the log has it, a restart restores it */
}

void group_txn_pending_end(group_coordinator_t *c, int64_t producer_id, int32_t partition, uint32_t load_seq,
                           bool commit)
{
    group_txn_pending_t **pp = &c->txn_pending;
    while (*pp) {
        group_txn_pending_t *p = *pp;
        bool match = p->producer_id == producer_id && (load_seq ? p->load_seq == load_seq : p->partition == partition);
        if (!match) {
            pp = &p->next;
            continue;
        }
        if (commit)
            make_visible(c, p);
        *pp = p->next;
        pending_free(p);
    }
}

bool group_txn_pending_has(const group_coordinator_t *c, const char *group_id, kl_str_t topic, int32_t partition)
{
    for (const group_txn_pending_t *p = c->txn_pending; p; p = p->next)
        if (same_partition(p, group_id, topic, partition))
            return true;
    return false;
}

void group_txn_pending_free_all(group_coordinator_t *c)
{
    while (c->txn_pending) {
        group_txn_pending_t *p = c->txn_pending;
        c->txn_pending = p->next;
        pending_free(p);
    }
}

void group_txn_marker(group_coordinator_t *c, int32_t partition, int64_t producer_id, bool commit)
{
    group_coord_enter(c);
    group_txn_pending_end(c, producer_id, partition, 0, commit);
    group_coord_leave(c);
}

/* ---- TxnOffsetCommit ---- */

typedef struct txn_call {
    const kl_txn_offset_commit_request_t *req;
    group_reply_t reply;
} txn_call_t;

/* Kafka's checks of a transactional commit: the group is created when
 * unknown (generation -1), member and generation validated when given. */
static int16_t txn_group_error(group_coordinator_t *c, const kl_txn_offset_commit_request_t *req, group_t **gp)
{
    *gp = NULL;
    if (req->group_id.len <= 0)
        return KL_ERR_INVALID_GROUP_ID;
    group_t *g = group_find(c, req->group_id);
    if (!g && req->generation_id >= 0)
        return KL_ERR_ILLEGAL_GENERATION;
    if (!g && !(g = group_create(c, req->group_id)))
        return KL_ERR_UNKNOWN_SERVER_ERROR;
    *gp = g;
    if (g->state == GROUP_DEAD)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (req->member_id.len > 0 || req->group_instance_id.len >= 0) {
        int16_t err = group_validate_member(g, req->member_id, req->group_instance_id);
        if (err)
            return err;
    }
    if (req->generation_id >= 0 && req->generation_id != g->generation)
        return KL_ERR_ILLEGAL_GENERATION;
    return KL_ERR_NONE;
}

/* Stored: the offsets wait for their marker. */
static void txn_stored(group_op_t *op, kl_err_t err)
{
    group_commit_data_t *d = op->data;
    int16_t error = group_append_error_offsets(err);
    for (size_t i = 0; i < d->count; i++) {
        if (!error && !group_txn_pending_add(op->coord, d->producer_id, 0, op->group_id, &d->offsets[i]))
            *d->errors[i] = KL_ERR_UNKNOWN_SERVER_ERROR; /* the transaction must abort */
        else if (error)
            *d->errors[i] = error;
    }
}

static kl_str_t txn_topic(const void *req, int32_t t, int32_t *partitions)
{
    const kl_txn_offset_commit_request_topic_t *rt = &((const kl_txn_offset_commit_request_t *)req)->topics.items[t];
    *partitions = rt->partitions.count;
    return rt->name;
}

static void txn_partition(const void *req, int32_t t, int32_t k, group_commit_part_t *p)
{
    const kl_txn_offset_commit_request_t *r = req;
    const kl_txn_offset_commit_request_partition_t *rp = &r->topics.items[t].partitions.items[k];
    *p = (group_commit_part_t){rp->partition_index, rp->committed_offset, rp->committed_leader_epoch,
                               rp->committed_metadata, -1};
}

static const group_commit_kind_t txn_kind = {
    &kl_txn_offset_commit_response_schema,
    {offsetof(kl_txn_offset_commit_response_t, topics), sizeof(kl_txn_offset_commit_response_topic_t),
     offsetof(kl_txn_offset_commit_response_topic_t, name), offsetof(kl_txn_offset_commit_response_topic_t, partitions),
     sizeof(kl_txn_offset_commit_response_partition_t),
     offsetof(kl_txn_offset_commit_response_partition_t, partition_index),
     offsetof(kl_txn_offset_commit_response_partition_t, error_code)},
    txn_topic,
    txn_partition,
    txn_stored,
};

static void txn_run(group_coordinator_t *c, void *arg)
{
    const txn_call_t *call = arg;
    const kl_txn_offset_commit_request_t *req = call->req;
    group_commit_t cm = {&txn_kind, req, req->topics.count, call->reply, NULL, 0, req->producer_id,
                         req->producer_epoch, -1};
    cm.group_error = txn_group_error(c, req, &cm.g);
    group_commit_run(c, &cm);
}

group_status_t group_txn_offset_commit(group_coordinator_t *c, const group_ctx_t *ctx,
                                       const kl_txn_offset_commit_request_t *req, group_reply_t reply)
{
    (void)ctx;
    txn_call_t call = {req, reply};
    return group_coord_call(c, reply.opaque, txn_run, &call);
}
