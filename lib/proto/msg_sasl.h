/* SaslHandshake (key 17) and SaslAuthenticate (key 36): choosing a SASL
 * mechanism and carrying its tokens. C structs and schemas for the generic
 * codec (lib/proto/codec.h); the tables are in msg_sasl.c. */
#ifndef KL_PROTO_MSG_SASL_H
#define KL_PROTO_MSG_SASL_H

#include "proto/schema.h"
#include "proto/types.h"

typedef struct kl_sasl_handshake_request {
    kl_str_t mechanism;
} kl_sasl_handshake_request_t;

typedef struct kl_sasl_handshake_response {
    int16_t error_code;
    KL_ARRAY_OF(kl_str_t) mechanisms;
} kl_sasl_handshake_response_t;

extern const kl_schema_t kl_sasl_handshake_request_schema, kl_sasl_handshake_response_schema;

typedef struct kl_sasl_authenticate_request {
    kl_bytes_t auth_bytes;
} kl_sasl_authenticate_request_t;

typedef struct kl_sasl_authenticate_response {
    int16_t error_code;
    kl_str_t error_message; /* nullable */
    kl_bytes_t auth_bytes;
    int64_t session_lifetime_ms; /* v1+, default 0 */
} kl_sasl_authenticate_response_t;

extern const kl_schema_t kl_sasl_authenticate_request_schema,
    kl_sasl_authenticate_response_schema;

#endif
