/* `kafkalite users`: SCRAM users of the broker, as Kafka's kafka-configs.sh
 * manages them (--entity-type users): add or change a credential with
 * --add-config 'SCRAM-SHA-256=[password=...]', remove one with
 * --delete-config SCRAM-SHA-256, list them with --describe. The password
 * is salted by the client library; the broker never sees it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"

#define MAX_CHANGES 8

void cmd_users_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite users [-b HOST:PORT] [-X property=value]... ACTION [--entity-name USER]\n"
            "\n"
            "Actions:\n"
            "  --describe            the SCRAM mechanisms and iteration counts of USER (or of\n"
            "                        every user)\n"
            "  --alter --add-config 'SCRAM-SHA-256=[password=P]'[,'SCRAM-SHA-512=[iterations=N,password=P]']\n"
            "                        set USER's credentials (the password is salted here,\n"
            "                        4096 iterations unless told)\n"
            "  --alter --delete-config SCRAM-SHA-256[,SCRAM-SHA-512]\n"
            "                        remove USER's credentials\n"
            "\n"
            "Options:\n"
            "  --entity-name USER    the user (--user is the same)\n"
            "  --entity-type users   accepted, as kafka-configs.sh wants it\n" ADMIN_CLI_COMMON_HELP);
}

typedef struct users_args {
    int action; /* 'd' describe, 'a' alter */
    const char *user;
    kl_admin_scram_alteration_t changes[MAX_CHANGES];
    size_t change_count;
    char *copies[MAX_CHANGES];
    size_t copy_count;
} users_args_t;

enum { OPT_DESCRIBE = 1, OPT_ALTER, OPT_ENTITY_TYPE, OPT_ENTITY_NAME, OPT_ADD_CONFIG, OPT_DELETE_CONFIG };

static const opt_spec_t users_opts[] = {
    {"describe", 0, OPT_FLAG, OPT_DESCRIBE},
    {"alter", 0, OPT_FLAG, OPT_ALTER},
    {"entity-type", 0, OPT_VALUE, OPT_ENTITY_TYPE},
    {"entity-name", 0, OPT_VALUE, OPT_ENTITY_NAME},
    {"user", 0, OPT_VALUE, OPT_ENTITY_NAME},
    {"add-config", 0, OPT_VALUE, OPT_ADD_CONFIG},
    {"delete-config", 0, OPT_VALUE, OPT_DELETE_CONFIG},
    {NULL, 0, 0, 0},
};

static int mechanism_of(admin_cli_t *cli, const char *name, kl_scram_mechanism_t *m)
{
    if (!strcmp(name, "SCRAM-SHA-256"))
        *m = KL_SCRAM_SHA_256;
    else if (!strcmp(name, "SCRAM-SHA-512"))
        *m = KL_SCRAM_SHA_512;
    else
        return admin_cli_usage(cli, "\"%s\" is not SCRAM-SHA-256 or SCRAM-SHA-512", name);
    return CLI_OK;
}

/* "password=P" or "iterations=N,password=P" (brackets removed) into c. */
static int read_params(admin_cli_t *cli, char *params, kl_admin_scram_alteration_t *c)
{
    for (char *p = params; p && *p;) {
        char *next = NULL;
        if (!strncmp(p, "iterations=", 11)) { /* the password may hold commas: it goes last */
            char *end = strchr(p, ',');
            next = end ? end + 1 : NULL;
            if (end)
                *end = '\0';
            long long n;
            if (!admin_cli_number(p + 11, &n) || n < 4096 || n > 1000000)
                return admin_cli_usage(cli, "iterations is 4096 to 1000000, not \"%s\"", p + 11);
            c->iterations = (int32_t)n;
        } else if (!strncmp(p, "password=", 9)) {
            c->password = p + 9;
        } else {
            return admin_cli_usage(cli, "a SCRAM config is [password=P] or [iterations=N,password=P], not \"%s\"", p);
        }
        p = next;
    }
    if (!c->password || !c->password[0])
        return admin_cli_usage(cli, "a SCRAM config needs password=...");
    return CLI_OK;
}

/* --add-config: MECH=[params] items separated by commas outside brackets;
 * --delete-config: mechanism names. */
static int add_changes(admin_cli_t *cli, users_args_t *a, const char *value, bool add)
{
    char *copy = strdup(value);
    if (!copy || a->copy_count == MAX_CHANGES) {
        free(copy);
        return admin_cli_usage(cli, "too many changes");
    }
    a->copies[a->copy_count++] = copy;
    for (char *p = copy; *p;) {
        char *item = admin_cli_config_item(&p);
        if (a->change_count == MAX_CHANGES)
            return admin_cli_usage(cli, "at most %d changes", MAX_CHANGES);
        kl_admin_scram_alteration_t *c = &a->changes[a->change_count];
        *c = (kl_admin_scram_alteration_t){0};
        char *eq = add ? strchr(item, '=') : NULL;
        if (add && (!eq || eq[1] != '[' || item[strlen(item) - 1] != ']'))
            return admin_cli_usage(cli, "--add-config wants SCRAM-SHA-256=[password=...], not \"%s\"", item);
        if (eq) {
            *eq = '\0';
            eq[strlen(eq + 1)] = '\0'; /* the closing bracket */
        }
        int rc = mechanism_of(cli, item, &c->mechanism);
        if (!rc && add)
            rc = read_params(cli, eq + 2, c);
        if (rc)
            return rc;
        a->change_count++;
    }
    return CLI_OK;
}

static int parse(admin_cli_t *cli, users_args_t *a, int argc, char **argv)
{
    const opt_parser_t *p = &cli->opts;
    int id, rc = CLI_OK;
    admin_cli_start(cli, argc, argv, users_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        switch (id) {
        case OPT_DESCRIBE:
        case OPT_ALTER:
            if (a->action)
                return admin_cli_usage(cli, "%s: give one action only", p->text);
            a->action = id == OPT_DESCRIBE ? 'd' : 'a';
            break;
        case OPT_ENTITY_TYPE:
            if (strcmp(p->value, "users") && strcmp(p->value, "user"))
                return admin_cli_usage(cli, "--entity-type is users here, not \"%s\" (see kafkalite configs)",
                                       p->value);
            break;
        case OPT_ENTITY_NAME:
            if (a->user && strcmp(a->user, p->value))
                return admin_cli_usage(cli, "one user at a time (\"%s\" already)", a->user);
            a->user = p->value;
            break;
        case OPT_ADD_CONFIG:
        case OPT_DELETE_CONFIG:
            rc = add_changes(cli, a, p->value, id == OPT_ADD_CONFIG);
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
    if (a->action == 'a' && (!a->user || !a->user[0]))
        return admin_cli_usage(cli, "--alter needs --entity-name USER");
    if (a->action == 'a' && !a->change_count)
        return admin_cli_usage(cli, "--alter needs --add-config or --delete-config");
    for (size_t i = 0; i < a->change_count; i++)
        a->changes[i].user = a->user;
    return CLI_OK;
}

static const char *mechanism_name(kl_scram_mechanism_t m)
{
    return m == KL_SCRAM_SHA_256 ? "SCRAM-SHA-256" : m == KL_SCRAM_SHA_512 ? "SCRAM-SHA-512" : "unknown";
}

static int describe(admin_cli_t *cli, const users_args_t *a)
{
    kl_admin_scram_users_t *users = NULL;
    kl_err_t err = kl_admin_describe_user_scram_credentials(cli->admin, a->user ? &a->user : NULL, a->user ? 1 : 0,
                                                            cli->timeout_ms, &users);
    if (err)
        return admin_cli_fail(cli, "cannot describe users: %s", admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < users->count; i++) {
        const kl_admin_scram_user_t *u = &users->items[i];
        if (u->err) {
            status = admin_cli_fail(cli, "user %s: %s", u->name, admin_cli_err(u->err, u->errstr));
            continue;
        }
        printf("SCRAM credential configs for user-principal '%s' are ", u->name);
        for (size_t j = 0; j < u->credential_count; j++)
            printf("%s%s=iterations=%d", j ? ", " : "", mechanism_name(u->credentials[j].mechanism),
                   (int)u->credentials[j].iterations);
        printf("\n");
    }
    kl_admin_scram_users_destroy(users);
    return status;
}

static int alter(admin_cli_t *cli, const users_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_alter_user_scram_credentials(cli->admin, a->changes, a->change_count, cli->timeout_ms, &r);
    if (err)
        return admin_cli_fail(cli, "cannot alter user %s: %s", a->user, admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < r->count; i++)
        if (r->items[i].err)
            status = admin_cli_fail(cli, "cannot alter %s of user %s: %s", mechanism_name(a->changes[i].mechanism),
                                    a->user, admin_cli_err(r->items[i].err, r->items[i].errstr));
    if (status == CLI_OK)
        printf("Completed updating config for user %s.\n", a->user);
    kl_admin_results_destroy(r);
    return status;
}

int cmd_users(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_users_usage(stdout);
        return CLI_OK;
    }
    return users_run("users", argc, argv);
}

int users_run(const char *name, int argc, char **argv)
{
    admin_cli_t cli;
    if (!admin_cli_init(&cli, name))
        return CLI_FAILED;
    users_args_t a = {0};
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
