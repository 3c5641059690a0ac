/* The member's clocks and the requests that keep or end its place in the
 * group: Heartbeat every heartbeat.interval.ms on its own timer (whatever
 * the application does), the session judged lost locally when no
 * heartbeat got through for session.timeout.ms, the max.poll.interval.ms
 * clock, and LeaveGroup. */
#include <stdlib.h>

#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_group.h"

static void on_heartbeat_timer(kl_loop_t *loop, kl_timer_t *t);
static void on_poll_timer(kl_loop_t *loop, kl_timer_t *t);

void cgrp_heartbeat_init(kl_cgrp_t *cg)
{
    kl_timer_init(&cg->heartbeat_timer, on_heartbeat_timer, cg);
    kl_timer_init(&cg->poll_timer, on_poll_timer, cg);
}

void cgrp_heartbeat_start(kl_cgrp_t *cg)
{
    cg->last_heartbeat_ok_ms = kl_clock_ms();
    kl_timer_start(kl_client_loop(cg->client), &cg->heartbeat_timer, cg->heartbeat_interval_ms);
}

void cgrp_heartbeat_stop(kl_cgrp_t *cg) { kl_timer_stop(kl_client_loop(cg->client), &cg->heartbeat_timer); }

/* ---- Heartbeat ------------------------------------------------------------------ */

static void on_heartbeat(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)version;
    int32_t generation = (int32_t)(intptr_t)arg;
    cg->heartbeat_in_flight = false;
    if (err == KL_ERR_DESTROY || cg->state != CGRP_STEADY || cg->generation != generation)
        return; /* the member moved on since */
    if (!err)
        err = (kl_err_t)((kl_heartbeat_response_t *)body)->error_code;
    if (!err) {
        cg->last_heartbeat_ok_ms = kl_clock_ms();
        return;
    }
    if (cgrp_coord_error(err)) {
        cgrp_coord_dead(cg, err, "Heartbeat"); /* the timer keeps trying */
        return;
    }
    cgrp_member_error(cg, err, "Heartbeat");
}

static void heartbeat_send(kl_cgrp_t *cg)
{
    kl_client_broker_t *b = cgrp_coord_get(cg);
    if (!b || cg->heartbeat_in_flight)
        return;
    int16_t version = kl_client_broker_api_version(b, KL_API_HEARTBEAT);
    if (version < 0)
        return;
    kl_heartbeat_request_t req;
    kl_proto_init(&kl_heartbeat_request_schema, &req);
    req.group_id = kl_str(cg->group_id);
    req.generation_id = cg->generation;
    req.member_id = kl_str(cg->member_id);
    req.group_instance_id = cg->instance_id ? kl_str(cg->instance_id) : KL_STR_NULL;
    if (cgrp_request_send(cg, b, KL_API_HEARTBEAT, version, &req, 128, on_heartbeat,
                          (void *)(intptr_t)cg->generation) == KL_ERR_NONE)
        cg->heartbeat_in_flight = true;
}

static void on_heartbeat_timer(kl_loop_t *loop, kl_timer_t *t)
{
    kl_cgrp_t *cg = t->opaque;
    if (cg->state != CGRP_STEADY)
        return;
    int64_t silent = kl_clock_ms() - cg->last_heartbeat_ok_ms;
    if (silent > cg->session_timeout_ms) {
        kl_log(cg->log, KL_LOG_WARNING, "CGRP",
               "group %s: no heartbeat got through for %lld ms (session.timeout.ms %d): assignment lost",
               cg->group_id, (long long)silent, cg->session_timeout_ms);
        /* As if the coordinator had evicted us: it has, or will. */
        cgrp_member_error(cg, cg->instance_id ? KL_ERR_ILLEGAL_GENERATION : KL_ERR_UNKNOWN_MEMBER_ID,
                          "session timed out");
        return;
    }
    heartbeat_send(cg);
    kl_timer_start(loop, t, cg->heartbeat_interval_ms);
}

/* ---- max.poll.interval.ms ----------------------------------------------------------- */

void cgrp_heartbeat_poll_clock(kl_cgrp_t *cg)
{
    int64_t left = cg->last_poll_ms + cg->rebalance_timeout_ms - kl_clock_ms();
    kl_timer_start(kl_client_loop(cg->client), &cg->poll_timer, left > 0 ? left : 0);
}

static void on_poll_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_cgrp_t *cg = t->opaque;
    if (cg->state == CGRP_IDLE || cg->state == CGRP_CLOSED || cg->closing)
        return; /* kl_cgrp_poll_seen() or subscribe arms it again */
    if (kl_clock_ms() - cg->last_poll_ms >= cg->rebalance_timeout_ms)
        cgrp_poll_exceeded(cg);
    else
        cgrp_heartbeat_poll_clock(cg);
}

/* ---- LeaveGroup ------------------------------------------------------------------------ */

typedef struct leave_ctx {
    kl_task_fn *done;
    void *arg;
} leave_ctx_t;

static void on_leave(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)body;
    (void)version;
    leave_ctx_t *ctx = arg;
    if (err)
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: LeaveGroup: %s", cg->group_id, kl_err_name(err));
    if (ctx->done)
        ctx->done(ctx->arg);
    free(ctx);
}

void cgrp_leave_send(kl_cgrp_t *cg, const char *member_id, kl_task_fn *done, void *arg)
{
    kl_client_broker_t *b = cg->coord.broker;
    int16_t version = b && kl_client_broker_is_ready(b) ? kl_client_broker_api_version(b, KL_API_LEAVE_GROUP) : -1;
    leave_ctx_t *ctx = version >= 0 ? malloc(sizeof *ctx) : NULL;
    kl_err_t err = ctx ? KL_ERR_NONE : KL_ERR_STATE;
    if (ctx) {
        *ctx = (leave_ctx_t){done, arg};
        kl_leave_group_request_member_identity_t me = {
            .member_id = kl_str(member_id),
            .group_instance_id = KL_STR_NULL,
            .reason = kl_str("the consumer is leaving"),
        };
        kl_leave_group_request_t req;
        kl_proto_init(&kl_leave_group_request_schema, &req);
        req.group_id = kl_str(cg->group_id);
        req.member_id = kl_str(member_id);
        req.members.items = &me;
        req.members.count = 1;
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: leaving as %s", cg->group_id, member_id);
        err = cgrp_request_send(cg, b, KL_API_LEAVE_GROUP, version, &req, 128, on_leave, ctx);
    }
    if (err) {
        /* No coordinator to tell: the session timeout evicts us. */
        free(ctx);
        if (done)
            done(arg);
    }
}
