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

static int16_t partition_error(group_coordinator_t *c, kl_str_t topic,
                               const kl_txn_offset_commit_request_partition_t *p)
{
    if (c->env.partition_exists && !c->env.partition_exists(c->env.opaque, topic, p->partition_index))
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (p->committed_metadata.len > c->config.offset_metadata_max_bytes)
        return KL_ERR_OFFSET_METADATA_TOO_LARGE;
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

/* Sizes the answer like the request; false when out of memory. */
static bool txn_skeleton(group_queued_t *q, const kl_txn_offset_commit_request_t *req, size_t *partitions)
{
    kl_txn_offset_commit_response_t *r = q->resp;
    int32_t nt = req->topics.count > 0 ? req->topics.count : 0;
    r->topics.items = group_reply_array(q, (size_t)nt, sizeof *r->topics.items);
    if (nt && !r->topics.items)
        return false;
    r->topics.count = nt;
    *partitions = 0;
    for (int32_t t = 0; t < nt; t++) {
        const kl_txn_offset_commit_request_topic_t *rt = &req->topics.items[t];
        kl_txn_offset_commit_response_topic_t *st = &r->topics.items[t];
        int32_t np = rt->partitions.count > 0 ? rt->partitions.count : 0;
        st->name = group_reply_kstr(q, rt->name);
        st->partitions.items = group_reply_array(q, (size_t)np, sizeof *st->partitions.items);
        if (np && !st->partitions.items)
            return false;
        st->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            st->partitions.items[k].partition_index = rt->partitions.items[k].partition_index;
        *partitions += (size_t)np;
    }
    return true;
}

static void txn_records(group_coordinator_t *c, group_t *g, const kl_txn_offset_commit_request_t *req,
                        kl_txn_offset_commit_response_t *r, int16_t group_error, record_batch_t *b,
                        group_commit_data_t *d)
{
    int64_t now = group_coord_wall(c);
    for (int32_t t = 0; t < r->topics.count; t++) {
        const kl_txn_offset_commit_request_topic_t *rt = &req->topics.items[t];
        for (int32_t k = 0; k < r->topics.items[t].partitions.count; k++) {
            const kl_txn_offset_commit_request_partition_t *p = &rt->partitions.items[k];
            int16_t *slot = &r->topics.items[t].partitions.items[k].error_code;
            *slot = group_error ? group_error : partition_error(c, rt->name, p);
            if (*slot)
                continue;
            group_offset_t o = {group_strdup(rt->name), p->partition_index, p->committed_offset,
                                p->committed_leader_epoch, group_strdup(p->committed_metadata), now, -1};
            if (!o.topic || !o.metadata) {
                free(o.topic);
                free(o.metadata);
                *slot = KL_ERR_UNKNOWN_SERVER_ERROR;
                continue;
            }
            d->offsets[d->count] = o;
            d->errors[d->count++] = slot;
            group_record_offset_key(&b->key, g->id, o.topic, o.partition);
            group_record_offset_value(&b->value, &o);
            group_batch_add(b, false);
        }
    }
}

static void txn_run(group_coordinator_t *c, void *arg)
{
    const txn_call_t *call = arg;
    group_queued_t *q = group_reply_new(c, call->reply, &kl_txn_offset_commit_response_schema);
    if (!q)
        return;
    size_t n = 0;
    group_t *g;
    int16_t group_error = txn_group_error(c, call->req, &g);
    group_commit_data_t *d = txn_skeleton(q, call->req, &n) ? group_commit_data_new(n) : NULL;
    group_op_t *op = NULL;
    if (!d || (!group_error && !(op = group_op_new(c, txn_stored, g->id, 0)))) {
        group_commit_data_free(d);
        group_reply_discard(q);
        group_reply_oom(c, call->reply);
        return;
    }
    d->producer_id = call->req->producer_id;
    record_batch_t b;
    group_batch_begin_txn(c, &b, call->req->producer_id, call->req->producer_epoch);
    txn_records(c, g, call->req, q->resp, group_error, &b, d);
    if (!op) {
        group_batch_abort(&b);
        group_commit_data_free(d);
        group_reply_send(c, q);
        return;
    }
    op->data = d;
    op->free_data = group_commit_data_free;
    op->reply = q;
    group_batch_submit(&b, g->partition, op);
}

group_status_t group_txn_offset_commit(group_coordinator_t *c, const group_ctx_t *ctx,
                                       const kl_txn_offset_commit_request_t *req, group_reply_t reply)
{
    (void)ctx;
    txn_call_t call = {req, reply};
    return group_coord_call(c, reply.opaque, txn_run, &call);
}
