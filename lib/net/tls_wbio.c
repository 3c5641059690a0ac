/* The write side of a TLS session's socket (see tls_wbio.h). OpenSSL
 * writes a record at a time; its socket BIO makes that one write(2) per
 * 16 KB record. This BIO can collect several records and send them with
 * one send(2). */
#include "config.h"

#include "net/tls_wbio.h"

#ifdef WITH_SSL

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
    int fd;
    bool batching;
    uint8_t *buf;
    size_t len, sent, cap;
} wbio_t;

static BIO_METHOD *wbio_method;
static pthread_once_t wbio_once = PTHREAD_ONCE_INIT;

/* send(2) without SIGPIPE, past EINTR: the bytes sent, or -1 (errno). */
static ssize_t send_some(int fd, const void *p, size_t len)
{
    for (;;) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

static int send_collected(wbio_t *w)
{
    while (w->sent < w->len) {
        ssize_t n = send_some(w->fd, w->buf + w->sent, w->len - w->sent);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        w->sent += (size_t)n;
    }
    w->len = w->sent = 0;
    return 0;
}

static int collect(wbio_t *w, const char *data, size_t len)
{
    if (w->cap - w->len < len) {
        /* what a batch needs, kept for the session's next batches */
        size_t cap = (w->len + len + 16383) / 16384 * 16384;
        uint8_t *p = realloc(w->buf, cap);
        if (!p) {
            errno = ENOMEM;
            return 0;
        }
        w->buf = p;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, data, len);
    w->len += len;
    return 1;
}

static int wbio_write(BIO *bio, const char *data, size_t len, size_t *written)
{
    wbio_t *w = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (w->batching) {
        *written = len;
        return collect(w, data, len);
    }
    /* what was collected leaves first */
    if (send_collected(w) < 0)
        return 0;
    if (w->sent < w->len) {
        BIO_set_retry_write(bio);
        return 0;
    }
    ssize_t n = send_some(w->fd, data, len);
    if (n >= 0) {
        *written = (size_t)n;
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        BIO_set_retry_write(bio);
    return 0;
}

static long wbio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)num, (void)ptr;
    wbio_t *w = BIO_get_data(bio);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_WPENDING:
        return (long)(w->len - w->sent);
    default:
        return 0;
    }
}

static int wbio_create(BIO *bio)
{
    wbio_t *w = calloc(1, sizeof *w);
    if (!w)
        return 0;
    w->fd = -1;
    BIO_set_data(bio, w);
    BIO_set_init(bio, 1);
    return 1;
}

static int wbio_destroy(BIO *bio)
{
    wbio_t *w = BIO_get_data(bio);
    if (w) {
        free(w->buf);
        free(w);
    }
    BIO_set_data(bio, NULL);
    return 1;
}

static void make_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kafkalite TLS socket");
    if (m && BIO_meth_set_write_ex(m, wbio_write) && BIO_meth_set_ctrl(m, wbio_ctrl) &&
        BIO_meth_set_create(m, wbio_create) && BIO_meth_set_destroy(m, wbio_destroy)) {
        wbio_method = m;
        return;
    }
    BIO_meth_free(m);
}

BIO *tls_wbio_new(int fd)
{
    pthread_once(&wbio_once, make_method);
    BIO *bio = wbio_method ? BIO_new(wbio_method) : NULL;
    if (bio)
        ((wbio_t *)BIO_get_data(bio))->fd = fd;
    return bio;
}

void tls_wbio_set_batching(BIO *bio, bool on) { ((wbio_t *)BIO_get_data(bio))->batching = on; }

size_t tls_wbio_unsent(BIO *bio)
{
    wbio_t *w = BIO_get_data(bio);
    return w->len - w->sent;
}

int tls_wbio_send(BIO *bio) { return send_collected(BIO_get_data(bio)); }

#endif
