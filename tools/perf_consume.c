/* `kafkalite perf consume -b B -t T [-n COUNT] [-g GROUP] [-X
 * property=value]...`: reads a topic from its beginning as fast as the
 * consumer goes, up to COUNT messages or the end of every partition, and
 * prints messages/s and MB/s (of keys and values) timed from the first
 * message to the last. On a terminal a progress line is refreshed every
 * second. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"
#include "json_out.h"
#include "opt_table.h"
#include "perf_window.h"
#include "partition_ends.h"

#define PROG "kafkalite perf consume"
#define PROGRESS_EVERY_US 1000000
#define IDLE_POLL_MS 100

typedef struct perf_consume_opts {
    const char *topic;
    bool group;
    int64_t count; /* 0: up to the end */
    bool json;     /* --format json */
} perf_consume_opts_t;

typedef struct perf_consume_state {
    int64_t first_us, last_us, next_progress_us;
    uint64_t messages, bytes, errors;
    bool progress; /* stdout is a terminal (and the output text) */
    perf_output_t output;
    perf_window_t window;
} perf_consume_state_t;

enum { OPT_TOPIC = 1, OPT_COUNT, OPT_GROUP, OPT_FORMAT };

static const opt_spec_t perf_consume_opts[] = {
    {"topic", 't', OPT_VALUE, OPT_TOPIC},
    {"messages", 'n', OPT_VALUE, OPT_COUNT},
    {"group", 'g', OPT_VALUE, OPT_GROUP},
    {"consumer.config", 0, OPT_VALUE, CLI_OPT_CONFIG_FILE},
    {"format", 0, OPT_VALUE, OPT_FORMAT},
    {NULL, 0, 0, 0},
};

static int parse_args(int argc, char **argv, perf_consume_opts_t *o, kl_conf_t *conf, bool *help)
{
    static const opt_spec_t *const tables[] = {perf_consume_opts, cli_client_opts, NULL};
    opt_parser_t p;
    int id, rc = CLI_OK;
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
        case OPT_COUNT:
            if (!opt_int(&p, 1, INT64_MAX, &o->count))
                return CLI_USAGE;
            break;
        case OPT_GROUP:
            o->group = true;
            rc = cli_conf_set(conf, PROG, "group.id", p.value);
            break;
        case OPT_FORMAT:
            if (!cli_format_opt(&p, &o->json, NULL))
                return CLI_USAGE;
            break;
        default:
            rc = cli_other_opt(conf, &p, id, help);
            break;
        }
    }
    if (rc || *help)
        return rc;
    if (!o->topic) {
        fprintf(stderr, PROG ": -t topic is required\n");
        return CLI_USAGE;
    }
    /* From the beginning, knowing where the end is. */
    rc = cli_conf_set(conf, PROG, "enable.partition.eof", "true");
    if (!rc && o->group)
        rc = cli_conf_set(conf, PROG, "auto.offset.reset", "earliest");
    return rc;
}

static void show_progress(perf_consume_state_t *st, bool last)
{
    int64_t now = cli_now_us();
    if (!last)
        perf_window_tick(&st->window, now, "received", false, st->output);
    if (!st->progress || (!last && now < st->next_progress_us))
        return;
    st->next_progress_us = now + PROGRESS_EVERY_US;
    double secs = st->messages ? (double)(now - st->first_us) / 1e6 : 0;
    printf("\r%llu consumed, %.0f msg/s   %s", (unsigned long long)st->messages,
           secs > 0 ? (double)st->messages / secs : 0.0, last ? "\n" : "");
    fflush(stdout);
}

/* Counts one message or event; true when reading should stop. */
static bool count_message(perf_consume_state_t *st, const perf_consume_opts_t *o, kl_consumer_t *consumer,
                          partition_ends_t *ends, const kl_message_t *msg)
{
    kl_err_t err = kl_message_error(msg);
    if (!partition_ends_note(ends, msg))
        err = KL_ERR_NOMEM;
    if (err == KL_ERR_PARTITION_EOF)
        return partition_ends_all(ends, consumer);
    if (err != KL_ERR_NONE) {
        if (!st->errors++)
            fprintf(stderr, PROG ": %s [%d]: %s\n", kl_message_topic(msg) ? kl_message_topic(msg) : "-",
                    (int)kl_message_partition(msg), kl_err_str(err));
        return false;
    }
    size_t key_len = 0, value_len = 0;
    kl_message_key(msg, &key_len);
    kl_message_value(msg, &value_len);
    st->last_us = cli_now_us();
    if (!st->messages++)
        st->first_us = st->last_us;
    st->bytes += key_len + value_len;
    perf_window_add(&st->window, key_len + value_len, -1);
    return o->count && (int64_t)st->messages >= o->count;
}

static void json_summary(const perf_consume_state_t *st, const perf_consume_opts_t *o, double secs)
{
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "kind", "summary");
    json_str(&j, "topic", o->topic);
    json_int(&j, "records", (int64_t)st->messages);
    json_int(&j, "bytes", (int64_t)st->bytes);
    json_int(&j, "errors", (int64_t)st->errors);
    json_real(&j, "seconds", secs);
    json_real(&j, "records_per_sec", (double)st->messages / secs);
    json_real(&j, "mb_per_sec", (double)st->bytes / 1e6 / secs);
    json_end(&j);
}

static int run(const kl_conf_t *conf, const perf_consume_opts_t *o)
{
    perf_consume_state_t st = {.progress = !o->json && isatty(STDOUT_FILENO)};
    st.output = o->json ? PERF_JSON : st.progress ? PERF_TEXT_TERMINAL : PERF_TEXT;
    partition_ends_t ends = {NULL, 0};
    kl_consumer_t *consumer = cli_consumer_new(conf, PROG);
    if (!consumer)
        return CLI_FAILED;
    int rc = cli_consumer_start(consumer, conf, PROG, o->topic, o->group, KL_PARTITION_UA, KL_OFFSET_BEGINNING);
    st.next_progress_us = cli_now_us() + PROGRESS_EVERY_US;
    perf_window_start(&st.window, cli_now_us());
    for (bool done = rc != CLI_OK; !done;) {
        kl_message_t *msg = kl_consumer_poll(consumer, IDLE_POLL_MS);
        if (msg) {
            done = count_message(&st, o, consumer, &ends, msg);
            kl_message_destroy(msg);
        }
        show_progress(&st, false);
    }
    show_progress(&st, true);
    kl_consumer_close(consumer);
    kl_consumer_destroy(consumer);
    partition_ends_free(&ends);
    if (rc != CLI_OK)
        return rc;

    int64_t elapsed = st.last_us - st.first_us;
    double secs = elapsed > 0 ? (double)elapsed / 1e6 : 1e-6;
    if (o->json)
        json_summary(&st, o, secs);
    else
        printf("%llu messages (%llu bytes) from %s in %.3f s: %.0f msg/s, %.2f MB/s\n", (unsigned long long)st.messages,
               (unsigned long long)st.bytes, o->topic, secs, (double)st.messages / secs,
               (double)st.bytes / 1e6 / secs);
    if (st.errors) {
        fprintf(stderr, PROG ": the consumer reported %llu errors\n", (unsigned long long)st.errors);
        return CLI_FAILED;
    }
    if (o->count && (int64_t)st.messages < o->count) {
        fprintf(stderr, PROG ": the topic ended after %llu of %lld messages\n", (unsigned long long)st.messages,
                (long long)o->count);
        return CLI_FAILED;
    }
    return CLI_OK;
}

int perf_consume(int argc, char **argv)
{
    perf_consume_opts_t o = {NULL, false, 0, false};
    kl_conf_t *conf = cli_conf_new(PROG);
    if (!conf)
        return CLI_FAILED;
    bool help = false;
    int rc = parse_args(argc, argv, &o, conf, &help);
    if (help)
        cmd_perf_usage(stdout);
    else if (rc == CLI_USAGE)
        cmd_perf_usage(stderr);
    else if (rc == CLI_OK)
        rc = run(conf, &o);
    kl_conf_destroy(conf);
    return rc;
}
