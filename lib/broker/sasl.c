/* SASL on the broker's SASL_PLAINTEXT and SASL_SSL listeners (KIP-43,
 * KIP-84, KIP-152): SaslHandshake v1 names the mechanism, SaslAuthenticate
 * carries its tokens. PLAIN checks the password against the user's stored
 * SCRAM credential; SCRAM-SHA-256/512 run lib/net/scram_server.c's
 * exchange; GSSAPI goes through cyrus-sasl (sasl_gssapi.c). Until a connection has authenticated, dispatch refuses every
 * request but ApiVersions and these two (closing it, as Kafka does); a
 * failed authentication is answered with SASL_AUTHENTICATION_FAILED and
 * the connection closed behind the answer. On other listeners both
 * requests get ILLEGAL_SASL_STATE, as Kafka answers them. */
#include <stdio.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/sasl_gssapi.h"
#include "proto/msg_sasl.h"

static const struct {
    const char *name;
    unsigned bit;
} mechanisms[] = {
    {"PLAIN", SASL_MECH_PLAIN},
    {"SCRAM-SHA-256", SASL_MECH_SCRAM_SHA_256},
    {"SCRAM-SHA-512", SASL_MECH_SCRAM_SHA_512},
    {"GSSAPI", SASL_MECH_GSSAPI},
};
#define MECHANISM_COUNT (sizeof mechanisms / sizeof mechanisms[0])

static bool sasl_listener(const broker_conn_t *c)
{
    return c->listener->security == SEC_SASL_PLAINTEXT || c->listener->security == SEC_SASL_SSL;
}

static const char *mechanism_name(unsigned bit)
{
    for (size_t i = 0; i < MECHANISM_COUNT; i++)
        if (mechanisms[i].bit == bit)
            return mechanisms[i].name;
    return "?";
}

/* Answers, then closes the connection once the answer is written. */
static broker_req_status_t respond_and_close(broker_request_t *req, const void *resp)
{
    req->conn->close_after_reply = true;
    return broker_respond(req, resp);
}

broker_req_status_t handle_sasl_handshake(broker_request_t *req)
{
    const kl_sasl_handshake_request_t *body = req->body;
    broker_conn_t *c = req->conn;
    kl_sasl_handshake_response_t resp = {0};
    unsigned enabled = req->broker->sasl_mechanisms;
    resp.mechanisms.items = broker_alloc(req, MECHANISM_COUNT, sizeof *resp.mechanisms.items);
    if (!resp.mechanisms.items)
        return BROKER_REQ_CLOSE;
    for (size_t i = 0; i < MECHANISM_COUNT; i++)
        if (enabled & mechanisms[i].bit)
            resp.mechanisms.items[resp.mechanisms.count++] = kl_str(mechanisms[i].name);
    if (!sasl_listener(c)) {
        resp.error_code = KL_ERR_ILLEGAL_SASL_STATE;
        resp.mechanisms.count = 0;
        return broker_respond(req, &resp);
    }
    if (req->hdr.api_version == 0) {
        /* v0 is listed because librdkafka looks for it, but its raw
         * tokens (no SaslAuthenticate framing) are not served: every
         * client since Kafka 1.0 sends v1 when offered. */
        broker_log(req->broker, BROKER_LOG_INFO, "%s: SaslHandshake v0 (raw SASL tokens) is not served; closing",
                   c->peer);
        resp.error_code = KL_ERR_UNSUPPORTED_VERSION;
        return respond_and_close(req, &resp);
    }
    if (c->sasl_mechanism || c->authenticated) {
        resp.error_code = KL_ERR_ILLEGAL_SASL_STATE;
        return respond_and_close(req, &resp);
    }
    char *name = broker_strdup(req, body->mechanism);
    for (size_t i = 0; name && i < MECHANISM_COUNT; i++)
        if ((enabled & mechanisms[i].bit) && !strcmp(name, mechanisms[i].name))
            c->sasl_mechanism = mechanisms[i].bit;
    if (!c->sasl_mechanism) {
        broker_log(req->broker, BROKER_LOG_INFO, "%s: SASL mechanism %s is not enabled on %s; closing", c->peer,
                   name ? name : "?", c->listener->name);
        resp.error_code = KL_ERR_UNSUPPORTED_SASL_MECHANISM;
        return respond_and_close(req, &resp);
    }
    return broker_respond(req, &resp);
}

static broker_req_status_t auth_failed(broker_request_t *req, const char *user, const char *why)
{
    broker_conn_t *c = req->conn;
    const char *mech = mechanism_name(c->sasl_mechanism);
    broker_log(req->broker, BROKER_LOG_INFO, "%s: failed authentication on %s with %s%s%s: %s", c->peer,
               c->listener->name, mech, user ? " as " : "", user ? user : "", why);
    kl_sasl_authenticate_response_t resp = {.error_code = KL_ERR_SASL_AUTHENTICATION_FAILED};
    resp.error_message =
        c->sasl_mechanism == SASL_MECH_PLAIN
            ? kl_str("Authentication failed: Invalid username or password")
            : broker_strfmt(req, "Authentication failed during authentication due to invalid credentials with "
                                 "SASL mechanism %s", mech);
    kl_scram_srv_free(c->scram);
    c->scram = NULL;
    broker_gssapi_conn_free(c);
    return respond_and_close(req, &resp);
}

static broker_req_status_t auth_done(broker_request_t *req, const char *user, const void *token, size_t len)
{
    broker_conn_t *c = req->conn;
    c->authenticated = true;
    snprintf(c->principal, sizeof c->principal, "User:%s", user);
    broker_log(req->broker, BROKER_LOG_DEBUG, "%s: authenticated on %s as %s with %s", c->peer, c->listener->name,
               c->principal, mechanism_name(c->sasl_mechanism));
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(token, (int32_t)len)};
    broker_req_status_t st = broker_respond(req, &resp);
    kl_scram_srv_free(c->scram);
    c->scram = NULL;
    return st;
}

/* PLAIN: whether password is the one of either of the user's SCRAM
 * credentials (set apart, they may differ); *known: the user has one. */
static bool plain_password_ok(const kl_broker_t *b, const char *user, const char *password, bool *known)
{
    const kl_scram_credential_t *strong = scram_store_find(&b->scram, user, KL_SCRAM_SHA512);
    const kl_scram_credential_t *other = scram_store_find(&b->scram, user, KL_SCRAM_SHA256);
    *known = strong || other;
    return (strong && kl_scram_credential_check(strong, password)) ||
           (other && kl_scram_credential_check(other, password));
}

/* RFC 4616: [authzid] NUL authcid NUL password. */
static broker_req_status_t authenticate_plain(broker_request_t *req, const char *token, size_t len)
{
    const char *end = token + len, *user = memchr(token, '\0', len);
    const char *password = user ? memchr(user + 1, '\0', (size_t)(end - user - 1)) : NULL;
    if (!user || !password)
        return auth_failed(req, NULL, "malformed PLAIN token");
    user++;
    char *name = kl_arena_strndup(req->arena, user, (size_t)(password - user));
    char *secret = kl_arena_strndup(req->arena, password + 1, (size_t)(end - password - 1));
    if (!name || !secret)
        return BROKER_REQ_CLOSE;
    if (user - 1 > token && ((size_t)(user - 1 - token) != strlen(name) || strncmp(token, name, strlen(name))))
        return auth_failed(req, name, "the authorization id differs from the user");
    bool known = false, ok = plain_password_ok(req->broker, name, secret, &known);
    memset(secret, 0, strlen(secret));
    if (!ok)
        return auth_failed(req, name, known ? "wrong password" : "unknown user");
    return auth_done(req, name, "", 0);
}

static broker_req_status_t authenticate_scram(broker_request_t *req, const char *token, size_t len)
{
    broker_conn_t *c = req->conn;
    kl_scram_hash_t hash = c->sasl_mechanism == SASL_MECH_SCRAM_SHA_256 ? KL_SCRAM_SHA256 : KL_SCRAM_SHA512;
    char why[200];
    if (c->scram) { /* client-final-message */
        const char *final = kl_scram_srv_final(c->scram, token, len, why, sizeof why);
        const char *user = kl_scram_srv_user_name(c->scram);
        char *name = kl_arena_strndup(req->arena, user, strlen(user));
        if (!final)
            return auth_failed(req, name, why);
        return auth_done(req, name, final, strlen(final));
    }
    c->scram = kl_scram_srv_new(hash);
    if (!c->scram)
        return BROKER_REQ_CLOSE;
    const char *user = kl_scram_srv_user(c->scram, token, len, why, sizeof why);
    if (!user)
        return auth_failed(req, NULL, why);
    const kl_scram_credential_t *cred = scram_store_find(&req->broker->scram, user, hash);
    if (!cred)
        return auth_failed(req, kl_arena_strndup(req->arena, user, strlen(user)), "unknown user");
    const char *first = kl_scram_srv_first(c->scram, cred);
    if (!first)
        return BROKER_REQ_CLOSE;
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(first, (int32_t)strlen(first))};
    return broker_respond(req, &resp);
}

static broker_req_status_t authenticate_gssapi(broker_request_t *req, const char *token, size_t len)
{
    char user[256], why[300];
    const void *out;
    size_t out_len;
    int st = broker_gssapi_step(req, token, len, &out, &out_len, user, sizeof user, why, sizeof why);
    if (st < 0)
        return auth_failed(req, user[0] ? user : NULL, why);
    if (st > 0)
        return auth_done(req, user, out, out_len);
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(out ? out : "", (int32_t)out_len)};
    return broker_respond(req, &resp);
}

broker_req_status_t handle_sasl_authenticate(broker_request_t *req)
{
    const kl_sasl_authenticate_request_t *body = req->body;
    broker_conn_t *c = req->conn;
    if (!sasl_listener(c) || !c->sasl_mechanism || c->authenticated) {
        kl_sasl_authenticate_response_t resp = {
            .error_code = KL_ERR_ILLEGAL_SASL_STATE,
            .error_message = kl_str(c->authenticated ? "already authenticated"
                                    : sasl_listener(c) ? "SaslAuthenticate before SaslHandshake"
                                                       : "not a SASL listener"),
        };
        return sasl_listener(c) ? respond_and_close(req, &resp) : broker_respond(req, &resp);
    }
    const char *token = body->auth_bytes.ptr ? (const char *)body->auth_bytes.ptr : "";
    size_t len = body->auth_bytes.len > 0 ? (size_t)body->auth_bytes.len : 0;
    if (c->sasl_mechanism == SASL_MECH_PLAIN)
        return authenticate_plain(req, token, len);
    if (c->sasl_mechanism == SASL_MECH_GSSAPI)
        return authenticate_gssapi(req, token, len);
    return authenticate_scram(req, token, len);
}
