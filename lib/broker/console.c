/* The broker's HTTP console: console.listeners, the address it is bound
 * to, and kl_broker_console_address() (see console.h). Serving is in
 * console_http.c, built with libmicrohttpd. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/console.h"
#include "broker/console_internal.h"
#include "broker/server.h"
#include "util/conf.h"

kl_err_t console_parse(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    const char *text = kl_conf_get_str(b->conf, "console.listeners");
    if (!text || !text[0])
        return KL_ERR_NONE;
#ifndef WITH_MICROHTTPD
    snprintf(errstr, errstr_size, "console.listeners: this kafkalite was built without libmicrohttpd "
             "(configure --with-microhttpd)");
    return KL_ERR_INVALID_CONFIG;
#else
    char *scheme = NULL, *host = NULL;
    int port = 0;
    bool ok = !strchr(text, ',') && listener_parse_endpoint(text, strlen(text), &scheme, &host, &port);
    if (!ok || strcmp(scheme, "http") != 0) {
        snprintf(errstr, errstr_size, "console.listeners %s: expected one http://host:port address", text);
        free(scheme);
        free(host);
        return KL_ERR_INVALID_CONFIG;
    }
    free(scheme);
    b->console = calloc(1, sizeof *b->console);
    if (!b->console) {
        free(host);
        return KL_ERR_NOMEM;
    }
    b->console->broker = b;
    b->console->read_only = kl_conf_get_bool(b->conf, "console.read.only");
    b->console->host = host;
    b->console->port = port;
    return KL_ERR_NONE;
#endif
}

/* The URL a client on this machine can use: every interface is reached
 * on the loopback address. */
void console_describe(broker_console_t *c)
{
    const char *h = c->host;
    bool any = !h[0] || !strcmp(h, "0.0.0.0");
    bool v6 = strchr(h, ':') != NULL;
    if (!strcmp(h, "::"))
        snprintf(c->address, sizeof c->address, "http://[::1]:%d", c->port);
    else
        snprintf(c->address, sizeof c->address, "http://%s%s%s:%d", v6 ? "[" : "", any ? "127.0.0.1" : h,
                 v6 ? "]" : "", c->port);
}

const char *kl_broker_console_address(const kl_broker_t *b)
{
    return b && b->console && b->console->serving ? b->console->address : NULL;
}

void console_free(kl_broker_t *b)
{
    if (!b->console)
        return;
    free(b->console->host);
    free(b->console);
    b->console = NULL;
}

#ifndef WITH_MICROHTTPD
kl_err_t console_start(kl_broker_t *b)
{
    (void)b;
    return KL_ERR_NONE;
}

void console_stop(kl_broker_t *b)
{
    (void)b;
}
#endif
