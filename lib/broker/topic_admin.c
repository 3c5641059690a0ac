/* CreateTopics and DeleteTopics: topic administration on the single node.
 * Replication factors above one cannot be honoured and are refused as
 * Kafka refuses them on a one-broker cluster; explicit assignments must
 * name this node only. */
#include <stdarg.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/group_wire.h"
#include "proto/msg_topic_admin.h"

typedef kl_create_topics_request_creatable_topic_t creatable_t;
typedef kl_create_topics_response_creatable_topic_result_t created_t;

static bool duplicated(const kl_create_topics_request_t *body, int32_t i)
{
    for (int32_t j = 0; j < body->topics.count; j++)
        if (j != i && body->topics.items[j].name.len == body->topics.items[i].name.len &&
            !memcmp(body->topics.items[j].name.ptr, body->topics.items[i].name.ptr,
                    (size_t)body->topics.items[i].name.len))
            return true;
    return false;
}

static void set_error(broker_request_t *req, created_t *r, int16_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_error(broker_request_t *req, created_t *r, int16_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->error_message = broker_vstrfmt(req, fmt, ap);
    va_end(ap);
    r->error_code = code;
}

/* Partition count from num_partitions or the assignments; 0 on error
 * (already set in r). */
static int32_t resolve_partitions(broker_request_t *req, const creatable_t *t, created_t *r)
{
    int32_t node = req->broker->node_id;
    if (t->assignments.count > 0) {
        if (t->num_partitions != -1 || t->replication_factor != -1) {
            set_error(req, r, KL_ERR_INVALID_REQUEST,
                      "Both numPartitions or replicationFactor and replicasAssignments were set.");
            return 0;
        }
        for (int32_t i = 0; i < t->assignments.count; i++) {
            const kl_create_topics_request_creatable_replica_assignment_t *a = &t->assignments.items[i];
            if (a->partition_index != i || a->broker_ids.count != 1 || a->broker_ids.items[0] != node) {
                set_error(req, r, KL_ERR_INVALID_REPLICA_ASSIGNMENT,
                          "Partitions must be numbered from 0 and assigned to broker %d only.", (int)node);
                return 0;
            }
        }
        return t->assignments.count;
    }
    int32_t n = t->num_partitions == -1 ? req->broker->num_partitions : t->num_partitions;
    if (n < 1) {
        set_error(req, r, KL_ERR_INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        return 0;
    }
    return n;
}

static int16_t resolve_replication(broker_request_t *req, const creatable_t *t, created_t *r)
{
    if (t->assignments.count > 0)
        return 1;
    int16_t rf = t->replication_factor == -1 ? req->broker->default_replication_factor : t->replication_factor;
    if (t->replication_factor == -1)
        return rf;
    if (rf < 1) {
        set_error(req, r, KL_ERR_INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
        return 0;
    }
    if (rf > 1) {
        set_error(req, r, KL_ERR_INVALID_REPLICATION_FACTOR,
                  "Unable to replicate the partition %d time(s): The target replication factor of %d cannot be "
                  "reached because only 1 broker(s) are registered.", rf, rf);
        return 0;
    }
    return rf;
}

static bool check_configs(broker_request_t *req, const creatable_t *t, created_t *r)
{
    for (int32_t i = 0; i < t->configs.count; i++) {
        const char *why;
        const kl_create_topics_request_creatable_topic_config_t *c = &t->configs.items[i];
        if (topic_config_check(c->name, c->value, &why) != KL_ERR_NONE) {
            set_error(req, r, KL_ERR_INVALID_CONFIG, "%s: %.*s", why, (int)c->name.len, c->name.ptr);
            return false;
        }
    }
    return true;
}

/* The configs set explicitly, echoed back (v5+). */
static void echo_configs(broker_request_t *req, const creatable_t *t, created_t *r)
{
    r->configs.count = 0;
    r->configs.items = broker_alloc(req, (size_t)t->configs.count, sizeof *r->configs.items);
    for (int32_t i = 0; r->configs.items && i < t->configs.count; i++) {
        if (t->configs.items[i].value.len < 0)
            continue;
        r->configs.items[r->configs.count++] = (kl_create_topics_response_creatable_topic_configs_t){
            .name = t->configs.items[i].name, .value = t->configs.items[i].value, .config_source = 1};
    }
}

static void create_one(broker_request_t *req, const kl_create_topics_request_t *body, int32_t i, created_t *r)
{
    kl_broker_t *b = req->broker;
    const creatable_t *t = &body->topics.items[i];
    r->name = t->name;
    r->error_message = KL_STR_NULL;
    r->num_partitions = -1;
    r->replication_factor = -1;
    r->configs.count = -1;
    if (duplicated(body, i))
        return set_error(req, r, KL_ERR_INVALID_REQUEST, "Create topics request from client contains "
                         "multiple topics with the same name.");
    if (!topic_name_valid(t->name))
        return set_error(req, r, KL_ERR_INVALID_TOPIC_EXCEPTION, "Topic name is invalid.");
    if (topics_find(&b->topics, t->name))
        return set_error(req, r, KL_ERR_TOPIC_ALREADY_EXISTS, "Topic '%.*s' already exists.", (int)t->name.len,
                         t->name.ptr);
    /* the coordinators create theirs, with their settings, on first need */
    if (kl_str_eq(t->name, GROUP_OFFSETS_TOPIC) || kl_str_eq(t->name, "__transaction_state"))
        return set_error(req, r, KL_ERR_INVALID_REQUEST, "Creation of internal topic %.*s is prohibited.",
                         (int)t->name.len, t->name.ptr);
    int32_t partitions = resolve_partitions(req, t, r);
    int16_t rf = partitions ? resolve_replication(req, t, r) : 0;
    if (!partitions || !rf || !check_configs(req, t, r))
        return;
    if (!body->validate_only) {
        kl_str_t *names = broker_alloc(req, (size_t)t->configs.count, sizeof *names);
        kl_str_t *values = broker_alloc(req, (size_t)t->configs.count, sizeof *values);
        for (int32_t k = 0; names && values && k < t->configs.count; k++) {
            names[k] = t->configs.items[k].name;
            values[k] = t->configs.items[k].value;
        }
        broker_topic_t *created = NULL;
        b->topics.error[0] = '\0';
        kl_err_t err = names && values ? topics_create(&b->topics, t->name, partitions, rf, names, values,
                                                       (size_t)t->configs.count, &created)
                                       : KL_ERR_NOMEM;
        if (err && b->topics.error[0]) {
            /* a file that could not be created: say which and why (out of
             * descriptors, say), to the client and in the log */
            broker_log_limited(b, &b->log_limits.storage, BROKER_LOG_ERR, "cannot create topic %.*s: %s",
                               (int)t->name.len, t->name.ptr, b->topics.error);
            return set_error(req, r, broker_wire_error(err, KL_ERR_UNKNOWN_SERVER_ERROR), "%s: %s",
                             kl_err_str(err), b->topics.error);
        }
        if (err)
            return set_error(req, r, broker_wire_error(err, KL_ERR_UNKNOWN_SERVER_ERROR), "%s",
                             b->topics.error[0] ? b->topics.error : kl_err_str(err));
        r->topic_id = created->id;
        housekeeping_reschedule(b);
        broker_log(b, BROKER_LOG_INFO, "created topic %s with %d partitions", created->name, (int)partitions);
    }
    r->num_partitions = partitions;
    r->replication_factor = rf;
    echo_configs(req, t, r);
}

broker_req_status_t handle_create_topics(broker_request_t *req)
{
    const kl_create_topics_request_t *body = req->body;
    kl_create_topics_response_t resp;
    kl_proto_init(&kl_create_topics_response_schema, &resp);
    int32_t n = body->topics.count > 0 ? body->topics.count : 0;
    resp.topics.items = broker_alloc(req, (size_t)n, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = n;
    for (int32_t i = 0; i < n; i++) {
        create_one(req, body, i, &resp.topics.items[i]);
    }
    return broker_respond(req, &resp);
}

/* ------------------------------------------------------------ DeleteTopics */

typedef kl_delete_topics_response_deletable_topic_result_t deleted_t;

static void delete_one(broker_request_t *req, kl_str_t name, const kl_uuid_t *id, deleted_t *r)
{
    kl_broker_t *b = req->broker;
    r->name = name;
    r->error_message = KL_STR_NULL;
    broker_topic_t *t = name.len >= 0 ? topics_find(&b->topics, name) : topics_find_id(&b->topics, id);
    if (!t) {
        r->error_code = name.len >= 0 ? KL_ERR_UNKNOWN_TOPIC_OR_PARTITION : KL_ERR_UNKNOWN_TOPIC_ID;
        if (id)
            r->topic_id = *id;
        return;
    }
    r->topic_id = t->id;
    r->name = kl_str(broker_strdup(req, kl_str(t->name)));
    if (!b->delete_topic_enable) {
        r->error_code = KL_ERR_TOPIC_DELETION_DISABLED;
        return;
    }
    if (groups_topic_internal(t->name)) { /* the coordinator's offsets live there */
        r->error_code = KL_ERR_INVALID_REQUEST;
        r->error_message = kl_str("Internal topics cannot be deleted");
        return;
    }
    housekeeping_forget_logs(b, t->logs, t->partition_count);
    kl_err_t err = topics_delete(&b->topics, t);
    r->error_code = broker_wire_error(err, KL_ERR_UNKNOWN_SERVER_ERROR);
    if (err)
        return;
    broker_log(b, BROKER_LOG_INFO, "deleted topic %.*s", (int)r->name.len, r->name.ptr);
    /* r->name is the NUL-terminated copy made above (empty only when the
     * arena ran out of memory) */
    if (groups_coordinator(b) && r->name.len > 0)
        group_topic_deleted(groups_coordinator(b), r->name.ptr);
}

broker_req_status_t handle_delete_topics(broker_request_t *req)
{
    const kl_delete_topics_request_t *body = req->body;
    bool by_state = req->hdr.api_version >= 6;
    int32_t n = by_state ? body->topics.count : body->topic_names.count;
    if (n < 0)
        n = 0;
    kl_delete_topics_response_t resp;
    kl_proto_init(&kl_delete_topics_response_schema, &resp);
    resp.responses.items = broker_alloc(req, (size_t)n, sizeof *resp.responses.items);
    if (!resp.responses.items)
        return BROKER_REQ_CLOSE;
    resp.responses.count = n;
    for (int32_t i = 0; i < n; i++) {
        if (by_state)
            delete_one(req, body->topics.items[i].name, &body->topics.items[i].topic_id, &resp.responses.items[i]);
        else
            delete_one(req, body->topic_names.items[i], NULL, &resp.responses.items[i]);
    }
    return broker_respond(req, &resp);
}
