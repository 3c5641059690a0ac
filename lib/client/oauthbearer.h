/* SASL/OAUTHBEARER's client message (RFC 7628) carrying librdkafka's
 * default token: an unsecured JWT (alg "none", KIP-255) built from
 * sasl.oauthbearer.config ("principal=alice scope=a,b lifeSeconds=3600
 * extension_NAME=value"), for brokers using Kafka's unsecured validator,
 * as in development and tests. */
#ifndef KL_CLIENT_OAUTHBEARER_H
#define KL_CLIENT_OAUTHBEARER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Checks config; false with why filled (no principal, an unknown key, a bad
 * lifeSeconds). */
bool kl_oauthbearer_check_config(const char *config, char *why, size_t why_size);

/* The client-first message for config at now_ms (wall clock), malloc'd,
 * *lenp its length; NULL when out of memory or config is bad. */
char *kl_oauthbearer_client_first(const char *config, int64_t now_ms, size_t *lenp);

#endif
