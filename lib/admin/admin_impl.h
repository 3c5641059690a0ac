/* Internals of the admin client. An operation (admin_op_t: one public
 * call) is run on the client's I/O thread as a set of calls (admin_call_t:
 * one request to one broker each) while the application thread waits for
 * the operation to finish. admin.c holds the handle and the operations,
 * call.c routes and sends the calls; each family of operations (topics.c,
 * configs.c, offsets.c, groups.c, group_offsets.c) describes its requests
 * with an admin_call_def_t and turns the answers into public results. */
#ifndef KL_ADMIN_ADMIN_IMPL_H
#define KL_ADMIN_ADMIN_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/backoff.h"
#include "client/client.h"
#include "client/coordinator.h"
#include "client/sync_call.h"
#include "kafkalite/admin.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/types.h"
#include "util/arena.h"

typedef struct admin_op admin_op_t;
typedef struct admin_call admin_call_t;

/* A call's target: any ready broker, or the group coordinator (found with
 * the client's coordinator lookup, client/coordinator.h); otherwise a node
 * id. */
#define ADMIN_ANY_BROKER (-1000)
#define ADMIN_COORDINATOR (-1001)

typedef struct admin_call_def {
    int16_t api_key;
    int16_t min_version, max_version; /* the range this client sends */
    /* I/O thread: the request body at version, allocated from arena (NULL:
     * out of memory). */
    void *(*build)(admin_call_t *call, int16_t version, kl_arena_t *arena);
    /* I/O thread: the decoded response, or resp NULL with err (and errstr,
     * may be NULL) when the call failed as a whole. May submit more calls. */
    void (*handle)(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp);
} admin_call_def_t;

struct admin_call {
    admin_call_t *next;        /* the handle's waiting list */
    kl_admin_t *admin;
    uint64_t op_id;            /* the operation it serves */
    admin_op_t *op;            /* valid while that operation runs */
    const admin_call_def_t *def;
    int32_t node;              /* ADMIN_ANY_BROKER, ADMIN_COORDINATOR or a node id */
    const char *group;         /* for ADMIN_COORDINATOR: the key */
    int32_t coordinator;       /* the node a coordinator call went to, -1 before */
    int64_t not_before_ms;     /* retry back-off */
    int failures;              /* attempts retried so far */
    int16_t version;           /* of the request in flight */
    void *arg;                 /* the family's own */
};

struct admin_op {
    kl_sync_call_t call;       /* first: done and err, for the operation as a whole */
    uint64_t id;
    int64_t deadline_ms;
    int calls;                 /* submitted and not yet handled */
    char errstr[512];
    void (*start)(admin_op_t *op); /* I/O thread: submits the first calls */
    kl_admin_t *admin;
    void *ctx;                 /* the family's state */
};

/* A group's coordinator, kept across operations. */
typedef struct admin_coord {
    struct admin_coord *next;
    kl_admin_t *admin;
    kl_coord_t co;
    kl_err_t err;              /* the lookup failed for good in this operation */
    char errstr[256];
} admin_coord_t;

struct kl_admin {
    kl_client_t *client;
    pthread_mutex_t run_lock;  /* one operation at a time */
    pthread_mutex_t lock;      /* the log pump's and the operations' (sync_call.h) */
    pthread_cond_t cond;
    kl_backoff_t backoff;
    /* I/O thread */
    admin_op_t *op;            /* the running operation, or NULL */
    uint64_t next_op_id;
    admin_call_t *waiting;     /* calls not sent yet */
    admin_call_t *requeued;    /* set while a handler runs: it queued its call again */
    admin_coord_t *coords;     /* the coordinators of the groups asked about */
    bool kicking, kick_again;  /* admin_calls_kick() is running; asked again meanwhile */
    kl_timer_t deadline_timer;
    kl_timer_t retry_timer;
};

/* ---- admin.c ---- */

/* Application thread: runs op (start on the I/O thread) until it finishes
 * or timeout_ms passes; returns its error. */
kl_err_t admin_op_run(kl_admin_t *admin, admin_op_t *op, int timeout_ms);
/* I/O thread: ends op with err (KL_ERR_NONE: its calls are all done). */
void admin_op_finish(admin_op_t *op, kl_err_t err, const char *errstr);

/* ---- call.c ---- */

/* I/O thread: queues a call of def for op to node; false when out of
 * memory (the operation then ends with KL_ERR_NOMEM). */
bool admin_call_submit(admin_op_t *op, const admin_call_def_t *def, int32_t node, const char *group, void *arg);
/* I/O thread: queues call again after the back-off (a coordinator call
 * looks its coordinator up again when forget_coordinator). */
void admin_call_retry(admin_call_t *call, bool forget_coordinator);
/* I/O thread: sends what can be sent. */
void admin_calls_kick(kl_admin_t *admin);
/* I/O thread: drops every queued call and stops the coordinator lookups
 * (the operation ended). */
void admin_calls_drop(kl_admin_t *admin);
/* I/O thread: an operation starts: the coordinator lookups that failed in
 * the last one may be tried again. */
void admin_coords_reset(kl_admin_t *admin);
/* I/O thread: the broker events, for the coordinators. */
void admin_coords_broker_ready(kl_admin_t *admin, kl_client_broker_t *broker);
void admin_coords_broker_down(kl_admin_t *admin, kl_client_broker_t *broker);
/* I/O thread, at the end: frees the coordinators. */
void admin_coords_free(kl_admin_t *admin);
/* The remaining time of the call's operation, at least 1 ms. */
int32_t admin_call_remaining_ms(const admin_call_t *call);

/* ---- results.c: the public results, built on the I/O thread ---- */

/* A copy of s as a NUL-terminated string; NULL for a null string. */
char *admin_strdup(kl_str_t s);
/* A copy of s; "" when s is null. NULL only when out of memory. */
char *admin_strdup_empty(kl_str_t s);
kl_admin_results_t *admin_results_new(size_t count);
/* Notes that an answer named item i (admin_results_unanswered() leaves it). */
void admin_result_answered(kl_admin_results_t *results, size_t i);
/* Sets item i of results from an answer. */
void admin_result_set(kl_admin_result_t *item, int16_t code, kl_str_t message);
/* Whether names holds count non-empty names. */
bool admin_names_valid(const char *const *names, size_t count);
/* Sets the first unanswered item named name. */
void admin_results_apply(kl_admin_results_t *results, kl_str_t name, int16_t code, kl_str_t message);
/* Sets every item to err (the call failed as a whole). */
void admin_results_fail(kl_admin_results_t *results, kl_err_t err, const char *errstr);
/* Marks the items the broker's answer left out. */
void admin_results_unanswered(kl_admin_results_t *results);
/* A results array with a copy of each name; NULL when out of memory. */
kl_admin_results_t *admin_results_named(const char *const *names, size_t count);
/* Sets item i's name to a copy of name; false when out of memory. */
bool admin_result_name(kl_admin_results_t *results, size_t i, const char *name);
/* Runs an operation whose only state is a results array: returns op's
 * error, destroying the results on failure, else hands them to *resultsp. */
kl_err_t admin_run_results(kl_admin_t *admin, admin_op_t *op, int timeout_ms, kl_admin_results_t *results,
                           kl_admin_results_t **resultsp);

/* ---- metadata.c: Metadata requests of the admin's own ---- */

typedef struct kl_metadata_response kl_metadata_response_t;
typedef struct admin_md_request {
    const char *const *topics; /* count 0: every topic */
    size_t count;
    bool brokers_only;         /* no topics at all: the brokers */
    void (*done)(admin_call_t *call, kl_err_t err, const char *errstr, const kl_metadata_response_t *resp);
    void *arg;
} admin_md_request_t;
/* Queues a Metadata request for req's topics (never creating them) to any
 * broker; req->done hears the answer. */
bool admin_metadata_submit(admin_op_t *op, admin_md_request_t *req);

/* Whether a Kafka error is worth asking again for (the coordinator moving
 * or loading). */
bool admin_err_retriable(kl_err_t err);
#endif
