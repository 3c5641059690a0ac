/* TLS on OpenSSL for Kafka connections, client and broker side (see
 * tls.h): the context with its trust store and credentials, and
 * non-blocking sessions whose failures are put in words a user can act
 * on. */
#include "config.h"

#include "net/tls.h"
#include "net/tls_wbio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef WITH_SSL

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

/* The read-ahead buffer of a session: room for four full records. */
#define TLS_READ_AHEAD_BYTES (4 * (16384 + 512))
/* The most plaintext in one record (TLS's limit, OpenSSL's default), and
 * how many records one write sends at most in one send(2). */
#define TLS_RECORD_BYTES 16384
#define TLS_WRITE_BATCH_RECORDS 4

struct kl_tls_ctx {
    SSL_CTX *ssl_ctx;
    bool verify_hostname;
    bool server;
};

struct kl_tls {
    SSL *ssl;
    BIO *wbio; /* owned by ssl */
    bool server;
    bool verify_failed;
    char reason[256];
};

/* The first queued OpenSSL error in words, or fallback; clears the queue. */
static const char *openssl_error(char *buf, size_t size, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, buf, size);
    else
        snprintf(buf, size, "%s", fallback);
    ERR_clear_error();
    return buf;
}

static bool ctx_fail(char *errstr, size_t errstr_size, const char *what)
{
    char detail[200];
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s: %s", what, openssl_error(detail, sizeof detail, "unknown error"));
    return false;
}

static int password_cb(char *buf, int size, int rwflag, void *userdata)
{
    (void)rwflag;
    const char *pw = userdata;
    if (!pw)
        return 0;
    int n = (int)strlen(pw);
    if (n > size)
        n = size;
    memcpy(buf, pw, (size_t)n);
    return n;
}

static bool load_ca(SSL_CTX *ctx, const kl_tls_config_t *cfg, char *errstr, size_t errstr_size)
{
    if (cfg->ca_pem) {
        BIO *bio = BIO_new_mem_buf(cfg->ca_pem, -1);
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        X509 *x;
        int n = 0;
        while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
            X509_STORE_add_cert(store, x);
            X509_free(x);
            n++;
        }
        BIO_free(bio);
        ERR_clear_error(); /* the end of the text reads as an error */
        if (n == 0) {
            snprintf(errstr, errstr_size, "ssl.ca.pem: no PEM certificate in the text");
            return false;
        }
    }
    if (cfg->ca_location) {
        struct stat st;
        bool dir = stat(cfg->ca_location, &st) == 0 && S_ISDIR(st.st_mode);
        if (!SSL_CTX_load_verify_locations(ctx, dir ? NULL : cfg->ca_location, dir ? cfg->ca_location : NULL))
            return ctx_fail(errstr, errstr_size, "ssl.ca.location: cannot load CA certificates");
    }
    if (!cfg->ca_pem && !cfg->ca_location && !SSL_CTX_set_default_verify_paths(ctx))
        return ctx_fail(errstr, errstr_size, "cannot load the system's CA certificates");
    return true;
}

/* Every CRL of the file: PEM (any number) or a single DER one. */
static int read_crls(X509_STORE *store, const char *path)
{
    FILE *f = fopen(path, "rb");
    BIO *bio = f ? BIO_new_fp(f, BIO_CLOSE) : NULL;
    if (!bio) {
        if (f)
            fclose(f);
        return -1;
    }
    int n = 0;
    X509_CRL *crl;
    while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) {
        n += X509_STORE_add_crl(store, crl) == 1;
        X509_CRL_free(crl);
    }
    if (n == 0 && BIO_reset(bio) == 0 && (crl = d2i_X509_CRL_bio(bio, NULL))) {
        n += X509_STORE_add_crl(store, crl) == 1;
        X509_CRL_free(crl);
    }
    BIO_free(bio);
    return n;
}

/* A missing CRL is only an error for the peer's own certificate (as
 * librdkafka checks it); the CA certificates above it are checked when the
 * file holds their issuers' CRLs too. */
static int crl_verify_cb(int ok, X509_STORE_CTX *store)
{
    if (!ok && X509_STORE_CTX_get_error(store) == X509_V_ERR_UNABLE_TO_GET_CRL &&
        X509_STORE_CTX_get_error_depth(store) > 0) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    return ok;
}

static bool load_crl(SSL_CTX *ctx, const char *path, char *errstr, size_t errstr_size)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int n = read_crls(store, path);
    if (n < 0) {
        snprintf(errstr, errstr_size, "ssl.crl.location: cannot read %s: %s", path, strerror(errno));
        return false;
    }
    ERR_clear_error(); /* the end of the text reads as an error */
    if (n == 0) {
        snprintf(errstr, errstr_size, "ssl.crl.location: %s holds no certificate revocation list (PEM or DER)",
                 path);
        return false;
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), crl_verify_cb);
    return true;
}

static bool load_cert_pem(SSL_CTX *ctx, const char *pem, char *errstr, size_t errstr_size)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    bool ok = x && SSL_CTX_use_certificate(ctx, x) == 1;
    X509_free(x);
    /* the rest of the text is the chain */
    while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!SSL_CTX_add0_chain_cert(ctx, x)) {
            X509_free(x);
            ok = false;
        }
    BIO_free(bio);
    if (!ok)
        return ctx_fail(errstr, errstr_size, "ssl.certificate.pem: cannot use the certificate");
    ERR_clear_error();
    return true;
}

static bool load_key_pem(SSL_CTX *ctx, const kl_tls_config_t *cfg, char *errstr, size_t errstr_size)
{
    BIO *bio = BIO_new_mem_buf(cfg->key_pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, password_cb, (void *)cfg->key_password) : NULL;
    bool ok = key && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok || ctx_fail(errstr, errstr_size, "ssl.key.pem: cannot use the key (or ssl.key.password is wrong)");
}

static bool load_credentials(SSL_CTX *ctx, const kl_tls_config_t *cfg, char *errstr, size_t errstr_size)
{
    SSL_CTX_set_default_passwd_cb(ctx, password_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)cfg->key_password);
    if (cfg->cert_location && SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_location) != 1)
        return ctx_fail(errstr, errstr_size, "ssl.certificate.location: cannot use the certificate");
    if (cfg->cert_pem && !load_cert_pem(ctx, cfg->cert_pem, errstr, errstr_size))
        return false;
    if (cfg->key_location && SSL_CTX_use_PrivateKey_file(ctx, cfg->key_location, SSL_FILETYPE_PEM) != 1)
        return ctx_fail(errstr, errstr_size,
                        "ssl.key.location: cannot use the key (or ssl.key.password is wrong)");
    if (cfg->key_pem && !load_key_pem(ctx, cfg, errstr, errstr_size))
        return false;
    bool have_cert = cfg->cert_location || cfg->cert_pem, have_key = cfg->key_location || cfg->key_pem;
    if (cfg->server && !have_cert) {
        snprintf(errstr, errstr_size, "a TLS listener needs its certificate and key (ssl.keystore.location, "
                                      "or ssl.certificate.location and ssl.key.location)");
        return false;
    }
    if (have_cert != have_key) {
        snprintf(errstr, errstr_size, "a client certificate needs its key and a key its certificate "
                                      "(ssl.certificate.* and ssl.key.*)");
        return false;
    }
    if (have_cert && SSL_CTX_check_private_key(ctx) != 1)
        return ctx_fail(errstr, errstr_size, "the key does not match the certificate");
    /* The password is only needed while loading; the caller's string may
     * go away. */
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    return true;
}

kl_tls_ctx_t *kl_tls_ctx_new(const kl_tls_config_t *cfg, char *errstr, size_t errstr_size)
{
    kl_tls_ctx_t *t = calloc(1, sizeof *t);
    SSL_CTX *ctx = t ? SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method()) : NULL;
    if (!ctx) {
        free(t);
        snprintf(errstr, errstr_size, "out of memory for the TLS context");
        return NULL;
    }
    t->ssl_ctx = ctx;
    t->server = cfg->server;
    /* A server checks the certificates it asks clients for. */
    bool verify = cfg->server ? cfg->client_auth != KL_TLS_CLIENT_AUTH_NONE : cfg->verify_certificate;
    t->verify_hostname = !cfg->server && verify && cfg->verify_hostname;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* One read(2) takes in what the socket holds, up to a few records,
     * instead of a record's header and then its body (two calls per 16 KB
     * record); kl_tls_pending() counts what waits in that buffer. */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, TLS_READ_AHEAD_BYTES);
    int mode = verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE;
    if (cfg->server && cfg->client_auth == KL_TLS_CLIENT_AUTH_REQUIRED)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, NULL);
    bool ok = true;
    /* Resumed sessions of a verifying server need an id context. */
    /* A client may not make the broker renegotiate; and clients that close
     * without close_notify (librdkafka, ours) just closed: Kafka's frames
     * carry their length, a truncation cannot pass for a whole request. */
    if (cfg->server)
        SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (cfg->server && SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"kafkalite", 9) != 1)
        ok = ctx_fail(errstr, errstr_size, "cannot set the TLS session id context");
    if (ok && cfg->cipher_suites && SSL_CTX_set_cipher_list(ctx, cfg->cipher_suites) != 1)
        ok = ctx_fail(errstr, errstr_size, "ssl.cipher.suites: no usable cipher");
    ok = ok && (!verify || load_ca(ctx, cfg, errstr, errstr_size));
    /* read even when nothing is verified, so a bad file is reported */
    ok = ok && (!cfg->crl_location || load_crl(ctx, cfg->crl_location, errstr, errstr_size));
    ok = ok && load_credentials(ctx, cfg, errstr, errstr_size);
    if (!ok) {
        kl_tls_ctx_destroy(t);
        return NULL;
    }
    return t;
}

void kl_tls_ctx_destroy(kl_tls_ctx_t *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ssl_ctx);
    free(t);
}

/* ---- sessions ----------------------------------------------------------- */

static bool is_ip(const char *host)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

kl_tls_t *kl_tls_new(kl_tls_ctx_t *ctx, int fd, const char *host)
{
    kl_tls_t *tls = calloc(1, sizeof *tls);
    if (!tls)
        return NULL;
    tls->ssl = SSL_new(ctx->ssl_ctx);
    tls->server = ctx->server;
    BIO *rbio = tls->ssl ? BIO_new_socket(fd, BIO_NOCLOSE) : NULL;
    tls->wbio = rbio ? tls_wbio_new(fd) : NULL;
    if (!tls->wbio) {
        BIO_free(rbio);
        kl_tls_free(tls);
        return NULL;
    }
    SSL_set_bio(tls->ssl, rbio, tls->wbio);
    if (ctx->server) {
        SSL_set_accept_state(tls->ssl);
        return tls;
    }
    bool ip = is_ip(host);
    if (!ip)
        SSL_set_tlsext_host_name(tls->ssl, host);
    if (ctx->verify_hostname) {
        /* RFC 2818: a name against the DNS SANs (wildcards in the left-most
         * label only), an address against the IP SANs. */
        X509_VERIFY_PARAM *param = SSL_get0_param(tls->ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host) : X509_VERIFY_PARAM_set1_host(param, host, 0);
        if (ok != 1) {
            kl_tls_free(tls);
            return NULL;
        }
    }
    SSL_set_connect_state(tls->ssl);
    return tls;
}

void kl_tls_free(kl_tls_t *tls)
{
    if (!tls)
        return;
    SSL_free(tls->ssl);
    free(tls);
}

/* The verification result in the words the user needs first. */
static const char *verify_words(long v)
{
    switch (v) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "unknown CA";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "hostname mismatch";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "expired certificate";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "certificate not yet valid";
    case X509_V_ERR_CERT_REVOKED:
        return "revoked certificate";
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        return "no CRL from its issuer in ssl.crl.location";
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
        return "the CRL in ssl.crl.location is out of date";
    default:
        return "untrusted certificate";
    }
}

/* Whether the peer's alert refused our certificate (with TLS 1.3 a client
 * learns it after its side of the handshake, at its first read); then
 * buf says so with the alert's words ("certificate revoked"). */
static bool peer_refused_certificate(const kl_tls_t *tls, char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) != ERR_LIB_SSL)
        return false;
    switch (ERR_GET_REASON(e)) {
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
        break;
    default:
        return false;
    }
    const char *words = ERR_reason_error_string(e), *alert = words ? strstr(words, "alert ") : NULL;
    snprintf(buf, size, "the %s refused our certificate: %s", tls->server ? "client" : "broker",
             alert ? alert + 6 : "certificate alert");
    return true;
}

static kl_tls_status_t status_of(kl_tls_t *tls, int ret, const char *what)
{
    int e = SSL_get_error(tls->ssl, ret);
    if (e == SSL_ERROR_WANT_READ)
        return KL_TLS_WANT_READ;
    if (e == SSL_ERROR_WANT_WRITE)
        return KL_TLS_WANT_WRITE;
    if (e == SSL_ERROR_ZERO_RETURN)
        return KL_TLS_CLOSED;
    long v = SSL_get_verify_result(tls->ssl);
    char detail[200];
    if (v != X509_V_OK) {
        tls->verify_failed = true;
        snprintf(tls->reason, sizeof tls->reason, "certificate verify failed: %s (%s)", verify_words(v),
                 X509_verify_cert_error_string(v));
        ERR_clear_error();
    } else if (peer_refused_certificate(tls, detail, sizeof detail)) {
        tls->verify_failed = true;
        snprintf(tls->reason, sizeof tls->reason, "%s", detail);
        ERR_clear_error();
    } else if (e == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0) {
        if (ret == 0) {
            ERR_clear_error();
            return KL_TLS_CLOSED;
        }
        snprintf(tls->reason, sizeof tls->reason, "%s: %m", what);
    } else {
        snprintf(tls->reason, sizeof tls->reason, "%s: %s", what,
                 openssl_error(detail, sizeof detail, "protocol error"));
    }
    return KL_TLS_FAILED;
}

kl_tls_status_t kl_tls_handshake(kl_tls_t *tls)
{
    ERR_clear_error();
    int r = SSL_do_handshake(tls->ssl);
    if (r == 1)
        return KL_TLS_OK;
    kl_tls_status_t st = status_of(tls, r, "handshake");
    if (st == KL_TLS_CLOSED) {
        snprintf(tls->reason, sizeof tls->reason, "%s",
                 tls->server ? "the client closed the connection during the handshake (it refused our "
                               "certificate?)"
                             : "the broker closed the connection during the handshake (not a TLS listener, "
                               "or it refused our certificate?)");
        st = KL_TLS_FAILED;
    }
    return st;
}

kl_tls_status_t kl_tls_read(kl_tls_t *tls, void *buf, size_t len, size_t *n)
{
    ERR_clear_error();
    if (SSL_read_ex(tls->ssl, buf, len, n) == 1)
        return KL_TLS_OK;
    return status_of(tls, 0, "read");
}

static kl_tls_status_t send_failed(kl_tls_t *tls)
{
    snprintf(tls->reason, sizeof tls->reason, "write: %m");
    return KL_TLS_FAILED;
}

/* OpenSSL writes one record (up to 16 KB) per SSL_write_ex (partial write
 * mode), and its socket BIO one write(2) per record. Here the whole
 * records of buf but its last are collected, up to TLS_WRITE_BATCH_RECORDS,
 * and sent with one send(2); what the socket does not take stays in the
 * BIO, sent first by the next call (which comes: buf's last record is still
 * unwritten). A call with one record or less left writes it straight to
 * the socket, where OpenSSL keeps a record the socket refused until the
 * caller retries, as before. */
kl_tls_status_t kl_tls_write(kl_tls_t *tls, const void *buf, size_t len, size_t *n)
{
    ERR_clear_error();
    *n = 0;
    if (tls_wbio_unsent(tls->wbio) > 0) {
        if (tls_wbio_send(tls->wbio) < 0)
            return send_failed(tls);
        if (tls_wbio_unsent(tls->wbio) > 0)
            return KL_TLS_WANT_WRITE;
    }
    const uint8_t *p = buf;
    size_t done = 0;
    int ok = 1;
    tls_wbio_set_batching(tls->wbio, true);
    for (int i = 0; ok && i < TLS_WRITE_BATCH_RECORDS && len - done > TLS_RECORD_BYTES; i++) {
        size_t w = 0;
        ok = SSL_write_ex(tls->ssl, p + done, TLS_RECORD_BYTES, &w);
        done += ok ? w : 0;
    }
    tls_wbio_set_batching(tls->wbio, false);
    if (done > 0) {
        /* what was collected is written, even if a later record failed (the
         * next call meets that failure again) */
        ERR_clear_error();
        *n = done;
        return tls_wbio_send(tls->wbio) < 0 ? send_failed(tls) : KL_TLS_OK;
    }
    if (ok && SSL_write_ex(tls->ssl, buf, len, n) == 1)
        return KL_TLS_OK;
    return status_of(tls, 0, "write");
}

size_t kl_tls_pending(const kl_tls_t *tls)
{
    int decrypted = SSL_pending(tls->ssl);
    if (decrypted > 0)
        return (size_t)decrypted;
    return SSL_has_pending(tls->ssl) ? 1 : 0; /* read ahead, not yet decrypted */
}
const char *kl_tls_reason(const kl_tls_t *tls) { return tls->reason; }
bool kl_tls_verify_failed(const kl_tls_t *tls) { return tls->verify_failed; }

const char *kl_tls_describe(const kl_tls_t *tls, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", SSL_get_version(tls->ssl), SSL_get_cipher_name(tls->ssl));
    return buf;
}

const char *kl_tls_peer_subject(const kl_tls_t *tls, char *buf, size_t size)
{
    snprintf(buf, size, "ANONYMOUS");
    X509 *peer = SSL_get1_peer_certificate(tls->ssl);
    BIO *bio = peer ? BIO_new(BIO_s_mem()) : NULL;
    if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(bio, buf, (int)size - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(bio);
    X509_free(peer);
    return buf;
}

#else /* !WITH_SSL */

kl_tls_ctx_t *kl_tls_ctx_new(const kl_tls_config_t *config, char *errstr, size_t errstr_size)
{
    (void)config;
    snprintf(errstr, errstr_size, "TLS is not compiled in (configure found no OpenSSL: install libssl-dev)");
    return NULL;
}

void kl_tls_ctx_destroy(kl_tls_ctx_t *ctx) { (void)ctx; }

kl_tls_t *kl_tls_new(kl_tls_ctx_t *ctx, int fd, const char *host)
{
    (void)ctx, (void)fd, (void)host;
    return NULL;
}

void kl_tls_free(kl_tls_t *tls) { (void)tls; }
kl_tls_status_t kl_tls_handshake(kl_tls_t *tls) { return (void)tls, KL_TLS_FAILED; }

kl_tls_status_t kl_tls_read(kl_tls_t *tls, void *buf, size_t len, size_t *n)
{
    (void)tls, (void)buf, (void)len, (void)n;
    return KL_TLS_FAILED;
}

kl_tls_status_t kl_tls_write(kl_tls_t *tls, const void *buf, size_t len, size_t *n)
{
    (void)tls, (void)buf, (void)len, (void)n;
    return KL_TLS_FAILED;
}

size_t kl_tls_pending(const kl_tls_t *tls) { return (void)tls, 0; }
const char *kl_tls_reason(const kl_tls_t *tls) { return (void)tls, "TLS is not compiled in"; }
bool kl_tls_verify_failed(const kl_tls_t *tls) { return (void)tls, false; }

const char *kl_tls_describe(const kl_tls_t *tls, char *buf, size_t size)
{
    (void)tls;
    snprintf(buf, size, "no TLS");
    return buf;
}

const char *kl_tls_peer_subject(const kl_tls_t *tls, char *buf, size_t size)
{
    (void)tls;
    snprintf(buf, size, "ANONYMOUS");
    return buf;
}

#endif
