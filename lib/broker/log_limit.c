/* Rate-limited broker log lines (see log_limit.h). */
#include "broker/log_limit.h"

#include <stdarg.h>
#include <stdio.h>

#include "broker/server.h"
#include "util/clock.h"

static void limit_init(broker_log_limit_t *l)
{
    pthread_mutex_init(&l->lock, NULL);
    l->window_start_ms = INT64_MIN / 2;
    l->printed = 0;
    l->suppressed = 0;
}

void broker_log_limits_init(broker_log_limits_t *limits)
{
    limit_init(&limits->accept);
    limit_init(&limits->refused);
    limit_init(&limits->bad_input);
    limit_init(&limits->storage);
    limit_init(&limits->memory);
}

void broker_log_limits_destroy(broker_log_limits_t *limits)
{
    pthread_mutex_destroy(&limits->accept.lock);
    pthread_mutex_destroy(&limits->refused.lock);
    pthread_mutex_destroy(&limits->bad_input.lock);
    pthread_mutex_destroy(&limits->storage.lock);
    pthread_mutex_destroy(&limits->memory.lock);
}

/* Whether the line may be printed now; *suppressed gets the lines held
 * back since the last one printed. */
static bool limit_take(broker_log_limit_t *l, uint64_t *suppressed)
{
    int64_t now = kl_clock_ms();
    pthread_mutex_lock(&l->lock);
    if (now - l->window_start_ms >= BROKER_LOG_LIMIT_WINDOW_MS) {
        l->window_start_ms = now;
        l->printed = 0;
    }
    bool print = l->printed < BROKER_LOG_LIMIT_BURST;
    if (print) {
        l->printed++;
        *suppressed = l->suppressed;
        l->suppressed = 0;
    } else {
        l->suppressed++;
    }
    pthread_mutex_unlock(&l->lock);
    return print;
}

void broker_log_limited(const kl_broker_t *b, broker_log_limit_t *limit, int level, const char *fmt, ...)
{
    if (b && level > b->log_level)
        return;
    uint64_t suppressed;
    if (!limit_take(limit, &suppressed))
        return;
    char line[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (suppressed)
        broker_log(b, level, "%s (%llu similar lines suppressed)", line, (unsigned long long)suppressed);
    else
        broker_log(b, level, "%s", line);
}
