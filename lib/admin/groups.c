/* Consumer groups: ListGroups on every broker (each lists the groups it
 * coordinates), DescribeGroups and DeleteGroups through each group's
 * coordinator. Members' assignments are decoded with the consumer
 * protocol's codec when the group is a consumer group. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_consumer_protocol.h"
#include "proto/msg_group.h"
#include "proto/msg_metadata.h"

typedef struct groups_ctx groups_ctx_t;

typedef struct group_call {
    groups_ctx_t *ctx;
    size_t index;
} group_call_t;

struct groups_ctx {
    admin_md_request_t md;     /* listing: the brokers */
    const char *const *names;  /* describing or deleting */
    size_t count;
    group_call_t *calls;
    kl_admin_groups_t *groups; /* listing or describing */
    size_t cap;
    kl_admin_results_t *deleted;
};

/* ---- ListGroups ------------------------------------------------------------------- */

static void *build_list(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)call;
    (void)version;
    kl_list_groups_request_t *req = kl_arena_alloc(arena, sizeof *req);
    if (req)
        kl_proto_init(&kl_list_groups_request_schema, req); /* no filters */
    return req;
}

static kl_admin_group_t *add_group(groups_ctx_t *ctx)
{
    kl_admin_groups_t *g = ctx->groups;
    if (g->count == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 16;
        kl_admin_group_t *items = realloc(g->items, cap * sizeof *items);
        if (!items)
            return NULL;
        g->items = items;
        ctx->cap = cap;
    }
    kl_admin_group_t *group = &g->items[g->count++];
    memset(group, 0, sizeof *group);
    group->coordinator = -1;
    return group;
}

static void handle_list(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    groups_ctx_t *ctx = call->arg;
    const kl_list_groups_response_t *r = resp;
    if (r && admin_err_retriable((kl_err_t)r->error_code)) {
        admin_call_retry(call, false);
        return;
    }
    if (!r || r->error_code) {
        /* one broker failing does not hide the others' groups */
        kl_admin_group_t *g = add_group(ctx);
        if (g) {
            g->err = r ? (kl_err_t)r->error_code : err;
            g->coordinator = call->node;
            g->group_id = strdup("");
            g->state = strdup("");
            g->protocol_type = strdup("");
        }
        return;
    }
    for (int32_t i = 0; i < r->groups.count; i++) {
        const kl_list_groups_response_listed_group_t *lg = &r->groups.items[i];
        kl_admin_group_t *g = add_group(ctx);
        if (!g) {
            admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
            return;
        }
        g->coordinator = call->node;
        g->group_id = admin_strdup_empty(lg->group_id);
        g->protocol_type = admin_strdup_empty(lg->protocol_type);
        g->state = admin_strdup_empty(call->version >= 4 ? lg->group_state : KL_STR_NULL);
    }
}

static const admin_call_def_t list_def = {KL_API_LIST_GROUPS, 0, 5, build_list, handle_list};

static void on_brokers(admin_call_t *call, kl_err_t err, const char *errstr, const kl_metadata_response_t *r)
{
    groups_ctx_t *ctx = ((admin_md_request_t *)call->arg)->arg;
    if (err) {
        admin_op_finish(call->op, err, errstr);
        return;
    }
    for (int32_t i = 0; i < r->brokers.count; i++)
        if (!admin_call_submit(call->op, &list_def, r->brokers.items[i].node_id, NULL, ctx))
            return;
}

static void start_list(admin_op_t *op)
{
    groups_ctx_t *ctx = op->ctx;
    admin_metadata_submit(op, &ctx->md);
}

static int group_cmp(const void *a, const void *b)
{
    const kl_admin_group_t *x = a, *y = b;
    return strcmp(x->group_id ? x->group_id : "", y->group_id ? y->group_id : "");
}

kl_err_t kl_admin_list_groups(kl_admin_t *admin, int timeout_ms, kl_admin_groups_t **groupsp)
{
    if (!admin || !groupsp)
        return KL_ERR_INVALID_ARG;
    *groupsp = NULL;
    groups_ctx_t ctx = {.md = {.brokers_only = true, .done = on_brokers}};
    ctx.md.arg = &ctx;
    if (!(ctx.groups = calloc(1, sizeof *ctx.groups)))
        return KL_ERR_NOMEM;
    admin_op_t op = {.start = start_list, .ctx = &ctx};
    kl_err_t err = admin_op_run(admin, &op, timeout_ms);
    for (size_t i = 0; !err && i < ctx.groups->count; i++)
        if (!ctx.groups->items[i].group_id || !ctx.groups->items[i].state || !ctx.groups->items[i].protocol_type)
            err = KL_ERR_NOMEM;
    if (err) {
        kl_admin_groups_destroy(ctx.groups);
        return err;
    }
    if (ctx.groups->count > 1) /* qsort's array may not be NULL, even when empty */
        qsort(ctx.groups->items, ctx.groups->count, sizeof *ctx.groups->items, group_cmp);
    *groupsp = ctx.groups;
    return KL_ERR_NONE;
}

/* ---- DescribeGroups ------------------------------------------------------------------ */

static void *build_describe(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const group_call_t *gc = call->arg;
    kl_describe_groups_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_str_t *names = kl_arena_alloc(arena, sizeof *names);
    if (!req || !names)
        return NULL;
    kl_proto_init(&kl_describe_groups_request_schema, req);
    names[0] = kl_str(gc->ctx->names[gc->index]);
    req->groups.items = names;
    req->groups.count = 1;
    return req;
}

/* The partitions of a consumer-protocol assignment; an empty list when the
 * bytes are not one (another protocol, or nothing assigned yet). */
static kl_topic_partition_list_t *decode_assignment(kl_bytes_t bytes)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(0);
    if (!list || bytes.len <= 0)
        return list;
    kl_arena_t arena;
    kl_arena_init(&arena, 64u << 20);
    kl_consumer_protocol_assignment_t a;
    if (kl_consumer_protocol_assignment_decode(bytes, &arena, &a, NULL) == KL_ERR_NONE) {
        for (int32_t t = 0; t < a.assigned_partitions.count; t++) {
            const kl_consumer_protocol_assignment_topic_partition_t *tp = &a.assigned_partitions.items[t];
            char *topic = admin_strdup_empty(tp->topic);
            for (int32_t p = 0; topic && p < tp->partitions.count; p++)
                if (!kl_topic_partition_list_add(list, topic, tp->partitions.items[p])) {
                    kl_topic_partition_list_destroy(list);
                    list = NULL;
                    break;
                }
            free(topic);
            if (!topic || !list) {
                kl_topic_partition_list_destroy(list);
                list = NULL;
                break;
            }
        }
    }
    kl_arena_free(&arena);
    return list;
}

static bool fill_members(kl_admin_group_t *g, const kl_describe_groups_response_described_group_t *dg)
{
    size_t n = dg->members.count > 0 ? (size_t)dg->members.count : 0;
    g->members = calloc(n ? n : 1, sizeof *g->members);
    if (!g->members)
        return false;
    g->member_count = n;
    bool consumer = kl_str_eq(dg->protocol_type, "consumer");
    for (size_t i = 0; i < n; i++) {
        const kl_describe_groups_response_described_group_member_t *dm = &dg->members.items[i];
        kl_admin_member_t *m = &g->members[i];
        m->member_id = admin_strdup_empty(dm->member_id);
        m->group_instance_id = admin_strdup(dm->group_instance_id);
        m->client_id = admin_strdup_empty(dm->client_id);
        m->host = admin_strdup_empty(dm->client_host);
        m->assignment = decode_assignment(consumer ? dm->member_assignment : KL_BYTES_NULL);
        if (!m->member_id || !m->client_id || !m->host || !m->assignment)
            return false;
    }
    return true;
}

static void handle_describe(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    (void)errstr;
    const group_call_t *gc = call->arg;
    kl_admin_group_t *g = &gc->ctx->groups->items[gc->index];
    const kl_describe_groups_response_t *r = resp;
    if (r && r->groups.count < 1)
        err = KL_ERR_BAD_MSG;
    if (err || !r) {
        g->err = err;
        return;
    }
    const kl_describe_groups_response_described_group_t *dg = &r->groups.items[0];
    if (admin_err_retriable((kl_err_t)dg->error_code)) {
        admin_call_retry(call, true);
        return;
    }
    g->err = (kl_err_t)dg->error_code;
    g->coordinator = call->coordinator;
    free(g->state);
    free(g->protocol_type);
    free(g->protocol);
    g->state = admin_strdup_empty(dg->group_state);
    g->protocol_type = admin_strdup_empty(dg->protocol_type);
    g->protocol = admin_strdup_empty(dg->protocol_data);
    if (!g->state || !g->protocol_type || !g->protocol || !fill_members(g, dg))
        g->err = KL_ERR_NOMEM;
}

static const admin_call_def_t describe_def = {KL_API_DESCRIBE_GROUPS, 0, 5, build_describe, handle_describe};

/* One coordinator call per group. */
static void start_each(admin_op_t *op, const admin_call_def_t *def)
{
    groups_ctx_t *ctx = op->ctx;
    for (size_t i = 0; i < ctx->count; i++) {
        ctx->calls[i] = (group_call_t){ctx, i};
        if (!admin_call_submit(op, def, ADMIN_COORDINATOR, ctx->names[i], &ctx->calls[i]))
            return;
    }
}

static void start_describe(admin_op_t *op) { start_each(op, &describe_def); }

kl_err_t kl_admin_describe_groups(kl_admin_t *admin, const char *const *groups, size_t count, int timeout_ms,
                                  kl_admin_groups_t **groupsp)
{
    if (!admin || !groupsp || !admin_names_valid(groups, count))
        return KL_ERR_INVALID_ARG;
    *groupsp = NULL;
    groups_ctx_t ctx = {.names = groups, .count = count};
    ctx.calls = calloc(count ? count : 1, sizeof *ctx.calls);
    ctx.groups = calloc(1, sizeof *ctx.groups);
    kl_err_t err = ctx.calls && ctx.groups ? KL_ERR_NONE : KL_ERR_NOMEM;
    if (!err && !(ctx.groups->items = calloc(count ? count : 1, sizeof *ctx.groups->items)))
        err = KL_ERR_NOMEM;
    if (!err) {
        ctx.groups->count = count;
        for (size_t i = 0; i < count; i++) {
            kl_admin_group_t *g = &ctx.groups->items[i];
            g->err = KL_ERR_TIMED_OUT;
            g->coordinator = -1;
            g->group_id = strdup(groups[i]);
            g->state = strdup("");
            g->protocol_type = strdup("");
            g->protocol = strdup("");
            if (!g->group_id || !g->state || !g->protocol_type || !g->protocol)
                err = KL_ERR_NOMEM;
        }
    }
    if (!err) {
        admin_op_t op = {.start = start_describe, .ctx = &ctx};
        err = admin_op_run(admin, &op, timeout_ms);
    }
    free(ctx.calls);
    if (err) {
        kl_admin_groups_destroy(ctx.groups);
        return err;
    }
    *groupsp = ctx.groups;
    return KL_ERR_NONE;
}

/* ---- DeleteGroups -------------------------------------------------------------------- */

static void handle_delete(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    const group_call_t *gc = call->arg;
    kl_admin_result_t *out = &gc->ctx->deleted->items[gc->index];
    const kl_delete_groups_response_t *r = resp;
    if (r && r->results.count < 1) {
        err = KL_ERR_BAD_MSG;
        errstr = "DeleteGroups answered without the group";
    }
    if (err || !r) {
        admin_result_set(out, (int16_t)err, kl_str(errstr));
        admin_result_answered(gc->ctx->deleted, gc->index);
        return;
    }
    if (admin_err_retriable((kl_err_t)r->results.items[0].error_code)) {
        admin_call_retry(call, true);
        return;
    }
    admin_result_set(out, r->results.items[0].error_code, KL_STR_NULL);
    admin_result_answered(gc->ctx->deleted, gc->index);
}

static void *build_delete(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const group_call_t *gc = call->arg;
    kl_delete_groups_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_str_t *names = kl_arena_alloc(arena, sizeof *names);
    if (!req || !names)
        return NULL;
    kl_proto_init(&kl_delete_groups_request_schema, req);
    names[0] = kl_str(gc->ctx->names[gc->index]);
    req->groups_names.items = names;
    req->groups_names.count = 1;
    return req;
}

static const admin_call_def_t delete_def = {KL_API_DELETE_GROUPS, 0, 2, build_delete, handle_delete};

static void start_delete(admin_op_t *op) { start_each(op, &delete_def); }

kl_err_t kl_admin_delete_groups(kl_admin_t *admin, const char *const *groups, size_t count, int timeout_ms,
                                kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || !admin_names_valid(groups, count))
        return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    groups_ctx_t ctx = {.names = groups, .count = count};
    ctx.calls = calloc(count ? count : 1, sizeof *ctx.calls);
    ctx.deleted = admin_results_named(groups, count);
    if (!ctx.calls || !ctx.deleted) {
        free(ctx.calls);
        kl_admin_results_destroy(ctx.deleted);
        return KL_ERR_NOMEM;
    }
    admin_op_t op = {.start = start_delete, .ctx = &ctx};
    kl_err_t err = admin_run_results(admin, &op, timeout_ms, ctx.deleted, resultsp);
    free(ctx.calls);
    return err;
}
