/* Static membership: a member with a group.instance.id that joins without
 * a member id replaces its previous incarnation, whose parked requests are
 * fenced (FENCED_INSTANCE_ID). In a Stable group whose chosen protocol
 * would not change, the replacement is only persisted, without a
 * rebalance, and undone if the append fails. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* What the replaced member was, to undo the replacement. */
typedef struct static_swap {
    char *new_id;
    char *old_id;
    group_protocol_t *old_protocols;
    size_t old_count;
    int32_t old_session_ms, old_rebalance_ms;
    char *old_leader; /* the leader id before the replacement */
    int16_t version;
} static_swap_t;

static void swap_free(void *data)
{
    static_swap_t *s = data;
    if (!s)
        return;
    free(s->new_id);
    free(s->old_id);
    group_protocols_free(s->old_protocols, s->old_count);
    free(s->old_leader);
    free(s);
}

/* The replacement's metadata record is stored (or not). */
static void static_stored(group_op_t *op, kl_err_t err)
{
    static_swap_t *s = op->data;
    group_t *g = group_find(op->coord, kl_str(op->group_id));
    group_member_t *m = g ? group_member_find(g, kl_str(s->new_id)) : NULL;
    if (!m)
        return;
    if (err) {
        group_protocols_free(m->protocols, m->protocol_count);
        m->protocols = s->old_protocols;
        m->protocol_count = s->old_count;
        s->old_protocols = NULL;
        s->old_count = 0;
        m->session_timeout_ms = s->old_session_ms;
        m->rebalance_timeout_ms = s->old_rebalance_ms;
        free(m->id);
        m->id = s->old_id;
        s->old_id = NULL;
        group_member_reschedule(g, m, m->session_timeout_ms);
        group_member_fail_join(g, m, group_append_error(err), "");
        return;
    }
    if (s->version >= 9) {
        /* From v9 the leader learns it leads but is told to skip the
         * assignment, which a Stable group would not take anyway. */
        bool leads = m == g->leader;
        group_member_answer_join(g, m, g->leader ? g->leader->id : NULL, leads, leads);
    } else {
        /* Before v9 the old leader id is returned, so a restarted leader
         * does not run a pointless assignment. */
        group_member_answer_join(g, m, s->old_leader, false, false);
    }
}

/* Swaps the member over to new_id and the request's metadata; false (and
 * nothing changed) when out of memory. */
static bool swap_in(group_member_t *m, static_swap_t *s, const group_ctx_t *ctx, const kl_join_group_request_t *req)
{
    group_protocol_t *protocols = m->protocols;
    size_t count = m->protocol_count;
    m->protocols = NULL;
    m->protocol_count = 0;
    if (!group_member_set_protocols(m, req)) {
        m->protocols = protocols;
        m->protocol_count = count;
        return false;
    }
    s->old_protocols = protocols;
    s->old_count = count;
    s->old_session_ms = m->session_timeout_ms;
    s->old_rebalance_ms = m->rebalance_timeout_ms;
    s->old_id = m->id;
    m->id = strdup(s->new_id);
    if (!m->id) {
        m->id = s->old_id;
        s->old_id = NULL;
        return false;
    }
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = ctx->api_version == 0 ? req->session_timeout_ms : req->rebalance_timeout_ms;
    return true;
}

void group_join_replace_static(group_coordinator_t *c, group_t *g, group_member_t *m, char *new_id,
                               const group_ctx_t *ctx, const kl_join_group_request_t *req, group_reply_t reply)
{
    static_swap_t *s = calloc(1, sizeof *s);
    if (s) {
        s->new_id = new_id;
        s->version = ctx->api_version;
        s->old_leader = strdup(g->leader ? g->leader->id : "");
    } else {
        free(new_id);
    }
    if (!s || !s->old_leader || !swap_in(m, s, ctx, req)) {
        swap_free(s);
        group_join_answer_error(c, reply, ctx->api_version, KL_ERR_UNKNOWN_SERVER_ERROR, kl_str(""));
        return;
    }
    /* The old incarnation's parked requests are fenced before the new one
     * parks its join on the member. */
    group_member_fail_join(g, m, KL_ERR_FENCED_INSTANCE_ID, s->old_id);
    group_member_finish_sync(g, m, KL_ERR_FENCED_INSTANCE_ID);
    group_member_reschedule(g, m, m->session_timeout_ms);
    m->awaiting_join = true;
    g->awaiting_join_count++;
    m->join_reply = reply;
    m->join_version = ctx->api_version;
    switch (g->state) {
    case GROUP_STABLE: {
        const char *next = group_select_protocol(g);
        if (next && g->protocol_name && strcmp(next, g->protocol_name) == 0) {
            group_op_t *op = group_op_new(c, static_stored, g->id, g->generation);
            if (op) {
                op->data = s;
                op->free_data = swap_free;
                group_store(g, NULL, op);
                return;
            }
        }
        group_maybe_rebalance_or_complete(g);
        break;
    }
    case GROUP_COMPLETING:
        /* The leader may already be assigning to the old member id. */
        group_prepare_rebalance(g);
        break;
    default: group_maybe_complete_join(g); break;
    }
    swap_free(s);
}
