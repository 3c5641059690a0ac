/* The HTTP console's server (see console.h): a libmicrohttpd daemon with
 * one internal thread, answering /healthz itself and everything that reads
 * broker state through a task posted to the broker loop, waited for with a
 * timeout. A task the HTTP thread gave up on still runs and frees itself. */
#include "config.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/console.h"
#include "broker/console_internal.h"
#include "broker/server.h"
#include "util/clock.h"
#include "util/cond.h"

#define API_PREFIX "/api/v1/"
#define LOOP_TIMEOUT_MS 5000
#define MAX_ARGS 16
#define BODY_MAX (64u << 20)

typedef enum { PAGE_READYZ, PAGE_METRICS, PAGE_API } page_kind_t;

/* One page built on the loop: shared by the HTTP thread and the task. */
typedef struct console_call {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int refs;
    bool done;
    kl_broker_t *broker;
    page_kind_t kind;
    char *path;
    console_arg_t args[MAX_ARGS];
    size_t arg_count;
    console_page_t page;
} console_call_t;

static void call_release(console_call_t *call)
{
    pthread_mutex_lock(&call->mu);
    bool last = --call->refs == 0;
    pthread_mutex_unlock(&call->mu);
    if (!last)
        return;
    pthread_mutex_destroy(&call->mu);
    pthread_cond_destroy(&call->cond);
    free(call->path);
    for (size_t i = 0; i < call->arg_count; i++) {
        free(call->args[i].name);
        free(call->args[i].value);
    }
    kl_buf_free(&call->page.body);
    free(call);
}

/* On the broker loop. */
static void call_run(void *arg)
{
    console_call_t *call = arg;
    kl_broker_t *b = call->broker;
    if (call->kind == PAGE_READYZ)
        console_readyz(b, &call->page);
    else if (call->kind == PAGE_METRICS)
        console_metrics(b, &call->page);
    else
        console_api(b, call->path, call->args, call->arg_count, &call->page);
    pthread_mutex_lock(&call->mu);
    call->done = true;
    pthread_cond_signal(&call->cond);
    pthread_mutex_unlock(&call->mu);
    call_release(call);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    console_call_t *call = cls;
    if (call->arg_count == MAX_ARGS)
        return MHD_NO;
    console_arg_t *a = &call->args[call->arg_count++];
    a->name = strdup(key);
    a->value = strdup(value ? value : "");
    return MHD_YES;
}

static enum MHD_Result send_page(struct MHD_Connection *conn, console_page_t *page)
{
    if (kl_buf_error(&page->body))
        console_error(page, 500, "out of memory building the answer");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(page->body.len, page->body.data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, page->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (page->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result r = MHD_queue_response(conn, page->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Builds the page on the loop and waits for it; on the HTTP thread. */
static void page_from_loop(kl_broker_t *b, struct MHD_Connection *conn, page_kind_t kind, const char *path,
                           console_page_t *out)
{
    console_call_t *call = calloc(1, sizeof *call);
    if (!call) {
        console_error(out, 503, "out of memory");
        return;
    }
    pthread_mutex_init(&call->mu, NULL);
    kl_cond_init(&call->cond);
    call->refs = 2;
    call->broker = b;
    call->kind = kind;
    call->page.status = 200;
    call->page.type = "text/plain; charset=utf-8";
    kl_buf_init(&call->page.body, BODY_MAX);
    call->path = strdup(path);
    bool too_many = MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, call) >= MAX_ARGS;
    if (too_many || !call->path) {
        console_error(out, too_many ? 400 : 503, too_many ? "more than %d query parameters" : "out of memory",
                      MAX_ARGS);
        call->refs = 1;
        call_release(call);
        return;
    }
    if (kl_loop_post(b->loop, call_run, call) != 0) {
        console_error(out, 503, "out of memory");
        call->refs = 1;
        call_release(call);
        return;
    }
    struct timespec deadline;
    kl_cond_deadline(&deadline, LOOP_TIMEOUT_MS);
    pthread_mutex_lock(&call->mu);
    while (!call->done && pthread_cond_timedwait(&call->cond, &call->mu, &deadline) == 0)
        ;
    bool done = call->done;
    pthread_mutex_unlock(&call->mu);
    if (done) {
        out->status = call->page.status;
        out->type = call->page.type;
        kl_buf_t tmp = out->body;
        out->body = call->page.body;
        call->page.body = tmp;
    } else {
        broker_log(b, BROKER_LOG_WARN, "console: the broker loop did not answer %s within %d ms", path,
                   LOOP_TIMEOUT_MS);
        console_error(out, 503, "the broker did not answer within %d ms", LOOP_TIMEOUT_MS);
    }
    call_release(call);
}

static bool is_read(const char *method)
{
    return !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)con_cls;
    broker_console_t *c = cls;
    kl_broker_t *b = c->broker;
    console_page_t page = {.status = 200, .type = "text/plain; charset=utf-8"};
    kl_buf_init(&page.body, BODY_MAX);
    *upload_data_size = 0;
    if (!is_read(method))
        console_error(&page, 405, "%s is not allowed: the console only reads", method);
    else if (!strcmp(url, "/healthz"))
        console_printf(&page.body, "ok\n");
    else if (!strcmp(url, "/readyz"))
        page_from_loop(b, conn, PAGE_READYZ, url, &page);
    else if (!strcmp(url, "/metrics")) {
        page_from_loop(b, conn, PAGE_METRICS, url, &page);
        if (page.status == 200)
            console_metrics_process(&page.body);
    } else if (!strncmp(url, API_PREFIX, strlen(API_PREFIX)))
        page_from_loop(b, conn, PAGE_API, url + strlen(API_PREFIX), &page);
    else
        console_error(&page, 404, "no such page: %s", url);
    enum MHD_Result r = send_page(conn, &page);
    kl_buf_free(&page.body);
    return r;
}

kl_err_t console_start(kl_broker_t *b)
{
    broker_console_t *c = b->console;
    if (!c)
        return KL_ERR_NONE;
    int fd = listener_bind_address(c->host, &c->port);
    if (fd < 0) {
        broker_log(b, BROKER_LOG_ERR, "console.listeners: cannot listen on %s:%d", c->host, c->port);
        return KL_ERR_TRANSPORT;
    }
    c->start_wall_ms = kl_wallclock_ms();
    c->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, c,
                                 MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                 MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
    if (!c->daemon) {
        close(fd);
        broker_log(b, BROKER_LOG_ERR, "console.listeners: libmicrohttpd would not start");
        return KL_ERR_TRANSPORT;
    }
    console_describe(c);
    c->serving = true;
    broker_log(b, BROKER_LOG_INFO, "console listening on %s", c->address);
    return KL_ERR_NONE;
}

void console_stop(kl_broker_t *b)
{
    broker_console_t *c = b->console;
    if (!c || !c->daemon)
        return;
    MHD_stop_daemon(c->daemon); /* closes the listening socket */
    c->daemon = NULL;
}
