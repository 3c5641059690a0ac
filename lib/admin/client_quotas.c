/* Client quotas (KIP-546): DescribeClientQuotas and AlterClientQuotas,
 * each one request to any broker, as Kafka's admin client sends them. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_client_quotas.h"

/* A broker that does not list the API answers as Kafka's admin client
 * reports it: UNSUPPORTED_VERSION, "The broker does not support ...". */
static kl_err_t unsupported(kl_err_t err, const char *errstr, const char *api, char *why, size_t size)
{
    if (err != KL_ERR_UNSUPPORTED_API_VERSION)
        return err;
    snprintf(why, size, "The broker does not support %s (%s)", api, errstr ? errstr : "not in its ApiVersions");
    return KL_ERR_UNSUPPORTED_VERSION;
}

/* ---- DescribeClientQuotas ------------------------------------------------------ */

typedef struct describe_ctx {
    const kl_admin_quota_filter_t *filter;
    size_t count;
    bool strict;
    kl_admin_client_quotas_t *quotas;
} describe_ctx_t;

static void *build_describe(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    describe_ctx_t *ctx = call->arg;
    kl_describe_client_quotas_request_t *req = kl_arena_calloc(arena, 1, sizeof *req);
    kl_quota_filter_component_t *c = kl_arena_calloc(arena, ctx->count ? ctx->count : 1, sizeof *c);
    if (!req || !c)
        return NULL;
    for (size_t i = 0; i < ctx->count; i++)
        c[i] = (kl_quota_filter_component_t){kl_str(ctx->filter[i].type), (int8_t)ctx->filter[i].match,
                                             kl_str(ctx->filter[i].name)};
    req->components.items = c;
    req->components.count = (int32_t)ctx->count;
    req->strict = ctx->strict;
    return req;
}

static bool copy_entry(kl_admin_quota_entry_t *out, const kl_quota_entry_t *e)
{
    size_t ne = e->entity.count > 0 ? (size_t)e->entity.count : 0, nv = e->values.count > 0 ? (size_t)e->values.count : 0;
    out->entity = calloc(ne ? ne : 1, sizeof *out->entity);
    out->values = calloc(nv ? nv : 1, sizeof *out->values);
    if (!out->entity || !out->values)
        return false;
    for (size_t i = 0; i < ne; i++, out->entity_count++) {
        const kl_quota_entity_t *q = &e->entity.items[i];
        out->entity[i].type = admin_strdup_empty(q->entity_type);
        out->entity[i].name = admin_strdup(q->entity_name);
        if (!out->entity[i].type || (q->entity_name.len >= 0 && !out->entity[i].name)) {
            out->entity_count++;
            return false;
        }
    }
    for (size_t i = 0; i < nv; i++, out->value_count++) {
        out->values[i].value = e->values.items[i].value;
        if (!(out->values[i].key = admin_strdup_empty(e->values.items[i].key)))
            return false;
    }
    return true;
}

static void handle_describe(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    describe_ctx_t *ctx = call->arg;
    char why[512];
    if (!resp) {
        err = unsupported(err, errstr, "DESCRIBE_CLIENT_QUOTAS", why, sizeof why);
        admin_op_finish(call->op, err, err == KL_ERR_UNSUPPORTED_VERSION ? why : errstr);
        return;
    }
    const kl_describe_client_quotas_response_t *r = resp;
    if (r->error_code) {
        snprintf(why, sizeof why, "%.*s", r->error_message.len > 0 ? (int)r->error_message.len : 0,
                 r->error_message.ptr ? r->error_message.ptr : "");
        admin_op_finish(call->op, (kl_err_t)r->error_code, why[0] ? why : NULL);
        return;
    }
    size_t n = r->entries.count > 0 ? (size_t)r->entries.count : 0;
    ctx->quotas->items = calloc(n ? n : 1, sizeof *ctx->quotas->items);
    if (!ctx->quotas->items) {
        admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++, ctx->quotas->count++)
        if (!copy_entry(&ctx->quotas->items[i], &r->entries.items[i])) {
            ctx->quotas->count++;
            admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
            return;
        }
}

static const admin_call_def_t describe_def = {KL_API_DESCRIBE_CLIENT_QUOTAS, 0, 1, build_describe, handle_describe};

static void start_describe(admin_op_t *op) { admin_call_submit(op, &describe_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

static bool valid_filter(const kl_admin_quota_filter_t *f)
{
    if (!f->type || !*f->type || f->match < KL_ADMIN_QUOTA_MATCH_EXACT || f->match > KL_ADMIN_QUOTA_MATCH_ANY)
        return false;
    return (f->match == KL_ADMIN_QUOTA_MATCH_EXACT) == (f->name != NULL);
}

kl_err_t kl_admin_describe_client_quotas(kl_admin_t *admin, const kl_admin_quota_filter_t *filter, size_t count,
                                         int strict, int timeout_ms, kl_admin_client_quotas_t **quotasp)
{
    if (!admin || !quotasp || (count && !filter) || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!valid_filter(&filter[i]))
            return KL_ERR_INVALID_ARG;
    *quotasp = calloc(1, sizeof **quotasp);
    if (!*quotasp)
        return KL_ERR_NOMEM;
    describe_ctx_t ctx = {.filter = filter, .count = count, .strict = strict != 0, .quotas = *quotasp};
    admin_op_t op = {.start = start_describe, .ctx = &ctx};
    kl_err_t err = admin_op_run(admin, &op, timeout_ms);
    if (err) {
        kl_admin_client_quotas_destroy(*quotasp);
        *quotasp = NULL;
    }
    return err;
}

void kl_admin_client_quotas_destroy(kl_admin_client_quotas_t *quotas)
{
    if (!quotas)
        return;
    for (size_t i = 0; i < quotas->count; i++) {
        kl_admin_quota_entry_t *e = &quotas->items[i];
        for (size_t j = 0; j < e->entity_count; j++) {
            free((char *)e->entity[j].type);
            free((char *)e->entity[j].name);
        }
        for (size_t j = 0; j < e->value_count; j++)
            free(e->values[j].key);
        free(e->entity);
        free(e->values);
    }
    free(quotas->items);
    free(quotas);
}

/* ---- AlterClientQuotas --------------------------------------------------------- */

typedef struct alter_ctx {
    const kl_admin_quota_alteration_t *items;
    size_t count;
    bool validate_only;
    kl_admin_results_t *results;
} alter_ctx_t;

static void *build_alter(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    alter_ctx_t *ctx = call->arg;
    kl_alter_client_quotas_request_t *req = kl_arena_calloc(arena, 1, sizeof *req);
    kl_alter_client_quotas_request_entry_t *entries = kl_arena_calloc(arena, ctx->count, sizeof *entries);
    if (!req || !entries)
        return NULL;
    for (size_t i = 0; i < ctx->count; i++) {
        const kl_admin_quota_alteration_t *a = &ctx->items[i];
        kl_quota_entity_t *entity = kl_arena_calloc(arena, a->entity_count, sizeof *entity);
        kl_quota_op_t *ops = kl_arena_calloc(arena, a->op_count ? a->op_count : 1, sizeof *ops);
        if (!entity || !ops)
            return NULL;
        for (size_t j = 0; j < a->entity_count; j++)
            entity[j] = (kl_quota_entity_t){kl_str(a->entity[j].type), kl_str(a->entity[j].name)};
        for (size_t j = 0; j < a->op_count; j++)
            ops[j] = (kl_quota_op_t){kl_str(a->ops[j].key), a->ops[j].remove ? 0.0 : a->ops[j].value,
                                     a->ops[j].remove != 0};
        entries[i].entity.items = entity;
        entries[i].entity.count = (int32_t)a->entity_count;
        entries[i].ops.items = ops;
        entries[i].ops.count = (int32_t)a->op_count;
    }
    req->entries.items = entries;
    req->entries.count = (int32_t)ctx->count;
    req->validate_only = ctx->validate_only;
    return req;
}

/* Whether the answer's entity is alteration a's (same parts, any order). */
static bool same_entity(const kl_admin_quota_alteration_t *a, const kl_alter_client_quotas_response_entry_t *e)
{
    if (e->entity.count < 0 || (size_t)e->entity.count != a->entity_count)
        return false;
    for (size_t i = 0; i < a->entity_count; i++) {
        bool found = false;
        for (int32_t j = 0; j < e->entity.count && !found; j++) {
            const kl_quota_entity_t *q = &e->entity.items[j];
            const char *name = a->entity[i].name;
            found = kl_str_eq(q->entity_type, a->entity[i].type) &&
                    (name ? q->entity_name.len >= 0 && kl_str_eq(q->entity_name, name) : q->entity_name.len < 0);
        }
        if (!found)
            return false;
    }
    return true;
}

static void handle_alter(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    alter_ctx_t *ctx = call->arg;
    if (!resp) {
        char why[512];
        err = unsupported(err, errstr, "ALTER_CLIENT_QUOTAS", why, sizeof why);
        admin_results_fail(ctx->results, err, err == KL_ERR_UNSUPPORTED_VERSION ? why : errstr);
        return;
    }
    const kl_alter_client_quotas_response_t *r = resp;
    for (size_t i = 0; i < ctx->count; i++)
        for (int32_t j = 0; j < r->entries.count; j++)
            if (same_entity(&ctx->items[i], &r->entries.items[j])) {
                admin_result_set(&ctx->results->items[i], r->entries.items[j].error_code,
                                 r->entries.items[j].error_message);
                admin_result_answered(ctx->results, i);
                break;
            }
}

static const admin_call_def_t alter_def = {KL_API_ALTER_CLIENT_QUOTAS, 0, 1, build_alter, handle_alter};

static void start_alter(admin_op_t *op) { admin_call_submit(op, &alter_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

/* "user=alice,client-id=<default>": the alteration's result name. */
static char *entity_text(const kl_admin_quota_alteration_t *a)
{
    size_t len = 1;
    for (size_t i = 0; i < a->entity_count; i++)
        len += strlen(a->entity[i].type) + strlen(a->entity[i].name ? a->entity[i].name : "<default>") + 2;
    char *s = malloc(len), *p = s;
    for (size_t i = 0; s && i < a->entity_count; i++)
        p += sprintf(p, "%s%s=%s", i ? "," : "", a->entity[i].type, a->entity[i].name ? a->entity[i].name : "<default>");
    if (s)
        *p = '\0';
    return s;
}

static bool valid_alteration(const kl_admin_quota_alteration_t *a)
{
    if (!a->entity || !a->entity_count || a->entity_count > INT32_MAX || (a->op_count && !a->ops) ||
        a->op_count > INT32_MAX)
        return false;
    for (size_t i = 0; i < a->entity_count; i++)
        if (!a->entity[i].type || !*a->entity[i].type)
            return false;
    for (size_t i = 0; i < a->op_count; i++)
        if (!a->ops[i].key || !*a->ops[i].key)
            return false;
    return true;
}

kl_err_t kl_admin_alter_client_quotas(kl_admin_t *admin, const kl_admin_quota_alteration_t *alterations,
                                      size_t count, int validate_only, int timeout_ms,
                                      kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || !alterations || count == 0 || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!valid_alteration(&alterations[i]))
            return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    kl_admin_results_t *results = admin_results_new(count);
    if (!results)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        char *name = entity_text(&alterations[i]);
        bool ok = name && admin_result_name(results, i, name);
        free(name);
        if (!ok) {
            kl_admin_results_destroy(results);
            return KL_ERR_NOMEM;
        }
    }
    alter_ctx_t ctx = {.items = alterations, .count = count, .validate_only = validate_only != 0, .results = results};
    admin_op_t op = {.start = start_alter, .ctx = &ctx};
    return admin_run_results(admin, &op, timeout_ms, results, resultsp);
}
