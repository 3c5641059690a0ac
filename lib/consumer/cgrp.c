/* The consumer group member (see cgrp.h): settings, life cycle, the
 * subscription, and cgrp_serve(), the one place that decides the member's
 * next step from its state (revoke what must go, hand out what came, join,
 * leave), so that every event (an answer, a timer, the consumer's
 * rebalance_done) only updates the state and calls it. The requests
 * themselves live in cgrp_join.c, cgrp_heartbeat.c and cgrp_offsets.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"
#include "util/errstr.h"

static char *dup_setting(const kl_conf_t *conf, const char *name)
{
    const char *v = kl_conf_get_str(conf, name);
    return v && *v ? strdup(v) : NULL;
}

kl_cgrp_t *kl_cgrp_new(kl_client_t *client, const kl_cgrp_events_t *events, void *opaque, char *errstr,
                       size_t errstr_size)
{
    const kl_conf_t *conf = kl_client_conf(client);
    const char *group = kl_conf_get_str(conf, "group.id");
    if (!group || !*group) {
        kl_errstr_set(errstr, errstr_size, "group.id must be set to join a consumer group");
        return NULL;
    }
    kl_cgrp_t *cg = calloc(1, sizeof *cg);
    if (!cg) {
        kl_errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    cg->client = client;
    cg->log = kl_client_log(client);
    if (events)
        cg->events = *events;
    cg->opaque = opaque;
    cg->generation = -1;
    cg->assignment_generation = -1;
    cg->group_id = strdup(group);
    cg->member_id = strdup("");
    cg->instance_id = dup_setting(conf, "group.instance.id");
    cg->rack = dup_setting(conf, "client.rack");
    cg->session_timeout_ms = (int32_t)kl_conf_get_int(conf, "session.timeout.ms");
    cg->rebalance_timeout_ms = (int32_t)kl_conf_get_int(conf, "max.poll.interval.ms");
    cg->heartbeat_interval_ms = kl_conf_get_int(conf, "heartbeat.interval.ms");
    kl_backoff_init(&cg->backoff, conf);
    cg->socket_timeout_ms = kl_conf_get_int(conf, "socket.timeout.ms");
    cg->last_poll_ms = kl_clock_ms();
    kl_err_t coord_err = cgrp_coord_init(cg);
    cgrp_ops_init(cg);
    cgrp_join_init(cg);
    cgrp_heartbeat_init(cg);
    kl_err_t err = kl_assignor_list_parse(kl_conf_get_str(conf, "partition.assignment.strategy"), cg->assignors,
                                          CGRP_MAX_ASSIGNORS, &cg->nassignors, errstr, errstr_size);
    if (!err && (!cg->group_id || !cg->member_id || coord_err)) {
        kl_errstr_set(errstr, errstr_size, "out of memory");
        err = KL_ERR_NOMEM;
    }
    if (err) {
        kl_cgrp_destroy(cg);
        return NULL;
    }
    cg->cooperative = cg->assignors[0]->cooperative;
    return cg;
}

void kl_cgrp_destroy(kl_cgrp_t *cg)
{
    if (!cg)
        return;
    cg->destroying = true;
    kl_loop_t *loop = kl_client_loop(cg->client);
    cgrp_coord_stop(cg);
    cgrp_heartbeat_stop(cg);
    kl_timer_stop(loop, &cg->join_timer);
    kl_timer_stop(loop, &cg->poll_timer);
    cgrp_request_detach_all(cg);
    cgrp_ops_fail_all(cg, KL_ERR_DESTROY);
    cgrp_join_free(cg);
    cgrp_topics_free(cg);
    kl_topic_partition_list_destroy(cg->assignment);
    kl_topic_partition_list_destroy(cg->pending_assign);
    free(cg->group_id);
    free(cg->member_id);
    free(cg->instance_id);
    free(cg->rack);
    free(cg->protocol);
    free(cg);
}

/* ---- membership bookkeeping ----------------------------------------------------- */

void cgrp_set_member_id(kl_cgrp_t *cg, const char *id, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return; /* keep the old one: the coordinator asks again */
    memcpy(copy, id, len);
    copy[len] = '\0';
    free(cg->member_id);
    cg->member_id = copy;
}

void cgrp_reset_generation(kl_cgrp_t *cg, bool reset_id)
{
    cg->generation = -1;
    cg->leader = false;
    if (reset_id)
        cgrp_set_member_id(cg, "", 0);
    cgrp_heartbeat_stop(cg);
}

static bool has_partitions(const kl_topic_partition_list_t *l) { return l && l->count > 0; }

/* The whole assignment as lost (or revoked): the revoke event comes from
 * cgrp_serve(). */
static void assignment_lost(kl_cgrp_t *cg)
{
    kl_topic_partition_list_destroy(cg->pending_assign);
    cg->pending_assign = NULL;
    if (has_partitions(cg->assignment))
        cg->lost = true;
}

void cgrp_fatal(kl_cgrp_t *cg, kl_err_t err, const char *reason)
{
    if (cg->state == CGRP_CLOSED)
        return;
    kl_log(cg->log, KL_LOG_ERR, "CGRP", "group %s: fatal: %s: %s", cg->group_id, kl_err_name(err), reason);
    cgrp_heartbeat_stop(cg);
    kl_timer_stop(kl_client_loop(cg->client), &cg->join_timer);
    kl_timer_stop(kl_client_loop(cg->client), &cg->poll_timer);
    cg->state = CGRP_CLOSED;
    assignment_lost(cg);
    if (cg->events.error)
        cg->events.error(cg, err, reason, cg->opaque);
    cgrp_serve(cg);
}

void cgrp_member_error(kl_cgrp_t *cg, kl_err_t err, const char *what)
{
    if (cg->state == CGRP_IDLE || cg->state == CGRP_CLOSED || cg->destroying)
        return;
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: %s: %s", cg->group_id, what, kl_err_name(err));
    switch (err) {
    case KL_ERR_REBALANCE_IN_PROGRESS:
        cg->rejoin = true;
        break;
    case KL_ERR_ILLEGAL_GENERATION:
    case KL_ERR_UNKNOWN_MEMBER_ID:
        /* Kafka keeps the member id on a stale generation, and drops it
         * when the coordinator forgot the member. */
        cgrp_reset_generation(cg, err == KL_ERR_UNKNOWN_MEMBER_ID);
        assignment_lost(cg);
        cgrp_join_later(cg, false);
        break;
    case KL_ERR_FENCED_INSTANCE_ID:
        cgrp_fatal(cg, err, "another member uses this group.instance.id");
        return;
    default:
        return;
    }
    cgrp_serve(cg);
}

/* ---- events to the consumer ------------------------------------------------------ */

/* Each is the last thing its caller does: the consumer may answer with
 * kl_cgrp_rebalance_done() from inside the call. */
static void emit_revoke(kl_cgrp_t *cg, kl_topic_partition_list_t *parts, bool lost)
{
    cg->await = CGRP_AWAIT_REVOKE;
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: revoking %zu partitions%s", cg->group_id,
                 parts->count, lost ? " (lost)" : "");
    if (cg->events.revoke)
        cg->events.revoke(cg, parts, lost, cg->opaque);
    else
        kl_cgrp_rebalance_done(cg);
    kl_topic_partition_list_destroy(parts);
}

static void emit_assign(kl_cgrp_t *cg, kl_topic_partition_list_t *parts)
{
    cg->await = CGRP_AWAIT_ASSIGN;
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: generation %d: assigning %zu partitions",
                 cg->group_id, cg->generation, parts->count);
    if (cg->events.assign)
        cg->events.assign(cg, parts, cg->opaque);
    else
        kl_cgrp_rebalance_done(cg);
    kl_topic_partition_list_destroy(parts);
}

/* Removes from a every partition of b. */
static void list_subtract(kl_topic_partition_list_t *a, const kl_topic_partition_list_t *b)
{
    for (size_t i = 0; b && i < b->count; i++)
        while (kl_topic_partition_list_del(a, b->elems[i].topic, b->elems[i].partition))
            ;
}

/* Revokes the whole assignment (its copy goes to the consumer). */
static void revoke_all(kl_cgrp_t *cg, bool lost)
{
    kl_topic_partition_list_t *all = cg->assignment;
    cg->assignment = kl_topic_partition_list_new(0);
    if (!cg->assignment) {
        cg->assignment = all; /* try again on the next step */
        return;
    }
    emit_revoke(cg, all, lost);
}

void cgrp_assignment_received(kl_cgrp_t *cg, kl_topic_partition_list_t *received)
{
    if (!cg->assignment && !(cg->assignment = kl_topic_partition_list_new(0))) {
        kl_topic_partition_list_destroy(received);
        cgrp_join_later(cg, true);
        return;
    }
    cg->assignment_generation = cg->generation;
    if (!cg->cooperative_protocol) {
        /* eager: the assignment was revoked before the rejoin (cgrp_serve) */
        cg->pending_assign = received;
        cgrp_serve(cg);
        return;
    }
    kl_topic_partition_list_t *revoked = kl_topic_partition_list_copy(cg->assignment);
    if (!revoked) {
        kl_topic_partition_list_destroy(received);
        cgrp_join_later(cg, true);
        return;
    }
    list_subtract(revoked, received);   /* owned, no longer given */
    list_subtract(received, cg->assignment); /* given, not owned yet */
    cg->pending_assign = received;
    if (revoked->count == 0) {
        kl_topic_partition_list_destroy(revoked);
        cgrp_serve(cg);
        return;
    }
    /* KIP-429: give the revoked partitions up, then rejoin at once so the
     * leader can hand them to their new owners. */
    list_subtract(cg->assignment, revoked);
    cg->rejoin = true;
    emit_revoke(cg, revoked, false);
}

/* ---- the driver ------------------------------------------------------------------- */

static void finish_close(kl_cgrp_t *cg)
{
    if (!cg->close_done || cg->await != CGRP_AWAIT_NONE)
        return;
    kl_task_fn *done = cg->close_done;
    cg->close_done = NULL;
    done(cg->close_arg);
}

static void leave_done(void *arg)
{
    kl_cgrp_t *cg = arg;
    if (!cg->destroying)
        finish_close(cg);
}

/* Out of the group: unsubscribed, closing, or max.poll.interval.ms. */
static void leave(kl_cgrp_t *cg)
{
    bool in_group = *cg->member_id && cg->state != CGRP_IDLE;
    char *id = in_group && !cg->instance_id ? strdup(cg->member_id) : NULL; /* static members only go quiet */
    kl_timer_stop(kl_client_loop(cg->client), &cg->join_timer);
    cgrp_join_free(cg);
    cgrp_reset_generation(cg, !cg->instance_id);
    cg->state = cg->closing ? CGRP_CLOSED : CGRP_IDLE;
    cg->rejoin = false;
    /* Last: done() may be the consumer's, which may free us. */
    if (id)
        cgrp_leave_send(cg, id, cg->closing ? leave_done : NULL, cg);
    else
        finish_close(cg);
    free(id);
}

void cgrp_serve(kl_cgrp_t *cg)
{
    if (cg->destroying || cg->await != CGRP_AWAIT_NONE)
        return;
    if (cg->lost) {
        cg->lost = false;
        revoke_all(cg, true);
        return;
    }
    if (cg->pending_assign) {
        kl_topic_partition_list_t *added = cg->pending_assign;
        cg->pending_assign = NULL;
        kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(added);
        for (size_t i = 0; copy && i < added->count; i++)
            if (!kl_topic_partition_list_add(cg->assignment, added->elems[i].topic, added->elems[i].partition))
                break;
        kl_topic_partition_list_destroy(added);
        if (copy) {
            emit_assign(cg, copy);
            return;
        }
    }
    if (cg->state == CGRP_CLOSED) {
        finish_close(cg);
        return;
    }
    if (cg->closing || cg->ntopics == 0) {
        if (cg->state == CGRP_IDLE && !cg->closing)
            return;
        if (has_partitions(cg->assignment)) {
            revoke_all(cg, false);
            return;
        }
        leave(cg);
        return;
    }
    switch (cg->state) {
    case CGRP_STEADY:
        if (!cg->rejoin)
            return;
        if (!cg->cooperative_protocol && has_partitions(cg->assignment)) {
            revoke_all(cg, false); /* eager: everything goes before rejoining */
            return;
        }
        cgrp_join_later(cg, false);
        /* fall through */
    case CGRP_WAIT_JOIN:
        if (kl_timer_active(&cg->join_timer) || !cgrp_topics_ready(cg) || !cgrp_coord_get(cg))
            return;
        cgrp_join_send(cg);
        return;
    default:
        return; /* IDLE, or a request in flight whose answer comes back here */
    }
}

/* ---- the API -------------------------------------------------------------------- */

kl_err_t kl_cgrp_subscribe(kl_cgrp_t *cg, const char *const *topics, size_t count)
{
    if (count == 0) {
        kl_cgrp_unsubscribe(cg);
        return KL_ERR_NONE;
    }
    if (cg->state == CGRP_CLOSED || cg->closing)
        return KL_ERR_STATE;
    kl_err_t err = cgrp_topics_set(cg, topics, count);
    if (err)
        return err;
    if (cg->state == CGRP_IDLE && !cg->poll_exceeded)
        cgrp_join_later(cg, false);
    else
        cg->rejoin = true;
    cg->last_poll_ms = kl_clock_ms();
    cgrp_heartbeat_poll_clock(cg);
    cgrp_serve(cg);
    return KL_ERR_NONE;
}

void kl_cgrp_unsubscribe(kl_cgrp_t *cg)
{
    cgrp_topics_free(cg);
    cgrp_serve(cg);
}

void kl_cgrp_broker_ready(kl_cgrp_t *cg, kl_client_broker_t *broker) { cgrp_coord_broker_ready(cg, broker); }
void kl_cgrp_broker_down(kl_cgrp_t *cg, kl_client_broker_t *broker) { cgrp_coord_broker_down(cg, broker); }

void kl_cgrp_metadata(kl_cgrp_t *cg)
{
    cg->md_wait = false;
    if (cg->state == CGRP_ASSIGNING)
        cgrp_join_assign_retry(cg);
    else if (cg->state == CGRP_STEADY && cgrp_topics_changed(cg)) {
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: subscribed topics changed: rejoining",
                     cg->group_id);
        cg->rejoin = true;
        cgrp_topics_report_gone(cg);
    }
    cgrp_serve(cg);
}

void cgrp_poll_exceeded(kl_cgrp_t *cg)
{
    kl_log(cg->log, KL_LOG_WARNING, "CGRP",
           "group %s: no poll for max.poll.interval.ms (%d ms): leaving the group until the next poll",
           cg->group_id, cg->rebalance_timeout_ms);
    cg->poll_exceeded = true;
    assignment_lost(cg); /* others may own the partitions once we left */
    leave(cg);
    if (cg->events.error)
        cg->events.error(cg, KL_ERR_MAX_POLL_EXCEEDED, "max.poll.interval.ms exceeded: left the group",
                         cg->opaque);
    cgrp_serve(cg);
}

void kl_cgrp_poll_seen(kl_cgrp_t *cg)
{
    cg->last_poll_ms = kl_clock_ms();
    if (!cg->poll_exceeded)
        return;
    cg->poll_exceeded = false;
    if (cg->ntopics > 0 && cg->state == CGRP_IDLE) {
        cgrp_join_later(cg, false);
        cgrp_heartbeat_poll_clock(cg);
        cgrp_serve(cg);
    }
}

void kl_cgrp_rebalance_done(kl_cgrp_t *cg)
{
    if (cg->await == CGRP_AWAIT_NONE)
        return;
    cg->await = CGRP_AWAIT_NONE;
    cgrp_serve(cg);
}

void kl_cgrp_close(kl_cgrp_t *cg, kl_task_fn *done, void *arg)
{
    cg->closing = true;
    cg->close_done = done;
    cg->close_arg = arg;
    kl_timer_stop(kl_client_loop(cg->client), &cg->poll_timer);
    cgrp_serve(cg);
}

const char *kl_cgrp_member_id(const kl_cgrp_t *cg) { return cg->member_id; }
int32_t kl_cgrp_generation(const kl_cgrp_t *cg) { return cg->generation; }
const char *kl_cgrp_protocol(const kl_cgrp_t *cg) { return cg->protocol; }
bool kl_cgrp_cooperative(const kl_cgrp_t *cg) { return cg->protocol ? cg->cooperative_protocol : cg->cooperative; }
const kl_topic_partition_list_t *kl_cgrp_assignment(const kl_cgrp_t *cg) { return cg->assignment; }
