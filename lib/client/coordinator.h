/* Finding a coordinator: the one lookup, cache and retry rule of every
 * client handle for the broker that coordinates a key -- a consumer
 * group's (key type 0, KL_COORD_GROUP: the consumer's group, the admin
 * client's group operations) or a transactional id's (key type 1,
 * KL_COORD_TRANSACTION: the transactional producer).
 *
 * A kl_coord_t holds one key's coordinator. kl_coord_get() answers the
 * cached coordinator when its connection (a connection of its own,
 * kl_client_coordinator()) is ready, and otherwise looks it up: a
 * FindCoordinator request to any ready broker, then a connection to the
 * broker it names. The owner hears through its callback when the
 * coordinator is ready, or when the lookup failed for good.
 *
 * The retry rule (kl_coord_retriable()): a lookup that fails with a
 * retriable error -- the connection dropped or timed out
 * (KL_ERR_TRANSPORT, KL_ERR_TIMED_OUT, NETWORK_EXCEPTION,
 * REQUEST_TIMED_OUT), the coordinator not there yet or moving
 * (COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS,
 * NOT_COORDINATOR), or an answer that cannot be used -- is asked again
 * after the client back-off (client/backoff.h); any other error (not
 * authorized, a request the broker refuses, no FindCoordinator version in
 * common) ends the lookup and goes to the owner. The owner bounds the
 * whole with its own deadline (the admin operation's timeout) or keeps
 * going (a consumer group). A request to the coordinator that fails with
 * an error of kl_coord_moved() makes the owner call kl_coord_dead(),
 * which forgets the coordinator and looks it up again, at once the first
 * time and after the back-off when it keeps failing.
 *
 * Everything here runs on the I/O thread (kl_coord_init() also before the
 * thread starts). */
#ifndef KL_CLIENT_COORDINATOR_H
#define KL_CLIENT_COORDINATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "client/backoff.h"
#include "client/client.h"

/* FindCoordinator's key types. */
#define KL_COORD_GROUP 0
#define KL_COORD_TRANSACTION 1

typedef struct kl_coord kl_coord_t;
typedef struct kl_coord_query kl_coord_query_t;

/* The lookup ended: err KL_ERR_NONE when the coordinator is ready
 * (kl_coord_get() returns it now), else an error the rule does not retry,
 * with errstr saying what; a later kl_coord_get() looks up again. */
typedef void kl_coord_cb(kl_coord_t *co, kl_err_t err, const char *errstr, void *opaque);

struct kl_coord {
    kl_client_t *client;
    int8_t key_type;          /* KL_COORD_GROUP or KL_COORD_TRANSACTION */
    char *key;                /* the group id or transactional id */
    kl_coord_cb *cb;
    void *opaque;
    kl_backoff_t backoff;
    int64_t timeout_ms;       /* of a FindCoordinator request: socket.timeout.ms */
    kl_client_broker_t *broker; /* the coordinator found; NULL: unknown */
    kl_coord_query_t *query;  /* the FindCoordinator request in flight */
    bool want_broker;         /* waiting for any broker to be ready to ask */
    int failures;             /* lookups failed in a row */
    kl_timer_t timer;         /* the next lookup, after a back-off */
};

/* Sets co up for key (copied). KL_ERR_NOMEM when out of memory. */
kl_err_t kl_coord_init(kl_coord_t *co, kl_client_t *client, int key_type, const char *key, kl_coord_cb *cb,
                       void *opaque);
/* Stops any lookup under way (its answer is ignored) and the back-off
 * timer; the coordinator found stays cached. */
void kl_coord_stop(kl_coord_t *co);
/* kl_coord_stop(), then frees what co holds. */
void kl_coord_free(kl_coord_t *co);

/* The coordinator when it is ready; otherwise NULL, and it is being looked
 * up or connected to (the callback follows). */
kl_client_broker_t *kl_coord_get(kl_coord_t *co);
/* A request to the coordinator failed with err (an error of
 * kl_coord_moved(), or its connection went down): forget it and look it up
 * again. KL_ERR_DESTROY (the handle is closing) is ignored. */
void kl_coord_dead(kl_coord_t *co, kl_err_t err);
/* The owner's broker events, handed on. */
void kl_coord_broker_ready(kl_coord_t *co, kl_client_broker_t *broker);
void kl_coord_broker_down(kl_coord_t *co, kl_client_broker_t *broker);

/* The retry rule of a lookup: whether a FindCoordinator that failed with
 * err is asked again. */
bool kl_coord_retriable(kl_err_t err);
/* Whether a coordinator request's err says the coordinator moved or went
 * away (kl_coord_dead() follows). */
bool kl_coord_moved(kl_err_t err);

#endif
