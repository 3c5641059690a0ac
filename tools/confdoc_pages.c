/* What the generated configuration pages say around the tables: the
 * client page (kafkalite.conf(5)) and the broker page
 * (kafkalite-broker.properties(5)), their sections by category, and the
 * helpers both writers use to describe one property. */
#include <string.h>

#include "broker/conf_table.h"
#include "client/conf_table.h"
#include "confdoc.h"

static const char *const client_description[] = {
    "kafkalite's clients (producer, consumer, admin client) are configured by string properties set "
    "with kl_conf_set(3) on a configuration made by kl_conf_new(3), or with -X name=value on the kafkalite(1) "
    "commands that talk to brokers. The names, defaults and ranges are librdkafka's, so a librdkafka "
    "configuration carries over as it is.",
    "An unknown name or a value out of range is refused when it is set, with a message saying what the "
    "property accepts. Integer properties accept decimal numbers; boolean ones true or false (any case) or 1 "
    "or 0; enum properties one of their names (any case); list properties comma-separated names.",
    "This page is generated from the library's property table (lib/client/conf_table.c), as is "
    "CONFIGURATION.md, so it lists exactly what the library accepts.",
    NULL,
};

static const confdoc_section_t client_sections[] = {
    {"client", "Properties of every client", NULL},
    {"producer", "Producer properties", "Read by kl_producer_new(3)."},
    {"consumer", "Consumer properties", "Read by the consumer; accepted by every client."},
};

static const char *const client_see_also[] = {
    "kl_conf_new(3)", "kl_conf_set(3)", "kl_producer_new(3)", "kafkalite(1)", "kafkalite-broker.properties(5)",
    NULL,
};

static const char *const broker_description[] = {
    "The embedded broker is configured with Kafka's server.properties names: properties set with "
    "kl_conf_set(3) on a configuration made by kl_broker_conf_new(3) before kl_broker_new(3), or read by "
    "kafkalite broker from a server.properties file and its --override options (see kafkalite(1)).",
    "An unknown name or a bad value is refused when it is set. The cluster-only names of a Kafka "
    "configuration (ZooKeeper, KRaft controllers, replication) are accepted and ignored with one warning each, "
    "so the files of Kafka's quick starts load as they are; they are listed at the end.",
    "Durability, as in Kafka on one node: a produce is acknowledged (acks=1 or all) once its batch is "
    "written to the partition's segment file, that is to the operating system's page cache. It survives the "
    "broker process being killed at any moment, but a machine crash or power cut keeps only what was fsynced "
    "(fdatasync). By default (log.flush.interval.messages and log.flush.interval.ms unset) nothing is fsynced "
    "on the produce path: a segment is fsynced in the background right after it rolls, and everything at a "
    "clean stop. With log.flush.interval.messages=N (topic: flush.messages) the produce (or offset commit) "
    "that brings the unflushed messages of a partition to N fsyncs before it is answered, so with 1 every "
    "acknowledged message is on disk (each produce then waits for a disk sync). log.flush.interval.ms "
    "(flush.ms) fsyncs in the background at most that long after an append, and the acknowledgement does not "
    "wait for it.",
    "This page is generated from the broker's property table (lib/broker/conf_table.c), as is "
    "CONFIGURATION.md, so it lists exactly what the broker accepts.",
    NULL,
};

static const confdoc_section_t broker_sections[] = {
    {"broker", "Broker properties", NULL},
    {"topic", "Topic defaults",
     "The defaults of every topic; a topic created with its own configuration (CreateTopics, AlterConfigs) "
     "overrides them with Kafka's topic-level names (retention.ms for log.retention.ms, and so on)."},
};

static const char *const broker_see_also[] = {
    "kl_broker_conf_new(3)", "kl_broker_new(3)", "kafkalite(1)", "kafkalite.conf(5)", NULL,
};

static const confdoc_page_t client_page = {
    .schema = &kl_client_conf_schema,
    .man_name = "kafkalite.conf",
    .man_path = "man/man5/kafkalite.conf.5",
    .summary = "configuration properties of kafkalite clients",
    .markdown_title = "Client properties",
    .description = client_description,
    .sections = client_sections,
    .section_count = sizeof client_sections / sizeof client_sections[0],
    .see_also = client_see_also,
};

static const confdoc_page_t broker_page = {
    .schema = &kl_broker_conf_schema,
    .man_name = "kafkalite-broker.properties",
    .man_path = "man/man5/kafkalite-broker.properties.5",
    .summary = "configuration properties of the kafkalite embedded broker",
    .markdown_title = "Broker properties",
    .description = broker_description,
    .sections = broker_sections,
    .section_count = sizeof broker_sections / sizeof broker_sections[0],
    .ignored_intro = "Accepted so that Kafka's configuration files load, then ignored with one warning each: "
                     "they only matter to a cluster. A name ending in * stands for every name starting "
                     "with what comes before the *.",
    .see_also = broker_see_also,
};

const confdoc_page_t *const confdoc_pages[] = {&client_page, &broker_page};
const size_t confdoc_page_count = sizeof confdoc_pages / sizeof confdoc_pages[0];

const char *confdoc_type_name(const kl_conf_prop_t *prop)
{
    switch (prop->type) {
    case KL_CONF_STR:
        return "string";
    case KL_CONF_INT:
        return "integer";
    case KL_CONF_BOOL:
        return "boolean";
    case KL_CONF_DOUBLE:
        return "number";
    case KL_CONF_ENUM:
        return "enum";
    case KL_CONF_SET:
        return "list";
    case KL_CONF_ALIAS:
        return "alias";
    case KL_CONF_IGNORED:
        return "ignored";
    case KL_CONF_SCOPED:
        return "per listener";
    }
    return "?";
}

const char *confdoc_accepts(const kl_conf_prop_t *prop, char *buf, size_t size)
{
    if (prop->type == KL_CONF_STR)
        return NULL;
    kl_conf_prop_accepts(prop, buf, size);
    return buf;
}

const char *confdoc_aliases(const kl_conf_schema_t *schema, const kl_conf_prop_t *prop, char *buf, size_t size)
{
    size_t count, len = 0;
    const kl_conf_prop_t *props = kl_conf_table(schema, &count);
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (props[i].type != KL_CONF_ALIAS || strcmp(props[i].target, prop->name) != 0)
            continue;
        int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", props[i].name);
        if (n < 0 || (size_t)n >= size - len)
            break; /* a truncated list still names the first ones */
        len += (size_t)n;
    }
    return len ? buf : NULL;
}

const confdoc_section_t *confdoc_section_of(const confdoc_page_t *page, const kl_conf_prop_t *prop)
{
    if (prop->type == KL_CONF_ALIAS || prop->type == KL_CONF_IGNORED)
        return NULL;
    for (size_t i = 0; i < page->section_count; i++)
        if (prop->category && !strcmp(page->sections[i].category, prop->category))
            return &page->sections[i];
    return NULL;
}

int confdoc_check(const confdoc_page_t *page)
{
    size_t count;
    const kl_conf_prop_t *props = kl_conf_table(page->schema, &count);
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        const kl_conf_prop_t *prop = &props[i];
        if (prop->type == KL_CONF_ALIAS)
            continue;
        if (!prop->doc || !*prop->doc) {
            fprintf(stderr, "gen_confdoc: %s property \"%s\" has no description\n", page->schema->name, prop->name);
            rc = -1;
        }
        if (prop->type == KL_CONF_IGNORED) {
            if (!page->ignored_intro) {
                fprintf(stderr, "gen_confdoc: %s page has no place for the ignored \"%s\"\n", page->schema->name,
                        prop->name);
                rc = -1;
            }
        } else if (!confdoc_section_of(page, prop)) {
            fprintf(stderr, "gen_confdoc: %s property \"%s\" has category \"%s\", which no section lists\n",
                    page->schema->name, prop->name, prop->category ? prop->category : "(none)");
            rc = -1;
        }
    }
    return rc;
}
