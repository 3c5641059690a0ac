/* JoinGroup: new members (MEMBER_ID_REQUIRED from v4, then added on their
 * second join), known members rejoining in each state, static members
 * (group.instance.id) replacing their previous incarnation, protocol and
 * group size checks. The answer is parked until the join phase completes,
 * unless the current generation can be given at once. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

typedef struct join_call {
    const group_ctx_t *ctx;
    const kl_join_group_request_t *req;
    group_reply_t reply;
} join_call_t;

static void join_fail(group_coordinator_t *c, const join_call_t *j, int16_t error, kl_str_t member_id)
{
    group_join_answer_error(c, j->reply, j->ctx->api_version, error, member_id);
}

static bool member_matches(const group_member_t *m, const kl_join_group_request_t *req)
{
    if ((size_t)(req->protocols.count > 0 ? req->protocols.count : 0) != m->protocol_count)
        return false;
    for (size_t i = 0; i < m->protocol_count; i++) {
        const kl_join_group_request_protocol_t *p = &req->protocols.items[i];
        int32_t len = p->metadata.len > 0 ? p->metadata.len : 0;
        if (!group_str_is(p->name, m->protocols[i].name) || len != m->protocols[i].metadata_len ||
            (len && memcmp(p->metadata.ptr, m->protocols[i].metadata, (size_t)len) != 0))
            return false;
    }
    return true;
}

static int32_t rebalance_timeout_of(const join_call_t *j)
{
    /* v0 has no rebalance timeout: the session timeout serves as one. */
    return j->ctx->api_version == 0 ? j->req->session_timeout_ms : j->req->rebalance_timeout_ms;
}

/* Parks the request's answer on m. A join already parked for m (a retry
 * from a client that gave up on it) is told to rejoin. */
static void park_join(group_t *g, group_member_t *m, const join_call_t *j)
{
    if (m->awaiting_join) {
        group_reply_t old = m->join_reply;
        group_join_answer_error(g->coord, old, m->join_version, KL_ERR_REBALANCE_IN_PROGRESS, kl_str(m->id));
    } else {
        m->awaiting_join = true;
        g->awaiting_join_count++;
    }
    m->join_reply = j->reply;
    m->join_version = j->ctx->api_version;
}

/* Adds a member under id (taken over) and starts or joins a rebalance. */
static void add_member(group_coordinator_t *c, group_t *g, char *id, const join_call_t *j)
{
    const kl_join_group_request_t *req = j->req;
    group_member_t *m = calloc(1, sizeof *m);
    if (m) {
        m->id = id;
        m->instance_id = req->group_instance_id.len >= 0 ? group_strdup(req->group_instance_id) : NULL;
        m->client_id = group_strdup(j->ctx->client_id);
        m->client_host = strdup(j->ctx->client_host ? j->ctx->client_host : "");
        group_timer_init(&m->session, TIMER_SESSION, m);
    }
    char *type = g->member_count == 0 ? group_strdup(req->protocol_type) : NULL;
    if (!m || !m->client_id || !m->client_host || (req->group_instance_id.len >= 0 && !m->instance_id) ||
        (g->member_count == 0 && !type) || !group_member_set_protocols(m, req)) {
        if (m)
            group_member_free(m);
        else
            free(id);
        free(type);
        join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, kl_str(""));
        return;
    }
    if (type) {
        free(g->protocol_type);
        g->protocol_type = type;
    }
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = rebalance_timeout_of(j);
    m->is_new = true;
    if (g->state == GROUP_PREPARING && g->prev_state == GROUP_EMPTY)
        g->new_member_added = true;
    group_add_member(g, m);
    park_join(g, m, j);
    /* A new member cannot heartbeat (it has no id yet, and its connection
     * is parked): its join times out on its own, later than a session. */
    group_member_reschedule(g, m, c->config.new_member_join_timeout_ms);
    group_maybe_rebalance_or_complete(g);
}

/* Updates a known member's protocols and timeouts and parks its join. */
static bool update_member(group_t *g, group_member_t *m, const join_call_t *j)
{
    if (!group_member_set_protocols(m, j->req))
        return false;
    m->session_timeout_ms = j->req->session_timeout_ms;
    m->rebalance_timeout_ms = rebalance_timeout_of(j);
    park_join(g, m, j);
    return true;
}

static void update_member_and_rebalance(group_coordinator_t *c, group_t *g, group_member_t *m, const join_call_t *j)
{
    if (!update_member(g, m, j)) {
        join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, j->req->member_id);
        return;
    }
    group_maybe_rebalance_or_complete(g);
}

static bool accept_joining_member(const group_t *g, kl_str_t member_id)
{
    int32_t max = g->coord->config.max_size;
    const group_member_t *m = member_id.len > 0 ? group_member_find(g, member_id) : NULL;
    switch (g->state) {
    case GROUP_PREPARING:
        /* Counting those that rejoined lets the last ones in be refused
         * when the limit was lowered. */
        return (m && m->awaiting_join) || g->awaiting_join_count < (size_t)max;
    case GROUP_COMPLETING:
    case GROUP_STABLE: return m || g->member_count < (size_t)max;
    default: return true;
    }
}

static void join_new_member(group_coordinator_t *c, group_t *g, const join_call_t *j)
{
    const kl_join_group_request_t *req = j->req;
    if (!group_supports_protocols(g, req->protocol_type, req)) {
        join_fail(c, j, KL_ERR_INCONSISTENT_GROUP_PROTOCOL, kl_str(""));
        return;
    }
    kl_str_t instance = req->group_instance_id;
    kl_str_t prefix = instance.len >= 0 ? instance : j->ctx->client_id;
    char *id = group_coord_member_id(prefix.ptr ? prefix.ptr : "", prefix.len > 0 ? (size_t)prefix.len : 0);
    if (!id) {
        join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, kl_str(""));
        return;
    }
    if (instance.len >= 0) {
        group_member_t *old = group_member_find_static(g, instance);
        if (old)
            group_join_replace_static(c, g, old, id, j->ctx, req, j->reply);
        else
            add_member(c, g, id, j);
        return;
    }
    if (j->ctx->api_version < 4) {
        add_member(c, g, id, j);
        return;
    }
    /* From v4 a new member first gets its id, then joins with it, so a
     * client that times out and retries cannot leave orphans behind. */
    group_pending_t *p = calloc(1, sizeof *p);
    if (!p) {
        free(id);
        join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, kl_str(""));
        return;
    }
    p->group = g;
    p->id = id;
    p->next = g->pending;
    g->pending = p;
    group_timer_init(&p->timer, TIMER_PENDING, p);
    group_timer_arm(c, &p->timer, req->session_timeout_ms);
    join_fail(c, j, KL_ERR_MEMBER_ID_REQUIRED, kl_str(id));
}

static void join_existing_member(group_coordinator_t *c, group_t *g, const join_call_t *j)
{
    const kl_join_group_request_t *req = j->req;
    if (!group_supports_protocols(g, req->protocol_type, req)) {
        join_fail(c, j, KL_ERR_INCONSISTENT_GROUP_PROTOCOL, req->member_id);
        return;
    }
    if (group_pending_find(g, req->member_id)) {
        /* Ids from MEMBER_ID_REQUIRED are only given to dynamic members. */
        char *id = req->group_instance_id.len < 0 ? group_strdup(req->member_id) : NULL;
        if (id)
            add_member(c, g, id, j);
        else
            join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, req->member_id);
        return;
    }
    int16_t err = group_validate_member(g, req->member_id, req->group_instance_id);
    if (err) {
        join_fail(c, j, err, req->member_id);
        return;
    }
    group_member_t *m = group_member_find(g, req->member_id);
    bool same = member_matches(m, req);
    const char *leader = g->leader ? g->leader->id : NULL;
    switch (g->state) {
    case GROUP_PREPARING: update_member_and_rebalance(c, g, m, j); break;
    case GROUP_COMPLETING:
        /* Same metadata: it missed the answer; give the current one. */
        if (same)
            group_join_answer(g, j->reply, j->ctx->api_version, m->id, leader, m == g->leader, false);
        else
            update_member_and_rebalance(c, g, m, j);
        break;
    case GROUP_STABLE:
        /* The leader rejoining asks for a rebalance (e.g. topic metadata
         * changed); a follower with unchanged metadata gets the current
         * generation and goes on to SyncGroup. */
        if (m == g->leader || !same)
            update_member_and_rebalance(c, g, m, j);
        else
            group_join_answer(g, j->reply, j->ctx->api_version, m->id, leader, false, false);
        break;
    default: join_fail(c, j, KL_ERR_UNKNOWN_MEMBER_ID, req->member_id); break;
    }
}

static void join_run(group_coordinator_t *c, void *arg)
{
    const join_call_t *j = arg;
    const kl_join_group_request_t *req = j->req;
    kl_str_t member_id = req->member_id;
    if (req->group_id.len <= 0) {
        join_fail(c, j, KL_ERR_INVALID_GROUP_ID, member_id);
        return;
    }
    if (req->session_timeout_ms < c->config.min_session_timeout_ms ||
        req->session_timeout_ms > c->config.max_session_timeout_ms) {
        join_fail(c, j, KL_ERR_INVALID_SESSION_TIMEOUT, member_id);
        return;
    }
    bool unknown = member_id.len <= 0;
    group_t *g = group_find(c, req->group_id);
    if (!g && !unknown) {
        join_fail(c, j, KL_ERR_UNKNOWN_MEMBER_ID, member_id);
        return;
    }
    if (!g && !(g = group_create(c, req->group_id))) {
        join_fail(c, j, KL_ERR_UNKNOWN_SERVER_ERROR, member_id);
        return;
    }
    if (g->state == GROUP_DEAD) {
        /* Being deleted: the client looks for the coordinator again. */
        join_fail(c, j, KL_ERR_COORDINATOR_NOT_AVAILABLE, unknown ? kl_str("") : member_id);
    } else if (!accept_joining_member(g, member_id)) {
        group_member_t *m = unknown ? NULL : group_member_find(g, member_id);
        if (m) {
            group_remove_member(g, m);
            group_maybe_complete_join(g);
        }
        join_fail(c, j, KL_ERR_GROUP_MAX_SIZE_REACHED, kl_str(""));
    } else if (unknown) {
        join_new_member(c, g, j);
    } else {
        join_existing_member(c, g, j);
    }
}

group_status_t group_join(group_coordinator_t *c, const group_ctx_t *ctx, const kl_join_group_request_t *req,
                          group_reply_t reply)
{
    join_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, join_run, &call);
}
