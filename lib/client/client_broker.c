/* Brokers of a client: one connection each, the ApiVersions handshake that
 * opens every connection (falling back to v0 when the broker refuses the
 * version we try; SASL follows it when configured, sasl.c), the table of negotiated versions, and requests encoded
 * with the client's header. Runs on the I/O thread. */
#include "client/client_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/header.h"
#include "proto/msg_api_versions.h"
#include "util/arena.h"

/* The ApiVersions version tried first: flexible, sends our software name;
 * brokers older than Kafka 2.4 refuse it and we fall back to v0. */
#define API_VERSIONS_FIRST 3

static void set_name(kl_client_broker_t *b, const char *host, int port)
{
    char id[16];
    if (b->bootstrap)
        snprintf(id, sizeof id, "bootstrap");
    else
        snprintf(id, sizeof id, b->coordinator ? "%d-coordinator" : "%d", b->node_id);
    snprintf(b->name, sizeof b->name, strchr(host, ':') ? "[%s]:%d/%s" : "%s:%d/%s", host, port, id);
}

static void forget_versions(kl_client_broker_t *b)
{
    for (int i = 0; i < KL_CLIENT_API_SLOTS; i++)
        b->versions[i] = -1;
}

/* ---- the handshake ---------------------------------------------------------- */

static void send_api_versions(kl_client_broker_t *b);

static void learn_versions(kl_client_broker_t *b, const kl_api_versions_response_t *resp)
{
    forget_versions(b);
    for (int32_t i = 0; i < resp->api_keys.count; i++) {
        const kl_api_versions_response_api_version_t *av = &resp->api_keys.items[i];
        const kl_api_t *ours = kl_api_find(av->api_key);
        if (!ours || av->api_key < 0 || av->api_key >= KL_CLIENT_API_SLOTS)
            continue;
        int16_t hi = av->max_version < ours->max_version ? av->max_version : ours->max_version;
        int16_t lo = av->min_version > ours->min_version ? av->min_version : ours->min_version;
        b->versions[av->api_key] = hi >= lo ? hi : -1;
    }
}

static void on_api_versions(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len,
                            void *arg)
{
    (void)sent;
    kl_client_broker_t *b = arg;
    kl_client_t *c = b->client;
    if (err)
        return; /* the connection is going down and says why */
    /* Every ApiVersions response starts with the error code, whatever the
     * version: a broker refusing ours answers in the v0 layout. */
    int16_t code = len >= 6 ? (int16_t)kl_load_be16(frame + 4) : 0;
    if (code == KL_ERR_UNSUPPORTED_VERSION && b->api_versions_version > 0) {
        kl_log_debug(&c->log, KL_DEBUG_BROKER | KL_DEBUG_PROTOCOL, "APIVERSION",
                     "%s refuses ApiVersions v%d: retrying with v0", b->name, b->api_versions_version);
        b->api_versions_version = 0;
        send_api_versions(b);
        return;
    }
    kl_arena_t arena;
    kl_arena_init(&arena, 1 << 20);
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    kl_api_versions_response_t resp;
    int32_t corr;
    err = kl_proto_read_response(&rd, kl_api_find(KL_API_API_VERSIONS), b->api_versions_version, &corr,
                                 &arena, &resp);
    if (!err && resp.error_code)
        err = (kl_err_t)resp.error_code;
    if (err) {
        char reason[160];
        snprintf(reason, sizeof reason, "ApiVersions v%d failed: %s", b->api_versions_version, kl_err_str(err));
        kl_arena_free(&arena);
        kl_conn_close(conn, KL_ERR_TRANSPORT, reason);
        return;
    }
    learn_versions(b, &resp);
    kl_arena_free(&arena);
    kl_log_debug(&c->log, KL_DEBUG_BROKER | KL_DEBUG_FEATURE, "APIVERSION",
                 "%s: ApiVersions v%d, Produce v%d, Metadata v%d", b->name, b->api_versions_version,
                 b->versions[KL_API_PRODUCE], b->versions[KL_API_METADATA]);
    if (c->sasl.enabled)
        kl_client_sasl_start(b); /* it marks the connection ready */
    else
        kl_conn_set_ready(conn);
}

static void send_api_versions(kl_client_broker_t *b)
{
    kl_api_versions_request_t req;
    kl_proto_init(&kl_api_versions_request_schema, &req);
    req.client_software_name = kl_str("kafkalite");
    req.client_software_version = kl_str(KL_VERSION_STR);
    kl_err_t err = kl_client_broker_request(b, KL_API_API_VERSIONS, b->api_versions_version, &req, 64,
                                     KL_CONN_F_HANDSHAKE, b->client->socket_timeout_ms, on_api_versions, b);
    if (err)
        kl_conn_close(b->conn, KL_ERR_TRANSPORT, "cannot encode ApiVersions");
}

/* ---- connection events ------------------------------------------------------ */

static void on_down(kl_client_broker_t *b, kl_err_t err, const char *reason)
{
    kl_client_t *c = b->client;
    forget_versions(b);
    kl_client_sasl_reset(b);
    if (c->stopping)
        return;
    if (err == KL_ERR_SSL || err == KL_ERR_AUTHENTICATION)
        kl_md_security_failed(c, err);
    /* The first failure is worth a warning, and one of another kind (a
     * broker closing on us, then its TLS alert saying why); a broker that
     * stays away would fill the log, so repeats go to the debug log. */
    const char *why = reason ? reason : kl_err_str(err);
    bool new_kind = b->failures++ == 0 || err != b->down_err;
    b->down_err = err;
    if (new_kind)
        kl_log(&c->log, KL_LOG_WARNING, "BROKER", "%s: connection down: %s", b->name, why);
    else
        kl_log_debug(&c->log, KL_DEBUG_BROKER, "BROKER", "%s: connection down: %s", b->name, why);
    kl_md_broker_down(c, b->node_id);
    if (c->events.broker_down)
        c->events.broker_down(c, b, c->opaque);
}

static void on_conn_state(kl_conn_t *conn, kl_conn_state_t state, kl_err_t err, const char *reason,
                          void *opaque)
{
    (void)conn;
    kl_client_broker_t *b = opaque;
    kl_client_t *c = b->client;
    switch (state) {
    case KL_CONN_CONNECTING:
        kl_log_debug(&c->log, KL_DEBUG_BROKER, "CONNECT", "%s: connecting", b->name);
        break;
    case KL_CONN_TLS:
        kl_log_debug(&c->log, KL_DEBUG_BROKER | KL_DEBUG_SECURITY, "CONNECT", "%s: TCP up, TLS handshake",
                     b->name);
        break;
    case KL_CONN_HANDSHAKE:
        b->api_versions_version = API_VERSIONS_FIRST;
        send_api_versions(b);
        break;
    case KL_CONN_READY:
        b->failures = 0;
        kl_log_debug(&c->log, KL_DEBUG_BROKER, "CONNECT", "%s: ready", b->name);
        kl_md_broker_ready(c);
        if (c->events.broker_ready)
            c->events.broker_ready(c, b, c->opaque);
        break;
    case KL_CONN_DOWN:
        on_down(b, err, reason);
        break;
    }
}

/* ---- brokers ------------------------------------------------------------------ */

kl_client_broker_t *kl_client_broker_new(kl_client_t *c, int32_t node_id, const char *host, int port,
                                         kl_client_broker_kind_t kind)
{
    kl_client_broker_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->client = c;
    b->node_id = node_id;
    b->bootstrap = kind == KL_BROKER_BOOTSTRAP;
    b->coordinator = kind == KL_BROKER_COORDINATOR;
    forget_versions(b);
    set_name(b, host, port);
    kl_timer_init(&b->reauth_timer, kl_client_sasl_reauth_due, b);
    b->conn = kl_conn_new(c->loop, host, port, &c->conn_config, on_conn_state, b);
    if (!b->conn) {
        free(b);
        return NULL;
    }
    return b;
}

void kl_client_broker_destroy(kl_client_broker_t *b)
{
    kl_conn_destroy(b->conn);
    kl_client_sasl_reset(b);
    free(b);
}

void kl_client_broker_set_address(kl_client_broker_t *b, const char *host, int port)
{
    char before[sizeof b->name];
    memcpy(before, b->name, sizeof before);
    set_name(b, host, port);
    if (strcmp(before, b->name) != 0)
        kl_log(&b->client->log, KL_LOG_INFO, "BROKER", "broker %d moved: %s -> %s", b->node_id, before,
               b->name);
    kl_conn_set_address(b->conn, host, port);
}

void kl_client_broker_connect(kl_client_broker_t *b) { kl_conn_connect(b->conn); }
bool kl_client_broker_is_ready(const kl_client_broker_t *b) { return kl_conn_state(b->conn) == KL_CONN_READY; }
bool kl_client_broker_can_send(const kl_client_broker_t *b) { return kl_conn_can_send(b->conn); }
size_t kl_client_broker_unwritten(const kl_client_broker_t *b) { return kl_conn_unwritten(b->conn); }
int32_t kl_client_broker_id(const kl_client_broker_t *b) { return b->node_id; }
const char *kl_client_broker_name(const kl_client_broker_t *b) { return b->name; }

int16_t kl_client_broker_api_version(const kl_client_broker_t *b, int16_t api_key)
{
    return api_key >= 0 && api_key < KL_CLIENT_API_SLOTS ? b->versions[api_key] : -1;
}

kl_err_t kl_client_broker_request(kl_client_broker_t *b, int16_t api_key, int16_t version, const void *body, size_t size_hint,
                           unsigned flags, int64_t timeout_ms, kl_conn_response_cb *cb, void *arg)
{
    kl_client_t *c = b->client;
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    if (size_hint)
        kl_buf_reserve(&buf, size_hint + 128);
    kl_request_header_t hdr = {
        .api_key = api_key,
        .api_version = version,
        .correlation_id = kl_conn_next_correlation_id(b->conn),
        .client_id = kl_str(c->client_id),
    };
    kl_err_t err = kl_proto_write_request(&buf, &hdr, body);
    if (err) {
        kl_buf_free(&buf);
        return err;
    }
    size_t len;
    uint8_t *frame = kl_buf_steal(&buf, &len);
    if (kl_log_enabled(&c->log, KL_LOG_DEBUG, KL_DEBUG_PROTOCOL))
        kl_log_debug(&c->log, KL_DEBUG_PROTOCOL, "SEND", "%s: %s v%d, correlation id %d, %zu bytes", b->name,
                     kl_api_find(api_key)->name, version, hdr.correlation_id, len);
    kl_conn_send(b->conn, frame, len, hdr.correlation_id, flags, timeout_ms, cb, arg);
    return KL_ERR_NONE;
}
