/* A group's committed offsets through its coordinator: OffsetFetch to read
 * them, OffsetCommit as a simple consumer (generation -1, no member id) to
 * set them, which Kafka's coordinators (and ours) accept only while the
 * group has no members, and OffsetDelete to remove them (refused for a
 * partition the group's members are subscribed to). */
#include "admin/admin_impl.h"

#include <stdlib.h>
#include <string.h>

#include "proto/msg_offset.h"

typedef struct group_offsets_ctx {
    const char *group;
    const kl_topic_partition_list_t *in; /* NULL: every partition with an offset */
    kl_topic_partition_list_t *out;
    kl_err_t err;                        /* the group's own error */
} group_offsets_ctx_t;

/* Whether element i is the first of its topic in list: requests group
 * partitions by topic. */
static bool first_of_topic(const kl_topic_partition_list_t *list, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(list->elems[j].topic, list->elems[i].topic))
            return false;
    return true;
}

/* ---- OffsetFetch ----------------------------------------------------------------- */

static void *build_fetch(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const group_offsets_ctx_t *ctx = call->arg;
    kl_offset_fetch_request_t *req = kl_arena_alloc(arena, sizeof *req);
    if (!req)
        return NULL;
    kl_proto_init(&kl_offset_fetch_request_schema, req);
    req->group_id = kl_str(ctx->group);
    req->require_stable = false;
    if (!ctx->in) {
        req->topics.items = NULL;
        req->topics.count = -1; /* every topic */
        return req;
    }
    size_t n = ctx->in->count;
    kl_offset_fetch_request_topic_t *topics = kl_arena_calloc(arena, n ? n : 1, sizeof *topics);
    if (!topics)
        return NULL;
    int32_t ntopics = 0;
    for (size_t i = 0; i < n; i++) {
        if (!first_of_topic(ctx->in, i))
            continue;
        int32_t *parts = kl_arena_calloc(arena, n, sizeof *parts);
        if (!parts)
            return NULL;
        int32_t np = 0;
        for (size_t j = i; j < n; j++)
            if (!strcmp(ctx->in->elems[j].topic, ctx->in->elems[i].topic))
                parts[np++] = ctx->in->elems[j].partition;
        topics[ntopics].name = kl_str(ctx->in->elems[i].topic);
        topics[ntopics].partition_indexes.items = parts;
        topics[ntopics].partition_indexes.count = np;
        ntopics++;
    }
    req->topics.items = topics;
    req->topics.count = ntopics;
    return req;
}

static void handle_fetch(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    group_offsets_ctx_t *ctx = call->arg;
    const kl_offset_fetch_response_t *r = resp;
    if (r && admin_err_retriable((kl_err_t)r->error_code)) {
        admin_call_retry(call, true);
        return;
    }
    ctx->err = r ? (kl_err_t)r->error_code : err;
    if (ctx->err)
        return;
    for (int32_t t = 0; t < r->topics.count; t++) {
        const kl_offset_fetch_response_topic_t *rt = &r->topics.items[t];
        char *topic = admin_strdup_empty(rt->name);
        for (int32_t p = 0; topic && p < rt->partitions.count; p++) {
            const kl_offset_fetch_response_partition_t *rp = &rt->partitions.items[p];
            if (admin_err_retriable((kl_err_t)rp->error_code)) {
                free(topic);
                admin_call_retry(call, true);
                return;
            }
            kl_topic_partition_t *e = kl_topic_partition_list_find(ctx->out, topic, rp->partition_index);
            if (!e && !(e = kl_topic_partition_list_add(ctx->out, topic, rp->partition_index)))
                break;
            e->err = (kl_err_t)rp->error_code;
            e->offset = rp->committed_offset >= 0 ? rp->committed_offset : KL_OFFSET_INVALID;
            char *meta = admin_strdup(rp->metadata);
            if (kl_topic_partition_set_metadata(e, meta))
                ctx->err = KL_ERR_NOMEM;
            free(meta);
        }
        if (!topic)
            ctx->err = KL_ERR_NOMEM;
        free(topic);
    }
    kl_topic_partition_list_sort(ctx->out);
}

/* v2 is the first where a null topic list asks for every partition and the
 * group's own error is told; v8 changes the layout to several groups. */
static const admin_call_def_t fetch_def = {KL_API_OFFSET_FETCH, 2, 7, build_fetch, handle_fetch};

static void start_fetch(admin_op_t *op)
{
    group_offsets_ctx_t *ctx = op->ctx;
    admin_call_submit(op, &fetch_def, ADMIN_COORDINATOR, ctx->group, ctx);
}

static kl_err_t run(kl_admin_t *admin, group_offsets_ctx_t *ctx, void (*start)(admin_op_t *op), int timeout_ms,
                    kl_topic_partition_list_t **outp)
{
    admin_op_t op = {.start = start, .ctx = ctx};
    kl_err_t err = ctx->out ? admin_op_run(admin, &op, timeout_ms) : KL_ERR_NOMEM;
    if (!err)
        err = ctx->err;
    if (err) {
        kl_topic_partition_list_destroy(ctx->out);
        return err;
    }
    *outp = ctx->out;
    return KL_ERR_NONE;
}

kl_err_t kl_admin_list_group_offsets(kl_admin_t *admin, const char *group,
                                     const kl_topic_partition_list_t *partitions, int timeout_ms,
                                     kl_topic_partition_list_t **offsetsp)
{
    if (!admin || !group || !*group || !offsetsp)
        return KL_ERR_INVALID_ARG;
    *offsetsp = NULL;
    group_offsets_ctx_t ctx = {.group = group, .in = partitions};
    ctx.out = partitions ? kl_topic_partition_list_copy(partitions) : kl_topic_partition_list_new(0);
    for (size_t i = 0; ctx.out && i < ctx.out->count; i++) {
        ctx.out->elems[i].offset = KL_OFFSET_INVALID;
        ctx.out->elems[i].err = KL_ERR_TIMED_OUT; /* until answered */
    }
    return run(admin, &ctx, start_fetch, timeout_ms, offsetsp);
}

/* ---- OffsetCommit ------------------------------------------------------------------- */

static void *build_commit(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const group_offsets_ctx_t *ctx = call->arg;
    const kl_topic_partition_list_t *in = ctx->in;
    kl_offset_commit_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_offset_commit_request_topic_t *topics = kl_arena_calloc(arena, in->count, sizeof *topics);
    if (!req || !topics)
        return NULL;
    kl_proto_init(&kl_offset_commit_request_schema, req);
    req->group_id = kl_str(ctx->group);
    req->generation_id_or_member_epoch = -1; /* a simple consumer: no membership */
    req->member_id = kl_str("");
    req->group_instance_id = KL_STR_NULL;
    req->retention_time_ms = -1;
    int32_t ntopics = 0;
    for (size_t i = 0; i < in->count; i++) {
        if (!first_of_topic(in, i))
            continue;
        kl_offset_commit_request_partition_t *parts = kl_arena_calloc(arena, in->count, sizeof *parts);
        if (!parts)
            return NULL;
        int32_t np = 0;
        for (size_t j = i; j < in->count; j++) {
            const kl_topic_partition_t *e = &in->elems[j];
            if (strcmp(e->topic, in->elems[i].topic))
                continue;
            parts[np++] = (kl_offset_commit_request_partition_t){
                .partition_index = e->partition,
                .committed_offset = e->offset,
                .committed_leader_epoch = e->leader_epoch,
                .commit_timestamp = -1,
                .committed_metadata = kl_str(e->metadata ? e->metadata : ""),
            };
        }
        topics[ntopics].name = kl_str(in->elems[i].topic);
        topics[ntopics].partitions.items = parts;
        topics[ntopics].partitions.count = np;
        ntopics++;
    }
    req->topics.items = topics;
    req->topics.count = ntopics;
    return req;
}

static void handle_commit(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    group_offsets_ctx_t *ctx = call->arg;
    const kl_offset_commit_response_t *r = resp;
    if (!r) {
        for (size_t i = 0; i < ctx->out->count; i++)
            ctx->out->elems[i].err = err;
        return;
    }
    for (int32_t t = 0; t < r->topics.count; t++)
        for (int32_t p = 0; p < r->topics.items[t].partitions.count; p++) {
            const kl_offset_commit_response_partition_t *rp = &r->topics.items[t].partitions.items[p];
            if (admin_err_retriable((kl_err_t)rp->error_code)) {
                admin_call_retry(call, true); /* the coordinator moved: commit everything again */
                return;
            }
            for (size_t i = 0; i < ctx->out->count; i++) {
                kl_topic_partition_t *e = &ctx->out->elems[i];
                if (e->partition == rp->partition_index && kl_str_eq(r->topics.items[t].name, e->topic))
                    e->err = (kl_err_t)rp->error_code;
            }
        }
}

/* v2 is the first without a per-partition timestamp; v9 is for members of
 * the new consumer protocol. */
static const admin_call_def_t commit_def = {KL_API_OFFSET_COMMIT, 2, 8, build_commit, handle_commit};

static void start_commit(admin_op_t *op)
{
    group_offsets_ctx_t *ctx = op->ctx;
    if (ctx->in->count > 0)
        admin_call_submit(op, &commit_def, ADMIN_COORDINATOR, ctx->group, ctx);
}

kl_err_t kl_admin_alter_group_offsets(kl_admin_t *admin, const char *group, const kl_topic_partition_list_t *offsets,
                                      int timeout_ms, kl_topic_partition_list_t **resultp)
{
    if (!admin || !group || !*group || !offsets || !resultp)
        return KL_ERR_INVALID_ARG;
    *resultp = NULL;
    for (size_t i = 0; i < offsets->count; i++)
        if (offsets->elems[i].offset < 0)
            return KL_ERR_INVALID_ARG; /* a committed offset is a real one */
    group_offsets_ctx_t ctx = {.group = group, .in = offsets};
    ctx.out = kl_topic_partition_list_copy(offsets);
    for (size_t i = 0; ctx.out && i < ctx.out->count; i++)
        ctx.out->elems[i].err = KL_ERR_TIMED_OUT; /* until answered */
    return run(admin, &ctx, start_commit, timeout_ms, resultp);
}

/* ---- OffsetDelete ------------------------------------------------------------------- */

static void *build_delete(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const group_offsets_ctx_t *ctx = call->arg;
    const kl_topic_partition_list_t *in = ctx->in;
    kl_offset_delete_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_offset_delete_request_topic_t *topics = kl_arena_calloc(arena, in->count, sizeof *topics);
    if (!req || !topics)
        return NULL;
    kl_proto_init(&kl_offset_delete_request_schema, req);
    req->group_id = kl_str(ctx->group);
    int32_t ntopics = 0;
    for (size_t i = 0; i < in->count; i++) {
        if (!first_of_topic(in, i))
            continue;
        kl_offset_delete_request_partition_t *parts = kl_arena_calloc(arena, in->count, sizeof *parts);
        if (!parts)
            return NULL;
        int32_t np = 0;
        for (size_t j = i; j < in->count; j++)
            if (!strcmp(in->elems[j].topic, in->elems[i].topic))
                parts[np++].partition_index = in->elems[j].partition;
        topics[ntopics].name = kl_str(in->elems[i].topic);
        topics[ntopics].partitions.items = parts;
        topics[ntopics].partitions.count = np;
        ntopics++;
    }
    req->topics.items = topics;
    req->topics.count = ntopics;
    return req;
}

static void handle_delete(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    group_offsets_ctx_t *ctx = call->arg;
    const kl_offset_delete_response_t *r = resp;
    if (r && admin_err_retriable((kl_err_t)r->error_code)) {
        admin_call_retry(call, true);
        return;
    }
    ctx->err = r ? (kl_err_t)r->error_code : err;
    if (ctx->err)
        return;
    for (int32_t t = 0; t < r->topics.count; t++)
        for (int32_t p = 0; p < r->topics.items[t].partitions.count; p++) {
            const kl_offset_delete_response_partition_t *rp = &r->topics.items[t].partitions.items[p];
            for (size_t i = 0; i < ctx->out->count; i++) {
                kl_topic_partition_t *e = &ctx->out->elems[i];
                if (e->partition == rp->partition_index && kl_str_eq(r->topics.items[t].name, e->topic))
                    e->err = (kl_err_t)rp->error_code;
            }
        }
}

static const admin_call_def_t delete_def = {KL_API_OFFSET_DELETE, 0, 0, build_delete, handle_delete};

static void start_delete(admin_op_t *op)
{
    group_offsets_ctx_t *ctx = op->ctx;
    if (ctx->in->count > 0)
        admin_call_submit(op, &delete_def, ADMIN_COORDINATOR, ctx->group, ctx);
}

kl_err_t kl_admin_delete_group_offsets(kl_admin_t *admin, const char *group,
                                       const kl_topic_partition_list_t *partitions, int timeout_ms,
                                       kl_topic_partition_list_t **resultp)
{
    if (!admin || !group || !*group || !partitions || !resultp)
        return KL_ERR_INVALID_ARG;
    *resultp = NULL;
    group_offsets_ctx_t ctx = {.group = group, .in = partitions};
    ctx.out = kl_topic_partition_list_copy(partitions);
    for (size_t i = 0; ctx.out && i < ctx.out->count; i++)
        ctx.out->elems[i].err = KL_ERR_TIMED_OUT; /* until answered */
    return run(admin, &ctx, start_delete, timeout_ms, resultp);
}
