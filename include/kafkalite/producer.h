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
 * Ordering: messages of one partition are sent in order, and a partition
 * never has more batches in flight than a connection may have requests
 * (max.in.flight.requests.per.connection). With more than one, a retried
 * batch may land after a later one; with 1, order holds across retries and
 * leader changes. Idempotence
 * (enable.idempotence=true) is not available yet: kl_producer_new()
 * refuses it rather than promise what it cannot keep.
 *
 * Thread safety: kl_produce() may be called from several threads at once;
 * kl_producer_poll() and kl_producer_flush() from any thread (the callback
 * runs on the caller's). Include <kafkalite.h> rather than this file. */
#ifndef KAFKALITE_PRODUCER_H
#define KAFKALITE_PRODUCER_H

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
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
 * lacks, enable.idempotence=true or transactional.id (not supported yet),
 * a security.protocol other than plaintext. */
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
 * known not to have that partition), KL_ERR_INVALID_ARG. */
KL_EXPORT kl_err_t kl_produce(kl_producer_t *producer, const char *topic, int32_t partition, const void *key,
                              size_t key_len, const void *value, size_t value_len, int64_t timestamp,
                              void *msg_opaque);

/** kl_produce() with record headers (copied; headers may be NULL). */
KL_EXPORT kl_err_t kl_produce_headers(kl_producer_t *producer, const char *topic, int32_t partition,
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
