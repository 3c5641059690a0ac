/* Common options and error reporting of the admin subcommands. */
#include "admin_cli.h"
#include "client_opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool admin_cli_init(admin_cli_t *cli, const char *name)
{
    memset(cli, 0, sizeof *cli);
    cli->name = name;
    snprintf(cli->prog, sizeof cli->prog, "kafkalite %s", name);
    cli->timeout_ms = ADMIN_CLI_DEFAULT_TIMEOUT_MS;
    cli->conf = cli_conf_new(cli->prog);
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
    return admin_cli_try_help(cli);
}

int admin_cli_try_help(admin_cli_t *cli)
{
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

const opt_spec_t admin_cli_opts[] = {
    {"bootstrap-server", 'b', OPT_VALUE, CLI_OPT_BOOTSTRAP},
    {NULL, 'X', OPT_VALUE, CLI_OPT_PROPERTY},
    {"command-config", 0, OPT_VALUE, CLI_OPT_CONFIG_FILE},
    {"timeout", 0, OPT_VALUE, ADMIN_OPT_TIMEOUT},
    {"format", 0, OPT_VALUE, ADMIN_OPT_FORMAT},
    {"help", 'h', OPT_FLAG, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

void admin_cli_start(admin_cli_t *cli, int argc, char **argv, const opt_spec_t *own)
{
    cli->tables[0] = own;
    cli->tables[1] = admin_cli_opts;
    cli->tables[2] = NULL;
    opt_init(&cli->opts, cli->prog, argc, argv, cli->tables);
}

int admin_cli_other(admin_cli_t *cli, int id)
{
    const opt_parser_t *p = &cli->opts;
    bool help = false;
    int64_t ms;
    switch (id) {
    case OPT_OPERAND:
        return admin_cli_usage(cli, "unexpected argument \"%s\"", p->value);
    case OPT_ERROR:
        return admin_cli_try_help(cli);
    case ADMIN_OPT_TIMEOUT:
        if (!opt_int(p, 1, 86400000, &ms))
            return admin_cli_try_help(cli);
        cli->timeout_ms = (int)ms;
        return CLI_OK;
    case ADMIN_OPT_FORMAT:
        return cli_format_opt(p, &cli->json, NULL) ? CLI_OK : admin_cli_try_help(cli);
    default:
        return cli_client_opt(cli->conf, p, id, &help) == CLI_OK ? CLI_OK : admin_cli_try_help(cli);
    }
}

int admin_cli_check_format(admin_cli_t *cli, bool listing)
{
    if (cli->json && !listing)
        return admin_cli_usage(cli, "--format json goes with --list or --describe");
    return CLI_OK;
}

bool admin_cli_connect(admin_cli_t *cli)
{
    char errstr[512];
    cli->admin = kl_admin_new(cli->conf, errstr, sizeof errstr);
    if (!cli->admin)
        admin_cli_fail(cli, "%s", errstr);
    return cli->admin != NULL;
}

char *admin_cli_config_item(char **p)
{
    char *item = *p, *q = *p;
    int depth = 0;
    while (*q && (*q != ',' || depth)) {
        depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
        q++;
    }
    if (*q)
        *q++ = '\0';
    *p = q;
    return item;
}
