/* `kafkalite produce -b BOOTSTRAP -t TOPIC [-p PARTITION] [-K DELIM]
 * [-H name=value]... [-X property=value]... [-c]` (or kafka-console-
 * producer's long options): one message per line of standard input, every
 * delivery report counted, a final flush. SIGINT/SIGTERM end the input
 * (what a pipe already holds is still sent) and bound the flush. Exit 0
 * when every message was delivered, 1 (saying how many failed) when some
 * were not, 2 for a bad command line, 128+signal after a signal. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client_opts.h"
#include "client_watch.h"
#include "line_input.h"
#include "progress_line.h"
#include "produce_opts.h"

#define PROG PRODUCE_PROG
#define SIGNAL_FLUSH_MS 10000 /* how long a signal lets the flush take */
#define ERRORS_SHOWN 5 /* the first failures are printed; the rest only counted */

void cmd_produce_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite produce [-b bootstrap] -t topic [-p partition] [-K delimiter]\n"
            "                         [-H name=value]... [-X property=value]... [-c]\n"
            "       kafkalite produce --bootstrap-server B --topic T [--property parse.key=true]...\n"
            "\n"
            "Produces one message per line of standard input and waits for every delivery\n"
            "report. SIGINT or SIGTERM stop reading, flush for up to 10 s and print what\n"
            "was delivered. Exits 0 when all were delivered, 1 when some failed, 2 on bad\n"
            "usage, 128+signal when a signal stopped it and nothing failed.\n"
            "\n"
            "  -b, --bootstrap-server, --broker-list B\n"
            "                 brokers to start from (default " CLI_DEFAULT_BOOTSTRAP ")\n"
            "  -t, --topic T  topic to produce to\n"
            "  -p partition   partition (default: the partitioner chooses)\n"
            "  -K delimiter   the key is what comes before the first delimiter\n"
            "  --property NAME=VALUE    Kafka's line reader: parse.key, parse.headers,\n"
            "                 ignore.error (true|false), key.separator (tab),\n"
            "                 headers.delimiter (tab), headers.separator (,),\n"
            "                 headers.key.separator (:), null.marker; a line is\n"
            "                 [HEADERS<delimiter>][KEY<separator>]VALUE\n"
            "  --reader-config FILE     the line reader's settings from a properties file\n"
            "  --line-reader CLASS      Kafka's LineMessageReader, the one built in\n"
            "  -H name=value  adds a header to every message (repeatable)\n"
            "  -X, --producer-property prop=value\n"
            "                 sets a client property, see kafkalite.conf(5) (repeatable)\n"
            "  --producer.config FILE   client properties from a Java properties file\n"
            "  --request-required-acks ACKS, --compression-codec [CODEC],\n"
            "  --timeout MS (linger.ms), --request-timeout-ms MS,\n"
            "  --message-send-max-retries N, --retry-backoff-ms MS,\n"
            "  --batch-size N, --max-partition-memory-bytes N (batch.size),\n"
            "  --metadata-expiry-ms MS, --max-memory-bytes N (queue.buffering.max.kbytes)\n"
            "                 as the client properties they stand for\n"
            "  --max-block-ms MS        a line that waits longer for room in the full\n"
            "                 queue fails (default: it waits)\n"
            "  --socket-buffer-size N   accepted and ignored (the kernel sizes buffers)\n"
            "  --sync         waits for each message's delivery before reading the next line\n"
            "  -c             prints how many messages were delivered and failed\n");
}

typedef struct tally {
    uint64_t delivered, failed;
} tally_t;

/* One run: the callbacks' opaque (it starts with the watch, see
 * client_watch.h). */
typedef struct produce_run {
    cli_watch_t watch;
    tally_t t;
    kl_producer_t *producer;
    int64_t delivery_timeout_us, last_produce_us, start_us;
    uint64_t lines; /* read so far */
    bool missing_topic; /* reported: stop */
} produce_run_t;

static void count_failure(tally_t *t, const char *what, kl_err_t err)
{
    if (++t->failed <= ERRORS_SHOWN) {
        progress_line_clear();
        fprintf(stderr, PROG ": %s: %s\n", what, kl_err_str(err));
    }
    if (t->failed == ERRORS_SHOWN + 1)
        fprintf(stderr, PROG ": further failures are only counted\n");
}

/* Runs inside kl_producer_poll()/flush(), on this thread. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    (void)producer;
    produce_run_t *r = opaque;
    kl_err_t err = kl_message_error(msg);
    if (err == KL_ERR_NONE) {
        r->t.delivered++;
        cli_watch_progress(&r->watch);
    } else if (!r->missing_topic) { /* those were explained once */
        count_failure(&r->t, "delivery failed", err);
    } else {
        r->t.failed++;
    }
}

/* The terminal's progress line (progress_line.h). */
static void show_progress(const produce_run_t *r)
{
    if (!progress_line_due())
        return;
    double secs = (double)(cli_now_us() - r->start_us) / 1e6;
    progress_line_update(PROG ": %llu lines read, %llu delivered, %llu failed, %.0f msg/s",
                         (unsigned long long)r->lines, (unsigned long long)r->t.delivered,
                         (unsigned long long)r->t.failed, secs > 0 ? (double)r->t.delivered / secs : 0.0);
}

/* After each wait: says whom the producer is still trying to reach, and
 * stops (false) when the cluster said the topic does not exist: with
 * auto-creation off it will not appear. */
static bool still_worth_it(produce_run_t *r)
{
    if (r->missing_topic)
        return false;
    if (r->watch.missing_topic[0]) {
        r->missing_topic = true;
        progress_line_clear();
        fprintf(stderr,
                PROG ": topic %s does not exist and the cluster does not create topics on use; create it first "
                     "(kafkalite topics --create --topic %s)\n",
                r->watch.missing_topic, r->watch.missing_topic);
        kl_producer_purge(r->producer, KL_PURGE_QUEUE | KL_PURGE_INFLIGHT);
        return false;
    }
    char waiting[64];
    size_t n = kl_producer_outstanding(r->producer);
    snprintf(waiting, sizeof waiting, "%zu message%s", n, n == 1 ? "" : "s");
    cli_watch_tick(&r->watch, waiting, r->last_produce_us + r->delivery_timeout_us);
    show_progress(r);
    return true;
}

/* A copy of headers (for a line's own headers to be added to), or NULL
 * when out of memory. */
static kl_headers_t *copy_headers(const kl_headers_t *headers)
{
    kl_headers_t *copy = kl_headers_new();
    const char *name;
    const void *value;
    size_t len;
    for (size_t i = 0; copy && kl_headers_get(headers, i, &name, &value, &len) == KL_ERR_NONE; i++)
        if (kl_headers_add(copy, name, value, len) != KL_ERR_NONE) {
            kl_headers_destroy(copy);
            copy = NULL;
        }
    return copy;
}

/* Queues one line (without its newline), waiting for room when the
 * producer's queue is full (at most --max-block-ms). A message refused
 * outright counts as failed; NULL, or why the line is refused as the line
 * reader's settings say (nothing was sent). */
static const char *produce_line(produce_run_t *r, const produce_opts_t *o, const kl_headers_t *headers,
                                const char *line, size_t len)
{
    kl_headers_t *own = NULL;
    if (o->reader.parse_headers && !(own = copy_headers(headers)))
        return "out of memory";
    line_message_t m;
    const char *why = line_reader_split(&o->reader, line, len, &m, own);
    if (why) {
        kl_headers_destroy(own);
        return why;
    }
    const kl_headers_t *h = own ? own : headers;
    kl_err_t err;
    int64_t since = r->last_produce_us = cli_now_us();
    while ((err = kl_produce_headers(r->producer, o->topic, o->partition, m.key, m.key_len, m.value, m.value_len,
                                     kl_headers_count(h) ? h : NULL, 0, NULL)) == KL_ERR_QUEUE_FULL &&
           !cli_signals_seen && still_worth_it(r) &&
           (o->max_block_ms < 0 || cli_now_us() - since < o->max_block_ms * 1000))
        kl_producer_poll(r->producer, 100); /* serve reports to make room */
    if (err)
        count_failure(&r->t, "message refused", err);
    kl_headers_destroy(own);
    return NULL;
}

/* Waits for every outstanding report: without a signal as long as
 * delivery.timeout.ms lets the library try; after one for at most
 * SIGNAL_FLUSH_MS, or until a second signal. What is left is purged and
 * counted as failed. */
static void flush_all(produce_run_t *r)
{
    kl_producer_t *producer = r->producer;
    int acted_on = 0; /* signals seen so far */
    int64_t deadline = 0;
    while (kl_producer_outstanding(producer) > 0) {
        if (cli_signals_seen != acted_on) {
            if (acted_on || cli_signals_seen > 1)
                break; /* a second signal: give up */
            acted_on = cli_signals_seen;
            deadline = cli_now_us() + SIGNAL_FLUSH_MS * 1000LL;
            progress_line_clear();
            fprintf(stderr, PROG ": %s: flushing %zu messages for up to %d s (signal again to give up)\n",
                    cli_last_signal == SIGTERM ? "terminated" : "interrupted", kl_producer_outstanding(producer),
                    SIGNAL_FLUSH_MS / 1000);
        }
        if ((deadline && cli_now_us() >= deadline) || !still_worth_it(r))
            break;
        kl_producer_flush(producer, 100);
    }
    if (kl_producer_outstanding(producer) > 0) {
        kl_producer_purge(producer, KL_PURGE_QUEUE | KL_PURGE_INFLIGHT);
        kl_producer_poll(producer, 0); /* the purged messages' reports */
    }
}

/* delivery.timeout.ms of conf, in microseconds. */
static int64_t delivery_timeout_us(const kl_conf_t *conf)
{
    char value[32] = "120000";
    size_t size = sizeof value;
    kl_conf_get(conf, "delivery.timeout.ms", value, &size);
    return strtoll(value, NULL, 10) * 1000;
}

/* Reads standard input into the producer until its end, a signal (then
 * what a pipe holds is still taken), a bad line or a missing topic. */
static void read_lines(produce_run_t *r, const produce_opts_t *o, const kl_headers_t *headers, uint64_t *lines,
                       bool *failed)
{
    line_input_t in;
    line_input_init(&in, STDIN_FILENO);
    char *line;
    size_t len;
    bool draining = false;
    while (!r->missing_topic) {
        if (cli_signals_seen && !draining) {
            line_input_stop_at_available(&in);
            draining = true;
        }
        int rc = line_input_next(&in, &line, &len);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (in.err == EINTR)
                continue;
            progress_line_clear();
            fprintf(stderr, PROG ": reading standard input: %s\n", strerror(in.err));
            *failed = true;
            break;
        }
        const char *why = produce_line(r, o, headers, line, len);
        if (why) {
            progress_line_clear();
            fprintf(stderr, PROG ": %s on line %llu: \"%.*s\" (nothing after it was sent)\n", why,
                    (unsigned long long)*lines + 1, (int)len, line);
            *failed = true;
            break;
        }
        r->lines = ++*lines;
        if (o->sync)
            while (kl_producer_outstanding(r->producer) > 0 && !cli_signals_seen && still_worth_it(r))
                kl_producer_flush(r->producer, 100);
        kl_producer_poll(r->producer, 0);
        still_worth_it(r);
    }
    line_input_free(&in);
}

static int run(const kl_conf_t *conf, const produce_opts_t *o, const kl_headers_t *headers)
{
    produce_run_t r = {.delivery_timeout_us = delivery_timeout_us(conf), .last_produce_us = cli_now_us(),
                       .start_us = cli_now_us()};
    kl_conf_t *own = kl_conf_dup(conf);
    if (!own) {
        fprintf(stderr, PROG ": out of memory\n");
        return CLI_FAILED;
    }
    kl_conf_set_delivery_cb(own, on_delivery);
    cli_watch_init(&r.watch, PROG, own, &r);
    r.producer = cli_producer_new(own, PROG);
    kl_conf_destroy(own);
    if (!r.producer)
        return CLI_FAILED;
    cli_catch_signals();
    progress_line_start(!isatty(STDIN_FILENO)); /* not over lines being typed */

    uint64_t lines = 0;
    bool failed = false;
    read_lines(&r, o, headers, &lines, &failed);
    flush_all(&r);
    kl_producer_destroy(r.producer); /* reports of anything left are served here */
    progress_line_clear();

    if (o->counts || cli_signals_seen)
        fprintf(o->counts ? stdout : stderr, "%s%llu delivered, %llu failed\n", o->counts ? "" : PROG ": ",
                (unsigned long long)r.t.delivered, (unsigned long long)r.t.failed);
    if (r.t.failed) {
        fprintf(stderr, PROG ": %llu of %llu messages failed\n", (unsigned long long)r.t.failed,
                (unsigned long long)lines);
        return CLI_FAILED;
    }
    if (cli_signals_seen)
        return 128 + cli_last_signal;
    return failed || r.missing_topic ? CLI_FAILED : CLI_OK;
}

int cmd_produce(int argc, char **argv)
{
    produce_opts_t o;
    produce_opts_init(&o);
    kl_conf_t *conf = cli_conf_new(PROG);
    kl_headers_t *headers = kl_headers_new();
    if (!conf || !headers) {
        fprintf(stderr, PROG ": out of memory\n");
        kl_conf_destroy(conf);
        kl_headers_destroy(headers);
        return CLI_FAILED;
    }
    bool help = false;
    int rc = produce_parse_args(argc, argv, &o, conf, headers, &help);
    if (help)
        cmd_produce_usage(stdout);
    else if (rc == CLI_USAGE)
        cmd_produce_usage(stderr);
    else if (rc == CLI_OK)
        rc = run(conf, &o, headers);
    produce_opts_free(&o);
    kl_headers_destroy(headers);
    kl_conf_destroy(conf);
    return rc;
}
