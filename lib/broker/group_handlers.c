/* The group APIs' request handlers. FindCoordinator names this node; the
 * others hand the decoded request to the coordinator and encode whatever
 * it answers. An answer that comes later (a JoinGroup waiting for the
 * other members, a SyncGroup waiting for the leader) parks the request:
 * its connection serves nothing else until the answer is written, as a
 * parked fetch does, and a closing connection cancels it. */
#include <stdio.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/group_wire.h"
#include "broker/txn_coordinator.h"
#include "proto/msg_group.h"

/* FindCoordinator key types (KIP-890 adds share groups as 2). */
enum { KEY_TYPE_GROUP = 0, KEY_TYPE_TRANSACTION = 1 };

/* One request in the coordinator's hands; the reply's opaque. Lives in the
 * request's arena, so it goes when the request is answered. */
typedef struct group_call {
    broker_parked_t parked;     /* on its connection, when parked */
    broker_request_t *req;
    bool in_call;               /* the handler is still on the stack */
    broker_req_status_t status; /* what an answer given in_call came to */
} group_call_t;

/* ------------------------------------------------------------ FindCoordinator */

typedef struct coordinator_answer {
    int16_t error;
    const char *message; /* NULL: none */
} coordinator_answer_t;

/* Groups are all coordinated here; the first FindCoordinator for a group
 * creates __consumer_offsets, before this node is named (as Kafka, which
 * answers COORDINATOR_NOT_AVAILABLE meanwhile, as here when it cannot be
 * created). For groups whose __consumer_offsets partition is offline:
 * COORDINATOR_NOT_AVAILABLE, as Kafka answers for an
 * offsets partition without a leader, which clients retry. Transactional
 * ids likewise, by their __transaction_state partition. Unknown key types
 * are INVALID_REQUEST, as in Kafka. */
static coordinator_answer_t coordinator_for(kl_broker_t *b, int8_t key_type, kl_str_t key)
{
    if (key_type == KEY_TYPE_GROUP) {
        if (groups_ensure_topic(b) != KL_ERR_NONE)
            return (coordinator_answer_t){KL_ERR_COORDINATOR_NOT_AVAILABLE, "The group coordinator is not loaded"};
        const broker_topic_t *t = topics_find(&b->topics, kl_str(GROUP_OFFSETS_TOPIC));
        if (t && t->partition_count > 0 && !t->logs[group_partition_for(key, t->partition_count)])
            return (coordinator_answer_t){KL_ERR_COORDINATOR_NOT_AVAILABLE,
                                          "The group's __consumer_offsets partition is offline"};
        return (coordinator_answer_t){KL_ERR_NONE, NULL};
    }
    if (key_type == KEY_TYPE_TRANSACTION) {
        const char *why;
        kl_err_t err = txns_coordinator_for(b, key, &why);
        return (coordinator_answer_t){(int16_t)err, why};
    }
    return (coordinator_answer_t){KL_ERR_INVALID_REQUEST, "Unknown coordinator type in FindCoordinator request"};
}

static void fill_coordinator(broker_request_t *req, coordinator_answer_t a, int32_t *node_id, kl_str_t *host,
                             int32_t *port, int16_t *error, kl_str_t *message)
{
    const broker_listener_t *l = req->conn->listener;
    *error = a.error;
    *message = a.message ? kl_str(a.message) : KL_STR_NULL;
    *node_id = a.error ? -1 : req->broker->node_id;
    *host = a.error ? kl_str("") : kl_str(l->adv_host);
    *port = a.error ? -1 : l->adv_port;
}

broker_req_status_t handle_find_coordinator(broker_request_t *req)
{
    const kl_find_coordinator_request_t *body = req->body;
    kl_find_coordinator_response_t resp;
    kl_proto_init(&kl_find_coordinator_response_schema, &resp);
    if (req->hdr.api_version < 4) {
        coordinator_answer_t a = coordinator_for(req->broker, body->key_type, body->key);
        fill_coordinator(req, a, &resp.node_id, &resp.host, &resp.port, &resp.error_code, &resp.error_message);
        return broker_respond(req, &resp);
    }
    int32_t n = body->coordinator_keys.count > 0 ? body->coordinator_keys.count : 0;
    resp.coordinators.items = broker_alloc(req, (size_t)n, sizeof *resp.coordinators.items);
    if (!resp.coordinators.items)
        return BROKER_REQ_CLOSE;
    resp.coordinators.count = n;
    for (int32_t i = 0; i < n; i++) {
        kl_find_coordinator_response_coordinator_t *c = &resp.coordinators.items[i];
        c->key = body->coordinator_keys.items[i];
        coordinator_answer_t a = coordinator_for(req->broker, body->key_type, c->key);
        fill_coordinator(req, a, &c->node_id, &c->host, &c->port, &c->error_code, &c->error_message);
    }
    return broker_respond(req, &resp);
}

/* ------------------------------------------------------------ the coordinator's APIs */

/* Kafka shows a member's host as "/<address>": the peer without its port
 * (and without the brackets of an IPv6 address). */
static const char *client_host(broker_request_t *req)
{
    if (!req->conn) /* the broker's own (broker_call_local) */
        return "/kafkalite-console";
    const char *peer = req->conn->peer;
    const char *colon = strrchr(peer, ':');
    size_t len = colon ? (size_t)(colon - peer) : strlen(peer);
    if (len >= 2 && peer[0] == '[' && peer[len - 1] == ']') {
        peer++;
        len -= 2;
    }
    char host[80];
    snprintf(host, sizeof host, "/%.*s", (int)len, peer);
    return broker_strdup(req, kl_str(host));
}

/* conn closes with the call parked: forget the answer owed to it. */
static void group_call_cancel(broker_conn_t *conn, broker_parked_t *parked)
{
    group_coordinator_t *coord = groups_coordinator(conn->broker);
    if (coord)
        group_cancel(coord, (group_call_t *)parked);
}

static void on_reply(void *opaque, const void *resp)
{
    group_call_t *call = opaque;
    broker_request_t *req = call->req;
    /* A local request's answer may free req and call: read them first. */
    bool in_call = call->in_call;
    broker_conn_t *conn = req->conn;
    broker_req_status_t st = BROKER_REQ_CLOSE;
    if (resp || !conn)
        st = broker_respond(req, resp);
    else
        broker_log(req->broker, BROKER_LOG_ERR, "%s: closing the connection: out of memory answering %s",
                   conn->peer, req->api->name);
    if (in_call) {
        call->status = st;
        return;
    }
    if (!conn) /* a local request: local_reply had the answer */
        return;
    /* A parked request: the connection may go on (and call is freed). */
    conn_resume(conn, st != BROKER_REQ_CLOSE);
}

static group_status_t call_coordinator(group_coordinator_t *coord, const group_ctx_t *ctx,
                                       const broker_request_t *req, group_reply_t reply)
{
    switch (req->hdr.api_key) {
    case KL_API_JOIN_GROUP: return group_join(coord, ctx, req->body, reply);
    case KL_API_SYNC_GROUP: return group_sync(coord, ctx, req->body, reply);
    case KL_API_HEARTBEAT: return group_heartbeat(coord, ctx, req->body, reply);
    case KL_API_LEAVE_GROUP: return group_leave(coord, ctx, req->body, reply);
    case KL_API_LIST_GROUPS: return group_list(coord, ctx, req->body, reply);
    case KL_API_DESCRIBE_GROUPS: return group_describe(coord, ctx, req->body, reply);
    case KL_API_DELETE_GROUPS: return group_delete(coord, ctx, req->body, reply);
    case KL_API_OFFSET_COMMIT: return group_offset_commit(coord, ctx, req->body, reply);
    case KL_API_OFFSET_FETCH: return group_offset_fetch(coord, ctx, req->body, reply);
    case KL_API_TXN_OFFSET_COMMIT: return group_txn_offset_commit(coord, ctx, req->body, reply);
    default: return group_offset_delete(coord, ctx, req->body, reply); /* the table routes no other */
    }
}

/* The requests that may write to a group's __consumer_offsets partition;
 * they create the topic if no FindCoordinator did yet (a client that knew
 * this node from before its log.dirs were emptied). The others answer from
 * memory: with no topic, there are no groups and no offsets. */
static bool writes_offsets(int16_t api_key)
{
    return api_key == KL_API_JOIN_GROUP || api_key == KL_API_SYNC_GROUP || api_key == KL_API_OFFSET_COMMIT ||
           api_key == KL_API_TXN_OFFSET_COMMIT;
}

broker_req_status_t handle_group_request(broker_request_t *req)
{
    if (writes_offsets(req->hdr.api_key))
        groups_ensure_topic(req->broker); /* failing, the append answers the error */
    group_coordinator_t *coord = groups_coordinator(req->broker);
    group_call_t *call = broker_alloc(req, 1, sizeof *call);
    const char *host = client_host(req);
    if (!coord || !call || !host)
        return BROKER_REQ_CLOSE;
    *call = (group_call_t){.parked = {group_call_cancel}, .req = req, .in_call = true, .status = BROKER_REQ_DONE};
    group_ctx_t ctx = {.api_version = req->hdr.api_version, .client_id = req->hdr.client_id,
                       .client_host = host};
    group_status_t st = call_coordinator(coord, &ctx, req, (group_reply_t){on_reply, call});
    call->in_call = false;
    if (st == GROUP_REPLIED)
        return call->status;
    if (req->conn)
        conn_park(req->conn, &call->parked);
    return BROKER_REQ_PARKED;
}
