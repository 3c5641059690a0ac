/* queued.max.request.bytes (see request_pool.h). */
#include "broker/request_pool.h"

#include "broker/conn.h"

bool request_pool_full(const broker_conn_t *c)
{
    const kl_broker_t *b = c->broker;
    return b->queued_max_request_bytes > 0 &&
           atomic_load(&b->queued_request_bytes) >= (size_t)b->queued_max_request_bytes;
}

size_t request_pool_used(const broker_conn_t *c) { return atomic_load(&c->broker->queued_request_bytes); }

bool request_pool_charge(broker_conn_t *c, size_t target, bool may_refuse)
{
    kl_broker_t *b = c->broker;
    if (target > c->in_charged) {
        if (may_refuse && request_pool_full(c))
            return false;
        atomic_fetch_add(&b->queued_request_bytes, target - c->in_charged);
    } else {
        atomic_fetch_sub(&b->queued_request_bytes, c->in_charged - target);
    }
    c->in_charged = target;
    return true;
}

void request_pool_settle(broker_conn_t *c)
{
    request_pool_charge(c, c->in.cap, false);
}
