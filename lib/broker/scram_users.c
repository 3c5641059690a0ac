/* DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554):
 * list, add and remove users' SCRAM credentials in the broker's store
 * (scram_store.h). The client salts the password; the broker keeps the
 * salt, the count and the derived keys, never the salted password. As in
 * Kafka without an authorizer, any authenticated connection may call them
 * (authorization comes with ACLs). */
#include <string.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_scram.h"

/* Users or changes one request may name: the checks for names given twice
 * compare each with the others. */
#define MAX_NAMES_PER_REQUEST 1000

static bool same_str(kl_str_t a, kl_str_t b)
{
    return a.len == b.len && (a.len <= 0 || !memcmp(a.ptr, b.ptr, (size_t)a.len));
}

static int hash_of_mechanism(int8_t mechanism)
{
    return mechanism == KL_SCRAM_MECHANISM_SHA_256 ? KL_SCRAM_SHA256
           : mechanism == KL_SCRAM_MECHANISM_SHA_512 ? KL_SCRAM_SHA512
                                                     : -1;
}

static int8_t mechanism_of_hash(kl_scram_hash_t hash)
{
    return hash == KL_SCRAM_SHA256 ? KL_SCRAM_MECHANISM_SHA_256 : KL_SCRAM_MECHANISM_SHA_512;
}

/* ---- describe ------------------------------------------------------------ */

/* The result for user: its credentials, or RESOURCE_NOT_FOUND. */
static void describe_user(broker_request_t *req, const char *user, kl_describe_scram_result_t *r)
{
    const scram_store_t *store = &req->broker->scram;
    r->user = kl_str(user);
    r->credential_infos.items = broker_alloc(req, 2, sizeof *r->credential_infos.items);
    for (size_t i = 0; r->credential_infos.items && i < store->count; i++)
        if (!strcmp(store->entries[i].user, user) && r->credential_infos.count < 2)
            r->credential_infos.items[r->credential_infos.count++] = (kl_scram_credential_info_t){
                mechanism_of_hash(store->entries[i].cred.hash), store->entries[i].cred.iterations};
    if (r->credential_infos.count == 0) {
        r->error_code = KL_ERR_RESOURCE_NOT_FOUND;
        r->error_message = broker_strfmt(req, "Attempt to describe a user credential that does not exist: %s", user);
    }
}

broker_req_status_t handle_describe_user_scram_credentials(broker_request_t *req)
{
    const kl_describe_user_scram_credentials_request_t *body = req->body;
    const scram_store_t *store = &req->broker->scram;
    kl_describe_user_scram_credentials_response_t resp = {0};
    if (body->users.count > MAX_NAMES_PER_REQUEST) {
        resp.error_code = KL_ERR_INVALID_REQUEST;
        resp.error_message = broker_strfmt(req, "at most %d users per request", MAX_NAMES_PER_REQUEST);
        return broker_respond(req, &resp);
    }
    size_t n = body->users.count > 0 ? (size_t)body->users.count : store->count;
    resp.results.items = broker_alloc(req, n, sizeof *resp.results.items);
    if (!resp.results.items)
        return BROKER_REQ_CLOSE;
    if (body->users.count > 0) {
        for (int32_t i = 0; i < body->users.count; i++) {
            kl_describe_scram_result_t *r = &resp.results.items[resp.results.count++];
            char *user = broker_strdup(req, body->users.items[i].name);
            bool twice = false;
            for (int32_t j = 0; j < i; j++)
                twice |= same_str(body->users.items[j].name, body->users.items[i].name);
            if (!user)
                return BROKER_REQ_CLOSE;
            if (twice) {
                *r = (kl_describe_scram_result_t){.user = kl_str(user), .error_code = KL_ERR_DUPLICATE_RESOURCE};
                r->error_message = broker_strfmt(req, "Cannot describe SCRAM credentials for the same user twice "
                                                      "in a single request: %s", user);
            } else {
                describe_user(req, user, r);
            }
        }
        return broker_respond(req, &resp);
    }
    for (size_t i = 0; i < store->count; i++) { /* every user, once */
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= !strcmp(store->entries[j].user, store->entries[i].user);
        if (!seen)
            describe_user(req, store->entries[i].user, &resp.results.items[resp.results.count++]);
    }
    return broker_respond(req, &resp);
}

/* ---- alter --------------------------------------------------------------- */

/* The result of user in resp, added when new. */
static kl_alter_scram_result_t *result_of(kl_alter_user_scram_credentials_response_t *resp, kl_str_t user)
{
    for (int32_t i = 0; i < resp->results.count; i++)
        if (same_str(resp->results.items[i].user, user))
            return &resp->results.items[i];
    kl_alter_scram_result_t *r = &resp->results.items[resp->results.count++];
    *r = (kl_alter_scram_result_t){.user = user};
    return r;
}

static void fail(broker_request_t *req, kl_alter_scram_result_t *r, kl_err_t err, const char *why)
{
    if (r->error_code)
        return; /* the first error stays */
    r->error_code = (int16_t)err;
    r->error_message = broker_strfmt(req, "%s", why);
}

/* Checks what every operation names; false (the user's result failed)
 * when it cannot be applied. */
static bool valid_op(broker_request_t *req, kl_alter_scram_result_t *r, kl_str_t name, int8_t mechanism)
{
    if (!scram_store_valid_user(name.ptr ? name.ptr : "", name.len > 0 ? (size_t)name.len : 0)) {
        fail(req, r, KL_ERR_UNACCEPTABLE_CREDENTIAL, "Username must be 1 to 256 printable characters, no spaces");
        return false;
    }
    if (hash_of_mechanism(mechanism) < 0) {
        fail(req, r, KL_ERR_UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        return false;
    }
    return true;
}

/* The same user and mechanism may appear once in a request. */
static bool duplicate(const kl_alter_user_scram_credentials_request_t *body, kl_str_t name, int8_t mechanism)
{
    int count = 0;
    for (int32_t i = 0; i < body->deletions.count; i++)
        count += body->deletions.items[i].mechanism == mechanism && same_str(body->deletions.items[i].name, name);
    for (int32_t i = 0; i < body->upsertions.count; i++)
        count += body->upsertions.items[i].mechanism == mechanism && same_str(body->upsertions.items[i].name, name);
    return count > 1;
}

static void store_failed(broker_request_t *req, kl_alter_scram_result_t *r, kl_err_t err)
{
    if (err == KL_ERR_KAFKA_STORAGE_ERROR)
        broker_log(req->broker, BROKER_LOG_ERR, "cannot write %s: SCRAM credentials unchanged",
                   req->broker->scram.path);
    fail(req, r, err, err == KL_ERR_RESOURCE_NOT_FOUND ? "Attempt to delete a user credential that does not exist"
                                                      : kl_err_str(err));
}

broker_req_status_t handle_alter_user_scram_credentials(broker_request_t *req)
{
    const kl_alter_user_scram_credentials_request_t *body = req->body;
    kl_broker_t *b = req->broker;
    kl_alter_user_scram_credentials_response_t resp = {0};
    size_t n = (size_t)(body->deletions.count > 0 ? body->deletions.count : 0) +
               (size_t)(body->upsertions.count > 0 ? body->upsertions.count : 0);
    resp.results.items = broker_alloc(req, n, sizeof *resp.results.items);
    if (!resp.results.items)
        return BROKER_REQ_CLOSE;
    if (n > MAX_NAMES_PER_REQUEST) { /* nothing applied; each change told why */
        for (size_t i = 0; i < n; i++) {
            bool del = i < (size_t)body->deletions.count;
            kl_str_t user = del ? body->deletions.items[i].name
                                : body->upsertions.items[i - (size_t)body->deletions.count].name;
            resp.results.items[resp.results.count++] = (kl_alter_scram_result_t){
                user, KL_ERR_INVALID_REQUEST,
                broker_strfmt(req, "at most %d credential changes per request", MAX_NAMES_PER_REQUEST)};
        }
        return broker_respond(req, &resp);
    }
    for (int32_t i = 0; i < body->deletions.count; i++) {
        const kl_scram_deletion_t *d = &body->deletions.items[i];
        kl_alter_scram_result_t *r = result_of(&resp, d->name);
        if (!valid_op(req, r, d->name, d->mechanism))
            continue;
        if (duplicate(body, d->name, d->mechanism)) {
            fail(req, r, KL_ERR_DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
            continue;
        }
        char *user = broker_strdup(req, d->name);
        kl_err_t err = user ? scram_store_delete(&b->scram, user, (kl_scram_hash_t)hash_of_mechanism(d->mechanism))
                            : KL_ERR_NOMEM;
        if (err)
            store_failed(req, r, err);
        else
            broker_log(b, BROKER_LOG_INFO, "SCRAM credential deleted: %s %s", user,
                       kl_scram_mechanism((kl_scram_hash_t)hash_of_mechanism(d->mechanism)));
    }
    for (int32_t i = 0; i < body->upsertions.count; i++) {
        const kl_scram_upsertion_t *u = &body->upsertions.items[i];
        kl_alter_scram_result_t *r = result_of(&resp, u->name);
        if (!valid_op(req, r, u->name, u->mechanism))
            continue;
        if (duplicate(body, u->name, u->mechanism)) {
            fail(req, r, KL_ERR_DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
            continue;
        }
        kl_scram_hash_t hash = (kl_scram_hash_t)hash_of_mechanism(u->mechanism);
        kl_scram_credential_t cred;
        if (u->iterations < KL_SCRAM_MIN_ITERATIONS || u->iterations > KL_SCRAM_MAX_ITERATIONS) {
            fail(req, r, KL_ERR_UNACCEPTABLE_CREDENTIAL, "Iterations must be between 4096 and 1000000");
            continue;
        }
        if (u->salt.len <= 0 || u->salted_password.len <= 0 ||
            !kl_scram_credential_from_salted(&cred, hash, u->iterations, u->salt.ptr, (size_t)u->salt.len,
                                             u->salted_password.ptr, (size_t)u->salted_password.len)) {
            fail(req, r, KL_ERR_UNACCEPTABLE_CREDENTIAL, "The salt (1 to 64 bytes) or the salted password (the "
                                                         "hash's size) is missing or the wrong size");
            continue;
        }
        char *user = broker_strdup(req, u->name);
        kl_err_t err = user ? scram_store_set(&b->scram, user, &cred) : KL_ERR_NOMEM;
        if (err)
            store_failed(req, r, err);
        else
            broker_log(b, BROKER_LOG_INFO, "SCRAM credential set: %s %s (%d iterations)", user,
                       kl_scram_mechanism(hash), u->iterations);
    }
    return broker_respond(req, &resp);
}
