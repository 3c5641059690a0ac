/* CreatePartitions: grows a topic to a larger partition count on the
 * single node, with Kafka's errors for a count that does not grow, an
 * assignment that does not fit and a topic named twice. The new partitions
 * start empty; existing ones keep their data. */
#include <stdarg.h>
#include <string.h>

#include "broker/dispatch.h"
#include "proto/msg_topic_admin.h"

typedef kl_create_partitions_request_create_partitions_topic_t growth_t;
typedef kl_create_partitions_response_create_partitions_topic_result_t grown_t;

static void set_error(broker_request_t *req, grown_t *r, int16_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_error(broker_request_t *req, grown_t *r, int16_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->error_message = broker_vstrfmt(req, fmt, ap);
    va_end(ap);
    r->error_code = code;
}

static bool named_twice(const kl_create_partitions_request_t *body, int32_t i)
{
    kl_str_t name = body->topics.items[i].name;
    for (int32_t j = 0; j < body->topics.count; j++)
        if (j != i && body->topics.items[j].name.len == name.len &&
            !memcmp(body->topics.items[j].name.ptr, name.ptr, (size_t)name.len))
            return true;
    return false;
}

/* Explicit assignments: one list per new partition, naming this node. */
static bool assignments_fit(const growth_t *g, int32_t added, int32_t node)
{
    if (g->assignments.count < 0)
        return true;
    if (g->assignments.count != added)
        return false;
    for (int32_t i = 0; i < added; i++) {
        const kl_create_partitions_request_create_partitions_assignment_t *a = &g->assignments.items[i];
        if (a->broker_ids.count != 1 || a->broker_ids.items[0] != node)
            return false;
    }
    return true;
}

static void grow_one(broker_request_t *req, const kl_create_partitions_request_t *body, int32_t i, grown_t *r)
{
    kl_broker_t *b = req->broker;
    const growth_t *g = &body->topics.items[i];
    *r = (grown_t){.name = g->name, .error_message = KL_STR_NULL};
    broker_topic_t *t = topics_find(&b->topics, g->name);
    if (named_twice(body, i))
        return set_error(req, r, KL_ERR_INVALID_REQUEST, "Duplicate topic in request.");
    if (!t)
        return set_error(req, r, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, "The topic '%.*s' does not exist.",
                         (int)g->name.len, g->name.ptr);
    if (g->count == t->partition_count)
        return set_error(req, r, KL_ERR_INVALID_PARTITIONS, "Topic already has %d partitions.",
                         (int)t->partition_count);
    if (g->count < t->partition_count)
        return set_error(req, r, KL_ERR_INVALID_PARTITIONS,
                         "Topic currently has %d partitions, which is higher than the requested %d.",
                         (int)t->partition_count, (int)g->count);
    if (!assignments_fit(g, g->count - t->partition_count, b->node_id))
        return set_error(req, r, KL_ERR_INVALID_REPLICA_ASSIGNMENT,
                         "Each new partition must be assigned to broker %d only.", (int)b->node_id);
    if (body->validate_only)
        return;
    int32_t old = t->partition_count;
    kl_err_t err = topics_add_partitions(&b->topics, t, g->count);
    if (err)
        return set_error(req, r, err == KL_ERR_KAFKA_STORAGE_ERROR ? KL_ERR_KAFKA_STORAGE_ERROR
                                                                    : KL_ERR_UNKNOWN_SERVER_ERROR,
                         "%s", b->topics.error[0] ? b->topics.error : kl_err_str(err));
    broker_log(b, BROKER_LOG_INFO, "topic %s grew from %d to %d partitions", t->name, (int)old, (int)g->count);
}

broker_req_status_t handle_create_partitions(broker_request_t *req)
{
    const kl_create_partitions_request_t *body = req->body;
    kl_create_partitions_response_t resp;
    kl_proto_init(&kl_create_partitions_response_schema, &resp);
    int32_t n = body->topics.count > 0 ? body->topics.count : 0;
    resp.results.items = broker_alloc(req, (size_t)n, sizeof *resp.results.items);
    if (!resp.results.items)
        return BROKER_REQ_CLOSE;
    resp.results.count = n;
    for (int32_t i = 0; i < n; i++)
        grow_one(req, body, i, &resp.results.items[i]);
    return broker_respond(req, &resp);
}
