/* The client side of SCRAM (RFC 5802; SHA-256 and SHA-512 as RFC 7677 and
 * Kafka use them; SHA-1 for RFC 5802's own test vector), on OpenSSL's
 * PBKDF2 and HMAC: the three messages a client writes and reads, without
 * channel binding. The transport (Kafka's SaslAuthenticate) is the
 * caller's. Built without OpenSSL, kl_scram_new() returns NULL. */
#ifndef KL_NET_SCRAM_H
#define KL_NET_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kl_scram kl_scram_t;

typedef enum { KL_SCRAM_SHA1, KL_SCRAM_SHA256, KL_SCRAM_SHA512 } kl_scram_hash_t;

/* A new exchange for user and password; nonce NULL draws a random one
 * (tests pass the RFC's). NULL when out of memory or without OpenSSL. */
kl_scram_t *kl_scram_new(kl_scram_hash_t hash, const char *user, const char *password, const char *nonce);
void kl_scram_free(kl_scram_t *scram);

/* client-first-message ("n,,n=user,r=nonce"), owned by scram. */
const char *kl_scram_client_first(kl_scram_t *scram);
/* Reads server-first-message and returns client-final-message (owned by
 * scram), or NULL with why filled: the server's nonce does not extend
 * ours, a missing salt, too few iterations, ... */
const char *kl_scram_client_final(kl_scram_t *scram, const char *server_first, size_t len, char *why,
                                  size_t why_size);
/* Checks server-final-message: true when the server proved it knows the
 * password; false with why filled (a server error "e=..." or a bad
 * signature). */
bool kl_scram_server_final(kl_scram_t *scram, const char *server_final, size_t len, char *why, size_t why_size);

#endif
