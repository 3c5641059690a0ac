/* Removing committed offsets: OffsetDelete (not for partitions of a topic
 * a consumer-protocol member subscribes to, nor in non-empty groups of
 * other protocols), the periodic expiry of offsets.retention.minutes and
 * the cleanup after a topic is deleted; the last two also remove Empty
 * groups left without offsets. All append tombstones. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* ---- OffsetDelete ---- */

typedef struct delete_call {
    const group_ctx_t *ctx;
    const kl_offset_delete_request_t *req;
    group_reply_t reply;
} delete_call_t;

typedef struct removed {
    size_t count;
    char **topics;
    int32_t *partitions;
} removed_t;

static void removed_free(void *p)
{
    removed_t *r = p;
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->topics[i]);
    free(r->topics);
    free(r->partitions);
    free(r);
}

static removed_t *removed_new(size_t n)
{
    removed_t *r = calloc(1, sizeof *r);
    if (r && (!(r->topics = calloc(n + 1, sizeof *r->topics)) ||
              !(r->partitions = calloc(n + 1, sizeof *r->partitions)))) {
        removed_free(r);
        return NULL;
    }
    return r;
}

static void offsets_deleted(group_op_t *op, kl_err_t err)
{
    removed_t *r = op->data;
    group_t *g = group_find(op->coord, kl_str(op->group_id));
    if (err) {
        if (op->reply)
            ((kl_offset_delete_response_t *)op->reply->resp)->error_code = group_append_error(err);
        return;
    }
    for (size_t i = 0; g && r && i < r->count; i++)
        group_offset_remove(g, kl_str(r->topics[i]), r->partitions[i]);
}

static int16_t delete_group_error(const group_t *g)
{
    if (!g || g->state == GROUP_DEAD)
        return KL_ERR_GROUP_ID_NOT_FOUND;
    if (g->state != GROUP_EMPTY && !group_uses_consumer_protocol(g))
        return KL_ERR_NON_EMPTY_GROUP;
    return KL_ERR_NONE;
}

/* Answers one topic's partitions and adds the tombstones; false on OOM. */
static bool delete_topic(group_coordinator_t *c, group_t *g, group_queued_t *q,
                         const kl_offset_delete_request_topic_t *t, kl_offset_delete_response_topic_t *rt,
                         record_batch_t *b, removed_t *r)
{
    bool known;
    bool subscribed = group_subscribed_to(g, t->name, &known);
    int32_t np = t->partitions.count > 0 ? t->partitions.count : 0;
    rt->name = group_reply_kstr(q, t->name);
    rt->partitions.items = group_reply_array(q, (size_t)np, sizeof *rt->partitions.items);
    if (np && !rt->partitions.items)
        return false;
    rt->partitions.count = np;
    for (int32_t k = 0; k < np; k++) {
        int32_t partition = t->partitions.items[k].partition_index;
        kl_offset_delete_response_partition_t *rp = &rt->partitions.items[k];
        rp->partition_index = partition;
        if (subscribed) {
            rp->error_code = KL_ERR_GROUP_SUBSCRIBED_TO_TOPIC;
        } else if (c->env.partition_exists && !c->env.partition_exists(c->env.opaque, t->name, partition)) {
            rp->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        } else if (group_offset_find(g, t->name, partition)) {
            char *topic = group_strdup(t->name);
            if (!topic)
                return false;
            r->topics[r->count] = topic;
            r->partitions[r->count++] = partition;
            group_record_offset_key(&b->key, g->id, topic, partition);
            group_batch_add(b, true);
        }
    }
    return true;
}

static size_t partitions_in(const kl_offset_delete_request_t *req)
{
    size_t n = 0;
    for (int32_t t = 0; t < req->topics.count; t++)
        n += req->topics.items[t].partitions.count > 0 ? (size_t)req->topics.items[t].partitions.count : 0;
    return n;
}

static void offset_delete_run(group_coordinator_t *c, void *arg)
{
    const delete_call_t *call = arg;
    const kl_offset_delete_request_t *req = call->req;
    group_queued_t *q = group_reply_new(c, call->reply, &kl_offset_delete_response_schema);
    if (!q)
        return;
    kl_offset_delete_response_t *resp = q->resp;
    group_t *g = group_find(c, req->group_id);
    if ((resp->error_code = delete_group_error(g))) {
        group_reply_send(c, q);
        return;
    }
    size_t n = partitions_in(req);
    int32_t nt = req->topics.count > 0 ? req->topics.count : 0;
    removed_t *r = removed_new(n);
    group_op_t *op = NULL;
    bool ok = r && (!nt || (resp->topics.items = group_reply_array(q, (size_t)nt, sizeof *resp->topics.items))) &&
              (op = group_op_new(c, offsets_deleted, g->id, g->generation));
    record_batch_t b;
    group_batch_begin(c, &b);
    resp->topics.count = nt;
    for (int32_t t = 0; ok && t < nt; t++)
        ok = delete_topic(c, g, q, &req->topics.items[t], &resp->topics.items[t], &b, r);
    if (!ok) {
        group_batch_abort(&b);
        removed_free(r);
        if (op)
            group_op_fail(op, KL_ERR_NOMEM);
        group_reply_discard(q);
        group_reply_oom(c, call->reply);
        return;
    }
    op->data = r;
    op->free_data = removed_free;
    op->reply = q;
    group_batch_submit(&b, g->partition, op);
}

group_status_t group_offset_delete(group_coordinator_t *c, const group_ctx_t *ctx,
                                   const kl_offset_delete_request_t *req, group_reply_t reply)
{
    delete_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, offset_delete_run, &call);
}

/* ---- retention ---- */

/* When the group's offsets start to age: Kafka's expiration conditions.
 * Returns false when they do not expire now (a rebalancing group, or a
 * Stable one whose subscriptions are unknown). */
static bool expiry_rule(const group_t *g, bool *from_state, bool *skip_subscribed)
{
    *from_state = false;
    *skip_subscribed = false;
    if (!g->protocol_type)
        return true; /* a simple group: from each commit */
    if (g->state == GROUP_EMPTY) {
        *from_state = g->state_ts >= 0; /* since the group became Empty */
        return true;
    }
    if (g->state == GROUP_STABLE && group_uses_consumer_protocol(g)) {
        bool known;
        group_subscribed_to(g, kl_str(""), &known);
        *skip_subscribed = true; /* only topics no member subscribes to */
        return known;
    }
    return false;
}

static bool offset_expired(const group_t *g, const group_offset_t *o, bool from_state, int64_t now, int64_t retention)
{
    if (o->expire_ts >= 0)
        return now >= o->expire_ts;
    int64_t base = from_state ? g->state_ts : o->commit_ts;
    return now - base >= retention;
}

/* ---- removing offsets in bulk: retention and deleted topics ---- */

typedef bool offset_doomed_fn(const group_t *g, const group_offset_t *o, const void *arg);

/* Tombstones and forgets every offset of g that doomed() picks. An Empty
 * group left without offsets goes too, with a tombstone for its metadata,
 * as Kafka's cleanup does after expiry and after topic deletion. */
static void remove_offsets_where(group_coordinator_t *c, group_t *g, offset_doomed_fn *doomed, const void *arg)
{
    record_batch_t b;
    group_batch_begin(c, &b);
    size_t n;
    group_offset_t **all = (group_offset_t **)group_map_values(&g->offsets, &n);
    for (size_t i = 0; i < n; i++) {
        group_offset_t *o = all[i];
        if (!doomed(g, o, arg))
            continue;
        group_record_offset_key(&b.key, g->id, o->topic, o->partition);
        group_batch_add(&b, true);
        group_offset_remove(g, kl_str(o->topic), o->partition);
    }
    free(all);
    bool gone = g->offsets.count == 0 && g->state == GROUP_EMPTY;
    if (gone) {
        group_record_group_key(&b.key, g->id);
        group_batch_add(&b, true);
    }
    group_op_t *op = group_op_new(c, NULL, g->id, g->generation);
    if (op)
        group_batch_submit(&b, g->partition, op);
    else
        group_batch_abort(&b);
    if (gone)
        group_destroy(g);
}

typedef struct expiry {
    bool from_state, skip_subscribed;
    int64_t now, retention_ms;
} expiry_t;

static bool offset_expiry_doomed(const group_t *g, const group_offset_t *o, const void *arg)
{
    const expiry_t *e = arg;
    bool known;
    if (e->skip_subscribed && group_subscribed_to(g, kl_str(o->topic), &known))
        return false;
    return offset_expired(g, o, e->from_state, e->now, e->retention_ms);
}

void group_offsets_expire(group_coordinator_t *c)
{
    expiry_t e = {false, false, group_coord_wall(c), c->config.offsets_retention_ms};
    size_t n;
    void **groups = group_map_values(&c->groups, &n);
    for (size_t i = 0; i < n; i++) {
        group_t *g = groups[i];
        if (g->state != GROUP_DEAD && expiry_rule(g, &e.from_state, &e.skip_subscribed))
            remove_offsets_where(c, g, offset_expiry_doomed, &e);
    }
    free(groups);
}

static bool offset_of_topic(const group_t *g, const group_offset_t *o, const void *arg)
{
    (void)g;
    return strcmp(o->topic, arg) == 0;
}

void group_topic_deleted(group_coordinator_t *c, const char *topic)
{
    group_coord_enter(c);
    size_t n;
    void **groups = group_map_values(&c->groups, &n);
    for (size_t i = 0; i < n; i++) {
        group_t *g = groups[i];
        if (g->state != GROUP_DEAD)
            remove_offsets_where(c, g, offset_of_topic, topic);
    }
    free(groups);
    group_coord_leave(c);
}
