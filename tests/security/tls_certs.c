/* Test certificates on OpenSSL's API (see tls_certs.h). */
#define _XOPEN_SOURCE 700
#include "security/tls_certs.h"

#include <ftw.h>
#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY (24L * 3600)

static EVP_PKEY *make_key(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    ck_assert_ptr_nonnull(key);
    return key;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ck_assert_ptr_nonnull(ext);
    ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* A certificate for key named cn, valid from not_before to not_after
 * (seconds from now), signed by issuer (NULL: self-signed CA); san NULL
 * makes a CA. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
                       long not_before, long not_after)
{
    static long serial = 1;
    X509 *cert = X509_new();
    ck_assert_ptr_nonnull(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), not_before);
    X509_gmtime_adj(X509_getm_notAfter(cert), not_after);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509 *signer = issuer ? issuer : cert;
    if (san) {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, signer, NID_subject_alt_name, san);
        add_ext(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth");
    } else {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_ext(cert, signer, NID_subject_key_identifier, "hash");
    }
    ck_assert_int_gt(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()), 0);
    return cert;
}

static void write_cert(const char *path, X509 *cert)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    ck_assert_int_eq(fclose(f), 0);
}

static void set_path(char *dst, size_t size, const tls_certs_t *c, const char *file)
{
    ck_assert_int_lt(snprintf(dst, size, "%s/%s", c->dir, file), (int)size);
}

/* The certificate it wrote, for the CRL. */
static X509 *write_server(const char *path, EVP_PKEY *key, const char *san, X509 *ca, EVP_PKEY *ca_key,
                          long not_before, long not_after)
{
    X509 *cert = make_cert(key, "broker", ca, ca_key, san, not_before, not_after);
    write_cert(path, cert);
    return cert;
}

/* The CA's CRL, valid for 30 days, revoking the count certificates. */
static void write_crl(const char *path, X509 *ca, EVP_PKEY *ca_key, X509 **revoked, int count)
{
    X509_CRL *crl = X509_CRL_new();
    ck_assert_ptr_nonnull(crl);
    ck_assert_int_eq(X509_CRL_set_version(crl, 1), 1);
    ck_assert_int_eq(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
    ASN1_TIME *last = X509_gmtime_adj(NULL, -3600), *next = X509_gmtime_adj(NULL, 30 * DAY);
    ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, last), 1);
    ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, next), 1);
    for (int i = 0; i < count; i++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked[i])), 1);
        ck_assert_int_eq(X509_REVOKED_set_revocationDate(r, last), 1);
        ck_assert_int_eq(X509_CRL_add0_revoked(crl, r), 1);
    }
    ck_assert_int_eq(X509_CRL_sort(crl), 1);
    ck_assert_int_gt(X509_CRL_sign(crl, ca_key, EVP_sha256()), 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509_CRL(f, crl), 1);
    ck_assert_int_eq(fclose(f), 0);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
}

void tls_certs_make(tls_certs_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "/tmp/kl-tls-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(c->dir));
    set_path(c->ca, sizeof c->ca, c, "ca.pem");
    set_path(c->ca_dir, sizeof c->ca_dir, c, "cadir");
    set_path(c->key, sizeof c->key, c, "server.key");
    set_path(c->good, sizeof c->good, c, "good.pem");
    set_path(c->other_name, sizeof c->other_name, c, "other_name.pem");
    set_path(c->expired, sizeof c->expired, c, "expired.pem");
    set_path(c->unknown_ca, sizeof c->unknown_ca, c, "unknown_ca.pem");
    set_path(c->client, sizeof c->client, c, "client.pem");
    set_path(c->client_key, sizeof c->client_key, c, "client.key");
    set_path(c->revoked, sizeof c->revoked, c, "revoked.pem");
    set_path(c->client_revoked, sizeof c->client_revoked, c, "client_revoked.pem");
    set_path(c->crl, sizeof c->crl, c, "ca.crl");

    EVP_PKEY *ca_key = make_key(), *other_key = make_key(), *key = make_key();
    X509 *ca = make_cert(ca_key, "kafkalite test CA", NULL, NULL, NULL, -DAY, 30 * DAY);
    X509 *other = make_cert(other_key, "an untrusted CA", NULL, NULL, NULL, -DAY, 30 * DAY);
    write_cert(c->ca, ca);
    ck_assert_int_eq(mkdir(c->ca_dir, 0700), 0);
    char hashed[160];
    snprintf(hashed, sizeof hashed, "%s/%08lx.0", c->ca_dir, X509_subject_name_hash(ca));
    write_cert(hashed, ca);

    FILE *f = fopen(c->key, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert_int_eq(fclose(f), 0);

    const char *local = "DNS:localhost,IP:127.0.0.1";
    X509 *made[] = {
        write_server(c->good, key, local, ca, ca_key, -DAY, 30 * DAY),
        write_server(c->other_name, key, "DNS:broker.example", ca, ca_key, -DAY, 30 * DAY),
        write_server(c->expired, key, local, ca, ca_key, -3 * DAY, -DAY),
        write_server(c->unknown_ca, key, local, other, other_key, -DAY, 30 * DAY),
        make_cert(key, "client", ca, ca_key, "DNS:client", -DAY, 30 * DAY),
        write_server(c->revoked, key, local, ca, ca_key, -DAY, 30 * DAY),
        make_cert(key, "revoked client", ca, ca_key, "DNS:client", -DAY, 30 * DAY),
    };
    write_cert(c->client, made[4]);
    write_cert(c->client_revoked, made[6]);
    X509 *revoked[] = {made[5], made[6]};
    write_crl(c->crl, ca, ca_key, revoked, 2);
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        X509_free(made[i]);
    f = fopen(c->client_key, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_PKCS8PrivateKey(f, key, EVP_aes_256_cbc(), NULL, 0, NULL, TLS_CERTS_KEY_PASSWORD), 1);
    ck_assert_int_eq(fclose(f), 0);
    X509_free(ca);
    X509_free(other);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(key);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void tls_certs_remove(tls_certs_t *c)
{
    if (c->dir[0])
        ck_assert_int_eq(nftw(c->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

char *tls_certs_read(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 65536);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, 65535, f);
    ck_assert_int_gt(n, 0);
    fclose(f);
    return buf;
}
