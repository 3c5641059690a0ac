/* The calls of an admin operation: each waits in the handle's queue until
 * its broker is known and ready (connecting it, refreshing metadata for an
 * unknown node id, finding a group's coordinator with the client's lookup,
 * client/coordinator.h, whose retry rule decides what is asked again), is
 * sent at the newest version both sides speak, and hands its decoded answer
 * to its family's handler. A lost connection or a moving coordinator sends
 * the call again after the client back-off (client/backoff.h: retry.backoff.ms,
 * doubled per retry up to retry.backoff.max.ms) until the operation's deadline.
 * Runs on the I/O thread. */
#include "admin/admin_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static admin_coord_t *coord_of(kl_admin_t *a, const char *group);

void admin_call_retry(admin_call_t *call, bool forget_coordinator)
{
    admin_coord_t *ac = call->node == ADMIN_COORDINATOR ? coord_of(call->admin, call->group) : NULL;
    if (forget_coordinator && ac)
        kl_coord_dead(&ac->co, KL_ERR_NOT_COORDINATOR);
    call->not_before_ms = kl_clock_ms() + kl_backoff_ms(&call->admin->backoff, ++call->failures);
    call->admin->requeued = call;
    enqueue(call);
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
        free(call);
    }
    for (admin_coord_t *ac = a->coords; ac; ac = ac->next)
        kl_coord_stop(&ac->co); /* nobody waits for it now */
}

/* ---- coordinators ---------------------------------------------------------------- */

static void on_coord(kl_coord_t *co, kl_err_t err, const char *errstr, void *opaque)
{
    admin_coord_t *ac = opaque;
    (void)co;
    if (err) { /* the calls waiting for it fail with the same error */
        ac->err = err;
        snprintf(ac->errstr, sizeof ac->errstr, "%s", errstr ? errstr : kl_err_str(err));
    }
    admin_calls_kick(ac->admin);
}

/* The coordinator of group, added when new; NULL when out of memory. */
static admin_coord_t *coord_of(kl_admin_t *a, const char *group)
{
    for (admin_coord_t *ac = a->coords; ac; ac = ac->next)
        if (strcmp(ac->co.key, group) == 0)
            return ac;
    admin_coord_t *ac = calloc(1, sizeof *ac);
    if (!ac)
        return NULL;
    ac->admin = a;
    if (kl_coord_init(&ac->co, a->client, KL_COORD_GROUP, group, on_coord, ac) != KL_ERR_NONE) {
        kl_coord_free(&ac->co);
        free(ac);
        return NULL;
    }
    ac->next = a->coords;
    a->coords = ac;
    return ac;
}

void admin_coords_reset(kl_admin_t *a)
{
    for (admin_coord_t *ac = a->coords; ac; ac = ac->next)
        ac->err = KL_ERR_NONE;
}

void admin_coords_broker_ready(kl_admin_t *a, kl_client_broker_t *broker)
{
    for (admin_coord_t *ac = a->coords; ac; ac = ac->next)
        kl_coord_broker_ready(&ac->co, broker);
}

void admin_coords_broker_down(kl_admin_t *a, kl_client_broker_t *broker)
{
    for (admin_coord_t *ac = a->coords; ac; ac = ac->next) {
        kl_coord_broker_down(&ac->co, broker);
        if (!a->op)
            kl_coord_stop(&ac->co); /* forgotten; looked up when asked for again */
    }
}

void admin_coords_free(kl_admin_t *a)
{
    while (a->coords) {
        admin_coord_t *ac = a->coords;
        a->coords = ac->next;
        kl_coord_free(&ac->co);
        free(ac);
    }
}

/* ---- sending ---------------------------------------------------------------------- */

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    admin_call_t *call = arg;
    kl_admin_t *a = call->admin;
    if (!live_op(call)) {
        free(call); /* its operation timed out: nobody listens */
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
    int32_t node = call->node;
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
    if (call->node == ADMIN_COORDINATOR)
        call->coordinator = kl_client_broker_id(b);
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

/* One pass over the queue. */
static void kick_once(kl_admin_t *a)
{
    int64_t now = kl_clock_ms(), next_retry = INT64_MAX;
    /* Take the queue: calls that must wait go back on it in order. */
    admin_call_t *list = a->waiting;
    a->waiting = NULL;
    while (list) {
        admin_call_t *call = list;
        list = call->next;
        call->next = NULL;
        if (!live_op(call)) {
            free(call);
            continue;
        }
        if (call->not_before_ms > now) {
            next_retry = call->not_before_ms < next_retry ? call->not_before_ms : next_retry;
            enqueue(call);
            continue;
        }
        kl_client_broker_t *b;
        if (call->node == ADMIN_COORDINATOR) {
            admin_coord_t *ac = coord_of(a, call->group);
            if (!ac || ac->err) {
                deliver(call, ac ? ac->err : KL_ERR_NOMEM, ac ? ac->errstr : NULL, NULL);
                continue;
            }
            b = kl_coord_get(&ac->co);
        } else {
            b = route(a, call);
        }
        if (!b) {
            enqueue(call);
            continue;
        }
        send_call(call, b);
    }
    if (next_retry != INT64_MAX)
        kl_timer_start(kl_client_loop(a->client), &a->retry_timer, next_retry - now);
}

void admin_calls_kick(kl_admin_t *a)
{
    /* A kick asked for during a pass (an answer or a coordinator event
     * heard meanwhile) makes another pass rather than a nested one. */
    if (a->kicking) {
        a->kick_again = true;
        return;
    }
    a->kicking = true;
    do {
        a->kick_again = false;
        kick_once(a);
    } while (a->kick_again);
    a->kicking = false;
}
