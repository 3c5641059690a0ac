/* The broker's housekeeping: the retention timer (kl_log_retain on every
 * partition each log.retention.check.interval.ms), the flush timer and the
 * flusher thread that fsyncs partition logs off the network thread when
 * kl_log_flush_due() says so (log.flush.interval.*, and every roll). The
 * timers run on the network loop, which owns the logs; the flusher only
 * calls the two functions storage/log.h lets another thread call. */
#ifndef KL_BROKER_HOUSEKEEPING_H
#define KL_BROKER_HOUSEKEEPING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/loop.h"
#include "storage/log.h"

typedef struct kl_broker kl_broker_t;

/* The flusher thread and its queue of logs to look at. */
typedef struct broker_flusher {
    kl_broker_t *broker;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* work queued, or stop */
    pthread_cond_t idle; /* busy changed */
    kl_log_t **queue;    /* each log at most once */
    size_t count, cap;
    kl_log_t *busy;      /* being flushed right now */
    bool stop, running;
    pthread_t thread;
} broker_flusher_t;

typedef struct broker_housekeeping {
    broker_flusher_t flusher;
    kl_timer_t retention_timer;
    kl_timer_t flush_timer;
    int64_t retention_interval_ms; /* log.retention.check.interval.ms */
    int64_t flush_interval_ms;     /* the flush timer's period; INT64_MAX: off */
} broker_housekeeping_t;

/* flusher.c */
void flusher_init(broker_flusher_t *f, kl_broker_t *broker);
/* Starts the thread: 0, or -1 (errno) when it cannot. */
int flusher_start(broker_flusher_t *f);
/* Stops and joins the thread; what is still queued is dropped (closing a
 * log flushes it anyway). */
void flusher_stop(broker_flusher_t *f);
void flusher_destroy(broker_flusher_t *f);
/* Queues log for a look by the flusher thread, unless already queued. */
void flusher_request(broker_flusher_t *f, kl_log_t *log);
/* Takes log out of the queue and waits for a flush of it in progress to
 * end, so the caller may close it. */
void flusher_forget(broker_flusher_t *f, kl_log_t *log);

/* housekeeping.c, on the loop thread (or before it runs / after it
 * stopped). */
void housekeeping_init(kl_broker_t *broker);
/* Starts the flusher thread and arms the timers on broker->loop. */
int housekeeping_start(kl_broker_t *broker);
/* Stops the flusher thread (the loop and its timers are gone already). */
void housekeeping_stop(kl_broker_t *broker);
void housekeeping_destroy(kl_broker_t *broker);
/* After an append to log: hands it to the flusher when a flush is due. */
void housekeeping_appended(kl_broker_t *broker, kl_log_t *log);
/* Re-reads the flush intervals of every topic (created, or configs
 * changed) and re-arms the flush timer accordingly. */
void housekeeping_reschedule(kl_broker_t *broker);
/* Before the logs of a topic are closed (deleted): none may be flushing. */
void housekeeping_forget_logs(kl_broker_t *broker, kl_log_t *const *logs, int32_t count);
/* One retention pass over every partition at now_ms (the timer's work). */
void housekeeping_retain(kl_broker_t *broker, int64_t now_ms);

#endif
