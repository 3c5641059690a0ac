/* SaslHandshake (key 17, versions 0-1, never flexible) and SaslAuthenticate
 * (key 36, versions 0-2, flexible from v2) field tables. */
#include "proto/msg_sasl.h"

#define HQ kl_sasl_handshake_request_t
static const kl_field_t sasl_handshake_request_fields[] = {
    KL_F(HQ, mechanism, KL_FT_STRING, 0, KL_VMAX),
};
KL_SCHEMA(kl_sasl_handshake_request_schema, kl_sasl_handshake_request_t,
          sasl_handshake_request_fields);
#undef HQ

#define HS kl_sasl_handshake_response_t
static const kl_field_t sasl_handshake_response_fields[] = {
    KL_F(HS, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_A(HS, mechanisms, KL_FT_STRING, 0, KL_VMAX),
};
KL_SCHEMA(kl_sasl_handshake_response_schema, kl_sasl_handshake_response_t,
          sasl_handshake_response_fields);
#undef HS

#define AQ kl_sasl_authenticate_request_t
static const kl_field_t sasl_authenticate_request_fields[] = {
    KL_F(AQ, auth_bytes, KL_FT_BYTES, 0, KL_VMAX),
};
KL_SCHEMA(kl_sasl_authenticate_request_schema, kl_sasl_authenticate_request_t,
          sasl_authenticate_request_fields);
#undef AQ

#define AS kl_sasl_authenticate_response_t
static const kl_field_t sasl_authenticate_response_fields[] = {
    KL_F(AS, error_code, KL_FT_INT16, 0, KL_VMAX),
    KL_FN(AS, error_message, KL_FT_STRING, 0, KL_VMAX, 0),
    KL_F(AS, auth_bytes, KL_FT_BYTES, 0, KL_VMAX),
    KL_F(AS, session_lifetime_ms, KL_FT_INT64, 1, KL_VMAX),
};
KL_SCHEMA(kl_sasl_authenticate_response_schema, kl_sasl_authenticate_response_t,
          sasl_authenticate_response_fields);
#undef AS
