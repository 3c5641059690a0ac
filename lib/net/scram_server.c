/* The server side of SCRAM (see scram.h): reads client-first-message,
 * answers server-first-message from the user's stored credential, and
 * checks client-final-message's proof against StoredKey (RFC 5802 section
 * 3): ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage) must hash
 * to StoredKey. No channel binding ("n" or "y" GS2 headers only), as
 * Kafka. */
#include "config.h"

#include "net/scram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef WITH_SSL

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "net/scram_internal.h"

struct kl_scram_srv {
    kl_scram_hash_t hash;
    const EVP_MD *md;
    char *user;
    char *gs2_header;   /* "n,," or "n,a=authzid," */
    char *client_first_bare;
    char *nonce;        /* the client's and ours */
    char *server_first;
    char *server_final;
    kl_scram_credential_t cred;
};

kl_scram_srv_t *kl_scram_srv_new(kl_scram_hash_t hash)
{
    kl_scram_srv_t *s = calloc(1, sizeof *s);
    if (s) {
        s->hash = hash;
        s->md = scram_md(hash);
    }
    return s;
}

void kl_scram_srv_free(kl_scram_srv_t *s)
{
    if (!s)
        return;
    free(s->user);
    free(s->gs2_header);
    free(s->client_first_bare);
    free(s->nonce);
    free(s->server_first);
    free(s->server_final);
    OPENSSL_cleanse(&s->cred, sizeof s->cred);
    free(s);
}

static const char *fail(char *why, size_t why_size, const char *text)
{
    snprintf(why, why_size, "%s", text);
    return NULL;
}

/* RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; NULL when another
 * '=' escape appears. */
static char *unescape_user(const char *p, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '=') {
            *o++ = p[i];
        } else if (i + 2 < len && (!strncmp(p + i, "=2C", 3) || !strncmp(p + i, "=3D", 3))) {
            *o++ = p[i + 2] == 'C' ? ',' : '=';
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

const char *kl_scram_srv_user(kl_scram_srv_t *s, const char *msg, size_t len, char *why, size_t why_size)
{
    /* gs2-header: ("n" / "y") "," [ "a=" authzid ] "," */
    if (len < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',')
        return fail(why, why_size, "client-first-message: no GS2 header, or channel binding asked (unsupported)");
    const char *second = memchr(msg + 2, ',', len - 2);
    if (!second)
        return fail(why, why_size, "client-first-message: malformed GS2 header");
    size_t hlen = (size_t)(second - msg) + 1, blen = len - hlen;
    const char *bare = msg + hlen;
    size_t ulen = 0, rlen = 0;
    const char *user = blen > 2 && !strncmp(bare, "n=", 2) ? scram_attr(bare, blen, 'n', &ulen) : NULL;
    const char *nonce = scram_attr(bare, blen, 'r', &rlen);
    if (!user || ulen == 0 || !nonce || rlen == 0)
        return fail(why, why_size, "client-first-message: no user name or nonce");
    if (hlen > 3) { /* an authzid must name the user itself, as Kafka asks */
        size_t alen = hlen - 5;
        if (strncmp(msg + 2, "a=", 2) != 0 || alen != ulen || strncmp(msg + 4, user, ulen) != 0)
            return fail(why, why_size, "client-first-message: the authorization id differs from the user name");
    }
    free(s->user);
    s->user = unescape_user(user, ulen);
    s->gs2_header = strndup(msg, hlen);
    s->client_first_bare = strndup(bare, blen);
    unsigned char raw[24];
    char *ours = RAND_bytes(raw, sizeof raw) == 1 ? scram_base64(raw, sizeof raw) : NULL;
    size_t nlen = rlen + (ours ? strlen(ours) : 0) + 1;
    s->nonce = ours ? malloc(nlen) : NULL;
    if (s->nonce)
        snprintf(s->nonce, nlen, "%.*s%s", (int)rlen, nonce, ours);
    free(ours);
    if (!s->user || !s->gs2_header || !s->client_first_bare || !s->nonce)
        return fail(why, why_size, s->user ? "out of memory" : "client-first-message: bad user name escape");
    return s->user;
}

const char *kl_scram_srv_user_name(const kl_scram_srv_t *s) { return s->user ? s->user : ""; }

const char *kl_scram_srv_first(kl_scram_srv_t *s, const kl_scram_credential_t *cred)
{
    s->cred = *cred;
    char *salt = scram_base64(cred->salt, cred->salt_len);
    size_t n = strlen(s->nonce) + (salt ? strlen(salt) : 0) + 32;
    s->server_first = salt ? malloc(n) : NULL;
    if (s->server_first)
        snprintf(s->server_first, n, "r=%s,s=%s,i=%d", s->nonce, salt, cred->iterations);
    free(salt);
    return s->server_first;
}

const char *kl_scram_srv_final(kl_scram_srv_t *s, const char *msg, size_t len, char *why, size_t why_size)
{
    size_t clen = 0, rlen = 0, plen = 0;
    const char *c = scram_attr(msg, len, 'c', &clen), *r = scram_attr(msg, len, 'r', &rlen);
    const char *p = scram_attr(msg, len, 'p', &plen);
    if (!c || !r || !p || p < msg + 3 || p[-3] != ',')
        return fail(why, why_size, "client-final-message: no channel binding, nonce or proof");
    char *binding = scram_base64((const unsigned char *)s->gs2_header, strlen(s->gs2_header));
    bool binding_ok = binding && strlen(binding) == clen && !strncmp(binding, c, clen);
    free(binding);
    if (!binding_ok)
        return fail(why, why_size, "client-final-message: channel binding differs from the GS2 header");
    /* The nonce must end with ours, as Kafka checks it: librdkafka sends
     * its own nonce again in front of the whole one. */
    size_t nlen = strlen(s->nonce);
    if (rlen < nlen || strncmp(r + rlen - nlen, s->nonce, nlen) != 0)
        return fail(why, why_size, "client-final-message: the nonce is not the one of this exchange");
    size_t wlen = (size_t)(p - 3 - msg), mdlen = s->cred.key_len;
    size_t alen = strlen(s->client_first_bare) + strlen(s->server_first) + wlen + 3;
    char *auth = malloc(alen);
    unsigned char proof[128], signature[EVP_MAX_MD_SIZE], client_key[EVP_MAX_MD_SIZE], hashed[EVP_MAX_MD_SIZE];
    unsigned char server_sig[EVP_MAX_MD_SIZE];
    unsigned int hlen = 0;
    bool ok = auth && plen <= 4 * ((sizeof proof) / 3) && scram_unbase64(p, plen, proof) == (int)mdlen;
    if (ok) {
        snprintf(auth, alen, "%s,%s,%.*s", s->client_first_bare, s->server_first, (int)wlen, msg);
        ok = scram_hmac(s->md, s->cred.stored_key, mdlen, auth, strlen(auth), signature);
        for (size_t i = 0; ok && i < mdlen; i++)
            client_key[i] = proof[i] ^ signature[i];
        ok = ok && EVP_Digest(client_key, mdlen, hashed, &hlen, s->md, NULL) == 1 &&
             CRYPTO_memcmp(hashed, s->cred.stored_key, mdlen) == 0 &&
             scram_hmac(s->md, s->cred.server_key, mdlen, auth, strlen(auth), server_sig);
    }
    free(auth);
    OPENSSL_cleanse(client_key, sizeof client_key);
    if (!ok)
        return fail(why, why_size, "invalid credentials");
    char *v = scram_base64(server_sig, mdlen);
    size_t n = v ? strlen(v) + 3 : 0;
    s->server_final = v ? malloc(n) : NULL;
    if (s->server_final)
        snprintf(s->server_final, n, "v=%s", v);
    free(v);
    return s->server_final ? s->server_final : fail(why, why_size, "out of memory");
}

#else /* !WITH_SSL */

kl_scram_srv_t *kl_scram_srv_new(kl_scram_hash_t hash) { return (void)hash, NULL; }
void kl_scram_srv_free(kl_scram_srv_t *server) { (void)server; }

const char *kl_scram_srv_user(kl_scram_srv_t *server, const char *client_first, size_t len, char *why,
                                 size_t why_size)
{
    (void)server, (void)client_first, (void)len;
    snprintf(why, why_size, "SCRAM needs OpenSSL, not compiled in");
    return NULL;
}

const char *kl_scram_srv_user_name(const kl_scram_srv_t *server) { return (void)server, ""; }

const char *kl_scram_srv_first(kl_scram_srv_t *server, const kl_scram_credential_t *cred)
{
    return (void)server, (void)cred, NULL;
}

const char *kl_scram_srv_final(kl_scram_srv_t *server, const char *client_final, size_t len, char *why,
                                  size_t why_size)
{
    (void)server, (void)client_final, (void)len;
    snprintf(why, why_size, "SCRAM needs OpenSSL, not compiled in");
    return NULL;
}

#endif
