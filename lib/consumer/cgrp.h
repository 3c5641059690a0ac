/* Consumer group membership, on the client's I/O thread: finding the
 * coordinator, JoinGroup (the elected leader runs the assignor on the
 * topics' metadata), SyncGroup, heartbeats on their own timer, LeaveGroup,
 * and the group's offset requests (OffsetCommit, OffsetFetch).
 *
 * The consumer (lib/consumer/consumer*.c) owns the kl_client_t and one
 * kl_cgrp_t, forwards the client events it receives to it, and hears back
 * through kl_cgrp_events_t. The cgrp never fetches and never talks to the
 * application: an assignment change goes
 *     cgrp --revoke/assign event--> consumer --rebalance event--> poll()
 *     --> application's kl_assign()/kl_incremental_*() --> consumer
 *     --> kl_cgrp_rebalance_done() --> cgrp continues.
 * so that partitions are revoked before another member can be given them,
 * and the application sees every change before it takes effect.
 *
 * Every function here runs on the I/O thread only. */
#ifndef KL_CONSUMER_CGRP_H
#define KL_CONSUMER_CGRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "kafkalite/topic_partition.h"

typedef struct kl_cgrp kl_cgrp_t;

typedef struct kl_cgrp_events {
    /* The group takes partitions away: eager protocols revoke the whole
     * assignment before every rejoin; cooperative-sticky only the moved
     * partitions (after the SyncGroup that moved them). lost: the member was
     * fenced or timed out (another member may already own them: do not
     * commit). The consumer stops fetching them, commits when auto-commit
     * is on and !lost, tells the application, and calls
     * kl_cgrp_rebalance_done() once it has. parts is valid during the call. */
    void (*revoke)(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *parts, bool lost, void *opaque);
    /* SyncGroup gave this member partitions: eager, the whole assignment;
     * cooperative, only the added ones (called after every SyncGroup, so
     * possibly with none). Offsets are KL_OFFSET_STORED. The
     * consumer tells the application and calls kl_cgrp_rebalance_done()
     * once the partitions are assigned (it then fetches their committed
     * offsets with kl_cgrp_fetch_offsets()). */
    void (*assign)(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *parts, void *opaque);
    /* A group error the application should hear through poll: a fatal one
     * (FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED, INCONSISTENT_GROUP_PROTOCOL,
     * an unknown assignor), KL_ERR_MAX_POLL_EXCEEDED, or
     * KL_ERR_UNKNOWN_TOPIC_OR_PARTITION for a subscribed topic deleted
     * (not fatal: the member rejoins without it). reason is valid
     * during the call. After a fatal one the member stops (a revoke event
     * with lost=true follows when it had partitions); offsets can still be
     * committed and fetched. */
    void (*error)(kl_cgrp_t *cgrp, kl_err_t err, const char *reason, void *opaque);
} kl_cgrp_events_t;

/* Reads group.id, group.instance.id, session.timeout.ms,
 * heartbeat.interval.ms, max.poll.interval.ms and
 * partition.assignment.strategy from the client's configuration. NULL with
 * errstr filled for a bad strategy list; group.id must be set. */
kl_cgrp_t *kl_cgrp_new(kl_client_t *client, const kl_cgrp_events_t *events, void *opaque, char *errstr,
                       size_t errstr_size);
/* Frees, without LeaveGroup (see kl_cgrp_close()). Pending offset callbacks
 * are called with KL_ERR_DESTROY first. NULL is allowed. May be called on
 * the I/O thread or after it stopped (kl_client_stop()'s last task is a
 * good place); answers still due later are dropped. */
void kl_cgrp_destroy(kl_cgrp_t *cgrp);

/* Replaces the subscription (copied). A name starting with '^' is a
 * regular expression (POSIX extended) matched against every topic in the
 * cluster's metadata. An empty list is kl_cgrp_unsubscribe(). Joins (or
 * rejoins) the group. */
kl_err_t kl_cgrp_subscribe(kl_cgrp_t *cgrp, const char *const *topics, size_t count);
/* Revokes everything (revoke event) and leaves the group. */
void kl_cgrp_unsubscribe(kl_cgrp_t *cgrp);

/* Forwarded client events: the coordinator's connection, and metadata
 * changes (new topics matching a pattern, partition counts that changed:
 * the leader rejoins so the group is reassigned). */
void kl_cgrp_broker_ready(kl_cgrp_t *cgrp, kl_client_broker_t *broker);
void kl_cgrp_broker_down(kl_cgrp_t *cgrp, kl_client_broker_t *broker);
void kl_cgrp_metadata(kl_cgrp_t *cgrp);

/* The consumer has handled the last revoke or assign event (the
 * application's rebalance callback returned, or there was none). */
void kl_cgrp_rebalance_done(kl_cgrp_t *cgrp);

/* The application polled: restarts the max.poll.interval.ms clock. When it
 * runs out, the member leaves the group at once (LeaveGroup, unless
 * static), the error event reports KL_ERR_MAX_POLL_EXCEEDED and a revoke
 * event with lost=true follows (the partitions may already be another
 * member's: do not commit them); the next poll rejoins. */
void kl_cgrp_poll_seen(kl_cgrp_t *cgrp);

/* The result of a commit or an offset fetch: err is the request's error
 * (KL_ERR_NONE when each partition carries its own in offsets->elems[].err);
 * offsets is the list given, with err (and for a fetch, offset, metadata
 * and leader_epoch: KL_OFFSET_INVALID when nothing is committed) filled.
 * Called exactly once, on the I/O thread; offsets is valid during the call. */
typedef void kl_cgrp_offsets_cb(kl_cgrp_t *cgrp, kl_err_t err, kl_topic_partition_list_t *offsets,
                                void *arg);

/* OffsetCommit of offsets (copied) with the member's generation and id
 * (generation -1 and no member id when not in a group: a simple consumer's
 * commit). Waits for the coordinator; retries COORDINATOR_NOT_AVAILABLE,
 * NOT_COORDINATOR (looking the coordinator up again), transport errors and
 * COORDINATOR_LOAD_IN_PROGRESS with back-off, until socket.timeout.ms after
 * the call (then the last error, or KL_ERR_TIMED_OUT);
 * REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID are
 * returned in the partitions' err (and make the member rejoin, the last
 * two with its assignment lost). cb may be called before this returns
 * (an empty list, out of memory). */
void kl_cgrp_commit(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *offsets, kl_cgrp_offsets_cb *cb,
                    void *arg);
/* OffsetFetch of parts (copied), with require_stable where the broker
 * supports it; retries as kl_cgrp_commit() does, and UNSTABLE_OFFSET_COMMIT. */
void kl_cgrp_fetch_offsets(kl_cgrp_t *cgrp, const kl_topic_partition_list_t *parts, kl_cgrp_offsets_cb *cb,
                           void *arg);

/* Leaves the group (revoke event first when partitions are assigned, then
 * LeaveGroup, unless group.instance.id is set: a static member only stops
 * heartbeating, as Kafka's clients do), then calls done(arg); it calls it
 * even when the coordinator cannot be reached, after at most
 * socket.timeout.ms. */
void kl_cgrp_close(kl_cgrp_t *cgrp, kl_task_fn *done, void *arg);

/* The member id the coordinator gave (empty before the first join), the
 * current generation (-1 when not in a group), the protocol chosen ("range",
 * ...; NULL before), whether the group rebalances cooperatively, and the
 * current assignment (NULL before the first). */
const char *kl_cgrp_member_id(const kl_cgrp_t *cgrp);
int32_t kl_cgrp_generation(const kl_cgrp_t *cgrp);
const char *kl_cgrp_protocol(const kl_cgrp_t *cgrp);
bool kl_cgrp_cooperative(const kl_cgrp_t *cgrp);
const kl_topic_partition_list_t *kl_cgrp_assignment(const kl_cgrp_t *cgrp);

#endif
