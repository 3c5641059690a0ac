/* DescribeClientQuotas (KIP-546): kafkalite's broker enforces no client
 * quotas, so a valid filter matches no entry and the answer is an empty
 * list. The filter is still checked as Kafka's broker checks it, with the
 * same error codes and messages: an empty or repeated entity type, a match
 * string that contradicts the match type, an unknown match type, and ip
 * mixed with user or client-id are INVALID_REQUEST; an entity type other
 * than user, client-id and ip is UNSUPPORTED_VERSION. As in Kafka without
 * an authorizer, any authenticated connection may ask. AlterClientQuotas is
 * not served (not in ApiVersions): there is nothing to enforce a quota. */
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_client_quotas.h"

static bool same_str(kl_str_t a, kl_str_t b)
{
    return a.len == b.len && (a.len <= 0 || !memcmp(a.ptr, b.ptr, (size_t)a.len));
}

static bool has_type(const kl_describe_client_quotas_request_t *body, const char *type)
{
    for (int32_t i = 0; i < body->components.count; i++)
        if (kl_str_eq(body->components.items[i].entity_type, type))
            return true;
    return false;
}

/* The error Kafka gives for the filter (0 when valid), its message in why. */
static int16_t check_filter(broker_request_t *req, const kl_describe_client_quotas_request_t *body, kl_str_t *why)
{
    for (int32_t i = 0; i < body->components.count; i++) {
        const kl_quota_filter_component_t *c = &body->components.items[i];
        char *type = broker_strdup(req, c->entity_type);
        if (!type)
            return KL_ERR_NOMEM;
        bool twice = false;
        for (int32_t j = 0; j < i; j++)
            twice |= same_str(body->components.items[j].entity_type, c->entity_type);
        if (!*type) {
            *why = kl_str("Invalid empty entity type.");
            return KL_ERR_INVALID_REQUEST;
        }
        if (twice) {
            *why = broker_strfmt(req, "Entity type %s cannot appear more than once in the filter.", type);
            return KL_ERR_INVALID_REQUEST;
        }
        if (strcmp(type, "user") && strcmp(type, "client-id") && strcmp(type, "ip")) {
            *why = broker_strfmt(req, "Unsupported entity type %s", type);
            return KL_ERR_UNSUPPORTED_VERSION;
        }
        bool null_match = c->match.len < 0;
        if (c->match_type == KL_QUOTA_MATCH_EXACT && null_match)
            *why = kl_str("Request specified MATCH_TYPE_EXACT, but set match string to null.");
        else if (c->match_type == KL_QUOTA_MATCH_DEFAULT && !null_match)
            *why = kl_str("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
        else if (c->match_type == KL_QUOTA_MATCH_SPECIFIED && !null_match)
            *why = kl_str("Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
        else if (c->match_type < KL_QUOTA_MATCH_EXACT || c->match_type > KL_QUOTA_MATCH_SPECIFIED)
            *why = broker_strfmt(req, "Unknown match type %d", c->match_type);
        if (why->len > 0)
            return KL_ERR_INVALID_REQUEST;
    }
    if (has_type(body, "ip") && (has_type(body, "user") || has_type(body, "client-id"))) {
        *why = kl_str("Invalid entity filter component combination. IP filter component should not be used with "
                      "user or clientId filter component.");
        return KL_ERR_INVALID_REQUEST;
    }
    return 0;
}

broker_req_status_t handle_describe_client_quotas(broker_request_t *req)
{
    kl_describe_client_quotas_response_t resp = {0}; /* entries: empty, no quota is set */
    resp.error_message = KL_STR_NULL;
    kl_str_t why = KL_STR_NULL;
    int16_t err = check_filter(req, req->body, &why);
    if (err == KL_ERR_NOMEM)
        return BROKER_REQ_CLOSE;
    if (err) {
        resp.error_code = err;
        resp.error_message = why;
        resp.entries.count = -1; /* Kafka's error answer: no entry list */
    }
    return broker_respond(req, &resp);
}
