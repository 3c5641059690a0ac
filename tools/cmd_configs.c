/* `kafkalite configs`: describe and change topic and broker configs,
 * shaped after Kafka's kafka-configs.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"

#define MAX_OPS 128

void cmd_configs_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite configs [-b HOST:PORT] [-X property=value]... ACTION\n"
            "           --entity-type topics|brokers --entity-name NAME\n"
            "\n"
            "Actions:\n"
            "  --describe [--all]    the configs set on the entity (with --all: every config,\n"
            "                        with its source and flags)\n"
            "  --alter [--add-config k=v[,k2=v2...]]... [--delete-config k[,k2...]]...\n"
            "                        set or remove configs; a value holding commas is written\n"
            "                        in brackets: --add-config 'k=[a,b]'\n"
            "\n"
            "Options:\n"
            "  --entity-type TYPE    topics, or brokers (NAME is then the node id)\n"
            "  --entity-name NAME    the topic or broker\n" ADMIN_CLI_COMMON_HELP);
}

typedef struct configs_args {
    int action; /* 'd' describe, 'a' alter */
    bool all;
    kl_admin_resource_type_t type;
    const char *name;
    kl_admin_config_op_t ops[MAX_OPS];
    size_t op_count;
    char *copies[MAX_OPS]; /* the split option values the ops point into */
    size_t copy_count;
} configs_args_t;

/* Splits a --add-config / --delete-config value at commas outside
 * brackets into operations (brackets removed from values). */
static int add_ops(admin_cli_t *cli, configs_args_t *a, const char *value, kl_admin_config_op_type_t type)
{
    char *copy = strdup(value);
    if (!copy || a->copy_count == MAX_OPS) {
        free(copy);
        return admin_cli_usage(cli, "too many config changes");
    }
    a->copies[a->copy_count++] = copy;
    char *p = copy;
    while (*p) {
        char *item = p;
        int depth = 0;
        while (*p && (*p != ',' || depth)) {
            depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
            p++;
        }
        if (*p)
            *p++ = '\0';
        if (a->op_count == MAX_OPS)
            return admin_cli_usage(cli, "at most %d config changes", MAX_OPS);
        kl_admin_config_op_t *op = &a->ops[a->op_count];
        op->op = type;
        op->name = item;
        op->value = NULL;
        if (type == KL_ADMIN_CONFIG_SET) {
            char *eq = strchr(item, '=');
            if (!eq || eq == item)
                return admin_cli_usage(cli, "--add-config wants name=value, not \"%s\"", item);
            *eq = '\0';
            char *v = eq + 1;
            size_t len = strlen(v);
            if (len >= 2 && v[0] == '[' && v[len - 1] == ']') {
                v[len - 1] = '\0';
                v++;
            }
            op->value = v;
        } else if (!*item || strchr(item, '=')) {
            return admin_cli_usage(cli, "--delete-config wants names, not \"%s\"", item);
        }
        a->op_count++;
    }
    return CLI_OK;
}

static int parse(admin_cli_t *cli, configs_args_t *a, int argc, char **argv)
{
    bool typed = false;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v;
        int rc = admin_cli_option(cli, argc, argv, &i);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (!strcmp(opt, "--describe") || !strcmp(opt, "--alter")) {
            if (a->action)
                return admin_cli_usage(cli, "%s: give one action only", opt);
            a->action = opt[2];
        } else if (!strcmp(opt, "--all")) {
            a->all = true;
        } else if (!strcmp(opt, "--entity-type")) {
            if (!(v = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
            if (!strcmp(v, "topics") || !strcmp(v, "topic"))
                a->type = KL_ADMIN_RESOURCE_TOPIC;
            else if (!strcmp(v, "brokers") || !strcmp(v, "broker"))
                a->type = KL_ADMIN_RESOURCE_BROKER;
            else
                return admin_cli_usage(cli, "--entity-type is topics or brokers, not \"%s\"", v);
            typed = true;
        } else if (!strcmp(opt, "--entity-name")) {
            if (!(a->name = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
        } else if (!strcmp(opt, "--add-config") || !strcmp(opt, "--delete-config")) {
            if (!(v = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
            rc = add_ops(cli, a, v, opt[2] == 'a' ? KL_ADMIN_CONFIG_SET : KL_ADMIN_CONFIG_DELETE);
            if (rc)
                return rc;
        } else {
            return admin_cli_usage(cli, "unknown option \"%s\"", opt);
        }
    }
    if (!a->action)
        return admin_cli_usage(cli, "say what to do: --describe or --alter");
    if (!typed || !a->name)
        return admin_cli_usage(cli, "name the entity: --entity-type topics|brokers --entity-name NAME");
    if (a->action == 'a' && !a->op_count)
        return admin_cli_usage(cli, "--alter needs --add-config or --delete-config");
    return CLI_OK;
}

static const char *source_name(kl_admin_config_source_t s)
{
    switch (s) {
    case KL_ADMIN_SOURCE_DYNAMIC_TOPIC: return "DYNAMIC_TOPIC_CONFIG";
    case KL_ADMIN_SOURCE_DYNAMIC_BROKER: return "DYNAMIC_BROKER_CONFIG";
    case KL_ADMIN_SOURCE_DYNAMIC_DEFAULT_BROKER: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case KL_ADMIN_SOURCE_STATIC_BROKER: return "STATIC_BROKER_CONFIG";
    case KL_ADMIN_SOURCE_DEFAULT: return "DEFAULT_CONFIG";
    case KL_ADMIN_SOURCE_DYNAMIC_BROKER_LOGGER: return "DYNAMIC_BROKER_LOGGER_CONFIG";
    default: return "UNKNOWN";
    }
}

static bool dynamic(kl_admin_config_source_t s)
{
    return s == KL_ADMIN_SOURCE_DYNAMIC_TOPIC || s == KL_ADMIN_SOURCE_DYNAMIC_BROKER ||
           s == KL_ADMIN_SOURCE_DYNAMIC_DEFAULT_BROKER || s == KL_ADMIN_SOURCE_DYNAMIC_BROKER_LOGGER;
}

static int describe(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_resource_t res = {a->type, a->name};
    kl_admin_configs_t *c = NULL;
    kl_err_t err = kl_admin_describe_configs(cli->admin, &res, 1, cli->timeout_ms, &c);
    if (err)
        return admin_cli_fail(cli, "cannot describe %s: %s", a->name, admin_cli_err(err, NULL));
    const kl_admin_config_resource_t *r = &c->items[0];
    const char *kind = a->type == KL_ADMIN_RESOURCE_TOPIC ? "topic" : "broker";
    if (r->err) {
        admin_cli_fail(cli, "cannot describe %s %s: %s", kind, a->name, admin_cli_err(r->err, r->errstr));
        kl_admin_configs_destroy(c);
        return CLI_FAILED;
    }
    printf("%s configs for %s %s are:\n", a->all ? "All" : "Dynamic", kind, a->name);
    for (size_t i = 0; i < r->entry_count; i++) {
        const kl_admin_config_entry_t *e = &r->entries[i];
        if (!a->all && !dynamic(e->source))
            continue;
        printf("  %s=%s\tsource=%s default=%s read-only=%s sensitive=%s\n", e->name,
               e->sensitive ? "(sensitive)" : e->value ? e->value : "null", source_name(e->source),
               e->is_default ? "true" : "false", e->read_only ? "true" : "false", e->sensitive ? "true" : "false");
    }
    kl_admin_configs_destroy(c);
    return CLI_OK;
}

static int alter(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_alter_resource_t res = {a->type, a->name, a->ops, a->op_count};
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_incremental_alter_configs(cli->admin, &res, 1, 0, cli->timeout_ms, &r);
    const char *kind = a->type == KL_ADMIN_RESOURCE_TOPIC ? "topic" : "broker";
    if (!err && r->items[0].err)
        admin_cli_fail(cli, "cannot alter %s %s: %s", kind, a->name, admin_cli_err(r->items[0].err, r->items[0].errstr));
    else if (err)
        admin_cli_fail(cli, "cannot alter %s %s: %s", kind, a->name, admin_cli_err(err, NULL));
    else
        printf("Completed updating config for %s %s.\n", kind, a->name);
    int status = err || r->items[0].err ? CLI_FAILED : CLI_OK;
    kl_admin_results_destroy(r);
    return status;
}

int cmd_configs(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_configs_usage(stdout);
            return CLI_OK;
        }
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "configs"))
        return CLI_FAILED;
    configs_args_t a = {0};
    int status = parse(&cli, &a, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK)
        status = a.action == 'd' ? describe(&cli, &a) : alter(&cli, &a);
    for (size_t i = 0; i < a.copy_count; i++)
        free(a.copies[i]);
    admin_cli_free(&cli);
    return status;
}
