/* The calls of an admin operation: each waits in the handle's queue until
 * its broker is known and ready (connecting it, refreshing metadata for an
 * unknown node id, asking FindCoordinator for a group's coordinator), is
 * sent at the newest version both sides speak, and hands its decoded answer
 * to its family's handler. A lost connection or a moving coordinator sends
 * the call again after the client back-off (client/backoff.h: retry.backoff.ms,
 * doubled per retry up to retry.backoff.max.ms) until the operation's deadline.
 * Runs on the I/O thread. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/header.h"
#include "proto/msg_group.h"
#include "util/clock.h"

#define RESPONSE_ARENA_LIMIT (256u << 20)

/* The operation call serves, when it still runs. */
static admin_op_t *live_op(const admin_call_t *call)
{
    admin_op_t *op = call->admin->op;
    return op && op->id == call->op_id ? op : NULL;
}

int32_t admin_call_remaining_ms(const admin_call_t *call)
{
    admin_op_t *op = live_op(call);
    int64_t left = op ? op->deadline_ms - kl_clock_ms() : 0;
    return left > 1 ? (int32_t)(left < INT32_MAX ? left : INT32_MAX) : 1;
}

static void enqueue(admin_call_t *call)
{
    kl_admin_t *a = call->admin;
    admin_call_t **tail = &a->waiting;
    while (*tail)
        tail = &(*tail)->next;
    call->next = NULL;
    *tail = call;
}

bool admin_call_submit(admin_op_t *op, const admin_call_def_t *def, int32_t node, const char *group, void *arg)
{
    admin_call_t *call = calloc(1, sizeof *call);
    if (!call) {
        admin_op_finish(op, KL_ERR_NOMEM, NULL);
        return false;
    }
    *call = (admin_call_t){.admin = op->admin, .op_id = op->id, .op = op, .def = def, .node = node,
                           .group = group, .coordinator = -1, .arg = arg};
    op->calls++;
    enqueue(call);
    return true;
}

void admin_call_retry(admin_call_t *call, bool forget_coordinator)
{
    if (forget_coordinator)
        call->coordinator = -1;
    call->not_before_ms = kl_clock_ms() + kl_backoff_ms(&call->admin->backoff, ++call->failures);
    call->admin->requeued = call;
    enqueue(call);
}

static const admin_call_def_t find_coordinator_def;

/* Frees a call its operation no longer waits for, with the call a
 * FindCoordinator holds. */
static void call_free(admin_call_t *call)
{
    if (call->def == &find_coordinator_def)
        free(call->arg);
    free(call);
}

/* The call was handled: the operation ends with its last call. */
static void call_done(admin_call_t *call)
{
    admin_op_t *op = live_op(call);
    free(call);
    if (op && --op->calls == 0)
        admin_op_finish(op, KL_ERR_NONE, NULL);
}

/* Hands the outcome to the family's handler, then retires the call unless
 * the handler queued it again. */
static void deliver(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    kl_admin_t *a = call->admin;
    a->requeued = NULL;
    call->def->handle(call, err, errstr, resp);
    bool again = a->requeued == call;
    a->requeued = NULL;
    if (!again)
        call_done(call);
}

void admin_calls_drop(kl_admin_t *a)
{
    while (a->waiting) {
        admin_call_t *call = a->waiting;
        a->waiting = call->next;
        call_free(call);
    }
}

/* ---- FindCoordinator ---------------------------------------------------------- */

static void *build_find_coordinator(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const admin_call_t *target = call->arg;
    kl_find_coordinator_request_t *req = kl_arena_alloc(arena, sizeof *req);
    kl_str_t *keys = kl_arena_alloc(arena, sizeof *keys);
    if (!req || !keys)
        return NULL;
    kl_proto_init(&kl_find_coordinator_request_schema, req);
    req->key = kl_str(target->group);
    req->key_type = 0;
    keys[0] = req->key;
    req->coordinator_keys.items = keys;
    req->coordinator_keys.count = 1;
    return req;
}

static void handle_find_coordinator(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    admin_call_t *target = call->arg;
    const kl_find_coordinator_response_t *r = resp;
    int32_t node = -1;
    kl_str_t message = KL_STR_NULL;
    if (r && call->version >= 4) {
        if (r->coordinators.count < 1) {
            err = KL_ERR_BAD_MSG;
            errstr = "FindCoordinator answered without a coordinator";
        } else {
            err = (kl_err_t)r->coordinators.items[0].error_code;
            node = r->coordinators.items[0].node_id;
            message = r->coordinators.items[0].error_message;
        }
    } else if (r) {
        err = (kl_err_t)r->error_code;
        node = r->node_id;
        message = r->error_message;
    }
    if (err && admin_err_retriable(err)) {
        admin_call_retry(call, false);
        return;
    }
    char text[256];
    if (err && message.len > 0) {
        snprintf(text, sizeof text, "%.*s", (int)message.len, message.ptr);
        errstr = text;
    }
    if (err) {
        /* the call it served fails with the same error */
        deliver(target, err, errstr, NULL);
        return;
    }
    target->coordinator = node;
    target->not_before_ms = 0;
    enqueue(target);
}

static const admin_call_def_t find_coordinator_def = {
    KL_API_FIND_COORDINATOR, 1, 4, build_find_coordinator, handle_find_coordinator,
};

/* ---- sending ---------------------------------------------------------------------- */

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    admin_call_t *call = arg;
    kl_admin_t *a = call->admin;
    if (!live_op(call)) {
        call_free(call); /* its operation timed out: nobody listens */
        return;
    }
    if (err && err != KL_ERR_DESTROY) {
        admin_call_retry(call, true); /* the connection went down: ask again */
        a->requeued = NULL;
        admin_calls_kick(a);
        return;
    }
    kl_arena_t arena;
    kl_arena_init(&arena, RESPONSE_ARENA_LIMIT);
    const kl_api_t *api = kl_api_find(call->def->api_key);
    void *resp = NULL;
    if (!err) {
        resp = kl_arena_calloc(&arena, 1, api->response->size);
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = resp ? kl_proto_read_response(&rd, api, call->version, &corr, &arena, resp) : KL_ERR_NOMEM;
        if (err)
            resp = NULL;
    }
    char errstr[128];
    if (err)
        snprintf(errstr, sizeof errstr, "%s v%d: %s", api->name, call->version, kl_err_str(err));
    deliver(call, err, err ? errstr : NULL, resp);
    kl_arena_free(&arena);
    admin_calls_kick(a);
}

/* The broker for call, ready to send; NULL to keep it waiting. */
static kl_client_broker_t *route(kl_admin_t *a, admin_call_t *call)
{
    int32_t node = call->node == ADMIN_COORDINATOR ? call->coordinator : call->node;
    if (node == ADMIN_ANY_BROKER)
        return kl_client_pick_broker(a->client);
    kl_client_broker_t *b = kl_client_broker(a->client, node);
    if (!b) {
        kl_client_refresh_metadata(a->client, "admin: a broker not known yet");
        return NULL;
    }
    if (!kl_client_broker_can_send(b)) {
        kl_client_broker_connect(b);
        return NULL;
    }
    return b;
}

/* Sends call to b; false when it was handled at once (failed). */
static void send_call(admin_call_t *call, kl_client_broker_t *b)
{
    const admin_call_def_t *def = call->def;
    int16_t version = kl_client_broker_api_version(b, def->api_key);
    if (version > def->max_version)
        version = def->max_version;
    if (version < def->min_version) {
        char errstr[160];
        snprintf(errstr, sizeof errstr, "%s speaks no version of %s this client can use",
                 kl_client_broker_name(b), kl_api_find(def->api_key)->name);
        deliver(call, KL_ERR_UNSUPPORTED_API_VERSION, errstr, NULL);
        return;
    }
    call->version = version;
    kl_arena_t arena;
    kl_arena_init(&arena, RESPONSE_ARENA_LIMIT);
    void *body = def->build(call, version, &arena);
    kl_err_t err = body ? kl_client_broker_request(b, def->api_key, version, body, 256, 0,
                                                   admin_call_remaining_ms(call), on_response, call)
                        : KL_ERR_NOMEM;
    kl_arena_free(&arena);
    if (err)
        deliver(call, err, "cannot encode the request", NULL);
}

/* One pass over the queue; true when it queued FindCoordinator calls that
 * can go at once. */
static bool kick_once(kl_admin_t *a)
{
    bool again = false;
    int64_t now = kl_clock_ms(), next_retry = INT64_MAX;
    /* Take the queue: calls that must wait go back on it in order. */
    admin_call_t *list = a->waiting;
    a->waiting = NULL;
    while (list) {
        admin_call_t *call = list;
        list = call->next;
        call->next = NULL;
        if (!live_op(call)) {
            call_free(call);
            continue;
        }
        if (call->not_before_ms > now) {
            next_retry = call->not_before_ms < next_retry ? call->not_before_ms : next_retry;
            enqueue(call);
            continue;
        }
        if (call->node == ADMIN_COORDINATOR && call->coordinator < 0) {
            /* Find the coordinator first; the call waits for the answer,
             * held by the FindCoordinator call. */
            if (!admin_call_submit(live_op(call), &find_coordinator_def, ADMIN_ANY_BROKER, NULL, call))
                free(call);
            again = true;
            continue;
        }
        kl_client_broker_t *b = route(a, call);
        if (!b) {
            enqueue(call);
            continue;
        }
        send_call(call, b);
    }
    if (next_retry != INT64_MAX)
        kl_timer_start(kl_client_loop(a->client), &a->retry_timer, next_retry - now);
    return again;
}

void admin_calls_kick(kl_admin_t *a)
{
    for (int pass = 0; pass < 2; pass++)
        if (!kick_once(a))
            break;
}
