/* Metadata and DescribeCluster: this node as the only broker (with the
 * address advertised for the listener the client came in on), every
 * partition led by it (but those whose storage is offline), topics with
 * their ids, and automatic topic creation when the broker and the request
 * allow it. */
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/group_wire.h"
#include "proto/msg_metadata.h"

static const broker_listener_t *listener_of(const broker_request_t *req) { return req->conn->listener; }

/* The one-element replica list every partition shares; a partition whose
 * log is offline has no leader and lists this node as an offline replica. */
static bool fill_partitions(broker_request_t *req, const broker_topic_t *t, kl_metadata_response_topic_t *rt)
{
    int32_t *node = broker_alloc(req, 1, sizeof *node);
    kl_metadata_response_partition_t *parts = broker_alloc(req, (size_t)t->partition_count, sizeof *parts);
    if (!node || !parts)
        return false;
    *node = req->broker->node_id;
    for (int32_t p = 0; p < t->partition_count; p++) {
        parts[p] = (kl_metadata_response_partition_t){.partition_index = p, .leader_id = *node, .leader_epoch = 0};
        parts[p].replica_nodes.items = node;
        parts[p].replica_nodes.count = 1;
        parts[p].isr_nodes.items = node;
        parts[p].isr_nodes.count = 1;
        parts[p].offline_replicas.items = NULL;
        parts[p].offline_replicas.count = 0;
        if (!t->logs[p]) { /* offline storage: no leader, as Kafka shows it */
            parts[p].error_code = KL_ERR_LEADER_NOT_AVAILABLE;
            parts[p].leader_id = -1;
            parts[p].isr_nodes.count = 0;
            parts[p].offline_replicas.items = node;
            parts[p].offline_replicas.count = 1;
        }
    }
    rt->partitions.items = parts;
    rt->partitions.count = t->partition_count;
    return true;
}

static bool fill_topic(broker_request_t *req, const broker_topic_t *t, kl_metadata_response_topic_t *rt)
{
    rt->error_code = 0;
    rt->name = kl_str(t->name);
    rt->topic_id = t->id;
    rt->is_internal = groups_topic_internal(t->name);
    rt->topic_authorized_operations = INT32_MIN;
    return fill_partitions(req, t, rt);
}

/* Looks a requested topic up, creating it when allowed. */
static bool answer_topic(broker_request_t *req, const kl_metadata_request_topic_t *want, bool allow_create,
                         kl_metadata_response_topic_t *rt)
{
    kl_broker_t *b = req->broker;
    int16_t v = req->hdr.api_version;
    rt->topic_authorized_operations = INT32_MIN;
    rt->partitions.count = 0;
    if (v >= 10 && want->name.len < 0) {
        const broker_topic_t *t = topics_find_id(&b->topics, &want->topic_id);
        if (t)
            return fill_topic(req, t, rt);
        rt->error_code = KL_ERR_UNKNOWN_TOPIC_ID;
        rt->name = v >= 12 ? KL_STR_NULL : kl_str("");
        rt->topic_id = want->topic_id;
        return true;
    }
    rt->name = want->name;
    /* The coordinator's own topic, named before any group needed it: made
     * as the coordinator makes it (as Kafka does for internal topics). */
    if (kl_str_eq(want->name, GROUP_OFFSETS_TOPIC) && groups_ensure_topic(b) != KL_ERR_NONE) {
        rt->error_code = KL_ERR_COORDINATOR_NOT_AVAILABLE;
        return true;
    }
    broker_topic_t *t = topics_find(&b->topics, want->name);
    if (t)
        return fill_topic(req, t, rt);
    if (!topic_name_valid(want->name)) {
        rt->error_code = KL_ERR_INVALID_TOPIC_EXCEPTION;
        return true;
    }
    if (!allow_create || !b->auto_create_topics) {
        rt->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return true;
    }
    kl_err_t err = topics_create(&b->topics, want->name, b->num_partitions, b->default_replication_factor, NULL,
                                 NULL, 0, &t);
    if (err) {
        broker_log(b, BROKER_LOG_WARN, "auto-creating topic %.*s: %s", (int)want->name.len, want->name.ptr,
                   b->topics.error[0] ? b->topics.error : kl_err_str(err));
        rt->error_code = broker_wire_error(err, KL_ERR_UNKNOWN_SERVER_ERROR);
        return true;
    }
    broker_log(b, BROKER_LOG_INFO, "auto-created topic %s with %d partitions", t->name, (int)t->partition_count);
    return fill_topic(req, t, rt);
}

static bool fill_topics(broker_request_t *req, const kl_metadata_request_t *body, kl_metadata_response_t *resp)
{
    const broker_topics_t *topics = &req->broker->topics;
    int16_t v = req->hdr.api_version;
    bool all = body->topics.count < 0 || (v == 0 && body->topics.count == 0);
    size_t n = all ? topics->count : (size_t)body->topics.count;
    kl_metadata_response_topic_t *rts = broker_alloc(req, n, sizeof *rts);
    if (!rts)
        return false;
    resp->topics.items = rts;
    resp->topics.count = (int32_t)n;
    /* Before v4 the request has no flag: creation is up to the broker. */
    bool allow_create = v < 4 || body->allow_auto_topic_creation;
    for (size_t i = 0; i < n; i++) {
        bool ok = all ? fill_topic(req, topics->items[i], &rts[i])
                      : answer_topic(req, &body->topics.items[i], allow_create, &rts[i]);
        if (!ok)
            return false;
    }
    return true;
}

broker_req_status_t handle_metadata(broker_request_t *req)
{
    const kl_metadata_request_t *body = req->body;
    kl_broker_t *b = req->broker;
    const broker_listener_t *l = listener_of(req);
    kl_metadata_response_t resp;
    kl_proto_init(&kl_metadata_response_schema, &resp);
    kl_metadata_response_broker_t self = {b->node_id, kl_str(l->adv_host), l->adv_port,
                                          b->rack ? kl_str(b->rack) : KL_STR_NULL};
    resp.brokers.items = &self;
    resp.brokers.count = 1;
    resp.cluster_id = kl_str(b->cluster_id);
    resp.controller_id = b->node_id;
    if (!fill_topics(req, body, &resp))
        return BROKER_REQ_CLOSE;
    return broker_respond(req, &resp);
}

broker_req_status_t handle_describe_cluster(broker_request_t *req)
{
    const kl_describe_cluster_request_t *body = req->body;
    kl_broker_t *b = req->broker;
    const broker_listener_t *l = listener_of(req);
    kl_describe_cluster_response_t resp;
    kl_proto_init(&kl_describe_cluster_response_schema, &resp);
    kl_describe_cluster_response_broker_t self = {b->node_id, kl_str(l->adv_host), l->adv_port,
                                                  b->rack ? kl_str(b->rack) : KL_STR_NULL};
    resp.endpoint_type = body->endpoint_type;
    resp.cluster_id = kl_str(b->cluster_id);
    resp.controller_id = b->node_id;
    if (req->hdr.api_version >= 1 && body->endpoint_type != 1) {
        /* only broker endpoints are served here, as on a Kafka broker */
        resp.error_code = KL_ERR_MISMATCHED_ENDPOINT_TYPE;
        resp.error_message = kl_str("The request was sent to a broker endpoint but asked for controllers");
    } else {
        resp.brokers.items = &self;
        resp.brokers.count = 1;
    }
    return broker_respond(req, &resp);
}
