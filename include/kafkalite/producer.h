/* kafkalite: the producer.
 *
 * kl_produce() encodes the message into its partition's open batch and
 * returns; an I/O thread sends batches when they are full (batch.size,
 * batch.num.messages) or have waited linger.ms, retries what can be
 * retried, and gives every accepted message exactly one delivery report:
 * success with its offset, or the final error. Reports are delivered by
 * kl_producer_poll() (and kl_producer_flush()) on the calling thread,
 * through the callback set with kl_conf_set_delivery_cb(); no callback ever
 * runs on the library's own thread. delivery.timeout.ms bounds the time
 * from kl_produce() to the report, even when no broker can be reached.
 *
 * Ordering and idempotence: messages of one partition are sent in order.
 * With enable.idempotence=true (the default, as in current Kafka clients)
 * the producer gets a producer id from the cluster (InitProducerId) and
 * numbers each partition's batches; the broker drops a retried batch it
 * already has and refuses one that would skip a number, so retries never
 * duplicate and never reorder messages, with up to 5 requests in flight.
 * Idempotence implies acks=all, max.in.flight.requests.per.connection <= 5
 * and retries > 0: setting one of those otherwise next to an explicit
 * enable.idempotence=true is a configuration error; next to the default,
 * it turns idempotence off (as the Java client does). When the broker no
 * longer knows the producer, or a batch fails for good after later ones
 * were sent (delivery.timeout.ms, a purge), the producer bumps its epoch
 * and restarts the numbering (KIP-360); the failed messages get their
 * error report, and with enable.gapless.guarantee=true the producer stops
 * instead (KL_ERR_FATAL, see kl_producer_fatal_error()). A batch in flight
 * is not failed at its delivery.timeout.ms while idempotent (that could
 * hide a gap): its report waits for the broker's answer or for
 * request.timeout.ms. Without idempotence and with more than one request
 * in flight, a retried batch may land after a later one (reordering), and
 * a retry after a lost answer may store a message twice; with
 * max.in.flight.requests.per.connection=1 order holds.
 *
 * Thread safety: kl_produce() may be called from several threads at once;
 * kl_producer_poll() and kl_producer_flush() from any thread (the callback
 * runs on the caller's). Include <kafkalite.h> rather than this file. */
#ifndef KAFKALITE_PRODUCER_H
#define KAFKALITE_PRODUCER_H

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
#include "kafkalite/consumer.h"
#include "kafkalite/error.h"
#include "kafkalite/message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_producer kl_producer_t;

/** A delivery report: called once per message, from kl_producer_poll(),
 * kl_producer_flush() or kl_producer_destroy(). msg is valid during the
 * call; opaque is the pointer given to kl_conf_set_opaque(). The callback
 * may call kl_produce() but not kl_producer_destroy(). */
typedef void kl_delivery_cb(kl_producer_t *producer, const kl_message_t *msg, void *opaque);

/** Sets the delivery report callback of producers created from conf.
 * Without one, reports are still counted (kl_producer_failed()) and must
 * still be served by polling. */
KL_EXPORT void kl_conf_set_delivery_cb(kl_conf_t *conf, kl_delivery_cb *cb);

/** A new producer using a copy of conf (conf stays the caller's). Starts
 * the I/O thread, which connects to bootstrap.servers at once. NULL, with
 * errstr filled (NUL-terminated when errstr_size > 0), for an invalid
 * configuration: no bootstrap.servers, a compression.type this build
 * lacks, enable.idempotence=true with acks, retries or
 * max.in.flight.requests.per.connection set against it (errstr names
 * them; transactional.id with enable.idempotence=false), security settings that
 * cannot be used (an unreadable ssl.ca.location, a key that does not match
 * its certificate, a SASL mechanism without sasl.username). */
KL_EXPORT kl_producer_t *kl_producer_new(const kl_conf_t *conf, char *errstr, size_t errstr_size);

/** Queues one message. topic is NUL-terminated. partition is a partition
 * number or KL_PARTITION_UA to let the partitioner choose. key NULL means
 * a null key, value NULL a null value (a tombstone); both are copied.
 * timestamp is milliseconds since the epoch, 0 for now. msg_opaque comes
 * back in the delivery report.
 * Returns KL_ERR_NONE (exactly one delivery report will follow), or,
 * with no report: KL_ERR_QUEUE_FULL (queue.buffering.max.messages or
 * .kbytes reached: poll, then try again), KL_ERR_MESSAGE_TOO_LARGE (larger
 * than message.max.bytes), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION (the topic is
 * known not to have that partition), KL_ERR_FATAL (the producer hit a
 * fatal error: kl_producer_fatal_error()), KL_ERR_INVALID_ARG, and for a
 * transactional producer KL_ERR_STATE outside a transaction (before
 * kl_begin_transaction(), once commit or abort has started, or when the
 * transaction must be aborted). */
KL_EXPORT kl_err_t kl_produce(kl_producer_t *producer, const char *topic, int32_t partition, const void *key,
                              size_t key_len, const void *value, size_t value_len, int64_t timestamp,
                              void *msg_opaque);

/** kl_produce() with record headers (copied; headers may be NULL). */
KL_EXPORT kl_err_t kl_produce_headers(kl_producer_t *producer, const char *topic, int32_t partition,
                                      const void *key, size_t key_len, const void *value, size_t value_len,
                                      const kl_headers_t *headers, int64_t timestamp, void *msg_opaque);

/** kl_produce_flags() flags. KL_MSG_F_BLOCK: when queue.buffering.max.messages
 * or .kbytes is reached, wait for room instead of returning
 * KL_ERR_QUEUE_FULL. While it waits the call serves delivery reports on
 * the calling thread, as kl_producer_poll() does, so a single-threaded
 * application cannot deadlock; do not pass it from inside a delivery
 * report callback. */
#define KL_MSG_F_BLOCK 0x1

/** kl_produce_headers() with flags (KL_MSG_F_*, 0 for none). Returns what
 * kl_produce() returns; with KL_MSG_F_BLOCK, KL_ERR_QUEUE_FULL only when
 * the message alone is larger than queue.buffering.max.kbytes. */
KL_EXPORT kl_err_t kl_produce_flags(kl_producer_t *producer, const char *topic, int32_t partition, int flags,
                                    const void *key, size_t key_len, const void *value, size_t value_len,
                                    const kl_headers_t *headers, int64_t timestamp, void *msg_opaque);

/** Serves delivery reports (and queued log lines) on the calling thread,
 * waiting up to timeout_ms (0: do not wait, -1: until one arrives) for the
 * first one. Returns the number of delivery reports served. Call it
 * regularly: reports not served count against queue.buffering.max.*. */
KL_EXPORT int kl_producer_poll(kl_producer_t *producer, int timeout_ms);

/** Sends every queued message without waiting for linger.ms and serves
 * delivery reports until none is outstanding or timeout_ms (-1: no limit)
 * has passed. Returns KL_ERR_NONE when every message has had its report,
 * KL_ERR_TIMED_OUT when some have not (kl_producer_outstanding() says how
 * many). Failed messages had their report too: count them with
 * kl_producer_failed(). */
KL_EXPORT kl_err_t kl_producer_flush(kl_producer_t *producer, int timeout_ms);

/** Messages accepted by kl_produce() whose delivery report has not been
 * served yet. */
KL_EXPORT size_t kl_producer_outstanding(kl_producer_t *producer);

/** Messages whose delivery report carried an error, since the producer was
 * created. */
KL_EXPORT uint64_t kl_producer_failed(kl_producer_t *producer);

/** kl_producer_purge() flags. */
#define KL_PURGE_QUEUE 0x1        /**< messages not sent yet */
#define KL_PURGE_INFLIGHT 0x2     /**< stop waiting for requests in flight */
#define KL_PURGE_NON_BLOCKING 0x4 /**< do not wait for the purge to be done */

/** Drops messages: with KL_PURGE_QUEUE those waiting in the producer (not
 * sent yet; status NOT_PERSISTED), with KL_PURGE_INFLIGHT those whose
 * request is in flight (status POSSIBLY_PERSISTED: the broker may still
 * store them; a late answer is ignored). Each purged message gets its
 * delivery report with KL_ERR_PURGED from the next kl_producer_poll().
 * Unless KL_PURGE_NON_BLOCKING is given, returns once the I/O thread has
 * purged. With idempotence, purging messages in flight resets the
 * partitions' sequences (an epoch bump). Returns KL_ERR_NONE, or
 * KL_ERR_INVALID_ARG for unknown flags. */
KL_EXPORT kl_err_t kl_producer_purge(kl_producer_t *producer, int flags);

/** Whether the producer hit a fatal error (with idempotence and
 * enable.gapless.guarantee, a sequence gap; or a producer id the cluster
 * refuses): returns that error, with a sentence saying why in errstr
 * (NUL-terminated when errstr_size > 0), or KL_ERR_NONE. After a fatal
 * error kl_produce() returns KL_ERR_FATAL and queued messages fail with
 * it; destroy the producer. */
KL_EXPORT kl_err_t kl_producer_fatal_error(kl_producer_t *producer, char *errstr, size_t errstr_size);

/** A partitioner: the partition, 0 to partition_count - 1, for a message
 * produced to topic with KL_PARTITION_UA. key is NULL for a null key.
 * It runs on the thread calling kl_produce(), or inside
 * kl_producer_poll() for a message produced before its topic's partitions
 * were known; the producer's lock is held, so it must be quick and must
 * not call the producer. A value out of range fails the message with
 * KL_ERR_UNKNOWN_TOPIC_OR_PARTITION in its delivery report. */
typedef int32_t kl_partitioner_cb(const char *topic, const void *key, size_t key_len, int32_t partition_count,
                                  void *opaque);

/** Makes producers created from conf place messages with cb instead of
 * the partitioner property (opaque: kl_conf_set_opaque()). NULL goes back
 * to the property. */
KL_EXPORT void kl_conf_set_partitioner_cb(kl_conf_t *conf, kl_partitioner_cb *cb);

/** Statistics as one JSON object (the layout is described in
 * kl_producer_stats(3)): json is NUL-terminated and valid during the
 * call only. */
typedef void kl_stats_cb(kl_producer_t *producer, const char *json, size_t json_len, void *opaque);

/** Makes producers created from conf call cb every
 * statistics.interval.ms, from kl_producer_poll() (and flush) only. */
KL_EXPORT void kl_conf_set_stats_cb(kl_conf_t *conf, kl_stats_cb *cb);

/** The producer's statistics now, as a NUL-terminated JSON object:
 * queue depth (messages and bytes), requests in flight, errors and
 * retries per broker, batches sent and their average fill, request
 * latency (average and 99th percentile). Release it with kl_mem_free(). NULL when
 * out of memory. */
KL_EXPORT char *kl_producer_stats(kl_producer_t *producer);

/* ---- transactions ------------------------------------------------------------
 *
 * With transactional.id set, the producer writes in transactions: the
 * messages produced between kl_begin_transaction() and
 * kl_commit_transaction() (and the consumer offsets given to
 * kl_send_offsets_to_transaction()) become visible to read_committed
 * consumers all together, or, after kl_abort_transaction(), never.
 * Transactions imply enable.idempotence. transaction.timeout.ms bounds a
 * transaction's life: the coordinator aborts one still open after it and
 * bumps the producer's epoch; the producer's next call fails abortable,
 * and kl_abort_transaction() asks the coordinator for the new epoch
 * (KIP-588; a broker that does not allow it answers that the producer is
 * fenced, a fatal error).
 * One transaction at a time; kl_produce() is refused (KL_ERR_STATE) outside
 * one. Every call here returns NULL on success or a kl_error_t whose class
 * says what to do (kafkalite/error.h): retriable (call again), abortable
 * (kl_abort_transaction(), then a new transaction), fatal (destroy the
 * producer), or none (a call in the wrong state; nothing changed). These
 * calls block the calling thread; call them from one thread, with no
 * kl_produce() running at the same time as a commit or an abort. */

/** Finds the transaction coordinator, gets the producer id and epoch of
 * transactional.id (InitProducerId), which fences any older producer with
 * the same transactional.id and completes (aborts) a transaction it left
 * open. Call once, before the first kl_begin_transaction(). timeout_ms: -1
 * for no limit. Errors: retriable KL_ERR_TIMED_OUT (call again: it waits
 * for the same request), fatal (not authorized, a transaction.timeout.ms
 * the broker refuses, a broker without transactions), KL_ERR_STATE
 * (already done, or not transactional). */
KL_EXPORT kl_error_t *kl_init_transactions(kl_producer_t *producer, int timeout_ms);

/** Starts a transaction (locally: the coordinator hears of it with the
 * first message or offsets). Errors: KL_ERR_STATE (no
 * kl_init_transactions(), or a transaction already open), abortable (the
 * open transaction must be aborted first), fatal. */
KL_EXPORT kl_error_t *kl_begin_transaction(kl_producer_t *producer);

/** Adds the consumer offsets in offsets (the next offset to read, per
 * partition; entries with a negative offset are ignored) to the
 * transaction, for group_metadata's group (from
 * kl_consumer_group_metadata()): they are committed with the transaction,
 * and dropped if it aborts. Errors: retriable KL_ERR_TIMED_OUT; abortable
 * when the group refuses them (the consumer lost its membership:
 * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID; or
 * GROUP_AUTHORIZATION_FAILED); fatal; KL_ERR_STATE (no transaction open);
 * KL_ERR_INVALID_ARG. */
KL_EXPORT kl_error_t *kl_send_offsets_to_transaction(kl_producer_t *producer,
                                                      const kl_topic_partition_list_t *offsets,
                                                      const kl_consumer_group_metadata_t *group_metadata,
                                                      int timeout_ms);

/** Flushes every message of the transaction (serving delivery reports on
 * the calling thread), then commits it (EndTxn). When a message of the
 * transaction failed, nothing is committed and the error is abortable.
 * Errors: retriable KL_ERR_TIMED_OUT (call kl_commit_transaction() again,
 * or kl_abort_transaction()); abortable (a message failed, or the
 * coordinator aborted the transaction after transaction.timeout.ms);
 * fatal (fenced: another producer took the transactional.id over);
 * KL_ERR_STATE. */
KL_EXPORT kl_error_t *kl_commit_transaction(kl_producer_t *producer, int timeout_ms);

/** Drops the transaction's queued messages (their reports say
 * KL_ERR_PURGED), waits for those in flight, and aborts it (EndTxn):
 * read_committed consumers never see its messages, and its offsets are
 * not committed. After an abortable error that left a partition's
 * sequence in doubt, it also bumps the producer epoch (KIP-360) so the
 * next transaction starts clean; after the coordinator aborted the
 * transaction on its timeout, it asks for the epoch the coordinator moved
 * to instead of ending the transaction (KIP-588). Errors: retriable
 * KL_ERR_TIMED_OUT (call again), fatal (fenced), KL_ERR_STATE (no
 * transaction). */
KL_EXPORT kl_error_t *kl_abort_transaction(kl_producer_t *producer, int timeout_ms);

/** Stops the producer and frees it. Messages still outstanding fail with
 * KL_ERR_DESTROY (status POSSIBLY_PERSISTED for those in flight) and their
 * reports are served here, on the calling thread, so every message still
 * gets exactly one. Call kl_producer_flush() first to deliver them
 * instead. NULL is allowed. */
KL_EXPORT void kl_producer_destroy(kl_producer_t *producer);

#ifdef __cplusplus
}
#endif

#endif
