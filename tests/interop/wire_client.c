/* Blocking Kafka-protocol client for interop tests: see wire_client.h. */
#include "wire_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int wire_connect(wire_client_t *c, const char *bootstrap) { return wire_connect_from(c, bootstrap, NULL); }

/* Binds fd to the IPv4 address source (port 0): 0 or -1. */
static int bind_source(int fd, const char *source)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, source, &sin.sin_addr) != 1)
        return -1;
    return bind(fd, (struct sockaddr *)&sin, sizeof sin);
}

int wire_connect_from(wire_client_t *c, const char *bootstrap, const char *source)
{
    char host[256];
    const char *colon = strrchr(bootstrap, ':');
    const char *comma = strchr(bootstrap, ',');
    if (!colon || (size_t)(colon - bootstrap) >= sizeof host)
        return -1;
    memcpy(host, bootstrap, (size_t)(colon - bootstrap));
    host[colon - bootstrap] = '\0';
    char port[16];
    size_t plen = comma && comma > colon ? (size_t)(comma - colon - 1) : strlen(colon + 1);
    if (plen >= sizeof port)
        return -1;
    memcpy(port, colon + 1, plen);
    port[plen] = '\0';

    struct addrinfo hints = {.ai_family = source ? AF_INET : AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    c->fd = -1;
    for (struct addrinfo *ai = res; ai && c->fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && (!source || bind_source(fd, source) == 0) && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            c->fd = fd;
        else if (fd >= 0)
            close(fd);
    }
    freeaddrinfo(res);
    c->next_correlation_id = 1;
    return c->fd >= 0 ? 0 : -1;
}

void wire_close(wire_client_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int io_full(int fd, void *p, size_t n, int writing, int timeout_ms)
{
    uint8_t *b = p;
    while (n > 0) {
        struct pollfd pfd = {fd, (short)(writing ? POLLOUT : POLLIN), 0};
        int r = poll(&pfd, 1, timeout_ms);
        if (r <= 0)
            return -1;
        ssize_t k = writing ? write(fd, b, n) : read(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

kl_err_t wire_call(wire_client_t *c, int16_t api_key, int16_t version, const void *body,
                   kl_arena_t *arena, void *resp, uint8_t **framep, int timeout_ms)
{
    *framep = NULL;
    const kl_api_t *api = kl_api_find(api_key);
    if (!api)
        return KL_ERR_UNKNOWN_API;
    kl_request_header_t hdr = {api_key, version, c->next_correlation_id++, kl_str("kafkalite-interop")};
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    kl_err_t err = kl_proto_write_request(&buf, &hdr, body);
    if (!err && io_full(c->fd, buf.data, buf.len, 1, timeout_ms) != 0)
        err = KL_ERR_TRANSPORT;
    kl_buf_free(&buf);
    if (err)
        return err;

    uint8_t size_be[4];
    if (io_full(c->fd, size_be, 4, 0, timeout_ms) != 0)
        return KL_ERR_TRANSPORT;
    uint32_t size = kl_load_be32(size_be);
    if (size > 64u << 20)
        return KL_ERR_TOO_LARGE;
    uint8_t *frame = malloc(size ? size : 1);
    if (!frame)
        return KL_ERR_NOMEM;
    if (io_full(c->fd, frame, size, 0, timeout_ms) != 0) {
        free(frame);
        return KL_ERR_TRANSPORT;
    }
    kl_rd_t rd;
    kl_rd_init(&rd, frame, size);
    int32_t corr;
    err = kl_proto_read_response(&rd, api, version, &corr, arena, resp);
    if (!err && corr != hdr.correlation_id)
        err = KL_ERR_BAD_MSG;
    *framep = frame;
    return err;
}

int wire_send_raw(wire_client_t *c, const void *data, size_t len, int timeout_ms)
{
    return io_full(c->fd, (void *)data, len, 1, timeout_ms);
}

int32_t wire_send_request(wire_client_t *c, int16_t api_key, int16_t version, const void *body, int timeout_ms)
{
    kl_request_header_t hdr = {api_key, version, c->next_correlation_id++, kl_str("kafkalite-test")};
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    int ok = kl_proto_write_request(&buf, &hdr, body) == KL_ERR_NONE &&
             io_full(c->fd, buf.data, buf.len, 1, timeout_ms) == 0;
    kl_buf_free(&buf);
    return ok ? hdr.correlation_id : -1;
}

int wire_recv_frame(wire_client_t *c, uint8_t **framep, size_t *lenp, int timeout_ms)
{
    uint8_t size_be[4];
    *framep = NULL;
    if (io_full(c->fd, size_be, 4, 0, timeout_ms) != 0)
        return -1;
    uint32_t size = kl_load_be32(size_be);
    if (size > 64u << 20)
        return -1;
    uint8_t *frame = malloc(size ? size : 1);
    if (!frame || io_full(c->fd, frame, size, 0, timeout_ms) != 0) {
        free(frame);
        return -1;
    }
    *framep = frame;
    *lenp = size;
    return 0;
}

int wire_wait_closed(wire_client_t *c, int timeout_ms)
{
    uint8_t sink[4096];
    for (;;) {
        struct pollfd pfd = {c->fd, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            return -1;
        ssize_t n = read(c->fd, sink, sizeof sink);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}
