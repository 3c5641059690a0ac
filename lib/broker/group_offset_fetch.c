/* OffsetFetch: the committed offsets of one group (v0-7) or of several
 * (v8+), for the listed partitions (-1 and "" where nothing is committed)
 * or, when topics is null, for every partition the group committed. With
 * require_stable (v7+), a partition with offsets of an open transaction
 * pending (listed, or committed when all are asked for) answers
 * UNSTABLE_OFFSET_COMMIT (KIP-447) with no offset, which clients retry
 * until the transaction ends (the Java admin client leaves it out). */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* One requested topic, whichever request form it came from. */
typedef struct topic_view {
    kl_str_t name;
    const int32_t *partitions;
    int32_t count;
} topic_view_t;

typedef kl_offset_fetch_response_topic_t fetched_topic_t;
typedef kl_offset_fetch_response_partition_t fetched_partition_t;

/* The partition's committed offset o (NULL: none), or when stable is asked
 * for and an open transaction holds offsets for it, the error alone. */
static void fill_partition(group_queued_t *q, const group_t *g, bool stable, kl_str_t topic, const group_offset_t *o,
                           int32_t partition, fetched_partition_t *p)
{
    p->partition_index = partition;
    p->error_code = KL_ERR_NONE;
    if (stable && g && group_txn_pending_has(g->coord, g->id, topic, partition)) {
        p->error_code = KL_ERR_UNSTABLE_OFFSET_COMMIT;
        o = NULL;
    }
    p->committed_offset = o ? o->offset : -1;
    p->committed_leader_epoch = o ? o->leader_epoch : -1;
    p->metadata = o ? group_reply_str(q, o->metadata) : kl_str("");
}

static int offset_order(const void *a, const void *b)
{
    const group_offset_t *x = *(group_offset_t *const *)a, *y = *(group_offset_t *const *)b;
    int cmp = strcmp(x->topic, y->topic);
    return cmp ? cmp : (x->partition > y->partition) - (x->partition < y->partition);
}

/* Every committed partition, topic by topic. */
static bool fill_all(group_queued_t *q, const group_t *g, bool stable, fetched_topic_t **topicsp, int32_t *countp)
{
    size_t n = 0;
    group_offset_t **all = g ? (group_offset_t **)group_map_values(&g->offsets, &n) : NULL;
    if (g && g->offsets.count && !all)
        return false;
    if (n > 1)
        qsort(all, n, sizeof *all, offset_order);
    fetched_topic_t *topics = group_reply_array(q, n, sizeof *topics);
    fetched_partition_t *parts = group_reply_array(q, n, sizeof *parts);
    int32_t nt = 0;
    for (size_t i = 0; topics && parts && i < n; i++) {
        if (nt == 0 || strcmp(topics[nt - 1].name.ptr, all[i]->topic) != 0) {
            topics[nt].name = group_reply_str(q, all[i]->topic);
            topics[nt].partitions.items = &parts[i];
            nt++;
        }
        fill_partition(q, g, stable, kl_str(all[i]->topic), all[i], all[i]->partition, &parts[i]);
        topics[nt - 1].partitions.count++;
    }
    free(all);
    *topicsp = topics;
    *countp = nt;
    return n == 0 || (topics && parts);
}

static bool fill_listed(group_queued_t *q, const group_t *g, const topic_view_t *views, int32_t nv, bool stable,
                        fetched_topic_t **topicsp, int32_t *countp)
{
    fetched_topic_t *topics = group_reply_array(q, (size_t)nv, sizeof *topics);
    if (nv && !topics)
        return false;
    for (int32_t t = 0; t < nv; t++) {
        int32_t np = views[t].count > 0 ? views[t].count : 0;
        topics[t].name = group_reply_kstr(q, views[t].name);
        topics[t].partitions.items = group_reply_array(q, (size_t)np, sizeof *topics[t].partitions.items);
        if (np && !topics[t].partitions.items)
            return false;
        topics[t].partitions.count = np;
        for (int32_t k = 0; k < np; k++) {
            int32_t partition = views[t].partitions[k];
            const group_offset_t *o = g ? group_offset_find(g, views[t].name, partition) : NULL;
            fill_partition(q, g, stable, views[t].name, o, partition, &topics[t].partitions.items[k]);
        }
    }
    *topicsp = topics;
    *countp = nv;
    return true;
}

/* One group's offsets; nv < 0: all of them. A group being deleted has
 * none left to show. */
static bool fill_group(group_coordinator_t *c, group_queued_t *q, kl_str_t group_id, const topic_view_t *views,
                       int32_t nv, bool stable, fetched_topic_t **topicsp, int32_t *countp)
{
    group_t *g = group_find(c, group_id);
    if (g && g->state == GROUP_DEAD)
        g = NULL;
    return nv < 0 ? fill_all(q, g, stable, topicsp, countp) : fill_listed(q, g, views, nv, stable, topicsp, countp);
}

static bool fetch_single(group_coordinator_t *c, group_queued_t *q, const kl_offset_fetch_request_t *req)
{
    kl_offset_fetch_response_t *r = q->resp;
    int32_t nv = req->topics.count;
    topic_view_t *views = calloc(nv > 0 ? (size_t)nv : 1, sizeof *views);
    if (!views)
        return false;
    for (int32_t t = 0; t < nv; t++)
        views[t] = (topic_view_t){req->topics.items[t].name, req->topics.items[t].partition_indexes.items,
                                  req->topics.items[t].partition_indexes.count};
    bool ok = fill_group(c, q, req->group_id, views, nv, req->require_stable, &r->topics.items, &r->topics.count);
    free(views);
    r->error_code = KL_ERR_NONE;
    return ok;
}

/* The v8 answer has its own (identical) structs: copy field by field. */
static bool convert_topics(group_queued_t *q, const fetched_topic_t *topics, int32_t n,
                           kl_offset_fetch_response_group_t *out)
{
    out->topics.items = group_reply_array(q, (size_t)n, sizeof *out->topics.items);
    if (n && !out->topics.items)
        return false;
    out->topics.count = n;
    for (int32_t t = 0; t < n; t++) {
        kl_offset_fetch_response_group_topic_t *ot = &out->topics.items[t];
        int32_t np = topics[t].partitions.count;
        ot->name = topics[t].name;
        ot->partitions.items = group_reply_array(q, (size_t)np, sizeof *ot->partitions.items);
        if (np && !ot->partitions.items)
            return false;
        ot->partitions.count = np;
        for (int32_t k = 0; k < np; k++) {
            const fetched_partition_t *p = &topics[t].partitions.items[k];
            ot->partitions.items[k] = (kl_offset_fetch_response_group_partition_t){
                p->partition_index, p->committed_offset, p->committed_leader_epoch, p->metadata, p->error_code};
        }
    }
    return true;
}

static bool fetch_groups(group_coordinator_t *c, group_queued_t *q, const kl_offset_fetch_request_t *req)
{
    kl_offset_fetch_response_t *r = q->resp;
    int32_t ng = req->groups.count > 0 ? req->groups.count : 0;
    r->groups.items = group_reply_array(q, (size_t)ng, sizeof *r->groups.items);
    if (ng && !r->groups.items)
        return false;
    r->groups.count = ng;
    for (int32_t i = 0; i < ng; i++) {
        const kl_offset_fetch_request_group_t *rg = &req->groups.items[i];
        int32_t nv = rg->topics.count;
        topic_view_t *views = calloc(nv > 0 ? (size_t)nv : 1, sizeof *views);
        if (!views)
            return false;
        for (int32_t t = 0; t < nv; t++)
            views[t] = (topic_view_t){rg->topics.items[t].name, rg->topics.items[t].partition_indexes.items,
                                      rg->topics.items[t].partition_indexes.count};
        fetched_topic_t *topics = NULL;
        int32_t nt = 0;
        bool ok = fill_group(c, q, rg->group_id, views, nv, req->require_stable, &topics, &nt);
        free(views);
        r->groups.items[i].group_id = group_reply_kstr(q, rg->group_id);
        r->groups.items[i].error_code = KL_ERR_NONE;
        if (!ok || !convert_topics(q, topics, nt, &r->groups.items[i]))
            return false;
    }
    return true;
}

typedef struct fetch_call {
    const group_ctx_t *ctx;
    const kl_offset_fetch_request_t *req;
    group_reply_t reply;
} fetch_call_t;

static void fetch_run(group_coordinator_t *c, void *arg)
{
    const fetch_call_t *f = arg;
    group_queued_t *q = group_reply_new(c, f->reply, &kl_offset_fetch_response_schema);
    if (!q)
        return;
    bool ok = f->ctx->api_version >= 8 ? fetch_groups(c, q, f->req) : fetch_single(c, q, f->req);
    if (!ok) {
        group_reply_discard(q);
        group_reply_oom(c, f->reply);
        return;
    }
    group_reply_send(c, q);
}

group_status_t group_offset_fetch(group_coordinator_t *c, const group_ctx_t *ctx,
                                  const kl_offset_fetch_request_t *req, group_reply_t reply)
{
    fetch_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, fetch_run, &call);
}
