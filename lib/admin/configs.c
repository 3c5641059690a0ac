/* Config resources: DescribeConfigs and IncrementalAlterConfigs, one call
 * per resource so that a broker's own configuration goes to that broker
 * (as Kafka requires) and a topic's or a group's to any broker. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_config.h"

enum { SOURCE_DEFAULT = 5 };

typedef struct configs_ctx configs_ctx_t;

/* The argument of one resource's call. */
typedef struct resource_call {
    configs_ctx_t *ctx;
    size_t index;
} resource_call_t;

struct configs_ctx {
    const kl_admin_resource_t *describe;      /* describing, or */
    const kl_admin_alter_resource_t *alter;   /* altering */
    size_t count;
    bool validate_only;
    resource_call_t *calls;
    kl_admin_configs_t *described;
    kl_admin_results_t *altered;
};

static bool valid_resource(kl_admin_resource_type_t type, const char *name)
{
    if (!name || (type != KL_ADMIN_RESOURCE_TOPIC && type != KL_ADMIN_RESOURCE_BROKER &&
                  type != KL_ADMIN_RESOURCE_GROUP))
        return false;
    if (type != KL_ADMIN_RESOURCE_BROKER)
        return *name != '\0';
    char *end;
    long id = strtol(name, &end, 10);
    return *name && !*end && id >= 0 && id <= INT32_MAX;
}

/* A broker resource goes to the broker it names. */
static int32_t target(kl_admin_resource_type_t type, const char *name)
{
    return type == KL_ADMIN_RESOURCE_BROKER ? (int32_t)strtol(name, NULL, 10) : ADMIN_ANY_BROKER;
}

static void submit_each(admin_op_t *op, const admin_call_def_t *def)
{
    configs_ctx_t *ctx = op->ctx;
    for (size_t i = 0; i < ctx->count; i++) {
        kl_admin_resource_type_t type = ctx->describe ? ctx->describe[i].type : ctx->alter[i].type;
        const char *name = ctx->describe ? ctx->describe[i].name : ctx->alter[i].name;
        ctx->calls[i] = (resource_call_t){ctx, i};
        if (!admin_call_submit(op, def, target(type, name), NULL, &ctx->calls[i]))
            return;
    }
}

/* ---- DescribeConfigs ----------------------------------------------------------------- */

static void *build_describe(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const resource_call_t *rc = call->arg;
    const kl_admin_resource_t *res = &rc->ctx->describe[rc->index];
    kl_describe_configs_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_describe_configs_request_describe_configs_resource_t *r = kl_arena_alloc(arena, sizeof *r);
    if (!req || !r)
        return NULL;
    kl_proto_init(&kl_describe_configs_request_schema, req);
    r->resource_type = (int8_t)res->type;
    r->resource_name = kl_str(res->name);
    r->configuration_keys.items = NULL;
    r->configuration_keys.count = -1; /* every config */
    req->resources.items = r;
    req->resources.count = 1;
    return req;
}

static bool fill_entries(kl_admin_config_resource_t *out, const kl_describe_configs_response_describe_configs_result_t *r,
                         int16_t version)
{
    size_t n = r->configs.count > 0 ? (size_t)r->configs.count : 0;
    out->entries = calloc(n ? n : 1, sizeof *out->entries);
    if (!out->entries)
        return false;
    out->entry_count = n;
    for (size_t i = 0; i < n; i++) {
        const kl_describe_configs_response_describe_configs_resource_result_t *c = &r->configs.items[i];
        kl_admin_config_entry_t *e = &out->entries[i];
        e->name = admin_strdup_empty(c->name);
        e->value = admin_strdup(c->value);
        if (!e->name || (c->value.len >= 0 && !e->value))
            return false;
        e->source = version >= 1 && c->config_source >= 0 ? (kl_admin_config_source_t)c->config_source
                                                           : KL_ADMIN_SOURCE_UNKNOWN;
        e->is_default = version >= 1 ? c->config_source == SOURCE_DEFAULT : c->is_default;
        e->read_only = c->read_only;
        e->sensitive = c->is_sensitive;
    }
    return true;
}

static void handle_describe(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    const resource_call_t *rc = call->arg;
    kl_admin_config_resource_t *out = &rc->ctx->described->items[rc->index];
    const kl_describe_configs_response_t *r = resp;
    if (r && r->results.count < 1) {
        err = KL_ERR_BAD_MSG;
        errstr = "DescribeConfigs answered without the resource";
    }
    if (err) {
        out->err = err;
        out->errstr = errstr ? strdup(errstr) : NULL;
        return;
    }
    const kl_describe_configs_response_describe_configs_result_t *res = &r->results.items[0];
    out->err = (kl_err_t)res->error_code;
    out->errstr = res->error_code ? admin_strdup(res->error_message) : NULL;
    if (!out->err && !fill_entries(out, res, call->version))
        out->err = KL_ERR_NOMEM;
}

/* v1 is the first telling each value's source. */
static const admin_call_def_t describe_def = {KL_API_DESCRIBE_CONFIGS, 1, 4, build_describe, handle_describe};

static void start_describe(admin_op_t *op) { submit_each(op, &describe_def); }

kl_err_t kl_admin_describe_configs(kl_admin_t *admin, const kl_admin_resource_t *resources, size_t count,
                                   int timeout_ms, kl_admin_configs_t **configsp)
{
    if (!admin || !configsp || (count && !resources))
        return KL_ERR_INVALID_ARG;
    *configsp = NULL;
    for (size_t i = 0; i < count; i++)
        if (!valid_resource(resources[i].type, resources[i].name))
            return KL_ERR_INVALID_ARG;
    configs_ctx_t ctx = {.describe = resources, .count = count};
    ctx.calls = calloc(count ? count : 1, sizeof *ctx.calls);
    ctx.described = calloc(1, sizeof *ctx.described);
    kl_err_t err = ctx.calls && ctx.described ? KL_ERR_NONE : KL_ERR_NOMEM;
    if (!err && !(ctx.described->items = calloc(count ? count : 1, sizeof *ctx.described->items)))
        err = KL_ERR_NOMEM;
    if (!err) {
        ctx.described->count = count;
        for (size_t i = 0; i < count; i++) {
            ctx.described->items[i].type = resources[i].type;
            ctx.described->items[i].err = KL_ERR_TIMED_OUT;
            if (!(ctx.described->items[i].name = strdup(resources[i].name)))
                err = KL_ERR_NOMEM;
        }
    }
    if (!err) {
        admin_op_t op = {.start = start_describe, .ctx = &ctx};
        err = admin_op_run(admin, &op, timeout_ms);
    }
    free(ctx.calls);
    if (err) {
        kl_admin_configs_destroy(ctx.described);
        return err;
    }
    *configsp = ctx.described;
    return KL_ERR_NONE;
}

/* ---- IncrementalAlterConfigs ----------------------------------------------------------- */

static void *build_alter(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const resource_call_t *rc = call->arg;
    const kl_admin_alter_resource_t *res = &rc->ctx->alter[rc->index];
    kl_incremental_alter_configs_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_incremental_alter_configs_request_alter_configs_resource_t *r = kl_arena_alloc(arena, sizeof *r);
    kl_incremental_alter_configs_request_alterable_config_t *configs =
        kl_arena_calloc(arena, res->op_count ? res->op_count : 1, sizeof *configs);
    if (!req || !r || !configs)
        return NULL;
    kl_proto_init(&kl_incremental_alter_configs_request_schema, req);
    for (size_t i = 0; i < res->op_count; i++) {
        configs[i].name = kl_str(res->ops[i].name);
        configs[i].config_operation = (int8_t)res->ops[i].op;
        configs[i].value = kl_str(res->ops[i].value);
    }
    r->resource_type = (int8_t)res->type;
    r->resource_name = kl_str(res->name);
    r->configs.items = configs;
    r->configs.count = (int32_t)res->op_count;
    req->resources.items = r;
    req->resources.count = 1;
    req->validate_only = rc->ctx->validate_only;
    return req;
}

static void handle_alter(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    const resource_call_t *rc = call->arg;
    kl_admin_result_t *out = &rc->ctx->altered->items[rc->index];
    const kl_incremental_alter_configs_response_t *r = resp;
    if (r && r->responses.count < 1) {
        err = KL_ERR_BAD_MSG;
        errstr = "IncrementalAlterConfigs answered without the resource";
    }
    admin_result_answered(rc->ctx->altered, rc->index);
    if (err) {
        out->err = err;
        out->errstr = errstr ? strdup(errstr) : NULL;
        return;
    }
    admin_result_set(out, r->responses.items[0].error_code, r->responses.items[0].error_message);
}

static const admin_call_def_t alter_def = {KL_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, build_alter, handle_alter};

static void start_alter(admin_op_t *op) { submit_each(op, &alter_def); }

static bool valid_op(const kl_admin_config_op_t *op)
{
    if (!op->name || !*op->name || op->op < KL_ADMIN_CONFIG_SET || op->op > KL_ADMIN_CONFIG_SUBTRACT)
        return false;
    return op->op == KL_ADMIN_CONFIG_DELETE || op->value;
}

kl_err_t kl_admin_incremental_alter_configs(kl_admin_t *admin, const kl_admin_alter_resource_t *resources,
                                            size_t count, int validate_only, int timeout_ms,
                                            kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || (count && !resources))
        return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    for (size_t i = 0; i < count; i++) {
        const kl_admin_alter_resource_t *res = &resources[i];
        if (!valid_resource(res->type, res->name) || (res->op_count && !res->ops) || res->op_count > INT32_MAX)
            return KL_ERR_INVALID_ARG;
        for (size_t o = 0; o < res->op_count; o++)
            if (!valid_op(&res->ops[o]))
                return KL_ERR_INVALID_ARG;
    }
    kl_admin_results_t *results = admin_results_new(count);
    configs_ctx_t ctx = {.alter = resources, .count = count, .validate_only = validate_only != 0,
                         .altered = results};
    ctx.calls = calloc(count ? count : 1, sizeof *ctx.calls);
    bool ok = results && ctx.calls;
    for (size_t i = 0; ok && i < count; i++)
        ok = admin_result_name(results, i, resources[i].name);
    if (!ok) {
        free(ctx.calls);
        kl_admin_results_destroy(results);
        return KL_ERR_NOMEM;
    }
    admin_op_t op = {.start = start_alter, .ctx = &ctx};
    kl_err_t err = admin_run_results(admin, &op, timeout_ms, results, resultsp);
    free(ctx.calls);
    return err;
}
