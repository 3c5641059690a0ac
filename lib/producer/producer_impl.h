/* Internals of the producer, shared by its files:
 *   producer.c     the handle: settings, poll/flush/destroy, delivery reports
 *   accumulator.c  kl_produce(): topics, partitions, the open batches
 *   sender.c       the I/O thread: Produce requests, responses, retries
 *   topics.c       the I/O thread: metadata, waiting messages, expiry, shutdown
 *   partitioner.c  key -> partition (built in, or the application's callback)
 *   idempotence.c  the I/O thread: producer id, sequences, epoch bumps
 *   purge.c        kl_producer_purge() and the fatal error
 *   stats.c        kl_producer_stats() and the periodic statistics
 *   report.c       delivery reports as kl_message_t (lib/client/message_impl.h)
 *   txn.c          transactions: the application's calls and their states
 *   txn_io.c       transactions on the I/O thread: coordinator, InitProducerId,
 *                  AddPartitionsToTxn, EndTxn, the epoch bump after an abort
 *   txn_offsets.c  kl_send_offsets_to_transaction(): AddOffsetsToTxn and
 *                  TxnOffsetCommit
 *   txn_coord.c    transactions on the I/O thread: finding the coordinators
 *
 * Where each batch lives decides who may touch it. A batch is always in
 * exactly one place: its partition's queue (open, closing or ready), a
 * request's slot (in flight), or the delivery-report queue; moving it
 * between places is how "exactly one report per message" is kept.
 *
 * Locks: producer->lock guards the topic list, each topic's partition
 * array, pending messages and the partitioner's state; partition->lock
 * guards the partition's queue. Lock order: producer, then partition.
 * Fields marked (io) belong to the I/O thread. */
#ifndef KL_PRODUCER_IMPL_H
#define KL_PRODUCER_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/backoff.h"
#include "client/client.h"
#include "client/coordinator.h"
#include "client/message_impl.h"
#include "kafkalite/producer.h"
#include "record/batch.h"
#include "util/arena.h"
#include "util/error_obj.h"

/* What a delivery report is made from: a batch, or one message that never
 * reached a batch (its topic had no metadata yet). */
typedef enum { DR_BATCH, DR_SINGLE } dr_kind_t;
typedef struct dr_node {
    struct dr_node *next;
    dr_kind_t kind;
} dr_node_t;

typedef struct prod_batch prod_batch_t;

/* One message in a batch: what the report needs besides the record. */
typedef struct prod_msg {
    void *opaque;
    uint32_t rec_pos; /* the record's offset in the uncompressed batch */
} prod_msg_t;

/* OPEN: kl_produce() appends to it (it is partition->open). FULL: no room
 * left, waiting for the I/O thread to close it: the CRC and compression
 * run there, beside the application's thread, not on it. CLOSING: a
 * thread is closing it without the partition's lock. READY: closed. */
typedef enum { BATCH_OPEN, BATCH_FULL, BATCH_CLOSING, BATCH_READY } batch_state_t;

typedef struct prod_partition prod_partition_t;
typedef struct prod_topic prod_topic_t;
typedef struct prod_request prod_request_t;

struct prod_batch {
    dr_node_t dr; /* first: the report queue links batches through it */
    struct prod_batch *next; /* in the partition's queue */
    prod_partition_t *part;
    batch_state_t state;
    kl_batch_writer_t writer; /* until closed */
    uint8_t *wire;            /* the closed batch as sent */
    size_t wire_size, wire_cap;
    uint8_t *plain;           /* header + uncompressed records, when wire is */
    size_t plain_size;        /* compressed or missing (never closed) */
    size_t plain_cap;
    int64_t base_timestamp;
    prod_msg_t *msgs;
    int32_t count, cap;
    size_t bytes;     /* payload bytes, for queue.buffering.max.kbytes */
    uint64_t seq;     /* order within the partition */
    int32_t base_sequence; /* (io) idempotence: -1 until first sent */
    int64_t sent_ms;       /* (io) when the current attempt went out */
    kl_err_t last_err;     /* (io) the last attempt's error */
    int64_t created_ms, deadline_ms, retry_at_ms; /* monotonic; deadline 0: none */
    int attempts;     /* sends so far */
    bool maybe_persisted;  /* some attempt may have reached the log */
    prod_request_t *req;   /* (io) while in flight */
    int slot;
    /* the outcome */
    kl_err_t err;
    kl_msg_status_t status;
    int64_t base_offset;
    int64_t log_append_time;
};

struct prod_partition {
    prod_topic_t *topic;
    int32_t id;
    pthread_mutex_t lock;
    prod_batch_t *open;        /* the queue's tail while open */
    prod_batch_t *head, *tail; /* batches not in flight, in seq order */
    uint64_t next_seq;
    int32_t last_full_count; /* messages in its last full batch: the next one's first guess */
    int32_t leader; /* (io) node id, -1: none */
    int inflight;   /* (io) batches in flight ... */
    int32_t inflight_leader; /* (io) ... to this node */
    /* (io) idempotence */
    int32_t next_sequence;  /* the next batch's base sequence */
    int32_t acked_sequence; /* the sequence after the last acknowledged batch */
    bool draining;          /* a batch failed: send nothing new until none is in flight */
    bool reset_needed;      /* a sequenced batch failed for good: wait for the epoch bump */
    bool seq_confirmed;     /* a batch of this numbering was acknowledged: the broker
                               now holds our producer state and checks the order */
    /* (io) transactions */
    bool txn_added;  /* in the open transaction (AddPartitionsToTxn answered) */
    bool txn_adding; /* in the AddPartitionsToTxn request out */
};

/* A message produced before its topic's partitions were known. */
typedef struct pending_msg {
    dr_node_t dr;
    struct pending_msg *next;
    prod_topic_t *topic;
    int32_t partition;
    int64_t timestamp;
    void *opaque;
    int64_t deadline_ms;
    size_t bytes;
    const void *key, *value; /* into data; NULL: null */
    size_t key_len, value_len;
    kl_record_header_t *headers;
    size_t header_count;
    kl_err_t err;
    prod_partition_t *part; /* where it goes, once its topic is known */
    _Alignas(max_align_t) uint8_t data[]; /* headers array, then bytes */
} pending_msg_t;

struct prod_topic {
    prod_topic_t *next;
    char *name;
    /* under producer->lock */
    bool known;                /* partitions usable: kl_produce() appends directly */
    bool ready;                /* partitions known, waiting messages not moved yet */
    bool moving;               /* a thread is moving the waiting messages */
    int32_t partition_count;
    prod_partition_t **parts;
    pending_msg_t *pend_head, *pend_tail;
    int32_t sticky;            /* keyless messages' partition ... */
    int64_t sticky_since_ms;   /* ... since then (wall clock) */
    kl_err_t md_err;           /* (io) last metadata error */
    bool warned;               /* (io) missing topic logged */
};

struct prod_request {
    prod_request_t *next, *prev; /* (io) the producer's in-flight list */
    kl_producer_t *producer;
    kl_client_broker_t *broker;
    int64_t sent_us; /* for the latency statistics */
    int16_t version;
    int nslots;
    prod_batch_t *slots[]; /* NULL once a batch expired in flight */
};

typedef struct prod_settings {
    int16_t acks;
    int64_t linger_ms;
    size_t batch_size;
    int32_t batch_count;
    size_t max_messages;   /* 0: no limit */
    size_t max_bytes;
    size_t message_max_bytes;
    kl_codec_t codec;
    int codec_level;
    int64_t retries;
    kl_backoff_t backoff; /* retry.backoff.ms, retry.backoff.max.ms */
    int64_t delivery_timeout_ms; /* 0: none */
    int64_t request_timeout_ms;
    int partitioner;
    int64_t sticky_ms;
    int max_in_flight; /* per connection, and so per partition too */
    bool idempotent;
    bool gapless;
    int64_t stats_interval_ms; /* 0: no periodic statistics */
} prod_settings_t;

/* Idempotence on the I/O thread: the producer id and epoch, and the
 * epoch bump (KIP-360) that resets every partition's sequence. */
typedef enum { IDEM_OFF, IDEM_WANT_PID, IDEM_REQUESTING, IDEM_ASSIGNED, IDEM_FATAL } idem_state_t;
typedef struct prod_idem {
    idem_state_t state;
    int64_t producer_id;
    int16_t epoch;
    bool bump_wanted;               /* reset sequences once nothing is in flight */
    bool fresh_id;                  /* the bump was refused: ask for a new id */
    const char *bump_reason;        /* static, for the log */
    int attempts;                   /* InitProducerId failures in a row */
    int16_t version;                /* of the InitProducerId request out */
    kl_timer_t timer;               /* the next InitProducerId attempt */
    kl_client_broker_t *last_ready; /* a broker that finished its handshake */
} prod_idem_t;

/* Transactions. The application's calls (txn.c) move `state` and hand
 * the I/O thread one operation at a time (`op`); the I/O thread
 * (txn_io.c) runs it and reports the outcome (op_done ...). A call that
 * times out leaves its operation running: calling again waits for it.
 *   UNINIT -init-> READY -begin-> IN_TXN -commit-> COMMITTING -> READY
 *   IN_TXN | COMMITTING | ABORTABLE -abort-> ABORTING -> READY
 *   IN_TXN | COMMITTING -(a message or request failed)-> ABORTABLE
 * A fatal error (producer->fatal) ends it all. */
typedef enum { TXN_UNINIT, TXN_READY, TXN_IN_TXN, TXN_COMMITTING, TXN_ABORTING, TXN_ABORTABLE } txn_state_t;
typedef enum { TXN_OP_NONE, TXN_OP_INIT, TXN_OP_OFFSETS, TXN_OP_COMMIT, TXN_OP_ABORT } txn_op_t;
typedef struct prod_txn {
    char *id; /* transactional.id; NULL: not transactional */
    int32_t timeout_ms;
    atomic_bool produce_open; /* kl_produce() may append: state IN_TXN */
    /* under dr_lock */
    txn_state_t state;
    kl_err_t abort_err; /* why the transaction must abort (ABORTABLE) */
    char abort_reason[256];
    txn_op_t op; /* handed to the I/O thread, until the application saw it end */
    bool op_done;
    kl_err_t op_err;
    kl_error_class_t op_class;
    char op_reason[256];
    kl_topic_partition_list_t *offsets;   /* the OFFSETS operation's input */
    kl_consumer_group_metadata_t *group;  /* (owned; the I/O thread reads them) */
    /* (io) */
    txn_op_t io_op; /* the operation running, TXN_OP_NONE when it ended */
    int stage;      /* its step */
    bool has_data;  /* partitions or offsets were added: EndTxn is due */
    bool epoch_lost; /* the epoch was bumped without us (the coordinator's
                      * abort on timeout): the abort skips EndTxn and claims
                      * the new epoch with InitProducerId (KIP-360, KIP-588) */
    bool req_out;   /* a request to a coordinator is out (one at a time) */
    int16_t version;    /* of the request out */
    int failures;       /* in a row, for the back-off */
    kl_timer_t timer;   /* the next attempt */
    kl_coord_t coord;       /* the transaction coordinator (set up at the first step) */
    kl_coord_t group_coord; /* the offsets' group coordinator (set up for their group) */
} prod_txn_t;

/* Counters for kl_producer_stats() (io, except where noted). */
#define PROD_LATENCY_SAMPLES 1024
typedef struct prod_broker_stats {
    int32_t node_id;
    int64_t requests, inflight, errors, retries;
} prod_broker_stats_t;
typedef struct prod_stats {
    pthread_mutex_t lock; /* the application reads while the I/O thread writes */
    int64_t batches, batch_messages, batch_bytes, retries, errors;
    int64_t latency_sum_us, latency_count;
    int32_t latency_us[PROD_LATENCY_SAMPLES]; /* a ring of the last requests' latencies */
    prod_broker_stats_t *brokers;
    size_t nbrokers, capbrokers;
    int idem_state; /* copies of prod_idem_t's, for the application's thread */
    int64_t producer_id;
    int16_t epoch;
} prod_stats_t;

/* Buffers of batches whose reports were served, for the next batches: a
 * fresh megabyte costs a page fault per 4 kB as it fills. */
#define PROD_SPARE_BUFFERS 2
typedef struct prod_spares {
    pthread_mutex_t lock;
    int count;
    uint8_t *data[PROD_SPARE_BUFFERS];
    size_t cap[PROD_SPARE_BUFFERS];
} prod_spares_t;

struct kl_producer {
    kl_client_t *client;
    kl_log_t *log;
    prod_settings_t s;
    kl_delivery_cb *dr_cb;
    kl_partitioner_cb *partitioner_cb;
    kl_stats_cb *stats_cb;
    void *opaque;

    pthread_mutex_t lock;
    prod_topic_t *topics;
    uint64_t rand_state; /* the partitioner's, under lock */

    atomic_size_t msg_count; /* accepted, report not yet served */
    atomic_size_t msg_bytes;
    atomic_uint_fast64_t failed;
    atomic_bool wake_posted;
    atomic_int flushing;
    atomic_bool closing;
    atomic_int fatal;        /* the kl_err_t that made the producer unusable, or 0 */
    char fatal_reason[256];  /* written once, before fatal is set */
    int blocked;             /* kl_produce() calls waiting for room (dr_lock) */
    int64_t stats_next_ms;   /* the next periodic statistics (dr_lock) */

    prod_spares_t spares;

    pthread_mutex_t dr_lock;
    pthread_cond_t dr_cond;
    dr_node_t *dr_head, *dr_tail;
    bool dr_wake; /* poll should return (prod_wake_app()) */

    /* (io) */
    prod_topic_t **io_topics;
    size_t n_io_topics, cap_io_topics;
    prod_partition_t **io_parts;
    size_t n_io_parts, cap_io_parts;
    prod_request_t *requests;
    kl_timer_t drain_timer, expiry_timer;
    unsigned rr;
    uint64_t io_rand_state;     /* retry jitter */
    prod_batch_t **drain_slots; /* room for one drain pass's requests */
    size_t drain_slots_cap;
    bool in_drain, drain_again; /* (io) see prod_io_drain() */
    prod_idem_t idem;
    prod_txn_t txn;
    prod_stats_t stats;
};

/* producer.c */
void prod_dr_enqueue(kl_producer_t *p, dr_node_t *node);
/* Any thread: asks the I/O thread to look at the queues (one task at a
 * time, however often it is called). */
void prod_wake(kl_producer_t *p);
/* Any thread: makes a waiting kl_producer_poll() return to do work. */
void prod_wake_app(kl_producer_t *p);

/* accumulator.c */
kl_err_t prod_append(kl_producer_t *p, prod_partition_t *part, int64_t timestamp, const void *key, size_t key_len,
                     const void *value, size_t value_len, const kl_record_header_t *headers, size_t header_count,
                     void *opaque, size_t bytes, int64_t deadline_ms);
/* Closes (compresses) a batch detached from the open slot (the I/O
 * thread's job), without the partition's lock. */
void prod_batch_close(kl_producer_t *p, prod_batch_t *b);
/* Frees b, keeping its buffers as spares when p is given. */
void prod_batch_free(kl_producer_t *p, prod_batch_t *b);
void prod_spares_init(kl_producer_t *p);
void prod_spares_free(kl_producer_t *p);
prod_partition_t *prod_partition_new(prod_topic_t *t, int32_t id);
void prod_partition_free(prod_partition_t *part);
void prod_topics_free(kl_producer_t *p);

/* partitioner.c: with producer->lock held; partition_count > 0. A
 * partition, or -1 when the application's partitioner returned one the
 * topic does not have. now_ms: kl_wallclock_ms(), read by the caller. */
int32_t prod_partition_for(kl_producer_t *p, prod_topic_t *t, const void *key, size_t key_len, int64_t now_ms);
/* A pseudo-random number from *state (xorshift64*); each state belongs to
 * one lock or thread. */
uint32_t prod_random(uint64_t *state);

/* sender.c (io) */
void prod_io_drain(kl_producer_t *p);
void prod_io_broker_ready(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
void prod_io_broker_down(kl_client_t *client, kl_client_broker_t *broker, void *opaque);
/* Reports the batch's final error (any thread that owns the batch). */
void prod_batch_fail(kl_producer_t *p, prod_batch_t *b, kl_err_t err);
/* Starts t to fire at due (monotonic ms) unless it fires sooner already. */
void prod_io_arm(kl_producer_t *p, kl_timer_t *t, int64_t due);

/* idempotence.c (io) */
void prod_idem_init(kl_producer_t *p);
/* Whether part may send its head batch now; sequenced_only: only a batch
 * that already has a sequence (a retry) may go. */
bool prod_idem_may_send(kl_producer_t *p, prod_partition_t *part, bool *sequenced_only);
/* Stamps a batch about to be sent for the first time (or after a reset)
 * with the producer id, epoch and the partition's next sequence. */
void prod_idem_stamp(kl_producer_t *p, prod_batch_t *b);
/* The outcome of one attempt of a sequenced batch: rewrites err as the
 * sender must treat it (a duplicate is a success), sets *retry when the
 * batch must be retried whatever err says (an OUT_OF_ORDER_SEQUENCE_NUMBER
 * that is an earlier failure's echo), and asks for an epoch bump when a
 * sequence must be reset. */
kl_err_t prod_idem_result(kl_producer_t *p, prod_batch_t *b, kl_err_t err, bool *retry);
/* A sequenced batch failed for good (err): its partition's sequence must
 * be reset; with enable.gapless.guarantee the producer fails instead. */
void prod_idem_batch_failed(kl_producer_t *p, prod_batch_t *b, kl_err_t err);
/* Moves the producer id state on: asks for a producer id or an epoch bump
 * when it is time. */
void prod_idem_step(kl_producer_t *p);
void prod_idem_broker_ready(kl_producer_t *p, kl_client_broker_t *broker);
/* A producer id and epoch were granted (InitProducerId): after a bump,
 * every partition's numbering restarts. */
void prod_idem_set_id(kl_producer_t *p, int64_t producer_id, int16_t epoch);

/* txn.c */
/* transactional.id and transaction.timeout.ms; the transactional
 * producer's state. */
kl_err_t prod_txn_init(kl_producer_t *p, const kl_conf_t *conf);
void prod_txn_free(kl_producer_t *p);
/* (io) Ends the running operation: wakes the application's call waiting
 * for it, and moves the state (READY after init, commit or abort;
 * ABORTABLE after an abortable error). */
void prod_txn_finish(kl_producer_t *p, kl_err_t err, kl_error_class_t cls, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* (io, or any thread) The transaction cannot commit any more: why. Has no
 * effect outside IN_TXN and COMMITTING. */
void prod_txn_set_abortable(kl_producer_t *p, kl_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* (io) The epoch was refused without a fencing error (the coordinator
 * aborted the transaction on its timeout and bumped it): the transaction
 * must abort, and the abort claims the epoch (KIP-588). */
void prod_txn_epoch_lost(kl_producer_t *p, kl_err_t err, const char *what);

/* txn_io.c (io) */
void prod_txn_io_init(kl_producer_t *p);
/* Starts the operation the application handed over. */
void prod_txn_io_start(void *producer);
/* Moves the transaction on: coordinator lookup, AddPartitionsToTxn for
 * partitions with batches not in the transaction yet, the operation's
 * next request. Runs after every drain. */
void prod_txn_io_step(kl_producer_t *p);
/* Whether part's batches may be sent: in a transaction, only once the
 * partition is in it. */
bool prod_txn_may_send(kl_producer_t *p, prod_partition_t *part);
/* The common start of a coordinator's answer: clears req_out and decodes
 * frame into body (arrays in arena). Returns the transport or decoding
 * error, KL_ERR_DESTROY when the producer is closing (drop the answer). */
kl_err_t prod_txn_io_decode(kl_producer_t *p, int16_t api_key, kl_err_t err, const uint8_t *frame, size_t len,
                            kl_arena_t *arena, void *body);
/* The answer of a request to the transaction coordinator whose body has
 * scalars only and the error at *error_code (a field of body): decoded
 * into body; true on success, otherwise the error was handled (retried,
 * or the operation ended). */
bool prod_txn_io_answer(kl_producer_t *p, int16_t api_key, kl_err_t err, const uint8_t *frame, size_t len,
                        void *body, const int16_t *error_code, const char *what);
/* What to do with a coordinator's error err for `what`: retried (true),
 * or the operation ended fatal / abortable (false). group: err came from
 * the group coordinator. */
bool prod_txn_io_error(kl_producer_t *p, kl_err_t err, bool group, const char *what);
/* Sends body to broker (a coordinator) as api_key; cb gets the answer. */
void prod_txn_io_send(kl_producer_t *p, kl_client_broker_t *broker, int16_t api_key, int16_t max_version,
                      const void *body, kl_conn_response_cb *cb);
/* Errors that end the producer (fenced, not authorized, unsupported). */
bool prod_txn_fatal_code(kl_err_t err);

/* txn_coord.c (io) */
/* The transaction coordinator when it is ready; otherwise it is looked up
 * or connected to, and the step runs again when it is ready. */
kl_client_broker_t *prod_txn_io_coord(kl_producer_t *p);
/* The same for the group coordinator of the offsets (p->txn.group). */
kl_client_broker_t *prod_txn_io_group_coord(kl_producer_t *p);
/* A request to the transaction (group false) or group coordinator failed
 * with err, an error saying it moved or went away: look it up again. */
void prod_txn_io_coord_dead(kl_producer_t *p, bool group, kl_err_t err);
/* The client's broker events, handed on to the coordinator lookups. */
void prod_txn_io_broker_ready(kl_producer_t *p, kl_client_broker_t *broker);
void prod_txn_io_broker_down(kl_producer_t *p, kl_client_broker_t *broker);
/* At shutdown: stops the transaction's timer and lookups. */
void prod_txn_io_shutdown(kl_producer_t *p);
/* Retries the operation's step after the back-off. */
void prod_txn_io_retry(kl_producer_t *p);

/* txn_offsets.c (io): the OFFSETS operation's steps. */
void prod_txn_io_offsets(kl_producer_t *p);

/* purge.c */
/* Makes the producer unusable: kl_produce() returns KL_ERR_FATAL and every
 * queued message fails with it (any thread; the first reason wins). */
void prod_fatal(kl_producer_t *p, kl_err_t err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* (io) Fails the queued (not sent) batches and waiting messages with err,
 * and, with inflight, the batches in flight too. */
void prod_io_purge(kl_producer_t *p, bool queued, bool inflight, kl_err_t err);

/* stats.c */
int64_t prod_clock_us(void);
void prod_stats_init(kl_producer_t *p);
void prod_stats_free(kl_producer_t *p);
/* (io) A request to broker went out with n batches / came back. */
void prod_stats_sent(kl_producer_t *p, kl_client_broker_t *broker, int nbatches);
void prod_stats_done(kl_producer_t *p, kl_client_broker_t *broker, int64_t latency_us, int errors, int retries);
void prod_stats_batch(kl_producer_t *p, const prod_batch_t *b);
/* (io) The idempotence state changed. */
void prod_stats_idem(kl_producer_t *p);
/* From kl_producer_poll(): runs the statistics callback when it is due. */
void prod_stats_poll(kl_producer_t *p);

/* topics.c (io): metadata, waiting messages, expiry, shutdown */
void prod_io_register_topic(kl_producer_t *p, prod_topic_t *t);
void prod_io_metadata(kl_client_t *client, void *opaque);
void prod_io_expire(kl_producer_t *p);
void prod_io_arm_expiry(kl_producer_t *p);
void prod_io_shutdown(void *arg);
/* Any thread: moves the messages waiting for t's metadata into batches. */
void prod_move_pending(kl_producer_t *p, prod_topic_t *t);
/* Takes the queued batches of part due by now (all with INT64_MAX; all
 * but those being closed with PROD_TAKE_SETTLED), and the in-flight ones
 * (all with INT64_MAX), linked through next; fails a list of them. */
#define PROD_TAKE_SETTLED (INT64_MAX - 1)
prod_batch_t *prod_take_queued(prod_partition_t *part, int64_t now, int64_t *next);
prod_batch_t *prod_take_in_flight(kl_producer_t *p, int64_t now, int64_t *next);
pending_msg_t *prod_take_pending(kl_producer_t *p, prod_topic_t *t, int64_t now, int64_t *next);
void prod_fail_batches(kl_producer_t *p, prod_batch_t *b, kl_err_t err);
void prod_fail_pending(kl_producer_t *p, pending_msg_t *m, kl_err_t err);

/* report.c: fills a report for message i of batch b / a pending one. */
void prod_message_from_batch(kl_message_t *m, const prod_batch_t *b, int32_t i);
void prod_message_from_pending(kl_message_t *m, const pending_msg_t *pm);

#endif
