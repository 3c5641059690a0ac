/* Listeners: parses `listeners`, `advertised.listeners` and
 * `listener.security.protocol.map` (NAME://host:port entries), binds the
 * sockets (port 0: the operating system picks one) and accepts
 * connections on the broker loop; listener_security.c sets up TLS and
 * SASL listeners. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/conn.h"
#include "broker/server.h"
#include "util/conf.h"

#define LISTEN_BACKLOG 128

bool listener_parse_endpoint(const char *s, size_t len, char **name, char **host, int *port)
{
    const char *sep = memmem(s, len, "://", 3);
    if (!sep || sep == s)
        return false;
    const char *h = sep + 3, *end = s + len;
    const char *colon = NULL;
    if (h < end && *h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (!close || close + 1 >= end || close[1] != ':')
            return false;
        colon = close + 1;
        *host = strndup(h + 1, (size_t)(close - h - 1));
    } else {
        for (const char *p = h; p < end; p++)
            if (*p == ':')
                colon = p;
        if (!colon)
            return false;
        *host = strndup(h, (size_t)(colon - h));
    }
    *name = strndup(s, (size_t)(sep - s));
    char digits[8];
    size_t n = (size_t)(end - colon - 1);
    bool ok = *name && *host && n > 0 && n < sizeof digits;
    if (ok) {
        memcpy(digits, colon + 1, n);
        digits[n] = '\0';
        char *e;
        long v = strtol(digits, &e, 10);
        ok = !*e && v >= 0 && v <= 65535;
        *port = (int)v;
    }
    if (!ok) {
        free(*name);
        free(*host);
        *name = *host = NULL;
    }
    return ok;
}

/* The protocol the map gives listener name, or NULL. */
static char *protocol_of(const char *map, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = map; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ')
            p++, len--;
        if (len > nlen && !strncmp(p, name, nlen) && p[nlen] == ':')
            return strndup(p + nlen + 1, len - nlen - 1);
        p += len + (comma ? 1 : 0);
    }
    return NULL;
}

/* Whether name is listed in controller.listener.names: a KRaft
 * controller's listener, which a Kafka quickstart file declares and a
 * single kafkalite node has no use for. */
static bool controller_listener(const kl_broker_t *broker, const char *name)
{
    char list[1024];
    size_t size = sizeof list;
    /* an ignored (cluster-only) property: read through the public getter */
    if (kl_conf_get(broker->conf, "controller.listener.names", list, &size) != KL_ERR_NONE)
        return false;
    size_t nlen = strlen(name);
    for (const char *p = list; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == nlen && !strncmp(p, name, nlen))
            return true;
        p += len;
    }
    return false;
}

static kl_err_t add_listener(kl_broker_t *broker, const char *entry, size_t len, char *errstr, size_t errstr_size)
{
    broker_listener_t l = {.broker = broker, .fd = -1};
    if (!listener_parse_endpoint(entry, len, &l.name, &l.host, &l.port)) {
        snprintf(errstr, errstr_size, "listeners: cannot parse \"%.*s\" (want NAME://host:port)", (int)len, entry);
        return KL_ERR_INVALID_CONFIG;
    }
    if (controller_listener(broker, l.name)) {
        broker_log(broker, BROKER_LOG_WARN, "listeners: %s is a controller listener "
                   "(controller.listener.names); kafkalite has no controller and does not open it", l.name);
        free(l.name);
        free(l.host);
        return KL_ERR_NONE;
    }
    char *proto = protocol_of(kl_conf_get_str(broker->conf, "listener.security.protocol.map"), l.name);
    kl_err_t err = KL_ERR_NONE;
    if (!proto) {
        snprintf(errstr, errstr_size, "listeners: no security protocol for listener %s in "
                 "listener.security.protocol.map", l.name);
        err = KL_ERR_INVALID_CONFIG;
    } else {
        err = listener_security_setup(broker, &l, proto, errstr, errstr_size);
    }
    for (size_t i = 0; !err && i < broker->listener_count; i++)
        if (!strcmp(broker->listeners[i].name, l.name)) {
            snprintf(errstr, errstr_size, "listeners: listener name %s appears twice", l.name);
            err = KL_ERR_INVALID_CONFIG;
        }
    free(proto);
    broker_listener_t *grown = err ? NULL : realloc(broker->listeners, (broker->listener_count + 1) * sizeof l);
    if (!err && !grown)
        err = KL_ERR_NOMEM;
    if (err) {
        listener_security_free(&l);
        free(l.name);
        free(l.host);
        return err;
    }
    broker->listeners = grown;
    broker->listeners[broker->listener_count++] = l;
    return KL_ERR_NONE;
}

/* Applies one advertised.listeners entry to the listener of its name. */
static kl_err_t add_advertised(kl_broker_t *broker, const char *entry, size_t len, char *errstr, size_t errstr_size)
{
    char *name, *host;
    int port;
    if (!listener_parse_endpoint(entry, len, &name, &host, &port)) {
        snprintf(errstr, errstr_size, "advertised.listeners: cannot parse \"%.*s\"", (int)len, entry);
        return KL_ERR_INVALID_CONFIG;
    }
    broker_listener_t *l = NULL;
    for (size_t i = 0; i < broker->listener_count; i++)
        if (!strcmp(broker->listeners[i].name, name))
            l = &broker->listeners[i];
    kl_err_t err = KL_ERR_NONE;
    if (!l) {
        snprintf(errstr, errstr_size, "advertised.listeners: %s is not in listeners", name);
        err = KL_ERR_INVALID_CONFIG;
    } else {
        free(l->adv_host);
        l->adv_host = host;
        l->adv_port = port;
        host = NULL;
    }
    free(name);
    free(host);
    return err;
}

typedef kl_err_t entry_fn(kl_broker_t *broker, const char *entry, size_t len, char *errstr, size_t errstr_size);

static kl_err_t for_each_entry(kl_broker_t *broker, const char *list, entry_fn *fn, char *errstr, size_t errstr_size)
{
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0) {
            kl_err_t err = fn(broker, p, len, errstr, errstr_size);
            if (err)
                return err;
        }
        p += strcspn(p, ",");
    }
    return KL_ERR_NONE;
}

/* listener.name.<l>.* settings for a listener l that listeners does not
 * open: Kafka starts and never reads them, so kafkalite starts too, but
 * says so (a misspelt listener name would otherwise go unnoticed). */
static void warn_unknown_listener_settings(kl_broker_t *broker)
{
    static const char prefix[] = "listener.name.";
    const char *name;
    for (size_t i = 0; (name = kl_conf_scoped_name(broker->conf, i)); i++) {
        if (strncmp(name, prefix, sizeof prefix - 1))
            continue;
        const char *scope = name + sizeof prefix - 1;
        size_t len = strcspn(scope, ".");
        bool known = false;
        for (size_t k = 0; k < broker->listener_count && !known; k++)
            known = strlen(broker->listeners[k].name) == len && !strncasecmp(broker->listeners[k].name, scope, len);
        if (known)
            continue;
        char upper[64];
        size_t n = len < sizeof upper - 1 ? len : sizeof upper - 1;
        for (size_t k = 0; k < n; k++)
            upper[k] = (char)toupper((unsigned char)scope[k]);
        upper[n] = '\0';
        if (controller_listener(broker, upper))
            broker_log(broker, BROKER_LOG_WARN, "%s is ignored: %s is a controller listener, which kafkalite does "
                       "not open", name, upper);
        else
            broker_log(broker, BROKER_LOG_WARN, "%s is ignored: no listener %s in listeners (%s)", name, upper,
                       kl_conf_get_str(broker->conf, "listeners"));
    }
}

kl_err_t listeners_parse(kl_broker_t *broker, char *errstr, size_t errstr_size)
{
    kl_err_t err = for_each_entry(broker, kl_conf_get_str(broker->conf, "listeners"), add_listener, errstr,
                                  errstr_size);
    if (!err && broker->listener_count == 0) {
        snprintf(errstr, errstr_size, "listeners: no listener configured");
        err = KL_ERR_INVALID_CONFIG;
    }
    if (!err)
        err = for_each_entry(broker, kl_conf_get_str(broker->conf, "advertised.listeners"), add_advertised,
                             errstr, errstr_size);
    if (!err)
        warn_unknown_listener_settings(broker);
    return err;
}

static bool any_address(const char *host)
{
    return !host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
}

int listener_bind_address(const char *host, int *port)
{
    char service[8];
    snprintf(service, sizeof service, "%d", *port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(host[0] ? host : NULL, service, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
                        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t slen = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &slen) == 0)
        *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static kl_err_t listener_bind(broker_listener_t *l)
{
    l->fd = listener_bind_address(l->host, &l->port);
    return l->fd < 0 ? KL_ERR_TRANSPORT : KL_ERR_NONE;
}

/* What metadata tells clients when advertised.listeners does not say. */
static kl_err_t listener_advertise(broker_listener_t *l)
{
    if (!l->adv_host) {
        char name[256] = "localhost";
        if (any_address(l->host) && gethostname(name, sizeof name) == 0)
            name[sizeof name - 1] = '\0';
        l->adv_host = strdup(any_address(l->host) ? name : l->host);
        if (!l->adv_host)
            return KL_ERR_NOMEM;
    }
    if (l->adv_port == 0)
        l->adv_port = l->port;
    return KL_ERR_NONE;
}

/* broker->listeners_text: every listener as NAME://host:port with its
 * bound port, comma-separated, for kl_broker_listeners(). */
static kl_err_t listeners_describe(kl_broker_t *broker)
{
    size_t size = 1;
    for (size_t i = 0; i < broker->listener_count; i++)
        size += strlen(broker->listeners[i].name) + strlen(broker->listeners[i].host) + 20;
    free(broker->listeners_text);
    broker->listeners_text = malloc(size);
    if (!broker->listeners_text) {
        listeners_close(broker);
        return KL_ERR_NOMEM;
    }
    size_t used = 0;
    for (size_t i = 0; i < broker->listener_count; i++) {
        const broker_listener_t *l = &broker->listeners[i];
        bool v6 = strchr(l->host, ':') != NULL;
        used += (size_t)snprintf(broker->listeners_text + used, size - used, v6 ? "%s%s://[%s]:%d" : "%s%s://%s:%d",
                                 i ? "," : "", l->name, l->host, l->port);
    }
    return KL_ERR_NONE;
}

kl_err_t listeners_bind(kl_broker_t *broker)
{
    for (size_t i = 0; i < broker->listener_count; i++) {
        broker_listener_t *l = &broker->listeners[i];
        kl_err_t err = listener_bind(l);
        if (err) {
            broker_log(broker, BROKER_LOG_ERR, "cannot listen on %s://%s:%d: %s", l->name, l->host, l->port,
                       strerror(errno));
            listeners_close(broker);
            return err;
        }
        err = listener_advertise(l);
        if (err) {
            listeners_close(broker);
            return err;
        }
        broker_log(broker, BROKER_LOG_INFO, "listening on %s://%s:%d (%s)", l->name, l->host, l->port,
                   listener_protocol_name(l));
    }
    const broker_listener_t *first = &broker->listeners[0];
    const char *host = any_address(first->host) ? "127.0.0.1" : first->host;
    bool v6 = strchr(host, ':') != NULL;
    free(broker->bootstrap);
    if (asprintf(&broker->bootstrap, v6 ? "[%s]:%d" : "%s:%d", host, first->port) < 0) {
        broker->bootstrap = NULL;
        listeners_close(broker);
        return KL_ERR_NOMEM;
    }
    return listeners_describe(broker);
}

/* How long a listener rests after accept ran out of descriptors (or
 * memory), unless a connection closes first. */
#define ACCEPT_BACKOFF_MS 200

static bool out_of_resources(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static void listener_watch(broker_listener_t *l)
{
    if (kl_io_start(l->broker->loop, &l->io, KL_IO_READ) != 0)
        broker_log(l->broker, BROKER_LOG_ERR, "cannot watch listener %s: %s", l->name, strerror(errno));
}

/* Stops watching l: the pending connection stays in the backlog instead
 * of waking the loop again at once (which would spin), until the timer
 * or a closing connection (listeners_resume()) tries again. */
static void listener_pause(broker_listener_t *l, int err)
{
    kl_broker_t *b = l->broker;
    l->paused = true;
    if (l->io.active)
        kl_io_stop(b->loop, &l->io);
    kl_timer_start(b->loop, &l->resume_timer, ACCEPT_BACKOFF_MS);
    broker_log_limited(b, &b->log_limits.accept, BROKER_LOG_WARN,
                       "accept on %s: %s: new connections wait (retrying every %d ms or when a connection "
                       "closes; %zu connections open)",
                       l->name, strerror(err), ACCEPT_BACKOFF_MS, b->conn_limits.count);
}

static void listener_resume(broker_listener_t *l)
{
    if (!l->paused || l->fd < 0)
        return;
    l->paused = false;
    if (kl_timer_active(&l->resume_timer))
        kl_timer_stop(l->broker->loop, &l->resume_timer);
    listener_watch(l);
}

static void on_resume_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    (void)loop;
    listener_resume(timer->opaque);
}

void listeners_resume(kl_broker_t *broker)
{
    for (size_t i = 0; i < broker->listener_count; i++)
        listener_resume(&broker->listeners[i]);
}

static void on_accept(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    broker_listener_t *l = io->opaque;
    (void)loop;
    (void)events;
    /* A bounded batch per wake-up, so a connection storm cannot starve
     * the connections already served. */
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t slen = sizeof ss;
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            if (out_of_resources(err))
                listener_pause(l, err);
            else if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR && err != ECONNABORTED)
                broker_log_limited(l->broker, &l->broker->log_limits.accept, BROKER_LOG_WARN, "accept on %s: %s",
                                   l->name, strerror(err));
            return;
        }
        char peer[INET6_ADDRSTRLEN + 8] = "?";
        char addr[INET6_ADDRSTRLEN] = "?";
        if (ss.ss_family == AF_INET &&
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr))
            snprintf(peer, sizeof peer, "%s:%d", addr, ntohs(((struct sockaddr_in *)&ss)->sin_port));
        else if (ss.ss_family == AF_INET6 &&
                 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr))
            snprintf(peer, sizeof peer, "[%s]:%d", addr, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
        if (!conn_limits_admit(l->broker, addr)) {
            close(fd);
            continue;
        }
        conn_accept(l->broker, l, fd, addr, peer);
    }
}

void listeners_watch(kl_broker_t *broker)
{
    for (size_t i = 0; i < broker->listener_count; i++) {
        broker_listener_t *l = &broker->listeners[i];
        kl_io_init(&l->io, l->fd, on_accept, l);
        kl_timer_init(&l->resume_timer, on_resume_timer, l);
        l->paused = false;
        listener_watch(l);
    }
}

void listeners_close(kl_broker_t *broker)
{
    for (size_t i = 0; i < broker->listener_count; i++) {
        broker_listener_t *l = &broker->listeners[i];
        if (l->fd >= 0) {
            if (l->io.active)
                kl_io_stop(broker->loop, &l->io);
            if (l->paused && kl_timer_active(&l->resume_timer))
                kl_timer_stop(broker->loop, &l->resume_timer);
            l->paused = false;
            close(l->fd);
            l->fd = -1;
        }
    }
}

void listeners_free(kl_broker_t *broker)
{
    listeners_close(broker);
    for (size_t i = 0; i < broker->listener_count; i++) {
        free(broker->listeners[i].name);
        free(broker->listeners[i].host);
        free(broker->listeners[i].adv_host);
        listener_security_free(&broker->listeners[i]);
    }
    free(broker->listeners);
    free(broker->listeners_text);
    broker->listeners = NULL;
    broker->listeners_text = NULL;
    broker->listener_count = 0;
}
