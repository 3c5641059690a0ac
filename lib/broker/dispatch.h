/* Request dispatch: the table of APIs the broker serves, keyed by API key
 * with the version range beside each handler (ApiVersions answers from
 * it), and the request context a handler receives. A handler answers with
 * broker_respond(), or sends nothing (acks=0), or parks the request (a
 * fetch waiting for data) and answers later from the loop. */
#ifndef KL_BROKER_DISPATCH_H
#define KL_BROKER_DISPATCH_H

#include <stdarg.h>
#include <stdint.h>

#include "broker/server.h"
#include "proto/header.h"
#include "util/arena.h"

typedef struct broker_request {
    kl_broker_t *broker;
    broker_conn_t *conn;
    kl_request_header_t hdr;
    const kl_api_t *api;
    void *body; /* the decoded request, a struct of api->request */
    kl_arena_t *arena; /* lives until the request is answered */
    int64_t start_us;  /* metrics_now_us() when dispatched */
    /* A request the broker makes of itself (the HTTP console): conn is
     * NULL and the answer, a struct of the API's response schema, goes to
     * local_reply (valid during that call only) instead of being encoded. */
    void (*local_reply)(void *opaque, const void *resp);
    void *local_opaque;
} broker_request_t;

typedef enum {
    BROKER_REQ_DONE,   /* answered (or needs no answer) */
    BROKER_REQ_PARKED, /* will be answered later; the connection waits */
    BROKER_REQ_CLOSE   /* close the connection (already logged) */
} broker_req_status_t;

typedef broker_req_status_t broker_handler_fn(broker_request_t *req);

typedef struct broker_api {
    int16_t key;
    int16_t min_version, max_version; /* what the broker serves */
    broker_handler_fn *handler;
} broker_api_t;

/* The served APIs in key order, and one by key (NULL: not served). */
const broker_api_t *broker_api_table(size_t *countp);
const broker_api_t *broker_api_find(int16_t key);

/* Decodes the request in frame (the content after the size) into req and
 * runs its handler. Malformed input, an unknown API key or a version we do
 * not serve (but for ApiVersions, which answers UNSUPPORTED_VERSION) give
 * BROKER_REQ_CLOSE after one log line. */
broker_req_status_t broker_dispatch(broker_request_t *req, const uint8_t *frame, size_t len);

/* Runs req's handler for a request the broker makes of itself: req has
 * broker, arena, body (the decoded request), hdr.api_key, hdr.api_version
 * and local_reply set, conn NULL. Not counted in the request metrics. A
 * handler that parks (a group request waiting for its append) answers
 * later, through local_reply. */
broker_req_status_t broker_call_local(broker_request_t *req);

/* Appends resp (a struct of the API's response schema) as the answer to
 * req at the request's version, or at version for broker_respond_at(). */
broker_req_status_t broker_respond(broker_request_t *req, const void *resp);
broker_req_status_t broker_respond_at(broker_request_t *req, int16_t version, const void *resp);
/* broker_respond_at() leaving holes in the connection's output for the
 * RECORDS fields without bytes, for the caller to fill before the
 * connection flushes (see kl_proto_encode_holes()). */
broker_req_status_t broker_respond_holes(broker_request_t *req, int16_t version, const void *resp,
                                         kl_proto_holes_t *holes);

/* A NUL-terminated copy of s in req's arena ("" for null). */
char *broker_strdup(broker_request_t *req, kl_str_t s);
/* A printf-formatted string (at most 511 bytes) in req's arena, for the
 * error messages of responses. */
kl_str_t broker_strfmt(broker_request_t *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
kl_str_t broker_vstrfmt(broker_request_t *req, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* An array of n zeroed elements of size in req's arena (NULL only when
 * n > 0 and the arena refuses). */
void *broker_alloc(broker_request_t *req, size_t n, size_t size);

/* The handlers, one file per family. */
broker_req_status_t handle_api_versions(broker_request_t *req);
broker_req_status_t handle_api_versions_unsupported(broker_request_t *req);
broker_req_status_t handle_metadata(broker_request_t *req);
broker_req_status_t handle_describe_cluster(broker_request_t *req);
broker_req_status_t handle_create_topics(broker_request_t *req);
broker_req_status_t handle_delete_topics(broker_request_t *req);
broker_req_status_t handle_produce(broker_request_t *req);
broker_req_status_t handle_fetch(broker_request_t *req);
broker_req_status_t handle_list_offsets(broker_request_t *req);
broker_req_status_t handle_init_producer_id(broker_request_t *req);
broker_req_status_t handle_add_partitions_to_txn(broker_request_t *req);
broker_req_status_t handle_end_txn(broker_request_t *req);
broker_req_status_t handle_add_offsets_to_txn(broker_request_t *req);
broker_req_status_t handle_txn_offset_commit(broker_request_t *req);
broker_req_status_t handle_delete_records(broker_request_t *req);
broker_req_status_t handle_describe_log_dirs(broker_request_t *req);
broker_req_status_t handle_describe_producers(broker_request_t *req);
broker_req_status_t handle_describe_transactions(broker_request_t *req);
broker_req_status_t handle_list_transactions(broker_request_t *req);
broker_req_status_t handle_offset_for_leader_epoch(broker_request_t *req);
broker_req_status_t handle_create_partitions(broker_request_t *req);
broker_req_status_t handle_describe_configs(broker_request_t *req);
broker_req_status_t handle_alter_configs(broker_request_t *req);
broker_req_status_t handle_incremental_alter_configs(broker_request_t *req);
broker_req_status_t handle_sasl_handshake(broker_request_t *req);
broker_req_status_t handle_sasl_authenticate(broker_request_t *req);
broker_req_status_t handle_describe_client_quotas(broker_request_t *req);
broker_req_status_t handle_describe_user_scram_credentials(broker_request_t *req);
broker_req_status_t handle_alter_user_scram_credentials(broker_request_t *req);

#endif
