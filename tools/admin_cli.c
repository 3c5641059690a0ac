/* Common options and error reporting of the admin subcommands. */
#include "admin_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool admin_cli_init(admin_cli_t *cli, const char *name)
{
    memset(cli, 0, sizeof *cli);
    cli->name = name;
    cli->timeout_ms = ADMIN_CLI_DEFAULT_TIMEOUT_MS;
    cli->conf = kl_conf_new();
    return cli->conf != NULL;
}

void admin_cli_free(admin_cli_t *cli)
{
    kl_admin_destroy(cli->admin);
    kl_conf_destroy(cli->conf);
}

static void vreport(admin_cli_t *cli, const char *fmt, va_list ap)
{
    fprintf(stderr, "kafkalite %s: ", cli->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int admin_cli_usage(admin_cli_t *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cli, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try `kafkalite %s --help'.\n", cli->name);
    return CLI_USAGE;
}

int admin_cli_fail(admin_cli_t *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cli, fmt, ap);
    va_end(ap);
    return CLI_FAILED;
}

const char *admin_cli_err(kl_err_t err, const char *errstr)
{
    static char text[600];
    if (errstr && *errstr)
        snprintf(text, sizeof text, "%s: %s", kl_err_name(err), errstr);
    else
        snprintf(text, sizeof text, "%s (%s)", kl_err_name(err), kl_err_str(err));
    return text;
}

bool admin_cli_number(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0)
        return false;
    *out = v;
    return true;
}

const char *admin_cli_value(admin_cli_t *cli, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        admin_cli_usage(cli, "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int set_property(admin_cli_t *cli, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        admin_cli_usage(cli, "-X wants property=value, not \"%s\"", assignment);
        return -1;
    }
    char *name = strndup(assignment, (size_t)(eq - assignment));
    char errstr[512];
    kl_err_t err = name ? kl_conf_set(cli->conf, name, eq + 1, errstr, sizeof errstr) : KL_ERR_NOMEM;
    free(name);
    if (err) {
        admin_cli_usage(cli, "%s", err == KL_ERR_NOMEM ? "out of memory" : errstr);
        return -1;
    }
    if (!strncmp(assignment, "bootstrap.servers=", 18) || !strncmp(assignment, "metadata.broker.list=", 21))
        cli->bootstrap_set = true;
    return 1;
}

int admin_cli_option(admin_cli_t *cli, int argc, char **argv, int *i)
{
    const char *opt = argv[*i], *value;
    if (!strcmp(opt, "-b") || !strcmp(opt, "--bootstrap-server")) {
        if (!(value = admin_cli_value(cli, argc, argv, i)))
            return -1;
        char assignment[1024];
        snprintf(assignment, sizeof assignment, "bootstrap.servers=%s", value);
        return set_property(cli, assignment);
    }
    if (!strcmp(opt, "-X")) {
        if (!(value = admin_cli_value(cli, argc, argv, i)))
            return -1;
        return set_property(cli, value);
    }
    if (!strcmp(opt, "--timeout")) {
        long long ms;
        if (!(value = admin_cli_value(cli, argc, argv, i)))
            return -1;
        if (!admin_cli_number(value, &ms) || ms < 1 || ms > 86400000) {
            admin_cli_usage(cli, "--timeout wants milliseconds (1 to 86400000), not \"%s\"", value);
            return -1;
        }
        cli->timeout_ms = (int)ms;
        return 1;
    }
    return 0;
}

bool admin_cli_connect(admin_cli_t *cli)
{
    char errstr[512];
    if (!cli->bootstrap_set &&
        kl_conf_set(cli->conf, "bootstrap.servers", ADMIN_CLI_DEFAULT_BOOTSTRAP, errstr, sizeof errstr)) {
        admin_cli_fail(cli, "%s", errstr);
        return false;
    }
    cli->admin = kl_admin_new(cli->conf, errstr, sizeof errstr);
    if (!cli->admin)
        admin_cli_fail(cli, "%s", errstr);
    return cli->admin != NULL;
}
