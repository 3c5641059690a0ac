/* The broker's housekeeping: the retention timer (kl_log_retain on every
 * partition each log.retention.check.interval.ms), the flush timer and the
 * flusher thread that fsyncs partition logs off the network thread when
 * kl_log_flush_due() says so (log.flush.interval.*, and every roll), and
 * the log cleaner: every log.cleaner.backoff.ms the cleaner timer installs
 * the cleans its threads prepared and hands the compacted logs that are
 * due to them. The timers run on the network loop, which owns the logs;
 * the worker threads only call what storage lets another thread call. */
#ifndef KL_BROKER_HOUSEKEEPING_H
#define KL_BROKER_HOUSEKEEPING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/loop.h"
#include "storage/log.h"

typedef struct kl_broker kl_broker_t;
typedef struct broker_topic broker_topic_t;

typedef void log_work_fn(kl_broker_t *broker, kl_log_t *log);

/* Worker threads and their queue of logs to look at: the flusher (one
 * thread, kl_log_flush) and the log cleaner (log.cleaner.threads,
 * kl_log_clean_prepare). */
typedef struct broker_log_worker {
    kl_broker_t *broker;
    log_work_fn *work;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* work queued, a log no longer busy, or stop */
    pthread_cond_t idle; /* busy changed */
    kl_log_t **queue;    /* each log at most once */
    size_t count, cap;
    kl_log_t **busy;     /* per thread: the log it works on, or NULL */
    _Atomic int64_t *busy_us; /* per thread: microseconds of work so far (any thread reads) */
    pthread_t *threads;
    size_t thread_count, started;
    bool stop, running;
} broker_log_worker_t;

typedef struct broker_housekeeping {
    broker_log_worker_t flusher;
    broker_log_worker_t cleaner;
    bool cleaner_enabled;      /* log.cleaner.enable */
    kl_timer_t retention_timer;
    kl_timer_t flush_timer;
    kl_timer_t cleaner_timer;
    int64_t retention_interval_ms; /* log.retention.check.interval.ms */
    int64_t flush_interval_ms;     /* the flush timer's period; INT64_MAX: off */
    int64_t cleaner_backoff_ms;    /* log.cleaner.backoff.ms */
    size_t cleaner_map_bytes;      /* log.cleaner.dedupe.buffer.size per thread */
} broker_housekeeping_t;

/* log_worker.c */
void log_worker_init(broker_log_worker_t *w, kl_broker_t *broker, log_work_fn *work, size_t threads);
/* Starts the threads: 0, or -1 (errno) when it cannot. */
int log_worker_start(broker_log_worker_t *w);
/* Stops and joins the threads; what is still queued is dropped. */
void log_worker_stop(broker_log_worker_t *w);
void log_worker_destroy(broker_log_worker_t *w);
/* Microseconds thread (< the threads started) spent working on logs so
 * far; any thread. */
int64_t log_worker_busy_us(const broker_log_worker_t *w, size_t thread);
/* Queues log for a look by a worker thread, unless already queued. */
void log_worker_request(broker_log_worker_t *w, kl_log_t *log);
/* Takes log out of the queue and waits for work on it in progress to
 * end, so the caller may close it. */
void log_worker_forget(broker_log_worker_t *w, kl_log_t *log);

/* housekeeping.c, on the loop thread (or before it runs / after it
 * stopped). */
void housekeeping_init(kl_broker_t *broker);
/* Starts the flusher and cleaner threads and arms the timers on
 * broker->loop. */
int housekeeping_start(kl_broker_t *broker);
/* Stops the worker threads (the loop and its timers are gone already). */
void housekeeping_stop(kl_broker_t *broker);
void housekeeping_destroy(kl_broker_t *broker);
/* After an append to a partition, before it is acknowledged: when
 * flush.messages (log.flush.interval.messages) unflushed messages are
 * reached, fsyncs here, as Kafka's append does, so with 1 every
 * acknowledged message is on disk; any other due flush (flush.ms, a roll)
 * goes to the flusher thread, in the background. False when the fsync
 * failed: the partition is offline then. */
bool housekeeping_appended(kl_broker_t *broker, broker_topic_t *t, int32_t partition);
/* kl_log_flush(log), its time counted in the broker's flush histogram
 * (/metrics). Any thread. */
KL_WARN_UNUSED kl_err_t housekeeping_flush(kl_broker_t *broker, kl_log_t *log);
/* Re-reads the flush intervals of every topic (created, or configs
 * changed) and re-arms the flush timer accordingly. */
void housekeeping_reschedule(kl_broker_t *broker);
/* Before the logs of a topic are closed (deleted): none may be flushing
 * or cleaning. */
void housekeeping_forget_logs(kl_broker_t *broker, kl_log_t *const *logs, int32_t count);
/* One retention pass over every partition at now_ms (the timer's work). */
void housekeeping_retain(kl_broker_t *broker, int64_t now_ms);
/* One cleaner pass at now_ms (the cleaner timer's work): installs what
 * the cleaner threads prepared, and queues the compacted logs due a
 * clean. */
void housekeeping_clean(kl_broker_t *broker, int64_t now_ms);

#endif
