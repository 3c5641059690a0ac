/* What the admin subcommands (topics, configs, groups) share: the common
 * options (-b, -X, --timeout), the admin handle they open, and how they
 * report errors with the CLI_* exit statuses. */
#ifndef KL_TOOLS_ADMIN_CLI_H
#define KL_TOOLS_ADMIN_CLI_H

#include <stdbool.h>

#include <kafkalite.h>

#include "cli.h"
#include "opt_table.h"

#define ADMIN_CLI_DEFAULT_BOOTSTRAP "localhost:9092"
#define ADMIN_CLI_DEFAULT_TIMEOUT_MS 30000

typedef struct admin_cli {
    const char *name;   /* "topics", for messages */
    char prog[32];      /* "kafkalite topics" */
    kl_conf_t *conf;
    int timeout_ms;
    bool json;          /* --format json */
    kl_admin_t *admin;
    const opt_spec_t *tables[3]; /* the command's options, then admin_cli_opts */
    opt_parser_t opts;
} admin_cli_t;

/* The id of --timeout in admin_cli_opts (the others are client_opts.h's
 * shared ids). */
enum { ADMIN_OPT_TIMEOUT = 1100, ADMIN_OPT_FORMAT };

/* -b/--bootstrap-server, -X, --command-config FILE, --timeout MS,
 * --format text|json, -h/--help. */
extern const opt_spec_t admin_cli_opts[];

/* The option lines every admin subcommand's --help ends with. */
#define ADMIN_CLI_COMMON_HELP                                                                  \
    "  -b, --bootstrap-server HOST:PORT  broker(s) to ask (default " ADMIN_CLI_DEFAULT_BOOTSTRAP ")\n" \
    "  -X property=value                 any client property (see kafkalite.conf(5))\n"        \
    "  --command-config FILE             client properties from a Java properties file\n"      \
    "  --timeout MS                      how long to wait for the cluster (default 30000)\n"    \
    "  --format text|json                how listings and descriptions are printed: Kafka's\n" \
    "                                    layout (text, the default) or one JSON object a line\n" \
    "  -h, --help                        this help\n"                                           \
    "\nExit status: 0 done, 1 failed (an error from the cluster, or no answer in time),\n"      \
    "2 bad usage.\n"

/* False when out of memory. */
bool admin_cli_init(admin_cli_t *cli, const char *name);
void admin_cli_free(admin_cli_t *cli);
/* Starts reading argv with the command's own options before the common
 * ones: cli->opts, read with opt_next(&cli->opts). */
void admin_cli_start(admin_cli_t *cli, int argc, char **argv, const opt_spec_t *own);
/* For an id the command does not handle itself: a common option is applied
 * (CLI_OK); an operand or a parse error is CLI_USAGE (message printed). */
int admin_cli_other(admin_cli_t *cli, int id);
/* Opens the admin handle; false (message printed) on failure. */
bool admin_cli_connect(admin_cli_t *cli);
/* Prints "kafkalite NAME: message" and returns CLI_USAGE. */
int admin_cli_usage(admin_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The next item of a kafka-configs list ("a=1,b=[x,y]"): cuts *p at the
 * first comma outside brackets, returns the item and moves *p past it. */
char *admin_cli_config_item(char **p);
/* Prints "kafkalite NAME: message" and returns CLI_FAILED. */
int admin_cli_fail(admin_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NAME: broker message" or "NAME" for an error, in a static buffer. */
const char *admin_cli_err(kl_err_t err, const char *errstr);
/* Parses a non-negative decimal number; false when not one. */
bool admin_cli_number(const char *s, long long *out);
/* CLI_OK, or CLI_USAGE (message printed) when --format json was given to
 * an action that has no JSON output (listing is true for one that has). */
int admin_cli_check_format(admin_cli_t *cli, bool listing);
/* Prints "Try `kafkalite NAME --help'." and returns CLI_USAGE. */
int admin_cli_try_help(admin_cli_t *cli);

#endif
