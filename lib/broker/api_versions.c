/* ApiVersions: lists the served version ranges from the dispatch table.
 * A version newer than we serve is answered with UNSUPPORTED_VERSION in
 * the v0 layout, still listing the ranges, so the client can retry with
 * one we speak (KIP-511). */
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_api_versions.h"

/* KIP-511: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static bool software_field_valid(kl_str_t s)
{
    if (s.len <= 0)
        return false;
    for (int32_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        bool inner = i > 0 && i < s.len - 1 && (c == '-' || c == '.');
        if (!alnum && !inner)
            return false;
    }
    return true;
}

static broker_req_status_t answer(broker_request_t *req, int16_t version, int16_t error)
{
    size_t n;
    const broker_api_t *apis = broker_api_table(&n);
    kl_api_versions_response_t resp;
    kl_proto_init(&kl_api_versions_response_schema, &resp);
    resp.error_code = error;
    resp.api_keys.items = broker_alloc(req, n, sizeof *resp.api_keys.items);
    if (!resp.api_keys.items)
        return BROKER_REQ_CLOSE;
    resp.api_keys.count = (int32_t)n;
    for (size_t i = 0; i < n; i++)
        resp.api_keys.items[i] = (kl_api_versions_response_api_version_t){apis[i].key, apis[i].min_version,
                                                                          apis[i].max_version};
    return broker_respond_at(req, version, &resp);
}

broker_req_status_t handle_api_versions(broker_request_t *req)
{
    const kl_api_versions_request_t *body = req->body;
    if (req->hdr.api_version >= 3 &&
        (!software_field_valid(body->client_software_name) || !software_field_valid(body->client_software_version)))
        return answer(req, req->hdr.api_version, KL_ERR_INVALID_REQUEST);
    if (req->hdr.api_version >= 3)
        broker_log(req->broker, BROKER_LOG_DEBUG, "%s: client %.*s %.*s", req->conn->peer,
                   (int)body->client_software_name.len, body->client_software_name.ptr,
                   (int)body->client_software_version.len, body->client_software_version.ptr);
    return answer(req, req->hdr.api_version, KL_ERR_NONE);
}

broker_req_status_t handle_api_versions_unsupported(broker_request_t *req)
{
    return answer(req, 0, KL_ERR_UNSUPPORTED_VERSION);
}
