/* The broker's SASL/GSSAPI (sasl_gssapi.c), hooked into sasl.c and the
 * listeners' setup. */
#ifndef KL_BROKER_SASL_GSSAPI_H
#define KL_BROKER_SASL_GSSAPI_H

#include "broker/conn.h"
#include "broker/dispatch.h"

/* When listener l's sasl.enabled.mechanisms has GSSAPI: reads its
 * principal and keytab (sasl.kerberos.*, or Kafka's Krb5LoginModule
 * sasl.jaas.config) and loads cyrus-sasl's server side (once: every
 * GSSAPI listener must name the same; errstr says what is wrong). */
kl_err_t broker_gssapi_setup(kl_broker_t *b, const broker_listener_t *l, char *errstr, size_t errstr_size);
void broker_gssapi_free(kl_broker_t *b);

/* One SaslAuthenticate token of c's GSSAPI exchange: 0 to answer *out
 * (*out_len bytes, in the request's arena), 1 when authenticated as user
 * (the principal's primary), -1 when refused (why says why). */
int broker_gssapi_step(broker_request_t *req, const void *token, size_t len, const void **out, size_t *out_len,
                       char *user, size_t user_size, char *why, size_t why_size);
void broker_gssapi_conn_free(broker_conn_t *c);

#endif
