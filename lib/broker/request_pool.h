/* queued.max.request.bytes: a bound on the bytes of requests being read
 * or waiting to be served, over all connections (Kafka's memory pool for
 * requests). A connection charges the pool for its input buffer and, once
 * a frame's size is known, for the whole frame; a new charge is taken only
 * while the pool is below the bound (one frame may overshoot it, as in
 * Kafka), otherwise the connection stops reading and tries again shortly.
 * The charge is given back as buffers are emptied and freed. A client that
 * starts a frame and does not finish it within
 * socket.request.read.timeout.ms is closed (conn_limits.c), so a stalled
 * frame cannot hold the pool. */
#ifndef KL_BROKER_REQUEST_POOL_H
#define KL_BROKER_REQUEST_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct broker_conn broker_conn_t;

/* How long a connection refused by the pool waits before trying again. */
#define REQUEST_POOL_RETRY_MS 50

/* Charges conn for target bytes of input (it holds its input: the network
 * thread, or the broker loop while the input is lent). Growing the charge
 * is refused (false, nothing changes) while the pool is at its bound and
 * may_refuse; shrinking always succeeds. */
bool request_pool_charge(broker_conn_t *conn, size_t target, bool may_refuse);
/* What conn's input holds right now: its buffer's capacity. */
void request_pool_settle(broker_conn_t *conn);
/* The bytes charged over all connections. */
size_t request_pool_used(const broker_conn_t *conn);
/* Whether the pool is at or past its bound (buffers kept for reuse are
 * then freed instead). */
bool request_pool_full(const broker_conn_t *conn);

#endif
