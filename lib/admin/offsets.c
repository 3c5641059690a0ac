/* Requests served by each partition's leader: ListOffsets and DeleteRecords.
 * A Metadata request finds the leaders, then one call per leader carries
 * that leader's partitions; the answers fill a copy of the caller's list. */
#include "admin/admin_impl.h"

#include <stdlib.h>
#include <string.h>

#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_topic_admin.h"

typedef struct offsets_ctx offsets_ctx_t;

/* One leader's share of the list. */
typedef struct leader_call {
    offsets_ctx_t *ctx;
    size_t *elems; /* indexes into ctx->out */
    size_t count;
} leader_call_t;

struct offsets_ctx {
    admin_md_request_t md;
    const admin_call_def_t *def;  /* ListOffsets or DeleteRecords */
    kl_topic_partition_list_t *out;
    const char **topics;          /* distinct names of out */
    leader_call_t *leaders;
    size_t leader_count;
};

/* Groups the partitions of a leader's call by topic: the topic of element
 * i of the call starts a new group unless an earlier element had it. */
static bool first_of_topic(const leader_call_t *lc, size_t i)
{
    const char *topic = lc->ctx->out->elems[lc->elems[i]].topic;
    for (size_t j = 0; j < i; j++)
        if (!strcmp(lc->ctx->out->elems[lc->elems[j]].topic, topic))
            return false;
    return true;
}

/* The element of lc for topic/partition, or NULL. */
static kl_topic_partition_t *find_elem(const leader_call_t *lc, kl_str_t topic, int32_t partition)
{
    for (size_t i = 0; i < lc->count; i++) {
        kl_topic_partition_t *e = &lc->ctx->out->elems[lc->elems[i]];
        if (e->partition == partition && kl_str_eq(topic, e->topic))
            return e;
    }
    return NULL;
}

static void fail_leader(const leader_call_t *lc, kl_err_t err)
{
    for (size_t i = 0; i < lc->count; i++)
        lc->ctx->out->elems[lc->elems[i]].err = err;
}

/* ---- ListOffsets ---------------------------------------------------------------- */

static void *build_list(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const leader_call_t *lc = call->arg;
    kl_list_offsets_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_list_offsets_request_topic_t *topics = kl_arena_calloc(arena, lc->count, sizeof *topics);
    if (!req || !topics)
        return NULL;
    kl_proto_init(&kl_list_offsets_request_schema, req);
    req->replica_id = -1;
    req->isolation_level = 0;
    req->timeout_ms = admin_call_remaining_ms(call);
    int32_t ntopics = 0;
    for (size_t i = 0; i < lc->count; i++) {
        if (!first_of_topic(lc, i))
            continue;
        const char *name = lc->ctx->out->elems[lc->elems[i]].topic;
        kl_list_offsets_request_partition_t *parts = kl_arena_calloc(arena, lc->count, sizeof *parts);
        if (!parts)
            return NULL;
        int32_t n = 0;
        for (size_t j = i; j < lc->count; j++) {
            const kl_topic_partition_t *e = &lc->ctx->out->elems[lc->elems[j]];
            if (strcmp(e->topic, name))
                continue;
            parts[n] = (kl_list_offsets_request_partition_t){.partition_index = e->partition,
                                                             .current_leader_epoch = -1,
                                                             .timestamp = e->offset,
                                                             .max_num_offsets = 1};
            n++;
        }
        topics[ntopics].name = kl_str(name);
        topics[ntopics].partitions.items = parts;
        topics[ntopics].partitions.count = n;
        ntopics++;
    }
    req->topics.items = topics;
    req->topics.count = ntopics;
    return req;
}

static void handle_list(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    const leader_call_t *lc = call->arg;
    const kl_list_offsets_response_t *r = resp;
    if (!r) {
        fail_leader(lc, err);
        return;
    }
    for (int32_t t = 0; t < r->topics.count; t++)
        for (int32_t p = 0; p < r->topics.items[t].partitions.count; p++) {
            const kl_list_offsets_response_partition_t *rp = &r->topics.items[t].partitions.items[p];
            kl_topic_partition_t *e = find_elem(lc, r->topics.items[t].name, rp->partition_index);
            if (!e)
                continue;
            e->err = (kl_err_t)rp->error_code;
            e->offset = rp->error_code ? KL_OFFSET_INVALID : rp->offset;
        }
}

/* v1 is the first answering with one offset per partition. */
static const admin_call_def_t list_def = {KL_API_LIST_OFFSETS, 1, 10, build_list, handle_list};

/* ---- DeleteRecords ---------------------------------------------------------------- */

static void *build_delete(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const leader_call_t *lc = call->arg;
    kl_delete_records_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_delete_records_request_delete_records_topic_t *topics = kl_arena_calloc(arena, lc->count, sizeof *topics);
    if (!req || !topics)
        return NULL;
    kl_proto_init(&kl_delete_records_request_schema, req);
    req->timeout_ms = admin_call_remaining_ms(call);
    int32_t ntopics = 0;
    for (size_t i = 0; i < lc->count; i++) {
        if (!first_of_topic(lc, i))
            continue;
        const char *name = lc->ctx->out->elems[lc->elems[i]].topic;
        kl_delete_records_request_delete_records_partition_t *parts = kl_arena_calloc(arena, lc->count, sizeof *parts);
        if (!parts)
            return NULL;
        int32_t n = 0;
        for (size_t j = i; j < lc->count; j++) {
            const kl_topic_partition_t *e = &lc->ctx->out->elems[lc->elems[j]];
            if (!strcmp(e->topic, name))
                parts[n++] = (kl_delete_records_request_delete_records_partition_t){e->partition, e->offset};
        }
        topics[ntopics].name = kl_str(name);
        topics[ntopics].partitions.items = parts;
        topics[ntopics].partitions.count = n;
        ntopics++;
    }
    req->topics.items = topics;
    req->topics.count = ntopics;
    return req;
}

static void handle_delete(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    const leader_call_t *lc = call->arg;
    const kl_delete_records_response_t *r = resp;
    if (!r) {
        fail_leader(lc, err);
        return;
    }
    for (int32_t t = 0; t < r->topics.count; t++)
        for (int32_t p = 0; p < r->topics.items[t].partitions.count; p++) {
            const kl_delete_records_response_delete_records_partition_result_t *rp =
                &r->topics.items[t].partitions.items[p];
            kl_topic_partition_t *e = find_elem(lc, r->topics.items[t].name, rp->partition_index);
            if (!e)
                continue;
            e->err = (kl_err_t)rp->error_code;
            e->offset = rp->error_code ? KL_OFFSET_INVALID : rp->low_watermark;
        }
}

static const admin_call_def_t delete_def = {KL_API_DELETE_RECORDS, 0, 2, build_delete, handle_delete};

/* ---- routing by leader ------------------------------------------------------------ */

/* The leader of e from the Metadata answer, or -1 with e->err set. */
static int32_t leader_of(kl_topic_partition_t *e, const kl_metadata_response_t *r)
{
    for (int32_t t = 0; t < r->topics.count; t++) {
        const kl_metadata_response_topic_t *mt = &r->topics.items[t];
        if (!kl_str_eq(mt->name, e->topic))
            continue;
        if (mt->error_code) {
            e->err = (kl_err_t)mt->error_code;
            return -1;
        }
        for (int32_t p = 0; p < mt->partitions.count; p++)
            if (mt->partitions.items[p].partition_index == e->partition) {
                int32_t leader = mt->partitions.items[p].leader_id;
                if (leader < 0)
                    e->err = KL_ERR_LEADER_NOT_AVAILABLE;
                return leader;
            }
    }
    e->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    return -1;
}

static leader_call_t *leader_call(offsets_ctx_t *ctx, int32_t *nodes, int32_t leader)
{
    for (size_t i = 0; i < ctx->leader_count; i++)
        if (nodes[i] == leader)
            return &ctx->leaders[i];
    nodes[ctx->leader_count] = leader;
    leader_call_t *lc = &ctx->leaders[ctx->leader_count++];
    lc->ctx = ctx;
    lc->elems = calloc(ctx->out->count, sizeof *lc->elems);
    return lc->elems ? lc : NULL;
}

static void on_leaders(admin_call_t *call, kl_err_t err, const char *errstr, const kl_metadata_response_t *r)
{
    (void)errstr;
    offsets_ctx_t *ctx = ((admin_md_request_t *)call->arg)->arg;
    size_t n = ctx->out->count;
    if (err) {
        for (size_t i = 0; i < n; i++)
            ctx->out->elems[i].err = err;
        return;
    }
    int32_t *nodes = calloc(n, sizeof *nodes);
    ctx->leaders = calloc(n, sizeof *ctx->leaders);
    if (!nodes || !ctx->leaders) {
        free(nodes);
        admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t leader = leader_of(&ctx->out->elems[i], r);
        if (leader < 0)
            continue;
        leader_call_t *lc = leader_call(ctx, nodes, leader);
        if (!lc) {
            free(nodes);
            admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
            return;
        }
        lc->elems[lc->count++] = i;
    }
    for (size_t i = 0; i < ctx->leader_count; i++)
        if (!admin_call_submit(call->op, ctx->def, nodes[i], NULL, &ctx->leaders[i]))
            break;
    free(nodes);
}

static void start(admin_op_t *op)
{
    offsets_ctx_t *ctx = op->ctx;
    admin_metadata_submit(op, &ctx->md);
}

static kl_err_t run(kl_admin_t *admin, const admin_call_def_t *def, const kl_topic_partition_list_t *in,
                    int timeout_ms, kl_topic_partition_list_t **outp)
{
    if (!admin || !in || !outp)
        return KL_ERR_INVALID_ARG;
    *outp = NULL;
    if (in->count == 0)
        return (*outp = kl_topic_partition_list_new(0)) ? KL_ERR_NONE : KL_ERR_NOMEM;
    offsets_ctx_t ctx = {.def = def, .md = {.done = on_leaders}};
    ctx.md.arg = &ctx;
    ctx.out = kl_topic_partition_list_copy(in);
    ctx.topics = calloc(in->count, sizeof *ctx.topics);
    kl_err_t err = ctx.out && ctx.topics ? KL_ERR_NONE : KL_ERR_NOMEM;
    for (size_t i = 0; !err && i < in->count; i++) {
        kl_topic_partition_t *e = &ctx.out->elems[i];
        e->err = KL_ERR_TIMED_OUT; /* until answered */
        size_t t = 0;
        while (t < ctx.md.count && strcmp(ctx.topics[t], e->topic))
            t++;
        if (t == ctx.md.count)
            ctx.topics[ctx.md.count++] = e->topic;
    }
    ctx.md.topics = ctx.topics;
    if (!err) {
        admin_op_t op = {.start = start, .ctx = &ctx};
        err = admin_op_run(admin, &op, timeout_ms);
    }
    for (size_t i = 0; i < ctx.leader_count; i++)
        free(ctx.leaders[i].elems);
    free(ctx.leaders);
    free(ctx.topics);
    if (err) {
        kl_topic_partition_list_destroy(ctx.out);
        return err;
    }
    *outp = ctx.out;
    return KL_ERR_NONE;
}

kl_err_t kl_admin_list_offsets(kl_admin_t *admin, const kl_topic_partition_list_t *partitions, int timeout_ms,
                               kl_topic_partition_list_t **offsetsp)
{
    return run(admin, &list_def, partitions, timeout_ms, offsetsp);
}

kl_err_t kl_admin_delete_records(kl_admin_t *admin, const kl_topic_partition_list_t *before, int timeout_ms,
                                 kl_topic_partition_list_t **resultp)
{
    return run(admin, &delete_def, before, timeout_ms, resultp);
}
