/* `kafkalite consume -b BOOTSTRAP -t TOPIC [-g GROUP] [-p PARTITION]
 * [-o beginning|end|OFFSET] [--from-beginning] [-e] [-c COUNT] [-f FORMAT]
 * [-X property=value]...`: prints messages as FORMAT says (msg_format.h).
 * Without -g it assigns the partitions itself; with -g it subscribes
 * through the group and commits what it printed. SIGINT and SIGTERM end
 * it cleanly: kl_consumer_close() commits and leaves the group. Exit 0
 * when stopped by -e, -c or a signal, 1 when the consumer could not start
 * or reported an error, 2 for a bad command line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"
#include "client_watch.h"
#include "kafka_format.h"
#include "opt_table.h"
#include "msg_format.h"
#include "partition_ends.h"
#include "progress_line.h"

#define PROG "kafkalite consume"
#define POLL_MS 100 /* how often a signal is noticed */

void cmd_consume_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite consume [-b bootstrap] -t topic [-g group] [-p partition]\n"
            "                         [-o beginning|end|offset] [--from-beginning] [-e]\n"
            "                         [-c count] [-f format] [-X property=value]...\n"
            "       kafkalite consume --bootstrap-server B --topic T [--from-beginning]\n"
            "                         [--property print.key=true]... [--max-messages N]\n"
            "\n"
            "Prints the messages of a topic, one format per message. Exits 0 when stopped\n"
            "by -e, -c, --timeout-ms or a signal, 1 when the consumer reported an error,\n"
            "2 on bad usage.\n"
            "\n"
            "  -b, --bootstrap-server B  brokers to start from (default " CLI_DEFAULT_BOOTSTRAP ")\n"
            "  -t, --topic T             topic to read\n"
            "  --include, --whitelist RE the topics matching a regular expression (through\n"
            "                            -g's group, or a group of its own)\n"
            "  -g, --group G             read through this group, committing what is printed\n"
            "  -p, --partition P         read only this partition (not with -g)\n"
            "  -o, --offset WHERE        beginning|earliest, end|latest (the default) or an\n"
            "                            offset (not with -g)\n"
            "  --from-beginning          as -o beginning; with -g, where a group without\n"
            "                            commits starts\n"
            "  -e                        exit once every assigned partition is read to its end\n"
            "  -c, --max-messages N      exit after N messages\n"
            "  --timeout-ms MS           exit when no message came for MS milliseconds\n"
            "  -f format                 %%t topic, %%p partition, %%o offset, %%k key, %%s value,\n"
            "                            %%K/%%S key/value length, %%T timestamp (ms), %%h headers,\n"
            "                            %%%% a percent sign, \\n \\t \\r \\\\ (default \"%%s\\n\")\n"
            "  --format text|json        json: one JSON object a line per message (topic,\n"
            "                            partition, offset, timestamp, key, value, headers)\n"
            "  --property NAME=VALUE     Kafka's layout: print.key, print.value, print.timestamp,\n"
            "                            print.partition, print.offset, print.headers (true|false),\n"
            "                            key.separator, line.separator, headers.separator,\n"
            "                            headers.key.separator\n"
            "  -X, --consumer-property prop=value\n"
            "                            sets a client property, see kafkalite.conf(5)\n"
            "  --consumer.config FILE    client properties from a Java properties file\n"
            "  --isolation-level L       read_committed or read_uncommitted\n");
}

typedef struct consume_opts {
    const char *topic, *group, *format;
    int32_t partition;
    int64_t offset; /* KL_OFFSET_BEGINNING, KL_OFFSET_END or an offset */
    bool offset_given, exit_at_end, pattern, format_given, json;
    int64_t count;      /* 0: no limit */
    int64_t timeout_ms; /* 0: no limit */
    kafka_format_t kafka;
} consume_opts_t;

static int parse_offset(const opt_parser_t *p, consume_opts_t *o)
{
    if (!strcmp(p->value, "beginning") || !strcmp(p->value, "earliest"))
        o->offset = KL_OFFSET_BEGINNING;
    else if (!strcmp(p->value, "end") || !strcmp(p->value, "latest"))
        o->offset = KL_OFFSET_END;
    else if (!opt_int(p, 0, INT64_MAX, &o->offset))
        return CLI_USAGE;
    o->offset_given = true;
    return CLI_OK;
}

/* Checks what the options say together; sets the group's properties. */
static int check_args(consume_opts_t *o, kl_conf_t *conf, bool from_beginning)
{
    const char *why;
    if (!o->topic) {
        fprintf(stderr, PROG ": -t topic is required (or --include pattern)\n");
        return CLI_USAGE;
    }
    if ((why = msg_format_check(o->format))) {
        fprintf(stderr, PROG ": -f: %s\n", why);
        return CLI_USAGE;
    }
    if (o->kafka.used + o->format_given + o->json > 1) {
        fprintf(stderr, PROG ": -f, --property print.* and --format json all say how to print: give one\n");
        return CLI_USAGE;
    }
    if (from_beginning) {
        if (o->offset_given && o->offset != KL_OFFSET_BEGINNING) {
            fprintf(stderr, PROG ": --from-beginning contradicts -o\n");
            return CLI_USAGE;
        }
        o->offset = KL_OFFSET_BEGINNING;
    }
    if (o->pattern && !o->group) {
        /* As Kafka's console consumer: a pattern is followed through a group of its own. */
        static char own_group[64];
        snprintf(own_group, sizeof own_group, "console-consumer-%ld", (long)getpid());
        o->group = own_group;
    }
    if (!o->group)
        return cli_conf_set(conf, PROG, "enable.partition.eof", o->exit_at_end ? "true" : "false");
    if (o->partition != KL_PARTITION_UA || o->offset_given) {
        fprintf(stderr, PROG ": -p and -o choose partitions and offsets by hand: not with -g or --include\n");
        return CLI_USAGE;
    }
    int rc = cli_conf_set(conf, PROG, "group.id", o->group);
    if (!rc && from_beginning)
        rc = cli_conf_set(conf, PROG, "auto.offset.reset", "earliest");
    if (!rc)
        rc = cli_conf_set(conf, PROG, "enable.partition.eof", o->exit_at_end ? "true" : "false");
    return rc;
}

enum {
    OPT_TOPIC = 1, OPT_INCLUDE, OPT_GROUP, OPT_PARTITION, OPT_OFFSET, OPT_FROM_BEGINNING, OPT_EXIT_AT_END,
    OPT_COUNT, OPT_TIMEOUT, OPT_FORMAT, OPT_KAFKA_PROPERTY, OPT_ISOLATION, OPT_OUTPUT
};

static const opt_spec_t consume_opts[] = {
    {"topic", 't', OPT_VALUE, OPT_TOPIC},
    {"include", 0, OPT_VALUE, OPT_INCLUDE},
    {"whitelist", 0, OPT_VALUE, OPT_INCLUDE},
    {"group", 'g', OPT_VALUE, OPT_GROUP},
    {"partition", 'p', OPT_VALUE, OPT_PARTITION},
    {"offset", 'o', OPT_VALUE, OPT_OFFSET},
    {"from-beginning", 0, OPT_FLAG, OPT_FROM_BEGINNING},
    {NULL, 'e', OPT_FLAG, OPT_EXIT_AT_END},
    {"max-messages", 'c', OPT_VALUE, OPT_COUNT},
    {"timeout-ms", 0, OPT_VALUE, OPT_TIMEOUT},
    {NULL, 'f', OPT_VALUE, OPT_FORMAT},
    {"format", 0, OPT_VALUE, OPT_OUTPUT},
    {"property", 0, OPT_VALUE, OPT_KAFKA_PROPERTY},
    {"isolation-level", 0, OPT_VALUE, OPT_ISOLATION},
    {"consumer-property", 0, OPT_VALUE, CLI_OPT_PROPERTY},
    {"consumer.config", 0, OPT_VALUE, CLI_OPT_CONFIG_FILE},
    {NULL, 0, 0, 0},
};

/* A pattern for kl_subscribe(): the regular expression anchored with '^'. */
static int set_pattern(consume_opts_t *o, const char *regex)
{
    static char pattern[1024];
    if (strlen(regex) + 2 > sizeof pattern) {
        fprintf(stderr, PROG ": --include: the pattern is too long\n");
        return CLI_USAGE;
    }
    snprintf(pattern, sizeof pattern, "%s%s", regex[0] == '^' ? "" : "^", regex);
    o->topic = pattern;
    o->pattern = true;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, consume_opts_t *o, kl_conf_t *conf, bool *help)
{
    static const opt_spec_t *const tables[] = {consume_opts, cli_client_opts, NULL};
    opt_parser_t p;
    int id, rc = CLI_OK;
    int64_t n;
    bool from_beginning = false;
    const char *why;
    if (opt_wants_help(argc, argv)) {
        *help = true;
        return CLI_OK;
    }
    opt_init(&p, PROG, argc, argv, tables);
    while (rc == CLI_OK && (id = opt_next(&p)) != OPT_END) {
        switch (id) {
        case OPT_TOPIC:
        case OPT_INCLUDE:
            if (o->topic) {
                fprintf(stderr, PROG ": give one topic (-t) or one pattern (--include)\n");
                return CLI_USAGE;
            }
            if (id == OPT_INCLUDE)
                rc = set_pattern(o, p.value);
            else
                o->topic = p.value;
            break;
        case OPT_GROUP:
            o->group = p.value;
            break;
        case OPT_PARTITION:
            if (!opt_int(&p, 0, INT32_MAX, &n))
                return CLI_USAGE;
            o->partition = (int32_t)n;
            break;
        case OPT_OFFSET:
            rc = parse_offset(&p, o);
            break;
        case OPT_FROM_BEGINNING:
            from_beginning = true;
            break;
        case OPT_EXIT_AT_END:
            o->exit_at_end = true;
            break;
        case OPT_COUNT:
            if (!opt_int(&p, 1, INT64_MAX, &o->count))
                return CLI_USAGE;
            break;
        case OPT_TIMEOUT:
            if (!opt_int(&p, 1, INT32_MAX, &o->timeout_ms))
                return CLI_USAGE;
            break;
        case OPT_FORMAT:
            o->format = p.value;
            o->format_given = true;
            break;
        case OPT_OUTPUT:
            if (!cli_format_opt(&p, &o->json, " (a kcat format goes to -f)"))
                return CLI_USAGE;
            break;
        case OPT_KAFKA_PROPERTY:
            if ((why = kafka_format_set(&o->kafka, p.value))) {
                fprintf(stderr, PROG ": %s, not \"%s\"\n", why, p.value);
                return CLI_USAGE;
            }
            break;
        case OPT_ISOLATION:
            rc = cli_conf_set(conf, PROG, "isolation.level", p.value);
            break;
        default:
            rc = cli_other_opt(conf, &p, id, help);
            break;
        }
    }
    if (rc || *help)
        return rc;
    return check_args(o, conf, from_beginning);
}

/* Reads until -c, -e or a signal says to stop. CLI_OK, or CLI_FAILED when
 * the consumer reported an error (printed, and reading goes on). */
static int consume_loop(kl_consumer_t *consumer, const consume_opts_t *o, cli_watch_t *watch)
{
    partition_ends_t ends = {NULL, 0};
    int64_t printed = 0, last_us = cli_now_us(), start_us = last_us;
    int rc = CLI_OK;
    while (!cli_signals_seen && (!o->count || printed < o->count)) {
        kl_message_t *msg = kl_consumer_poll(consumer, POLL_MS);
        if (progress_line_due()) {
            double secs = (double)(cli_now_us() - start_us) / 1e6;
            progress_line_update(PROG ": %lld messages, %.0f msg/s", (long long)printed,
                                 secs > 0 ? (double)printed / secs : 0.0);
        }
        if (!msg) {
            fflush(stdout); /* idle: let a reader at a pipe see what came */
            cli_watch_tick(watch, "the messages", 0);
            if (o->timeout_ms && cli_now_us() - last_us >= o->timeout_ms * 1000)
                break;
            continue;
        }
        kl_err_t err = kl_message_error(msg);
        if (!partition_ends_note(&ends, msg))
            err = KL_ERR_NOMEM;
        if (err == KL_ERR_NONE || err == KL_ERR_PARTITION_EOF)
            cli_watch_progress(watch); /* the cluster answers */
        if (err == KL_ERR_PARTITION_EOF) {
            if (o->exit_at_end && partition_ends_all(&ends, consumer)) {
                kl_message_destroy(msg);
                break;
            }
        } else if (err == KL_ERR_NONE) {
            if (o->json)
                msg_json_print(stdout, msg);
            else if (o->kafka.used)
                kafka_format_print(stdout, &o->kafka, msg);
            else
                msg_format_print(stdout, o->format, msg);
            printed++;
            last_us = cli_now_us();
        } else {
            size_t len;
            const char *why = kl_message_value(msg, &len);
            progress_line_clear();
            fprintf(stderr, PROG ": %s [%d]: %s%s%.*s\n", kl_message_topic(msg) ? kl_message_topic(msg) : "-",
                    (int)kl_message_partition(msg), kl_err_str(err), why && len ? ": " : "", why ? (int)len : 0,
                    why ? why : "");
            rc = CLI_FAILED;
        }
        kl_message_destroy(msg);
    }
    fflush(stdout);
    progress_line_clear();
    partition_ends_free(&ends);
    return rc;
}

static int run(const kl_conf_t *conf, const consume_opts_t *o)
{
    cli_catch_signals();
    progress_line_start(!isatty(STDOUT_FILENO)); /* not between the messages printed */

    cli_watch_t watch;
    kl_conf_t *own = kl_conf_dup(conf);
    if (!own) {
        fprintf(stderr, PROG ": out of memory\n");
        return CLI_FAILED;
    }
    cli_watch_init(&watch, PROG, own, &watch);
    kl_consumer_t *consumer = cli_consumer_new(own, PROG);
    kl_conf_destroy(own);
    if (!consumer)
        return CLI_FAILED;
    int rc = cli_consumer_start(consumer, conf, PROG, o->topic, o->group != NULL, o->partition, o->offset);
    if (rc == CLI_OK)
        rc = consume_loop(consumer, o, &watch);
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
    consume_opts_t o = {.format = MSG_FORMAT_DEFAULT, .partition = KL_PARTITION_UA, .offset = KL_OFFSET_END};
    kafka_format_init(&o.kafka);
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
