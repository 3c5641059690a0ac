/* SASL on the broker's SASL_PLAINTEXT and SASL_SSL listeners (KIP-43,
 * KIP-84, KIP-152): SaslHandshake v1 names the mechanism (of those the
 * listener enables, sasl_conf.h), SaslAuthenticate carries its tokens.
 * PLAIN checks the password against the listener's sasl.jaas.config users
 * when it has them, else the user's stored SCRAM credential;
 * SCRAM-SHA-256/512 run lib/net/scram_server.c's exchange; GSSAPI goes
 * through cyrus-sasl (sasl_gssapi.c); OAUTHBEARER validates an unsecured
 * JWT (oauthbearer_validate.c), answering a refused one with Kafka's JSON
 * error and failing on the client's \1 after it. Until a connection has
 * authenticated, dispatch refuses every request but ApiVersions and these
 * two (closing it, as Kafka does); a failed authentication is answered
 * with SASL_AUTHENTICATION_FAILED and the connection closed behind the
 * answer. With connections.max.reauth.ms (KIP-368) SaslAuthenticate gives
 * the session's lifetime; the client may then authenticate again (same
 * mechanism and principal) on the connection, and dispatch closes one
 * whose session ended without. On other listeners both requests get
 * ILLEGAL_SASL_STATE, as Kafka answers them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/oauthbearer_validate.h"
#include "broker/sasl_gssapi.h"
#include "proto/msg_sasl.h"
#include "util/clock.h"

static const struct {
    const char *name;
    unsigned bit;
} mechanisms[] = {
    {"PLAIN", SASL_MECH_PLAIN},
    {"SCRAM-SHA-256", SASL_MECH_SCRAM_SHA_256},
    {"SCRAM-SHA-512", SASL_MECH_SCRAM_SHA_512},
    {"OAUTHBEARER", SASL_MECH_OAUTHBEARER},
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
    unsigned enabled = c->listener->sasl.mechanisms;
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
    /* KIP-368: an authenticated connection whose session expires may
     * authenticate again, with the same mechanism */
    unsigned previous = c->sasl_mechanism;
    bool reauth = c->authenticated && c->listener->sasl.reauth_ms > 0 && !c->reauthenticating;
    if (!reauth && (c->sasl_mechanism || c->authenticated)) {
        resp.error_code = KL_ERR_ILLEGAL_SASL_STATE;
        return respond_and_close(req, &resp);
    }
    c->sasl_mechanism = 0;
    char *name = broker_strdup(req, body->mechanism);
    for (size_t i = 0; name && i < MECHANISM_COUNT; i++)
        if ((enabled & mechanisms[i].bit) && !strcmp(name, mechanisms[i].name))
            c->sasl_mechanism = mechanisms[i].bit;
    if (!c->sasl_mechanism || (reauth && c->sasl_mechanism != previous)) {
        broker_log(req->broker, BROKER_LOG_INFO, "%s: SASL mechanism %s is not %s on %s; closing", c->peer,
                   name ? name : "?", reauth ? "the one it authenticated with" : "enabled", c->listener->name);
        resp.error_code = KL_ERR_UNSUPPORTED_SASL_MECHANISM;
        return respond_and_close(req, &resp);
    }
    c->reauthenticating = reauth;
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
        c->sasl_mechanism == SASL_MECH_PLAIN ? kl_str("Authentication failed: Invalid username or password")
        : c->sasl_error                      ? broker_strfmt(req, "%s", c->sasl_error)
                                             : broker_strfmt(req, "Authentication failed during authentication due "
                                                                  "to invalid credentials with SASL mechanism %s",
                                                             mech);
    kl_scram_srv_free(c->scram);
    c->scram = NULL;
    broker_gssapi_conn_free(c);
    return respond_and_close(req, &resp);
}

/* KIP-368: connections.max.reauth.ms, cut to when the credential expires
 * (expires_ms, wall clock; 0: never); 0 when sessions do not expire. */
static int64_t session_lifetime(const broker_conn_t *c, int64_t expires_ms)
{
    int64_t ms = c->listener->sasl.reauth_ms;
    if (ms > 0 && expires_ms > 0) {
        int64_t left = expires_ms - kl_wallclock_ms();
        ms = left < ms ? (left > 0 ? left : 1) : ms;
    }
    return ms;
}

static broker_req_status_t auth_done(broker_request_t *req, const char *user, int64_t expires_ms, const void *token,
                                     size_t len)
{
    broker_conn_t *c = req->conn;
    char principal[sizeof c->principal];
    snprintf(principal, sizeof principal, "User:%s", user);
    if (c->reauthenticating && strcmp(principal, c->principal) != 0)
        return auth_failed(req, user, "re-authentication as another principal");
    c->authenticated = true;
    c->reauthenticating = false;
    memcpy(c->principal, principal, sizeof principal);
    int64_t lifetime = session_lifetime(c, expires_ms);
    c->session_expires_ms = lifetime > 0 ? kl_clock_ms() + lifetime : 0;
    broker_log(req->broker, BROKER_LOG_DEBUG, "%s: authenticated on %s as %s with %s", c->peer, c->listener->name,
               c->principal, mechanism_name(c->sasl_mechanism));
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(token, (int32_t)len),
                                            .session_lifetime_ms = lifetime};
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
    const broker_sasl_conf_t *sc = &req->conn->listener->sasl;
    bool known = false, ok = sc->plain.module ? sasl_conf_plain_check(sc, name, secret, &known)
                                              : plain_password_ok(req->broker, name, secret, &known);
    memset(secret, 0, strlen(secret));
    if (!ok)
        return auth_failed(req, name, known ? "wrong password" : "unknown user");
    return auth_done(req, name, 0, "", 0);
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
        return auth_done(req, name, 0, final, strlen(final));
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

/* RFC 7628: the client's message; a refused token is answered with the
 * JSON error, and the client's \1 that follows gets the failure. */
static broker_req_status_t authenticate_oauthbearer(broker_request_t *req, const char *token, size_t len)
{
    broker_conn_t *c = req->conn;
    if (c->sasl_error)
        return auth_failed(req, NULL, len == 1 && token[0] == '\1' ? "the token was refused"
                                                                    : "no \\1 after the token was refused");
    oauth_result_t res;
    if (oauthbearer_validate(&c->listener->sasl, token, len, kl_wallclock_ms(), &res))
        return auth_done(req, res.principal, res.expires_ms, "", 0);
    if (res.malformed)
        return auth_failed(req, NULL, res.why);
    broker_log(req->broker, BROKER_LOG_INFO, "%s: OAUTHBEARER token refused on %s: %s", c->peer, c->listener->name,
               res.why);
    /* the JSON now, as Kafka sends it; the failure that follows the
     * client's \1 carries it and, unlike Kafka's, the reason */
    const char *status = kl_arena_strndup(req->arena, res.status, strlen(res.status));
    size_t size = strlen(res.status) + strlen(res.why) + 3;
    if (!status || !(c->sasl_error = malloc(size)))
        return BROKER_REQ_CLOSE;
    snprintf(c->sasl_error, size, "%s: %s", res.status, res.why);
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(status, (int32_t)strlen(status))};
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
        return auth_done(req, user, 0, out, out_len);
    kl_sasl_authenticate_response_t resp = {.auth_bytes = kl_bytes(out ? out : "", (int32_t)out_len)};
    return broker_respond(req, &resp);
}

broker_req_status_t handle_sasl_authenticate(broker_request_t *req)
{
    const kl_sasl_authenticate_request_t *body = req->body;
    broker_conn_t *c = req->conn;
    if (!sasl_listener(c) || !c->sasl_mechanism || (c->authenticated && !c->reauthenticating)) {
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
    if (c->sasl_mechanism == SASL_MECH_OAUTHBEARER)
        return authenticate_oauthbearer(req, token, len);
    if (c->sasl_mechanism == SASL_MECH_GSSAPI)
        return authenticate_gssapi(req, token, len);
    return authenticate_scram(req, token, len);
}
