/* The core every client handle (producer, and later consumer and admin)
 * is built on: the I/O thread and its event loop, the brokers (bootstrap
 * ones, then those metadata names) with one connection each and the API
 * versions negotiated on it, the metadata cache and its refreshes, and
 * logging. The owning handle hears about brokers and metadata through
 * kl_client_events_t, on the I/O thread. Functions marked "I/O thread" run
 * only there (from events, timers or tasks posted with kl_client_post()). */
#ifndef KL_CLIENT_CLIENT_H
#define KL_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/log.h"
#include "kafkalite/conf.h"
#include "net/conn.h"
#include "net/loop.h"

typedef struct kl_client kl_client_t;
typedef struct kl_client_broker kl_client_broker_t;

/* What the owner hears, on the I/O thread. Any member may be NULL. */
typedef struct kl_client_events {
    /* A broker finished its handshake: requests may go. */
    void (*broker_ready)(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
    /* A broker's connection went down (its requests have failed). */
    void (*broker_down)(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
    /* A Metadata response updated the cache. */
    void (*metadata)(kl_client_t *client, void *opaque);
} kl_client_events_t;

/* A topic as the last Metadata response described it. */
typedef struct kl_md_topic {
    char *name;
    kl_err_t err;            /* the topic's error; NONE when usable */
    int32_t partition_count; /* 0 until known */
    int32_t *leaders;        /* node id per partition, -1: no leader */
    bool wanted;             /* asked for by the owner */
    bool described;          /* has been in a response */
} kl_md_topic_t;

/* Takes ownership of conf (copied by the caller). Checks bootstrap.servers
 * and the security settings; NULL with errstr filled on error. */
kl_client_t *kl_client_new(kl_conf_t *conf, const kl_client_events_t *events, void *opaque, char *errstr,
                           size_t errstr_size);
/* The common start of kl_producer_new(), kl_consumer_new() and
 * kl_admin_new(): makes the caller's errstr (*errstrp, *errstr_sizep) writable and empty (an
 * application that passed no buffer gets a scratch one of this thread, so
 * the constructor writes and reads it freely), checks that conf is a
 * client configuration, and returns size zeroed bytes with *copyp a copy
 * of conf for the handle to own. NULL with the error in *errstrp
 * otherwise. */
void *kl_client_handle_new(const kl_conf_t *conf, size_t size, kl_conf_t **copyp, char **errstrp,
                           size_t *errstr_sizep);
/* Starts the I/O thread, which fetches metadata at once. */
kl_err_t kl_client_start(kl_client_t *client, char *errstr, size_t errstr_size);
/* Application thread: on the I/O thread, closes every connection (their
 * requests fail with KL_ERR_DESTROY), then runs last(arg), then stops; joins
 * the thread. Without a started thread, runs the same steps inline. */
void kl_client_stop(kl_client_t *client, kl_task_fn *last, void *arg);
/* After kl_client_stop() (or without start). */
void kl_client_destroy(kl_client_t *client);

/* Any thread: runs fn(arg) on the I/O thread. -1 when out of memory. */
int kl_client_post(kl_client_t *client, kl_task_fn *fn, void *arg);
kl_loop_t *kl_client_loop(kl_client_t *client);
kl_log_t *kl_client_log(kl_client_t *client);
const kl_conf_t *kl_client_conf(const kl_client_t *client);

/* ---- brokers (I/O thread) ---- */

/* The broker metadata named node_id, or NULL. */
kl_client_broker_t *kl_client_broker(kl_client_t *client, int32_t node_id);
/* The broker node_id at host:port, added when it is not known yet, its
 * address updated otherwise (metadata's broker list). NULL when out of
 * memory or node_id < 0. */
kl_client_broker_t *kl_client_broker_learn(kl_client_t *client, int32_t node_id, const char *host, int port);
/* A ready broker for a request any broker can answer (Metadata,
 * FindCoordinator), learned ones before bootstrap entries, rotating. NULL
 * when none is ready: then every broker starts connecting, and a
 * broker_ready event follows when one is. */
kl_client_broker_t *kl_client_pick_broker(kl_client_t *client);
/* A connection of its own to broker node_id at host:port for a group's
 * coordinator requests (JoinGroup, SyncGroup, Heartbeat, OffsetCommit...):
 * a broker answers a connection's requests in order, so on the fetch
 * connection a commit or a heartbeat would wait out every parked
 * long-polling fetch. Found or added; never returned by kl_client_broker()
 * or kl_client_pick_broker(). NULL when out of memory or node_id < 0. */
kl_client_broker_t *kl_client_coordinator(kl_client_t *client, int32_t node_id, const char *host, int port);
/* Starts connecting when not connected (respecting the back-off). */
void kl_client_broker_connect(kl_client_broker_t *broker);
bool kl_client_broker_is_ready(const kl_client_broker_t *broker);
/* Ready, with room for another request in flight. */
bool kl_client_broker_can_send(const kl_client_broker_t *broker);
/* Bytes of requests to broker not written to its socket yet. */
size_t kl_client_broker_unwritten(const kl_client_broker_t *broker);
/* The version of api_key to use with this broker: the highest both speak,
 * or -1 when none (or before the handshake). */
int16_t kl_client_broker_api_version(const kl_client_broker_t *broker, int16_t api_key);
int32_t kl_client_broker_id(const kl_client_broker_t *broker);
/* "host:port/id", for logs. */
const char *kl_client_broker_name(const kl_client_broker_t *broker);
/* Encodes body as a request of api_key at version (header with the
 * client.id) and sends it: exactly one call of cb follows, with the
 * response frame to decode at that version (kl_proto_read_response()).
 * size_hint presizes the frame buffer. flags: KL_CONN_F_*. Returns an
 * encoding error without calling cb. */
kl_err_t kl_client_broker_request(kl_client_broker_t *broker, int16_t api_key, int16_t version, const void *body,
                           size_t size_hint, unsigned flags, int64_t timeout_ms, kl_conn_response_cb *cb,
                           void *arg) KL_WARN_UNUSED;

/* ---- metadata (I/O thread) ---- */

/* Adds topic to those Metadata requests ask for; a new one triggers a
 * refresh. */
void kl_client_want_topic(kl_client_t *client, const char *topic);
/* The cached description of topic, or NULL when never asked for. Valid
 * until the next metadata event. */
const kl_md_topic_t *kl_client_topic(const kl_client_t *client, const char *topic);
/* Whether Metadata requests ask for every topic in the cluster (for
 * pattern subscriptions) rather than only the wanted ones; turning it on
 * triggers a refresh. With it on, a topic an answer no longer lists is
 * kept in the cache as UNKNOWN_TOPIC_OR_PARTITION with no partitions. */
void kl_client_want_all_topics(kl_client_t *client, bool all);
/* Every topic in the cache (wanted ones, and all the cluster's when
 * kl_client_want_all_topics() is on): *countp entries, valid until the
 * next metadata event. */
const kl_md_topic_t *kl_client_topics(const kl_client_t *client, size_t *countp);
/* Asks for a refresh soon: coalesced with one in flight, and not more than
 * one per retry.backoff.ms. reason goes to the debug log. */
void kl_client_refresh_metadata(kl_client_t *client, const char *reason);
/* Whether topics missing from the cluster may be created by Metadata
 * requests (the producer's default, as in librdkafka). */
void kl_client_allow_auto_create(kl_client_t *client, bool allow);

#endif
