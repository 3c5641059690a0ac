/* Committed offsets: the per-group table, OffsetCommit (members of a
 * generation, or simple groups with generation -1 that commit without
 * membership; acknowledged once the records are appended) and OffsetFetch
 * (one group, or several from v8; every committed partition when topics
 * is null). Transactional commits are group_txn_offsets.c's. */
#include <stddef.h>
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

static kl_str_t commit_topic(const void *req, int32_t t, int32_t *partitions)
{
    const kl_offset_commit_request_topic_t *rt = &((const kl_offset_commit_request_t *)req)->topics.items[t];
    *partitions = rt->partitions.count;
    return rt->name;
}

static void commit_partition(const void *req, int32_t t, int32_t k, group_commit_part_t *p)
{
    const kl_offset_commit_request_t *r = req;
    const kl_offset_commit_request_partition_t *rp = &r->topics.items[t].partitions.items[k];
    /* v1 may give the commit time (-1: now). */
    *p = (group_commit_part_t){rp->partition_index, rp->committed_offset, rp->committed_leader_epoch,
                               rp->committed_metadata, rp->commit_timestamp};
}

static const group_commit_kind_t commit_kind = {
    &kl_offset_commit_response_schema,
    {offsetof(kl_offset_commit_response_t, topics), sizeof(kl_offset_commit_response_topic_t),
     offsetof(kl_offset_commit_response_topic_t, name), offsetof(kl_offset_commit_response_topic_t, partitions),
     sizeof(kl_offset_commit_response_partition_t), offsetof(kl_offset_commit_response_partition_t, partition_index),
     offsetof(kl_offset_commit_response_partition_t, error_code)},
    commit_topic,
    commit_partition,
    commit_stored,
};

static void commit_run(group_coordinator_t *c, void *arg)
{
    const commit_call_t *call = arg;
    const kl_offset_commit_request_t *req = call->req;
    group_commit_t cm = {&commit_kind, req, req->topics.count, call->reply, NULL, 0, -1, -1, -1};
    cm.group_error = commit_group_error(c, call, &cm.g);
    /* v2-4 may ask for a retention of their own. */
    if (req->retention_time_ms >= 0)
        cm.expire = group_coord_wall(c) + req->retention_time_ms;
    group_commit_run(c, &cm);
}

group_status_t group_offset_commit(group_coordinator_t *c, const group_ctx_t *ctx,
                                   const kl_offset_commit_request_t *req, group_reply_t reply)
{
    commit_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, commit_run, &call);
}
