/* AlterConfigs (the whole set of a topic's configs replaced) and
 * IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT per config) for
 * topics: the new set is built in the request's arena, every changed value
 * checked as CreateTopics checks it, then written to the catalog and
 * applied to the partition logs, unless validate_only. The broker's own
 * configuration cannot be altered at run time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker/dispatch.h"
#include "proto/msg_config.h"

enum { RESOURCE_TOPIC = 2, RESOURCE_BROKER = 4 };
enum { OP_SET = 0, OP_DELETE = 1, OP_APPEND = 2, OP_SUBTRACT = 3 };

/* A topic's configs being changed, in the request's arena. */
typedef struct config_set {
    const char **names;
    const char **values;
    size_t count, cap;
} config_set_t;

/* The outcome for one resource. */
typedef struct outcome {
    int16_t error_code;
    kl_str_t error_message;
} outcome_t;

static void fail(broker_request_t *req, outcome_t *o, int16_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(broker_request_t *req, outcome_t *o, int16_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    o->error_message = broker_vstrfmt(req, fmt, ap);
    va_end(ap);
    o->error_code = code;
}

static bool set_init(broker_request_t *req, config_set_t *s, const broker_topic_t *t, size_t changes, bool keep)
{
    s->cap = t->config_count + changes;
    s->count = 0;
    s->names = broker_alloc(req, s->cap, sizeof *s->names);
    s->values = broker_alloc(req, s->cap, sizeof *s->values);
    if (!s->names || !s->values)
        return false;
    for (size_t i = 0; keep && i < t->config_count; i++)
        if (t->configs[i].value) {
            s->names[s->count] = t->configs[i].name;
            s->values[s->count++] = t->configs[i].value;
        }
    return true;
}

static ssize_t set_find(const config_set_t *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->names[i], name))
            return (ssize_t)i;
    return -1;
}

static void set_put(config_set_t *s, const char *name, const char *value)
{
    ssize_t i = set_find(s, name);
    if (i < 0 && s->count < s->cap) {
        s->names[s->count] = name;
        i = (ssize_t)s->count++;
    }
    if (i >= 0)
        s->values[i] = value;
}

static void set_remove(config_set_t *s, const char *name)
{
    ssize_t i = set_find(s, name);
    if (i < 0)
        return;
    s->count--;
    s->names[i] = s->names[s->count];
    s->values[i] = s->values[s->count];
}

/* Checks a new value; fills o on failure. */
static bool check_value(broker_request_t *req, outcome_t *o, const char *name, const char *value)
{
    const char *why;
    if (topic_config_check(kl_str(name), kl_str(value), &why) == KL_ERR_NONE)
        return true;
    fail(req, o, KL_ERR_INVALID_CONFIG, "%s: %s=%s", why, name, value ? value : "null");
    return false;
}

static void apply(broker_request_t *req, broker_topic_t *t, const config_set_t *s, bool validate_only,
                  outcome_t *o)
{
    if (validate_only)
        return;
    kl_err_t err = topics_set_configs(&req->broker->topics, t, s->names, s->values, s->count);
    if (err) {
        fail(req, o, err == KL_ERR_KAFKA_STORAGE_ERROR ? KL_ERR_KAFKA_STORAGE_ERROR : KL_ERR_UNKNOWN_SERVER_ERROR,
             "%s", kl_err_str(err));
        return;
    }
    housekeeping_reschedule(req->broker);
    broker_log(req->broker, BROKER_LOG_INFO, "topic %s now has %zu configs set", t->name, s->count);
}

/* The topic a resource names, or NULL with o filled. */
static broker_topic_t *resource_topic(broker_request_t *req, int8_t type, kl_str_t name, outcome_t *o)
{
    if (type == RESOURCE_BROKER) {
        fail(req, o, KL_ERR_INVALID_CONFIG, "kafkalite's broker configuration comes from server.properties and "
             "does not change at run time");
        return NULL;
    }
    if (type != RESOURCE_TOPIC) {
        fail(req, o, KL_ERR_INVALID_REQUEST, "Unsupported resource type %d", (int)type);
        return NULL;
    }
    broker_topic_t *t = topics_find(&req->broker->topics, name);
    if (!t)
        fail(req, o, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, "Topic '%.*s' does not exist.", (int)name.len, name.ptr);
    return t;
}

/* ------------------------------------------------------------ AlterConfigs */

static void alter_one(broker_request_t *req, const kl_alter_configs_request_alter_configs_resource_t *res,
                      bool validate_only, outcome_t *o)
{
    broker_topic_t *t = resource_topic(req, res->resource_type, res->resource_name, o);
    config_set_t s;
    int32_t n = res->configs.count > 0 ? res->configs.count : 0;
    if (!t || !set_init(req, &s, t, (size_t)n, false))
        return;
    for (int32_t i = 0; i < n; i++) {
        const kl_alter_configs_request_alterable_config_t *c = &res->configs.items[i];
        const char *name = broker_strdup(req, c->name);
        const char *value = c->value.len >= 0 ? broker_strdup(req, c->value) : NULL;
        if (set_find(&s, name) >= 0)
            return fail(req, o, KL_ERR_INVALID_REQUEST, "Error due to duplicate config keys: %s", name);
        if (!check_value(req, o, name, value))
            return;
        if (value)
            set_put(&s, name, value);
    }
    apply(req, t, &s, validate_only, o);
}

broker_req_status_t handle_alter_configs(broker_request_t *req)
{
    const kl_alter_configs_request_t *body = req->body;
    kl_alter_configs_response_t resp;
    kl_proto_init(&kl_alter_configs_response_schema, &resp);
    int32_t n = body->resources.count > 0 ? body->resources.count : 0;
    resp.responses.items = broker_alloc(req, (size_t)n, sizeof *resp.responses.items);
    if (!resp.responses.items)
        return BROKER_REQ_CLOSE;
    resp.responses.count = n;
    for (int32_t i = 0; i < n; i++) {
        const kl_alter_configs_request_alter_configs_resource_t *res = &body->resources.items[i];
        outcome_t o = {0, KL_STR_NULL};
        alter_one(req, res, body->validate_only, &o);
        resp.responses.items[i] = (kl_alter_configs_response_alter_configs_resource_response_t){
            o.error_code, o.error_message, res->resource_type, res->resource_name};
    }
    return broker_respond(req, &resp);
}

/* ------------------------------------------------- IncrementalAlterConfigs */

/* Whether the member of len bytes is one of list's comma-separated ones. */
static bool list_has(const char *list, const char *member, size_t len)
{
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t n = strcspn(p, ","), trimmed = n;
        while (trimmed > 0 && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == len && !strncmp(p, member, len))
            return true;
        p += n;
    }
    return false;
}

/* Appends the members of from to out (cap bytes), each once, leaving out
 * those listed in skip (may be NULL). */
static void list_add(char *out, size_t cap, const char *from, const char *skip)
{
    for (const char *p = from; *p;) {
        p += strspn(p, ", ");
        size_t n = strcspn(p, ","), len = n;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0 && !list_has(out, p, len) && !(skip && list_has(skip, p, len)))
            snprintf(out + strlen(out), cap - strlen(out), "%s%.*s", out[0] ? "," : "", (int)len, p);
        p += n;
    }
}

/* list with the members of change appended, or subtracted, in the
 * request's arena. */
static const char *list_edit(broker_request_t *req, const char *list, const char *change, bool append)
{
    size_t cap = strlen(list) + strlen(change) + 2;
    char *out = broker_alloc(req, cap, 1);
    if (!out)
        return NULL;
    list_add(out, cap, list, append ? NULL : change);
    if (append)
        list_add(out, cap, change, NULL);
    return out;
}

static bool incremental_op(broker_request_t *req, config_set_t *s,
                           const kl_incremental_alter_configs_request_alterable_config_t *c, outcome_t *o)
{
    const char *name = broker_strdup(req, c->name);
    const char *value = c->value.len >= 0 ? broker_strdup(req, c->value) : NULL;
    const topic_config_def_t *def = topic_config_def(c->name);
    if (!def) {
        fail(req, o, KL_ERR_INVALID_CONFIG, "Unknown topic config name: %s", name);
        return false;
    }
    if (c->config_operation == OP_DELETE) {
        set_remove(s, name);
        return true;
    }
    if (c->config_operation < OP_SET || c->config_operation > OP_SUBTRACT) {
        fail(req, o, KL_ERR_INVALID_REQUEST, "Unknown config operation %d for %s", (int)c->config_operation, name);
        return false;
    }
    if (!value) {
        fail(req, o, KL_ERR_INVALID_CONFIG, "Null value not supported for: %s", name);
        return false;
    }
    if (c->config_operation != OP_SET) {
        if (def->type != TOPIC_CONFIG_LIST) {
            fail(req, o, KL_ERR_INVALID_CONFIG, "Config value %s is not allowed for config key: %s",
                 c->config_operation == OP_APPEND ? "append" : "subtract", name);
            return false;
        }
        char fallback[64];
        ssize_t at = set_find(s, name);
        if (at < 0)
            topic_config_default(&req->broker->topics.defaults, req->broker->conf, def, fallback, sizeof fallback);
        value = list_edit(req, at >= 0 ? s->values[at] : fallback, value, c->config_operation == OP_APPEND);
        if (!value)
            return false;
    }
    if (!check_value(req, o, name, value))
        return false;
    set_put(s, name, value);
    return true;
}

static bool duplicate_keys(const kl_incremental_alter_configs_request_alter_configs_resource_t *res)
{
    for (int32_t i = 0; i < res->configs.count; i++)
        for (int32_t j = i + 1; j < res->configs.count; j++)
            if (res->configs.items[i].name.len == res->configs.items[j].name.len &&
                !memcmp(res->configs.items[i].name.ptr, res->configs.items[j].name.ptr,
                        (size_t)res->configs.items[i].name.len))
                return true;
    return false;
}

static void incremental_one(broker_request_t *req,
                            const kl_incremental_alter_configs_request_alter_configs_resource_t *res,
                            bool validate_only, outcome_t *o)
{
    broker_topic_t *t = resource_topic(req, res->resource_type, res->resource_name, o);
    config_set_t s;
    int32_t n = res->configs.count > 0 ? res->configs.count : 0;
    if (!t)
        return;
    if (duplicate_keys(res))
        return fail(req, o, KL_ERR_INVALID_REQUEST, "Error due to duplicate config keys");
    if (!set_init(req, &s, t, (size_t)n, true))
        return fail(req, o, KL_ERR_UNKNOWN_SERVER_ERROR, "out of memory");
    for (int32_t i = 0; i < n; i++)
        if (!incremental_op(req, &s, &res->configs.items[i], o))
            return;
    apply(req, t, &s, validate_only, o);
}

broker_req_status_t handle_incremental_alter_configs(broker_request_t *req)
{
    const kl_incremental_alter_configs_request_t *body = req->body;
    kl_incremental_alter_configs_response_t resp;
    kl_proto_init(&kl_incremental_alter_configs_response_schema, &resp);
    int32_t n = body->resources.count > 0 ? body->resources.count : 0;
    resp.responses.items = broker_alloc(req, (size_t)n, sizeof *resp.responses.items);
    if (!resp.responses.items)
        return BROKER_REQ_CLOSE;
    resp.responses.count = n;
    for (int32_t i = 0; i < n; i++) {
        const kl_incremental_alter_configs_request_alter_configs_resource_t *res = &body->resources.items[i];
        outcome_t o = {0, KL_STR_NULL};
        incremental_one(req, res, body->validate_only, &o);
        resp.responses.items[i] = (kl_incremental_alter_configs_response_alter_configs_resource_response_t){
            o.error_code, o.error_message, res->resource_type, res->resource_name};
    }
    return broker_respond(req, &resp);
}
