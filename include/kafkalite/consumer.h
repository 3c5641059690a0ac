/* kafkalite: the consumer.
 *
 * A consumer reads partitions assigned to it by hand (kl_assign()) or by
 * its consumer group (group.id and kl_subscribe()). An I/O thread fetches
 * ahead of the application, one Fetch request per broker at a time, while
 * fewer than queued.min.messages messages per partition and
 * queued.max.messages.kbytes in all wait to be polled. kl_consumer_poll()
 * hands out one message at a time, in offset order per partition; the
 * message points into the fetched data (decompressed once, no copy per
 * message) and is the application's until kl_message_destroy().
 *
 * Offsets: the position of a partition is the offset after the last
 * message handed out. With enable.auto.offset.store each message handed
 * out is stored (position); kl_offsets_store() stores explicitly. With
 * enable.auto.commit the stored offsets that changed are committed every
 * auto.commit.interval.ms, before partitions are revoked, and at close, so
 * a committed offset is never ahead of what the application was handed.
 *
 * Callbacks (rebalance, offset commit) run only inside kl_consumer_poll(),
 * a synchronous kl_commit() and kl_consumer_close(), on the calling
 * thread; never on the library's thread. Log lines are served there too,
 * and inside the calls that wait for the I/O thread (kl_committed(),
 * kl_query_watermark_offsets(), kl_offsets_for_times(), kl_seek() with a
 * timeout).
 *
 * Transactions: with isolation.level=read_committed (the default) the
 * consumer reads up to the last stable offset and never shows records of
 * aborted transactions; read_uncommitted shows them. Control records (a
 * transaction's commit or abort marker) are never shown, and the position
 * moves past them and past aborted records as past messages.
 *
 * Thread safety: every function may be called from any thread, but poll
 * from one thread at a time. Not supported: the legacy message formats
 * (magic 0/1).
 * Include <kafkalite.h> rather than this file. */
#ifndef KAFKALITE_CONSUMER_H
#define KAFKALITE_CONSUMER_H

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
#include "kafkalite/error.h"
#include "kafkalite/message.h"
#include "kafkalite/topic_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_consumer kl_consumer_t;

/** A rebalance: err is KL_ERR_ASSIGN_PARTITIONS (partitions are given to
 * this member) or KL_ERR_REVOKE_PARTITIONS (they are taken away), or
 * KL_ERR_ASSIGNMENT_LOST for a revocation after the membership was lost
 * (another member may own them already: do not commit). The callback must
 * apply it: kl_assign(c, partitions) / kl_assign(c, NULL) for the eager
 * protocols, kl_incremental_assign() / kl_incremental_unassign() when
 * kl_rebalance_protocol() is "COOPERATIVE". It may first set offsets in
 * partitions to start from (default KL_OFFSET_STORED). partitions belongs
 * to the library and is valid during the call. */
typedef void kl_rebalance_cb(kl_consumer_t *consumer, kl_err_t err, kl_topic_partition_list_t *partitions,
                             void *opaque);

/** The outcome of a commit: err for the request as a whole (KL_ERR_NONE
 * when each partition carries its own error in offsets), offsets as
 * committed (valid during the call). Called for kl_commit() and for
 * automatic commits. */
typedef void kl_offset_commit_cb(kl_consumer_t *consumer, kl_err_t err, const kl_topic_partition_list_t *offsets,
                                 void *opaque);

/** Sets the rebalance callback of consumers created from conf. Without
 * one, the consumer applies each assignment and revocation itself. */
KL_EXPORT void kl_conf_set_rebalance_cb(kl_conf_t *conf, kl_rebalance_cb *cb);

/** Sets the offset-commit callback of consumers created from conf. */
KL_EXPORT void kl_conf_set_offset_commit_cb(kl_conf_t *conf, kl_offset_commit_cb *cb);

/** A new consumer using a copy of conf (conf stays the caller's):
 * bootstrap.servers is required; without group.id only kl_assign() can be
 * used and nothing is committed. Starts the I/O thread. NULL, with errstr
 * filled (may be NULL), for a bad configuration or when out of memory. */
KL_EXPORT kl_consumer_t *kl_consumer_new(const kl_conf_t *conf, char *errstr, size_t errstr_size);

/** Subscribes to topics (replacing the subscription); a name starting with
 * '^' is a POSIX extended regular expression matched against the cluster's
 * topics. The group assigns the partitions (see kl_rebalance_cb).
 * KL_ERR_INVALID_ARG without group.id, for an empty list or a bad pattern. */
KL_EXPORT kl_err_t kl_subscribe(kl_consumer_t *consumer, const char *const *topics, size_t count);

/** Drops the subscription: the assignment is revoked and the member leaves
 * the group. */
KL_EXPORT kl_err_t kl_unsubscribe(kl_consumer_t *consumer);

/** The current subscription as a new list (partition -1, free with
 * kl_topic_partition_list_destroy()) in *topicsp. */
KL_EXPORT kl_err_t kl_subscription(kl_consumer_t *consumer, kl_topic_partition_list_t **topicsp);

/** Replaces the assignment with partitions (NULL or empty: none). Each
 * element's offset says where to start: an offset, KL_OFFSET_BEGINNING,
 * KL_OFFSET_END, or KL_OFFSET_STORED / KL_OFFSET_INVALID (the committed
 * offset, else auto.offset.reset). Partitions no longer assigned stop
 * fetching and their queued messages are dropped; with enable.auto.commit
 * their stored offsets are committed first. */
KL_EXPORT kl_err_t kl_assign(kl_consumer_t *consumer, const kl_topic_partition_list_t *partitions);

/** Adds partitions to the assignment (KL_ERR_INVALID_ARG when one is
 * already assigned). */
KL_EXPORT kl_err_t kl_incremental_assign(kl_consumer_t *consumer, const kl_topic_partition_list_t *partitions);

/** Removes partitions from the assignment (those not assigned are
 * ignored), as kl_assign() removes them. */
KL_EXPORT kl_err_t kl_incremental_unassign(kl_consumer_t *consumer, const kl_topic_partition_list_t *partitions);

/** The current assignment as a new list, offsets set to the positions. */
KL_EXPORT kl_err_t kl_assignment(kl_consumer_t *consumer, kl_topic_partition_list_t **partitionsp);

/** "COOPERATIVE" when the group rebalances incrementally
 * (cooperative-sticky), "EAGER" for the other assignors, "NONE" before the
 * group has chosen one or without a group. Static string. */
KL_EXPORT const char *kl_rebalance_protocol(kl_consumer_t *consumer);

/** The next message, waiting up to timeout_ms (-1: forever; 0: not at
 * all); NULL when none came. Serves the rebalance, offset-commit and log
 * callbacks on the way. A message with kl_message_error() set reports an
 * event or error of its partition (KL_ERR_PARTITION_EOF with
 * enable.partition.eof; a batch that is corrupt, KL_ERR_CRC_MISMATCH with
 * check.crcs, KL_ERR_BAD_COMPRESSION or KL_ERR_BAD_MSG, at its offset,
 * after which reading goes on past it; one this build cannot read, which
 * stops the partition until kl_seek()) or of the consumer
 * (KL_ERR_MAX_POLL_EXCEEDED, a fatal group error, partition -1). Free it
 * with kl_message_destroy(). */
KL_EXPORT kl_message_t *kl_consumer_poll(kl_consumer_t *consumer, int timeout_ms);

/** Commits offsets (the next offset to read, per partition), or with NULL
 * the stored offsets of the assignment that were not committed yet. async
 * 0 waits for the answer (up to socket.timeout.ms) and calls the commit
 * callback before returning; otherwise the callback runs from a later
 * poll. KL_ERR_INVALID_ARG without group.id, KL_ERR_NOENT when there is
 * nothing to commit, else the request's error or, when the coordinator
 * refused some partitions' offsets (e.g. KL_ERR_REBALANCE_IN_PROGRESS),
 * the first partition's error (synchronous only; the commit callback gets
 * the same). */
KL_EXPORT kl_err_t kl_commit(kl_consumer_t *consumer, const kl_topic_partition_list_t *offsets, int async);

/** Commits the offset after msg, as kl_commit() does. */
KL_EXPORT kl_err_t kl_commit_message(kl_consumer_t *consumer, const kl_message_t *msg, int async);

/** Fills each element's offset with the group's committed offset (and its
 * metadata and leader epoch; KL_OFFSET_INVALID when none), asking the
 * coordinator, within timeout_ms. */
KL_EXPORT kl_err_t kl_committed(kl_consumer_t *consumer, kl_topic_partition_list_t *partitions, int timeout_ms);

/** Fills each element's offset with its position (the offset after the
 * last message handed out, and past the control and aborted records that
 * followed it; KL_OFFSET_INVALID when none yet) and err with
 * KL_ERR_UNKNOWN_TOPIC_OR_PARTITION when it is not assigned. */
KL_EXPORT kl_err_t kl_position(kl_consumer_t *consumer, kl_topic_partition_list_t *partitions);

/** Stores offsets (the next offset to read) for the next commit, for
 * partitions that are assigned (others get err
 * KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, and the call returns it). */
KL_EXPORT kl_err_t kl_offsets_store(kl_consumer_t *consumer, kl_topic_partition_list_t *offsets);

/** Moves an assigned partition's position to offset (or
 * KL_OFFSET_BEGINNING / KL_OFFSET_END / KL_OFFSET_STORED): messages already
 * fetched or in flight for it are dropped. An absolute offset applies at
 * once. A logical one is looked up by the consumer's I/O thread: with
 * timeout_ms 0 the call does not wait for that; otherwise it waits until
 * the offset is resolved (fetching then starts there; a later seek, an
 * unassign or close also end the wait), at most timeout_ms (< 0: without
 * limit), and returns KL_ERR_TIMED_OUT when the lookup did not finish in
 * time (it goes on, the seek stays). KL_ERR_UNKNOWN_TOPIC_OR_PARTITION
 * when it is not assigned. */
KL_EXPORT kl_err_t kl_seek(kl_consumer_t *consumer, const char *topic, int32_t partition, int64_t offset,
                           int timeout_ms);

/** Stops (kl_pause()) or restarts (kl_resume()) fetching the partitions.
 * Pausing also drops what was fetched but not handed out yet, so that
 * nothing of a paused partition comes out of poll; fetching resumes from
 * the position. Partitions not assigned get err
 * KL_ERR_UNKNOWN_TOPIC_OR_PARTITION. */
KL_EXPORT kl_err_t kl_pause(kl_consumer_t *consumer, kl_topic_partition_list_t *partitions);
KL_EXPORT kl_err_t kl_resume(kl_consumer_t *consumer, kl_topic_partition_list_t *partitions);

/** Asks the partition's leader for its first offset (*lowp) and end offset
 * (*highp, the offset the next message will get), within timeout_ms. */
KL_EXPORT kl_err_t kl_query_watermark_offsets(kl_consumer_t *consumer, const char *topic, int32_t partition,
                                              int64_t *lowp, int64_t *highp, int timeout_ms);

/** The watermarks the last fetch of an assigned partition reported,
 * without a request; -1 when unknown. KL_ERR_UNKNOWN_TOPIC_OR_PARTITION
 * when not assigned. */
KL_EXPORT kl_err_t kl_get_watermark_offsets(kl_consumer_t *consumer, const char *topic, int32_t partition,
                                            int64_t *lowp, int64_t *highp);

/** Replaces each element's offset, read as a timestamp in ms, with the
 * first offset whose timestamp is at or after it (KL_OFFSET_END, -1, when
 * there is none), within timeout_ms; per-partition errors in err. */
KL_EXPORT kl_err_t kl_offsets_for_times(kl_consumer_t *consumer, kl_topic_partition_list_t *partitions,
                                        int timeout_ms);

/** One assigned partition as kl_consumer_lag() shows it (-1 where
 * unknown): lag = high_watermark - (committed, else position); with
 * isolation.level=read_committed, the last stable offset stands for the
 * high watermark in that difference (as in librdkafka's consumer_lag). */
typedef struct kl_partition_lag {
    char *topic;
    int32_t partition;
    int64_t position;
    int64_t committed;
    int64_t high_watermark;
    int64_t lag;
} kl_partition_lag_t;

/** The lag of every assigned partition, from what the consumer knows
 * (no request): *lagsp receives an array of *countp elements, released
 * with kl_consumer_lag_destroy(). KL_ERR_NOMEM. */
KL_EXPORT kl_err_t kl_consumer_lag(kl_consumer_t *consumer, kl_partition_lag_t **lagsp, size_t *countp);
/** Releases an array returned by kl_consumer_lag(). NULL is allowed. */
KL_EXPORT void kl_consumer_lag_destroy(kl_partition_lag_t *lags, size_t count);
/** Deprecated (0.1's name): the same as kl_consumer_lag_destroy(). */
KL_EXPORT void kl_consumer_lag_free(kl_partition_lag_t *lags, size_t count);

/** The member id the group coordinator gave this consumer, as a new string
 * (release it with kl_mem_free(); "" before joining), or NULL without
 * group.id. */
KL_EXPORT char *kl_consumer_memberid(kl_consumer_t *consumer);

/** The consumer's place in its group (group id, generation, member id,
 * group.instance.id), for kl_send_offsets_to_transaction(): the group
 * coordinator takes a transaction's offsets only from the current member
 * of the current generation (KIP-447), so a consumer fenced by a
 * rebalance cannot commit through a producer's transaction. Opaque;
 * free it with kl_consumer_group_metadata_destroy(). */
typedef struct kl_consumer_group_metadata kl_consumer_group_metadata_t;

/** A snapshot of consumer's group metadata now (take it after the poll
 * whose messages the transaction covers), or NULL without group.id or
 * when out of memory. */
KL_EXPORT kl_consumer_group_metadata_t *kl_consumer_group_metadata(kl_consumer_t *consumer);

/** Group metadata with group_id only (generation -1, no member id), for
 * an application that commits a group's offsets without being one of its
 * members (the group must then have no active members); NULL when out of
 * memory or group_id is NULL or empty. */
KL_EXPORT kl_consumer_group_metadata_t *kl_consumer_group_metadata_new(const char *group_id);

/** Frees group metadata. NULL is allowed. */
KL_EXPORT void kl_consumer_group_metadata_destroy(kl_consumer_group_metadata_t *metadata);

/** Stops consuming: revokes the assignment (rebalance callback included),
 * commits the stored offsets when enable.auto.commit is on, leaves the
 * group and stops fetching; within about socket.timeout.ms even when the
 * brokers are gone. Messages not yet polled are dropped. Later calls
 * return KL_ERR_STATE, except kl_consumer_destroy(). */
KL_EXPORT kl_err_t kl_consumer_close(kl_consumer_t *consumer);

/** Closes (if not done yet) and frees the consumer. Messages still held
 * by the application stay valid until destroyed. NULL is allowed. */
KL_EXPORT void kl_consumer_destroy(kl_consumer_t *consumer);

#ifdef __cplusplus
}
#endif

#endif
