/* Rate-limited broker log lines: a line that a client or a lasting
 * condition can repeat (an accept that fails at the descriptor limit, a
 * stream of malformed requests, an append refused for want of
 * descriptors) goes through a limiter of its own, which lets a few lines
 * through per window and counts the rest; the next line that gets through
 * says how many were suppressed. Any thread. */
#ifndef KL_BROKER_LOG_LIMIT_H
#define KL_BROKER_LOG_LIMIT_H

#include <pthread.h>
#include <stdint.h>

typedef struct kl_broker kl_broker_t;

/* Lines let through per window, and the window. */
#define BROKER_LOG_LIMIT_BURST 5
#define BROKER_LOG_LIMIT_WINDOW_MS 10000

typedef struct broker_log_limit {
    pthread_mutex_t lock;
    int64_t window_start_ms;
    unsigned printed;     /* lines let through in this window */
    uint64_t suppressed;  /* lines counted and not printed since the last one printed */
} broker_log_limit_t;

/* The limiters of one broker, one per kind of line. */
typedef struct broker_log_limits {
    broker_log_limit_t accept;    /* accept failures */
    broker_log_limit_t refused;   /* connections refused by a limit */
    broker_log_limit_t bad_input; /* malformed requests, bad frame sizes, partial frames */
    broker_log_limit_t storage;   /* appends refused for want of descriptors */
    broker_log_limit_t memory;    /* reading paused by queued.max.request.bytes */
} broker_log_limits_t;

void broker_log_limits_init(broker_log_limits_t *limits);
void broker_log_limits_destroy(broker_log_limits_t *limits);

/* broker_log() through limit: suppressed lines are counted, and the next
 * one printed ends with "(N similar lines suppressed)". */
void broker_log_limited(const kl_broker_t *broker, broker_log_limit_t *limit, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
