/* Test certificates made on the fly with OpenSSL (EC P-256, so making them
 * takes milliseconds): a CA, and server certificates signed by it or by a
 * CA nobody trusts, valid, expired or for another name, and a client
 * certificate with an encrypted key, a revoked server and client
 * certificate with the CA's revocation list, written as PEM
 * files in a temporary directory that tls_certs_remove() deletes. */
#ifndef KL_TEST_TLS_CERTS_H
#define KL_TEST_TLS_CERTS_H

#define TLS_CERTS_KEY_PASSWORD "key-secret"

typedef struct tls_certs {
    char dir[64];
    char ca[96];          /* the trusted CA's certificate */
    char ca_dir[96];      /* a directory holding it under its hash name */
    char key[96];         /* the key of every server certificate */
    char good[96];        /* localhost, 127.0.0.1; signed by the CA */
    char other_name[96];  /* broker.example only */
    char expired[96];     /* localhost, 127.0.0.1; expired yesterday */
    char unknown_ca[96];  /* localhost, 127.0.0.1; signed by another CA */
    char client[96];      /* a client certificate signed by the CA */
    char client_key[96];  /* its key, encrypted with TLS_CERTS_KEY_PASSWORD */
    char revoked[96];     /* localhost, 127.0.0.1; signed by the CA, revoked */
    char client_revoked[96]; /* a client certificate signed by the CA, revoked (key: client_key) */
    char crl[96];         /* the CA's CRL: revoked and client_revoked */
} tls_certs_t;

/* Fails the Check test when a step fails. */
void tls_certs_make(tls_certs_t *certs);
void tls_certs_remove(tls_certs_t *certs);
/* The whole content of a file, malloc'd and NUL-terminated. */
char *tls_certs_read(const char *path);

#endif
