/* SyncGroup and Heartbeat. SyncGroup parks every member of a generation
 * until the leader's assignment is stored, then hands each its part and
 * makes the group Stable; Heartbeat keeps a member's session alive and
 * tells it when a rebalance is under way. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

typedef struct sync_call {
    const group_ctx_t *ctx;
    const kl_sync_group_request_t *req;
    group_reply_t reply;
} sync_call_t;

static void sync_fail(group_coordinator_t *c, group_reply_t reply, int16_t error)
{
    group_queued_t *q = group_reply_new(c, reply, &kl_sync_group_response_schema);
    if (!q)
        return;
    kl_sync_group_response_t *r = q->resp;
    r->error_code = error;
    r->protocol_type = KL_STR_NULL;
    r->protocol_name = KL_STR_NULL;
    r->assignment = kl_bytes("", 0);
    group_reply_send(c, q);
}

/* A protocol type or name given in the request (v5+) must be the group's. */
static bool inconsistent(kl_str_t requested, const char *group_value)
{
    return requested.len >= 0 && group_value && !group_str_is(requested, group_value);
}

static void sync_received(group_t *g, group_member_t *m)
{
    m->pending_sync = false;
    for (group_member_t *o = g->members; o; o = o->next)
        if (o->pending_sync)
            return;
    group_timer_stop(g->coord, &g->sync_timer);
}

/* The leader's assignment, member by member in the group's order. */
typedef struct assignment_set {
    size_t count;
    char **member_ids;
    uint8_t **data;
    int32_t *len;
} assignment_set_t;

static void assignments_free(void *p)
{
    assignment_set_t *a = p;
    if (!a)
        return;
    for (size_t i = 0; i < a->count; i++) {
        free(a->member_ids[i]);
        free(a->data[i]);
    }
    free(a->member_ids);
    free(a->data);
    free(a->len);
    free(a);
}

/* Copies the request's assignments for the group's members (the last one
 * given for a member wins; a member left out gets an empty one). */
static assignment_set_t *assignments_copy(const group_t *g, const kl_sync_group_request_t *req)
{
    assignment_set_t *a = calloc(1, sizeof *a);
    size_t n = g->member_count;
    if (!a || !(a->member_ids = calloc(n, sizeof *a->member_ids)) || !(a->data = calloc(n, sizeof *a->data)) ||
        !(a->len = calloc(n, sizeof *a->len))) {
        assignments_free(a);
        return NULL;
    }
    a->count = n;
    size_t i = 0;
    for (const group_member_t *m = g->members; m; m = m->next, i++) {
        kl_bytes_t given = {NULL, 0};
        for (int32_t k = 0; k < req->assignments.count; k++)
            if (group_str_is(req->assignments.items[k].member_id, m->id))
                given = req->assignments.items[k].assignment;
        int32_t len = given.len > 0 ? given.len : 0;
        a->member_ids[i] = strdup(m->id);
        a->data[i] = malloc(len ? (size_t)len : 1);
        a->len[i] = len;
        if (!a->member_ids[i] || !a->data[i]) {
            assignments_free(a);
            return NULL;
        }
        if (len)
            memcpy(a->data[i], given.ptr, (size_t)len);
    }
    return a;
}

/* The leader's assignment is stored (or not). */
static void leader_stored(group_op_t *op, kl_err_t err)
{
    group_t *g = group_find(op->coord, kl_str(op->group_id));
    /* A member may have joined or left meanwhile: then a new rebalance
     * has started and this assignment is stale. */
    if (!g || g->state != GROUP_COMPLETING || g->generation != op->generation)
        return;
    if (err) {
        group_reset_assignment(g, group_append_error(err));
        group_maybe_rebalance_or_complete(g);
        return;
    }
    assignment_set_t *a = op->data;
    for (group_member_t *m = g->members; m; m = m->next) {
        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
        for (size_t i = 0; i < a->count; i++) {
            if (strcmp(a->member_ids[i], m->id) == 0) {
                m->assignment = a->data[i];
                m->assignment_len = a->len[i];
                a->data[i] = NULL;
                break;
            }
        }
    }
    group_propagate_assignment(g, KL_ERR_NONE);
    group_transition(g, GROUP_STABLE);
}

static void leader_assigns(group_coordinator_t *c, group_t *g, const kl_sync_group_request_t *req)
{
    assignment_set_t *a = assignments_copy(g, req);
    group_op_t *op = a ? group_op_new(c, leader_stored, g->id, g->generation) : NULL;
    if (!op) {
        assignments_free(a);
        group_reset_assignment(g, KL_ERR_UNKNOWN_SERVER_ERROR);
        group_maybe_rebalance_or_complete(g);
        return;
    }
    op->data = a;
    op->free_data = assignments_free;
    kl_bytes_t *stored = calloc(a->count ? a->count : 1, sizeof *stored);
    for (size_t i = 0; stored && i < a->count; i++)
        stored[i] = kl_bytes(a->data[i], a->len[i]);
    if (!stored) {
        /* op completes with the error and the group rebalances */
        op->complete(op, KL_ERR_NOMEM);
        op->complete = NULL;
    }
    group_store(g, stored, op);
    free(stored);
}

static void sync_run(group_coordinator_t *c, void *arg)
{
    const sync_call_t *s = arg;
    const kl_sync_group_request_t *req = s->req;
    group_t *g = req->group_id.len > 0 ? group_find(c, req->group_id) : NULL;
    int16_t err = KL_ERR_NONE;
    if (req->group_id.len <= 0)
        err = KL_ERR_INVALID_GROUP_ID;
    else if (!g || g->state == GROUP_EMPTY)
        err = KL_ERR_UNKNOWN_MEMBER_ID;
    else if (g->state == GROUP_DEAD)
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    else if ((err = group_validate_member(g, req->member_id, req->group_instance_id)))
        ;
    else if (req->generation_id != g->generation)
        err = KL_ERR_ILLEGAL_GENERATION;
    else if (inconsistent(req->protocol_type, g->protocol_type) || inconsistent(req->protocol_name, g->protocol_name))
        err = KL_ERR_INCONSISTENT_GROUP_PROTOCOL;
    else if (g->state == GROUP_PREPARING)
        err = KL_ERR_REBALANCE_IN_PROGRESS;
    if (err) {
        sync_fail(c, s->reply, err);
        return;
    }
    group_member_t *m = group_member_find(g, req->member_id);
    if (g->state == GROUP_STABLE) {
        sync_received(g, m);
        group_sync_answer(g, s->reply, KL_ERR_NONE, m->assignment, m->assignment_len);
        return;
    }
    /* CompletingRebalance: wait for the leader's assignment. */
    if (m->awaiting_sync)
        group_member_finish_sync(g, m, KL_ERR_REBALANCE_IN_PROGRESS); /* a retry replaces it */
    m->awaiting_sync = true;
    m->sync_reply = s->reply;
    m->sync_version = s->ctx->api_version;
    sync_received(g, m);
    if (m == g->leader)
        leader_assigns(c, g, req);
}

group_status_t group_sync(group_coordinator_t *c, const group_ctx_t *ctx, const kl_sync_group_request_t *req,
                          group_reply_t reply)
{
    sync_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, sync_run, &call);
}

/* ---- Heartbeat ---- */

typedef struct heartbeat_call {
    const kl_heartbeat_request_t *req;
    group_reply_t reply;
} heartbeat_call_t;

static int16_t heartbeat_error(group_coordinator_t *c, const kl_heartbeat_request_t *req)
{
    if (req->group_id.len <= 0)
        return KL_ERR_INVALID_GROUP_ID;
    group_t *g = group_find(c, req->group_id);
    if (!g)
        return KL_ERR_UNKNOWN_MEMBER_ID;
    if (g->state == GROUP_DEAD)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    int16_t err = group_validate_member(g, req->member_id, req->group_instance_id);
    if (err)
        return err;
    if (req->generation_id != g->generation)
        return KL_ERR_ILLEGAL_GENERATION;
    group_member_t *m = group_member_find(g, req->member_id);
    switch (g->state) {
    case GROUP_PREPARING:
        group_member_reschedule(g, m, m->session_timeout_ms);
        return KL_ERR_REBALANCE_IN_PROGRESS;
    case GROUP_COMPLETING:
    case GROUP_STABLE:
        /* Members may heartbeat between their JoinGroup and SyncGroup. */
        group_member_reschedule(g, m, m->session_timeout_ms);
        return KL_ERR_NONE;
    default: return KL_ERR_UNKNOWN_MEMBER_ID;
    }
}

static void heartbeat_run(group_coordinator_t *c, void *arg)
{
    const heartbeat_call_t *h = arg;
    group_queued_t *q = group_reply_new(c, h->reply, &kl_heartbeat_response_schema);
    if (!q)
        return;
    ((kl_heartbeat_response_t *)q->resp)->error_code = heartbeat_error(c, h->req);
    group_reply_send(c, q);
}

group_status_t group_heartbeat(group_coordinator_t *c, const group_ctx_t *ctx, const kl_heartbeat_request_t *req,
                               group_reply_t reply)
{
    (void)ctx;
    heartbeat_call_t call = {req, reply};
    return group_coord_call(c, reply.opaque, heartbeat_run, &call);
}
