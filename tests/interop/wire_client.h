/* A minimal blocking Kafka-protocol client for interop tests: connect to a
 * loopback broker, send one request frame built by our codec, read back one
 * response frame. Tests use it to talk to peers (librdkafka's mock
 * cluster) with nothing of ours in between but the codec. */
#ifndef KL_TEST_WIRE_CLIENT_H
#define KL_TEST_WIRE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/header.h"

typedef struct wire_client {
    int fd;
    int32_t next_correlation_id;
} wire_client_t;

/* Connects to "host:port" (the first entry of a bootstrap list). Returns 0
 * or -1. */
int wire_connect(wire_client_t *c, const char *bootstrap);
/* The same from the local IPv4 address source (say 127.0.0.2). */
int wire_connect_from(wire_client_t *c, const char *bootstrap, const char *source);
void wire_close(wire_client_t *c);

/* Sends body as a request of api_key at version, waits (up to timeout_ms)
 * for the response and decodes it into resp (a struct of the API's response
 * schema) using arena. The raw frame is kept in *framep (caller frees) since
 * decoded strings point into it. Returns KL_ERR_NONE or the first error. */
kl_err_t wire_call(wire_client_t *c, int16_t api_key, int16_t version, const void *body,
                   kl_arena_t *arena, void *resp, uint8_t **framep, int timeout_ms);

/* Raw access for hand-made and malformed requests. wire_send_raw writes len
 * bytes as they are (0 or -1). wire_send_request encodes a request frame
 * without waiting for the answer and returns its correlation id (-1 on
 * error). wire_recv_frame reads one response frame's content (without the
 * size) into *framep (caller frees): 0, or -1 on timeout, error or EOF.
 * wire_wait_closed returns 0 once the peer has closed the connection
 * (any bytes it sends first are discarded), -1 on timeout. */
int wire_send_raw(wire_client_t *c, const void *data, size_t len, int timeout_ms);
int32_t wire_send_request(wire_client_t *c, int16_t api_key, int16_t version, const void *body, int timeout_ms);
int wire_recv_frame(wire_client_t *c, uint8_t **framep, size_t *lenp, int timeout_ms);
int wire_wait_closed(wire_client_t *c, int timeout_ms);

#endif
