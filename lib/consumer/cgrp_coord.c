/* Finding the group coordinator: FindCoordinator (key type group; the
 * batched form from v4) to any ready broker, the coordinator added to the
 * client's brokers and connected to, and a new lookup with back-off when
 * it fails, moves (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) or its
 * connection drops. When it is ready, the waiting offset requests go and
 * the membership state machine takes its next step. */
#include <stdio.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_group.h"

static void query(kl_cgrp_t *cg);

static void on_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    query(t->opaque);
}

void cgrp_coord_init(kl_cgrp_t *cg) { kl_timer_init(&cg->coord.timer, on_timer, cg); }

void cgrp_coord_stop(kl_cgrp_t *cg) { kl_timer_stop(kl_client_loop(cg->client), &cg->coord.timer); }

bool cgrp_coord_error(kl_err_t err)
{
    return err == KL_ERR_NOT_COORDINATOR || err == KL_ERR_COORDINATOR_NOT_AVAILABLE || err == KL_ERR_TRANSPORT ||
           err == KL_ERR_TIMED_OUT || err == KL_ERR_NETWORK_EXCEPTION;
}

/* The coordinator is ready: everything that waited for it goes. */
static void coord_up(kl_cgrp_t *cg)
{
    cg->coord.failures = 0;
    cgrp_ops_run(cg);
    cgrp_serve(cg);
}

static void retry_later(kl_cgrp_t *cg)
{
    int64_t delay = kl_backoff_ms(&cg->backoff, ++cg->coord.failures);
    kl_timer_start(kl_client_loop(cg->client), &cg->coord.timer, delay);
}

static void found(kl_cgrp_t *cg, int32_t node_id, kl_str_t host, int32_t port)
{
    char name[256];
    if (host.len <= 0 || (size_t)host.len >= sizeof name || port <= 0 || port > 65535) {
        kl_log(cg->log, KL_LOG_WARNING, "CGRP", "group %s: FindCoordinator named an unusable address",
               cg->group_id);
        retry_later(cg);
        return;
    }
    memcpy(name, host.ptr, (size_t)host.len);
    name[host.len] = '\0';
    kl_client_broker_t *b = kl_client_coordinator(cg->client, node_id, name, (int)port);
    if (!b) {
        retry_later(cg);
        return;
    }
    if (cg->coord.broker != b)
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: coordinator is %s", cg->group_id,
                     kl_client_broker_name(b));
    cg->coord.broker = b;
    if (kl_client_broker_is_ready(b))
        coord_up(cg);
    else
        kl_client_broker_connect(b); /* cgrp_coord_broker_ready() follows */
}

static void on_find(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)arg;
    cg->coord.querying = false;
    if (err == KL_ERR_DESTROY)
        return;
    kl_find_coordinator_response_t *resp = body;
    int32_t node_id = -1, port = 0;
    kl_str_t host = KL_STR_NULL;
    if (!err && version >= 4) {
        const kl_find_coordinator_response_coordinator_t *c = NULL;
        for (int32_t i = 0; i < resp->coordinators.count && !c; i++)
            if (kl_str_eq(resp->coordinators.items[i].key, cg->group_id))
                c = &resp->coordinators.items[i];
        err = c ? (kl_err_t)c->error_code : KL_ERR_BAD_MSG;
        if (c)
            node_id = c->node_id, host = c->host, port = c->port;
    } else if (!err) {
        err = (kl_err_t)resp->error_code;
        node_id = resp->node_id, host = resp->host, port = resp->port;
    }
    if (!err && node_id < 0)
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (err) {
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: FindCoordinator failed: %s", cg->group_id,
                     kl_err_name(err));
        if (err == KL_ERR_GROUP_AUTHORIZATION_FAILED) {
            cgrp_fatal(cg, err, "not authorized to use the group");
            return;
        }
        retry_later(cg);
        return;
    }
    found(cg, node_id, host, port);
}

static void query(kl_cgrp_t *cg)
{
    if (cg->coord.querying || kl_timer_active(&cg->coord.timer))
        return;
    kl_client_broker_t *b = kl_client_pick_broker(cg->client);
    cg->coord.want_broker = !b;
    if (!b)
        return; /* cgrp_coord_broker_ready() asks again */
    int16_t version = kl_client_broker_api_version(b, KL_API_FIND_COORDINATOR);
    if (version < 0) {
        cgrp_fatal(cg, KL_ERR_UNSUPPORTED_API_VERSION, "the broker does not speak FindCoordinator");
        return;
    }
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    kl_str_t key = kl_str(cg->group_id);
    req.key = key;
    req.key_type = 0; /* group */
    req.coordinator_keys.items = &key;
    req.coordinator_keys.count = 1;
    kl_err_t err = cgrp_request_send(cg, b, KL_API_FIND_COORDINATOR, version, &req, 64 + strlen(cg->group_id),
                                     on_find, NULL);
    if (err) {
        retry_later(cg);
        return;
    }
    cg->coord.querying = true;
}

kl_client_broker_t *cgrp_coord_get(kl_cgrp_t *cg)
{
    kl_client_broker_t *b = cg->coord.broker;
    if (b && kl_client_broker_is_ready(b))
        return b;
    if (b)
        kl_client_broker_connect(b);
    else
        query(cg);
    return NULL;
}

void cgrp_coord_dead(kl_cgrp_t *cg, kl_err_t err, const char *what)
{
    if (err == KL_ERR_DESTROY)
        return;
    if (cg->coord.broker)
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: %s: %s: looking the coordinator up again",
                     cg->group_id, what, kl_err_name(err));
    if (cg->coord.broker) {
        cg->coord.broker = NULL;
        cg->coord.failures++;
    }
    /* Back off: a coordinator that keeps failing must not make us spin. */
    if (!cg->coord.querying && !kl_timer_active(&cg->coord.timer))
        kl_timer_start(kl_client_loop(cg->client), &cg->coord.timer,
                       cg->coord.failures > 1 ? kl_backoff_ms(&cg->backoff, cg->coord.failures) : 0);
}

void cgrp_coord_broker_ready(kl_cgrp_t *cg, kl_client_broker_t *broker)
{
    if (broker == cg->coord.broker)
        coord_up(cg);
    else if (cg->coord.want_broker)
        query(cg);
}

void cgrp_coord_broker_down(kl_cgrp_t *cg, kl_client_broker_t *broker)
{
    if (broker == cg->coord.broker)
        cgrp_coord_dead(cg, KL_ERR_TRANSPORT, "connection to the coordinator down");
}
