/* `kafkalite configs`: describe and change topic, broker and group configs
 * (and, through configs_quotas.c, client quotas), shaped after Kafka's
 * kafka-configs.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.h"
#include "json_out.h"

#define MAX_OPS CONFIGS_MAX_OPS

void cmd_configs_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite configs [-b HOST:PORT] [-X property=value]... ACTION\n"
            "           (--entity-type topics|brokers|groups|clients (--entity-name NAME | --entity-default)\n"
            "            | --topic T | --broker ID | --broker-defaults | --group G | --client C\n"
            "            | --client-defaults)\n"
            "\n"
            "Actions:\n"
            "  --describe [--all]    the configs set on the entity (with --all: every config,\n"
            "                        with its source and flags)\n"
            "  --alter [--add-config k=v[,k2=v2...]]... [--delete-config k[,k2...]]...\n"
            "                        set or remove configs; a value holding commas is written\n"
            "                        in brackets: --add-config 'k=[a,b]'\n"
            "\n"
            "Options:\n"
            "  --entity-type TYPE    topics; brokers (NAME is then the node id); groups\n"
            "                        (Kafka 4's group configs: consumer.session.timeout.ms...);\n"
            "                        clients (client-id quotas: producer_byte_rate...); users\n"
            "                        runs `kafkalite users` (SCRAM credentials)\n"
            "  --entity-name NAME    the topic, broker, group or client id (clients --describe\n"
            "                        without a name: every client id with quotas, the\n"
            "                        default included)\n"
            "  --entity-default      with brokers or clients: the default of every one\n"
            "  --topic T             as --entity-type topics --entity-name T\n"
            "  --broker ID           as --entity-type brokers --entity-name ID\n"
            "  --broker-defaults     as --entity-type brokers --entity-default\n"
            "  --group G             as --entity-type groups --entity-name G\n"
            "  --client C            as --entity-type clients --entity-name C\n"
            "  --client-defaults     as --entity-type clients --entity-default\n" ADMIN_CLI_COMMON_HELP);
}

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
        char *item = admin_cli_config_item(&p);
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

enum {
    OPT_DESCRIBE = 1, OPT_ALTER, OPT_ALL, OPT_ENTITY_TYPE, OPT_ENTITY_NAME, OPT_ENTITY_DEFAULT, OPT_TOPIC,
    OPT_BROKER, OPT_BROKER_DEFAULTS, OPT_GROUP, OPT_CLIENT, OPT_CLIENT_DEFAULTS, OPT_ADD_CONFIG, OPT_DELETE_CONFIG
};

static const opt_spec_t configs_opts[] = {
    {"describe", 0, OPT_FLAG, OPT_DESCRIBE},
    {"alter", 0, OPT_FLAG, OPT_ALTER},
    {"all", 0, OPT_FLAG, OPT_ALL},
    {"entity-type", 0, OPT_VALUE, OPT_ENTITY_TYPE},
    {"entity-name", 0, OPT_VALUE, OPT_ENTITY_NAME},
    {"entity-default", 0, OPT_FLAG, OPT_ENTITY_DEFAULT},
    {"topic", 0, OPT_VALUE, OPT_TOPIC},
    {"broker", 0, OPT_VALUE, OPT_BROKER},
    {"broker-defaults", 0, OPT_FLAG, OPT_BROKER_DEFAULTS},
    {"group", 0, OPT_VALUE, OPT_GROUP},
    {"client", 0, OPT_VALUE, OPT_CLIENT},
    {"client-defaults", 0, OPT_FLAG, OPT_CLIENT_DEFAULTS},
    {"add-config", 0, OPT_VALUE, OPT_ADD_CONFIG},
    {"delete-config", 0, OPT_VALUE, OPT_DELETE_CONFIG},
    {NULL, 0, 0, 0},
};

/* The entity as a word of messages ("topic", "client-id"). */
static const char *kind(configs_entity_t e)
{
    static const char *const words[] = {"entity", "topic", "broker", "group", "client-id"};
    return words[e];
}

const char *configs_entity_type(configs_entity_t e)
{
    static const char *const types[] = {NULL, "topics", "brokers", "groups", "clients"};
    return types[e];
}

/* Sets the entity's type once (--entity-type, --topic, --broker...). */
static int set_type(admin_cli_t *cli, configs_args_t *a, configs_entity_t e)
{
    if (a->entity && a->entity != e)
        return admin_cli_usage(cli, "%s: the entity is a %s already", cli->opts.text, kind(a->entity));
    a->entity = e;
    return CLI_OK;
}

static int entity_type(admin_cli_t *cli, configs_args_t *a, const char *v)
{
    static const struct {
        const char *plural, *singular;
        configs_entity_t entity;
    } served[] = {
        {"topics", "topic", ENTITY_TOPIC},
        {"brokers", "broker", ENTITY_BROKER},
        {"groups", "group", ENTITY_GROUP},
        {"clients", "client", ENTITY_CLIENT},
    };
    for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
        if (!strcmp(v, served[i].plural) || !strcmp(v, served[i].singular))
            return set_type(cli, a, served[i].entity);
    /* Kafka's other entity types (users go to `kafkalite users`), each with
     * why kafkalite has none. */
    static const struct {
        const char *type, *why;
    } others[] = {
        {"ips", "they are connection quotas, whose requests kafkalite's admin client does not send"},
        {"broker-loggers", "kafkalite's broker has no Java loggers (KAFKALITE_BROKER_LOG sets its log level)"},
        {"client-metrics", "kafkalite's broker does not collect KIP-714 client metrics"},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcmp(v, others[i].type))
            return admin_cli_fail(cli, "--entity-type %s: Kafka's %s configs are not served by kafkalite: %s", v, v,
                                  others[i].why);
    return admin_cli_usage(cli, "--entity-type is topics, brokers, groups, clients or users, not \"%s\"", v);
}

static int set_name(admin_cli_t *cli, configs_args_t *a, const char *name)
{
    if (a->name && strcmp(a->name, name))
        return admin_cli_usage(cli, "%s: the entity is named already (\"%s\")", cli->opts.text, a->name);
    a->name = name;
    return CLI_OK;
}

static int parse(admin_cli_t *cli, configs_args_t *a, int argc, char **argv)
{
    const opt_parser_t *p = &cli->opts;
    int id, rc = CLI_OK;
    admin_cli_start(cli, argc, argv, configs_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        switch (id) {
        case OPT_DESCRIBE:
        case OPT_ALTER:
            if (a->action)
                return admin_cli_usage(cli, "%s: give one action only", p->text);
            a->action = id == OPT_DESCRIBE ? 'd' : 'a';
            break;
        case OPT_ALL:
            a->all = true;
            break;
        case OPT_ENTITY_TYPE:
            rc = entity_type(cli, a, p->value);
            break;
        case OPT_ENTITY_NAME:
            rc = set_name(cli, a, p->value);
            break;
        case OPT_ENTITY_DEFAULT:
            rc = set_name(cli, a, ""); /* Kafka's default entity: the empty name */
            break;
        case OPT_TOPIC:
        case OPT_GROUP:
        case OPT_CLIENT:
            if (!(rc = set_type(cli, a, id == OPT_TOPIC ? ENTITY_TOPIC : id == OPT_GROUP ? ENTITY_GROUP : ENTITY_CLIENT)))
                rc = set_name(cli, a, p->value);
            break;
        case OPT_BROKER:
        case OPT_BROKER_DEFAULTS:
            if (!(rc = set_type(cli, a, ENTITY_BROKER)))
                rc = set_name(cli, a, id == OPT_BROKER ? p->value : "");
            break;
        case OPT_CLIENT_DEFAULTS:
            if (!(rc = set_type(cli, a, ENTITY_CLIENT)))
                rc = set_name(cli, a, "");
            break;
        case OPT_ADD_CONFIG:
        case OPT_DELETE_CONFIG:
            rc = add_ops(cli, a, p->value, id == OPT_ADD_CONFIG ? KL_ADMIN_CONFIG_SET : KL_ADMIN_CONFIG_DELETE);
            break;
        default:
            rc = admin_cli_other(cli, id);
            break;
        }
    }
    if (rc)
        return rc;
    if (!a->action)
        return admin_cli_usage(cli, "say what to do: --describe or --alter");
    bool every_client = a->entity == ENTITY_CLIENT && a->action == 'd';
    if (!a->entity || (!a->name && !every_client))
        return admin_cli_usage(cli, "name the entity: --topic T, or --entity-type topics|brokers|groups|clients "
                                    "--entity-name NAME");
    if (a->name && !*a->name && a->entity != ENTITY_BROKER && a->entity != ENTITY_CLIENT)
        return admin_cli_usage(cli, "--entity-default is for --entity-type brokers or clients");
    if (a->action == 'a' && !a->op_count)
        return admin_cli_usage(cli, "--alter needs --add-config or --delete-config");
    if (a->entity == ENTITY_CLIENT && (rc = configs_quotas_check(cli, a)))
        return rc;
    return admin_cli_check_format(cli, a->action == 'd');
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
    case KL_ADMIN_SOURCE_DYNAMIC_CLIENT_METRICS: return "DYNAMIC_CLIENT_METRICS_CONFIG";
    case KL_ADMIN_SOURCE_DYNAMIC_GROUP: return "DYNAMIC_GROUP_CONFIG";
    default: return "UNKNOWN";
    }
}

static bool dynamic(kl_admin_config_source_t s)
{
    return s == KL_ADMIN_SOURCE_DYNAMIC_TOPIC || s == KL_ADMIN_SOURCE_DYNAMIC_BROKER ||
           s == KL_ADMIN_SOURCE_DYNAMIC_DEFAULT_BROKER || s == KL_ADMIN_SOURCE_DYNAMIC_BROKER_LOGGER ||
           s == KL_ADMIN_SOURCE_DYNAMIC_CLIENT_METRICS || s == KL_ADMIN_SOURCE_DYNAMIC_GROUP;
}

/* One config entry as a JSON line: see kafkalite-configs(1). */
static void json_entry(const configs_args_t *a, const kl_admin_config_entry_t *e)
{
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "entity_type", configs_entity_type(a->entity));
    json_str(&j, "entity_name", a->name); /* "" for the brokers' default */
    json_str(&j, "name", e->name);
    json_str(&j, "value", e->sensitive ? NULL : e->value);
    json_str(&j, "source", source_name(e->source));
    json_bool(&j, "default", e->is_default);
    json_bool(&j, "read_only", e->read_only);
    json_bool(&j, "sensitive", e->sensitive);
    json_end(&j);
}

static kl_admin_resource_type_t resource_type(configs_entity_t e)
{
    return e == ENTITY_TOPIC ? KL_ADMIN_RESOURCE_TOPIC : e == ENTITY_BROKER ? KL_ADMIN_RESOURCE_BROKER
                                                                          : KL_ADMIN_RESOURCE_GROUP;
}

/* Why a broker refuses group configs: one without them (kafkalite's,
 * Kafka's before KIP-848) answers INVALID_REQUEST, an unknown resource
 * type. */
static const char *why_refused(const configs_args_t *a, kl_err_t err)
{
    if (a->entity != ENTITY_GROUP || (err != KL_ERR_INVALID_REQUEST && err != KL_ERR_UNSUPPORTED_VERSION))
        return "";
    return " (the broker has no group configs, which came with KIP-848: kafkalite's broker runs classic groups, "
           "whose timeouts each consumer sets, e.g. session.timeout.ms)";
}

static int describe(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_resource_t res = {resource_type(a->entity), a->name};
    kl_admin_configs_t *c = NULL;
    kl_err_t err = kl_admin_describe_configs(cli->admin, &res, 1, cli->timeout_ms, &c);
    if (err)
        return admin_cli_fail(cli, "cannot describe %s: %s", a->name, admin_cli_err(err, NULL));
    const kl_admin_config_resource_t *r = &c->items[0];
    if (r->err) {
        admin_cli_fail(cli, "cannot describe %s %s: %s%s", kind(a->entity), a->name, admin_cli_err(r->err, r->errstr),
                       why_refused(a, r->err));
        kl_admin_configs_destroy(c);
        return CLI_FAILED;
    }
    if (!cli->json && *a->name)
        printf("%s configs for %s %s are:\n", a->all ? "All" : "Dynamic", kind(a->entity), a->name);
    else if (!cli->json)
        printf("Default configs for brokers in the cluster are:\n");
    for (size_t i = 0; i < r->entry_count; i++) {
        const kl_admin_config_entry_t *e = &r->entries[i];
        if (!a->all && !dynamic(e->source))
            continue;
        if (cli->json) {
            json_entry(a, e);
            continue;
        }
        printf("  %s=%s\tsource=%s default=%s read-only=%s sensitive=%s\n", e->name,
               e->sensitive ? "(sensitive)" : e->value ? e->value : "null", source_name(e->source),
               e->is_default ? "true" : "false", e->read_only ? "true" : "false", e->sensitive ? "true" : "false");
    }
    kl_admin_configs_destroy(c);
    return CLI_OK;
}

static int alter(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_alter_resource_t res = {resource_type(a->entity), a->name, a->ops, a->op_count};
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_incremental_alter_configs(cli->admin, &res, 1, 0, cli->timeout_ms, &r);
    if (!err && r->items[0].err)
        admin_cli_fail(cli, "cannot alter %s %s: %s%s", kind(a->entity), a->name,
                       admin_cli_err(r->items[0].err, r->items[0].errstr), why_refused(a, r->items[0].err));
    else if (err)
        admin_cli_fail(cli, "cannot alter %s %s: %s", kind(a->entity), a->name, admin_cli_err(err, NULL));
    else if (*a->name)
        printf("Completed updating config for %s %s.\n", kind(a->entity), a->name);
    else
        printf("Completed updating default config for brokers in the cluster.\n");
    int status = err || r->items[0].err ? CLI_FAILED : CLI_OK;
    kl_admin_results_destroy(r);
    return status;
}

/* Whether argv names --entity-type users: that is `kafkalite users`. */
static bool about_users(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        const char *v = !strcmp(argv[i], "--entity-type") && i + 1 < argc ? argv[i + 1]
                        : !strncmp(argv[i], "--entity-type=", 14)        ? argv[i] + 14
                                                                         : NULL;
        if (v && (!strcmp(v, "users") || !strcmp(v, "user")))
            return true;
    }
    return false;
}

int cmd_configs(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_configs_usage(stdout);
        return CLI_OK;
    }
    if (about_users(argc, argv)) /* as kafka-configs: SCRAM credentials */
        return users_run("configs", argc, argv);
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "configs"))
        return CLI_FAILED;
    configs_args_t a = {0};
    int status = parse(&cli, &a, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK && a.entity == ENTITY_CLIENT)
        status = a.action == 'd' ? configs_quotas_describe(&cli, &a) : configs_quotas_alter(&cli, &a);
    else if (status == CLI_OK)
        status = a.action == 'd' ? describe(&cli, &a) : alter(&cli, &a);
    for (size_t i = 0; i < a.copy_count; i++)
        free(a.copies[i]);
    admin_cli_free(&cli);
    return status;
}
