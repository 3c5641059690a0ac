/* The embedded broker's shared state: settings read once from the
 * configuration, the listeners, the live connections, the topic registry
 * and the fetches waiting for data. Every field past kl_broker_new() is
 * touched only by the broker loop's thread while the broker runs (the
 * network threads touch only their connections' sockets and buffers, see
 * conn.h), and by the application thread before start and after stop. */
#ifndef KL_BROKER_SERVER_H
#define KL_BROKER_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kafkalite/broker.h"
#include "broker/conn_limits.h"
#include "broker/housekeeping.h"
#include "broker/log_limit.h"
#include "broker/metrics.h"
#include "broker/net_threads.h"
#include "broker/wire_error.h"
#include "broker/producer_state.h"
#include "broker/sasl_conf.h"
#include "broker/scram_store.h"
#include "broker/topics.h"
#include "net/loop.h"
#include "storage/log.h"

typedef struct broker_conn broker_conn_t;
typedef struct broker_fetch broker_fetch_t;
typedef struct broker_groups broker_groups_t;
typedef struct broker_txns broker_txns_t;

/* A listener's security protocol (listener.security.protocol.map). */
typedef enum { SEC_PLAINTEXT, SEC_SSL, SEC_SASL_PLAINTEXT, SEC_SASL_SSL } broker_security_t;

/* sasl.enabled.mechanisms bits (the conf table's values). */
enum {
    SASL_MECH_PLAIN = 1,
    SASL_MECH_SCRAM_SHA_256 = 2,
    SASL_MECH_SCRAM_SHA_512 = 4,
    SASL_MECH_GSSAPI = 8,
    SASL_MECH_OAUTHBEARER = 16
};

struct kl_tls_ctx;
struct broker_gssapi;

/* One entry of listeners: a bound socket plus what metadata advertises. */
typedef struct broker_listener {
    kl_broker_t *broker;
    char *name;      /* listener name, e.g. PLAINTEXT */
    broker_security_t security;
    struct kl_tls_ctx *tls; /* SSL and SASL_SSL: the server context */
    broker_sasl_conf_t sasl; /* SASL_PLAINTEXT and SASL_SSL: its settings */
    char *host;      /* bind host; "" for every interface */
    int port;        /* the configured port, then the bound one */
    char *adv_host;  /* advertised host (advertised.listeners or host) */
    int adv_port;    /* advertised port (0: the bound port) */
    int fd;
    kl_io_t io;
    /* Out of descriptors: not watched until the timer or a closing
     * connection resumes it (listener.c). */
    bool paused;
    kl_timer_t resume_timer;
} broker_listener_t;

typedef enum { BROKER_NEW, BROKER_RUNNING, BROKER_STOPPED } broker_state_t;

struct kl_broker {
    kl_conf_t *conf; /* our copy */
    int32_t node_id;
    char *rack; /* NULL: none */
    char *log_dir; /* the first of log.dirs: catalog, meta.properties */
    broker_log_dirs_t log_dirs; /* all of them, until topics_load() takes them */
    char cluster_id[32];
    int32_t num_partitions;
    int16_t default_replication_factor;
    bool auto_create_topics;
    bool delete_topic_enable;
    int32_t message_max_bytes;
    int32_t request_max_bytes;
    int socket_send_buffer, socket_receive_buffer; /* -1: system default */
    int64_t queued_max_request_bytes; /* <= 0: no bound (request_pool.h) */
    atomic_size_t queued_request_bytes; /* charged to the pool (any thread) */
    int64_t request_read_timeout_ms;  /* socket.request.read.timeout.ms; <= 0: none */
    int *lock_fds; /* one per log dir, -1 when not open */
    size_t lock_count;
    int log_level; /* KAFKALITE_BROKER_LOG, read once */
    kl_log_cb *log_cb; /* kl_conf_set_log_cb(); NULL: standard error */
    void *log_opaque;
    pthread_mutex_t log_cb_lock; /* one log_cb call at a time (any thread) */
    broker_log_limits_t log_limits; /* lines that can repeat (any thread) */

    broker_listener_t *listeners;
    size_t listener_count;
    unsigned sasl_mechanisms; /* SASL_MECH_* any SASL listener enables */
    scram_store_t scram;      /* users' SCRAM credentials */
    struct broker_gssapi *gssapi; /* GSSAPI's service principal (sasl_gssapi.c) */
    char *bootstrap;
    char *listeners_text; /* kl_broker_listeners() */

    broker_topics_t topics;
    producer_ids_t producer_ids;

    kl_loop_t *loop;  /* the broker loop: serves requests, runs timers */
    pthread_t thread;
    broker_nets_t nets; /* num.network.threads: the connections' sockets */
    broker_state_t state;
    broker_conn_t *conns;     /* doubly linked */
    broker_conn_limits_t conn_limits;
    broker_fetch_t *parked;   /* fetches waiting for data, doubly linked */
    broker_housekeeping_t housekeeping; /* retention, flushing */
    broker_groups_t *groups;            /* the group coordinator (group_wire.c) */
    broker_txns_t *txns;                /* the transaction coordinator (txn_coordinator.h) */
    broker_metrics_t metrics;           /* request counters (metrics.h) */
    struct broker_console *console;     /* console.listeners (console.h); NULL: none */

    /* Fault injection for tests (any thread may set it): this many
     * produce requests are appended, then their connection is closed
     * instead of answered, as when a response is lost on the way. */
    atomic_int fault_lost_produce_responses;
};

/* Log levels. */
enum { BROKER_LOG_ERR = 3, BROKER_LOG_WARN = 4, BROKER_LOG_INFO = 6, BROKER_LOG_DEBUG = 7 };

/* broker_log.c: writes one line when level is as important as the
 * broker's threshold or more (warnings by default; KAFKALITE_BROKER_LOG=7
 * in the environment shows everything): to the log callback of the
 * broker's configuration, on the calling thread, one call at a time, or to
 * standard error as "kafkalite broker <node>: ...". Any thread; broker may
 * be NULL (standard error). */
void broker_log(const kl_broker_t *broker, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reads the threshold and the callback (broker->conf set). */
void broker_log_init(kl_broker_t *broker);
void broker_log_free(kl_broker_t *broker);

/* listener.c: parses listeners and advertised.listeners into
 * broker->listeners (errors in errstr), binds and watches them, closes them. */
kl_err_t listeners_parse(kl_broker_t *broker, char *errstr, size_t errstr_size);
kl_err_t listeners_bind(kl_broker_t *broker);
void listeners_watch(kl_broker_t *broker);
/* A connection closed: a listener paused for want of descriptors tries
 * again now (broker loop). */
void listeners_resume(kl_broker_t *broker);
void listeners_close(kl_broker_t *broker);
void listeners_free(kl_broker_t *broker);
/* listener_security.c: sets l's protocol from the map's text (building
 * its TLS context for SSL and SASL_SSL), frees what it made, and names
 * it. */
kl_err_t listener_security_setup(kl_broker_t *broker, broker_listener_t *l, const char *protocol, char *errstr,
                                 size_t errstr_size);
void listener_security_free(broker_listener_t *l);
/* "listener.name.<l's name in lower case>.<setting>" into buf: the name
 * kl_conf_get_*() reads as the listener's setting, else the broker's. */
const char *listener_setting(const broker_listener_t *l, const char *setting, char *buf, size_t size);
const char *listener_protocol_name(const broker_listener_t *l);
/* Splits "NAME://host:port" of len bytes (host may be "[v6]" or empty)
 * into malloc'd name and host; false when it is not one. */
bool listener_parse_endpoint(const char *s, size_t len, char **name, char **host, int *port);
/* A listening TCP socket (non-blocking, close-on-exec) on host ("": every
 * interface) and *port (0: the system picks; *port is then the bound one),
 * or -1. */
int listener_bind_address(const char *host, int *port);

/* meta_properties.c: reads or writes <log_dir>/meta.properties, filling
 * broker->cluster_id. */
kl_err_t meta_properties_load(kl_broker_t *broker, char *errstr, size_t errstr_size);

/* offline.c: topics' report_offline for partitions that cannot be read
 * at start (opaque: the broker). */
void broker_report_offline(void *opaque, const char *topic, int32_t partition, const char *why);
/* recovery_report.c: topics.report_repair (opaque: the broker), and the
 * summary of broker->topics.recovery logged once the broker is loaded. */
void broker_report_repair(void *opaque, bool warning, const char *line);
void broker_log_recovery_summary(const kl_broker_t *broker);
/* After a storage error writing to t-partition (what: the operation, for
 * the log): takes its log dir offline with every partition in it (the
 * partition alone when the dir is unknown), logging the cause (file and
 * errno); true when it did. Out of descriptors (EMFILE, ENFILE) it only
 * logs (rate limited) and returns false: the caller answers a retriable
 * error. On the loop thread. */
bool broker_storage_failed(kl_broker_t *broker, broker_topic_t *t, int32_t partition, const char *what);
/* Takes t-partition alone offline, its log dir staying online, because
 * what it holds cannot be served (why: for the log). On the loop thread,
 * or before the broker starts. */
void broker_partition_offline(kl_broker_t *broker, broker_topic_t *t, int32_t partition, const char *why);

/* fetch.c: wakes the parked fetches that read this partition, after an
 * append of bytes to it. */
void fetch_wake(kl_broker_t *broker, const broker_topic_t *topic, int32_t partition, size_t bytes);

#endif
