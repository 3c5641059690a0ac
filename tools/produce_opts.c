/* `kafkalite produce`'s options: see produce_opts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client_opts.h"
#include "opt_table.h"
#include "produce_opts.h"
#include "properties.h"

#define PROG PRODUCE_PROG

void produce_opts_init(produce_opts_t *o)
{
    *o = (produce_opts_t){.partition = KL_PARTITION_UA, .max_block_ms = -1};
    line_reader_init(&o->reader);
}

void produce_opts_free(produce_opts_t *o)
{
    for (size_t i = 0; i < o->reader_string_count; i++)
        free(o->reader_strings[i]);
    o->reader_string_count = 0;
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

enum {
    OPT_TOPIC = 1, OPT_PARTITION, OPT_DELIM, OPT_HEADER, OPT_COUNTS, OPT_KAFKA_PROPERTY, OPT_SYNC, OPT_CONF_ALIAS,
    OPT_MAX_MEMORY, OPT_MAX_BLOCK, OPT_SOCKET_BUFFER, OPT_LINE_READER, OPT_READER_CONFIG
};

static const opt_spec_t produce_opts[] = {
    {"topic", 't', OPT_VALUE, OPT_TOPIC},
    {NULL, 'p', OPT_VALUE, OPT_PARTITION},
    {NULL, 'K', OPT_VALUE, OPT_DELIM},
    {NULL, 'H', OPT_VALUE, OPT_HEADER},
    {NULL, 'c', OPT_FLAG, OPT_COUNTS},
    {"property", 0, OPT_VALUE, OPT_KAFKA_PROPERTY},
    {"sync", 0, OPT_FLAG, OPT_SYNC},
    {"producer-property", 0, OPT_VALUE, CLI_OPT_PROPERTY},
    {"producer.config", 0, OPT_VALUE, CLI_OPT_CONFIG_FILE},
    {"request-required-acks", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"compression-codec", 0, OPT_OPTIONAL, OPT_CONF_ALIAS},
    {"timeout", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"request-timeout-ms", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"message-send-max-retries", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"retry-backoff-ms", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"batch-size", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"max-partition-memory-bytes", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"metadata-expiry-ms", 0, OPT_VALUE, OPT_CONF_ALIAS},
    {"max-memory-bytes", 0, OPT_VALUE, OPT_MAX_MEMORY},
    {"max-block-ms", 0, OPT_VALUE, OPT_MAX_BLOCK},
    {"socket-buffer-size", 0, OPT_VALUE, OPT_SOCKET_BUFFER},
    {"line-reader", 0, OPT_VALUE, OPT_LINE_READER},
    {"reader-config", 0, OPT_VALUE, OPT_READER_CONFIG},
    {NULL, 0, 0, 0},
};

/* The client property each OPT_CONF_ALIAS option sets. */
static const struct {
    const char *option, *property, *without_value;
} conf_aliases[] = {
    {"--request-required-acks", "acks", NULL},
    {"--compression-codec", "compression.type", "gzip"}, /* Kafka's default for a bare --compression-codec */
    {"--timeout", "linger.ms", NULL},
    {"--request-timeout-ms", "request.timeout.ms", NULL},
    {"--message-send-max-retries", "retries", NULL},
    {"--retry-backoff-ms", "retry.backoff.ms", NULL},
    {"--batch-size", "batch.size", NULL},
    {"--max-partition-memory-bytes", "batch.size", NULL}, /* Kafka maps both to batch.size */
    {"--metadata-expiry-ms", "metadata.max.age.ms", NULL},
};

static int set_alias(kl_conf_t *conf, const opt_parser_t *p)
{
    for (size_t i = 0; i < sizeof conf_aliases / sizeof conf_aliases[0]; i++)
        if (!strcmp(p->text, conf_aliases[i].option))
            return cli_conf_set(conf, PROG, conf_aliases[i].property,
                                p->value ? p->value : conf_aliases[i].without_value);
    return CLI_USAGE;
}

/* --max-memory-bytes: Kafka's buffer.memory, in bytes; the producer's
 * queue.buffering.max.kbytes, rounded up. */
static int set_max_memory(kl_conf_t *conf, const opt_parser_t *p)
{
    int64_t bytes;
    char kbytes[32];
    if (!opt_int(p, 1, (int64_t)INT32_MAX * 1024, &bytes))
        return CLI_USAGE;
    snprintf(kbytes, sizeof kbytes, "%lld", (long long)((bytes + 1023) / 1024));
    return cli_conf_set(conf, PROG, "queue.buffering.max.kbytes", kbytes);
}

/* --line-reader: Kafka's own line reader is the one built in. */
static int check_line_reader(const char *class)
{
    if (!strcmp(class, "kafka.tools.ConsoleProducer$LineMessageReader") ||
        !strcmp(class, "org.apache.kafka.tools.LineMessageReader"))
        return CLI_OK;
    fprintf(stderr,
            PROG ": --line-reader %s: only Kafka's line reader (org.apache.kafka.tools.LineMessageReader) is "
                 "built in; its settings go to --property or --reader-config\n",
            class);
    return CLI_USAGE;
}

typedef struct reader_load {
    produce_opts_t *o;
    const char *path;
} reader_load_t;

static int reader_setting(void *opaque, const char *key, const char *value, int line)
{
    reader_load_t *l = opaque;
    produce_opts_t *o = l->o;
    char *copy = o->reader_string_count < READER_SETTINGS_MAX ? strdup(value) : NULL;
    if (!copy) {
        fprintf(stderr, PROG ": %s:%d: too many settings\n", l->path, line);
        return CLI_USAGE;
    }
    o->reader_strings[o->reader_string_count++] = copy;
    const char *why = line_reader_set(&o->reader, key, copy);
    if (why) {
        fprintf(stderr, PROG ": %s:%d: %s: %s\n", l->path, line, key, why);
        return CLI_USAGE;
    }
    return 0;
}

/* The line reader's settings: --reader-config's file first, then each
 * --property (which wins, as in Kafka), then -K (kcat's: a line without
 * the delimiter is all value). */
static int set_reader(produce_opts_t *o, const char *file, const char *const *props, size_t prop_count,
                      const char *delim)
{
    if (file) {
        reader_load_t l = {o, file};
        int rc = properties_load(PROG, file, reader_setting, &l);
        if (rc)
            return rc < 0 ? CLI_FAILED : rc;
    }
    for (size_t i = 0; i < prop_count; i++) {
        const char *why = line_reader_set_arg(&o->reader, props[i]);
        if (why) {
            fprintf(stderr, PROG ": --property %s: %s\n", props[i], why);
            return CLI_USAGE;
        }
    }
    if (!delim)
        return CLI_OK;
    if (o->reader.parse_key) {
        fprintf(stderr, PROG ": -K and --property parse.key=true both say how to find the key: give one\n");
        return CLI_USAGE;
    }
    o->reader.parse_key = o->reader.ignore_error = true;
    o->reader.key_separator = delim;
    return CLI_OK;
}

int produce_parse_args(int argc, char **argv, produce_opts_t *o, kl_conf_t *conf, kl_headers_t *headers,
                       bool *help)
{
    static const opt_spec_t *const tables[] = {produce_opts, cli_client_opts, NULL};
    const char *props[READER_SETTINGS_MAX], *reader_file = NULL, *delim = NULL;
    size_t prop_count = 0;
    opt_parser_t p;
    int id, rc = CLI_OK;
    int64_t n;
    if (opt_wants_help(argc, argv)) {
        *help = true;
        return CLI_OK;
    }
    opt_init(&p, PROG, argc, argv, tables);
    while (rc == CLI_OK && (id = opt_next(&p)) != OPT_END) {
        switch (id) {
        case OPT_TOPIC:
            o->topic = p.value;
            break;
        case OPT_PARTITION:
            if (!opt_int(&p, 0, INT32_MAX, &n))
                return CLI_USAGE;
            o->partition = (int32_t)n;
            break;
        case OPT_DELIM:
            if (!*p.value) {
                fprintf(stderr, PROG ": -K wants a non-empty delimiter\n");
                return CLI_USAGE;
            }
            delim = p.value;
            break;
        case OPT_HEADER:
            rc = add_header(headers, p.value);
            break;
        case OPT_COUNTS:
            o->counts = true;
            break;
        case OPT_KAFKA_PROPERTY:
            if (prop_count == READER_SETTINGS_MAX) {
                fprintf(stderr, PROG ": at most %d --property options\n", READER_SETTINGS_MAX);
                return CLI_USAGE;
            }
            props[prop_count++] = p.value;
            break;
        case OPT_READER_CONFIG:
            reader_file = p.value;
            break;
        case OPT_LINE_READER:
            rc = check_line_reader(p.value);
            break;
        case OPT_SYNC:
            o->sync = true;
            break;
        case OPT_CONF_ALIAS:
            rc = set_alias(conf, &p);
            break;
        case OPT_MAX_MEMORY:
            rc = set_max_memory(conf, &p);
            break;
        case OPT_MAX_BLOCK:
            if (!opt_int(&p, 0, INT32_MAX, &o->max_block_ms))
                return CLI_USAGE;
            break;
        case OPT_SOCKET_BUFFER:
            if (!opt_int(&p, -1, INT32_MAX, &n))
                return CLI_USAGE;
            fprintf(stderr, PROG ": --socket-buffer-size ignored: the kernel sizes the sockets' buffers here\n");
            break;
        default:
            rc = cli_other_opt(conf, &p, id, help);
            break;
        }
    }
    if (rc || *help)
        return rc;
    if ((rc = set_reader(o, reader_file, props, prop_count, delim)))
        return rc;
    if (!o->topic) {
        fprintf(stderr, PROG ": -t topic is required\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

