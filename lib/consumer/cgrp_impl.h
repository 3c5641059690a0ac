/* Internals of the consumer group member (see cgrp.h), shared by its files:
 * cgrp.c (life cycle, subscription, the state machine's driver and the
 * rebalance events), cgrp_coord.c (finding the coordinator), cgrp_request.c
 * (requests that outlive a destroyed cgrp), cgrp_offsets.c (OffsetCommit,
 * OffsetFetch), cgrp_join.c (JoinGroup, the leader's assignment, SyncGroup),
 * cgrp_heartbeat.c (heartbeats, session and max.poll.interval.ms clocks,
 * LeaveGroup) and cgrp_topics.c (what the subscription matches in the
 * metadata). Everything runs on the client's I/O thread. */
#ifndef KL_CONSUMER_CGRP_IMPL_H
#define KL_CONSUMER_CGRP_IMPL_H

#include <regex.h>

#include "client/backoff.h"
#include "client/coordinator.h"
#include "consumer/assignor.h"
#include "consumer/cgrp.h"

#define CGRP_MAX_ASSIGNORS 3

typedef enum cgrp_state {
    CGRP_IDLE,       /* no subscription, or out of the group (max.poll) */
    CGRP_WAIT_JOIN,  /* wants to join: coordinator, metadata or back-off */
    CGRP_JOINING,    /* JoinGroup in flight */
    CGRP_ASSIGNING,  /* the leader waits for its members' topics */
    CGRP_SYNCING,    /* SyncGroup in flight */
    CGRP_STEADY,     /* member of a generation: heartbeats */
    CGRP_CLOSED      /* closed, or stopped by a fatal error */
} cgrp_state_t;

/* The event the consumer has not acknowledged yet. */
typedef enum cgrp_await { CGRP_AWAIT_NONE, CGRP_AWAIT_REVOKE, CGRP_AWAIT_ASSIGN } cgrp_await_t;

/* ---- requests (cgrp_request.c) ---- */

/* The decoded response (NULL when err) of a request sent with
 * cgrp_request_send(); resp lives until the handler returns. */
typedef void cgrp_response_fn(kl_cgrp_t *cg, kl_err_t err, void *resp, int16_t version, void *arg);

typedef struct cgrp_request {
    struct cgrp_request *next, *prev;
    kl_cgrp_t *cg; /* NULL once the cgrp is destroyed: the answer is dropped */
    int16_t api_key, version;
    cgrp_response_fn *fn;
    void *arg;
} cgrp_request_t;

/* ---- offset requests (cgrp_offsets.c) ---- */

typedef struct cgrp_op {
    struct cgrp_op *next;
    bool commit; /* OffsetCommit, else OffsetFetch */
    kl_topic_partition_list_t *parts;
    kl_cgrp_offsets_cb *cb;
    void *arg;
    int attempts;
    int64_t retry_at_ms;
    int64_t deadline_ms;
    int32_t generation; /* a commit's, as last sent */
} cgrp_op_t;

/* A subscribed topic as last seen, to notice metadata changes. */
typedef struct cgrp_topic_seen {
    char *name;
    int32_t partition_count;
} cgrp_topic_seen_t;

struct kl_cgrp {
    kl_client_t *client;
    kl_log_t *log;
    kl_cgrp_events_t events;
    void *opaque;

    /* settings */
    char *group_id;
    char *instance_id; /* NULL: dynamic member */
    char *rack;        /* NULL: none */
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* max.poll.interval.ms */
    int64_t heartbeat_interval_ms;
    kl_backoff_t backoff; /* after failed lookups, joins and offset requests */
    int64_t socket_timeout_ms;
    const kl_assignor_t *assignors[CGRP_MAX_ASSIGNORS];
    size_t nassignors;
    bool cooperative; /* the configured assignors are cooperative */

    kl_coord_t coord; /* the group coordinator (client/coordinator.h) */

    cgrp_request_t *requests; /* in flight */
    cgrp_op_t *ops;           /* offset requests waiting to be sent */
    kl_timer_t ops_timer;     /* their retries and deadlines */

    /* the subscription */
    char **topics; /* names and '^' patterns */
    size_t ntopics;
    regex_t *patterns; /* compiled, for the '^' entries */
    size_t npatterns;
    bool md_wait;          /* joining (or the leader's assignment) waits for a fresh metadata answer */
    cgrp_topic_seen_t *seen; /* the subscribed topics the last join saw */
    size_t nseen;

    /* membership */
    cgrp_state_t state;
    cgrp_await_t await;
    char *member_id; /* "" before the first join */
    int32_t generation;
    char *protocol;  /* chosen by the coordinator; NULL before */
    const kl_assignor_t *assignor;
    bool leader;
    bool cooperative_protocol; /* the chosen protocol is cooperative */
    bool rejoin;        /* rejoin as soon as the member may */
    bool lost;          /* the assignment is lost: revoke it (lost) first */
    bool poll_exceeded; /* left for max.poll.interval.ms: rejoin on poll */
    kl_topic_partition_list_t *assignment;     /* NULL before the first */
    kl_topic_partition_list_t *pending_assign; /* cooperative: to hand out after a revoke */
    int32_t assignment_generation;             /* the generation of assignment */
    int join_failures;     /* JoinGroup/SyncGroup failures in a row */
    kl_timer_t join_timer; /* back-off before the next JoinGroup */
    /* the leader's view of the members while it assigns (join_arena) */
    kl_arena_t join_arena;
    kl_assignor_member_t *members;
    size_t nmembers;

    /* heartbeats and clocks */
    kl_timer_t heartbeat_timer;
    bool heartbeat_in_flight;
    int64_t last_heartbeat_ok_ms; /* the coordinator last heard us */
    int64_t last_poll_ms;
    kl_timer_t poll_timer;

    /* close */
    kl_task_fn *close_done;
    void *close_arg;
    bool closing;
    bool destroying;
};

/* cgrp_request.c */
kl_err_t cgrp_request_send(kl_cgrp_t *cg, kl_client_broker_t *broker, int16_t api_key, int16_t version,
                           const void *body, size_t size_hint, cgrp_response_fn *fn, void *arg) KL_WARN_UNUSED;
/* Destroy: every handler in flight is called with KL_ERR_DESTROY now,
 * and the answers are dropped when they come. */
void cgrp_request_detach_all(kl_cgrp_t *cg);

/* cgrp_coord.c: the group's kl_coord_t, and what the group does when its
 * coordinator is ready or cannot be found. */
/* KL_ERR_NOMEM when out of memory. */
kl_err_t cgrp_coord_init(kl_cgrp_t *cg);
/* Stops the lookups and frees them. */
void cgrp_coord_stop(kl_cgrp_t *cg);
/* The coordinator when it is ready; otherwise NULL, and it is being looked
 * up or connected to (the waiting requests go when it is ready). */
kl_client_broker_t *cgrp_coord_get(kl_cgrp_t *cg);
/* A request to the coordinator failed with err (a coordinator error or a
 * transport error): forget it and look it up again. */
void cgrp_coord_dead(kl_cgrp_t *cg, kl_err_t err, const char *what);
/* Whether err says the coordinator moved or went away (kl_coord_moved()). */
static inline bool cgrp_coord_error(kl_err_t err) { return kl_coord_moved(err); }
void cgrp_coord_broker_ready(kl_cgrp_t *cg, kl_client_broker_t *broker);
void cgrp_coord_broker_down(kl_cgrp_t *cg, kl_client_broker_t *broker);

/* cgrp_offsets.c */
void cgrp_ops_init(kl_cgrp_t *cg);
/* Sends what waits for the coordinator (it is ready). */
void cgrp_ops_run(kl_cgrp_t *cg);
/* Completes every waiting op with err (destroy). */
void cgrp_ops_fail_all(kl_cgrp_t *cg, kl_err_t err);

/* cgrp.c: the state machine's driver and the events */
/* Takes the next step the state allows (join, revoke, assign ...). */
void cgrp_serve(kl_cgrp_t *cg);
/* A group error from any request: rejoin, lost assignment or fatal. */
void cgrp_member_error(kl_cgrp_t *cg, kl_err_t err, const char *what);
void cgrp_set_member_id(kl_cgrp_t *cg, const char *id, size_t len);
/* Forgets the generation (and the member id when reset_id). */
void cgrp_reset_generation(kl_cgrp_t *cg, bool reset_id);
/* Reports a fatal error and stops the member. */
void cgrp_fatal(kl_cgrp_t *cg, kl_err_t err, const char *reason);
/* SyncGroup's answer for this member (taken): revoke what moved away,
 * then hand out what is new. */
void cgrp_assignment_received(kl_cgrp_t *cg, kl_topic_partition_list_t *received);
/* max.poll.interval.ms ran out: leave, assignment lost, error event. */
void cgrp_poll_exceeded(kl_cgrp_t *cg);

/* cgrp_join.c */
void cgrp_join_init(kl_cgrp_t *cg);
void cgrp_join_send(kl_cgrp_t *cg);
/* Back to WAIT_JOIN, joining after a back-off (or at once). */
void cgrp_join_later(kl_cgrp_t *cg, bool backoff);
/* The leader: metadata arrived, maybe the members' topics are described. */
void cgrp_join_assign_retry(kl_cgrp_t *cg);
void cgrp_join_free(kl_cgrp_t *cg);

/* cgrp_heartbeat.c */
void cgrp_heartbeat_init(kl_cgrp_t *cg);
void cgrp_heartbeat_start(kl_cgrp_t *cg);
void cgrp_heartbeat_stop(kl_cgrp_t *cg);
/* (Re)arms the max.poll.interval.ms clock from last_poll_ms. */
void cgrp_heartbeat_poll_clock(kl_cgrp_t *cg);
/* LeaveGroup for member_id (best effort; done(arg), when not NULL, once
 * answered or failed, or at once without a ready coordinator). */
void cgrp_leave_send(kl_cgrp_t *cg, const char *member_id, kl_task_fn *done, void *arg);

/* cgrp_topics.c */
kl_err_t cgrp_topics_set(kl_cgrp_t *cg, const char *const *topics, size_t count);
void cgrp_topics_free(kl_cgrp_t *cg);
/* The topic names the subscription matches now (for JoinGroup), sorted;
 * *countp of them, strings owned by the metadata cache or the
 * subscription. NULL with *countp 0 when none; free() the array. */
const char **cgrp_topics_matched(kl_cgrp_t *cg, size_t *countp);
/* Whether the cache knows enough to join (literal topics described, and a
 * metadata answer after a pattern subscription). */
bool cgrp_topics_ready(kl_cgrp_t *cg);
/* Remembers the subscribed topics' partition counts (at join). */
void cgrp_topics_snapshot(kl_cgrp_t *cg, const kl_str_t *extra, size_t nextra);
/* Whether the remembered topics changed in the metadata since. */
bool cgrp_topics_changed(kl_cgrp_t *cg);
/* Tells the application (the error event) about each subscribed topic the
 * last join saw that the metadata no longer has: it was deleted. */
void cgrp_topics_report_gone(kl_cgrp_t *cg);

#endif
