/* The broker's answers carry Kafka error codes only. */
#ifndef KL_BROKER_WIRE_ERROR_H
#define KL_BROKER_WIRE_ERROR_H

#include <stdint.h>

#include "kafkalite/error.h"

/* The one library-error -> Kafka-error mapping of the broker's answers:
 * a Kafka error code (NONE included) goes on the wire as it is; a library
 * error (kl_err_is_local(): out of memory, I/O, a damaged file) never
 * does, it becomes local_code, the Kafka error the request's context
 * gives it: KAFKA_STORAGE_ERROR reading or appending a partition's log,
 * UNKNOWN_SERVER_ERROR for a topic operation, NOT_COORDINATOR for the
 * group coordinator's own log. */
static inline int16_t broker_wire_error(kl_err_t err, int16_t local_code)
{
    return kl_err_is_local(err) ? local_code : (int16_t)err;
}

#endif
