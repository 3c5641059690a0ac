/* What scram.c shares with scram_server.c: the hash, RFC 5802's key
 * derivation, and the message helpers (attributes, base64). OpenSSL
 * builds only. */
#ifndef KL_NET_SCRAM_INTERNAL_H
#define KL_NET_SCRAM_INTERNAL_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/scram.h"

const EVP_MD *scram_md(kl_scram_hash_t hash);
bool scram_hmac(const EVP_MD *md, const unsigned char *key, size_t klen, const void *data, size_t dlen,
                unsigned char *out);
/* ClientKey, StoredKey and ServerKey from SaltedPassword. */
bool scram_keys(const EVP_MD *md, const unsigned char *salted, unsigned char *client_key, unsigned char *stored_key,
                unsigned char *server_key);
/* The value of attribute a ("a=value") among the comma-separated ones of
 * msg, as a pointer and length; NULL when absent. */
const char *scram_attr(const char *msg, size_t len, char a, size_t *vlen);
/* malloc'd base64 of in. */
char *scram_base64(const unsigned char *in, size_t len);
/* Decodes in (len bytes) into out (room for len * 3 / 4); -1 when not
 * base64. */
int scram_unbase64(const char *in, size_t len, unsigned char *out);
char *scram_dup(const char *s);

#endif
