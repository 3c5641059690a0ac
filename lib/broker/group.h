/* The group coordinator for classic (JoinGroup protocol) groups and their
 * committed offsets, as a self-contained module the broker's request
 * handlers call: decoded request in, response out through a callback.
 * Time, timers and storage are injected (group_env_t), so tests drive the
 * state machine with a fake clock and the broker maps them to its loop.
 *
 * Single-threaded: every call, and every append completion, runs on the
 * thread that owns the coordinator (the broker loop).
 *
 * Replies. Each request function takes a group_reply_t (fn required). The
 * response (a struct of the API's response schema, at the request's
 * api_version) is passed to reply.fn and is valid only during that call:
 * encode it there.
 * JoinGroup and SyncGroup may answer much later, OffsetCommit, DeleteGroups
 * and OffsetDelete after their records are appended; the others answer
 * before returning. Replies are delivered when the coordinator's state is
 * consistent (at the end of the outermost call into it), so reply.fn may
 * call into the coordinator again. A request function returns GROUP_REPLIED
 * when its reply was delivered before it returned, GROUP_PENDING when it
 * will come later (the broker parks the request). resp == NULL in a reply
 * means the coordinator ran out of memory building it: close the connection.
 * When a connection goes away, group_cancel() drops its pending replies.
 *
 * Timers. The coordinator keeps its own deadlines (initial rebalance delay,
 * rebalance timeouts, session timeouts, pending syncs, offsets retention);
 * env.set_deadline tells the broker when the earliest one moves, and the
 * broker calls group_coordinator_tick() once it has passed.
 *
 * Persistence. Committed offsets and group metadata are record batches for
 * the internal topic __consumer_offsets in Kafka's key/value formats,
 * handed to env.append with the partition of the group
 * (group_partition_for()); replies that depend on them wait for the append.
 * On start, group_coordinator_load*() replays the partitions' batches.
 *
 * Wiring into the broker (a sketch):
 * - start: group_coordinator_new(), then for each partition log of
 *   __consumer_offsets (if it exists) group_coordinator_load_log(), then
 *   group_coordinator_loaded(); the topic (offsets_partitions partitions,
 *   compacted) is created on the first request that needs it;
 * - env.set_deadline: kl_timer_start(loop, &t, due - kl_clock_ms()), the
 *   timer's callback calling group_coordinator_tick(); env.now_ms is
 *   kl_clock_ms, env.wall_ms kl_wallclock_ms;
 * - env.append: kl_log_append(log of partition, batch, len, NULL), then
 *   done(arg, err) (later, if fsync runs off the loop);
 * - a handler sets a "replying now" flag, calls group_<api>(coord, &ctx,
 *   req->body, (group_reply_t){cb, req}), clears the flag and returns
 *   BROKER_REQ_PARKED for GROUP_PENDING, else BROKER_REQ_DONE; cb calls
 *   broker_respond(req, resp) (or closes for resp == NULL) and, when the
 *   flag is clear, conn_resume(); a closing connection calls
 *   group_cancel(coord, req) for its parked request;
 * - FindCoordinator answers this broker for every group key. */
#ifndef KL_BROKER_GROUP_H
#define KL_BROKER_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"
#include "proto/msg_txn.h"
#include "proto/types.h"
#include "storage/log.h"

#define GROUP_OFFSETS_TOPIC "__consumer_offsets"

typedef struct group_coordinator group_coordinator_t;

/* The broker settings the coordinator honours, with Kafka's names. */
typedef struct group_config {
    int32_t offsets_partitions;         /* offsets.topic.num.partitions (50) */
    int64_t offsets_retention_ms;       /* offsets.retention.minutes (7 days) */
    int64_t retention_check_ms;         /* offsets.retention.check.interval.ms (600000) */
    int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms (3000) */
    int32_t min_session_timeout_ms;     /* group.min.session.timeout.ms (6000) */
    int32_t max_session_timeout_ms;     /* group.max.session.timeout.ms (1800000) */
    int32_t max_size;                   /* group.max.size (no limit) */
    int32_t new_member_join_timeout_ms; /* Kafka's fixed 5 minutes */
    int32_t offset_metadata_max_bytes;  /* offset.metadata.max.bytes (4096) */
} group_config_t;

/* Kafka's defaults, as noted above. */
void group_config_init(group_config_t *config);

/* An append finished: err is KL_ERR_NONE once the batch is stored, else a
 * Kafka error (KAFKA_STORAGE_ERROR, ...) or a local one. */
typedef void group_append_done_fn(void *arg, kl_err_t err);

typedef struct group_env {
    void *opaque; /* passed to every function below */
    /* Monotonic milliseconds, for deadlines. */
    int64_t (*now_ms)(void *opaque);
    /* Wall-clock milliseconds, for commit and state timestamps (persisted,
     * compared across restarts by offsets retention). */
    int64_t (*wall_ms)(void *opaque);
    /* The earliest deadline is now due_ms (on the now_ms clock), or
     * INT64_MAX for none: call group_coordinator_tick() at that time.
     * May be NULL when the owner polls group_coordinator_next_deadline(). */
    void (*set_deadline)(void *opaque, int64_t due_ms);
    /* Appends batch (len bytes, one v2 record batch, base offset 0, which
     * the log patches in place) to partition of __consumer_offsets, and
     * calls done(done_arg, err) once, when it is stored or has failed,
     * possibly before returning. batch stays valid until done is called. */
    void (*append)(void *opaque, int32_t partition, void *batch, size_t len, group_append_done_fn *done,
                   void *done_arg);
    /* Whether a topic partition exists (OffsetCommit and OffsetDelete
     * answer UNKNOWN_TOPIC_OR_PARTITION otherwise). NULL: all exist. */
    bool (*partition_exists)(void *opaque, kl_str_t topic, int32_t partition);
} group_env_t;

/* The request's context. */
typedef struct group_ctx {
    int16_t api_version;
    kl_str_t client_id;      /* from the request header */
    const char *client_host; /* Kafka shows "/127.0.0.1" */
} group_ctx_t;

typedef void group_reply_fn(void *opaque, const void *resp);

typedef struct group_reply {
    group_reply_fn *fn;
    void *opaque; /* identifies the request in group_cancel() */
} group_reply_t;

typedef enum { GROUP_REPLIED, GROUP_PENDING } group_status_t;

/* A coordinator with no groups. env is copied; append and now_ms/wall_ms
 * are required. KL_ERR_INVALID_ARG, KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t group_coordinator_new(const group_config_t *config, const group_env_t *env,
                                              group_coordinator_t **coordp);
/* Frees everything; pending replies are dropped without a call. No append
 * may complete after this. */
void group_coordinator_free(group_coordinator_t *coord);

/* ---- loading ---- */

/* What loading met, for the caller to log: each batch left out (one that
 * fails its CRC, or whose records do not all decode: a batch is replayed
 * whole or not at all) goes to skip, and when the replay cannot go on,
 * where and why it stopped. */
typedef void group_load_skip_fn(void *opaque, int64_t base_offset, const char *why);
typedef struct group_load {
    group_load_skip_fn *skip; /* may be NULL */
    void *opaque;
    size_t skipped;     /* out: batches left out */
    int64_t stopped_at; /* out: -1, or the offset loading could not pass */
    const char *why;    /* out: static, why it stopped there */
} group_load_t;

/* Replays the record batches in data (as read from a __consumer_offsets
 * partition, in order): the last record per key wins, null values delete.
 * Records of other types (newer coordinator records) are skipped, and so
 * are damaged batches (reported through load, which may be NULL).
 * KL_ERR_CORRUPT_MESSAGE when a batch's framing is broken, so that what
 * follows cannot be found (what came before is kept), KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t group_coordinator_load(group_coordinator_t *coord, const void *data, size_t len,
                                               group_load_t *load);
/* The same for a whole partition log, from its start to its end; also
 * KL_ERR_CORRUPT_MESSAGE when no whole batch starts where the replay has
 * got to, and the log's read errors. Any error but KL_ERR_NOMEM means
 * the partition's groups are incomplete: the caller must not let them
 * take commits that a restart would lose (the broker takes the
 * partition offline). */
KL_WARN_UNUSED kl_err_t group_coordinator_load_log(group_coordinator_t *coord, kl_log_t *log, group_load_t *load);
/* Loading is over: loaded members get a session timeout to rejoin or
 * heartbeat within, and the periodic offsets retention check starts. */
void group_coordinator_loaded(group_coordinator_t *coord);

/* ---- time ---- */

/* Runs what is due at env.now_ms(). */
void group_coordinator_tick(group_coordinator_t *coord);
/* The earliest deadline, or INT64_MAX. */
int64_t group_coordinator_next_deadline(const group_coordinator_t *coord);

/* ---- requests ---- */

group_status_t group_join(group_coordinator_t *coord, const group_ctx_t *ctx, const kl_join_group_request_t *req,
                          group_reply_t reply);
group_status_t group_sync(group_coordinator_t *coord, const group_ctx_t *ctx, const kl_sync_group_request_t *req,
                          group_reply_t reply);
group_status_t group_heartbeat(group_coordinator_t *coord, const group_ctx_t *ctx,
                               const kl_heartbeat_request_t *req, group_reply_t reply);
group_status_t group_leave(group_coordinator_t *coord, const group_ctx_t *ctx, const kl_leave_group_request_t *req,
                           group_reply_t reply);
group_status_t group_list(group_coordinator_t *coord, const group_ctx_t *ctx, const kl_list_groups_request_t *req,
                          group_reply_t reply);
group_status_t group_describe(group_coordinator_t *coord, const group_ctx_t *ctx,
                              const kl_describe_groups_request_t *req, group_reply_t reply);
group_status_t group_delete(group_coordinator_t *coord, const group_ctx_t *ctx,
                            const kl_delete_groups_request_t *req, group_reply_t reply);
group_status_t group_offset_commit(group_coordinator_t *coord, const group_ctx_t *ctx,
                                   const kl_offset_commit_request_t *req, group_reply_t reply);
group_status_t group_offset_fetch(group_coordinator_t *coord, const group_ctx_t *ctx,
                                  const kl_offset_fetch_request_t *req, group_reply_t reply);
group_status_t group_offset_delete(group_coordinator_t *coord, const group_ctx_t *ctx,
                                   const kl_offset_delete_request_t *req, group_reply_t reply);

/* TxnOffsetCommit, its transaction already checked by the caller (the
 * producer's id and epoch current, the group's partition in the
 * transaction): the offsets are appended to the group's partition as a
 * transactional batch of the producer and held pending, invisible to
 * OffsetFetch, until group_txn_marker() says how the transaction ended.
 * Generation and member are validated as for OffsetCommit when given. */
group_status_t group_txn_offset_commit(group_coordinator_t *coord, const group_ctx_t *ctx,
                                       const kl_txn_offset_commit_request_t *req, group_reply_t reply);
/* A transaction marker of producer_id landed on partition of
 * __consumer_offsets: its pending offsets there become the committed ones
 * (commit) or are dropped. Replay does the same with the markers it reads. */
void group_txn_marker(group_coordinator_t *coord, int32_t partition, int64_t producer_id, bool commit);

/* A topic was deleted: its committed offsets are removed from every group
 * (tombstones appended), and Empty groups left without offsets with them,
 * as Kafka does, so OffsetFetch, ListGroups and DescribeGroups no longer
 * show them. */
void group_topic_deleted(group_coordinator_t *coord, const char *topic);

/* Drops every reply still owed to requests with this opaque (their
 * connection closed). A member parked in JoinGroup stays a member, as in
 * Kafka, until its rebalance or session timeout removes it. */
void group_cancel(group_coordinator_t *coord, void *opaque);

/* ---- placement ---- */

/* The __consumer_offsets partition of a group: abs(Java String.hashCode of
 * the id) % partitions, with Kafka's abs (Integer.MIN_VALUE gives 0). The
 * id is UTF-8 and hashed as the UTF-16 code units Java sees. */
int32_t group_partition_for(kl_str_t group_id, int32_t partitions);
/* Java's String.hashCode of a UTF-8 string (invalid bytes count as U+FFFD). */
int32_t group_java_hash(kl_str_t s);

#endif
