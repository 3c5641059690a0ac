/* Idle reaping and connection counts (see conn_limits.h). */
#include "broker/conn_limits.h"

#include <string.h>

#include "broker/conn.h"
#include "broker/server.h"
#include "util/clock.h"
#include "util/conf.h"

/* The sweep runs this many times per idle period, so a connection is
 * closed at most idle_ms * (1 + 1/SWEEPS) after its last activity. */
#define SWEEPS_PER_PERIOD 4
#define SWEEP_MIN_MS 10
#define SWEEP_MAX_MS 30000

static int64_t sweep_period(const broker_conn_limits_t *l)
{
    int64_t period = l->idle_ms >= 0 ? l->idle_ms / SWEEPS_PER_PERIOD : SWEEP_MAX_MS;
    if (l->read_timeout_ms > 0 && l->read_timeout_ms / SWEEPS_PER_PERIOD < period)
        period = l->read_timeout_ms / SWEEPS_PER_PERIOD;
    if (period < SWEEP_MIN_MS)
        period = SWEEP_MIN_MS;
    if (period > SWEEP_MAX_MS)
        period = SWEEP_MAX_MS;
    return period;
}

static void on_idle_sweep(kl_loop_t *loop, kl_timer_t *timer)
{
    kl_broker_t *b = timer->opaque;
    broker_conn_limits_t *l = &b->conn_limits;
    int64_t now = kl_clock_ms();
    broker_conn_t *next;
    for (broker_conn_t *c = b->conns; c; c = next) {
        next = c->next; /* conn_close() unlinks c */
        int64_t quiet_ms = now - conn_last_active(c);
        int64_t started = atomic_load_explicit(&c->frame_started_ms, memory_order_relaxed);
        if (l->read_timeout_ms > 0 && started && now - started >= l->read_timeout_ms) {
            broker_log_limited(b, &b->log_limits.bad_input, BROKER_LOG_WARN,
                               "%s: closing the connection: a request frame begun %lld ms ago is still "
                               "incomplete (socket.request.read.timeout.ms)",
                               c->peer, (long long)(now - started));
            l->partial_closed++;
            conn_close(c);
        } else if (l->idle_ms >= 0 && conn_is_idle(c) && quiet_ms >= l->idle_ms) {
            broker_log(b, BROKER_LOG_DEBUG, "%s: closing the connection: idle for %lld ms (connections.max.idle.ms)",
                       c->peer, (long long)quiet_ms);
            l->reaped++;
            conn_close(c);
        } else if (quiet_ms >= sweep_period(l)) {
            conn_trim(c);
        }
    }
    kl_timer_start(loop, timer, sweep_period(l));
}

void conn_limits_init(kl_broker_t *b)
{
    broker_conn_limits_t *l = &b->conn_limits;
    memset(l, 0, sizeof *l);
    l->idle_ms = kl_conf_get_int(b->conf, "connections.max.idle.ms");
    l->max = (int32_t)kl_conf_get_int(b->conf, "max.connections");
    l->max_per_ip = (int32_t)kl_conf_get_int(b->conf, "max.connections.per.ip");
    l->read_timeout_ms = kl_conf_get_int(b->conf, "socket.request.read.timeout.ms");
    kl_timer_init(&l->idle_timer, on_idle_sweep, b);
}

void conn_limits_start(kl_broker_t *b)
{
    broker_conn_limits_t *l = &b->conn_limits;
    if (l->idle_ms >= 0 || l->read_timeout_ms > 0)
        kl_timer_start(b->loop, &l->idle_timer, sweep_period(l));
}

void conn_limits_stop(kl_broker_t *b)
{
    if (kl_timer_active(&b->conn_limits.idle_timer))
        kl_timer_stop(b->loop, &b->conn_limits.idle_timer);
}

static size_t count_from(const kl_broker_t *b, const char *ip)
{
    size_t n = 0;
    for (const broker_conn_t *c = b->conns; c; c = c->next)
        n += strcmp(c->ip, ip) == 0;
    return n;
}

bool conn_limits_admit(kl_broker_t *b, const char *ip)
{
    broker_conn_limits_t *l = &b->conn_limits;
    const char *why = NULL;
    if (l->count >= (size_t)l->max)
        why = "max.connections";
    else if (l->max_per_ip < l->max && count_from(b, ip) >= (size_t)l->max_per_ip)
        why = "max.connections.per.ip";
    if (!why)
        return true;
    l->refused++;
    broker_log_limited(b, &b->log_limits.refused, BROKER_LOG_WARN,
                       "refusing a connection from %s: %s reached (%llu refused so far)", ip, why,
                       (unsigned long long)l->refused);
    return false;
}
