/* The HTTP console's state, shared by console.c and console_http.c. */
#ifndef KL_BROKER_CONSOLE_INTERNAL_H
#define KL_BROKER_CONSOLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kafkalite/broker.h"

struct MHD_Daemon;

typedef struct broker_console {
    kl_broker_t *broker;
    char *host;    /* as configured; "" for every interface */
    int port;      /* as configured, then the bound one */
    char address[300]; /* kl_broker_console_address() */
    bool serving;
    bool read_only;    /* console.read.only */
    char token[33];    /* what a POST must carry (hex, from getrandom) */
    int64_t start_wall_ms;
    struct MHD_Daemon *daemon;
} broker_console_t;

/* Fills c->address from host and the bound port. */
void console_describe(broker_console_t *c);

#endif
