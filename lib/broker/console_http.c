/* The HTTP console's server (see console.h): a libmicrohttpd daemon with
 * one internal thread, answering /healthz itself and everything that reads
 * broker state through a task posted to the broker loop, waited for with a
 * timeout. A task the HTTP thread gave up on still runs and frees itself. */
#include "config.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "broker/console.h"
#include "broker/console_assets.h"
#include "broker/console_internal.h"
#include "broker/server.h"
#include "util/clock.h"
#include "util/cond.h"

#define API_PREFIX "/api/v1/"
#define LOOP_TIMEOUT_MS 5000
#define MAX_ARGS 16
#define BODY_MAX (64u << 20)

#define UPLOAD_MAX (256u << 10)
#define TOKEN_HEADER "X-Kafkalite-Token"

typedef enum { PAGE_READYZ, PAGE_METRICS, PAGE_API, PAGE_MUTATE } page_kind_t;

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

/* The page is complete: wakes the HTTP thread (broker loop). */
static void call_finish(void *arg)
{
    console_call_t *call = arg;
    pthread_mutex_lock(&call->mu);
    call->done = true;
    pthread_cond_signal(&call->cond);
    pthread_mutex_unlock(&call->mu);
    call_release(call);
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
    else if (call->kind == PAGE_API ? console_api(b, call->path, call->args, call->arg_count, &call->page,
                                                  call_finish, call)
                                    : console_mutate(b, call->path, call->args, call->arg_count, &call->page,
                                                     call_finish, call))
        return; /* call_finish() comes with the answer */
    call_finish(call);
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
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, page->allow ? page->allow : "GET, HEAD");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
    enum MHD_Result r = MHD_queue_response(conn, page->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* A POST's form fields, gathered as they arrive (the connection's state
 * in libmicrohttpd, freed when the request completes). */
typedef struct upload {
    struct MHD_PostProcessor *pp; /* NULL: the body is not a form */
    console_arg_t args[MAX_ARGS];
    size_t count;
    size_t bytes;
    bool bad;  /* a body that is no form, too big, or too many fields */
} upload_t;

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                  const char *content_type, const char *transfer_encoding, const char *data,
                                  uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    upload_t *up = cls;
    up->bytes += size + (off ? 0 : strlen(key));
    if (up->bytes > UPLOAD_MAX || (off == 0 && up->count == MAX_ARGS)) {
        up->bad = true;
        return MHD_NO;
    }
    if (off == 0) {
        console_arg_t *a = &up->args[up->count++];
        a->name = strdup(key);
        a->value = calloc(1, 1);
    }
    console_arg_t *a = &up->args[up->count - 1];
    size_t have = a->value ? strlen(a->value) : 0;
    char *grown = a->value ? realloc(a->value, have + size + 1) : NULL;
    if (!grown || !a->name) {
        up->bad = true;
        return MHD_NO;
    }
    memcpy(grown + have, data, size);
    grown[have + size] = '\0';
    a->value = grown;
    return MHD_YES;
}

static void upload_free(upload_t *up)
{
    if (!up)
        return;
    if (up->pp)
        MHD_destroy_post_processor(up->pp);
    for (size_t i = 0; i < up->count; i++) {
        free(up->args[i].name);
        free(up->args[i].value);
    }
    free(up);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    upload_free(*con_cls);
    *con_cls = NULL;
}

/* Builds the page on the loop and waits for it; on the HTTP thread. The
 * parameters are the query's and, for a POST, the form's (up). */
static void page_from_loop(kl_broker_t *b, struct MHD_Connection *conn, page_kind_t kind, const char *path,
                           upload_t *up, console_page_t *out)
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
    for (size_t i = 0; up && !too_many && i < up->count; i++) {
        too_many = call->arg_count == MAX_ARGS;
        if (!too_many) { /* the call takes the field over */
            call->args[call->arg_count++] = up->args[i];
            up->args[i] = (console_arg_t){NULL, NULL};
        }
    }
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

/* The Host a request names is this console's: an address, localhost or
 * the configured host (a name that merely resolves here, as in DNS
 * rebinding, gets no token and makes no change). */
static bool host_ok(const broker_console_t *c, struct MHD_Connection *conn)
{
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!host || !host[0])
        return false;
    char name[256];
    const char *end = host[0] == '[' ? strchr(host, ']') : strrchr(host, ':');
    size_t len = end ? (size_t)(end - host) + (host[0] == '[') : strlen(host);
    if (len >= sizeof name)
        return false;
    memcpy(name, host, len);
    name[len] = '\0';
    if (name[0] == '[')
        return true; /* an IPv6 address */
    if (!strcmp(name, "localhost") || (c->host[0] && !strcmp(name, c->host)))
        return true;
    return strspn(name, "0123456789.") == len; /* an IPv4 address */
}

/* Why a POST is refused, or NULL: it must come from the console's own
 * page (same origin, the session token in a header, which a cross-site
 * form cannot send), and the console must not be read-only. */
static const char *post_refusal(const broker_console_t *c, struct MHD_Connection *conn, unsigned *status)
{
    *status = 403;
    if (c->read_only)
        return "console.read.only=true: the console makes no changes";
    if (!host_ok(c, conn))
        return "the request's Host is not this console's address";
    const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
        return "cross-site requests are refused";
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (origin && (strncmp(origin, "http://", 7) || strcmp(origin + 7, host)))
        return "cross-site requests are refused (Origin is not this console)";
    const char *token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, TOKEN_HEADER);
    if (!token || strlen(token) != strlen(c->token) || strcmp(token, c->token))
        return "no valid " TOKEN_HEADER " header (GET /api/v1/session gives the console page its token)";
    return NULL;
}

/* /api/v1/session: what the page needs to make changes. */
static void session_page(const broker_console_t *c, struct MHD_Connection *conn, console_page_t *page)
{
    if (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0)
        return console_error(page, 400, "unknown parameter: the session takes none");
    if (!host_ok(c, conn))
        return console_error(page, 403, "the request's Host is not this console's address");
    page->type = "application/json";
    console_printf(&page->body, "{\"token\":\"%s\",\"read_only\":%s}\n", c->token,
                   c->read_only ? "true" : "false");
}

/* A POST's first call: its form state; then its body, piece by piece. */
static bool upload_step(struct MHD_Connection *conn, const char *upload_data, size_t *upload_data_size,
                        void **con_cls)
{
    upload_t *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        if (!up)
            return false;
        up->pp = MHD_create_post_processor(conn, 16384, form_field, up);
        *con_cls = up;
        return true;
    }
    if (*upload_data_size == 0)
        return false; /* the body is all in */
    if (!up->pp)
        up->bad = true;
    else if (!up->bad && MHD_post_process(up->pp, upload_data, *upload_data_size) != MHD_YES)
        up->bad = true;
    *upload_data_size = 0;
    return true;
}

static void serve(broker_console_t *c, struct MHD_Connection *conn, const char *url, const char *method,
                  upload_t *up, console_page_t *page)
{
    kl_broker_t *b = c->broker;
    bool api = !strncmp(url, API_PREFIX, strlen(API_PREFIX));
    const console_asset_t *asset = console_asset(url);
    if (!strcmp(method, MHD_HTTP_METHOD_POST) && api) {
        unsigned status;
        const char *why = post_refusal(c, conn, &status);
        if (why)
            console_error(page, status, "%s", why);
        else if (!up)
            console_error(page, 503, "out of memory");
        else if (up->bad)
            console_error(page, 400, "the body must be a form (application/x-www-form-urlencoded) of at most "
                          "%d fields and %u bytes", MAX_ARGS, UPLOAD_MAX);
        else
            page_from_loop(b, conn, PAGE_MUTATE, url + strlen(API_PREFIX), up, page);
    } else if (!is_read(method)) {
        console_error(page, 405, "%s is not allowed here", method);
        page->allow = api ? "GET, HEAD, POST" : NULL;
    } else if (!strcmp(url, "/healthz"))
        console_printf(&page->body, "ok\n");
    else if (!strcmp(url, "/readyz"))
        page_from_loop(b, conn, PAGE_READYZ, url, NULL, page);
    else if (!strcmp(url, "/metrics")) {
        page_from_loop(b, conn, PAGE_METRICS, url, NULL, page);
        if (page->status == 200)
            console_metrics_process(&page->body);
    } else if (!strcmp(url, API_PREFIX "session"))
        session_page(c, conn, page);
    else if (api)
        page_from_loop(b, conn, PAGE_API, url + strlen(API_PREFIX), NULL, page);
    else if (asset) {
        page->type = asset->type;
        kl_buf_put(&page->body, asset->data, asset->size);
    } else
        console_error(page, 404, "no such page: %s", url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    broker_console_t *c = cls;
    if (!strcmp(method, MHD_HTTP_METHOD_POST) && upload_step(conn, upload_data, upload_data_size, con_cls))
        return MHD_YES;
    console_page_t page = {.status = 200, .type = "text/plain; charset=utf-8"};
    kl_buf_init(&page.body, BODY_MAX);
    *upload_data_size = 0;
    serve(c, conn, url, method, *con_cls, &page);
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
    uint8_t secret[16];
    if (getrandom(secret, sizeof secret, 0) != (ssize_t)sizeof secret) {
        close(fd);
        broker_log(b, BROKER_LOG_ERR, "console.listeners: no random bytes for the console's token");
        return KL_ERR_TRANSPORT;
    }
    for (size_t i = 0; i < sizeof secret; i++)
        snprintf(c->token + 2 * i, 3, "%02x", secret[i]);
    c->start_wall_ms = kl_wallclock_ms();
    c->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, c,
                                 MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                 MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_NOTIFY_COMPLETED,
                                 request_completed, NULL, MHD_OPTION_END);
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
