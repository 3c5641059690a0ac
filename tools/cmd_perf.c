/* `kafkalite perf produce -b B -t T [-n COUNT] [-s SIZE] [-r RATE]
 * [-X property=value]...`: a load generator. Sends COUNT messages of SIZE
 * bytes (at most RATE a second), then prints messages/s, MB/s and the
 * delivery latency percentiles, from kl_produce() to the delivery report.
 * Every 5 s a line says what the last 5 s delivered, as Kafka's
 * kafka-producer-perf-test.sh does; on a terminal a progress line is also
 * refreshed every second.
 * `perf consume` is in perf_consume.c. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"
#include "client_watch.h"
#include "opt_table.h"
#include "json_out.h"
#include "latency.h"
#include "perf_window.h"

#define PROG "kafkalite perf produce"
#define PROGRESS_EVERY_US 1000000

void cmd_perf_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite perf produce [-b bootstrap] -t topic [-n count] [-s size]\n"
            "                              [-r rate] [-X property=value]...\n"
            "       kafkalite perf consume [-b bootstrap] -t topic [-n count] [-g group]\n"
            "                              [-X property=value]...\n"
            "\n"
            "perf produce produces count messages of size bytes as fast as it can (or rate\n"
            "a second) and prints messages/s, MB/s (10^6 bytes of values) and the delivery\n"
            "latency percentiles. Exits 0 when every message was delivered, 1 otherwise.\n"
            "\n"
            "perf consume reads the topic from its beginning (through group when given), up\n"
            "to count messages or the end of every partition, and prints messages/s and\n"
            "MB/s (of keys and values) from the first message to the last. Exits 0 unless\n"
            "the consumer reported an error or the topic ended before count messages.\n"
            "\n"
            "  -b, --bootstrap-server bootstrap\n"
            "                 brokers to start from (default " CLI_DEFAULT_BOOTSTRAP ")\n"
            "  -t, --topic topic\n"
            "                 topic to produce to or read\n"
            "  -n, --num-records (produce), --messages (consume) count\n"
            "                 messages to send (default 100000), or at most to read\n"
            "  -g, --group group\n"
            "                 (consume) read through this consumer group\n"
            "  -s, --record-size size\n"
            "                 bytes of each message's value (default 100)\n"
            "  -r, --throughput rate\n"
            "                 most messages a second (default 0: no limit)\n"
            "  -X prop=value, --producer-props prop=value...\n"
            "                 sets a client property, see kafkalite.conf(5) (repeatable)\n"
            "  --producer.config, --consumer.config file\n"
            "                 client properties from a Java properties file\n"
            "  --format text|json\n"
            "                 json: the 5-second lines and the summary as JSON objects,\n"
            "                 one a line (no progress line)\n");
}

typedef struct perf_opts {
    const char *topic;
    int64_t count, size, rate;
    bool json; /* --format json */
} perf_opts_t;

typedef struct perf_state {
    cli_watch_t watch; /* first: the callbacks' opaque starts with it */
    bool missing_topic;
    int64_t start_us;
    uint64_t sent, delivered, failed;
    kl_err_t first_error;
    latency_t latency;
    bool progress; /* stdout is a terminal (and the output text) */
    perf_output_t output;
    int64_t next_progress_us;
    perf_window_t window;
    int64_t size;
} perf_state_t;

/* The message's opaque carries the time it was produced. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    (void)producer;
    perf_state_t *st = opaque;
    if (kl_message_error(msg) != KL_ERR_NONE) {
        if (!st->failed++)
            st->first_error = kl_message_error(msg);
        return;
    }
    st->delivered++;
    cli_watch_progress(&st->watch);
    int64_t latency = cli_now_us() - (int64_t)(intptr_t)kl_message_opaque(msg);
    latency_add(&st->latency, latency);
    perf_window_add(&st->window, (uint64_t)st->size, latency);
}

static void show_progress(perf_state_t *st, bool last)
{
    int64_t now = cli_now_us();
    if (!last)
        perf_window_tick(&st->window, now, "sent", true, st->output);
    if (!st->progress || (!last && now < st->next_progress_us))
        return;
    st->next_progress_us = now + PROGRESS_EVERY_US;
    double secs = (double)(now - st->start_us) / 1e6;
    printf("\r%llu sent, %llu delivered, %llu failed, %.0f msg/s   %s", (unsigned long long)st->sent,
           (unsigned long long)st->delivered, (unsigned long long)st->failed,
           secs > 0 ? (double)st->delivered / secs : 0.0, last ? "\n" : "");
    fflush(stdout);
}

enum { OPT_TOPIC = 1, OPT_COUNT, OPT_SIZE, OPT_RATE, OPT_PROPS, OPT_FORMAT };

static const opt_spec_t perf_opts[] = {
    {"topic", 't', OPT_VALUE, OPT_TOPIC},
    {"num-records", 'n', OPT_VALUE, OPT_COUNT},
    {"record-size", 's', OPT_VALUE, OPT_SIZE},
    {"throughput", 'r', OPT_VALUE, OPT_RATE},
    {"producer-props", 0, OPT_VALUE, OPT_PROPS},
    {"producer.config", 0, OPT_VALUE, CLI_OPT_CONFIG_FILE},
    {"format", 0, OPT_VALUE, OPT_FORMAT},
    {NULL, 0, 0, 0},
};

static int parse_args(int argc, char **argv, perf_opts_t *o, kl_conf_t *conf, bool *help)
{
    static const opt_spec_t *const tables[] = {perf_opts, cli_client_opts, NULL};
    opt_parser_t p;
    int id, rc = CLI_OK;
    bool props = false; /* after --producer-props: name=value operands are properties too */
    if (opt_wants_help(argc, argv)) {
        *help = true;
        return CLI_OK;
    }
    opt_init(&p, PROG, argc, argv, tables);
    while (rc == CLI_OK && (id = opt_next(&p)) != OPT_END) {
        if (id == OPT_OPERAND && props && strchr(p.value, '=')) {
            rc = cli_conf_set_arg(conf, PROG, p.value);
            continue;
        }
        props = id == OPT_PROPS;
        switch (id) {
        case OPT_TOPIC:
            o->topic = p.value;
            break;
        case OPT_COUNT:
            if (!opt_int(&p, 1, INT32_MAX, &o->count))
                return CLI_USAGE;
            break;
        case OPT_SIZE:
            if (!opt_int(&p, 0, 100000000, &o->size))
                return CLI_USAGE;
            break;
        case OPT_RATE: /* Kafka's -1: no limit */
            if (!opt_int(&p, -1, 100000000, &o->rate))
                return CLI_USAGE;
            if (o->rate < 0)
                o->rate = 0;
            break;
        case OPT_PROPS:
            rc = cli_conf_set_arg(conf, PROG, p.value);
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
    return CLI_OK;
}

/* Says whom the producer is still trying to reach; false (reported) when
 * the cluster said the topic does not exist: it will not appear. */
static bool still_worth_it(perf_state_t *st, kl_producer_t *producer, int64_t until_us)
{
    if (st->missing_topic)
        return false;
    if (st->watch.missing_topic[0]) {
        st->missing_topic = true;
        fprintf(stderr, PROG ": topic %s does not exist and the cluster does not create topics on use\n",
                st->watch.missing_topic);
        kl_producer_purge(producer, KL_PURGE_QUEUE | KL_PURGE_INFLIGHT);
        return false;
    }
    char waiting[64];
    snprintf(waiting, sizeof waiting, "%zu messages", kl_producer_outstanding(producer));
    cli_watch_tick(&st->watch, waiting, until_us);
    return true;
}

/* Waits until message i is due under the rate limit, serving delivery
 * reports meanwhile. */
static void pace(kl_producer_t *producer, perf_state_t *st, const perf_opts_t *o, int64_t i)
{
    if (!o->rate)
        return;
    int64_t due = st->start_us + i * 1000000 / o->rate;
    for (int64_t now = cli_now_us(); now < due && still_worth_it(st, producer, 0); now = cli_now_us()) {
        kl_producer_poll(producer, (int)((due - now + 999) / 1000));
        show_progress(st, false);
    }
}

static void json_summary(perf_state_t *st, const perf_opts_t *o, double secs)
{
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "kind", "summary");
    json_str(&j, "topic", o->topic);
    json_int(&j, "records", (int64_t)st->delivered);
    json_int(&j, "failed", (int64_t)st->failed);
    json_int(&j, "record_size", o->size);
    json_real(&j, "seconds", secs);
    json_real(&j, "records_per_sec", (double)st->delivered / secs);
    json_real(&j, "mb_per_sec", (double)st->delivered * (double)o->size / 1e6 / secs);
    json_open(&j, "latency_ms", '{');
    static const struct {
        const char *name;
        double percentile;
    } marks[] = {{"p50", 50}, {"p95", 95}, {"p99", 99}, {"max", 100}};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        json_real(&j, marks[i].name, (double)latency_percentile(&st->latency, marks[i].percentile) / 1e3);
    json_close(&j, '{');
    json_end(&j);
}

static void print_summary(perf_state_t *st, const perf_opts_t *o, int64_t elapsed_us)
{
    double secs = elapsed_us > 0 ? (double)elapsed_us / 1e6 : 1e-6;
    if (o->json) {
        json_summary(st, o, secs);
        return;
    }
    printf("%llu messages of %lld bytes to %s in %.3f s: %.0f msg/s, %.2f MB/s\n",
           (unsigned long long)st->delivered, (long long)o->size, o->topic, secs, (double)st->delivered / secs,
           (double)st->delivered * (double)o->size / 1e6 / secs);
    printf("delivery latency ms: p50 %.3f, p95 %.3f, p99 %.3f, max %.3f\n",
           (double)latency_percentile(&st->latency, 50) / 1e3, (double)latency_percentile(&st->latency, 95) / 1e3,
           (double)latency_percentile(&st->latency, 99) / 1e3, (double)latency_percentile(&st->latency, 100) / 1e3);
}

static int run(kl_conf_t *conf, const perf_opts_t *o)
{
    perf_state_t st = {.progress = !o->json && isatty(STDOUT_FILENO), .size = o->size};
    st.output = o->json ? PERF_JSON : st.progress ? PERF_TEXT_TERMINAL : PERF_TEXT;
    char *value = malloc(o->size ? (size_t)o->size : 1);
    if (!value || latency_init(&st.latency, (size_t)o->count) != 0) {
        fprintf(stderr, PROG ": out of memory\n");
        free(value);
        return CLI_FAILED;
    }
    for (int64_t i = 0; i < o->size; i++)
        value[i] = (char)('a' + i % 26);
    kl_conf_set_delivery_cb(conf, on_delivery);
    cli_watch_init(&st.watch, PROG, conf, &st);
    kl_producer_t *producer = cli_producer_new(conf, PROG);
    if (!producer) {
        free(value);
        latency_free(&st.latency);
        return CLI_FAILED;
    }

    st.start_us = cli_now_us();
    st.next_progress_us = st.start_us + PROGRESS_EVERY_US;
    perf_window_start(&st.window, st.start_us);
    for (int64_t i = 0; i < o->count && still_worth_it(&st, producer, 0); i++) {
        pace(producer, &st, o, i);
        kl_err_t err;
        while ((err = kl_produce(producer, o->topic, KL_PARTITION_UA, NULL, 0, value, (size_t)o->size, 0,
                                 (void *)(intptr_t)cli_now_us())) == KL_ERR_QUEUE_FULL &&
               still_worth_it(&st, producer, 0)) {
            kl_producer_poll(producer, 10);
            show_progress(&st, false);
        }
        if (err != KL_ERR_NONE && !st.failed++)
            st.first_error = err;
        st.sent += err == KL_ERR_NONE;
        kl_producer_poll(producer, 0);
        show_progress(&st, false);
    }
    while (still_worth_it(&st, producer, 0) && kl_producer_flush(producer, 1000) == KL_ERR_TIMED_OUT)
        show_progress(&st, false);
    kl_producer_poll(producer, 0); /* a purge's reports */
    int64_t elapsed = cli_now_us() - st.start_us;
    show_progress(&st, true);
    kl_producer_destroy(producer);

    print_summary(&st, o, elapsed);
    int rc = CLI_OK;
    if (st.missing_topic) {
        rc = CLI_FAILED;
    } else if (st.failed) {
        fprintf(stderr, PROG ": %llu of %lld messages failed (first: %s)\n", (unsigned long long)st.failed,
                (long long)o->count, kl_err_str(st.first_error));
        rc = CLI_FAILED;
    }
    latency_free(&st.latency);
    free(value);
    return rc;
}

static int perf_produce(int argc, char **argv)
{
    perf_opts_t o = {NULL, 100000, 100, 0, false};
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

int cmd_perf(int argc, char **argv)
{
    if (argc < 2) {
        cmd_perf_usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cmd_perf_usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "produce"))
        return perf_produce(argc - 1, argv + 1);
    if (!strcmp(argv[1], "consume"))
        return perf_consume(argc - 1, argv + 1);
    fprintf(stderr, "kafkalite perf: unknown load generator \"%s\" (produce or consume)\n", argv[1]);
    cmd_perf_usage(stderr);
    return CLI_USAGE;
}
