/* SCRAM client (see scram.h): RFC 5802's messages and proofs on OpenSSL,
 * and the key derivation and message helpers the server side
 * (scram_server.c) shares. The password is used as given (no SASLprep),
 * as Kafka's Java client does for its ASCII credentials. */
#include "config.h"

#include "net/scram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kl_scram_hash_of(const char *name)
{
    return !strcmp(name, "SCRAM-SHA-256") ? KL_SCRAM_SHA256 : !strcmp(name, "SCRAM-SHA-512") ? KL_SCRAM_SHA512 : -1;
}

const char *kl_scram_mechanism(kl_scram_hash_t hash)
{
    return hash == KL_SCRAM_SHA256 ? "SCRAM-SHA-256" : hash == KL_SCRAM_SHA512 ? "SCRAM-SHA-512" : "SCRAM-SHA-1";
}

#ifdef WITH_SSL

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "net/scram_internal.h"

/* Kafka refuses fewer than 4096 iterations; an absurd count from a rogue
 * server must not stall the I/O thread for minutes. */
#define MAX_MD EVP_MAX_MD_SIZE

struct kl_scram {
    const EVP_MD *md;
    size_t md_len;
    char *password;
    char *client_first; /* "n,," + client-first-bare */
    char *client_final;
    unsigned char server_signature[MAX_MD];
};

char *scram_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* RFC 5802 saslname: ',' and '=' escaped. */
static char *escape_user(const char *user)
{
    char *out = malloc(strlen(user) * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = user; *p; p++) {
        if (*p == ',' || *p == '=') {
            memcpy(o, *p == ',' ? "=2C" : "=3D", 3);
            o += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

char *scram_base64(const unsigned char *in, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

int scram_unbase64(const char *in, size_t len, unsigned char *out)
{
    if (len % 4 != 0)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    for (size_t i = len; i > 0 && in[i - 1] == '='; i--)
        n--;
    return n;
}

kl_scram_t *kl_scram_new(kl_scram_hash_t hash, const char *user, const char *password, const char *nonce)
{
    kl_scram_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->md = scram_md(hash);
    s->md_len = (size_t)EVP_MD_get_size(s->md);
    char *random_nonce = NULL;
    if (!nonce) {
        unsigned char raw[24];
        if (RAND_bytes(raw, sizeof raw) == 1)
            random_nonce = scram_base64(raw, sizeof raw);
        nonce = random_nonce;
    }
    char *name = escape_user(user);
    s->password = scram_dup(password);
    size_t n = (name ? strlen(name) : 0) + (nonce ? strlen(nonce) : 0) + 16;
    s->client_first = malloc(n);
    if (!name || !nonce || !s->password || !s->client_first) {
        free(name);
        free(random_nonce);
        kl_scram_free(s);
        return NULL;
    }
    snprintf(s->client_first, n, "n,,n=%s,r=%s", name, nonce);
    free(name);
    free(random_nonce);
    return s;
}

void kl_scram_free(kl_scram_t *s)
{
    if (!s)
        return;
    if (s->password)
        OPENSSL_cleanse(s->password, strlen(s->password));
    free(s->password);
    free(s->client_first);
    free(s->client_final);
    free(s);
}

const char *kl_scram_client_first(kl_scram_t *s) { return s->client_first; }

const char *scram_attr(const char *msg, size_t len, char a, size_t *vlen)
{
    const char *p = msg, *end = msg + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (stop - p >= 2 && p[0] == a && p[1] == '=') {
            *vlen = (size_t)(stop - p - 2);
            return p + 2;
        }
        p = stop + 1;
    }
    return NULL;
}

const EVP_MD *scram_md(kl_scram_hash_t hash)
{
    return hash == KL_SCRAM_SHA1 ? EVP_sha1() : hash == KL_SCRAM_SHA256 ? EVP_sha256() : EVP_sha512();
}

bool scram_hmac(const EVP_MD *md, const unsigned char *key, size_t klen, const void *data, size_t dlen,
                unsigned char *out)
{
    unsigned int n = 0;
    return HMAC(md, key, (int)klen, data, dlen, out, &n) != NULL;
}

bool scram_keys(const EVP_MD *md, const unsigned char *salted, unsigned char *client_key, unsigned char *stored_key,
                unsigned char *server_key)
{
    size_t len = (size_t)EVP_MD_get_size(md);
    unsigned int n = 0;
    return scram_hmac(md, salted, len, "Client Key", 10, client_key) &&
           EVP_Digest(client_key, len, stored_key, &n, md, NULL) == 1 &&
           scram_hmac(md, salted, len, "Server Key", 10, server_key);
}

bool kl_scram_salted_password(kl_scram_hash_t hash, const char *password, const unsigned char *salt, size_t salt_len,
                              int iterations, unsigned char *out, size_t *out_len)
{
    const EVP_MD *md = scram_md(hash);
    *out_len = (size_t)EVP_MD_get_size(md);
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, iterations, md, (int)*out_len,
                             out) == 1;
}

bool kl_scram_random_salt(unsigned char *salt, size_t len) { return RAND_bytes(salt, (int)len) == 1; }

bool kl_scram_credential_from_salted(kl_scram_credential_t *cred, kl_scram_hash_t hash, int iterations,
                                     const unsigned char *salt, size_t salt_len, const unsigned char *salted,
                                     size_t salted_len)
{
    const EVP_MD *md = scram_md(hash);
    unsigned char client_key[MAX_MD];
    size_t md_len = (size_t)EVP_MD_get_size(md);
    if (salted_len != md_len || salt_len == 0 || salt_len > sizeof cred->salt || iterations < KL_SCRAM_MIN_ITERATIONS ||
        iterations > KL_SCRAM_MAX_ITERATIONS)
        return false;
    *cred = (kl_scram_credential_t){.hash = hash, .iterations = iterations, .salt_len = salt_len, .key_len = md_len};
    memcpy(cred->salt, salt, salt_len);
    bool ok = scram_keys(md, salted, client_key, cred->stored_key, cred->server_key);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return ok;
}

bool kl_scram_credential_new(kl_scram_credential_t *cred, kl_scram_hash_t hash, const char *password,
                             int iterations)
{
    unsigned char salt[32], salted[MAX_MD];
    size_t salted_len = 0;
    bool ok = kl_scram_random_salt(salt, sizeof salt) &&
              kl_scram_salted_password(hash, password, salt, sizeof salt, iterations, salted, &salted_len) &&
              kl_scram_credential_from_salted(cred, hash, iterations, salt, sizeof salt, salted, salted_len);
    OPENSSL_cleanse(salted, sizeof salted);
    return ok;
}

bool kl_scram_credential_check(const kl_scram_credential_t *cred, const char *password)
{
    unsigned char salted[MAX_MD], client_key[MAX_MD], stored_key[MAX_MD], server_key[MAX_MD];
    size_t salted_len = 0;
    const EVP_MD *md = scram_md(cred->hash);
    bool ok = kl_scram_salted_password(cred->hash, password, cred->salt, cred->salt_len, cred->iterations, salted,
                                       &salted_len) &&
              scram_keys(md, salted, client_key, stored_key, server_key) &&
              CRYPTO_memcmp(stored_key, cred->stored_key, cred->key_len) == 0;
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return ok;
}

static bool fail(char *why, size_t why_size, const char *text)
{
    snprintf(why, why_size, "%s", text);
    return false;
}

/* From server-first's salt and iterations to the client proof and the
 * signature we expect from the server. */
static bool compute_proof(kl_scram_t *s, const unsigned char *salt, int salt_len, long iterations,
                          const char *auth_message, unsigned char *proof)
{
    unsigned char salted[MAX_MD], client_key[MAX_MD], stored_key[MAX_MD], signature[MAX_MD], server_key[MAX_MD];
    bool ok = PKCS5_PBKDF2_HMAC(s->password, (int)strlen(s->password), salt, salt_len, (int)iterations, s->md,
                                (int)s->md_len, salted) == 1 &&
              scram_keys(s->md, salted, client_key, stored_key, server_key) &&
              scram_hmac(s->md, stored_key, s->md_len, auth_message, strlen(auth_message), signature) &&
              scram_hmac(s->md, server_key, s->md_len, auth_message, strlen(auth_message), s->server_signature);
    for (size_t i = 0; i < s->md_len; i++)
        proof[i] = client_key[i] ^ signature[i];
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return ok;
}

const char *kl_scram_client_final(kl_scram_t *s, const char *server_first, size_t len, char *why,
                                  size_t why_size)
{
    size_t rlen = 0, slen = 0, ilen = 0, mlen = 0;
    const char *r = scram_attr(server_first, len, 'r', &rlen), *salt64 = scram_attr(server_first, len, 's', &slen);
    const char *iter = scram_attr(server_first, len, 'i', &ilen);
    const char *ours = strstr(s->client_first, ",r=") + 3;
    if (scram_attr(server_first, len, 'm', &mlen))
        return fail(why, why_size, "the server asks for a SCRAM extension we do not know"), NULL;
    if (!r || !salt64 || !iter)
        return fail(why, why_size, "server-first-message lacks the nonce, salt or iteration count"), NULL;
    if (rlen <= strlen(ours) || strncmp(r, ours, strlen(ours)) != 0)
        return fail(why, why_size, "the server's nonce does not extend ours"), NULL;
    char ibuf[16];
    snprintf(ibuf, sizeof ibuf, "%.*s", (int)(ilen < 15 ? ilen : 15), iter);
    char *end;
    long iterations = strtol(ibuf, &end, 10);
    if (ilen == 0 || ilen > 15 || *end || iterations < KL_SCRAM_MIN_ITERATIONS ||
        iterations > KL_SCRAM_MAX_ITERATIONS)
        return fail(why, why_size, "the server's iteration count is out of range (4096-1000000)"), NULL;
    unsigned char *salt = malloc(slen + 1);
    int salt_len = salt ? scram_unbase64(salt64, slen, salt) : -1;
    /* client-final-message-without-proof: "c=" base64("n,,") "biws" */
    size_t wlen = rlen + 16, alen = strlen(s->client_first) + len + wlen + 4;
    char *without_proof = malloc(wlen), *auth_message = malloc(alen);
    unsigned char proof[MAX_MD];
    char *proof64 = NULL;
    if (salt_len > 0 && without_proof && auth_message) {
        snprintf(without_proof, wlen, "c=biws,r=%.*s", (int)rlen, r);
        snprintf(auth_message, alen, "%s,%.*s,%s", s->client_first + 3, (int)len, server_first, without_proof);
        if (compute_proof(s, salt, salt_len, iterations, auth_message, proof))
            proof64 = scram_base64(proof, s->md_len);
    }
    free(s->client_final);
    s->client_final = NULL;
    if (proof64) {
        size_t n = strlen(without_proof) + strlen(proof64) + 4;
        s->client_final = malloc(n);
        if (s->client_final)
            snprintf(s->client_final, n, "%s,p=%s", without_proof, proof64);
    }
    if (!s->client_final)
        fail(why, why_size, salt_len <= 0 ? "the server's salt is not base64" : "out of memory");
    free(proof64);
    free(salt);
    free(without_proof);
    free(auth_message);
    return s->client_final;
}

bool kl_scram_server_final(kl_scram_t *s, const char *server_final, size_t len, char *why, size_t why_size)
{
    size_t vlen = 0;
    const char *e = scram_attr(server_final, len, 'e', &vlen);
    if (e) {
        snprintf(why, why_size, "the server refused: %.*s", (int)(vlen < 200 ? vlen : 200), e);
        return false;
    }
    const char *v = scram_attr(server_final, len, 'v', &vlen);
    unsigned char sig[MAX_MD * 2];
    if (!v || vlen > sizeof sig || scram_unbase64(v, vlen, sig) != (int)s->md_len ||
        CRYPTO_memcmp(sig, s->server_signature, s->md_len) != 0)
        return fail(why, why_size, "the server's signature is wrong: it does not know the password");
    return true;
}

bool kl_scram_credential_format(const kl_scram_credential_t *cred, char *buf, size_t size)
{
    char *salt = scram_base64(cred->salt, cred->salt_len), *stored = scram_base64(cred->stored_key, cred->key_len);
    char *server = scram_base64(cred->server_key, cred->key_len);
    int n = salt && stored && server ? snprintf(buf, size, "%s %d %s %s %s", kl_scram_mechanism(cred->hash),
                                                cred->iterations, salt, stored, server)
                                     : -1;
    free(salt);
    free(stored);
    free(server);
    return n > 0 && (size_t)n < size;
}

/* The next space-separated word of *p, base64-decoded into out (room for
 * room bytes); its size, or -1. */
static int next_base64(const char **p, unsigned char *out, size_t room)
{
    while (**p == ' ')
        (*p)++;
    size_t len = strcspn(*p, " \n");
    unsigned char tmp[128];
    int n = len > 0 && len <= 4 * (sizeof tmp / 3) ? scram_unbase64(*p, len, tmp) : -1;
    *p += len;
    if (n < 0 || (size_t)n > room)
        return -1;
    memcpy(out, tmp, (size_t)n);
    return n;
}

bool kl_scram_credential_parse(kl_scram_credential_t *cred, const char *text)
{
    char mech[32];
    int iterations, used = 0;
    if (sscanf(text, "%31s %d%n", mech, &iterations, &used) != 2 || kl_scram_hash_of(mech) < 0)
        return false;
    kl_scram_hash_t hash = (kl_scram_hash_t)kl_scram_hash_of(mech);
    size_t md_len = (size_t)EVP_MD_get_size(scram_md(hash));
    *cred = (kl_scram_credential_t){.hash = hash, .iterations = iterations, .key_len = md_len};
    const char *p = text + used;
    int salt = next_base64(&p, cred->salt, sizeof cred->salt);
    int stored = next_base64(&p, cred->stored_key, sizeof cred->stored_key);
    int server = next_base64(&p, cred->server_key, sizeof cred->server_key);
    cred->salt_len = salt > 0 ? (size_t)salt : 0;
    return salt > 0 && stored == (int)md_len && server == (int)md_len && iterations >= KL_SCRAM_MIN_ITERATIONS &&
           iterations <= KL_SCRAM_MAX_ITERATIONS && p[strspn(p, " \n")] == '\0';
}

#else /* !WITH_SSL */

kl_scram_t *kl_scram_new(kl_scram_hash_t hash, const char *user, const char *password, const char *nonce)
{
    (void)hash, (void)user, (void)password, (void)nonce;
    return NULL;
}

void kl_scram_free(kl_scram_t *scram) { (void)scram; }
const char *kl_scram_client_first(kl_scram_t *scram) { return (void)scram, NULL; }

const char *kl_scram_client_final(kl_scram_t *scram, const char *server_first, size_t len, char *why,
                                  size_t why_size)
{
    (void)scram, (void)server_first, (void)len;
    snprintf(why, why_size, "SCRAM needs OpenSSL, not compiled in");
    return NULL;
}

bool kl_scram_server_final(kl_scram_t *scram, const char *server_final, size_t len, char *why, size_t why_size)
{
    (void)scram, (void)server_final, (void)len;
    snprintf(why, why_size, "SCRAM needs OpenSSL, not compiled in");
    return false;
}

bool kl_scram_salted_password(kl_scram_hash_t hash, const char *password, const unsigned char *salt, size_t salt_len,
                              int iterations, unsigned char *out, size_t *out_len)
{
    (void)hash, (void)password, (void)salt, (void)salt_len, (void)iterations, (void)out, (void)out_len;
    return false;
}

bool kl_scram_credential_from_salted(kl_scram_credential_t *cred, kl_scram_hash_t hash, int iterations,
                                     const unsigned char *salt, size_t salt_len, const unsigned char *salted,
                                     size_t salted_len)
{
    (void)cred, (void)hash, (void)iterations, (void)salt, (void)salt_len, (void)salted, (void)salted_len;
    return false;
}

bool kl_scram_random_salt(unsigned char *salt, size_t len)
{
    (void)salt, (void)len;
    return false;
}

bool kl_scram_credential_new(kl_scram_credential_t *cred, kl_scram_hash_t hash, const char *password,
                             int iterations)
{
    (void)cred, (void)hash, (void)password, (void)iterations;
    return false;
}

bool kl_scram_credential_check(const kl_scram_credential_t *cred, const char *password)
{
    (void)cred, (void)password;
    return false;
}

bool kl_scram_credential_format(const kl_scram_credential_t *cred, char *buf, size_t size)
{
    (void)cred, (void)buf, (void)size;
    return false;
}

bool kl_scram_credential_parse(kl_scram_credential_t *cred, const char *text)
{
    (void)cred, (void)text;
    return false;
}

#endif
