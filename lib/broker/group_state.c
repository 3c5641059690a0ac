/* Groups and members and the classic group state machine, as Kafka runs
 * it: Empty -> PreparingRebalance -> CompletingRebalance -> Stable (and
 * Dead), the join phase with the initial delay and the rebalance timeout,
 * leader election, protocol selection, assignment propagation, and what
 * each deadline does when it passes. The request handlers (group_join.c,
 * group_sync.c, ...) drive it. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"
#include "proto/msg_consumer_protocol.h"

static const char *const state_names[] = {"Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"};

const char *group_state_name(group_state_t state) { return state_names[state]; }

/* ---- groups ---- */

group_t *group_find(group_coordinator_t *c, kl_str_t id)
{
    return group_map_get(&c->groups, id.ptr ? id.ptr : "", id.len > 0 ? (size_t)id.len : 0);
}

group_t *group_create(group_coordinator_t *c, kl_str_t id)
{
    group_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->coord = c;
    g->id = group_strdup(id);
    g->partition = group_partition_for(id, c->config.offsets_partitions);
    g->state = g->prev_state = GROUP_EMPTY;
    g->state_ts = group_coord_wall(c);
    group_timer_init(&g->join_timer, TIMER_JOIN, g);
    group_timer_init(&g->sync_timer, TIMER_SYNC, g);
    group_map_init(&g->offsets);
    if (!g->id || !group_map_put(&c->groups, g->id, strlen(g->id), g)) {
        free(g->id);
        free(g);
        return NULL;
    }
    return g;
}

void group_destroy(group_t *g)
{
    group_coordinator_t *c = g->coord;
    group_map_remove(&c->groups, g->id, strlen(g->id));
    group_timer_stop(c, &g->join_timer);
    group_timer_stop(c, &g->sync_timer);
    while (g->members) {
        group_member_t *m = g->members;
        g->members = m->next;
        group_timer_stop(c, &m->session);
        group_member_free(m);
    }
    while (g->pending)
        group_pending_remove(g, g->pending);
    group_free_offsets(g);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->id);
    free(g);
}

void group_transition(group_t *g, group_state_t state)
{
    g->prev_state = g->state;
    g->state = state;
    g->state_ts = group_coord_wall(g->coord);
}

/* ---- members ---- */

group_member_t *group_member_find(const group_t *g, kl_str_t id)
{
    for (group_member_t *m = g->members; m; m = m->next)
        if (group_str_is(id, m->id))
            return m;
    return NULL;
}

group_member_t *group_member_find_static(const group_t *g, kl_str_t instance_id)
{
    if (instance_id.len < 0)
        return NULL;
    for (group_member_t *m = g->members; m; m = m->next)
        if (m->instance_id && group_str_is(instance_id, m->instance_id))
            return m;
    return NULL;
}

group_pending_t *group_pending_find(const group_t *g, kl_str_t id)
{
    for (group_pending_t *p = g->pending; p; p = p->next)
        if (group_str_is(id, p->id))
            return p;
    return NULL;
}

void group_pending_remove(group_t *g, group_pending_t *p)
{
    group_pending_t **link = &g->pending;
    while (*link != p)
        link = &(*link)->next;
    *link = p->next;
    group_timer_stop(g->coord, &p->timer);
    free(p->id);
    free(p);
}

const group_protocol_t *group_member_protocol(const group_member_t *m, const char *name)
{
    for (size_t i = 0; name && i < m->protocol_count; i++)
        if (strcmp(m->protocols[i].name, name) == 0)
            return &m->protocols[i];
    return NULL;
}

void group_protocols_free(group_protocol_t *protocols, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(protocols[i].name);
        free(protocols[i].metadata);
    }
    free(protocols);
}

bool group_member_set_protocols(group_member_t *m, const kl_join_group_request_t *req)
{
    size_t n = req->protocols.count > 0 ? (size_t)req->protocols.count : 0;
    group_protocol_t *protocols = calloc(n ? n : 1, sizeof *protocols);
    if (!protocols)
        return false;
    for (size_t i = 0; i < n; i++) {
        const kl_join_group_request_protocol_t *p = &req->protocols.items[i];
        int32_t len = p->metadata.len > 0 ? p->metadata.len : 0;
        protocols[i].name = group_strdup(p->name);
        protocols[i].metadata = malloc(len ? (size_t)len : 1);
        protocols[i].metadata_len = len;
        if (!protocols[i].name || !protocols[i].metadata) {
            group_protocols_free(protocols, i + 1);
            return false;
        }
        if (len)
            memcpy(protocols[i].metadata, p->metadata.ptr, (size_t)len);
    }
    group_protocols_free(m->protocols, m->protocol_count);
    m->protocols = protocols;
    m->protocol_count = n;
    return true;
}

void group_member_free(group_member_t *m)
{
    group_protocols_free(m->protocols, m->protocol_count);
    free(m->id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

void group_add_member(group_t *g, group_member_t *m)
{
    group_member_t **link = &g->members;
    while (*link)
        link = &(*link)->next;
    *link = m;
    m->next = NULL;
    m->group = g;
    if (!g->leader)
        g->leader = m;
    g->member_count++;
    if (m->awaiting_join)
        g->awaiting_join_count++;
    group_pending_t *p = group_pending_find(g, kl_str(m->id));
    if (p)
        group_pending_remove(g, p);
}

void group_remove_member(group_t *g, group_member_t *m)
{
    /* A member parked in JoinGroup (a new one timing out) is told to
     * start over; one parked in SyncGroup too, where Kafka would leave the
     * request to time out on the client. */
    group_member_fail_join(g, m, KL_ERR_UNKNOWN_MEMBER_ID, "");
    group_member_finish_sync(g, m, KL_ERR_UNKNOWN_MEMBER_ID);
    group_member_t **link = &g->members;
    while (*link != m)
        link = &(*link)->next;
    *link = m->next;
    g->member_count--;
    if (g->leader == m)
        g->leader = g->members;
    group_timer_stop(g->coord, &m->session);
    group_member_free(m);
}

int16_t group_validate_member(const group_t *g, kl_str_t member_id, kl_str_t instance_id)
{
    if (instance_id.len >= 0) {
        const group_member_t *s = group_member_find_static(g, instance_id);
        if (!s)
            return KL_ERR_UNKNOWN_MEMBER_ID;
        if (!group_str_is(member_id, s->id))
            return KL_ERR_FENCED_INSTANCE_ID;
    }
    return group_member_find(g, member_id) ? KL_ERR_NONE : KL_ERR_UNKNOWN_MEMBER_ID;
}

int32_t group_rebalance_timeout(const group_t *g)
{
    int32_t max = 0;
    for (const group_member_t *m = g->members; m; m = m->next)
        if (m->rebalance_timeout_ms > max)
            max = m->rebalance_timeout_ms;
    return max;
}

bool group_all_joined(const group_t *g) { return g->member_count == g->awaiting_join_count && !g->pending; }

void group_member_reschedule(group_t *g, group_member_t *m, int32_t timeout_ms)
{
    group_timer_arm(g->coord, &m->session, timeout_ms);
}

/* ---- protocols ---- */

static bool all_support(const group_t *g, const char *name)
{
    for (const group_member_t *m = g->members; m; m = m->next)
        if (!group_member_protocol(m, name))
            return false;
    return true;
}

/* Every member votes for the first protocol of its own list that all
 * members support; the most votes win, ties going to the earlier one in
 * the first member's list. */
const char *group_select_protocol(const group_t *g)
{
    const group_member_t *first = g->members;
    if (!first)
        return NULL;
    const char *best = NULL;
    size_t best_votes = 0;
    for (size_t i = 0; i < first->protocol_count; i++) {
        const char *candidate = first->protocols[i].name;
        if (!all_support(g, candidate))
            continue;
        size_t votes = 0;
        for (const group_member_t *m = g->members; m; m = m->next) {
            for (size_t k = 0; k < m->protocol_count; k++) {
                if (!all_support(g, m->protocols[k].name))
                    continue;
                votes += strcmp(m->protocols[k].name, candidate) == 0;
                break;
            }
        }
        if (!best || votes > best_votes) {
            best = candidate;
            best_votes = votes;
        }
    }
    return best;
}

bool group_supports_protocols(const group_t *g, kl_str_t type, const kl_join_group_request_t *req)
{
    int32_t n = req->protocols.count;
    if (g->member_count == 0)
        return type.len > 0 && n > 0;
    if (!group_str_is(type, g->protocol_type))
        return false;
    for (int32_t i = 0; i < n; i++) {
        kl_str_t name = req->protocols.items[i].name;
        bool all = true;
        for (const group_member_t *m = g->members; m && all; m = m->next) {
            bool has = false;
            for (size_t k = 0; k < m->protocol_count && !has; k++)
                has = group_str_is(name, m->protocols[k].name);
            all = has;
        }
        if (all)
            return true;
    }
    return false;
}

bool group_uses_consumer_protocol(const group_t *g)
{
    return g->protocol_type && strcmp(g->protocol_type, "consumer") == 0;
}

bool group_subscribed_to(const group_t *g, kl_str_t topic, bool *known)
{
    *known = false;
    if (!group_uses_consumer_protocol(g))
        return false;
    if (!g->members) {
        *known = true;
        return false;
    }
    if (!g->protocol_name)
        return false;
    bool found = false;
    for (const group_member_t *m = g->members; m && !found; m = m->next) {
        const group_protocol_t *p = group_member_protocol(m, g->protocol_name);
        if (!p)
            return false;
        kl_arena_t arena;
        kl_arena_init(&arena, 0);
        kl_consumer_protocol_subscription_t sub;
        kl_err_t err = kl_consumer_protocol_subscription_decode(kl_bytes(p->metadata, p->metadata_len), &arena,
                                                                &sub, NULL);
        for (int32_t i = 0; !err && i < sub.topics.count && !found; i++)
            found = group_str_same(sub.topics.items[i], topic);
        kl_arena_free(&arena);
        if (err)
            return false;
    }
    *known = true;
    return found;
}
