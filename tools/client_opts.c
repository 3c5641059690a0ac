/* The options and set-up shared by the kafkalite client subcommands: -X
 * properties, numeric arguments, the producer. See client_opts.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client_opts.h"

kl_conf_t *cli_conf_new(const char *prog)
{
    kl_conf_t *conf = kl_conf_new();
    if (!conf || cli_conf_set(conf, prog, "bootstrap.servers", CLI_DEFAULT_BOOTSTRAP) != CLI_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        kl_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

int cli_conf_set(kl_conf_t *conf, const char *prog, const char *name, const char *value)
{
    char errstr[512];
    if (kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE)
        return CLI_OK;
    fprintf(stderr, "%s: %s\n", prog, errstr);
    return CLI_FAILED;
}

int cli_conf_set_arg(kl_conf_t *conf, const char *prog, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "%s: -X wants property=value, not \"%s\"\n", prog, arg);
        return CLI_USAGE;
    }
    char *name = strndup(arg, (size_t)(eq - arg));
    if (!name) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return CLI_FAILED;
    }
    int rc = cli_conf_set(conf, prog, name, eq + 1);
    free(name);
    return rc;
}

bool cli_parse_int(const char *prog, char opt, const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "%s: -%c wants a whole number between %" PRId64 " and %" PRId64 ", not \"%s\"\n", prog,
                opt, min, max, text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            return true;
    return false;
}

kl_producer_t *cli_producer_new(const kl_conf_t *conf, const char *prog)
{
    char errstr[512];
    kl_producer_t *producer = kl_producer_new(conf, errstr, sizeof errstr);
    if (!producer)
        fprintf(stderr, "%s: %s\n", prog, errstr);
    return producer;
}

int64_t cli_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
