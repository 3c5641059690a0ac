/* The broker's network threads (num.network.threads): each runs an event
 * loop of its own and owns the sockets of the connections given to it,
 * round robin, as they are accepted. A network thread reads request
 * frames and writes responses; the broker loop decodes and serves the
 * requests (conn.h tells who owns what of a connection, and when). */
#ifndef KL_BROKER_NET_THREADS_H
#define KL_BROKER_NET_THREADS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/loop.h"

typedef struct kl_broker kl_broker_t;

typedef struct broker_net {
    kl_loop_t *loop;
    pthread_t thread;
    bool running;
} broker_net_t;

typedef struct broker_nets {
    broker_net_t *threads;
    size_t count;
    size_t next; /* the thread the next connection goes to (broker loop) */
} broker_nets_t;

/* Creates the loops and starts num.network.threads threads; 0, or -1 with
 * nothing left running. */
int net_threads_start(kl_broker_t *broker);
/* Stops and joins the threads; their loops stay, for the connections'
 * teardown (net_threads_free()). */
void net_threads_stop(kl_broker_t *broker);
/* Frees the loops (running what is still queued on them). */
void net_threads_free(kl_broker_t *broker);
/* The thread for a new connection (broker loop). */
broker_net_t *net_threads_pick(kl_broker_t *broker);

#endif
