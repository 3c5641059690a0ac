/* Bounds on the broker's client connections: connections.max.idle.ms
 * closes connections that have been silent too long (a client that died
 * without closing its socket, or one that only connected),
 * socket.request.read.timeout.ms those whose request frame stays
 * incomplete (a client feeding it byte by byte keeps the idle timer
 * from firing), and
 * max.connections / max.connections.per.ip refuse new connections beyond
 * those counts, so that a runaway client cannot exhaust the broker's
 * descriptors and memory. */
#ifndef KL_BROKER_CONN_LIMITS_H
#define KL_BROKER_CONN_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"

typedef struct kl_broker kl_broker_t;

typedef struct broker_conn_limits {
    int64_t idle_ms;        /* connections.max.idle.ms; -1: never reaped */
    int64_t read_timeout_ms; /* socket.request.read.timeout.ms; <= 0: none */
    int32_t max;            /* max.connections */
    int32_t max_per_ip;     /* max.connections.per.ip */
    size_t count;           /* open client connections */
    uint64_t refused;       /* connections refused since start */
    uint64_t reaped;        /* idle connections closed since start */
    uint64_t partial_closed; /* closed for a frame left incomplete */
    kl_timer_t idle_timer;
} broker_conn_limits_t;

/* Reads the settings from the broker's configuration. */
void conn_limits_init(kl_broker_t *broker);
/* Starts the idle sweep (network thread, or before the thread starts). */
void conn_limits_start(kl_broker_t *broker);
void conn_limits_stop(kl_broker_t *broker);
/* Whether a new connection from ip may be taken; logs a refusal (rate
 * limited). */
bool conn_limits_admit(kl_broker_t *broker, const char *ip);

#endif
