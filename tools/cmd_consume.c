/* `kafkalite consume -b BOOTSTRAP -t TOPIC [-g GROUP] [-p PARTITION]
 * [-o beginning|end|OFFSET] [--from-beginning] [-e] [-c COUNT] [-f FORMAT]
 * [-X property=value]...`: prints messages as FORMAT says (msg_format.h).
 * Without -g it assigns the partitions itself; with -g it subscribes
 * through the group and commits what it printed. SIGINT and SIGTERM end
 * it cleanly: kl_consumer_close() commits and leaves the group. Exit 0
 * when stopped by -e, -c or a signal, 1 when the consumer could not start
 * or reported an error, 2 for a bad command line. */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client_opts.h"
#include "msg_format.h"
#include "partition_ends.h"

#define PROG "kafkalite consume"
#define POLL_MS 100 /* how often a signal is noticed */

void cmd_consume_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite consume [-b bootstrap] -t topic [-g group] [-p partition]\n"
            "                         [-o beginning|end|offset] [--from-beginning] [-e]\n"
            "                         [-c count] [-f format] [-X property=value]...\n"
            "\n"
            "Prints the messages of a topic, one format per message. Exits 0 when stopped\n"
            "by -e, -c or a signal, 1 when the consumer reported an error, 2 on bad usage.\n"
            "\n"
            "  -b bootstrap      brokers to start from (default " CLI_DEFAULT_BOOTSTRAP ")\n"
            "  -t topic          topic to read\n"
            "  -g group          read through this consumer group, committing what is printed\n"
            "  -p partition      read only this partition (not with -g)\n"
            "  -o where          beginning, end (the default) or an offset (not with -g)\n"
            "  --from-beginning  as -o beginning; with -g, where a group without commits starts\n"
            "  -e                exit once every assigned partition is read to its end\n"
            "  -c count          exit after count messages\n"
            "  -f format         %%t topic, %%p partition, %%o offset, %%k key, %%s value,\n"
            "                    %%K/%%S key/value length, %%T timestamp (ms), %%h headers,\n"
            "                    %%%% a percent sign, \\n \\t \\r \\\\ (default \"%%s\\n\")\n"
            "  -X prop=value     sets a client property, see kafkalite.conf(5) (repeatable)\n");
}

typedef struct consume_opts {
    const char *topic, *group, *format;
    int32_t partition;
    int64_t offset; /* KL_OFFSET_BEGINNING, KL_OFFSET_END or an offset */
    bool offset_given, exit_at_end;
    int64_t count; /* 0: no limit */
} consume_opts_t;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static int parse_offset(const char *text, consume_opts_t *o)
{
    if (!strcmp(text, "beginning"))
        o->offset = KL_OFFSET_BEGINNING;
    else if (!strcmp(text, "end"))
        o->offset = KL_OFFSET_END;
    else if (!cli_parse_int(PROG, 'o', text, 0, INT64_MAX, &o->offset))
        return CLI_USAGE;
    o->offset_given = true;
    return CLI_OK;
}

/* Checks what the options say together; sets the group's properties. */
static int check_args(consume_opts_t *o, kl_conf_t *conf, bool from_beginning)
{
    const char *why;
    if (!o->topic) {
        fprintf(stderr, PROG ": -t topic is required\n");
        return CLI_USAGE;
    }
    if ((why = msg_format_check(o->format))) {
        fprintf(stderr, PROG ": -f: %s\n", why);
        return CLI_USAGE;
    }
    if (from_beginning) {
        if (o->offset_given && o->offset != KL_OFFSET_BEGINNING) {
            fprintf(stderr, PROG ": --from-beginning contradicts -o\n");
            return CLI_USAGE;
        }
        o->offset = KL_OFFSET_BEGINNING;
    }
    if (!o->group)
        return cli_conf_set(conf, PROG, "enable.partition.eof", o->exit_at_end ? "true" : "false");
    if (o->partition != KL_PARTITION_UA || o->offset_given) {
        fprintf(stderr, PROG ": -p and -o choose partitions and offsets by hand: not with -g\n");
        return CLI_USAGE;
    }
    int rc = cli_conf_set(conf, PROG, "group.id", o->group);
    if (!rc && from_beginning)
        rc = cli_conf_set(conf, PROG, "auto.offset.reset", "earliest");
    if (!rc)
        rc = cli_conf_set(conf, PROG, "enable.partition.eof", o->exit_at_end ? "true" : "false");
    return rc;
}

static int parse_args(int argc, char **argv, consume_opts_t *o, kl_conf_t *conf, bool *help)
{
    static const struct option longopts[] = {{"from-beginning", no_argument, NULL, 'B'}, {NULL, 0, NULL, 0}};
    int opt, rc;
    int64_t n;
    bool from_beginning = false;
    if (cli_wants_help(argc, argv)) {
        *help = true;
        return CLI_OK;
    }
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":b:t:g:p:o:ec:f:X:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            o->topic = optarg;
            break;
        case 'g':
            o->group = optarg;
            break;
        case 'p':
            if (!cli_parse_int(PROG, 'p', optarg, 0, INT32_MAX, &n))
                return CLI_USAGE;
            o->partition = (int32_t)n;
            break;
        case 'o':
            if ((rc = parse_offset(optarg, o)))
                return rc;
            break;
        case 'B':
            from_beginning = true;
            break;
        case 'e':
            o->exit_at_end = true;
            break;
        case 'c':
            if (!cli_parse_int(PROG, 'c', optarg, 1, INT64_MAX, &o->count))
                return CLI_USAGE;
            break;
        case 'f':
            o->format = optarg;
            break;
        default:
            if ((rc = cli_common_opt(conf, PROG, opt, argv, help)) || *help)
                return rc;
            break;
        }
    }
    if ((rc = cli_check_operands(PROG, argc, argv, NULL, false)))
        return rc;
    return check_args(o, conf, from_beginning);
}

/* Reads until -c, -e or a signal says to stop. CLI_OK, or CLI_FAILED when
 * the consumer reported an error (printed, and reading goes on). */
static int consume_loop(kl_consumer_t *consumer, const consume_opts_t *o)
{
    partition_ends_t ends = {NULL, 0};
    int64_t printed = 0;
    int rc = CLI_OK;
    while (!stop_signal && (!o->count || printed < o->count)) {
        kl_message_t *msg = kl_consumer_poll(consumer, POLL_MS);
        if (!msg) {
            fflush(stdout); /* idle: let a reader at a pipe see what came */
            continue;
        }
        kl_err_t err = kl_message_error(msg);
        if (!partition_ends_note(&ends, msg))
            err = KL_ERR_NOMEM;
        if (err == KL_ERR_PARTITION_EOF) {
            if (o->exit_at_end && partition_ends_all(&ends, consumer)) {
                kl_message_destroy(msg);
                break;
            }
        } else if (err == KL_ERR_NONE) {
            msg_format_print(stdout, o->format, msg);
            printed++;
        } else {
            size_t len;
            const char *why = kl_message_value(msg, &len);
            fprintf(stderr, PROG ": %s [%d]: %s%s%.*s\n", kl_message_topic(msg) ? kl_message_topic(msg) : "-",
                    (int)kl_message_partition(msg), kl_err_str(err), why && len ? ": " : "", why ? (int)len : 0,
                    why ? why : "");
            rc = CLI_FAILED;
        }
        kl_message_destroy(msg);
    }
    fflush(stdout);
    partition_ends_free(&ends);
    return rc;
}

static int run(const kl_conf_t *conf, const consume_opts_t *o)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns soon anyway */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    kl_consumer_t *consumer = cli_consumer_new(conf, PROG);
    if (!consumer)
        return CLI_FAILED;
    int rc = cli_consumer_start(consumer, conf, PROG, o->topic, o->group != NULL, o->partition, o->offset);
    if (rc == CLI_OK)
        rc = consume_loop(consumer, o);
    /* Commits what was printed (with -g) and leaves the group. */
    kl_err_t err = kl_consumer_close(consumer);
    if (err != KL_ERR_NONE) {
        fprintf(stderr, PROG ": closing: %s\n", kl_err_str(err));
        rc = CLI_FAILED;
    }
    kl_consumer_destroy(consumer);
    return rc;
}

int cmd_consume(int argc, char **argv)
{
    consume_opts_t o = {NULL, NULL, MSG_FORMAT_DEFAULT, KL_PARTITION_UA, KL_OFFSET_END, false, false, 0};
    kl_conf_t *conf = cli_conf_new(PROG);
    if (!conf)
        return CLI_FAILED;
    bool help = false;
    int rc = parse_args(argc, argv, &o, conf, &help);
    if (help)
        cmd_consume_usage(stdout);
    else if (rc == CLI_USAGE)
        cmd_consume_usage(stderr);
    else if (rc == CLI_OK)
        rc = run(conf, &o);
    kl_conf_destroy(conf);
    return rc;
}
