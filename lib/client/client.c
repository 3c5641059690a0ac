/* The client handle core (see client.h): settings, the bootstrap.servers
 * list, the I/O thread's life cycle and the broker list. Connections and
 * the handshake are in broker.c, the metadata cache in metadata.c. */
#include "client/client_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/conf_table.h"
#include "util/conf.h"
#include "util/errstr.h"

#define DEFAULT_PORT 9092

/* ---- bootstrap.servers ---------------------------------------------------- */

/* Splits one entry ("host", "host:port", "[v6]:port", "SSL://host:port")
 * into host and port. False when malformed, or when the scheme is not
 * protocol (security.protocol): an ssl:// broker with plaintext settings
 * would only fail later, less clearly. */
static bool parse_server(char *entry, const char *protocol, char **hostp, int *portp)
{
    char *p = strstr(entry, "://");
    if (p) {
        *p = '\0';
        if (strcasecmp(entry, protocol) != 0)
            return false;
        entry = p + 3;
    }
    char *port = NULL;
    if (entry[0] == '[') {
        char *end = strchr(entry, ']');
        if (!end || (end[1] && end[1] != ':'))
            return false;
        *end = '\0';
        port = end[1] ? end + 2 : NULL;
        entry++;
    } else {
        char *colon = strrchr(entry, ':');
        if (colon && colon == strchr(entry, ':')) { /* one colon: host:port */
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (!*entry)
        return false;
    *hostp = entry;
    *portp = DEFAULT_PORT;
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (!*port || *end || v < 1 || v > 65535)
            return false;
        *portp = (int)v;
    }
    return true;
}

static kl_err_t add_bootstrap(kl_client_t *c, char *errstr, size_t errstr_size)
{
    const char *list = kl_conf_get_str(c->conf, "bootstrap.servers");
    const char *protocol = kl_conf_get_str(c->conf, "security.protocol");
    char *copy = strdup(list);
    if (!copy)
        return KL_ERR_NOMEM;
    kl_client_broker_t **tail = &c->brokers;
    kl_err_t err = KL_ERR_NONE;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", \t", &save); tok && !err; tok = strtok_r(NULL, ", \t", &save)) {
        char shown[256], *host;
        int port;
        snprintf(shown, sizeof shown, "%s", tok);
        if (!parse_server(tok, protocol, &host, &port)) {
            kl_errstr_set(errstr, errstr_size,
                    "bootstrap.servers: cannot use \"%s\" (want host, host:port or [ipv6]:port, with no "
                    "scheme or security.protocol's, %s://)",
                    shown, protocol);
            err = KL_ERR_INVALID_VALUE;
            break;
        }
        kl_client_broker_t *b = kl_client_broker_new(c, -1 - c->nbootstrap, host, port, KL_BROKER_BOOTSTRAP);
        if (!b) {
            err = KL_ERR_NOMEM;
            break;
        }
        *tail = b;
        tail = &b->next;
        c->nbootstrap++;
    }
    free(copy);
    if (!err && c->nbootstrap == 0) {
        kl_errstr_set(errstr, errstr_size, "bootstrap.servers is empty: name at least one broker (host:port)");
        err = KL_ERR_INVALID_VALUE;
    }
    return err;
}

/* ---- life cycle ----------------------------------------------------------- */

static kl_err_t read_settings(kl_client_t *c, char *errstr, size_t errstr_size)
{
    const kl_conf_t *conf = c->conf;
    c->client_id = strdup(kl_conf_get_str(conf, "client.id"));
    if (!c->client_id)
        return KL_ERR_NOMEM;
    c->socket_timeout_ms = kl_conf_get_int(conf, "socket.timeout.ms");
    c->retry_backoff_ms = kl_conf_get_int(conf, "retry.backoff.ms");
    c->refresh_interval_ms = kl_conf_get_int(conf, "topic.metadata.refresh.interval.ms");
    c->conn_config = (kl_conn_config_t){
        .setup_timeout_ms = kl_conf_get_int(conf, "socket.connection.setup.timeout.ms"),
        .backoff_ms = kl_conf_get_int(conf, "reconnect.backoff.ms"),
        .backoff_max_ms = kl_conf_get_int(conf, "reconnect.backoff.max.ms"),
        .max_frame = (size_t)kl_conf_get_int(conf, "receive.message.max.bytes"),
        .max_in_flight = (int)kl_conf_get_int(conf, "max.in.flight.requests.per.connection"),
        .nagle = !kl_conf_get_bool(conf, "socket.nagle.disable"),
    };
    if (c->conn_config.backoff_max_ms < c->conn_config.backoff_ms)
        c->conn_config.backoff_max_ms = c->conn_config.backoff_ms;
    return kl_client_read_security(c, errstr, errstr_size);
}

kl_client_t *kl_client_new(kl_conf_t *conf, const kl_client_events_t *events, void *opaque, char *errstr,
                           size_t errstr_size)
{
    if (errstr && errstr_size)
        errstr[0] = '\0';
    kl_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        kl_conf_destroy(conf);
        return NULL;
    }
    c->conf = conf;
    if (events)
        c->events = *events;
    c->opaque = opaque;
    kl_log_init(&c->log, conf);
    c->loop = kl_loop_new();
    if (c->loop)
        kl_md_init(c);
    kl_err_t err = c->loop ? read_settings(c, errstr, errstr_size) : KL_ERR_NOMEM;
    if (!err)
        err = add_bootstrap(c, errstr, errstr_size);
    if (err) {
        if (err == KL_ERR_NOMEM)
            kl_errstr_set(errstr, errstr_size, "out of memory");
        kl_client_destroy(c);
        return NULL;
    }
    return c;
}

static void *io_thread(void *arg)
{
    kl_client_t *c = arg;
    kl_loop_run(c->loop);
    return NULL;
}

static void bootstrap_task(void *arg) { kl_client_refresh_metadata(arg, "bootstrap"); }

void *kl_client_handle_new(const kl_conf_t *conf, size_t size, kl_conf_t **copyp, char **errstrp,
                           size_t *errstr_sizep)
{
    static _Thread_local char scratch[256];
    if (!*errstrp || !*errstr_sizep) {
        *errstrp = scratch;
        *errstr_sizep = sizeof scratch;
    }
    char *errstr = *errstrp;
    size_t errstr_size = *errstr_sizep;
    errstr[0] = '\0';
    *copyp = NULL;
    if (!conf || kl_conf_schema(conf) != &kl_client_conf_schema) {
        kl_errstr_set(errstr, errstr_size, "not a client configuration (use kl_conf_new())");
        return NULL;
    }
    void *handle = calloc(1, size);
    kl_conf_t *copy = kl_conf_dup(conf);
    if (!handle || !copy) {
        free(handle);
        kl_conf_destroy(copy);
        kl_errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    *copyp = copy;
    return handle;
}

kl_err_t kl_client_start(kl_client_t *c, char *errstr, size_t errstr_size)
{
    if (kl_loop_post(c->loop, bootstrap_task, c) != 0)
        return KL_ERR_NOMEM;
    int rc = pthread_create(&c->thread, NULL, io_thread, c);
    if (rc != 0) {
        kl_errstr_set(errstr, errstr_size, "cannot start the I/O thread: %s", strerror(rc));
        return KL_ERR_FATAL;
    }
    c->started = true;
    return KL_ERR_NONE;
}

typedef struct stop_args {
    kl_client_t *client;
    kl_task_fn *last;
    void *arg;
} stop_args_t;

static void stop_task(void *arg)
{
    stop_args_t *s = arg;
    kl_client_t *c = s->client;
    c->stopping = true;
    kl_timer_stop(c->loop, &c->md.timer);
    for (kl_client_broker_t *b = c->brokers; b; b = b->next)
        kl_conn_close(b->conn, KL_ERR_DESTROY, "client stopping");
    if (s->last)
        s->last(s->arg);
    kl_loop_stop(c->loop);
}

void kl_client_stop(kl_client_t *c, kl_task_fn *last, void *arg)
{
    stop_args_t s = {c, last, arg};
    if (!c->started) {
        stop_task(&s);
        return;
    }
    /* Retry until posted: stopping must not be lost to a failed malloc. */
    while (kl_loop_post(c->loop, stop_task, &s) != 0)
        ;
    pthread_join(c->thread, NULL);
    c->started = false;
}

void kl_client_destroy(kl_client_t *c)
{
    if (!c)
        return;
    kl_client_broker_t *b = c->brokers;
    while (b) {
        kl_client_broker_t *next = b->next;
        kl_client_broker_destroy(b);
        b = next;
    }
    kl_client_kinit_stop(c);
    if (c->loop)
        kl_md_free(c);
    kl_loop_destroy(c->loop);
    kl_client_token_free(c);
    kl_tls_ctx_destroy(c->tls);
    kl_log_free(&c->log);
    free(c->client_id);
    kl_conf_destroy(c->conf);
    free(c);
}

/* ---- accessors -------------------------------------------------------------- */

int kl_client_post(kl_client_t *c, kl_task_fn *fn, void *arg) { return kl_loop_post(c->loop, fn, arg); }
kl_loop_t *kl_client_loop(kl_client_t *c) { return c->loop; }
kl_log_t *kl_client_log(kl_client_t *c) { return &c->log; }
const kl_conf_t *kl_client_conf(const kl_client_t *c) { return c->conf; }

/* The broker node_id of that kind at host:port: found (its address
 * updated) or added at the end of the list. */
static kl_client_broker_t *broker_at(kl_client_t *c, int32_t node_id, const char *host, int port,
                                     kl_client_broker_kind_t kind)
{
    if (node_id < 0)
        return NULL;
    bool coordinator = kind == KL_BROKER_COORDINATOR;
    kl_client_broker_t **tail = &c->brokers;
    for (; *tail; tail = &(*tail)->next) {
        kl_client_broker_t *b = *tail;
        if (b->node_id == node_id && b->coordinator == coordinator) {
            kl_client_broker_set_address(b, host, port);
            return b;
        }
    }
    return *tail = kl_client_broker_new(c, node_id, host, port, kind);
}

kl_client_broker_t *kl_client_broker_learn(kl_client_t *c, int32_t node_id, const char *host, int port)
{
    return broker_at(c, node_id, host, port, KL_BROKER_LEARNED);
}

kl_client_broker_t *kl_client_coordinator(kl_client_t *c, int32_t node_id, const char *host, int port)
{
    return broker_at(c, node_id, host, port, KL_BROKER_COORDINATOR);
}

kl_client_broker_t *kl_client_broker(kl_client_t *c, int32_t node_id)
{
    if (node_id < 0)
        return NULL;
    for (kl_client_broker_t *b = c->brokers; b; b = b->next)
        if (b->node_id == node_id && !b->coordinator)
            return b;
    return NULL;
}

