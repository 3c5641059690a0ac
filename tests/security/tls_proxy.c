/* The TLS-terminating test proxy (see tls_proxy.h), on blocking sockets
 * and poll() with a short timeout so every thread notices the stop flag. */
#include "security/tls_proxy.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 64
#define POLL_MS 50

typedef struct relay {
    tls_proxy_t *proxy;
    int fd;
    pthread_t thread;
} relay_t;

struct tls_proxy {
    int listen_fd;
    int port, backend_port;
    SSL_CTX *ctx;
    pthread_t acceptor;
    bool started;
    atomic_bool stop;
    atomic_int handshakes, failed;
    relay_t relays[MAX_CONNS];
    int nrelays;
};

static int connect_backend(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Copies one chunk each way as it comes; false once a side closed. */
static bool relay_once(SSL *ssl, int client_fd, int backend_fd)
{
    struct pollfd p[2] = {{.fd = client_fd, .events = POLLIN}, {.fd = backend_fd, .events = POLLIN}};
    int ready = SSL_pending(ssl) > 0 ? 1 : poll(p, 2, POLL_MS);
    if (ready < 0)
        return errno == EINTR;
    char buf[16384];
    if (SSL_pending(ssl) > 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0 || !write_all(backend_fd, buf, (size_t)n))
            return false;
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = read(backend_fd, buf, sizeof buf);
        if (n <= 0 || SSL_write(ssl, buf, (int)n) != (int)n)
            return false;
    }
    return true;
}

static void *relay_main(void *arg)
{
    relay_t *r = arg;
    tls_proxy_t *proxy = r->proxy;
    struct timeval tv = {.tv_sec = 10};
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(proxy->ctx);
    SSL_set_fd(ssl, r->fd);
    if (SSL_accept(ssl) != 1) {
        atomic_fetch_add(&proxy->failed, 1);
        ERR_clear_error();
    } else {
        atomic_fetch_add(&proxy->handshakes, 1);
        int backend = connect_backend(proxy->backend_port);
        while (backend >= 0 && !atomic_load(&proxy->stop) && relay_once(ssl, r->fd, backend))
            ;
        if (backend >= 0)
            close(backend);
    }
    SSL_free(ssl);
    close(r->fd);
    return NULL;
}

static void *accept_main(void *arg)
{
    tls_proxy_t *proxy = arg;
    while (!atomic_load(&proxy->stop)) {
        struct pollfd p = {.fd = proxy->listen_fd, .events = POLLIN};
        if (poll(&p, 1, POLL_MS) <= 0)
            continue;
        int fd = accept4(proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        if (proxy->nrelays == MAX_CONNS) {
            close(fd);
            continue;
        }
        relay_t *r = &proxy->relays[proxy->nrelays];
        r->proxy = proxy;
        r->fd = fd;
        if (pthread_create(&r->thread, NULL, relay_main, r) == 0)
            proxy->nrelays++;
        else
            close(fd);
    }
    return NULL;
}

tls_proxy_t *tls_proxy_new(void)
{
    tls_proxy_t *proxy = calloc(1, sizeof *proxy);
    ck_assert_ptr_nonnull(proxy);
    proxy->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(proxy->listen_fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(proxy->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(proxy->listen_fd, 16), 0);
    ck_assert_int_eq(getsockname(proxy->listen_fd, (struct sockaddr *)&a, &len), 0);
    proxy->port = ntohs(a.sin_port);
    return proxy;
}

int tls_proxy_port(const tls_proxy_t *proxy) { return proxy->port; }

void tls_proxy_start(tls_proxy_t *proxy, const char *cert, const char *key, const char *client_ca,
                     int backend_port)
{
    proxy->backend_port = backend_port;
    proxy->ctx = SSL_CTX_new(TLS_server_method());
    ck_assert_ptr_nonnull(proxy->ctx);
    ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(proxy->ctx, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(proxy->ctx, key, SSL_FILETYPE_PEM), 1);
    if (client_ca) {
        ck_assert_int_eq(SSL_CTX_load_verify_locations(proxy->ctx, client_ca, NULL), 1);
        SSL_CTX_set_verify(proxy->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    ck_assert_int_eq(pthread_create(&proxy->acceptor, NULL, accept_main, proxy), 0);
    proxy->started = true;
}

int tls_proxy_handshakes(tls_proxy_t *proxy) { return atomic_load(&proxy->handshakes); }
int tls_proxy_failed_handshakes(tls_proxy_t *proxy) { return atomic_load(&proxy->failed); }

void tls_proxy_destroy(tls_proxy_t *proxy)
{
    atomic_store(&proxy->stop, true);
    if (proxy->started)
        pthread_join(proxy->acceptor, NULL);
    for (int i = 0; i < proxy->nrelays; i++)
        pthread_join(proxy->relays[i].thread, NULL);
    close(proxy->listen_fd);
    SSL_CTX_free(proxy->ctx);
    free(proxy);
}
