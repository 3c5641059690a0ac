/* Topic administration: CreateTopics, DeleteTopics and CreatePartitions to
 * any broker (a Kafka cluster forwards them to its controller), and the
 * description of topics from Metadata. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_metadata.h"
#include "proto/msg_topic_admin.h"

typedef struct topics_ctx {
    const kl_admin_new_topic_t *new_topics;
    const char *const *names;
    size_t count;
    int32_t total_partitions;
    bool validate_only;
    kl_admin_results_t *results;
} topics_ctx_t;

/* ---- CreateTopics --------------------------------------------------------------- */

static size_t count_pairs(const char *const *configs)
{
    size_t n = 0;
    while (configs && configs[2 * n] && configs[2 * n + 1])
        n++;
    return n;
}

static void *build_create(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const topics_ctx_t *ctx = call->arg;
    kl_create_topics_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_create_topics_request_creatable_topic_t *topics = kl_arena_calloc(arena, ctx->count, sizeof *topics);
    if (!req || !topics)
        return NULL;
    kl_proto_init(&kl_create_topics_request_schema, req);
    for (size_t i = 0; i < ctx->count; i++) {
        const kl_admin_new_topic_t *nt = &ctx->new_topics[i];
        kl_create_topics_request_creatable_topic_t *t = &topics[i];
        t->name = kl_str(nt->name);
        t->num_partitions = nt->partitions;
        t->replication_factor = nt->replication_factor;
        size_t n = count_pairs(nt->configs);
        kl_create_topics_request_creatable_topic_config_t *configs = kl_arena_calloc(arena, n ? n : 1, sizeof *configs);
        if (!configs)
            return NULL;
        for (size_t c = 0; c < n; c++) {
            configs[c].name = kl_str(nt->configs[2 * c]);
            configs[c].value = kl_str(nt->configs[2 * c + 1]);
        }
        t->configs.items = configs;
        t->configs.count = (int32_t)n;
    }
    req->topics.items = topics;
    req->topics.count = (int32_t)ctx->count;
    req->timeout_ms = admin_call_remaining_ms(call);
    req->validate_only = ctx->validate_only;
    return req;
}

static void handle_create(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    if (!resp) {
        admin_results_fail(((topics_ctx_t *)call->arg)->results, err, errstr);
        return;
    }
    const kl_create_topics_response_t *r = resp;
    const topics_ctx_t *ctx = call->arg;
    for (int32_t i = 0; i < r->topics.count; i++)
        admin_results_apply(ctx->results, r->topics.items[i].name, r->topics.items[i].error_code,
                            r->topics.items[i].error_message);
}

/* v1 is the first with validate_only. */
static const admin_call_def_t create_def = {KL_API_CREATE_TOPICS, 1, 7, build_create, handle_create};

static void start_create(admin_op_t *op) { admin_call_submit(op, &create_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

kl_err_t kl_admin_create_topics(kl_admin_t *admin, const kl_admin_new_topic_t *topics, size_t count,
                                int validate_only, int timeout_ms, kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || (count && !topics) || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    kl_admin_results_t *results = admin_results_new(count);
    if (!results)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        if (!topics[i].name || !*topics[i].name) {
            kl_admin_results_destroy(results);
            return KL_ERR_INVALID_ARG;
        }
        if (!admin_result_name(results, i, topics[i].name)) {
            kl_admin_results_destroy(results);
            return KL_ERR_NOMEM;
        }
    }
    topics_ctx_t ctx = {.new_topics = topics, .count = count, .validate_only = validate_only != 0,
                        .results = results};
    admin_op_t op = {.start = start_create, .ctx = &ctx};
    return admin_run_results(admin, &op, timeout_ms, results, resultsp);
}

/* ---- DeleteTopics ----------------------------------------------------------------- */

static void *build_delete(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const topics_ctx_t *ctx = call->arg;
    kl_delete_topics_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_delete_topics_request_delete_topic_state_t *states = kl_arena_calloc(arena, ctx->count, sizeof *states);
    kl_str_t *names = kl_arena_calloc(arena, ctx->count, sizeof *names);
    if (!req || !states || !names)
        return NULL;
    kl_proto_init(&kl_delete_topics_request_schema, req);
    for (size_t i = 0; i < ctx->count; i++)
        states[i].name = names[i] = kl_str(ctx->names[i]); /* by name; the id stays zero */
    req->topics.items = states; /* v6+ */
    req->topics.count = (int32_t)ctx->count;
    req->topic_names.items = names; /* v0-5 */
    req->topic_names.count = (int32_t)ctx->count;
    req->timeout_ms = admin_call_remaining_ms(call);
    return req;
}

static void handle_delete(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    if (!resp) {
        admin_results_fail(((topics_ctx_t *)call->arg)->results, err, errstr);
        return;
    }
    const kl_delete_topics_response_t *r = resp;
    const topics_ctx_t *ctx = call->arg;
    for (int32_t i = 0; i < r->responses.count; i++)
        admin_results_apply(ctx->results, r->responses.items[i].name, r->responses.items[i].error_code,
                            r->responses.items[i].error_message);
}

static const admin_call_def_t delete_def = {KL_API_DELETE_TOPICS, 0, 6, build_delete, handle_delete};

static void start_delete(admin_op_t *op) { admin_call_submit(op, &delete_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

kl_err_t kl_admin_delete_topics(kl_admin_t *admin, const char *const *topics, size_t count, int timeout_ms,
                                kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || !admin_names_valid(topics, count) || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    kl_admin_results_t *results = admin_results_named(topics, count);
    if (!results)
        return KL_ERR_NOMEM;
    topics_ctx_t ctx = {.names = topics, .count = count, .results = results};
    admin_op_t op = {.start = start_delete, .ctx = &ctx};
    return admin_run_results(admin, &op, timeout_ms, results, resultsp);
}

/* ---- CreatePartitions ------------------------------------------------------------- */

static void *build_partitions(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const topics_ctx_t *ctx = call->arg;
    kl_create_partitions_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_create_partitions_request_create_partitions_topic_t *t = kl_arena_alloc(arena, sizeof *t);
    if (!req || !t)
        return NULL;
    kl_proto_init(&kl_create_partitions_request_schema, req);
    t->name = kl_str(ctx->names[0]);
    t->count = ctx->total_partitions;
    t->assignments.items = NULL;
    t->assignments.count = -1; /* the broker places them */
    req->topics.items = t;
    req->topics.count = 1;
    req->timeout_ms = admin_call_remaining_ms(call);
    req->validate_only = ctx->validate_only;
    return req;
}

static void handle_partitions(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    if (!resp) {
        admin_results_fail(((topics_ctx_t *)call->arg)->results, err, errstr);
        return;
    }
    const kl_create_partitions_response_t *r = resp;
    const topics_ctx_t *ctx = call->arg;
    for (int32_t i = 0; i < r->results.count; i++)
        admin_results_apply(ctx->results, r->results.items[i].name, r->results.items[i].error_code,
                            r->results.items[i].error_message);
}

static const admin_call_def_t partitions_def = {KL_API_CREATE_PARTITIONS, 0, 3, build_partitions,
                                                handle_partitions};

static void start_partitions(admin_op_t *op)
{
    admin_call_submit(op, &partitions_def, ADMIN_ANY_BROKER, NULL, op->ctx);
}

kl_err_t kl_admin_create_partitions(kl_admin_t *admin, const char *topic, int32_t total_partitions,
                                    int validate_only, int timeout_ms, kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || !admin_names_valid(&topic, 1) || total_partitions < 1)
        return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    kl_admin_results_t *results = admin_results_named(&topic, 1);
    if (!results)
        return KL_ERR_NOMEM;
    topics_ctx_t ctx = {.names = &topic, .count = 1, .total_partitions = total_partitions,
                        .validate_only = validate_only != 0, .results = results};
    admin_op_t op = {.start = start_partitions, .ctx = &ctx};
    return admin_run_results(admin, &op, timeout_ms, results, resultsp);
}

/* ---- describing topics -------------------------------------------------------------- */

typedef struct describe_ctx {
    admin_md_request_t md;
    kl_admin_topics_t *out;
    kl_err_t err;
    char errstr[256];
} describe_ctx_t;

static int32_t *copy_ids(const int32_t *ids, int32_t n, size_t *countp)
{
    *countp = n > 0 ? (size_t)n : 0;
    int32_t *copy = malloc((*countp ? *countp : 1) * sizeof *copy);
    if (copy && *countp)
        memcpy(copy, ids, *countp * sizeof *copy);
    return copy;
}

static void format_uuid(const kl_uuid_t *id, char out[40])
{
    static const uint8_t zero[16];
    out[0] = '\0';
    if (!memcmp(id->b, zero, sizeof zero))
        return;
    const uint8_t *b = id->b;
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static bool fill_topic(kl_admin_topic_t *t, const kl_metadata_response_topic_t *mt)
{
    t->err = (kl_err_t)mt->error_code;
    t->internal = mt->is_internal;
    format_uuid(&mt->topic_id, t->topic_id);
    int32_t n = mt->partitions.count > 0 ? mt->partitions.count : 0;
    t->partitions = calloc(n ? (size_t)n : 1, sizeof *t->partitions);
    if (!t->partitions)
        return false;
    t->partition_count = (size_t)n;
    for (int32_t i = 0; i < n; i++) {
        const kl_metadata_response_partition_t *mp = &mt->partitions.items[i];
        kl_admin_partition_t *p = &t->partitions[i];
        p->id = mp->partition_index;
        p->leader = mp->leader_id;
        p->err = (kl_err_t)mp->error_code;
        p->replicas = copy_ids(mp->replica_nodes.items, mp->replica_nodes.count, &p->replica_count);
        p->isr = copy_ids(mp->isr_nodes.items, mp->isr_nodes.count, &p->isr_count);
        if (!p->replicas || !p->isr)
            return false;
    }
    return true;
}

static int partition_cmp(const void *a, const void *b)
{
    const kl_admin_partition_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int topic_cmp(const void *a, const void *b)
{
    const kl_admin_topic_t *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static const kl_metadata_response_topic_t *find_topic(const kl_metadata_response_t *r, const char *name)
{
    for (int32_t i = 0; i < r->topics.count; i++)
        if (kl_str_eq(r->topics.items[i].name, name))
            return &r->topics.items[i];
    return NULL;
}

static bool fill_topics(describe_ctx_t *ctx, const kl_metadata_response_t *r)
{
    kl_admin_topics_t *out = ctx->out;
    size_t n = ctx->md.count ? ctx->md.count : (size_t)(r->topics.count > 0 ? r->topics.count : 0);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items)
        return false;
    out->count = n;
    out->controller_id = r->controller_id;
    out->cluster_id = admin_strdup(r->cluster_id);
    for (size_t i = 0; i < n; i++) {
        kl_admin_topic_t *t = &out->items[i];
        const kl_metadata_response_topic_t *mt = ctx->md.count ? find_topic(r, ctx->md.topics[i]) : &r->topics.items[i];
        t->name = ctx->md.count ? strdup(ctx->md.topics[i]) : admin_strdup_empty(mt->name);
        if (!t->name)
            return false;
        if (!mt) {
            t->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        if (!fill_topic(t, mt))
            return false;
        qsort(t->partitions, t->partition_count, sizeof *t->partitions, partition_cmp);
    }
    if (!ctx->md.count)
        qsort(out->items, out->count, sizeof *out->items, topic_cmp);
    return true;
}

static void on_described(admin_call_t *call, kl_err_t err, const char *errstr, const kl_metadata_response_t *r)
{
    describe_ctx_t *ctx = ((admin_md_request_t *)call->arg)->arg;
    if (!err && !fill_topics(ctx, r))
        err = KL_ERR_NOMEM;
    if (err) {
        ctx->err = err;
        snprintf(ctx->errstr, sizeof ctx->errstr, "%s", errstr ? errstr : kl_err_str(err));
    }
}

static void start_describe(admin_op_t *op)
{
    describe_ctx_t *ctx = op->ctx;
    admin_metadata_submit(op, &ctx->md);
}

kl_err_t kl_admin_describe_topics(kl_admin_t *admin, const char *const *topics, size_t count, int timeout_ms,
                                  kl_admin_topics_t **topicsp)
{
    if (!admin || !topicsp || !admin_names_valid(topics, count) || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    *topicsp = NULL;
    describe_ctx_t ctx = {.md = {.topics = topics, .count = count, .done = on_described}};
    ctx.md.arg = &ctx;
    ctx.out = calloc(1, sizeof *ctx.out);
    if (!ctx.out)
        return KL_ERR_NOMEM;
    ctx.out->controller_id = -1;
    admin_op_t op = {.start = start_describe, .ctx = &ctx};
    kl_err_t err = admin_op_run(admin, &op, timeout_ms);
    if (!err)
        err = ctx.err;
    if (err) {
        kl_admin_topics_destroy(ctx.out);
        return err;
    }
    *topicsp = ctx.out;
    return KL_ERR_NONE;
}
