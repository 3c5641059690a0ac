/* SASL on a broker connection, after ApiVersions and before it is ready:
 * SaslHandshake names the mechanism, then SaslAuthenticate carries its
 * tokens (PLAIN: one; SCRAM-SHA-256/512: client-first and client-final,
 * checking the server's signature at the end; OAUTHBEARER: one, an
 * unsecured JWT or the application's token, oauthbearer_token.c; GSSAPI:
 * Kerberos tokens, sasl_gssapi.c). When the broker gives the session a
 * lifetime (KIP-368), the connection authenticates again at 85-95% of it,
 * its requests going on meanwhile. A refusal closes the
 * connection with KL_ERR_AUTHENTICATION, so the requests waiting on it fail
 * with the broker's reason instead of being retried. I/O thread. */
#include "client/client_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "client/oauthbearer.h"
#include "net/scram.h"
#include "proto/header.h"
#include "proto/msg_sasl.h"
#include "util/arena.h"
#include "util/clock.h"

/* The handshake version that promises SaslAuthenticate framing (v0 sends
 * raw tokens, which Kafka dropped in 4.0; we speak only v1). */
#define HANDSHAKE_VERSION 1

static void sasl_fail(kl_client_broker_t *b, const char *stage, const char *detail)
{
    char reason[400];
    snprintf(reason, sizeof reason, "%s: %s", stage, detail);
    kl_client_sasl_reset(b);
    kl_conn_close(b->conn, KL_ERR_AUTHENTICATION, reason);
}

void kl_client_sasl_reset(kl_client_broker_t *b)
{
    kl_scram_free(b->scram);
    b->scram = NULL;
    b->sasl_step = 0;
    b->sasl_waiting_token = false;
    b->sasl_reauth = false;
    kl_timer_stop(b->client->loop, &b->reauth_timer);
    kl_client_gssapi_reset(b);
}


/* lifetime_ms: the session's (KIP-368; 0: it does not end). */
static void sasl_done(kl_client_broker_t *b, int64_t lifetime_ms)
{
    kl_client_t *c = b->client;
    bool reauth = b->sasl_reauth;
    kl_log_debug(&c->log, KL_DEBUG_BROKER | KL_DEBUG_SECURITY, "SASL", "%s: %sauthenticated as %s with %s%s",
                 b->name, reauth ? "re-" : "", c->sasl.username, c->sasl.mechanism_name,
                 lifetime_ms > 0 ? " (the session ends; will re-authenticate before)" : "");
    kl_client_sasl_reset(b);
    if (!reauth)
        kl_conn_set_ready(b->conn);
    if (lifetime_ms > 0) { /* as Kafka's client: at 85% to 95% of it */
        uint32_t spread = (uint32_t)((uint64_t)kl_clock_ms() * 2654435761u % 100);
        kl_timer_start(c->loop, &b->reauth_timer, lifetime_ms * (850 + (int64_t)spread) / 1000);
    }
}

/* Decodes a SASL response of api_key into out (allocated in arena). */
static kl_err_t decode(kl_client_broker_t *b, int16_t api_key, const uint8_t *frame, size_t len, kl_arena_t *arena,
                       void *out)
{
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    int32_t corr;
    int16_t version = api_key == KL_API_SASL_HANDSHAKE ? HANDSHAKE_VERSION : b->versions[api_key];
    return kl_proto_read_response(&rd, kl_api_find(api_key), version, &corr, arena, out);
}

/* ---- SaslAuthenticate ------------------------------------------------------ */

static void send_token(kl_client_broker_t *b, const void *token, size_t len);

/* The next token of the mechanism after the server's (*out_len bytes);
 * NULL with why filled when the server's is refused; *finished when none
 * follows. */
static const char *next_token(kl_client_broker_t *b, const kl_bytes_t *server, size_t *out_len, bool *finished,
                              char *why, size_t why_size)
{
    size_t len = server->len > 0 ? (size_t)server->len : 0;
    const char *text = (const char *)server->ptr;
    *finished = false;
    if (b->client->sasl.mechanism == KL_SASL_GSSAPI)
        return kl_client_gssapi_next(b, text, len, out_len, finished, why, why_size);
    if (b->client->sasl.mechanism == KL_SASL_OAUTHBEARER) {
        /* RFC 7628: an empty answer accepts the token; otherwise it holds
         * the error (JSON), we answer a lone separator and the broker
         * fails the exchange with SASL_AUTHENTICATION_FAILED and its
         * message, which on_authenticate reports. */
        *finished = len == 0;
        if (len && b->sasl_step == 1) {
            *out_len = 1;
            return "\1";
        }
        if (len)
            snprintf(why, why_size, "the broker refused the token: %.*s", (int)(len < 200 ? len : 200), text);
        return NULL;
    }
    if (!b->scram) { /* PLAIN: the one token was accepted */
        *finished = true;
        return NULL;
    }
    if (b->sasl_step == 1) {
        const char *final = kl_scram_client_final(b->scram, text ? text : "", len, why, why_size);
        *out_len = final ? strlen(final) : 0;
        return final;
    }
    *finished = kl_scram_server_final(b->scram, text ? text : "", len, why, why_size);
    return NULL;
}

static void on_authenticate(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn, (void)sent;
    kl_client_broker_t *b = arg;
    if (err)
        return; /* the connection is going down and says why */
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_sasl_authenticate_response_t resp;
    err = decode(b, KL_API_SASL_AUTHENTICATE, frame, len, &arena, &resp);
    char why[300] = "";
    if (err) {
        snprintf(why, sizeof why, "cannot decode SaslAuthenticate: %s", kl_err_str(err));
    } else if (resp.error_code) {
        snprintf(why, sizeof why, "%s%s%.*s", kl_err_str((kl_err_t)resp.error_code),
                 resp.error_message.len > 0 ? ": " : "", resp.error_message.len > 0 ? (int)resp.error_message.len : 0,
                 resp.error_message.ptr ? resp.error_message.ptr : "");
    }
    bool finished = false;
    size_t token_len = 0;
    const char *token = why[0] ? NULL : next_token(b, &resp.auth_bytes, &token_len, &finished, why, sizeof why);
    int64_t lifetime_ms = err ? 0 : resp.session_lifetime_ms;
    kl_arena_free(&arena);
    if (why[0])
        sasl_fail(b, b->sasl_reauth ? "SASL re-authentication failed" : "SASL authentication failed", why);
    else if (finished)
        sasl_done(b, lifetime_ms);
    else
        send_token(b, token, token_len);
}

static void send_token(kl_client_broker_t *b, const void *token, size_t len)
{
    kl_sasl_authenticate_request_t req = {.auth_bytes = kl_bytes(token, (int32_t)len)};
    int16_t version = b->versions[KL_API_SASL_AUTHENTICATE];
    b->sasl_step++;
    if (kl_client_broker_request(b, KL_API_SASL_AUTHENTICATE, version, &req, len + 32, KL_CONN_F_HANDSHAKE,
                                 b->client->socket_timeout_ms, on_authenticate, b) != KL_ERR_NONE)
        sasl_fail(b, "SASL", "cannot encode SaslAuthenticate");
}

/* The mechanism's first token. */
static void send_first_token(kl_client_broker_t *b)
{
    const kl_client_sasl_t *s = &b->client->sasl;
    if (s->mechanism == KL_SASL_PLAIN) {
        /* RFC 4616: authzid NUL authcid NUL password, authzid empty */
        size_t ulen = strlen(s->username), plen = strlen(s->password), n = ulen + plen + 2;
        char *token = malloc(n);
        if (!token) {
            sasl_fail(b, "SASL", "out of memory");
            return;
        }
        token[0] = '\0';
        memcpy(token + 1, s->username, ulen + 1);
        memcpy(token + 2 + ulen, s->password, plen);
        send_token(b, token, n);
        free(token);
        return;
    }
    if (s->mechanism == KL_SASL_OAUTHBEARER) {
        size_t len = 0;
        char why[300] = "out of memory";
        char *token = b->client->token
                          ? kl_client_token_message(b->client, &len, why, sizeof why)
                          : kl_oauthbearer_client_first(s->oauthbearer_config, kl_wallclock_ms(), &len);
        if (!token && !why[0]) { /* the application's first token is not here yet */
            kl_log_debug(&b->client->log, KL_DEBUG_SECURITY, "SASL", "%s: waiting for the application's "
                         "OAUTHBEARER token", b->name);
            b->sasl_waiting_token = true;
            return;
        }
        if (!token) {
            sasl_fail(b, "SASL", why);
            return;
        }
        send_token(b, token, len);
        free(token);
        return;
    }
    if (s->mechanism == KL_SASL_GSSAPI) {
        char why[300];
        size_t len = 0;
        const void *token = kl_client_gssapi_first(b, &len, why, sizeof why);
        if (!token)
            sasl_fail(b, "SASL GSSAPI failed", why);
        else
            send_token(b, token, len);
        return;
    }
    kl_scram_hash_t hash = s->mechanism == KL_SASL_SCRAM_SHA_256 ? KL_SCRAM_SHA256 : KL_SCRAM_SHA512;
    b->scram = kl_scram_new(hash, s->username, s->password, NULL);
    if (!b->scram) {
        sasl_fail(b, "SASL", "cannot start SCRAM (out of memory, or built without OpenSSL)");
        return;
    }
    const char *first = kl_scram_client_first(b->scram);
    send_token(b, first, strlen(first));
}

void kl_client_sasl_token_ready(kl_client_broker_t *b)
{
    if (!b->sasl_waiting_token)
        return;
    b->sasl_waiting_token = false;
    send_first_token(b);
}

/* ---- SaslHandshake --------------------------------------------------------- */

/* "PLAIN, SCRAM-SHA-512" into buf. */
static const char *list_mechanisms(const kl_sasl_handshake_response_t *resp, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < resp->mechanisms.count && off < size; i++) {
        const kl_str_t *m = &resp->mechanisms.items[i];
        off += (size_t)snprintf(buf + off, size - off, "%s%.*s", i ? ", " : "", m->len > 0 ? (int)m->len : 0,
                                m->ptr ? m->ptr : "");
    }
    return buf[0] ? buf : "none";
}

static void on_handshake(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn, (void)sent;
    kl_client_broker_t *b = arg;
    if (err)
        return;
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_sasl_handshake_response_t resp;
    err = decode(b, KL_API_SASL_HANDSHAKE, frame, len, &arena, &resp);
    char why[300] = "", offered[200];
    if (err)
        snprintf(why, sizeof why, "cannot decode SaslHandshake: %s", kl_err_str(err));
    else if (resp.error_code == KL_ERR_UNSUPPORTED_SASL_MECHANISM)
        snprintf(why, sizeof why, "the broker does not enable %s (it offers: %s)",
                 b->client->sasl.mechanism_name, list_mechanisms(&resp, offered, sizeof offered));
    else if (resp.error_code)
        snprintf(why, sizeof why, "%s", kl_err_str((kl_err_t)resp.error_code));
    kl_arena_free(&arena);
    if (why[0])
        sasl_fail(b, "SASL handshake failed", why);
    else
        send_first_token(b);
}

static void send_handshake(kl_client_broker_t *b);

void kl_client_sasl_reauth_due(kl_loop_t *loop, kl_timer_t *timer)
{
    (void)loop;
    kl_client_broker_t *b = timer->opaque;
    if (!kl_client_broker_is_ready(b))
        return;
    kl_log_debug(&b->client->log, KL_DEBUG_BROKER | KL_DEBUG_SECURITY, "SASL", "%s: re-authenticating before "
                 "the session ends", b->name);
    kl_client_sasl_reset(b);
    b->sasl_reauth = true;
    send_handshake(b);
}

void kl_client_sasl_start(kl_client_broker_t *b)
{
    kl_client_sasl_reset(b);
    if (b->versions[KL_API_SASL_HANDSHAKE] < HANDSHAKE_VERSION || b->versions[KL_API_SASL_AUTHENTICATE] < 0) {
        sasl_fail(b, "SASL handshake failed",
                  "the broker offers no SaslHandshake v1 and SaslAuthenticate (a plaintext listener, or Kafka "
                  "older than 1.0?)");
        return;
    }
    send_handshake(b);
}

static void send_handshake(kl_client_broker_t *b)
{
    kl_sasl_handshake_request_t req = {.mechanism = kl_str(b->client->sasl.mechanism_name)};
    if (kl_client_broker_request(b, KL_API_SASL_HANDSHAKE, HANDSHAKE_VERSION, &req, 64, KL_CONN_F_HANDSHAKE,
                                 b->client->socket_timeout_ms, on_handshake, b) != KL_ERR_NONE)
        sasl_fail(b, "SASL", "cannot encode SaslHandshake");
}
