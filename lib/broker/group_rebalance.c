/* The rebalance steps of the classic group state machine: preparing a
 * rebalance (with the initial delay of a new group), completing the join
 * phase (removing dynamic members that did not rejoin, electing a leader,
 * choosing the protocol, starting a generation), waiting for SyncGroup,
 * propagating assignments, and the deadlines' effects. Also the JoinGroup
 * and SyncGroup answers owed to parked members. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* ---- answers ---- */

void group_join_answer(group_t *g, group_reply_t reply, int16_t version, const char *member_id, const char *leader_id,
                 bool with_members, bool skip_assignment)
{
    group_queued_t *q = group_reply_new(g->coord, reply, &kl_join_group_response_schema);
    if (!q)
        return;
    kl_join_group_response_t *r = q->resp;
    r->error_code = KL_ERR_NONE;
    r->generation_id = g->generation;
    r->protocol_type = group_reply_str(q, g->protocol_type);
    if (g->protocol_name)
        r->protocol_name = group_reply_str(q, g->protocol_name);
    else
        r->protocol_name = version >= 7 ? KL_STR_NULL : kl_str(""); /* nullable from v7 */
    r->leader = group_reply_str(q, leader_id ? leader_id : "");
    r->skip_assignment = skip_assignment;
    r->member_id = group_reply_str(q, member_id);
    if (with_members && g->member_count) {
        r->members.items = group_reply_array(q, g->member_count, sizeof *r->members.items);
        int32_t n = 0;
        for (const group_member_t *m = g->members; m && r->members.items; m = m->next) {
            const group_protocol_t *p = group_member_protocol(m, g->protocol_name);
            kl_join_group_response_member_t *rm = &r->members.items[n++];
            rm->member_id = group_reply_str(q, m->id);
            rm->group_instance_id = group_reply_str(q, m->instance_id);
            rm->metadata = p ? group_reply_bytes(q, p->metadata, p->metadata_len) : group_reply_bytes(q, NULL, 0);
        }
        r->members.count = n;
    }
    group_reply_send(g->coord, q);
}

void group_join_answer_error(group_coordinator_t *c, group_reply_t reply, int16_t version, int16_t error,
                       kl_str_t member_id)
{
    group_queued_t *q = group_reply_new(c, reply, &kl_join_group_response_schema);
    if (!q)
        return;
    kl_join_group_response_t *r = q->resp;
    r->error_code = error;
    r->generation_id = -1;
    r->protocol_type = KL_STR_NULL;
    r->protocol_name = version >= 7 ? KL_STR_NULL : kl_str("");
    r->leader = kl_str("");
    r->member_id = group_reply_kstr(q, member_id.len < 0 ? kl_str("") : member_id);
    group_reply_send(c, q);
}

/* Takes m's parked JoinGroup, if any. */
static bool member_take_join(group_t *g, group_member_t *m, group_reply_t *reply)
{
    if (!m->awaiting_join)
        return false;
    *reply = m->join_reply;
    m->awaiting_join = false;
    m->join_reply.fn = NULL;
    g->awaiting_join_count--;
    return true;
}

void group_member_answer_join(group_t *g, group_member_t *m, const char *leader_id, bool with_members,
                        bool skip_assignment)
{
    group_reply_t reply;
    if (member_take_join(g, m, &reply))
        group_join_answer(g, reply, m->join_version, m->id, leader_id, with_members, skip_assignment);
}

void group_member_finish_join(group_t *g, group_member_t *m)
{
    group_member_answer_join(g, m, g->leader ? g->leader->id : NULL, m == g->leader, false);
}

void group_member_fail_join(group_t *g, group_member_t *m, int16_t error, const char *member_id)
{
    group_reply_t reply;
    if (member_take_join(g, m, &reply))
        group_join_answer_error(g->coord, reply, m->join_version, error, kl_str(member_id));
}

void group_sync_answer(group_t *g, group_reply_t reply, int16_t error, const uint8_t *assignment, int32_t len)
{
    group_queued_t *q = group_reply_new(g->coord, reply, &kl_sync_group_response_schema);
    if (!q)
        return;
    kl_sync_group_response_t *r = q->resp;
    r->error_code = error;
    r->protocol_type = error ? KL_STR_NULL : group_reply_str(q, g->protocol_type);
    r->protocol_name = error ? KL_STR_NULL : group_reply_str(q, g->protocol_name);
    r->assignment = group_reply_bytes(q, assignment, assignment ? len : 0);
    group_reply_send(g->coord, q);
}

bool group_member_finish_sync(group_t *g, group_member_t *m, int16_t error)
{
    if (!m->awaiting_sync)
        return false;
    group_reply_t reply = m->sync_reply;
    m->awaiting_sync = false;
    m->sync_reply.fn = NULL;
    group_sync_answer(g, reply, error, m->assignment, m->assignment_len);
    return true;
}

/* ---- assignments ---- */

void group_propagate_assignment(group_t *g, int16_t error)
{
    /* The session timer restarts after the answer: a member whose session
     * ran out while it waited for the leader was kept (it was waiting). */
    for (group_member_t *m = g->members; m; m = m->next)
        if (group_member_finish_sync(g, m, error))
            group_member_reschedule(g, m, m->session_timeout_ms);
}

void group_reset_assignment(group_t *g, int16_t error)
{
    for (group_member_t *m = g->members; m; m = m->next) {
        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
    }
    group_propagate_assignment(g, error);
}

static void clear_pending_sync(group_t *g)
{
    for (group_member_t *m = g->members; m; m = m->next)
        m->pending_sync = false;
    group_timer_stop(g->coord, &g->sync_timer);
}

/* ---- the join phase ---- */

void group_prepare_rebalance(group_t *g)
{
    group_coordinator_t *c = g->coord;
    if (g->state == GROUP_COMPLETING)
        group_reset_assignment(g, KL_ERR_REBALANCE_IN_PROGRESS);
    clear_pending_sync(g);
    bool initial = g->state == GROUP_EMPTY;
    group_transition(g, GROUP_PREPARING);
    if (initial) {
        /* A new group waits for more members before its first rebalance,
         * and waits again while they keep coming, up to the rebalance
         * timeout. */
        int32_t delay = c->config.initial_rebalance_delay_ms;
        int32_t remaining = group_rebalance_timeout(g) - delay;
        g->join_initial = true;
        g->new_member_added = false;
        g->join_delay_ms = delay;
        g->join_remaining_ms = remaining > 0 ? remaining : 0;
        group_timer_arm(c, &g->join_timer, delay);
        return;
    }
    g->join_initial = false;
    if (group_all_joined(g))
        group_complete_join(g);
    else
        group_timer_arm(c, &g->join_timer, group_rebalance_timeout(g));
}

void group_maybe_complete_join(group_t *g)
{
    if (g->state == GROUP_PREPARING && g->prev_state != GROUP_EMPTY && group_all_joined(g))
        group_complete_join(g);
}

void group_maybe_rebalance_or_complete(group_t *g)
{
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING || g->state == GROUP_EMPTY)
        group_prepare_rebalance(g);
    else
        group_maybe_complete_join(g);
}

/* Keeps the leader if it rejoined, else picks the first member that did.
 * False when no member rejoined. */
static bool elect_joined_leader(group_t *g)
{
    if (!g->leader)
        return false;
    if (g->leader->awaiting_join)
        return true;
    for (group_member_t *m = g->members; m; m = m->next) {
        if (m->awaiting_join) {
            g->leader = m;
            return true;
        }
    }
    return false;
}

/* Starts the next generation: CompletingRebalance with the chosen
 * protocol, or Empty when no member is left. */
static void next_generation(group_t *g)
{
    g->generation++;
    clear_pending_sync(g);
    free(g->protocol_name);
    g->protocol_name = NULL;
    if (g->members) {
        const char *chosen = group_select_protocol(g);
        g->protocol_name = chosen ? strdup(chosen) : NULL;
        group_transition(g, GROUP_COMPLETING);
    } else {
        group_transition(g, GROUP_EMPTY);
    }
}

void group_complete_join(group_t *g)
{
    group_coordinator_t *c = g->coord;
    group_timer_stop(c, &g->join_timer);
    g->join_initial = false;
    for (group_member_t *m = g->members, *next; m; m = next) {
        next = m->next;
        if (!m->awaiting_join && !m->instance_id)
            group_remove_member(g, m);
    }
    if (g->state == GROUP_DEAD)
        return;
    if (!elect_joined_leader(g) && g->members) {
        /* Only static members that did not rejoin are left: wait another
         * rebalance timeout for them (or for their sessions to end). */
        group_timer_arm(c, &g->join_timer, group_rebalance_timeout(g));
        return;
    }
    next_generation(g);
    if (g->state == GROUP_EMPTY) {
        group_store(g, NULL, NULL);
        return;
    }
    for (group_member_t *m = g->members; m; m = m->next) {
        group_member_finish_join(g, m);
        group_member_reschedule(g, m, m->session_timeout_ms);
        m->is_new = false;
        m->pending_sync = true;
    }
    g->sync_generation = g->generation;
    group_timer_arm(c, &g->sync_timer, group_rebalance_timeout(g));
}

/* ---- deadlines ---- */

void group_join_timer_fired(group_t *g)
{
    if (g->state != GROUP_PREPARING)
        return;
    if (g->join_initial && g->new_member_added && g->join_remaining_ms != 0) {
        int32_t delay = g->coord->config.initial_rebalance_delay_ms;
        if (delay > g->join_remaining_ms)
            delay = g->join_remaining_ms;
        int32_t remaining = g->join_remaining_ms - g->join_delay_ms;
        g->new_member_added = false;
        g->join_delay_ms = delay;
        g->join_remaining_ms = remaining > 0 ? remaining : 0;
        group_timer_arm(g->coord, &g->join_timer, delay);
        return;
    }
    group_complete_join(g);
}

void group_sync_timer_fired(group_t *g)
{
    if (g->sync_generation != g->generation || (g->state != GROUP_COMPLETING && g->state != GROUP_STABLE))
        return;
    bool removed = false;
    for (group_member_t *m = g->members, *next; m; m = next) {
        next = m->next;
        if (m->pending_sync) {
            group_remove_member(g, m);
            removed = true;
        }
    }
    if (removed)
        group_prepare_rebalance(g);
}

void group_members_left(group_t *g)
{
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING)
        group_maybe_rebalance_or_complete(g);
    else
        group_maybe_complete_join(g); /* not while the initial delay runs */
}

void group_member_gone(group_t *g)
{
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING)
        group_maybe_rebalance_or_complete(g);
    else if (g->state == GROUP_PREPARING && group_all_joined(g))
        group_complete_join(g);
}

void group_member_session_fired(group_member_t *m)
{
    group_t *g = m->group;
    if (g->state == GROUP_DEAD)
        return;
    /* Members waiting in a rebalance need no heartbeat; new members, which
     * cannot heartbeat yet, are timed out by their join timeout. */
    if (!m->is_new && (m->awaiting_join || m->awaiting_sync))
        return;
    group_remove_member(g, m);
    group_member_gone(g);
}

void group_pending_timer_fired(group_pending_t *p)
{
    group_t *g = p->group;
    group_pending_remove(g, p);
    if (g->state == GROUP_PREPARING && group_all_joined(g))
        group_complete_join(g);
}
