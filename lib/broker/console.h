/* The broker's HTTP console (console.listeners): a libmicrohttpd daemon on
 * its own thread serving /healthz, /readyz, /metrics and the JSON API under
 * /api/v1/. Whatever reads broker state runs as a task posted to the broker
 * loop (the thread that owns that state), which builds the answer while
 * the HTTP thread waits for it with a timeout; the request handlers are
 * never blocked by the console. */
#ifndef KL_BROKER_CONSOLE_H
#define KL_BROKER_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/broker.h"
#include "util/buf.h"

/* From kl_broker_new(): reads console.listeners (errors in errstr). */
kl_err_t console_parse(kl_broker_t *broker, char *errstr, size_t errstr_size);
/* From kl_broker_start(), once the loop exists: binds and starts serving.
 * KL_ERR_TRANSPORT when the address cannot be bound. */
kl_err_t console_start(kl_broker_t *broker);
/* From kl_broker_stop(), while the loop still runs: stops serving. */
void console_stop(kl_broker_t *broker);
void console_free(kl_broker_t *broker);

/* ---- what the pages are built with (console_text.c) ---- */

/* printf onto out (text; out's sticky error on failure). */
void console_printf(kl_buf_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quoted and escaped. */
void console_json_str(kl_buf_t *out, const char *s);
/* len bytes of p as a JSON string (bytes >= 0x80 as they are: give it
 * UTF-8). */
void console_json_mem(kl_buf_t *out, const void *p, size_t len);
/* s as a Prometheus label value, quoted and escaped. */
void console_label(kl_buf_t *out, const char *s);

/* A query parameter of the request. */
typedef struct console_arg {
    char *name, *value;
} console_arg_t;

/* An answer: status, content type and body. */
typedef struct console_page {
    unsigned status;
    const char *type;
    const char *allow; /* a 405's Allow header (NULL: GET, HEAD) */
    kl_buf_t body;
} console_page_t;

/* ---- query and form parameters (console_args.c) ---- */

/* The value of parameter name (the last one given), or NULL. */
const char *console_arg(const console_arg_t *args, size_t n, const char *name);
/* Every parameter's name must be in allowed (NULL-terminated; an entry
 * ending in '.' allows every name starting with it); else 400. */
bool console_args_known(console_page_t *page, const console_arg_t *args, size_t n, const char *const *allowed);
/* Parameter name as a decimal integer in [min, max] (*v kept when it is
 * absent); false with a 400 answer when it is not one. */
bool console_arg_int(console_page_t *page, const console_arg_t *args, size_t n, const char *name, int64_t min,
                     int64_t max, int64_t *v);

/* An error answer: status and a JSON body {"error": why}. */
void console_error(console_page_t *page, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the pages, on the broker loop's thread ---- */

/* The high watermark of topic-partition, as ListOffsets gives it (what
 * `kafkalite groups --describe` shows as LOG-END-OFFSET), or -1 when it is
 * unknown or offline (console_api.c). */
int64_t console_high_watermark(const kl_broker_t *broker, const char *topic, int32_t partition);

/* /readyz */
void console_readyz(kl_broker_t *broker, console_page_t *page);
/* /metrics: the broker's own metrics (console_metrics.c). */
void console_metrics(kl_broker_t *broker, console_page_t *page);
/* A page that completes after the call building it returned. */
typedef void console_done_fn(void *arg);

/* GET /api/v1/... (path after the prefix; console_api.c). False when page
 * is complete; true when it completes later, done(done_arg) then being
 * called. */
bool console_api(kl_broker_t *broker, const char *path, const console_arg_t *args, size_t arg_count,
                 console_page_t *page, console_done_fn *done, void *done_arg);
/* GET /api/v1/topics/<topic>/partitions/<p>/messages (console_messages.c). */
struct broker_topic;
void console_messages(kl_broker_t *broker, const struct broker_topic *topic, int32_t partition,
                      const console_arg_t *args, size_t arg_count, console_page_t *page);

/* A change asked for by POST /api/v1/... (path after the prefix, args from
 * the query and the form; console_mutate.c). False when page is complete;
 * true when it completes later, done(done_arg) then being called. */
bool console_mutate(kl_broker_t *broker, const char *path, const console_arg_t *args, size_t arg_count,
                    console_page_t *page, console_done_fn *done, void *done_arg);

/* ---- on the HTTP thread ---- */

/* The process metrics (RSS, descriptors, CPU) appended to out. */
void console_metrics_process(kl_buf_t *out);

#endif
