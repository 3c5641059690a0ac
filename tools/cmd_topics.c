/* `kafkalite topics`: create, list, describe, grow and delete topics,
 * shaped after Kafka's kafka-topics.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"
#include "json_out.h"

#define MAX_CONFIGS 64

void cmd_topics_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite topics [-b HOST:PORT] [-X property=value]... ACTION [options]\n"
            "\n"
            "Actions:\n"
            "  --create --topic T [--partitions N] [--replication-factor R] [--config k=v]...\n"
            "                        create T (broker defaults for what is not given)\n"
            "  --list                print every topic's name\n"
            "  --describe [--topic T]\n"
            "                        partitions, leaders, replicas and topic configs of T\n"
            "                        (or of every topic)\n"
            "  --alter --topic T --partitions N\n"
            "                        grow T to N partitions\n"
            "  --delete --topic T    delete T\n"
            "\n"
            "Options:\n"
            "  --validate-only       with --create or --alter: check, change nothing\n"
            "  --if-not-exists       with --create: a topic that exists already is no error\n"
            "  --if-exists           with --alter, --delete or --describe: a missing topic is\n"
            "                        no error\n"
            "  --exclude-internal    with --list or --describe: leave out internal topics\n"
            "  --under-replicated-partitions, --unavailable-partitions\n"
            "                        with --describe: only the partitions whose in-sync\n"
            "                        replicas are fewer than their replicas, or that have\n"
            "                        no leader\n"
            "  --topics-with-overrides\n"
            "                        with --describe: only the topics with configs of their\n"
            "                        own, one line each\n" ADMIN_CLI_COMMON_HELP);
}

typedef enum { NONE, CREATE, LIST, DESCRIBE, ALTER, DELETE } action_t;

typedef struct topics_args {
    action_t action;
    const char *topic;
    long long partitions;       /* -1: not given */
    long long replication;      /* -1: not given */
    const char *configs[2 * MAX_CONFIGS + 1];
    char *config_copies[MAX_CONFIGS];
    size_t config_count;
    bool validate_only, if_not_exists, if_exists, exclude_internal;
    bool under_replicated, unavailable, with_overrides;
} topics_args_t;

static int set_action(admin_cli_t *cli, topics_args_t *a, action_t action, const char *opt)
{
    if (a->action != NONE)
        return admin_cli_usage(cli, "%s: give one action only", opt);
    a->action = action;
    return CLI_OK;
}

static int add_config(admin_cli_t *cli, topics_args_t *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return admin_cli_usage(cli, "--config wants name=value, not \"%s\"", kv);
    if (a->config_count == MAX_CONFIGS)
        return admin_cli_usage(cli, "at most %d --config options", MAX_CONFIGS);
    char *name = strndup(kv, (size_t)(eq - kv));
    if (!name)
        return admin_cli_fail(cli, "out of memory");
    a->config_copies[a->config_count] = name;
    a->configs[2 * a->config_count] = name;
    a->configs[2 * a->config_count + 1] = eq + 1;
    a->config_count++;
    return CLI_OK;
}

enum {
    OPT_CREATE = 1, OPT_LIST, OPT_DESCRIBE, OPT_ALTER, OPT_DELETE, OPT_VALIDATE_ONLY, OPT_TOPIC, OPT_PARTITIONS,
    OPT_REPLICATION, OPT_CONFIG, OPT_IF_NOT_EXISTS, OPT_IF_EXISTS, OPT_EXCLUDE_INTERNAL, OPT_UNDER_REPLICATED,
    OPT_UNAVAILABLE, OPT_WITH_OVERRIDES
};

static const opt_spec_t topics_opts[] = {
    {"create", 0, OPT_FLAG, OPT_CREATE},
    {"list", 0, OPT_FLAG, OPT_LIST},
    {"describe", 0, OPT_FLAG, OPT_DESCRIBE},
    {"alter", 0, OPT_FLAG, OPT_ALTER},
    {"delete", 0, OPT_FLAG, OPT_DELETE},
    {"validate-only", 0, OPT_FLAG, OPT_VALIDATE_ONLY},
    {"topic", 0, OPT_VALUE, OPT_TOPIC},
    {"partitions", 0, OPT_VALUE, OPT_PARTITIONS},
    {"replication-factor", 0, OPT_VALUE, OPT_REPLICATION},
    {"config", 0, OPT_VALUE, OPT_CONFIG},
    {"if-not-exists", 0, OPT_FLAG, OPT_IF_NOT_EXISTS},
    {"if-exists", 0, OPT_FLAG, OPT_IF_EXISTS},
    {"exclude-internal", 0, OPT_FLAG, OPT_EXCLUDE_INTERNAL},
    {"under-replicated-partitions", 0, OPT_FLAG, OPT_UNDER_REPLICATED},
    {"unavailable-partitions", 0, OPT_FLAG, OPT_UNAVAILABLE},
    {"topics-with-overrides", 0, OPT_FLAG, OPT_WITH_OVERRIDES},
    {NULL, 0, 0, 0},
};

static int parse(admin_cli_t *cli, topics_args_t *a, int argc, char **argv)
{
    static const action_t actions[] = {[OPT_CREATE] = CREATE, [OPT_LIST] = LIST, [OPT_DESCRIBE] = DESCRIBE,
                                       [OPT_ALTER] = ALTER, [OPT_DELETE] = DELETE};
    const opt_parser_t *p = &cli->opts;
    int id, rc = CLI_OK;
    int64_t n;
    admin_cli_start(cli, argc, argv, topics_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        switch (id) {
        case OPT_CREATE:
        case OPT_LIST:
        case OPT_DESCRIBE:
        case OPT_ALTER:
        case OPT_DELETE:
            rc = set_action(cli, a, actions[id], p->text);
            break;
        case OPT_VALIDATE_ONLY: a->validate_only = true; break;
        case OPT_IF_NOT_EXISTS: a->if_not_exists = true; break;
        case OPT_IF_EXISTS: a->if_exists = true; break;
        case OPT_EXCLUDE_INTERNAL: a->exclude_internal = true; break;
        case OPT_UNDER_REPLICATED: a->under_replicated = true; break;
        case OPT_UNAVAILABLE: a->unavailable = true; break;
        case OPT_WITH_OVERRIDES: a->with_overrides = true; break;
        case OPT_TOPIC:
            a->topic = p->value;
            break;
        case OPT_PARTITIONS:
        case OPT_REPLICATION:
            if (!opt_int(p, 1, id == OPT_PARTITIONS ? 1000000 : 32767, &n))
                return admin_cli_try_help(cli);
            *(id == OPT_PARTITIONS ? &a->partitions : &a->replication) = n;
            break;
        case OPT_CONFIG:
            rc = add_config(cli, a, p->value);
            break;
        default:
            rc = admin_cli_other(cli, id);
            break;
        }
    }
    if (rc)
        return rc;
    if (a->action == NONE)
        return admin_cli_usage(cli, "say what to do: --create, --list, --describe, --alter or --delete");
    if ((a->action == CREATE || a->action == ALTER || a->action == DELETE) && !a->topic)
        return admin_cli_usage(cli, "this action needs --topic");
    if (a->action == ALTER && a->partitions < 0)
        return admin_cli_usage(cli, "--alter needs --partitions (the new total)");
    return admin_cli_check_format(cli, a->action == LIST || a->action == DESCRIBE);
}

/* ---- actions ---------------------------------------------------------------- */

/* Prints r's errors (but for one equal to tolerated: --if-exists and
 * --if-not-exists), or "<done> topic NAME." per success; the exit
 * status. */
static int report(admin_cli_t *cli, kl_err_t err, kl_admin_results_t *r, const char *what, const char *done,
                  kl_err_t tolerated)
{
    if (err)
        return admin_cli_fail(cli, "cannot %s: %s", what, admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < r->count; i++) {
        if (r->items[i].err && r->items[i].err == tolerated)
            continue;
        if (r->items[i].err) {
            admin_cli_fail(cli, "cannot %s %s: %s", what, r->items[i].name,
                           admin_cli_err(r->items[i].err, r->items[i].errstr));
            status = CLI_FAILED;
        } else {
            printf("%s topic %s.\n", done, r->items[i].name);
        }
    }
    kl_admin_results_destroy(r);
    return status;
}

static int create(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_new_topic_t nt = {a->topic, (int32_t)a->partitions, (int16_t)a->replication,
                               a->config_count ? a->configs : NULL};
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_create_topics(cli->admin, &nt, 1, a->validate_only, cli->timeout_ms, &r);
    return report(cli, err, r, "create topic", a->validate_only ? "Validated" : "Created",
                  a->if_not_exists ? KL_ERR_TOPIC_ALREADY_EXISTS : KL_ERR_NONE);
}

static int delete(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_delete_topics(cli->admin, &a->topic, 1, cli->timeout_ms, &r);
    return report(cli, err, r, "delete topic", "Deleted",
                  a->if_exists ? KL_ERR_UNKNOWN_TOPIC_OR_PARTITION : KL_ERR_NONE);
}

static int alter(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_create_partitions(cli->admin, a->topic, (int32_t)a->partitions, a->validate_only,
                                              cli->timeout_ms, &r);
    return report(cli, err, r, "alter topic", a->validate_only ? "Validated" : "Altered",
                  a->if_exists ? KL_ERR_UNKNOWN_TOPIC_OR_PARTITION : KL_ERR_NONE);
}

static int list(admin_cli_t *cli, const topics_args_t *a)
{
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, NULL, 0, cli->timeout_ms, &t);
    if (err)
        return admin_cli_fail(cli, "cannot list topics: %s", admin_cli_err(err, NULL));
    for (size_t i = 0; i < t->count; i++) {
        if (a->exclude_internal && t->items[i].internal)
            continue;
        if (cli->json) {
            json_out_t j;
            json_begin(&j, stdout);
            json_str(&j, "topic", t->items[i].name);
            json_bool(&j, "internal", t->items[i].internal);
            json_end(&j);
        } else {
            printf("%s\n", t->items[i].name);
        }
    }
    kl_admin_topics_destroy(t);
    return CLI_OK;
}

static void print_ids(const char *label, const int32_t *ids, size_t n)
{
    printf("\t%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", ids[i]);
}

/* The configs set on the topic itself (Kafka's "overrides"); NULL when
 * they cannot be had (the topic then shows none, as before). */
static kl_admin_configs_t *own_configs(admin_cli_t *cli, const char *topic)
{
    kl_admin_resource_t res = {KL_ADMIN_RESOURCE_TOPIC, topic};
    kl_admin_configs_t *c = NULL;
    if (kl_admin_describe_configs(cli->admin, &res, 1, cli->timeout_ms, &c) || c->items[0].err) {
        kl_admin_configs_destroy(c);
        return NULL;
    }
    return c;
}

static bool is_override(const kl_admin_config_entry_t *e)
{
    return e->source == KL_ADMIN_SOURCE_DYNAMIC_TOPIC;
}

static const char *shown_value(const kl_admin_config_entry_t *e)
{
    return e->sensitive || !e->value ? "(sensitive)" : e->value;
}

/* The overrides as Kafka prints them, "k=v,k2=v2" ("" when none); NULL
 * when out of memory. Free it. */
static char *overrides_text(const kl_admin_configs_t *c)
{
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    bool first = true;
    for (size_t i = 0; c && i < c->items[0].entry_count; i++) {
        const kl_admin_config_entry_t *e = &c->items[0].entries[i];
        if (!is_override(e))
            continue;
        fprintf(out, "%s%s=%s", first ? "" : ",", e->name, shown_value(e));
        first = false;
    }
    return fclose(out) ? NULL : text;
}

static void print_topic_line(const kl_admin_topic_t *topic, const char *configs)
{
    printf("Topic: %s\tTopicId: %s\tPartitionCount: %zu\tReplicationFactor: %zu\tConfigs: %s%s\n", topic->name,
           topic->topic_id[0] ? topic->topic_id : "-", topic->partition_count,
           topic->partition_count ? topic->partitions[0].replica_count : 0, configs,
           topic->internal ? "\tInternal: true" : "");
}

/* Whether --under-replicated-partitions / --unavailable-partitions let a
 * partition through (either one is enough, as in Kafka). */
static bool partition_shown(const topics_args_t *a, const kl_admin_partition_t *part)
{
    if (!a->under_replicated && !a->unavailable)
        return true;
    return (a->under_replicated && part->isr_count < part->replica_count) || (a->unavailable && part->leader < 0);
}

static void print_partitions(const topics_args_t *a, const kl_admin_topic_t *topic)
{
    for (size_t p = 0; p < topic->partition_count; p++) {
        const kl_admin_partition_t *part = &topic->partitions[p];
        if (!partition_shown(a, part))
            continue;
        printf("\tTopic: %s\tPartition: %d\tLeader: ", topic->name, part->id);
        if (part->leader >= 0)
            printf("%d", part->leader);
        else
            printf("none");
        print_ids("Replicas", part->replicas, part->replica_count);
        print_ids("Isr", part->isr, part->isr_count);
        printf("\n");
    }
}

static void json_ids(json_out_t *j, const char *name, const int32_t *ids, size_t n)
{
    json_open(j, name, '[');
    for (size_t i = 0; i < n; i++)
        json_int(j, NULL, ids[i]);
    json_close(j, '[');
}

/* One topic as a JSON line: see kafkalite-topics(1). Nothing when a
 * partition filter leaves none of its partitions. */
static void json_topic(const topics_args_t *a, const kl_admin_topic_t *topic, const kl_admin_configs_t *c)
{
    size_t shown = 0;
    for (size_t p = 0; p < topic->partition_count; p++)
        shown += partition_shown(a, &topic->partitions[p]);
    if (!shown && (a->under_replicated || a->unavailable))
        return;
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "topic", topic->name);
    json_str(&j, "topic_id", topic->topic_id[0] ? topic->topic_id : NULL);
    json_int(&j, "partition_count", (int64_t)topic->partition_count);
    json_int(&j, "replication_factor", topic->partition_count ? (int64_t)topic->partitions[0].replica_count : 0);
    json_bool(&j, "internal", topic->internal);
    json_open(&j, "configs", '{');
    for (size_t i = 0; c && i < c->items[0].entry_count; i++)
        if (is_override(&c->items[0].entries[i]))
            json_str(&j, c->items[0].entries[i].name, shown_value(&c->items[0].entries[i]));
    json_close(&j, '{');
    json_open(&j, "partitions", '[');
    for (size_t p = 0; p < topic->partition_count; p++) {
        const kl_admin_partition_t *part = &topic->partitions[p];
        if (!partition_shown(a, part))
            continue;
        json_open(&j, NULL, '{');
        json_int(&j, "partition", part->id);
        if (part->leader >= 0)
            json_int(&j, "leader", part->leader);
        else
            json_null(&j, "leader");
        json_ids(&j, "replicas", part->replicas, part->replica_count);
        json_ids(&j, "isr", part->isr, part->isr_count);
        json_close(&j, '{');
    }
    json_close(&j, '[');
    json_end(&j);
}

/* One topic in Kafka's layout, as the filters ask. */
static bool text_topic(const topics_args_t *a, const kl_admin_topic_t *topic, const kl_admin_configs_t *c)
{
    char *configs = overrides_text(c);
    if (!configs)
        return false;
    /* As Kafka: --topics-with-overrides prints those topics' lines only,
     * a partition filter the matching partitions only. */
    if (a->with_overrides) {
        print_topic_line(topic, configs);
    } else {
        if (!a->under_replicated && !a->unavailable)
            print_topic_line(topic, configs);
        print_partitions(a, topic);
    }
    free(configs);
    return true;
}

static bool has_override(const kl_admin_configs_t *c)
{
    for (size_t i = 0; c && i < c->items[0].entry_count; i++)
        if (is_override(&c->items[0].entries[i]))
            return true;
    return false;
}

static int describe(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, a->topic ? &a->topic : NULL, a->topic ? 1 : 0,
                                            cli->timeout_ms, &t);
    if (err)
        return admin_cli_fail(cli, "cannot describe topics: %s", admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < t->count; i++) {
        const kl_admin_topic_t *topic = &t->items[i];
        if (topic->err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION && a->if_exists)
            continue;
        if (topic->err) {
            status = admin_cli_fail(cli, "topic %s: %s", topic->name, admin_cli_err(topic->err, NULL));
            continue;
        }
        if (a->exclude_internal && topic->internal)
            continue;
        kl_admin_configs_t *c = own_configs(cli, topic->name);
        if (a->with_overrides && !has_override(c)) {
            kl_admin_configs_destroy(c);
            continue;
        }
        bool ok = true;
        if (cli->json)
            json_topic(a, topic, c);
        else
            ok = text_topic(a, topic, c);
        kl_admin_configs_destroy(c);
        if (!ok) {
            status = admin_cli_fail(cli, "out of memory");
            break;
        }
    }
    kl_admin_topics_destroy(t);
    return status;
}

int cmd_topics(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_topics_usage(stdout);
        return CLI_OK;
    }
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "topics"))
        return CLI_FAILED;
    topics_args_t a = {.partitions = -1, .replication = -1};
    int status = parse(&cli, &a, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK) {
        switch (a.action) {
        case CREATE: status = create(&cli, &a); break;
        case LIST: status = list(&cli, &a); break;
        case DESCRIBE: status = describe(&cli, &a); break;
        case ALTER: status = alter(&cli, &a); break;
        case DELETE: status = delete(&cli, &a); break;
        case NONE: break;
        }
    }
    for (size_t i = 0; i < a.config_count; i++)
        free(a.config_copies[i]);
    admin_cli_free(&cli);
    return status;
}
