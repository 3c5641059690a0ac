/* kafkalite: the embedded broker. A persistent, single-node Kafka-protocol
 * broker that runs inside the application on its own thread, so any Kafka
 * client (kafkalite's, librdkafka, kcat, the Java client) can produce to it
 * and consume from it, and the data survives restarts.
 *
 * Thread safety: a broker handle is driven by one application thread at a
 * time (kl_broker_new(), kl_broker_start(), kl_broker_stop(),
 * kl_broker_destroy() are not to be called concurrently on the same
 * broker); kl_broker_bootstrap_servers() and kl_broker_listeners() may be
 * called from any thread while the broker lives. Several brokers (on
 * different log.dirs) may run in one process.
 *
 * Logging: the broker's lines go to standard error ("kafkalite broker
 * <node.id>: ..."), or, when kl_conf_set_log_cb() was called on its
 * configuration, to that callback with facility "BROKER" and the opaque
 * pointer of kl_conf_set_opaque(). Unlike a client's, the broker's callback
 * runs on whichever thread logs: the thread calling kl_broker_new(),
 * kl_broker_start(), kl_broker_stop() or kl_broker_destroy(), the broker
 * loop's thread, a network thread or an I/O thread; never two calls at
 * once. It must return quickly (the broker's thread waits for it) and must
 * not call the broker's functions. Lines less important than warnings
 * (syslog level 4) are left out unless KAFKALITE_BROKER_LOG is set in the
 * environment to a higher level (6 info, 7 debug) before kl_broker_new(). */
#ifndef KAFKALITE_BROKER_H
#define KAFKALITE_BROKER_H

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
#include "kafkalite/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_broker kl_broker_t;

/** Creates a broker from conf (made by kl_broker_conf_new(), Kafka's
 * server.properties names, plus the log callback and opaque pointer set on
 * it). The broker copies conf: the caller keeps it and may destroy it right
 * after. This prepares the log directories (log.dirs,
 * a comma-separated list, each created if missing and locked against a
 * second broker): the first one holds meta.properties (cluster.id, node.id,
 * read or written) and the topic catalog, which is loaded; every partition
 * log is opened and recovered in whichever directory holds it, and a new
 * partition goes to the directory holding the fewest. Nothing listens yet:
 * see kl_broker_start(). Cluster-only properties that were set
 * (zookeeper.*, controller.*, ...) are logged once each as ignored.
 * Returns NULL with a message in errstr (NUL-terminated when errstr_size >
 * 0; errstr may be NULL) for a configuration kafkalite cannot serve (an
 * unparsable or non-PLAINTEXT listener, an empty or repeated log.dirs
 * entry), an unusable log directory, a partition found in two log
 * directories (both paths named), a node.id that disagrees with
 * meta.properties, or out of memory. */
KL_EXPORT kl_broker_t *kl_broker_new(const kl_conf_t *conf, char *errstr, size_t errstr_size);

/** Binds every listener and starts the broker's network thread. When it
 * returns KL_ERR_NONE clients can connect. Errors: KL_ERR_TRANSPORT (a
 * listener cannot be bound: address in use, permission), KL_ERR_STATE
 * (already started, or stopped: a stopped broker cannot be restarted;
 * create a new one on the same log.dirs), KL_ERR_NOMEM. */
KL_EXPORT kl_err_t kl_broker_start(kl_broker_t *broker);

/** The address clients should bootstrap from, "host:port" for the first
 * listener, with the port the operating system picked when the listener
 * asked for port 0, and 127.0.0.1 when it listens on every interface.
 * Valid once kl_broker_start() succeeded and until kl_broker_destroy();
 * before that, NULL. */
KL_EXPORT const char *kl_broker_bootstrap_servers(const kl_broker_t *broker);

/** Every listener the broker opened, as "NAME://host:port" entries
 * separated by commas, in the order of the listeners property, each with
 * the port actually bound (so a listener that asked for port 0 shows the
 * port the operating system picked) and its host as configured (empty for
 * every interface, IPv6 addresses in brackets). Listeners named in
 * controller.listener.names are not opened and not listed. Valid once
 * kl_broker_start() succeeded and until kl_broker_destroy(); before that,
 * NULL. */
KL_EXPORT const char *kl_broker_listeners(const kl_broker_t *broker);

/** The URL of the broker's HTTP console, "http://host:port", when
 * console.listeners set one: with the port actually bound (so one that
 * asked for port 0 shows the port the operating system picked), and
 * 127.0.0.1 (or [::1]) when it listens on every interface. The console
 * serves /healthz, /readyz, /metrics (Prometheus text format) and a JSON API
 * under /api/v1/. Valid once kl_broker_start() succeeded and until
 * kl_broker_destroy(); NULL before that and when no console was set. */
KL_EXPORT const char *kl_broker_console_address(const kl_broker_t *broker);

/** Stops the network thread and closes every client connection and
 * listener; requests in progress get no answer. Data appended so far stays
 * in the partition logs (written to the operating system, not fsynced).
 * Returns KL_ERR_STATE when the broker was not started; stopping twice is
 * harmless (KL_ERR_NONE). */
KL_EXPORT kl_err_t kl_broker_stop(kl_broker_t *broker);

/** Stops the broker if it runs, closes its logs, releases the log
 * directory and frees the broker. NULL is allowed. */
KL_EXPORT void kl_broker_destroy(kl_broker_t *broker);

#ifdef __cplusplus
}
#endif

#endif
