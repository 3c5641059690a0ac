/* Internals of the consumer, shared by its files:
 *   consumer.c     the handle: settings, life cycle, the application's queue
 *                  and kl_consumer_poll()
 *   assignment.c   the assigned partitions: assign/unassign, seek, pause,
 *                  positions, stored offsets, watermarks, lag
 *   fetcher.c      (io) Fetch requests, one per broker at a time
 *   fetch_parse.c  a partition's fetched records turned into messages
 *   list_offsets.c (io) ListOffsets: logical start offsets, resets,
 *                  watermarks and offsets for times
 *   group.c        the consumer group (lib/consumer/cgrp.h) seen from the
 *                  consumer: subscribe, rebalance events, commits, close
 *   queries.c      application calls that wait for the I/O thread:
 *                  watermarks, offsets for times
 *
 * Locks: consumer->lock guards the partition list, every field of a
 * partition not marked (io), and the application's queue; cond is signalled
 * when the queue grows or an operation completes. Fields marked (io)
 * belong to the I/O thread. */
#ifndef KL_CONSUMER_CONSUMER_IMPL_H
#define KL_CONSUMER_CONSUMER_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "client/message_impl.h"
#include "client/sync_call.h"
#include "kafkalite/consumer.h"
#include "proto/msg_fetch.h"
#include "record/batch.h"

typedef enum {
    PART_NEED_OFFSET, /* start (fetch_offset) is logical: look it up */
    PART_RESOLVING,   /* (io) a lookup is in flight */
    PART_FETCHING,    /* fetch_offset is the next offset to fetch */
    PART_STOPPED      /* an error that needs the application (seek) */
} part_state_t;

typedef struct cons_part {
    struct cons_part *next; /* the assignment list */
    char *topic;
    int32_t partition;
    int refs;          /* the assignment, queue items, requests */
    bool assigned;     /* false once unassigned: everything about it is stale */
    uint32_t version;  /* bumped by seek and reset: older fetched data is dropped */
    part_state_t state;
    int64_t fetch_offset;
    int64_t position;  /* after the last message handed out, or KL_OFFSET_INVALID */
    int32_t position_epoch;
    int64_t stored;    /* for the next commit, or KL_OFFSET_INVALID */
    int32_t stored_epoch;
    int64_t committed; /* last known committed offset, or KL_OFFSET_INVALID */
    int64_t lo, hi;    /* watermarks from the last fetch; -1 unknown */
    int64_t lso;       /* last stable offset from the last fetch; -1 unknown */
    bool paused;
    int64_t eof_at;    /* offset EOF was last reported at, -1 none */
    size_t queued;     /* messages waiting for poll */
    /* (io) */
    bool in_flight;
    int64_t backoff_until;
    int32_t max_bytes; /* this partition's fetch size, grown for big batches */
} cons_part_t;

/* ITEM_SKIP: records the application never sees (control batches,
 * aborted transactions) ended a fetch: the position moves past them when
 * the item is reached, as it would past a message. */
typedef enum { ITEM_BATCH, ITEM_SKIP, ITEM_MESSAGE, ITEM_REBALANCE, ITEM_COMMIT } item_kind_t;

/* An entry of the application's queue. */
typedef struct cons_item {
    struct cons_item *next;
    item_kind_t kind;
    cons_part_t *part;   /* BATCH, MESSAGE of a partition (a reference) */
    uint32_t version;    /* of part when fetched */
    kl_msgbuf_t *buf;    /* BATCH: messages idx.. not handed out yet */
    size_t idx;
    size_t bytes;
    int64_t skip_to;     /* BATCH (once its last message is out), SKIP:
                            the position after the fetch, -1 none */
    kl_message_t *msg;   /* MESSAGE: an error or event */
    kl_err_t err;        /* REBALANCE: ASSIGN/REVOKE/ASSIGNMENT_LOST; COMMIT: result */
    kl_topic_partition_list_t *parts;
} cons_item_t;

typedef struct cons_settings {
    int32_t fetch_min_bytes, fetch_max_bytes, partition_max_bytes, fetch_wait_ms;
    size_t queued_min_messages, queued_max_bytes;
    int8_t isolation;
    bool check_crcs;
    bool partition_eof;
    int reset;            /* KL_OFFSET_RESET_* */
    bool auto_store, auto_commit;
    int64_t commit_interval_ms;
    int64_t error_backoff_ms;
    int64_t request_timeout_ms;
} cons_settings_t;

typedef struct cons_op cons_op_t;
typedef struct kl_cgrp kl_cgrp_t;

struct kl_consumer {
    kl_client_t *client;
    kl_log_t *log;
    cons_settings_t s;
    kl_rebalance_cb *rebalance_cb;
    kl_offset_commit_cb *commit_cb;
    void *opaque;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    cons_part_t *parts;
    cons_item_t *q_head, *q_tail;
    size_t queued_bytes;
    bool closing;       /* kl_consumer_close() under way */
    bool closed;
    /* the group, as last seen by the I/O thread */
    char *member_id;
    int32_t generation; /* -1 before the first join */
    const char *protocol; /* "NONE", "EAGER", "COOPERATIVE" */
    char **subscription;
    size_t nsubscription;

    kl_cgrp_t *cgrp;    /* NULL without group.id; (io) after creation */
    atomic_bool wake_posted;
    atomic_llong poll_seen_ms; /* last poll reported to the group */
    atomic_bool stopping;

    /* (io) */
    int32_t *busy_nodes; /* brokers with a Fetch in flight */
    size_t nbusy, cap_busy;
    kl_timer_t fetch_timer;
    struct cons_lookup *lookups; /* ListOffsets lookups under way */
    kl_timer_t commit_timer;     /* auto.commit.interval.ms */
};

/* consumer.c */
/* Appends to the application's queue (lock held) and wakes poll. */
void cons_enqueue_locked(kl_consumer_t *c, cons_item_t *item);
/* An error or event message for part (a reference is taken), queued. */
void cons_enqueue_error_locked(kl_consumer_t *c, cons_part_t *part, kl_err_t err, int64_t offset, const char *fmt,
                               ...) __attribute__((format(printf, 5, 6)));
/* Item (of a partition, current) was reached with its messages out: the
 * position moves past the records the fetch skipped after them (item->
 * skip_to), as Kafka's clients do, so that a committed position or the
 * lag does not stop short of a transaction's marker. */
void cons_skip_locked(kl_consumer_t *c, const cons_item_t *item);
/* Frees an item that will not be served (lock held). */
void cons_item_drop_locked(kl_consumer_t *c, cons_item_t *item);
/* Any thread: asks the I/O thread to look for fetches to send (one task at a
 * time, however often it is called). */
void cons_wake(kl_consumer_t *c);

/* assignment.c */
cons_part_t *cons_part_find_locked(kl_consumer_t *c, const char *topic, int32_t partition);
void cons_part_unref_locked(cons_part_t *part);
/* Restarts part from offset (logical or not): drops what was fetched. */
void cons_part_restart_locked(cons_part_t *part, int64_t offset);
/* Where the application's reading of p ends for now: the last stable
 * offset with read_committed (as librdkafka's lag and EOF), else the
 * high watermark; -1 unknown. */
int64_t cons_part_end(const kl_consumer_t *c, const cons_part_t *p);
/* Frees every partition (destroy). */
void cons_parts_free(kl_consumer_t *c);

/* fetcher.c (io) */
void cons_io_fetch(kl_consumer_t *c);
void cons_io_broker_ready(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
void cons_io_metadata(kl_client_t *client, void *opaque);
void cons_io_arm_fetch(kl_consumer_t *c, int64_t due);
/* The leader's connection of part, connecting or asking for metadata
 * when it is not ready; NULL then. */
kl_client_broker_t *cons_io_leader(kl_consumer_t *c, const char *topic, int32_t partition);

/* What a Fetch answer tells a read_committed reader of one partition
 * besides the records: the last stable offset (-1: not given) and the
 * aborted transactions, in the answer's order. */
typedef struct cons_txn_view {
    int64_t last_stable;
    const kl_fetch_response_aborted_transaction_t *aborted;
    size_t naborted;
} cons_txn_view_t;

/* txn_filter.c: the aborted transactions of one answer as its batches go
 * past in offset order. */
typedef struct cons_txn_filter {
    int64_t limit; /* the last stable offset: nothing at or past it is read */
    kl_fetch_response_aborted_transaction_t *pending; /* by first offset */
    size_t npending, next;
    int64_t *open; /* producers in an aborted transaction at this point */
    size_t nopen;
} cons_txn_filter_t;

/* view NULL: read_uncommitted (nothing filtered). KL_ERR_NOMEM. */
kl_err_t cons_txn_filter_init(cons_txn_filter_t *f, const cons_txn_view_t *view);
void cons_txn_filter_free(cons_txn_filter_t *f);
/* The next batch b of the answer (every batch, control ones included, in
 * offset order): true when its records belong to an aborted transaction. */
bool cons_txn_filter_aborted(cons_txn_filter_t *f, const kl_batch_t *b);

/* fetch_parse.c: the records of one fetched partition (raw, owned: freed
 * or adopted) as a buffer of messages from fetch_offset on; control
 * records never, and with txn (read_committed) nothing of aborted
 * transactions nor at or past the last stable offset. *next_offset
 * receives where the next fetch starts (past control batches and aborted
 * records); *errp a data error (corrupt batch, CRC mismatch with
 * check.crcs) met after the messages returned, with *whyp describing it.
 * NULL when no message came out (the buffer is freed). */
kl_msgbuf_t *cons_parse_records(const cons_settings_t *s, const char *topic, int32_t partition, uint8_t *raw,
                                size_t len, int64_t fetch_offset, const cons_txn_view_t *txn,
                                int64_t *next_offset, bool *incomplete, kl_err_t *errp, const char **whyp);

/* list_offsets.c (io) */
/* Looks up the start offset of every partition in PART_NEED_OFFSET. */
void cons_io_resolve_offsets(kl_consumer_t *c);
/* OFFSET_OUT_OF_RANGE: applies auto.offset.reset to part. */
void cons_io_offset_reset(kl_consumer_t *c, cons_part_t *part, uint32_t version, const char *why);

/* One ListOffsets lookup of many partitions (timestamps in, offsets out):
 * results in list (offset, err, leader_epoch), then done(c, list, arg). */
typedef void cons_lookup_cb(kl_consumer_t *c, kl_topic_partition_list_t *list, void *arg);
void cons_io_lookup(kl_consumer_t *c, kl_topic_partition_list_t *list, int64_t deadline_ms, cons_lookup_cb *done,
                    void *arg);
/* Shutdown: ends every lookup with KL_ERR_DESTROY. */
void cons_io_lookups_end(kl_consumer_t *c);

/* group.c */
kl_err_t cons_group_init(kl_consumer_t *c, char *errstr, size_t errstr_size);
/* (io) the client's events, forwarded */
void cons_group_broker_ready(kl_consumer_t *c, kl_client_broker_t *broker);
void cons_group_broker_down(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
void cons_group_metadata(kl_consumer_t *c);
/* (io) committed offsets of parts (PART_RESOLVING, references held in
 * slots), then resolved(c, list, slots) as a ListOffsets lookup would. */
void cons_group_fetch_start(kl_consumer_t *c, kl_topic_partition_list_t *list, void *slots,
                            cons_lookup_cb *resolved);
/* Application thread: serves a rebalance event (rebalance callback or
 * the default), then tells the group. */
void cons_group_serve_rebalance(kl_consumer_t *c, cons_item_t *item);
/* Application thread, from poll: restarts the max.poll.interval.ms clock. */
void cons_group_poll_seen(kl_consumer_t *c);
/* Application thread: commits (when auto-commit is on) and leaves. */
void cons_group_close(kl_consumer_t *c);
/* (io) shutdown */
void cons_group_io_shutdown(kl_consumer_t *c);

/* queries.c: an application call that waits for the I/O thread
 * (client/sync_call.h). */
struct cons_op {
    kl_sync_call_t call; /* first */
    kl_consumer_t *c;
    void (*run)(cons_op_t *op); /* on the I/O thread */
    int64_t deadline_ms;
    kl_topic_partition_list_t *list, *list2; /* the call's lists, freed with op */
    void *arg;
};
cons_op_t *cons_op_new(kl_consumer_t *c, void (*run)(cons_op_t *op), int timeout_ms);
/* Hands op to the I/O thread (KL_ERR_STATE once closed). */
kl_err_t cons_op_post(cons_op_t *op);
/* Posts op and waits until it completes (its error) or its deadline
 * passes (KL_ERR_TIMED_OUT: op->list must not be read then). The caller
 * releases op afterwards. */
kl_err_t cons_op_wait(cons_op_t *op);
/* (io) Completes op with err: wakes the caller, drops the I/O reference. */
static inline void cons_op_done(cons_op_t *op, kl_err_t err) { kl_sync_call_done(&op->call, err); }
static inline void cons_op_release(cons_op_t *op) { kl_sync_call_release(&op->call); }

#endif
