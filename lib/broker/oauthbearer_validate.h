/* The broker's side of SASL/OAUTHBEARER (RFC 7628, KIP-255) with Kafka's
 * unsecured validator (OAuthBearerUnsecuredValidatorCallbackHandler): the
 * client's message "n,[a=authzid],\1auth=Bearer <token>\1[k=v\1]*\1"
 * whose token is an unsecured JWT (alg "none", no signature); its
 * principal claim (sub unless configured) must be a non-empty string, exp
 * a number of seconds not yet passed, iat (when present) not in the
 * future and before exp (each give or take the allowed clock skew), and
 * its scope claim must hold every required scope. */
#ifndef KL_BROKER_OAUTHBEARER_VALIDATE_H
#define KL_BROKER_OAUTHBEARER_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/sasl_conf.h"

typedef struct oauth_result {
    bool malformed;     /* not an OAUTHBEARER client message at all */
    char status[160];   /* failed: Kafka's JSON error, {"status":"invalid_token"} */
    char why[240];      /* failed: for the log */
    char principal[256]; /* succeeded: the principal claim */
    int64_t expires_ms; /* succeeded: exp, wall clock milliseconds */
} oauth_result_t;

/* Validates the client's message msg (len bytes) at now_ms (wall clock)
 * with sc's validator options; true when accepted. */
bool oauthbearer_validate(const broker_sasl_conf_t *sc, const char *msg, size_t len, int64_t now_ms,
                          oauth_result_t *res);

#endif
