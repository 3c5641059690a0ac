/* DescribeConfigs, AlterConfigs and IncrementalAlterConfigs. Topic configs
 * are described from Kafka's table (topic_config.c) with their source (the
 * topic's own setting, the broker's, Kafka's default) and changed in the
 * catalog, taking effect on the partition logs at once. The broker's own
 * configuration is described read-only: it comes from server.properties and
 * is not altered at run time. */
#include <stdio.h>
#include <string.h>

#include "broker/dispatch.h"
#include "proto/msg_config.h"
#include "util/conf.h"

enum { RESOURCE_TOPIC = 2, RESOURCE_BROKER = 4 };
enum { SOURCE_TOPIC = 1, SOURCE_STATIC_BROKER = 4, SOURCE_DEFAULT = 5 };
enum { CONFIG_TYPE_BOOLEAN = 1, CONFIG_TYPE_STRING = 2, CONFIG_TYPE_LONG = 5, CONFIG_TYPE_DOUBLE = 6,
       CONFIG_TYPE_LIST = 7 };

typedef kl_describe_configs_request_describe_configs_resource_t resource_t;
typedef kl_describe_configs_response_describe_configs_result_t resource_result_t;
typedef kl_describe_configs_response_describe_configs_resource_result_t described_t;
typedef kl_describe_configs_response_describe_configs_synonym_t synonym_t;

static kl_str_t arena_str(broker_request_t *req, const char *s) { return kl_str(broker_strdup(req, kl_str(s))); }

static bool key_wanted(const resource_t *res, const char *name)
{
    if (res->configuration_keys.count < 0)
        return true;
    for (int32_t i = 0; i < res->configuration_keys.count; i++)
        if (kl_str_eq(res->configuration_keys.items[i], name))
            return true;
    return false;
}

/* The topic's own value of name, or NULL. */
static const char *topic_own(const broker_topic_t *t, const char *name)
{
    for (size_t i = 0; i < t->config_count; i++)
        if (t->configs[i].value && !strcmp(t->configs[i].name, name))
            return t->configs[i].value;
    return NULL;
}

/* ------------------------------------------------------------ describe */

static void describe_topic_config(broker_request_t *req, const broker_topic_t *t, const topic_config_def_t *def,
                                  bool synonyms, described_t *out)
{
    const kl_describe_configs_request_t *body = req->body;
    kl_broker_t *b = req->broker;
    char fallback[64];
    bool broker_set = topic_config_default(&b->topics.defaults, b->conf, def, fallback, sizeof fallback);
    const char *own = topic_own(t, def->name);
    *out = (described_t){.name = kl_str(def->name), .value = arena_str(req, own ? own : fallback)};
    out->config_source = own ? SOURCE_TOPIC : broker_set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT;
    out->is_default = !own && !broker_set;
    out->config_type = (int8_t)def->type;
    out->documentation = KL_STR_NULL;
    out->synonyms.items = synonyms && body->include_synonyms ? broker_alloc(req, 2, sizeof(synonym_t)) : NULL;
    if (!out->synonyms.items)
        return;
    if (own)
        out->synonyms.items[out->synonyms.count++] = (synonym_t){out->name, out->value, SOURCE_TOPIC};
    if (def->broker_name)
        out->synonyms.items[out->synonyms.count++] = (synonym_t){
            kl_str(def->broker_name), arena_str(req, fallback), broker_set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT};
}

static void describe_topic(broker_request_t *req, const resource_t *res, resource_result_t *rr)
{
    const broker_topic_t *t = topics_find(&req->broker->topics, res->resource_name);
    if (!t) {
        rr->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        rr->error_message = broker_strfmt(req, "Topic '%.*s' does not exist.", (int)res->resource_name.len,
                                    res->resource_name.ptr);
        return;
    }
    size_t n;
    const topic_config_def_t *defs = topic_config_defs(&n);
    rr->configs.items = broker_alloc(req, n, sizeof *rr->configs.items);
    if (!rr->configs.items)
        return;
    bool synonyms = req->hdr.api_version >= 1;
    for (size_t i = 0; i < n; i++)
        if (key_wanted(res, defs[i].name))
            describe_topic_config(req, t, &defs[i], synonyms, &rr->configs.items[rr->configs.count++]);
}

static int8_t broker_config_type(const kl_conf_prop_t *prop)
{
    switch (prop ? prop->type : KL_CONF_STR) {
    case KL_CONF_INT:
        return CONFIG_TYPE_LONG;
    case KL_CONF_BOOL:
        return CONFIG_TYPE_BOOLEAN;
    case KL_CONF_DOUBLE:
        return CONFIG_TYPE_DOUBLE;
    case KL_CONF_SET:
        return CONFIG_TYPE_LIST;
    default:
        return CONFIG_TYPE_STRING;
    }
}

static void describe_broker_config(broker_request_t *req, const char *name, const char *value, described_t *out)
{
    const kl_describe_configs_request_t *body = req->body;
    const kl_conf_t *conf = req->broker->conf;
    const kl_conf_prop_t *prop = kl_conf_lookup(kl_conf_schema(conf), name);
    bool set = kl_conf_is_set(conf, name);
    *out = (described_t){.name = arena_str(req, name), .read_only = true};
    out->value = value[0] || (prop && prop->def) ? arena_str(req, value) : KL_STR_NULL;
    out->config_source = set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT;
    out->is_default = !set;
    out->is_sensitive = prop && (prop->flags & KL_CONF_F_SENSITIVE);
    out->config_type = broker_config_type(prop);
    out->documentation = body->include_documentation && prop && prop->doc ? kl_str(prop->doc) : KL_STR_NULL;
    if (!body->include_synonyms || !(out->synonyms.items = broker_alloc(req, 1, sizeof(synonym_t))))
        return;
    out->synonyms.items[0] = (synonym_t){out->name, out->value, (int8_t)out->config_source};
    out->synonyms.count = 1;
}

/* The broker's configuration: by its node id; "" (the cluster-wide
 * dynamic defaults) has none. */
static void describe_broker(broker_request_t *req, const resource_t *res, resource_result_t *rr)
{
    char node[16];
    snprintf(node, sizeof node, "%d", (int)req->broker->node_id);
    if (res->resource_name.len == 0)
        return;
    if (!kl_str_eq(res->resource_name, node)) {
        rr->error_code = KL_ERR_INVALID_REQUEST;
        rr->error_message = broker_strfmt(req, "Unexpected broker id, expected %s or empty string, but received %.*s",
                                    node, (int)res->resource_name.len, res->resource_name.ptr);
        return;
    }
    size_t count;
    const char **dump = kl_conf_dump(req->broker->conf, &count);
    if (!dump)
        return;
    rr->configs.items = broker_alloc(req, count / 2, sizeof *rr->configs.items);
    for (size_t i = 0; rr->configs.items && i + 1 < count; i += 2)
        if (key_wanted(res, dump[i]))
            describe_broker_config(req, dump[i], dump[i + 1], &rr->configs.items[rr->configs.count++]);
    kl_conf_dump_destroy(dump, count);
}

broker_req_status_t handle_describe_configs(broker_request_t *req)
{
    const kl_describe_configs_request_t *body = req->body;
    kl_describe_configs_response_t resp;
    kl_proto_init(&kl_describe_configs_response_schema, &resp);
    int32_t n = body->resources.count > 0 ? body->resources.count : 0;
    resp.results.items = broker_alloc(req, (size_t)n, sizeof *resp.results.items);
    if (!resp.results.items)
        return BROKER_REQ_CLOSE;
    resp.results.count = n;
    for (int32_t i = 0; i < n; i++) {
        const resource_t *res = &body->resources.items[i];
        resource_result_t *rr = &resp.results.items[i];
        *rr = (resource_result_t){.error_message = KL_STR_NULL, .resource_type = res->resource_type,
                                  .resource_name = res->resource_name};
        if (res->resource_type == RESOURCE_TOPIC)
            describe_topic(req, res, rr);
        else if (res->resource_type == RESOURCE_BROKER)
            describe_broker(req, res, rr);
        else {
            rr->error_code = KL_ERR_INVALID_REQUEST;
            rr->error_message = broker_strfmt(req, "Unsupported resource type %d", (int)res->resource_type);
        }
    }
    return broker_respond(req, &resp);
}
