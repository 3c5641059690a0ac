/* Finding a coordinator (see coordinator.h): FindCoordinator (the batched
 * form from v4) to any ready broker, the coordinator added to the client's
 * brokers with a connection of its own and connected to, and a new lookup
 * after the back-off when the answer says to retry. */
#include "client/coordinator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_group.h"
#include "util/arena.h"
#include "util/conf.h"

#define RESPONSE_ARENA_LIMIT (1u << 20)

/* A FindCoordinator in flight; co is NULL once nobody listens. */
struct kl_coord_query {
    kl_coord_t *co;
    int16_t version;
};

static void query(kl_coord_t *co);

static const char *key_kind(const kl_coord_t *co)
{
    return co->key_type == KL_COORD_TRANSACTION ? "transactional id" : "group";
}

static int64_t debug_context(const kl_coord_t *co)
{
    return co->key_type == KL_COORD_TRANSACTION ? KL_DEBUG_EOS : KL_DEBUG_CGRP;
}

static void on_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    query(t->opaque);
}

kl_err_t kl_coord_init(kl_coord_t *co, kl_client_t *client, int key_type, const char *key, kl_coord_cb *cb,
                       void *opaque)
{
    memset(co, 0, sizeof *co);
    co->client = client;
    co->key_type = (int8_t)key_type;
    co->cb = cb;
    co->opaque = opaque;
    kl_backoff_init(&co->backoff, kl_client_conf(client));
    co->timeout_ms = kl_conf_get_int(kl_client_conf(client), "socket.timeout.ms");
    kl_timer_init(&co->timer, on_timer, co);
    co->key = strdup(key ? key : "");
    return co->key ? KL_ERR_NONE : KL_ERR_NOMEM;
}

void kl_coord_stop(kl_coord_t *co)
{
    if (!co->client)
        return;
    kl_timer_stop(kl_client_loop(co->client), &co->timer);
    if (co->query)
        co->query->co = NULL; /* its answer frees it */
    co->query = NULL;
    co->want_broker = false;
}

void kl_coord_free(kl_coord_t *co)
{
    kl_coord_stop(co);
    free(co->key);
    co->key = NULL;
}

bool kl_coord_retriable(kl_err_t err)
{
    /* An answer we cannot use (malformed, no coordinator, an unusable
     * address) is asked again like a lost one. */
    return err == KL_ERR_BAD_MSG || kl_err_is_retriable(err);
}

bool kl_coord_moved(kl_err_t err)
{
    return err == KL_ERR_NOT_COORDINATOR || err == KL_ERR_COORDINATOR_NOT_AVAILABLE || err == KL_ERR_TRANSPORT ||
           err == KL_ERR_TIMED_OUT || err == KL_ERR_NETWORK_EXCEPTION;
}

/* The coordinator is ready. */
static void up(kl_coord_t *co)
{
    co->failures = 0;
    co->cb(co, KL_ERR_NONE, NULL, co->opaque);
}

static void retry_later(kl_coord_t *co)
{
    int64_t delay = kl_backoff_ms(&co->backoff, ++co->failures);
    kl_timer_start(kl_client_loop(co->client), &co->timer, delay);
}

/* A lookup failed with err: asked again, or the owner hears it. */
static void failed(kl_coord_t *co, kl_err_t err, const char *errstr)
{
    kl_log_debug(kl_client_log(co->client), debug_context(co), "COORD", "%s %s: FindCoordinator failed: %s (%s)",
                 key_kind(co), co->key, kl_err_name(err), errstr ? errstr : kl_err_str(err));
    if (kl_coord_retriable(err)) {
        retry_later(co);
        return;
    }
    co->failures = 0;
    co->cb(co, err, errstr ? errstr : kl_err_str(err), co->opaque);
}

static void found(kl_coord_t *co, int32_t node_id, kl_str_t host, int32_t port)
{
    char name[256];
    if (host.len <= 0 || (size_t)host.len >= sizeof name || port <= 0 || port > 65535) {
        kl_log(kl_client_log(co->client), KL_LOG_WARNING, "COORD", "%s %s: FindCoordinator named an unusable address",
               key_kind(co), co->key);
        retry_later(co);
        return;
    }
    memcpy(name, host.ptr, (size_t)host.len);
    name[host.len] = '\0';
    kl_client_broker_t *b = kl_client_coordinator(co->client, node_id, name, (int)port);
    if (!b) {
        retry_later(co);
        return;
    }
    if (co->broker != b)
        kl_log_debug(kl_client_log(co->client), debug_context(co), "COORD", "%s %s: coordinator is %s",
                     key_kind(co), co->key, kl_client_broker_name(b));
    co->broker = b;
    if (kl_client_broker_is_ready(b))
        up(co);
    else
        kl_client_broker_connect(b); /* kl_coord_broker_ready() follows */
}

/* The answer for our key: its error, and its node and address. */
static kl_err_t read_answer(const kl_coord_t *co, const kl_find_coordinator_response_t *resp, int16_t version,
                            int32_t *nodep, kl_str_t *hostp, int32_t *portp, kl_str_t *messagep)
{
    if (version < 4) {
        *nodep = resp->node_id, *hostp = resp->host, *portp = resp->port, *messagep = resp->error_message;
        return (kl_err_t)resp->error_code;
    }
    for (int32_t i = 0; i < resp->coordinators.count; i++) {
        const kl_find_coordinator_response_coordinator_t *c = &resp->coordinators.items[i];
        if (kl_str_eq(c->key, co->key)) {
            *nodep = c->node_id, *hostp = c->host, *portp = c->port, *messagep = c->error_message;
            return (kl_err_t)c->error_code;
        }
    }
    return KL_ERR_BAD_MSG; /* no answer for the key asked */
}

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_coord_query_t *q = arg;
    kl_coord_t *co = q->co;
    int16_t version = q->version;
    free(q);
    if (!co)
        return; /* stopped meanwhile */
    co->query = NULL;
    if (err == KL_ERR_DESTROY)
        return;
    const kl_api_t *api = kl_api_find(KL_API_FIND_COORDINATOR);
    kl_arena_t arena;
    kl_arena_init(&arena, RESPONSE_ARENA_LIMIT);
    kl_find_coordinator_response_t *resp = NULL;
    if (!err) {
        resp = kl_arena_alloc(&arena, api->response->size);
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = resp ? kl_proto_read_response(&rd, api, version, &corr, &arena, resp) : KL_ERR_NOMEM;
        if (err) {
            resp = NULL;
            kl_err_t code = kl_proto_response_error_only(api, version, frame, len);
            if (code) /* an error answer with its other fields left null */
                err = code;
        }
    }
    int32_t node_id = -1, port = 0;
    kl_str_t host = KL_STR_NULL, message = KL_STR_NULL;
    if (resp)
        err = read_answer(co, resp, version, &node_id, &host, &port, &message);
    if (!err && node_id < 0)
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    char text[256];
    if (err && message.len > 0)
        snprintf(text, sizeof text, "%.*s", (int)message.len, message.ptr);
    if (err)
        failed(co, err, err && message.len > 0 ? text : NULL);
    else
        found(co, node_id, host, port);
    kl_arena_free(&arena);
}

static void query(kl_coord_t *co)
{
    if (co->query || kl_timer_active(&co->timer))
        return;
    kl_client_broker_t *b = kl_client_pick_broker(co->client);
    co->want_broker = !b;
    if (!b)
        return; /* kl_coord_broker_ready() asks again */
    int16_t version = kl_client_broker_api_version(b, KL_API_FIND_COORDINATOR);
    if (version < (co->key_type == KL_COORD_GROUP ? 0 : 1)) {
        failed(co, KL_ERR_UNSUPPORTED_API_VERSION, "the broker speaks no FindCoordinator version for this key type");
        return;
    }
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    kl_str_t key = kl_str(co->key);
    req.key = key;
    req.key_type = co->key_type;
    req.coordinator_keys.items = &key;
    req.coordinator_keys.count = 1;
    kl_coord_query_t *q = calloc(1, sizeof *q);
    if (!q) {
        retry_later(co);
        return;
    }
    q->co = co;
    q->version = version;
    co->query = q;
    kl_err_t err = kl_client_broker_request(b, KL_API_FIND_COORDINATOR, version, &req, 64 + strlen(co->key), 0,
                                            co->timeout_ms, on_response, q);
    if (err) { /* not sent, no answer follows */
        co->query = NULL;
        free(q);
        retry_later(co);
    }
}

kl_client_broker_t *kl_coord_get(kl_coord_t *co)
{
    kl_client_broker_t *b = co->broker;
    if (b && kl_client_broker_is_ready(b))
        return b;
    if (b)
        kl_client_broker_connect(b);
    else
        query(co);
    return NULL;
}

void kl_coord_dead(kl_coord_t *co, kl_err_t err)
{
    if (err == KL_ERR_DESTROY)
        return;
    if (co->broker) {
        co->broker = NULL;
        co->failures++;
    }
    /* Back off: a coordinator that keeps failing must not make us spin. */
    if (!co->query && !kl_timer_active(&co->timer))
        kl_timer_start(kl_client_loop(co->client), &co->timer,
                       co->failures > 1 ? kl_backoff_ms(&co->backoff, co->failures) : 0);
}

void kl_coord_broker_ready(kl_coord_t *co, kl_client_broker_t *broker)
{
    if (broker == co->broker)
        up(co);
    else if (co->want_broker)
        query(co);
}

void kl_coord_broker_down(kl_coord_t *co, kl_client_broker_t *broker)
{
    if (broker == co->broker)
        kl_coord_dead(co, KL_ERR_TRANSPORT);
}
