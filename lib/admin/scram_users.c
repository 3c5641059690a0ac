/* SCRAM users (KIP-554): AlterUserScramCredentials with the password
 * salted here (lib/net/scram.c), and DescribeUserScramCredentials, each
 * one request to any broker. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/scram.h"
#include "proto/msg_scram.h"

#define DEFAULT_ITERATIONS 4096
#define SALT_BYTES 32

typedef struct alter_ctx {
    const kl_admin_scram_alteration_t *items;
    size_t count;
    kl_admin_results_t *results;
    const char *why; /* a password that could not be salted */
} alter_ctx_t;

static bool same(kl_str_t a, const char *b)
{
    return a.len >= 0 && strlen(b) == (size_t)a.len && !memcmp(a.ptr, b, (size_t)a.len);
}

static kl_scram_hash_t hash_of(kl_scram_mechanism_t m) { return m == KL_SCRAM_SHA_256 ? KL_SCRAM_SHA256 : KL_SCRAM_SHA512; }

static void *build_alter(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    alter_ctx_t *ctx = call->arg;
    kl_alter_user_scram_credentials_request_t *req = kl_arena_calloc(arena, 1, sizeof *req);
    kl_scram_deletion_t *del = kl_arena_calloc(arena, ctx->count, sizeof *del);
    kl_scram_upsertion_t *ups = kl_arena_calloc(arena, ctx->count, sizeof *ups);
    if (!req || !del || !ups)
        return NULL;
    req->deletions.items = del;
    req->upsertions.items = ups;
    for (size_t i = 0; i < ctx->count; i++) {
        const kl_admin_scram_alteration_t *a = &ctx->items[i];
        if (!a->password) {
            del[req->deletions.count++] = (kl_scram_deletion_t){kl_str(a->user), (int8_t)a->mechanism};
            continue;
        }
        int32_t iterations = a->iterations ? a->iterations : DEFAULT_ITERATIONS;
        unsigned char *salt = kl_arena_alloc(arena, SALT_BYTES), *salted = kl_arena_alloc(arena, 64);
        size_t salted_len = 0;
        if (!salt || !salted)
            return NULL;
        if (!kl_scram_random_salt(salt, SALT_BYTES) ||
            !kl_scram_salted_password(hash_of(a->mechanism), a->password, salt, SALT_BYTES, iterations, salted,
                                      &salted_len)) {
            ctx->why = "cannot salt the password (built without OpenSSL?)";
            return NULL;
        }
        ups[req->upsertions.count++] = (kl_scram_upsertion_t){
            kl_str(a->user), (int8_t)a->mechanism, iterations, kl_bytes(salt, SALT_BYTES),
            kl_bytes(salted, (int32_t)salted_len)};
    }
    return req;
}

static void handle_alter(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    alter_ctx_t *ctx = call->arg;
    if (!resp) {
        admin_results_fail(ctx->results, err, ctx->why ? ctx->why : errstr);
        return;
    }
    const kl_alter_user_scram_credentials_response_t *r = resp;
    for (size_t i = 0; i < ctx->count; i++) {
        kl_admin_result_t *item = &ctx->results->items[i];
        for (int32_t j = 0; j < r->results.count; j++)
            if (same(r->results.items[j].user, ctx->items[i].user)) {
                admin_result_set(item, r->results.items[j].error_code, r->results.items[j].error_message);
                admin_result_answered(ctx->results, i);
            }
    }
}

static const admin_call_def_t alter_def = {KL_API_ALTER_USER_SCRAM_CREDENTIALS, 0, 0, build_alter, handle_alter};

static void start_alter(admin_op_t *op) { admin_call_submit(op, &alter_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

kl_err_t kl_admin_alter_user_scram_credentials(kl_admin_t *admin, const kl_admin_scram_alteration_t *alterations,
                                               size_t count, int timeout_ms, kl_admin_results_t **resultsp)
{
    if (!admin || !resultsp || !alterations || count == 0 || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!alterations[i].user || !alterations[i].user[0] ||
            (alterations[i].mechanism != KL_SCRAM_SHA_256 && alterations[i].mechanism != KL_SCRAM_SHA_512) ||
            alterations[i].iterations < 0)
            return KL_ERR_INVALID_ARG;
    *resultsp = NULL;
    kl_admin_results_t *results = admin_results_new(count);
    if (!results)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < count; i++)
        if (!admin_result_name(results, i, alterations[i].user)) {
            kl_admin_results_destroy(results);
            return KL_ERR_NOMEM;
        }
    alter_ctx_t ctx = {.items = alterations, .count = count, .results = results};
    admin_op_t op = {.start = start_alter, .ctx = &ctx};
    return admin_run_results(admin, &op, timeout_ms, results, resultsp);
}

/* ---- DescribeUserScramCredentials ------------------------------------------ */

typedef struct describe_ctx {
    const char *const *names;
    size_t count;
    kl_admin_scram_users_t *users;
} describe_ctx_t;

static void *build_describe(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    describe_ctx_t *ctx = call->arg;
    kl_describe_user_scram_credentials_request_t *req = kl_arena_calloc(arena, 1, sizeof *req);
    kl_describe_scram_request_user_t *users = kl_arena_calloc(arena, ctx->count ? ctx->count : 1, sizeof *users);
    if (!req || !users)
        return NULL;
    for (size_t i = 0; i < ctx->count; i++)
        users[i].name = kl_str(ctx->names[i]);
    req->users.items = ctx->count ? users : NULL;
    req->users.count = ctx->count ? (int32_t)ctx->count : -1;
    return req;
}

static bool copy_user(kl_admin_scram_user_t *u, const kl_describe_scram_result_t *r)
{
    u->name = admin_strdup_empty(r->user);
    u->err = (kl_err_t)r->error_code;
    u->errstr = r->error_code ? admin_strdup(r->error_message) : NULL;
    size_t n = r->credential_infos.count > 0 ? (size_t)r->credential_infos.count : 0;
    u->credentials = calloc(n ? n : 1, sizeof *u->credentials);
    if (!u->name || !u->credentials)
        return false;
    for (size_t i = 0; i < n; i++)
        u->credentials[i] = (kl_admin_scram_credential_t){(kl_scram_mechanism_t)r->credential_infos.items[i].mechanism,
                                                          r->credential_infos.items[i].iterations};
    u->credential_count = n;
    return true;
}

static void handle_describe(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    describe_ctx_t *ctx = call->arg;
    if (!resp) {
        admin_op_finish(call->op, err, errstr);
        return;
    }
    const kl_describe_user_scram_credentials_response_t *r = resp;
    if (r->error_code) {
        char why[300];
        snprintf(why, sizeof why, "%.*s", r->error_message.len > 0 ? (int)r->error_message.len : 0,
                 r->error_message.ptr ? r->error_message.ptr : "");
        admin_op_finish(call->op, (kl_err_t)r->error_code, why[0] ? why : NULL);
        return;
    }
    size_t n = r->results.count > 0 ? (size_t)r->results.count : 0;
    ctx->users->items = calloc(n ? n : 1, sizeof *ctx->users->items);
    if (!ctx->users->items) {
        admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++, ctx->users->count++)
        if (!copy_user(&ctx->users->items[i], &r->results.items[i])) {
            ctx->users->count++;
            admin_op_finish(call->op, KL_ERR_NOMEM, NULL);
            return;
        }
}

static const admin_call_def_t describe_def = {KL_API_DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0, build_describe,
                                              handle_describe};

static void start_describe(admin_op_t *op) { admin_call_submit(op, &describe_def, ADMIN_ANY_BROKER, NULL, op->ctx); }

kl_err_t kl_admin_describe_user_scram_credentials(kl_admin_t *admin, const char *const *users, size_t count,
                                                  int timeout_ms, kl_admin_scram_users_t **usersp)
{
    if (!admin || !usersp || (count && !admin_names_valid(users, count)) || count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    *usersp = calloc(1, sizeof **usersp);
    if (!*usersp)
        return KL_ERR_NOMEM;
    describe_ctx_t ctx = {.names = users, .count = count, .users = *usersp};
    admin_op_t op = {.start = start_describe, .ctx = &ctx};
    kl_err_t err = admin_op_run(admin, &op, timeout_ms);
    if (err) {
        kl_admin_scram_users_destroy(*usersp);
        *usersp = NULL;
    }
    return err;
}

void kl_admin_scram_users_destroy(kl_admin_scram_users_t *users)
{
    if (!users)
        return;
    for (size_t i = 0; i < users->count; i++) {
        free(users->items[i].name);
        free(users->items[i].errstr);
        free(users->items[i].credentials);
    }
    free(users->items);
    free(users);
}
