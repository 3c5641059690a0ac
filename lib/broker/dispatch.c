/* The broker's dispatch table and request decoding (see dispatch.h). The
 * ranges are what the broker serves, which may be narrower than what the
 * codec (lib/proto/api.c) can encode: Produce from v3 (record batches v2
 * only), Fetch from v4 (last stable offset). */
#include "broker/dispatch.h"
#include "util/clock.h"

#include <stdio.h>

#include "broker/conn.h"
#include "broker/group_wire.h"
#include "proto/codec.h"

static const broker_api_t served[] = {
    {KL_API_PRODUCE, 3, 11, handle_produce},
    {KL_API_FETCH, 4, 17, handle_fetch},
    {KL_API_LIST_OFFSETS, 0, 10, handle_list_offsets},
    {KL_API_METADATA, 0, 12, handle_metadata},
    {KL_API_OFFSET_COMMIT, 0, 9, handle_group_request},
    {KL_API_OFFSET_FETCH, 0, 9, handle_group_request},
    {KL_API_FIND_COORDINATOR, 0, 6, handle_find_coordinator},
    {KL_API_JOIN_GROUP, 0, 9, handle_group_request},
    {KL_API_HEARTBEAT, 0, 4, handle_group_request},
    {KL_API_LEAVE_GROUP, 0, 5, handle_group_request},
    {KL_API_SYNC_GROUP, 0, 5, handle_group_request},
    {KL_API_DESCRIBE_GROUPS, 0, 5, handle_group_request},
    {KL_API_LIST_GROUPS, 0, 5, handle_group_request},
    {KL_API_SASL_HANDSHAKE, 0, 1, handle_sasl_handshake},
    {KL_API_API_VERSIONS, 0, 4, handle_api_versions},
    {KL_API_CREATE_TOPICS, 0, 7, handle_create_topics},
    {KL_API_DELETE_TOPICS, 0, 6, handle_delete_topics},
    {KL_API_DELETE_RECORDS, 0, 2, handle_delete_records},
    {KL_API_INIT_PRODUCER_ID, 0, 5, handle_init_producer_id},
    {KL_API_OFFSET_FOR_LEADER_EPOCH, 0, 4, handle_offset_for_leader_epoch},
    {KL_API_ADD_PARTITIONS_TO_TXN, 0, 3, handle_add_partitions_to_txn},
    {KL_API_ADD_OFFSETS_TO_TXN, 0, 4, handle_add_offsets_to_txn},
    {KL_API_END_TXN, 0, 4, handle_end_txn},
    {KL_API_TXN_OFFSET_COMMIT, 0, 4, handle_txn_offset_commit},
    {KL_API_DESCRIBE_CONFIGS, 0, 4, handle_describe_configs},
    {KL_API_ALTER_CONFIGS, 0, 2, handle_alter_configs},
    {KL_API_DESCRIBE_LOG_DIRS, 0, 4, handle_describe_log_dirs},
    {KL_API_SASL_AUTHENTICATE, 0, 2, handle_sasl_authenticate},
    {KL_API_CREATE_PARTITIONS, 0, 3, handle_create_partitions},
    {KL_API_DELETE_GROUPS, 0, 2, handle_group_request},
    {KL_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, handle_incremental_alter_configs},
    {KL_API_OFFSET_DELETE, 0, 0, handle_group_request},
    {KL_API_DESCRIBE_CLIENT_QUOTAS, 0, 1, handle_describe_client_quotas},
    {KL_API_DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0, handle_describe_user_scram_credentials},
    {KL_API_ALTER_USER_SCRAM_CREDENTIALS, 0, 0, handle_alter_user_scram_credentials},
    {KL_API_DESCRIBE_CLUSTER, 0, 1, handle_describe_cluster},
    {KL_API_DESCRIBE_PRODUCERS, 0, 0, handle_describe_producers},
    {KL_API_DESCRIBE_TRANSACTIONS, 0, 0, handle_describe_transactions},
    {KL_API_LIST_TRANSACTIONS, 0, 1, handle_list_transactions},
};

const broker_api_t *broker_api_table(size_t *countp)
{
    *countp = sizeof served / sizeof served[0];
    return served;
}

const broker_api_t *broker_api_find(int16_t key)
{
    for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
        if (served[i].key == key)
            return &served[i];
    return NULL;
}

static broker_req_status_t close_with_log(broker_request_t *req, const char *what, const char *detail)
{
    broker_conn_t *c = req->conn;
    broker_log_limited(req->broker, &req->broker->log_limits.bad_input, BROKER_LOG_WARN,
               "%s: closing the connection: %s (api key %d, version %d, correlation id %d%s%s)", c->peer, what,
               req->hdr.api_key, req->hdr.api_version, req->hdr.correlation_id, detail ? ": " : "",
               detail ? detail : "");
    return BROKER_REQ_CLOSE;
}

static broker_req_status_t dispatch(broker_request_t *req, const uint8_t *frame, size_t len)
{
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    kl_err_t err = kl_proto_read_request_header(&rd, &req->hdr, &req->api);
    if (err == KL_ERR_BAD_MSG)
        return close_with_log(req, "malformed request header", rd.what);
    const broker_api_t *served_api = broker_api_find(req->hdr.api_key);
    if (!req->api || !served_api)
        return close_with_log(req, "unknown or unserved API key", NULL);
    int16_t k = req->hdr.api_key;
    if (!req->conn->authenticated && k != KL_API_API_VERSIONS && k != KL_API_SASL_HANDSHAKE &&
        k != KL_API_SASL_AUTHENTICATE)
        return close_with_log(req, "request before SASL authentication completed", NULL);
    if (req->conn->session_expires_ms && !req->conn->reauthenticating && k != KL_API_SASL_HANDSHAKE &&
        kl_clock_ms() >= req->conn->session_expires_ms)
        return close_with_log(req, "SASL session expired without re-authentication", "connections.max.reauth.ms");
    int16_t v = req->hdr.api_version;
    bool in_range = !err && v >= served_api->min_version && v <= served_api->max_version;
    if (!in_range && req->hdr.api_key == KL_API_API_VERSIONS)
        return handle_api_versions_unsupported(req);
    if (!in_range)
        return close_with_log(req, "unsupported API version", NULL);
    req->body = kl_arena_alloc(req->arena, req->api->request->size);
    if (!req->body)
        return close_with_log(req, "out of memory decoding request", NULL);
    err = kl_proto_read_request_body(&rd, req->api, v, req->arena, req->body);
    if (err == KL_ERR_NOMEM)
        return close_with_log(req, "request too large to decode", NULL);
    if (err)
        return close_with_log(req, "malformed request", rd.what);
    if (kl_rd_remaining(&rd))
        broker_log(req->broker, BROKER_LOG_DEBUG, "%s: ignored %zu bytes after the fields of %s v%d (correlation id %d)",
                   req->conn->peer, kl_rd_remaining(&rd), req->api->name, v, req->hdr.correlation_id);
    /* The cap guarded decoding against hostile counts; what the handler
     * builds (a metadata answer for every topic) is the broker's own. */
    req->arena->limit = 0;
    return served_api->handler(req);
}

/* Counts the request for /metrics (metrics.h), refused ones included. */
broker_req_status_t broker_dispatch(broker_request_t *req, const uint8_t *frame, size_t len)
{
    req->start_us = metrics_now_us();
    broker_req_status_t st = dispatch(req, frame, len);
    metrics_request(&req->broker->metrics, req->hdr.api_key, st == BROKER_REQ_CLOSE);
    return st;
}

broker_req_status_t broker_call_local(broker_request_t *req)
{
    const broker_api_t *served_api = broker_api_find(req->hdr.api_key);
    req->api = kl_api_find(req->hdr.api_key);
    if (!served_api || !req->api || req->conn || !req->local_reply)
        return BROKER_REQ_CLOSE;
    req->start_us = metrics_now_us();
    return served_api->handler(req);
}

broker_req_status_t broker_respond_at(broker_request_t *req, int16_t version, const void *resp)
{
    return broker_respond_holes(req, version, resp, NULL);
}

broker_req_status_t broker_respond_holes(broker_request_t *req, int16_t version, const void *resp,
                                         kl_proto_holes_t *holes)
{
    if (!req->conn) {
        req->local_reply(req->local_opaque, resp);
        return BROKER_REQ_DONE;
    }
    kl_buf_t *out = &req->conn->resp;
    kl_err_t err = kl_proto_write_response_holes(out, req->api, version, req->hdr.correlation_id, resp, holes);
    if (err) {
        broker_log(req->broker, BROKER_LOG_ERR, "%s: cannot encode the %s v%d response: %s", req->conn->peer,
                   req->api->name, version, kl_err_str(err));
        return BROKER_REQ_CLOSE;
    }
    metrics_answered(&req->broker->metrics, req->hdr.api_key, metrics_now_us() - req->start_us, req->api->response,
                     version, resp);
    return BROKER_REQ_DONE;
}

broker_req_status_t broker_respond(broker_request_t *req, const void *resp)
{
    return broker_respond_at(req, req->hdr.api_version, resp);
}

char *broker_strdup(broker_request_t *req, kl_str_t s)
{
    return kl_arena_strndup(req->arena, s.len > 0 ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

kl_str_t broker_vstrfmt(broker_request_t *req, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return kl_str(broker_strdup(req, kl_str(msg)));
}

kl_str_t broker_strfmt(broker_request_t *req, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kl_str_t s = broker_vstrfmt(req, fmt, ap);
    va_end(ap);
    return s;
}

void *broker_alloc(broker_request_t *req, size_t n, size_t size)
{
    return kl_arena_calloc(req->arena, n ? n : 1, size);
}
