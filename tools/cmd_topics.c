/* `kafkalite topics`: create, list, describe, grow and delete topics,
 * shaped after Kafka's kafka-topics.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"

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
            "  --validate-only       with --create or --alter: check, change nothing\n" ADMIN_CLI_COMMON_HELP);
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
    bool validate_only;
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

static int parse(admin_cli_t *cli, topics_args_t *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v;
        long long n;
        int rc = admin_cli_option(cli, argc, argv, &i);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (!strcmp(opt, "--create"))
            rc = set_action(cli, a, CREATE, opt);
        else if (!strcmp(opt, "--list"))
            rc = set_action(cli, a, LIST, opt);
        else if (!strcmp(opt, "--describe"))
            rc = set_action(cli, a, DESCRIBE, opt);
        else if (!strcmp(opt, "--alter"))
            rc = set_action(cli, a, ALTER, opt);
        else if (!strcmp(opt, "--delete"))
            rc = set_action(cli, a, DELETE, opt);
        else if (!strcmp(opt, "--validate-only"))
            a->validate_only = true;
        else if (!strcmp(opt, "--topic")) {
            if (!(a->topic = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
        } else if (!strcmp(opt, "--partitions") || !strcmp(opt, "--replication-factor")) {
            if (!(v = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
            if (!admin_cli_number(v, &n) || n < 1 || n > (opt[2] == 'p' ? 1000000 : 32767))
                return admin_cli_usage(cli, "%s wants a positive number, not \"%s\"", opt, v);
            *(opt[2] == 'p' ? &a->partitions : &a->replication) = n;
        } else if (!strcmp(opt, "--config")) {
            if (!(v = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
            rc = add_config(cli, a, v);
        } else {
            return admin_cli_usage(cli, "unknown option \"%s\"", opt);
        }
        if (rc)
            return rc;
    }
    if (a->action == NONE)
        return admin_cli_usage(cli, "say what to do: --create, --list, --describe, --alter or --delete");
    if ((a->action == CREATE || a->action == ALTER || a->action == DELETE) && !a->topic)
        return admin_cli_usage(cli, "this action needs --topic");
    if (a->action == ALTER && a->partitions < 0)
        return admin_cli_usage(cli, "--alter needs --partitions (the new total)");
    return CLI_OK;
}

/* ---- actions ---------------------------------------------------------------- */

/* Prints r's errors, or "<done> topic NAME." per success; the exit
 * status. */
static int report(admin_cli_t *cli, kl_err_t err, kl_admin_results_t *r, const char *what, const char *done)
{
    if (err)
        return admin_cli_fail(cli, "cannot %s: %s", what, admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < r->count; i++) {
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
    return report(cli, err, r, "create topic", a->validate_only ? "Validated" : "Created");
}

static int delete(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_delete_topics(cli->admin, &a->topic, 1, cli->timeout_ms, &r);
    return report(cli, err, r, "delete topic", "Deleted");
}

static int alter(admin_cli_t *cli, topics_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_create_partitions(cli->admin, a->topic, (int32_t)a->partitions, a->validate_only,
                                              cli->timeout_ms, &r);
    return report(cli, err, r, "alter topic", a->validate_only ? "Validated" : "Altered");
}

static int list(admin_cli_t *cli)
{
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, NULL, 0, cli->timeout_ms, &t);
    if (err)
        return admin_cli_fail(cli, "cannot list topics: %s", admin_cli_err(err, NULL));
    for (size_t i = 0; i < t->count; i++)
        printf("%s\n", t->items[i].name);
    kl_admin_topics_destroy(t);
    return CLI_OK;
}

static void print_ids(const char *label, const int32_t *ids, size_t n)
{
    printf("\t%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", ids[i]);
}

/* The topic's own configs (not defaults), as Kafka prints them. */
static void print_configs(admin_cli_t *cli, const char *topic)
{
    kl_admin_resource_t res = {KL_ADMIN_RESOURCE_TOPIC, topic};
    kl_admin_configs_t *c = NULL;
    if (kl_admin_describe_configs(cli->admin, &res, 1, cli->timeout_ms, &c) || c->items[0].err) {
        kl_admin_configs_destroy(c);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < c->items[0].entry_count; i++) {
        const kl_admin_config_entry_t *e = &c->items[0].entries[i];
        if (e->source != KL_ADMIN_SOURCE_DYNAMIC_TOPIC)
            continue;
        printf("%s%s=%s", first ? "" : ",", e->name, e->sensitive || !e->value ? "(sensitive)" : e->value);
        first = false;
    }
    kl_admin_configs_destroy(c);
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
        if (topic->err) {
            status = admin_cli_fail(cli, "topic %s: %s", topic->name, admin_cli_err(topic->err, NULL));
            continue;
        }
        printf("Topic: %s\tTopicId: %s\tPartitionCount: %zu\tReplicationFactor: %zu\tConfigs: ", topic->name,
               topic->topic_id[0] ? topic->topic_id : "-", topic->partition_count,
               topic->partition_count ? topic->partitions[0].replica_count : 0);
        print_configs(cli, topic->name);
        printf("%s\n", topic->internal ? "\tInternal: true" : "");
        for (size_t p = 0; p < topic->partition_count; p++) {
            const kl_admin_partition_t *part = &topic->partitions[p];
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
    kl_admin_topics_destroy(t);
    return status;
}

int cmd_topics(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
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
        case LIST: status = list(&cli); break;
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
