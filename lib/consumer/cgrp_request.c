/* Requests of the group member: each one in flight has a small record that
 * the cgrp lists, so destroying the cgrp while answers are still due
 * detaches them instead of leaving the connection a dangling pointer, and
 * every answer is decoded in one place before its handler sees it. */
#include <stdlib.h>

#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "proto/header.h"
#include "util/arena.h"
#include "util/conf.h"

static void unlink_request(kl_cgrp_t *cg, cgrp_request_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else if (cg->requests == r)
        cg->requests = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->next = r->prev = NULL;
}

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    cgrp_request_t *r = arg;
    kl_cgrp_t *cg = r->cg;
    if (!cg) {
        free(r);
        return;
    }
    unlink_request(cg, r);
    const kl_api_t *api = kl_api_find(r->api_key);
    kl_arena_t arena;
    kl_arena_init(&arena, (size_t)kl_conf_get_int(kl_client_conf(cg->client), "receive.message.max.bytes"));
    void *resp = NULL;
    if (!err) {
        resp = kl_arena_alloc(&arena, api->response->size);
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = resp ? kl_proto_read_response(&rd, api, r->version, &corr, &arena, resp) : KL_ERR_NOMEM;
        if (err) {
            resp = NULL;
            kl_err_t code = kl_proto_response_error_only(api, r->version, frame, len);
            if (code) /* an error answer with its other fields left null */
                err = code;
            else
                kl_log(cg->log, KL_LOG_WARNING, "CGRP", "group %s: cannot decode %s v%d response: %s",
                       cg->group_id, api->name, r->version, kl_err_str(err));
        }
    }
    r->fn(cg, err, resp, r->version, r->arg);
    kl_arena_free(&arena);
    free(r);
}

kl_err_t cgrp_request_send(kl_cgrp_t *cg, kl_client_broker_t *broker, int16_t api_key, int16_t version,
                           const void *body, size_t size_hint, cgrp_response_fn *fn, void *arg)
{
    cgrp_request_t *r = calloc(1, sizeof *r);
    if (!r)
        return KL_ERR_NOMEM;
    r->cg = cg;
    r->api_key = api_key;
    r->version = version;
    r->fn = fn;
    r->arg = arg;
    /* JoinGroup may be parked by the coordinator for the whole rebalance. */
    int64_t timeout = cg->socket_timeout_ms;
    if (api_key == KL_API_JOIN_GROUP)
        timeout += cg->rebalance_timeout_ms;
    r->next = cg->requests;
    if (cg->requests)
        cg->requests->prev = r;
    cg->requests = r;
    kl_err_t err = kl_client_broker_request(broker, api_key, version, body, size_hint, 0, timeout, on_response, r);
    if (err) {
        unlink_request(cg, r);
        free(r);
    }
    return err;
}

void cgrp_request_detach_all(kl_cgrp_t *cg)
{
    /* The handlers see KL_ERR_DESTROY now (an offset request calls its
     * callback, the others only let go); the answer, when it comes, is
     * dropped. */
    while (cg->requests) {
        cgrp_request_t *r = cg->requests;
        unlink_request(cg, r);
        r->cg = NULL;
        r->fn(cg, KL_ERR_DESTROY, NULL, r->version, r->arg);
    }
}
