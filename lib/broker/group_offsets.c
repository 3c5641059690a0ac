/* Committed offsets: the per-group table, OffsetCommit (members of a
 * generation, or simple groups with generation -1 that commit without
 * membership; acknowledged once the records are appended) and OffsetFetch
 * (one group, or several from v8; every committed partition when topics
 * is null). Transactional commits are group_txn_offsets.c's. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* ---- the table: topic '\0' partition -> offset ---- */

typedef struct offset_key {
    uint8_t small[288];
    uint8_t *p;
    size_t len;
} offset_key_t;

static bool key_make(offset_key_t *k, kl_str_t topic, int32_t partition)
{
    size_t n = topic.len > 0 ? (size_t)topic.len : 0;
    k->len = n + 5;
    k->p = k->len <= sizeof k->small ? k->small : malloc(k->len);
    if (!k->p)
        return false;
    if (n)
        memcpy(k->p, topic.ptr, n);
    k->p[n] = 0;
    kl_store_be32(k->p + n + 1, (uint32_t)partition);
    return true;
}

static void key_done(offset_key_t *k)
{
    if (k->p != k->small)
        free(k->p);
}

group_offset_t *group_offset_find(const group_t *g, kl_str_t topic, int32_t partition)
{
    offset_key_t k;
    if (!key_make(&k, topic, partition))
        return NULL;
    group_offset_t *o = group_map_get(&g->offsets, k.p, k.len);
    key_done(&k);
    return o;
}

void group_offset_free(group_offset_t *o)
{
    if (!o)
        return;
    free(o->topic);
    free(o->metadata);
    free(o);
}

bool group_offset_put(group_t *g, const group_offset_t *o)
{
    group_offset_t *copy = malloc(sizeof *copy);
    if (!copy)
        return false;
    *copy = *o;
    copy->topic = strdup(o->topic);
    copy->metadata = strdup(o->metadata ? o->metadata : "");
    offset_key_t k;
    bool keyed = copy->topic && copy->metadata && key_make(&k, kl_str(o->topic), o->partition);
    group_offset_t *old = keyed ? group_map_get(&g->offsets, k.p, k.len) : NULL;
    bool ok = keyed && group_map_put(&g->offsets, k.p, k.len, copy);
    if (keyed)
        key_done(&k);
    if (!ok) {
        group_offset_free(copy);
        return false;
    }
    group_offset_free(old);
    return true;
}

void group_offset_remove(group_t *g, kl_str_t topic, int32_t partition)
{
    offset_key_t k;
    if (!key_make(&k, topic, partition))
        return;
    group_offset_free(group_map_remove(&g->offsets, k.p, k.len));
    key_done(&k);
}

void group_free_offsets(group_t *g)
{
    size_t n;
    void **all = group_map_values(&g->offsets, &n);
    for (size_t i = 0; i < n; i++)
        group_offset_free(all[i]);
    free(all);
    group_map_free(&g->offsets);
}

/* ---- OffsetCommit ---- */

typedef struct commit_call {
    const group_ctx_t *ctx;
    const kl_offset_commit_request_t *req;
    group_reply_t reply;
} commit_call_t;

void group_commit_data_free(void *p)
{
    group_commit_data_t *d = p;
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++) {
        free(d->offsets[i].topic);
        free(d->offsets[i].metadata);
    }
    free(d->offsets);
    free(d->errors);
    free(d);
}

group_commit_data_t *group_commit_data_new(size_t n)
{
    group_commit_data_t *d = calloc(1, sizeof *d);
    if (d && (!(d->offsets = calloc(n + 1, sizeof *d->offsets)) || !(d->errors = calloc(n + 1, sizeof *d->errors)))) {
        group_commit_data_free(d);
        return NULL;
    }
    return d;
}

/* Kafka's checks for a commit to group g (created for a simple commit). */
static int16_t commit_group_error(group_coordinator_t *c, const commit_call_t *call, group_t **gp)
{
    const kl_offset_commit_request_t *req = call->req;
    int32_t generation = req->generation_id_or_member_epoch;
    *gp = NULL;
    if (req->group_id.len <= 0)
        return KL_ERR_INVALID_GROUP_ID;
    group_t *g = group_find(c, req->group_id);
    if (!g && generation >= 0)
        return call->ctx->api_version >= 9 ? KL_ERR_GROUP_ID_NOT_FOUND : KL_ERR_ILLEGAL_GENERATION;
    /* Generation -1 on a group we do not know: a simple group (an admin
     * client, or a consumer assigning partitions itself). */
    if (!g && !(g = group_create(c, req->group_id)))
        return KL_ERR_UNKNOWN_SERVER_ERROR;
    *gp = g;
    if (g->state == GROUP_DEAD)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (generation < 0 && g->state == GROUP_EMPTY)
        return KL_ERR_NONE;
    if (generation >= 0 || req->member_id.len > 0 || req->group_instance_id.len >= 0) {
        int16_t err = group_validate_member(g, req->member_id, req->group_instance_id);
        if (err)
            return err;
        if (generation != g->generation)
            return KL_ERR_ILLEGAL_GENERATION;
    } else if (g->state != GROUP_EMPTY) {
        return KL_ERR_UNKNOWN_MEMBER_ID; /* no membership: only while Empty */
    }
    if (g->state == GROUP_COMPLETING)
        return KL_ERR_REBALANCE_IN_PROGRESS; /* valid member, assignment not out yet */
    /* A member's commit counts as a sign of life, as in Kafka. */
    group_member_t *m = group_member_find(g, req->member_id);
    if (m)
        group_member_reschedule(g, m, m->session_timeout_ms);
    return KL_ERR_NONE;
}

static int16_t partition_error(group_coordinator_t *c, kl_str_t topic, const kl_offset_commit_request_partition_t *p)
{
    if (c->env.partition_exists && !c->env.partition_exists(c->env.opaque, topic, p->partition_index))
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (p->committed_metadata.len > c->config.offset_metadata_max_bytes)
        return KL_ERR_OFFSET_METADATA_TOO_LARGE;
    return KL_ERR_NONE;
}

static void commit_stored(group_op_t *op, kl_err_t err)
{
    group_commit_data_t *d = op->data;
    group_t *g = group_find(op->coord, kl_str(op->group_id));
    int16_t error = group_append_error_offsets(err);
    for (size_t i = 0; i < d->count; i++) {
        if (!error && g && !group_offset_put(g, &d->offsets[i]))
            *d->errors[i] = KL_ERR_UNKNOWN_SERVER_ERROR;
        else if (!error && g)
            group_txn_pending_supersede(op->coord, g->id, kl_str(d->offsets[i].topic), d->offsets[i].partition);
        else if (error)
            *d->errors[i] = error;
    }
}

/* Sizes the answer like the request; false when out of memory. */
static bool commit_skeleton(group_queued_t *q, const kl_offset_commit_request_t *req, size_t *partitions)
{
    kl_offset_commit_response_t *r = q->resp;
    int32_t nt = req->topics.count > 0 ? req->topics.count : 0;
    r->topics.items = group_reply_array(q, (size_t)nt, sizeof *r->topics.items);
    if (nt && !r->topics.items)
        return false;
    r->topics.count = nt;
    *partitions = 0;
    for (int32_t t = 0; t < nt; t++) {
        const kl_offset_commit_request_topic_t *rt = &req->topics.items[t];
        kl_offset_commit_response_topic_t *st = &r->topics.items[t];
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

/* Encodes the valid partitions' records into b and d. */
static void commit_records(group_coordinator_t *c, group_t *g, const kl_offset_commit_request_t *req,
                           kl_offset_commit_response_t *r, int16_t group_error, record_batch_t *b, group_commit_data_t *d)
{
    int64_t now = group_coord_wall(c);
    /* v2-4 may ask for a retention of their own; v1 may give the commit
     * time (-1: now). */
    int64_t expire = req->retention_time_ms >= 0 ? now + req->retention_time_ms : -1;
    for (int32_t t = 0; t < r->topics.count; t++) {
        const kl_offset_commit_request_topic_t *rt = &req->topics.items[t];
        for (int32_t k = 0; k < r->topics.items[t].partitions.count; k++) {
            const kl_offset_commit_request_partition_t *p = &rt->partitions.items[k];
            int16_t *slot = &r->topics.items[t].partitions.items[k].error_code;
            *slot = group_error ? group_error : partition_error(c, rt->name, p);
            if (*slot)
                continue;
            group_offset_t o = {group_strdup(rt->name), p->partition_index, p->committed_offset,
                                p->committed_leader_epoch, group_strdup(p->committed_metadata),
                                p->commit_timestamp >= 0 ? p->commit_timestamp : now, expire};
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

static void commit_run(group_coordinator_t *c, void *arg)
{
    const commit_call_t *call = arg;
    group_queued_t *q = group_reply_new(c, call->reply, &kl_offset_commit_response_schema);
    if (!q)
        return;
    size_t n = 0;
    group_t *g;
    int16_t group_error = commit_group_error(c, call, &g);
    group_commit_data_t *d = commit_skeleton(q, call->req, &n) ? group_commit_data_new(n) : NULL;
    group_op_t *op = NULL;
    if (!d || (!group_error && !(op = group_op_new(c, commit_stored, g->id, 0)))) {
        group_commit_data_free(d);
        group_reply_discard(q);
        group_reply_oom(c, call->reply);
        return;
    }
    record_batch_t b;
    group_batch_begin(c, &b);
    commit_records(c, g, call->req, q->resp, group_error, &b, d);
    if (!op) {
        group_batch_abort(&b);
        group_commit_data_free(d);
        group_reply_send(c, q);
        return;
    }
    op->data = d;
    op->free_data = group_commit_data_free;
    op->reply = q;
    group_batch_submit(&b, g->partition, op); /* no valid partition: answers at once */
}

group_status_t group_offset_commit(group_coordinator_t *c, const group_ctx_t *ctx,
                                   const kl_offset_commit_request_t *req, group_reply_t reply)
{
    commit_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, commit_run, &call);
}
