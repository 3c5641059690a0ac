/* The options and set-up shared by the kafkalite client subcommands: -X
 * properties, numeric arguments, the producer and the consumer. See client_opts.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"
#include "client_watch.h"
#include "properties.h"

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

const opt_spec_t cli_client_opts[] = {
    {"bootstrap-server", 'b', OPT_VALUE, CLI_OPT_BOOTSTRAP},
    {"broker-list", 0, OPT_VALUE, CLI_OPT_BOOTSTRAP},
    {NULL, 'X', OPT_VALUE, CLI_OPT_PROPERTY},
    {"help", 'h', OPT_FLAG, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

int cli_client_opt(kl_conf_t *conf, const opt_parser_t *p, int id, bool *help)
{
    switch (id) {
    case CLI_OPT_BOOTSTRAP:
        return cli_conf_set(conf, p->prog, "bootstrap.servers", p->value);
    case CLI_OPT_PROPERTY:
        return cli_conf_set_arg(conf, p->prog, p->value);
    case CLI_OPT_CONFIG_FILE:
        return cli_conf_load_file(conf, p->prog, p->value);
    case CLI_OPT_HELP:
        *help = true;
        return CLI_OK;
    default:
        fprintf(stderr, "%s: %s is not handled here\n", p->prog, p->text);
        return CLI_USAGE;
    }
}

int cli_other_opt(kl_conf_t *conf, const opt_parser_t *p, int id, bool *help)
{
    if (id == OPT_OPERAND) {
        fprintf(stderr, "%s: unexpected argument \"%s\"\n", p->prog, p->value);
        return CLI_USAGE;
    }
    if (id == OPT_ERROR)
        return CLI_USAGE;
    return cli_client_opt(conf, p, id, help);
}

bool cli_format_opt(const opt_parser_t *p, bool *json, const char *hint)
{
    if (strcmp(p->value, "json") && strcmp(p->value, "text")) {
        fprintf(stderr, "%s: %s is text or json, not \"%s\"%s\n", p->prog, p->text, p->value, hint ? hint : "");
        return false;
    }
    *json = !strcmp(p->value, "json");
    return true;
}

typedef struct file_load {
    kl_conf_t *conf;
    const char *prog, *path;
} file_load_t;

static int set_from_file(void *opaque, const char *key, const char *value, int line)
{
    file_load_t *f = opaque;
    char errstr[512];
    if (kl_conf_set(f->conf, key, value, errstr, sizeof errstr) == KL_ERR_NONE)
        return 0;
    fprintf(stderr, "%s: %s:%d: %s\n", f->prog, f->path, line, errstr);
    return 1;
}

int cli_conf_load_file(kl_conf_t *conf, const char *prog, const char *path)
{
    file_load_t f = {conf, prog, path};
    return properties_load(prog, path, set_from_file, &f) ? CLI_FAILED : CLI_OK;
}

kl_producer_t *cli_producer_new(const kl_conf_t *conf, const char *prog)
{
    char errstr[512];
    kl_producer_t *producer = kl_producer_new(conf, errstr, sizeof errstr);
    if (!producer)
        fprintf(stderr, "%s: %s\n", prog, errstr);
    return producer;
}

volatile sig_atomic_t cli_signals_seen, cli_last_signal;

static void on_signal(int sig)
{
    cli_last_signal = sig;
    cli_signals_seen++;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int64_t cli_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

kl_consumer_t *cli_consumer_new(const kl_conf_t *conf, const char *prog)
{
    char errstr[512];
    kl_consumer_t *consumer = kl_consumer_new(conf, errstr, sizeof errstr);
    if (!consumer)
        fprintf(stderr, "%s: %s\n", prog, errstr);
    return consumer;
}

/* How long the topic's metadata may take to come, asked for in slices so
 * that a signal is noticed and a wait is reported. */
#define DESCRIBE_TIMEOUT_MS 30000
#define DESCRIBE_SLICE_MS 500
#define WAIT_NOTE_EVERY_US 5000000

void cli_note_wait(const kl_conf_t *conf, const char *prog, const char *what, int64_t until_us)
{
    char servers[512] = "?", until[32] = "?";
    size_t size = sizeof servers;
    kl_conf_get(conf, "bootstrap.servers", servers, &size);
    time_t when = time(NULL) + (time_t)((until_us - cli_now_us()) / 1000000);
    struct tm tm;
    if (localtime_r(&when, &tm))
        strftime(until, sizeof until, "%H:%M:%S", &tm);
    fprintf(stderr, "%s: no answer yet from %s about %s; trying until %s (Ctrl-C to stop)\n", prog, servers, what,
            until);
}

/* kl_admin_describe_topics() of one topic for up to DESCRIBE_TIMEOUT_MS,
 * saying every few seconds that it still waits; KL_ERR_TIMED_OUT at once
 * after a signal. */
static kl_err_t describe_topic(kl_admin_t *admin, const kl_conf_t *conf, cli_watch_t *watch, const char *prog,
                               const char *topic, kl_admin_topics_t **topics)
{
    int64_t start = cli_now_us(), deadline = start + DESCRIBE_TIMEOUT_MS * 1000LL;
    int64_t next_note = start + WAIT_NOTE_EVERY_US;
    char what[300];
    snprintf(what, sizeof what, "topic %s", topic);
    for (;;) {
        kl_err_t err = kl_admin_describe_topics(admin, &topic, 1, DESCRIBE_SLICE_MS, topics);
        int64_t now = cli_now_us();
        if (err != KL_ERR_TIMED_OUT || cli_signals_seen || now >= deadline)
            return err;
        if (watch->down_addr[0]) { /* the reason is known */
            cli_watch_tick(watch, what, deadline);
        } else if (now >= next_note) {
            cli_note_wait(conf, prog, what, deadline);
            next_note = now + WAIT_NOTE_EVERY_US;
        }
    }
}

/* Adds every partition of topic (as the cluster's metadata describes it)
 * to list (when not NULL) at offset; the number of partitions, 0 (message
 * printed) when none or the topic does not exist. */
static int32_t add_every_partition(const kl_conf_t *conf, const char *prog, const char *topic, int64_t offset,
                                   kl_topic_partition_list_t *list)
{
    char errstr[512];
    cli_watch_t watch;
    kl_conf_t *own = kl_conf_dup(conf);
    if (own)
        cli_watch_init(&watch, prog, own, &watch);
    kl_admin_t *admin = own ? kl_admin_new(own, errstr, sizeof errstr) : NULL;
    kl_conf_destroy(own);
    if (!admin) {
        fprintf(stderr, "%s: %s\n", prog, own ? errstr : "out of memory");
        return 0;
    }
    kl_admin_topics_t *topics = NULL;
    kl_err_t err = describe_topic(admin, conf, &watch, prog, topic, &topics);
    if (!err && topics->count == 1)
        err = topics->items[0].err;
    int32_t n = 0;
    if (!err) {
        const kl_admin_topic_t *t = &topics->items[0];
        for (size_t i = 0; !err && i < t->partition_count; i++, n++)
            err = list ? kl_topic_partition_list_set_offset(list, topic, t->partitions[i].id, offset) : KL_ERR_NONE;
        if (!err && n == 0)
            err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION)
        fprintf(stderr, "%s: topic %s does not exist\n", prog, topic);
    else if (err && !cli_signals_seen)
        fprintf(stderr, "%s: topic %s: %s\n", prog, topic, kl_err_str(err));
    if (err)
        n = 0;
    kl_admin_topics_destroy(topics);
    kl_admin_destroy(admin);
    return n;
}

int cli_consumer_start(kl_consumer_t *consumer, const kl_conf_t *conf, const char *prog, const char *topic,
                       bool group, int32_t partition, int64_t offset)
{
    kl_err_t err;
    if (group) {
        /* A named topic must exist unless the consumer may create it (a
         * group would otherwise wait for it in silence). */
        char create[8] = "false";
        size_t size = sizeof create;
        kl_conf_get(conf, "allow.auto.create.topics", create, &size);
        if (topic[0] != '^' && strcmp(create, "true") && !add_every_partition(conf, prog, topic, 0, NULL))
            return cli_signals_seen ? CLI_OK : CLI_FAILED;
        err = kl_subscribe(consumer, &topic, 1);
        if (err)
            fprintf(stderr, "%s: subscribing to %s: %s\n", prog, topic, kl_err_str(err));
        return err ? CLI_FAILED : CLI_OK;
    }
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    if (!list) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    if (partition != KL_PARTITION_UA)
        err = kl_topic_partition_list_set_offset(list, topic, partition, offset);
    else
        err = add_every_partition(conf, prog, topic, offset, list) ? KL_ERR_NONE : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (!err && (err = kl_assign(consumer, list)) != KL_ERR_NONE)
        fprintf(stderr, "%s: assigning %s: %s\n", prog, topic, kl_err_str(err));
    if (err && !cli_signals_seen) /* a signal while waiting is a clean stop */
        rc = CLI_FAILED;
    kl_topic_partition_list_destroy(list);
    return rc;
}
