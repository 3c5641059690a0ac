/* Wire helpers shared by the broker's integration suites, over the
 * blocking wire client (tests/interop/wire_client.h) and our codec. Every
 * helper fails the Check test on a transport or decoding error. */
#ifndef KL_TEST_BROKER_WIRE_H
#define KL_TEST_BROKER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker_fixture.h"
#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "record/batch.h"
#include "util/arena.h"
#include "../interop/wire_client.h"

#define WIRE_TIMEOUT_MS 10000

/* One request/response exchange; done() frees frame and arena. */
typedef struct exchange {
    kl_arena_t arena;
    uint8_t *frame;
} exchange_t;

void call(wire_client_t *wc, int16_t key, int16_t version, const void *req, void *resp, exchange_t *x);
void done(exchange_t *x);
void connect_to(wire_client_t *wc, const broker_fixture_t *f);
/* One ApiVersions exchange; false when it failed (the connection is gone),
 * without failing the test. */
bool wire_ping(wire_client_t *wc);

/* CreateTopics (v7) for one topic with configs as name, value, ...,
 * NULL (or NULL); returns the topic's error code. */
int16_t create_topic_with(wire_client_t *wc, const char *name, int32_t partitions, int16_t rf,
                          const char *const *configs, bool validate_only, kl_uuid_t *id);
/* The same with one config (config NULL: none). */
int16_t create_topic(wire_client_t *wc, const char *name, int32_t partitions, int16_t rf, const char *config,
                     const char *value, bool validate_only, kl_uuid_t *id);
int16_t delete_topic(wire_client_t *wc, const char *name);
/* Metadata (v9) of one topic, auto-creating it when asked as clients
 * do: its entry in *resp, valid until done(x). */
const kl_metadata_response_topic_t *metadata_topic(wire_client_t *wc, const char *name, bool auto_create,
                                                   kl_metadata_response_t *resp, exchange_t *x);

#define WIRE_BASE_TIMESTAMP INT64_C(1700000000000)

/* Encodes n records "v<first+i>" (at least value_size bytes, timestamp
 * ts0 + i) into a batch with params (NULL: not idempotent, uncompressed);
 * free with kl_batch_writer_free. */
void make_batch_with(kl_batch_writer_t *w, const kl_batch_params_t *params, int first, int n, size_t value_size,
                     int64_t ts0, const uint8_t **data, size_t *len);
/* make_batch_with() with the defaults and ts0 WIRE_BASE_TIMESTAMP. */
void make_batch(kl_batch_writer_t *w, int first, int n, size_t value_size, const uint8_t **data, size_t *len);
/* Produces data as one partition's records with acks=-1 at version;
 * returns the partition's error, and its answer in *out (may be NULL;
 * error_message and record_errors cleared). */
int16_t produce_raw(wire_client_t *wc, const char *topic, int32_t partition, const void *data, size_t len,
                    int16_t version, kl_produce_response_partition_t *out);
/* Produces one make_batch() batch; returns the error and fills *base. */
int16_t produce(wire_client_t *wc, const char *topic, int32_t partition, int first, int n, size_t value_size,
                int64_t *base);

/* OffsetCommit (v2) of a group with no members (generation -1): partition
 * of topic at offset; returns the partition's error code. */
int16_t commit_offset(wire_client_t *wc, const char *group, const char *topic, int32_t partition, int64_t offset);

/* A Fetch request of partition 0 of topic from offset. */
void fetch_request(kl_fetch_request_t *req, kl_fetch_request_topic_t *t, kl_fetch_request_partition_t *p,
                   const char *topic, int64_t offset, int32_t min_bytes, int32_t max_wait_ms);
/* Counts the records of a fetched partition from offset on. */
int count_records(const kl_fetch_response_partition_t *p, int64_t from);

/* ListOffsets of partition 0 at version for timestamp ts (-1 latest, -2
 * earliest, -3 max); *found_ts (may be NULL) gets the timestamp. */
int64_t list_offset(wire_client_t *wc, int16_t version, const char *topic, int64_t ts, int64_t *found_ts);

#endif
