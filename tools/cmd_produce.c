/* `kafkalite produce -b BOOTSTRAP -t TOPIC [-p PARTITION] [-K DELIM]
 * [-H name=value]... [-X property=value]... [-c]`: one message per line of
 * standard input, every delivery report counted, a final flush. Exit 0
 * when every message was delivered, 1 (saying how many failed) when some
 * were not, 2 for a bad command line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"

#define PROG "kafkalite produce"
#define ERRORS_SHOWN 5 /* the first failures are printed; the rest only counted */

void cmd_produce_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite produce [-b bootstrap] -t topic [-p partition] [-K delimiter]\n"
            "                         [-H name=value]... [-X property=value]... [-c]\n"
            "\n"
            "Produces one message per line of standard input and waits for every delivery\n"
            "report. Exits 0 when all were delivered, 1 when some failed, 2 on bad usage.\n"
            "\n"
            "  -b bootstrap   brokers to start from (default " CLI_DEFAULT_BOOTSTRAP ")\n"
            "  -t topic       topic to produce to\n"
            "  -p partition   partition (default: the partitioner chooses)\n"
            "  -K delimiter   the key is what comes before the first delimiter\n"
            "  -H name=value  adds a header to every message (repeatable)\n"
            "  -X prop=value  sets a client property, see kafkalite.conf(5) (repeatable)\n"
            "  -c             prints how many messages were delivered and failed\n");
}

typedef struct produce_opts {
    const char *topic;
    int32_t partition;
    const char *delim;
    bool counts;
} produce_opts_t;

typedef struct tally {
    uint64_t delivered, failed;
} tally_t;

static void count_failure(tally_t *t, const char *what, kl_err_t err)
{
    if (++t->failed <= ERRORS_SHOWN)
        fprintf(stderr, PROG ": %s: %s\n", what, kl_err_str(err));
    if (t->failed == ERRORS_SHOWN + 1)
        fprintf(stderr, PROG ": further failures are only counted\n");
}

/* Runs inside kl_producer_poll()/flush(), on this thread. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    (void)producer;
    tally_t *t = opaque;
    kl_err_t err = kl_message_error(msg);
    if (err == KL_ERR_NONE)
        t->delivered++;
    else
        count_failure(t, "delivery failed", err);
}

/* Adds "name=value" to headers. CLI_OK or CLI_USAGE. */
static int add_header(kl_headers_t *headers, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, PROG ": -H wants name=value, not \"%s\"\n", arg);
        return CLI_USAGE;
    }
    char *name = strndup(arg, (size_t)(eq - arg));
    kl_err_t err = name ? kl_headers_add(headers, name, eq + 1, strlen(eq + 1)) : KL_ERR_NOMEM;
    free(name);
    if (err) {
        fprintf(stderr, PROG ": -H %s: %s\n", arg, kl_err_str(err));
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int parse_args(int argc, char **argv, produce_opts_t *o, kl_conf_t *conf, kl_headers_t *headers,
                      bool *help)
{
    int opt, rc;
    int64_t n;
    if (cli_wants_help(argc, argv)) {
        *help = true;
        return CLI_OK;
    }
    opterr = 0;
    optind = 1;
    while ((opt = getopt(argc, argv, ":b:t:p:K:H:X:ch")) != -1) {
        switch (opt) {
        case 't':
            o->topic = optarg;
            break;
        case 'p':
            if (!cli_parse_int(PROG, 'p', optarg, 0, INT32_MAX, &n))
                return CLI_USAGE;
            o->partition = (int32_t)n;
            break;
        case 'K':
            if (!*optarg) {
                fprintf(stderr, PROG ": -K wants a non-empty delimiter\n");
                return CLI_USAGE;
            }
            o->delim = optarg;
            break;
        case 'H':
            if ((rc = add_header(headers, optarg)))
                return rc;
            break;
        case 'c':
            o->counts = true;
            break;
        default:
            if ((rc = cli_common_opt(conf, PROG, opt, argv, help)) || *help)
                return rc;
            break;
        }
    }
    if ((rc = cli_check_operands(PROG, argc, argv, o->topic, true)))
        return rc;
    return CLI_OK;
}

/* Queues one line (without its newline), waiting for room when the
 * producer's queue is full. A message refused outright counts as failed. */
static void produce_line(kl_producer_t *producer, const produce_opts_t *o, const kl_headers_t *headers,
                         char *line, size_t len, tally_t *t)
{
    const char *key = NULL, *value = line;
    size_t key_len = 0, value_len = len;
    char *sep = o->delim ? memmem(line, len, o->delim, strlen(o->delim)) : NULL;
    if (sep) { /* no delimiter on the line: no key, the whole line is the value */
        key = line;
        key_len = (size_t)(sep - line);
        value = sep + strlen(o->delim);
        value_len = len - key_len - strlen(o->delim);
    }
    kl_err_t err;
    while ((err = kl_produce_headers(producer, o->topic, o->partition, key, key_len, value, value_len,
                                     kl_headers_count(headers) ? headers : NULL, 0, NULL)) == KL_ERR_QUEUE_FULL)
        kl_producer_poll(producer, 100); /* serve reports to make room */
    if (err)
        count_failure(t, "message refused", err);
}

static int run(const kl_conf_t *conf, const produce_opts_t *o, const kl_headers_t *headers)
{
    tally_t t = {0, 0};
    kl_conf_t *own = kl_conf_dup(conf);
    if (!own) {
        fprintf(stderr, PROG ": out of memory\n");
        return CLI_FAILED;
    }
    kl_conf_set_delivery_cb(own, on_delivery);
    kl_conf_set_opaque(own, &t);
    kl_producer_t *producer = cli_producer_new(own, PROG);
    kl_conf_destroy(own);
    if (!producer)
        return CLI_FAILED;

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t lines = 0;
    while ((n = getline(&line, &cap, stdin)) != -1) {
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        produce_line(producer, o, headers, line, len, &t);
        lines++;
        kl_producer_poll(producer, 0);
    }
    bool read_error = ferror(stdin);
    free(line);
    if (read_error)
        perror(PROG ": reading standard input");

    /* delivery.timeout.ms bounds how long this waits. */
    kl_producer_flush(producer, -1);
    kl_producer_destroy(producer); /* reports of anything left are served here */

    if (o->counts)
        printf("%llu delivered, %llu failed\n", (unsigned long long)t.delivered, (unsigned long long)t.failed);
    if (t.failed) {
        fprintf(stderr, PROG ": %llu of %llu messages failed\n", (unsigned long long)t.failed,
                (unsigned long long)lines);
        return CLI_FAILED;
    }
    return read_error ? CLI_FAILED : CLI_OK;
}

int cmd_produce(int argc, char **argv)
{
    produce_opts_t o = {NULL, KL_PARTITION_UA, NULL, false};
    kl_conf_t *conf = cli_conf_new(PROG);
    kl_headers_t *headers = kl_headers_new();
    if (!conf || !headers) {
        fprintf(stderr, PROG ": out of memory\n");
        kl_conf_destroy(conf);
        kl_headers_destroy(headers);
        return CLI_FAILED;
    }
    bool help = false;
    int rc = parse_args(argc, argv, &o, conf, headers, &help);
    if (help)
        cmd_produce_usage(stdout);
    else if (rc == CLI_USAGE)
        cmd_produce_usage(stderr);
    else if (rc == CLI_OK)
        rc = run(conf, &o, headers);
    kl_headers_destroy(headers);
    kl_conf_destroy(conf);
    return rc;
}
