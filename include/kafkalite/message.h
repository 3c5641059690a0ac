/* kafkalite: messages, as delivery reports show them and as the consumer
 * hands them out, and record headers.
 *
 * A kl_message_t is handed to the application's delivery report callback
 * (kl_conf_set_delivery_cb()) and is valid only during that call: copy
 * what you need. kl_consumer_poll() returns messages the application owns
 * and frees with kl_message_destroy(); their key, value and headers point
 * into the fetched data (no copy) and stay valid until then. The accessors
 * never fail. A kl_headers_t is a list of record headers the application
 * builds and passes to kl_produce_headers(), or reads from a consumed
 * message (kl_message_headers()). Include <kafkalite.h> rather than this
 * file. */
#ifndef KAFKALITE_MESSAGE_H
#define KAFKALITE_MESSAGE_H

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_message kl_message_t;
typedef struct kl_headers kl_headers_t;

/** "Any partition": let the partitioner choose (kl_produce()). */
#define KL_PARTITION_UA (-1)

/** Whether a message reached the broker's log, as far as the producer
 * knows. A failed message that is POSSIBLY_PERSISTED may be in the log
 * (its request was sent and the answer never came, or the broker timed out
 * waiting for replicas): sending it again may duplicate it. */
typedef enum kl_msg_status {
    KL_MSG_STATUS_NOT_PERSISTED = 0,
    KL_MSG_STATUS_POSSIBLY_PERSISTED = 1,
    KL_MSG_STATUS_PERSISTED = 2
} kl_msg_status_t;

typedef enum kl_timestamp_type {
    KL_TIMESTAMP_NOT_AVAILABLE = 0,
    KL_TIMESTAMP_CREATE_TIME = 1,    /* set by the producer */
    KL_TIMESTAMP_LOG_APPEND_TIME = 2 /* set by the broker (topic setting) */
} kl_timestamp_type_t;

/** The topic the message was produced to. */
KL_EXPORT const char *kl_message_topic(const kl_message_t *msg);

/** The partition, or KL_PARTITION_UA when the message failed before one
 * was chosen. */
KL_EXPORT int32_t kl_message_partition(const kl_message_t *msg);

/** The offset the broker gave the message, or -1 (failed, or acks=0). */
KL_EXPORT int64_t kl_message_offset(const kl_message_t *msg);

/** The key (NULL for a null key); *lenp (may be NULL) receives its
 * length. Points into the library's memory: valid during the callback. */
KL_EXPORT const void *kl_message_key(const kl_message_t *msg, size_t *lenp);

/** The value (NULL for a null value), like kl_message_key(). */
KL_EXPORT const void *kl_message_value(const kl_message_t *msg, size_t *lenp);

/** The timestamp in milliseconds since the epoch; *typep (may be NULL)
 * says whose it is. */
KL_EXPORT int64_t kl_message_timestamp(const kl_message_t *msg, kl_timestamp_type_t *typep);

/** Delivery reports: KL_ERR_NONE when delivered; otherwise the final error
 * (Kafka's code from the broker, or a local one such as
 * KL_ERR_MSG_TIMED_OUT; a message whose delivery.timeout.ms ran out after
 * a broker refused it reports that broker's last error, e.g.
 * KL_ERR_NOT_ENOUGH_REPLICAS). Consumed messages: KL_ERR_NONE for a record; for
 * an event or error message (KL_ERR_PARTITION_EOF, KL_ERR_NO_OFFSET,
 * KL_ERR_CRC_MISMATCH, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, ...) the topic
 * and partition say where, and the value holds a readable reason. */
KL_EXPORT kl_err_t kl_message_error(const kl_message_t *msg);

/** The msg_opaque pointer given to kl_produce(). */
KL_EXPORT void *kl_message_opaque(const kl_message_t *msg);

/** Whether the message is in the broker's log (see kl_msg_status_t):
 * PERSISTED when delivered with acks 1 or all. */
KL_EXPORT kl_msg_status_t kl_message_status(const kl_message_t *msg);

/** The partition leader epoch of the batch a consumed message came from,
 * or -1 when unknown (and for delivery reports). */
KL_EXPORT int32_t kl_message_leader_epoch(const kl_message_t *msg);

/** The headers of a consumed message, decoded on the first call and kept
 * with the message; NULL when it has none (and for delivery reports). The
 * list belongs to the message: do not add to it or destroy it. */
KL_EXPORT const kl_headers_t *kl_message_headers(const kl_message_t *msg);

/** Frees a message returned by kl_consumer_poll(), and the fetched data it
 * was the last user of. NULL is allowed, and so is a delivery report (it
 * is left alone: it belongs to the library). */
KL_EXPORT void kl_message_destroy(kl_message_t *msg);

/** A new empty header list, or NULL when out of memory. */
KL_EXPORT kl_headers_t *kl_headers_new(void);

/** Appends a header: name is NUL-terminated (Kafka header keys are
 * strings), value is value_len bytes, or NULL for a null value. Both are
 * copied. KL_ERR_INVALID_ARG for a NULL name or a consumed message's list,
 * KL_ERR_NOMEM. Header order
 * and repeated names are kept. */
KL_EXPORT kl_err_t kl_headers_add(kl_headers_t *headers, const char *name, const void *value,
                                  size_t value_len);

/** The number of headers in the list. */
KL_EXPORT size_t kl_headers_count(const kl_headers_t *headers);

/** Header idx (0-based, in record order): *namep (NUL-terminated),
 * *valuep (NULL for a null value) and *lenp, each optional; they stay
 * valid as long as the list. KL_ERR_NOENT when idx is past the end. */
KL_EXPORT kl_err_t kl_headers_get(const kl_headers_t *headers, size_t idx, const char **namep,
                                  const void **valuep, size_t *lenp);

/** The value of the last header named name, like kl_headers_get();
 * KL_ERR_NOENT when there is none. */
KL_EXPORT kl_err_t kl_headers_get_last(const kl_headers_t *headers, const char *name, const void **valuep,
                                       size_t *lenp);

/** Frees the list. NULL is allowed. */
KL_EXPORT void kl_headers_destroy(kl_headers_t *headers);

#ifdef __cplusplus
}
#endif

#endif
