/* The broker's log lines (server.h): the threshold from the environment,
 * and the sink, the application's log callback or standard error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "broker/server.h"
#include "util/conf.h"

static int log_threshold(void)
{
    const char *env = getenv("KAFKALITE_BROKER_LOG");
    return env && *env ? atoi(env) : BROKER_LOG_WARN;
}

void broker_log_init(kl_broker_t *b)
{
    b->log_level = log_threshold();
    const kl_conf_hooks_t *hooks = kl_conf_hooks_get(b->conf);
    b->log_cb = (kl_log_cb *)hooks->fn[KL_CONF_HOOK_LOG];
    b->log_opaque = hooks->opaque;
    pthread_mutex_init(&b->log_cb_lock, NULL);
}

void broker_log_free(kl_broker_t *b) { pthread_mutex_destroy(&b->log_cb_lock); }

void broker_log(const kl_broker_t *broker, int level, const char *fmt, ...)
{
    if (level > (broker ? broker->log_level : log_threshold()))
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!broker || !broker->log_cb) {
        fprintf(stderr, "kafkalite broker %d: %s\n", broker ? (int)broker->node_id : -1, line);
        return;
    }
    /* Logging does not change the broker: only the lock that keeps two
     * threads' calls of the callback apart is written. */
    pthread_mutex_t *lock = (pthread_mutex_t *)&broker->log_cb_lock;
    pthread_mutex_lock(lock);
    broker->log_cb(broker->log_opaque, level, "BROKER", line);
    pthread_mutex_unlock(lock);
}
