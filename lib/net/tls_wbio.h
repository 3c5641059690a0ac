/* The socket a TLS session writes to (tls_wbio.c): records go out one
 * send(2) each, as OpenSSL's own socket BIO does, or, while batching, are
 * collected and sent together, one send(2) for several records. */
#ifndef KL_NET_TLS_WBIO_H
#define KL_NET_TLS_WBIO_H

#ifdef WITH_SSL

#include <openssl/bio.h>
#include <stdbool.h>
#include <stddef.h>

/* A write BIO on fd (not closed with it); NULL when out of memory. */
BIO *tls_wbio_new(int fd);

/* While batching, every record written is taken into the BIO's buffer
 * (never refused); tls_wbio_send() sends them. Out of batching, a write
 * first sends what the buffer holds and is refused (retry) while some of
 * it stays, so records leave in order. */
void tls_wbio_set_batching(BIO *bio, bool on);

/* Bytes collected and not yet sent. */
size_t tls_wbio_unsent(BIO *bio);

/* Sends what was collected, as far as the socket takes it (what stays:
 * tls_wbio_unsent()): 0, or -1 on a failure (errno). */
int tls_wbio_send(BIO *bio);

#endif
#endif
