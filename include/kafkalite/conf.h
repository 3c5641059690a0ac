/* kafkalite: configuration objects.
 *
 * A kl_conf_t holds string properties with the names Kafka users already
 * know: librdkafka's names for clients (kl_conf_new()), Kafka's
 * server.properties names for the embedded broker (kl_broker_conf_new()).
 * Every property is described once in a table (type, range or allowed
 * values, default, documentation); unknown names and bad values are refused
 * at set time with a message naming the property.
 *
 * Values: names are case-sensitive. Numbers are decimal (surrounding white
 * space ignored); booleans are true/false in any case, or 1/0; enumerated
 * values match in any case and read back in the table's spelling; lists
 * are comma-separated; strings are kept verbatim. Several names may be
 * aliases of one property (librdkafka's queue.buffering.max.ms for
 * linger.ms, Kafka's broker.id for node.id): setting either sets both.
 * A kl_conf_t is not thread-safe: set it up, then hand it over. */
#ifndef KAFKALITE_CONF_H
#define KAFKALITE_CONF_H

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_conf kl_conf_t;

/** A new client configuration (producer, consumer, admin) holding every
 * property at its default. NULL only when out of memory. */
KL_EXPORT kl_conf_t *kl_conf_new(void);

/** A new embedded-broker configuration (server.properties names) holding
 * every property at its default. NULL only when out of memory. */
KL_EXPORT kl_conf_t *kl_broker_conf_new(void);

/** A deep copy of conf, or NULL when out of memory. */
KL_EXPORT kl_conf_t *kl_conf_dup(const kl_conf_t *conf);

/** Frees conf. NULL is allowed. */
KL_EXPORT void kl_conf_destroy(kl_conf_t *conf);

/** Sets property name to value; value NULL restores the default. Returns
 * KL_ERR_NONE, or KL_ERR_UNKNOWN_PROPERTY (errstr names the property and
 * suggests the closest known name) or KL_ERR_INVALID_VALUE (errstr names the
 * property and says what it accepts). errstr may be NULL; it is always
 * NUL-terminated when errstr_size > 0 (empty on success). On error conf is
 * unchanged.
 * A broker configuration also accepts the cluster-only names of Kafka's
 * server.properties (zookeeper.*, controller.*, process.roles, ...) so that
 * Kafka's own files load; they are recorded, ignored, and reported by the
 * broker as warnings. */
KL_EXPORT kl_err_t kl_conf_set(kl_conf_t *conf, const char *name, const char *value,
                               char *errstr, size_t errstr_size);

/** Copies the current value of name (or of the property it is an alias
 * of) into dest, NUL-terminated; a property without a value reads as "".
 * *dest_size is the size of dest on input and the size needed (with the
 * NUL) on output; pass dest = NULL to learn the size. Returns
 * KL_ERR_UNKNOWN_PROPERTY for an unknown name, KL_ERR_INVALID_ARG when dest
 * is too small (dest then holds ""). */
KL_EXPORT kl_err_t kl_conf_get(const kl_conf_t *conf, const char *name, char *dest,
                               size_t *dest_size);

/** Every property and its current value as a NULL-terminated array of
 * 2 * *countp strings: name0, value0, name1, value1, ... *countp receives the
 * number of strings (twice the number of properties). Each property appears
 * once under its canonical name (aliases and ignored names are left out),
 * in table order; values are not redacted. The array does not depend on
 * conf afterwards. Release it with kl_conf_dump_destroy(). NULL when out of
 * memory. */
KL_EXPORT const char **kl_conf_dump(const kl_conf_t *conf, size_t *countp);

/** Releases an array returned by kl_conf_dump(). NULL is allowed. */
KL_EXPORT void kl_conf_dump_destroy(const char **dump, size_t count);
/** Deprecated (0.1's name): the same as kl_conf_dump_destroy(). */
KL_EXPORT void kl_conf_dump_free(const char **dump, size_t count);

/** A log line: level is a syslog(3) level (3 error, 4 warning, 6 info, 7
 * debug), facility a short upper-case tag ("BROKER", "METADATA", ...),
 * message one line without a newline (valid during the call only). */
typedef void kl_log_cb(void *opaque, int level, const char *facility, const char *message);

/** Sends the log lines of handles created from conf to cb instead of
 * standard error. For a client handle (producer, consumer, admin client)
 * cb runs only on the application's thread, inside its own calls: polls
 * (kl_producer_poll(), kl_consumer_poll()), blocking calls
 * (kl_producer_flush(), kl_producer_purge(), the consumer's queries, every
 * admin call) and destroy; never on the library's I/O thread. Lines wait
 * in a bounded queue until then; which lines are produced depends on
 * log_level and debug. For the embedded broker cb runs on the broker's own
 * threads, one call at a time (see kafkalite/broker.h). NULL restores
 * standard error. */
KL_EXPORT void kl_conf_set_log_cb(kl_conf_t *conf, kl_log_cb *cb);

/** The application's pointer handed to every callback of handles created
 * from conf (log, delivery report). */
KL_EXPORT void kl_conf_set_opaque(kl_conf_t *conf, void *opaque);

#ifdef __cplusplus
}
#endif

#endif
