/* SCRAM (RFC 5802; SHA-256 and SHA-512 as RFC 7677 and Kafka use them;
 * SHA-1 for RFC 5802's own test vector), on OpenSSL's PBKDF2 and HMAC,
 * for both ends: the messages a client writes and reads (kl_scram_*), the
 * credentials a server stores instead of passwords (kl_scram_credential_*)
 * and the server's side of the exchange (kl_scram_srv_*, in
 * scram_server.c), without channel binding. The transport (Kafka's
 * SaslAuthenticate) is the caller's. Built without OpenSSL, the
 * constructors fail. */
#ifndef KL_NET_SCRAM_H
#define KL_NET_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kl_scram kl_scram_t;

typedef enum { KL_SCRAM_SHA1, KL_SCRAM_SHA256, KL_SCRAM_SHA512 } kl_scram_hash_t;

/* Kafka refuses fewer than 4096 iterations; an absurd count must not
 * stall an I/O thread for minutes. */
#define KL_SCRAM_MIN_ITERATIONS 4096
#define KL_SCRAM_MAX_ITERATIONS 1000000

/* What a server keeps of a password (RFC 5802 section 3): the salt, the
 * iteration count, StoredKey and ServerKey. */
typedef struct kl_scram_credential {
    kl_scram_hash_t hash;
    int iterations;
    unsigned char salt[64];
    size_t salt_len;
    unsigned char stored_key[64], server_key[64];
    size_t key_len; /* the hash's size */
} kl_scram_credential_t;

/* SaltedPassword = Hi(password, salt, iterations) into out (room for 64
 * bytes), *out_len its size; false without OpenSSL. */
bool kl_scram_salted_password(kl_scram_hash_t hash, const char *password, const unsigned char *salt, size_t salt_len,
                              int iterations, unsigned char *out, size_t *out_len);
/* len random bytes into salt; false without OpenSSL. */
bool kl_scram_random_salt(unsigned char *salt, size_t len);
/* A credential from a salted password (as AlterUserScramCredentials
 * carries it); false when a size or the count is out of range. */
bool kl_scram_credential_from_salted(kl_scram_credential_t *cred, kl_scram_hash_t hash, int iterations,
                                     const unsigned char *salt, size_t salt_len, const unsigned char *salted,
                                     size_t salted_len);
/* A credential for password with a random 32-byte salt. */
bool kl_scram_credential_new(kl_scram_credential_t *cred, kl_scram_hash_t hash, const char *password,
                             int iterations);
/* Whether password is the one cred was made from (SASL/PLAIN checks
 * passwords against the stored SCRAM credentials). */
bool kl_scram_credential_check(const kl_scram_credential_t *cred, const char *password);

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

/* "SCRAM-SHA-256", "SCRAM-SHA-512" (Kafka's mechanism names); -1 when
 * name is neither. */
int kl_scram_hash_of(const char *name);
const char *kl_scram_mechanism(kl_scram_hash_t hash);
/* cred as one line of text, "SCRAM-SHA-256 iterations salt stored-key
 * server-key" (base64), for a credential store; false when it does not
 * fit. */
bool kl_scram_credential_format(const kl_scram_credential_t *cred, char *buf, size_t size);
/* Reads what kl_scram_credential_format() wrote; false when malformed. */
bool kl_scram_credential_parse(kl_scram_credential_t *cred, const char *text);

/* ---- the server side (scram_server.c) ---- */

typedef struct kl_scram_srv kl_scram_srv_t;

kl_scram_srv_t *kl_scram_srv_new(kl_scram_hash_t hash);
void kl_scram_srv_free(kl_scram_srv_t *server);
/* Reads client-first-message; the user it names (unescaped, owned by
 * server), or NULL with why filled (malformed, channel binding asked). */
const char *kl_scram_srv_user(kl_scram_srv_t *server, const char *client_first, size_t len, char *why,
                                 size_t why_size);
/* The user kl_scram_srv_user() read ("" before). */
const char *kl_scram_srv_user_name(const kl_scram_srv_t *server);
/* server-first-message for the user's credential (owned by server);
 * NULL when out of memory. */
const char *kl_scram_srv_first(kl_scram_srv_t *server, const kl_scram_credential_t *cred);
/* Checks client-final-message's proof: server-final-message (owned by
 * server) when the client knows the password, NULL with why filled when
 * not (or the nonce or channel binding is wrong). */
const char *kl_scram_srv_final(kl_scram_srv_t *server, const char *client_final, size_t len, char *why,
                                  size_t why_size);

#endif
