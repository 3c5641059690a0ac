/* The group coordinator's internals, shared by its files: the structures
 * (coordinator, group, member, committed offset), the deadline heap, the
 * reply queue, the append operations and the state machine's steps. */
#ifndef KL_BROKER_GROUP_INTERNAL_H
#define KL_BROKER_GROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/group.h"
#include "proto/schema.h"
#include "record/batch.h"
#include "util/arena.h"

typedef struct group group_t;
typedef struct group_member group_member_t;

/* ---- a string-keyed hash map (groups by id, offsets by partition) ---- */

typedef struct group_map_entry {
    struct group_map_entry *next;
    uint32_t hash;
    size_t key_len;
    void *value;
    uint8_t key[]; /* key_len bytes */
} group_map_entry_t;

typedef struct group_map {
    group_map_entry_t **buckets;
    size_t bucket_count; /* a power of two, or 0 */
    size_t count;
} group_map_t;

void group_map_init(group_map_t *map);
/* Frees the entries (not the values). */
void group_map_free(group_map_t *map);
void *group_map_get(const group_map_t *map, const void *key, size_t key_len);
/* Adds or replaces; false when out of memory. */
bool group_map_put(group_map_t *map, const void *key, size_t key_len, void *value);
/* Removes the entry and returns its value (NULL if absent). */
void *group_map_remove(group_map_t *map, const void *key, size_t key_len);
/* Every value, in no particular order, into a malloc'd array (NULL with
 * *countp 0 when empty or out of memory). */
void **group_map_values(const group_map_t *map, size_t *countp);

/* ---- deadlines ---- */

typedef enum {
    TIMER_SESSION,   /* a member's session (or new-member join) timeout */
    TIMER_PENDING,   /* a MEMBER_ID_REQUIRED member that has not rejoined */
    TIMER_JOIN,      /* a group's join phase: initial delay or rebalance timeout */
    TIMER_SYNC,      /* a group's members that have not sent SyncGroup */
    TIMER_RETENTION, /* the periodic offsets retention check */
} group_timer_kind_t;

typedef struct group_timer {
    int64_t due_ms;
    size_t heap_index; /* SIZE_MAX when not armed */
    group_timer_kind_t kind;
    void *owner; /* member, pending member, group or coordinator */
} group_timer_t;

void group_timer_init(group_timer_t *timer, group_timer_kind_t kind, void *owner);
static inline bool group_timer_armed(const group_timer_t *timer) { return timer->heap_index != SIZE_MAX; }

/* ---- replies ---- */

/* A response being built or waiting to be delivered; its arena holds the
 * response and everything it points to. */
typedef struct group_queued {
    struct group_queued *next;
    group_reply_t reply;
    kl_arena_t arena;
    void *resp;
} group_queued_t;

/* ---- members and groups ---- */

typedef struct group_protocol {
    char *name;
    uint8_t *metadata;
    int32_t metadata_len;
} group_protocol_t;

struct group_member {
    group_member_t *next; /* in the group, in join order */
    group_t *group;
    char *id;
    char *instance_id; /* NULL: dynamic member */
    char *client_id;
    char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    group_protocol_t *protocols; /* in the member's order of preference */
    size_t protocol_count;
    uint8_t *assignment;
    int32_t assignment_len;
    bool is_new;        /* joined but not yet through a completed join phase */
    bool awaiting_join; /* owes a JoinGroup answer */
    bool awaiting_sync; /* owes a SyncGroup answer */
    bool pending_sync;  /* has not sent SyncGroup in this generation */
    group_reply_t join_reply, sync_reply; /* fn NULL once cancelled */
    int16_t join_version, sync_version;
    group_timer_t session;
};

/* A member id handed out with MEMBER_ID_REQUIRED, waiting for its join. */
typedef struct group_pending {
    struct group_pending *next;
    group_t *group;
    char *id;
    group_timer_t timer;
} group_pending_t;

typedef enum { GROUP_EMPTY, GROUP_PREPARING, GROUP_COMPLETING, GROUP_STABLE, GROUP_DEAD } group_state_t;

/* A committed offset. */
typedef struct group_offset {
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;    /* -1: none */
    char *metadata;          /* never NULL */
    int64_t commit_ts;       /* wall ms */
    int64_t expire_ts;       /* -1: by retention (only old value v1 sets it) */
} group_offset_t;

struct group {
    group_coordinator_t *coord;
    char *id;
    int32_t partition; /* of __consumer_offsets */
    group_state_t state, prev_state;
    int64_t state_ts;  /* wall ms of the last transition, -1 unknown */
    int32_t generation;
    char *protocol_type; /* NULL: none yet (a simple group) */
    char *protocol_name; /* NULL outside a generation with members */
    group_member_t *members;
    group_member_t *leader;
    size_t member_count;
    size_t awaiting_join_count;
    group_pending_t *pending;
    bool new_member_added; /* during the initial delay */
    group_timer_t join_timer;
    bool join_initial;       /* join_timer is the initial delay */
    int32_t join_delay_ms, join_remaining_ms;
    group_timer_t sync_timer;
    int32_t sync_generation;
    group_map_t offsets; /* topic '\0' partition -> group_offset_t */
};

/* An append in flight and what to do when it finishes. */
typedef struct group_op group_op_t;
typedef void group_op_fn(group_op_t *op, kl_err_t err);

struct group_op {
    group_op_t *prev, *next;
    group_coordinator_t *coord;
    group_op_fn *complete;
    uint8_t *batch;
    size_t batch_len;
    group_queued_t *reply;    /* the answer waiting for the append, or NULL */
    char *group_id;
    int32_t generation;
    void *data;               /* complete's own state */
    void (*free_data)(void *data);
};

/* A public request call in progress (on the C stack). */
typedef struct coord_frame {
    struct coord_frame *up;
    void *opaque;
    bool replied;
} coord_frame_t;

struct group_coordinator {
    group_config_t config;
    group_env_t env;
    group_map_t groups;
    group_timer_t **heap;
    size_t heap_len, heap_cap;
    group_timer_t retention;
    int depth;                  /* nesting of calls into the coordinator */
    group_queued_t *queue_head, *queue_tail; /* replies to deliver */
    group_op_t *ops;            /* appends in flight */
    group_queued_t *waiting;    /* answers waiting for several appends */
    int64_t reported_deadline;
    kl_batch_writer_t writer;
    coord_frame_t *frames; /* the public calls in progress, innermost first */
    struct group_txn_pending *txn_pending; /* transactional offsets awaiting their marker */
    uint32_t load_seq;     /* numbers each partition replay (group_txn_offsets.c) */
};

/* ---- group_coord.c: entry, exit, replies ---- */

/* Every public entry point brackets its work with these; the outermost
 * leave delivers the queued replies and reports the deadline. */
void group_coord_enter(group_coordinator_t *c);
void group_coord_leave(group_coordinator_t *c);
/* A public request function's bracket around fn(c, arg): GROUP_REPLIED
 * when the reply for opaque went out before it returned. */
group_status_t group_coord_call(group_coordinator_t *c, void *opaque, void (*fn)(group_coordinator_t *, void *),
                          void *arg);
int64_t group_coord_now(group_coordinator_t *c);
int64_t group_coord_wall(group_coordinator_t *c);

/* A response of schema (initialised to its defaults) to fill, or NULL when
 * out of memory, in which case reply.fn has been called with NULL. */
group_queued_t *group_reply_new(group_coordinator_t *c, group_reply_t reply, const kl_schema_t *schema);
/* Tells the requester at once that its answer could not be built. */
void group_reply_oom(group_coordinator_t *c, group_reply_t reply);
/* Queues the filled response for delivery. */
void group_reply_send(group_coordinator_t *c, group_queued_t *q);
void group_reply_discard(group_queued_t *q);
/* Keeps q where group_cancel() finds it while appends are in flight. */
void group_reply_wait(group_coordinator_t *c, group_queued_t *q);
void group_reply_unwait(group_coordinator_t *c, group_queued_t *q);
/* Copies into q's arena (strings: "" when s is NULL and nullable false). */
kl_str_t group_reply_str(group_queued_t *q, const char *s);
kl_str_t group_reply_kstr(group_queued_t *q, kl_str_t s);
kl_bytes_t group_reply_bytes(group_queued_t *q, const uint8_t *p, int32_t len);
void *group_reply_array(group_queued_t *q, size_t count, size_t size);
/* A fresh "<prefix>-<uuid>" member id (malloc'd). */
char *group_coord_member_id(const char *prefix, size_t prefix_len);
char *group_strdup(kl_str_t s);
/* s equals the C string c (never when either is null). */
bool group_str_is(kl_str_t s, const char *c);
bool group_str_same(kl_str_t a, kl_str_t b);

/* ---- group_timer.c ---- */

void group_timer_arm(group_coordinator_t *c, group_timer_t *timer, int64_t delay_ms);
void group_timer_stop(group_coordinator_t *c, group_timer_t *timer);
/* The armed timer due first, or NULL. */
group_timer_t *group_timer_first(const group_coordinator_t *c);

/* ---- group_state.c: groups, members, the state machine ---- */

const char *group_state_name(group_state_t state);
group_t *group_find(group_coordinator_t *c, kl_str_t id);
group_t *group_create(group_coordinator_t *c, kl_str_t id);
/* Removes the group from the coordinator and frees it. */
void group_destroy(group_t *g);
void group_transition(group_t *g, group_state_t state);

group_member_t *group_member_find(const group_t *g, kl_str_t id);
group_member_t *group_member_find_static(const group_t *g, kl_str_t instance_id);
group_pending_t *group_pending_find(const group_t *g, kl_str_t id);
void group_pending_remove(group_t *g, group_pending_t *p);
/* The protocol's metadata in the member's list, or NULL. */
const group_protocol_t *group_member_protocol(const group_member_t *m, const char *name);
/* Replaces the member's protocols with the request's; false on OOM. */
bool group_member_set_protocols(group_member_t *m, const kl_join_group_request_t *req);
void group_member_free(group_member_t *m);
/* Adds m at the end; m becomes leader if there is none. */
void group_add_member(group_t *g, group_member_t *m);
/* Removes and frees m, answering its parked requests UNKNOWN_MEMBER_ID. */
void group_remove_member(group_t *g, group_member_t *m);
/* Validates member_id/instance_id: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID. */
int16_t group_validate_member(const group_t *g, kl_str_t member_id, kl_str_t instance_id);
int32_t group_rebalance_timeout(const group_t *g);
bool group_all_joined(const group_t *g);
/* The protocol the members would choose now (NULL if none in common). */
const char *group_select_protocol(const group_t *g);
bool group_supports_protocols(const group_t *g, kl_str_t type, const kl_join_group_request_t *req);
bool group_uses_consumer_protocol(const group_t *g);
/* Whether a consumer-protocol member's subscription names topic. */
bool group_subscribed_to(const group_t *g, kl_str_t topic, bool *known);

void group_member_reschedule(group_t *g, group_member_t *m, int32_t timeout_ms);
void group_protocols_free(group_protocol_t *protocols, size_t count);

/* ---- group_rebalance.c: answers and the rebalance steps ---- */

/* A successful JoinGroup answer for the current generation. */
void group_join_answer(group_t *g, group_reply_t reply, int16_t version, const char *member_id, const char *leader_id,
                 bool with_members, bool skip_assignment);
void group_join_answer_error(group_coordinator_t *c, group_reply_t reply, int16_t version, int16_t error,
                       kl_str_t member_id);
/* Answer the JoinGroup parked on m, if any (and m no longer awaits). */
void group_member_answer_join(group_t *g, group_member_t *m, const char *leader_id, bool with_members,
                        bool skip_assignment);
void group_member_finish_join(group_t *g, group_member_t *m);
void group_member_fail_join(group_t *g, group_member_t *m, int16_t error, const char *member_id);
void group_sync_answer(group_t *g, group_reply_t reply, int16_t error, const uint8_t *assignment, int32_t len);
/* Answers the SyncGroup parked on m with its assignment (or error); false
 * when none was parked. */
bool group_member_finish_sync(group_t *g, group_member_t *m, int16_t error);

void group_prepare_rebalance(group_t *g);
/* Rebalances a group that can (Empty, Stable, CompletingRebalance), else
 * completes the join phase if everyone is in. */
void group_maybe_rebalance_or_complete(group_t *g);
/* Completes a (non-initial) join phase once every member rejoined. */
void group_maybe_complete_join(group_t *g);
void group_complete_join(group_t *g);
void group_propagate_assignment(group_t *g, int16_t error);
void group_reset_assignment(group_t *g, int16_t error);
/* After a member's session or join timeout removed it. */
void group_member_gone(group_t *g);
/* After LeaveGroup removed members. */
void group_members_left(group_t *g);
/* Deadlines. */
void group_join_timer_fired(group_t *g);
void group_sync_timer_fired(group_t *g);
void group_member_session_fired(group_member_t *m);
void group_pending_timer_fired(group_pending_t *p);

/* ---- group_static.c ---- */

/* A static member joining without a member id replaces m (its previous
 * incarnation) under new_id (taken over). */
void group_join_replace_static(group_coordinator_t *c, group_t *g, group_member_t *m, char *new_id,
                               const group_ctx_t *ctx, const kl_join_group_request_t *req, group_reply_t reply);

/* ---- group_records.c: __consumer_offsets keys and values ---- */

/* Encodes into buf; errors are buf's sticky error. */
void group_record_offset_key(kl_buf_t *buf, const char *group, const char *topic, int32_t partition);
void group_record_offset_value(kl_buf_t *buf, const group_offset_t *o);
void group_record_group_key(kl_buf_t *buf, const char *group);
/* assignments: per member in list order, or NULL for each member's own. */
void group_record_group_value(kl_buf_t *buf, const group_t *g, const kl_bytes_t *assignments);

/* A batch being built for one partition. */
typedef struct record_batch {
    group_coordinator_t *coord;
    kl_buf_t key, value;
    int64_t timestamp;
    kl_err_t err;
    int32_t count;
} record_batch_t;

void group_batch_begin(group_coordinator_t *c, record_batch_t *b);
/* The same for a transactional batch of the producer. */
void group_batch_begin_txn(group_coordinator_t *c, record_batch_t *b, int64_t producer_id, int16_t epoch);
/* Appends the record in b->key and b->value (value NULL: tombstone). */
void group_batch_add(record_batch_t *b, bool tombstone);
/* Finishes the batch and appends it for op (which owns it from then on):
 * op->complete runs when the append is done, even on a local failure. */
void group_batch_submit(record_batch_t *b, int32_t partition, group_op_t *op);
void group_batch_abort(record_batch_t *b);

/* ---- group_store.c: appends and replay ---- */

/* An operation (complete may be NULL: nothing to do but forget it). */
group_op_t *group_op_new(group_coordinator_t *c, group_op_fn *complete, const char *group_id, int32_t generation);
/* The append finished: completes op, sends its reply, frees it. */
void group_op_done(void *arg, kl_err_t err);
/* Completes op with err without an append. */
void group_op_fail(group_op_t *op, kl_err_t err);
/* Maps an append error to what Kafka answers for group metadata. */
int16_t group_append_error(kl_err_t err);
/* ... and for offset commits. */
int16_t group_append_error_offsets(kl_err_t err);
/* Appends the group's metadata record (with assignments, see
 * group_record_group_value) for op, or completes op with the encoding error. */
void group_store(group_t *g, const kl_bytes_t *assignments, group_op_t *op);

/* ---- group_offsets.c ---- */

group_offset_t *group_offset_find(const group_t *g, kl_str_t topic, int32_t partition);
/* Stores (replacing) a copy of o; false when out of memory. */
bool group_offset_put(group_t *g, const group_offset_t *o);
void group_offset_remove(group_t *g, kl_str_t topic, int32_t partition);
void group_offset_free(group_offset_t *o);
void group_free_offsets(group_t *g);

/* What a commit's append carries: the offsets and where their answers go
 * (and the producer of a transactional commit, else -1). */
typedef struct group_commit_data {
    size_t count;
    group_offset_t *offsets;
    int16_t **errors;
    int64_t producer_id;
} group_commit_data_t;

/* ---- group_commit.c: the walk both offset commits share ---- */

/* Room for n offsets; NULL when out of memory. */
group_commit_data_t *group_commit_data_new(size_t n);
void group_commit_data_free(void *data);

/* One partition of a commit request. */
typedef struct group_commit_part {
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    kl_str_t metadata;
    int64_t timestamp; /* the commit time, -1: now */
} group_commit_part_t;

/* Where an answer keeps its topics [name, partitions [index, error
 * code]]: byte offsets and sizes, filled with offsetof and sizeof. */
typedef struct group_commit_layout {
    size_t topics;
    size_t topic_size, topic_name, topic_partitions;
    size_t partition_size, partition_index, partition_error;
} group_commit_layout_t;

/* A kind of offset commit: its answer and how to read its request. */
typedef struct group_commit_kind {
    const kl_schema_t *schema; /* of the answer */
    group_commit_layout_t answer;
    /* Topic t of req: its name, its partition count in *partitions. */
    kl_str_t (*topic)(const void *req, int32_t t, int32_t *partitions);
    /* Partition k of topic t of req. */
    void (*partition)(const void *req, int32_t t, int32_t k, group_commit_part_t *p);
    /* Completes the append of the valid partitions (op->data: the
     * group_commit_data_t). */
    group_op_fn *stored;
} group_commit_kind_t;

/* One commit request, its group and the batch its records go to. */
typedef struct group_commit {
    const group_commit_kind_t *kind;
    const void *req;
    int32_t topics; /* req's topic count */
    group_reply_t reply;
    group_t *g;              /* may be NULL when group_error is set */
    int16_t group_error;     /* when set, every partition's answer */
    int64_t producer_id;     /* a transactional commit's producer, else -1 */
    int16_t producer_epoch;
    int64_t expire;          /* the offsets' expiry time, -1: by retention */
} group_commit_t;

/* Answers cm: each partition's error, or appends the valid partitions'
 * offsets and answers once they are stored. */
void group_commit_run(group_coordinator_t *c, const group_commit_t *cm);
/* The periodic retention check. */
void group_offsets_expire(group_coordinator_t *c);

/* ---- group_txn_offsets.c: offsets committed in a transaction ---- */

/* A transactional offset of group_id, written to partition by the
 * producer, visible once its commit marker lands there. load_seq: the
 * replay that read it (0: written at run time). */
typedef struct group_txn_pending {
    struct group_txn_pending *next;
    int64_t producer_id;
    int32_t partition;
    uint32_t load_seq;
    bool superseded; /* a later commit of its partition came first: its commit marker keeps that one */
    char *group_id;
    group_offset_t offset;
} group_txn_pending_t;

/* Holds a copy of o as pending; false when out of memory. */
bool group_txn_pending_add(group_coordinator_t *c, int64_t producer_id, uint32_t load_seq, const char *group_id,
                           const group_offset_t *o);
/* The marker of producer_id: its pending offsets that match (by load_seq
 * when non-zero, else by partition) become committed, or are dropped. */
void group_txn_pending_end(group_coordinator_t *c, int64_t producer_id, int32_t partition, uint32_t load_seq,
                           bool commit);
void group_txn_pending_free_all(group_coordinator_t *c);
/* A commit of the group's partition (not transactional) made visible:
 * the pending offsets of that partition, older, lose to it. */
void group_txn_pending_supersede(group_coordinator_t *c, const char *group_id, kl_str_t topic, int32_t partition);
/* Whether an offset of the group's partition waits for its marker. */
bool group_txn_pending_has(const group_coordinator_t *c, const char *group_id, kl_str_t topic, int32_t partition);

#endif
