/* Our broker's secured listeners (issue 17), with our client: SSL,
 * SASL_PLAINTEXT and SASL_SSL with PLAIN, SCRAM-SHA-256 and -512, mutual
 * TLS; and the refusals, each fast and with Kafka's error: wrong password,
 * unknown user, a mechanism not enabled, a plaintext client on the TLS
 * port, a SASL client on a plaintext listener, a request sent before
 * authenticating or between SaslHandshake and SaslAuthenticate, a missing
 * client certificate; the log says why when a client refuses the broker's
 * certificate and leaves at once. The credentials are kept salted in the
 * log directory and survive a restart. TLS records cut anywhere by the
 * network are served once whole. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <kafkalite.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "broker/scram_store.h"
#include "security/sec_broker.h"
#include "security/sec_client.h"
#include "security/tls_certs.h"

static tls_certs_t certs;
static sec_broker_t sb;

static void start(void)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, NULL);
}

static void stop(void)
{
    sec_broker_stop(&sb);
    tls_certs_remove(&certs);
}

#define SCRAM(protocol, port, mech, user, password, ...)                                                         \
    sec_conf("localhost", port, protocol, "sasl.mechanisms", mech, "sasl.username", user, "sasl.password",     \
             password, __VA_ARGS__)

static void assert_round_trip(kl_conf_t *produce_conf, kl_conf_t *consume_conf, const char *topic, int count,
                              size_t size)
{
    sec_produce(produce_conf, topic, count, size);
    ck_assert_msg(sec_seen.delivered == count, "delivered %d, failed %d (%s); log:\n%s", sec_seen.delivered,
                  sec_seen.failed, kl_err_str(sec_seen.last_err), sec_seen.log);
    ck_assert_int_eq(sec_consume(consume_conf, topic, count, size), count);
}

/* ---- working connections ------------------------------------------------ */

START_TEST(test_ssl_listener)
{
    start();
    /* 300 KB values: requests and responses span many TLS records */
    assert_round_trip(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, NULL),
                      sec_conf("127.0.0.1", sb.ssl, "ssl", "ssl.ca.location", certs.ca, NULL), "tls", 20, 300000);
    stop();
}
END_TEST

START_TEST(test_sasl_plaintext_scram_sha_256)
{
    start();
    assert_round_trip(SCRAM("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-256", SEC_USER, SEC_PASSWORD, NULL),
                      SCRAM("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-256", SEC_USER, SEC_PASSWORD, NULL),
                      "scram256", 50, 1000);
    stop();
}
END_TEST

START_TEST(test_sasl_ssl_scram_sha_512)
{
    start();
    assert_round_trip(
        SCRAM("sasl_ssl", sb.sasl_ssl, "SCRAM-SHA-512", SEC_USER, SEC_PASSWORD, "ssl.ca.location", certs.ca, NULL),
        SCRAM("sasl_ssl", sb.sasl_ssl, "SCRAM-SHA-512", SEC_USER, SEC_PASSWORD, "ssl.ca.location", certs.ca, NULL),
        "scram512", 10, 200000);
    stop();
}
END_TEST

START_TEST(test_sasl_plain)
{
    start();
    assert_round_trip(
        SCRAM("sasl_ssl", sb.sasl_ssl, "PLAIN", SEC_USER, SEC_PASSWORD, "ssl.ca.location", certs.ca, NULL),
        SCRAM("sasl_plaintext", sb.sasl_plaintext, "PLAIN", SEC_USER, SEC_PASSWORD, NULL), "plain", 10, 100);
    stop();
}
END_TEST

START_TEST(test_mutual_tls)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "ssl.client.auth", "required", "ssl.truststore.location", certs.ca, NULL);
    sec_produce(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "ssl.certificate.location",
                         certs.client, "ssl.key.location", certs.client_key, "ssl.key.password",
                         TLS_CERTS_KEY_PASSWORD, NULL),
                "mtls", 5, 100);
    ck_assert_msg(sec_seen.delivered == 5, "delivered %d; log:\n%s", sec_seen.delivered, sec_seen.log);
    /* no certificate: the handshake is refused, nothing is served */
    long long t0 = sec_now_ms();
    sec_produce(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "message.timeout.ms", "4000",
                         NULL),
                "mtls", 3, 100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.delivered == 0, "delivered %d; log:\n%s", sec_seen.delivered,
                  sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, "TLS"), "the log does not name TLS:\n%s", sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - t0, 25000);
    stop();
}
END_TEST

/* ssl.crl.location on the broker: a revoked client certificate is refused
 * in the handshake, with the reason in the broker's log; an unrevoked one
 * from the same CA is served; a bad CRL file refuses the start. */
START_TEST(test_mutual_tls_crl)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "ssl.client.auth", "required", "ssl.truststore.location", certs.ca,
                     "ssl.crl.location", certs.crl, NULL);
    sec_produce(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "ssl.certificate.location",
                         certs.client, "ssl.key.location", certs.client_key, "ssl.key.password",
                         TLS_CERTS_KEY_PASSWORD, NULL),
                "crl", 1, 100);
    ck_assert_msg(sec_seen.delivered == 1, "delivered %d; log:\n%s", sec_seen.delivered, sec_seen.log);
    char log[16384];
    sec_broker_take_log(log, sizeof log);
    sec_produce(sec_conf("localhost", sb.ssl, "ssl", "ssl.ca.location", certs.ca, "ssl.certificate.location",
                         certs.client_revoked, "ssl.key.location", certs.client_key, "ssl.key.password",
                         TLS_CERTS_KEY_PASSWORD, "message.timeout.ms", "4000", NULL),
                "crl", 1, 100);
    ck_assert_msg(sec_seen.failed == 1 && sec_seen.delivered == 0, "delivered %d; log:\n%s", sec_seen.delivered,
                  sec_seen.log);
    ck_assert_msg(sec_seen.last_err == KL_ERR_SSL, "failed with %s; log:\n%s", kl_err_str(sec_seen.last_err),
                  sec_seen.log);
    ck_assert_msg(strstr(sec_seen.log, "TLS read: the broker refused our certificate: certificate revoked"),
                  "the client's log lacks the reason:\n%s", sec_seen.log);
    /* the broker logs after its alert went out: wait for the line */
    const char *want = "TLS handshake failed: certificate verify failed: revoked certificate";
    size_t used = 0;
    log[0] = '\0';
    for (long long end = sec_now_ms() + 10000; !strstr(log, want) && sec_now_ms() < end; usleep(20000)) {
        sec_broker_take_log(log + used, sizeof log - used);
        used += strlen(log + used);
    }
    ck_assert_msg(strstr(log, want), "the broker's log lacks the reason:\n%s", log);

    /* refused before it touches the (running broker's) directory */
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", sb.dir, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "SSL://127.0.0.1:0", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "ssl.certificate.location", certs.good, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "ssl.key.location", certs.key, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "listener.name.ssl.ssl.crl.location", "/nonexistent/ca.crl", errstr,
                                 sizeof errstr),
                     KL_ERR_NONE);
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(errstr, "listener SSL: ssl.crl.location: cannot read /nonexistent/ca.crl"), "%s", errstr);
    stop();
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

START_TEST(test_wrong_password)
{
    start();
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-256", SEC_USER, "nope", NULL),
                        "Authentication failed during authentication due to invalid credentials with SASL "
                        "mechanism SCRAM-SHA-256");
    sec_assert_auth_refused(SCRAM("sasl_ssl", sb.sasl_ssl, "SCRAM-SHA-512", SEC_USER, "nope", "ssl.ca.location",
                              certs.ca, NULL),
                        "SASL authentication failed: Authentication failed during authentication due to invalid "
                        "credentials with SASL mechanism SCRAM-SHA-512");
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.sasl_plaintext, "PLAIN", SEC_USER, "nope", NULL),
                        "Authentication failed: Invalid username or password");
    stop();
}
END_TEST

START_TEST(test_unknown_user)
{
    start();
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-512", "bob", SEC_PASSWORD, NULL),
                        "invalid credentials with SASL mechanism SCRAM-SHA-512");
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.sasl_plaintext, "PLAIN", "bob", SEC_PASSWORD, NULL),
                        "Invalid username or password");
    stop();
}
END_TEST

START_TEST(test_mechanism_not_enabled)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "sasl.enabled.mechanisms", "SCRAM-SHA-512", NULL);
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.sasl_plaintext, "PLAIN", SEC_USER, SEC_PASSWORD, NULL),
                        "does not enable PLAIN (it offers: SCRAM-SHA-512)");
    stop();
}
END_TEST

START_TEST(test_sasl_client_on_plaintext_listener)
{
    start();
    sec_assert_auth_refused(SCRAM("sasl_plaintext", sb.plaintext, "SCRAM-SHA-256", SEC_USER, SEC_PASSWORD, NULL),
                        "SASL handshake failed: Illegal SASL state");
    stop();
}
END_TEST

START_TEST(test_plaintext_client_on_tls_port)
{
    start();
    long long t0 = sec_now_ms();
    sec_produce(sec_conf("127.0.0.1", sb.ssl, "plaintext", "message.timeout.ms", "3000", NULL), "wrong-port", 3,
                100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.delivered == 0, "delivered %d; log:\n%s", sec_seen.delivered,
                  sec_seen.log);
    ck_assert_int_lt(sec_now_ms() - t0, 25000);
    /* and a TLS client on the plaintext port */
    sec_produce(sec_conf("localhost", sb.plaintext, "ssl", "ssl.ca.location", certs.ca, "message.timeout.ms",
                         "3000", NULL),
                "wrong-port", 3, 100);
    ck_assert_msg(sec_seen.failed == 3 && sec_seen.delivered == 0, "delivered %d", sec_seen.delivered);
    ck_assert_msg(strstr(sec_seen.log, "TLS"), "the log does not name TLS:\n%s", sec_seen.log);
    /* nothing of either reached the broker: the topic was never made */
    char partition[128];
    snprintf(partition, sizeof partition, "%s/wrong-port-0", sb.dir);
    ck_assert_int_ne(access(partition, F_OK), 0);
    stop();
}
END_TEST

/* A request frame (header v1, correlation id 7, client id "t", body) into
 * frame (256 bytes); its length. */
static size_t frame_of(unsigned char *frame, int16_t key, int16_t version, const void *body, size_t len)
{
    size_t n = 4;
    uint16_t k = htons((uint16_t)key), v = htons((uint16_t)version), idlen = htons(1);
    uint32_t corr = htonl(7);
    memcpy(frame + n, &k, 2), n += 2;
    memcpy(frame + n, &v, 2), n += 2;
    memcpy(frame + n, &corr, 4), n += 4;
    memcpy(frame + n, &idlen, 2), n += 2;
    frame[n++] = 't';
    if (len) /* body may be NULL then */
        memcpy(frame + n, body, len), n += len;
    uint32_t size = htonl((uint32_t)(n - 4));
    memcpy(frame, &size, 4);
    return n;
}

/* Writes a request frame (frame_of()) on fd. */
static void send_request(int fd, int16_t key, int16_t version, const void *body, size_t len)
{
    unsigned char frame[256];
    size_t n = frame_of(frame, key, version, body, len);
    ck_assert_int_eq(send(fd, frame, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads until the peer closes (true) or 20 s pass with the connection
 * open (false). */
static bool closed_by_peer(int fd)
{
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    long long deadline = sec_now_ms() + 20000;
    unsigned char buf[4096];
    while (sec_now_ms() < deadline) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return true;
    }
    return false;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

START_TEST(test_request_before_authentication)
{
    start();
    /* Metadata v1 for every topic (a null array), before any SaslHandshake */
    static const unsigned char all_topics[] = {0xff, 0xff, 0xff, 0xff};
    int fd = connect_to(sb.sasl_plaintext);
    send_request(fd, 3, 1, all_topics, sizeof all_topics);
    ck_assert_msg(closed_by_peer(fd), "the broker served a request before authentication");
    close(fd);
    /* SaslAuthenticate without SaslHandshake */
    static const unsigned char token[] = {0, 0, 0, 1, 'x'};
    fd = connect_to(sb.sasl_plaintext);
    send_request(fd, 36, 0, token, sizeof token);
    ck_assert(closed_by_peer(fd));
    close(fd);
    /* the same Metadata on the plaintext listener is answered: the
     * connection stays */
    fd = connect_to(sb.plaintext);
    send_request(fd, 3, 1, all_topics, sizeof all_topics);
    unsigned char size[4];
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ck_assert_int_eq(recv(fd, size, 4, MSG_WAITALL), 4);
    close(fd);
    stop();
}
END_TEST

/* The broker's log lines since the last call, up to 16 KiB. */
static char seen_log[16384];

/* Waits (20 s at most) for a broker log line holding want; the lines
 * read are in seen_log. */
static bool logged(const char *want)
{
    char chunk[16384];
    seen_log[0] = '\0';
    for (long long deadline = sec_now_ms() + 20000; sec_now_ms() < deadline; usleep(20000)) {
        sec_broker_take_log(chunk, sizeof chunk);
        size_t n = strlen(seen_log);
        snprintf(seen_log + n, sizeof seen_log - n, "%s", chunk);
        if (strstr(seen_log, want))
            return true;
    }
    return false;
}

/* A client that refuses the broker's certificate sends its alert and
 * goes, often with a reset (it closes with the broker's records unread):
 * the broker reads the alert before it closes, and says why. Whether the
 * reset comes before the broker reads is chance, so 4 clients (the
 * broker logs 5 TLS failures in 10 s at most). */
START_TEST(test_client_refusal_logged)
{
    start();
    for (int i = 0; i < 4; i++) {
        int fd = connect_to(sb.ssl);
        struct linger reset = {.l_onoff = 1, .l_linger = 0}; /* close(2) resets */
        ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        ck_assert_ptr_nonnull(ctx);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL); /* trusting no CA */
        SSL *ssl = SSL_new(ctx);
        ck_assert_ptr_nonnull(ssl);
        SSL_set_fd(ssl, fd);
        int connected = SSL_connect(ssl);
        close(fd);
        ck_assert_int_le(connected, 0);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        ck_assert_msg(logged("closing the connection on SSL: TLS handshake failed: the client refused our "
                             "certificate: unknown ca"),
                      "client %d: the broker did not say why it left; it said:\n%s", i, seen_log);
    }
    stop();
}
END_TEST

/* Reads one response frame (20 s at most) into buf (size bytes); its
 * length, or -1. */
static ssize_t read_frame(int fd, unsigned char *buf, size_t size)
{
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    uint32_t len;
    if (recv(fd, &len, 4, MSG_WAITALL) != 4)
        return -1;
    len = ntohl(len);
    if (len > size || recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len)
        return -1;
    return (ssize_t)len;
}

/* The authenticated connection fd is served until end_ms (monotonic),
 * and closed on its first request after. */
static void assert_session_ends(int fd, long long end_ms)
{
    static const unsigned char all_topics[] = {0xff, 0xff, 0xff, 0xff};
    unsigned char buf[4096];
    send_request(fd, 3, 1, all_topics, sizeof all_topics);
    ck_assert_msg(read_frame(fd, buf, sizeof buf) > 0, "not served during the session");
    while (sec_now_ms() < end_ms)
        usleep(50000);
    send_request(fd, 3, 1, all_topics, sizeof all_topics);
    ck_assert_msg(closed_by_peer(fd), "a request after the session ended was served");
}

/* ---- TLS records cut anywhere ------------------------------------------- */

/* A TLS client on memory BIOs over a socket: the test sends what OpenSSL
 * wrote by hand, so it can cut records where it likes. */
typedef struct raw_tls {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out; /* bytes from the network to OpenSSL, from OpenSSL to the network */
    int fd;
} raw_tls_t;

static size_t raw_pending(raw_tls_t *t) { return BIO_ctrl_pending(t->out); }

/* Sends the next len bytes OpenSSL wrote. */
static void raw_send(raw_tls_t *t, size_t len)
{
    unsigned char buf[16384];
    ck_assert_uint_le(len, sizeof buf);
    ck_assert_int_eq(BIO_read(t->out, buf, (int)len), (int)len);
    ck_assert_int_eq(send(t->fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Hands OpenSSL what the socket brings within a second; fails the test
 * when the broker closed the connection or deadline (ms) passed. */
static void raw_receive(raw_tls_t *t, long long deadline)
{
    ck_assert_msg(sec_now_ms() < deadline, "no answer from the broker in 20 s");
    unsigned char buf[16384];
    struct timeval tv = {.tv_sec = 1};
    setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = recv(t->fd, buf, sizeof buf, 0);
    ck_assert_msg(n != 0, "the broker closed the connection");
    if (n > 0)
        ck_assert_int_eq(BIO_write(t->in, buf, (int)n), (int)n);
}

static void raw_connect(raw_tls_t *t, int port)
{
    t->ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(t->ctx);
    ck_assert_int_eq(SSL_CTX_load_verify_locations(t->ctx, certs.ca, NULL), 1);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    t->ssl = SSL_new(t->ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    ck_assert(t->ssl && t->in && t->out);
    SSL_set_bio(t->ssl, t->in, t->out);
    SSL_set_connect_state(t->ssl);
    t->fd = connect_to(port);
    long long deadline = sec_now_ms() + 20000;
    int r;
    while ((r = SSL_do_handshake(t->ssl)) != 1) {
        ck_assert_int_eq(SSL_get_error(t->ssl, r), SSL_ERROR_WANT_READ);
        if (raw_pending(t))
            raw_send(t, raw_pending(t));
        raw_receive(t, deadline);
    }
    if (raw_pending(t)) /* our Finished */
        raw_send(t, raw_pending(t));
}

static void raw_close(raw_tls_t *t)
{
    close(t->fd);
    SSL_free(t->ssl); /* and its BIOs */
    SSL_CTX_free(t->ctx);
}

/* Reads one response frame (20 s at most); its correlation id. */
static int32_t raw_response(raw_tls_t *t)
{
    unsigned char buf[16384];
    size_t have = 0, n;
    uint32_t len = 0;
    long long deadline = sec_now_ms() + 20000;
    for (;;) {
        while (have < sizeof buf && SSL_read_ex(t->ssl, buf + have, sizeof buf - have, &n) == 1)
            have += n;
        if (have >= 4) {
            memcpy(&len, buf, 4);
            len = ntohl(len);
            ck_assert_uint_le(4 + len, sizeof buf);
        }
        if (have >= 8 && have >= 4 + len)
            break;
        raw_receive(t, deadline);
    }
    ck_assert_uint_eq(have, 4 + len); /* one response per request */
    uint32_t corr;
    memcpy(&corr, buf + 4, 4);
    return (int32_t)ntohl(corr);
}

/* A whole record holding a request, then part of the next one: the
 * broker, which reads ahead more than a record, serves the request and
 * waits for the rest of the part (bytes no socket event will announce
 * again) without spinning: its one network thread serves another client
 * meanwhile; then it serves the second request. */
START_TEST(test_tls_record_cut_after_a_request)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "num.network.threads", "1", NULL);
    raw_tls_t t;
    raw_connect(&t, sb.ssl);
    unsigned char frame[256];
    size_t n = frame_of(frame, 18, 0, NULL, 0), w; /* ApiVersions v0 */
    ck_assert_int_eq(SSL_write_ex(t.ssl, frame, n, &w), 1);
    size_t first = raw_pending(&t);
    ck_assert_int_eq(SSL_write_ex(t.ssl, frame, n, &w), 1);
    size_t second = raw_pending(&t) - first;
    raw_send(&t, first + second / 2); /* one send: one read on the broker's side */
    ck_assert_int_eq(raw_response(&t), 7);
    int other = connect_to(sb.plaintext);
    send_request(other, 18, 0, NULL, 0);
    unsigned char answer[4096];
    ck_assert_msg(read_frame(other, answer, sizeof answer) > 0, "the network thread served no one else");
    close(other);
    raw_send(&t, second - second / 2);
    ck_assert_int_eq(raw_response(&t), 7);
    raw_close(&t);
    stop();
}

/* A request between SaslHandshake and SaslAuthenticate (authentication
 * begun, not done): not served, the connection is closed. */
START_TEST(test_request_during_authentication)
{
    start();
    unsigned char buf[4096];
    int fd = connect_to(sb.sasl_plaintext);
    static const unsigned char plain[] = {0, 5, 'P', 'L', 'A', 'I', 'N'};
    send_request(fd, 17, 1, plain, sizeof plain);
    ck_assert_int_ge(read_frame(fd, buf, sizeof buf), 6);
    ck_assert_int_eq(buf[4] << 8 | buf[5], 0); /* the handshake is answered */
    static const unsigned char all_topics[] = {0xff, 0xff, 0xff, 0xff};
    send_request(fd, 3, 1, all_topics, sizeof all_topics);
    ck_assert_msg(closed_by_peer(fd), "the broker served a request during authentication");
    close(fd);
    stop();
}
END_TEST

/* KIP-368: a client that never re-authenticates (SaslAuthenticate v0
 * cannot even learn the session lifetime) is served during its session
 * and disconnected on its first request after it. */
START_TEST(test_expired_session_closed)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "connections.max.reauth.ms", "4000", NULL);
    unsigned char buf[4096];
    int fd = connect_to(sb.sasl_plaintext);
    static const unsigned char plain[] = {0, 5, 'P', 'L', 'A', 'I', 'N'};
    send_request(fd, 17, 1, plain, sizeof plain);
    ck_assert_int_ge(read_frame(fd, buf, sizeof buf), 6);
    ck_assert_int_eq(buf[4] << 8 | buf[5], 0); /* after the correlation id */
    unsigned char token[64] = {0, 0, 0, 0, 0};
    int n = snprintf((char *)token + 5, sizeof token - 5, "%s", SEC_USER) + 5;
    n += snprintf((char *)token + n + 1, sizeof token - (size_t)n - 1, "%s", SEC_PASSWORD) + 1;
    token[3] = (unsigned char)(n - 4);
    send_request(fd, 36, 0, token, (size_t)n);
    ck_assert_int_ge(read_frame(fd, buf, sizeof buf), 6);
    ck_assert_int_eq(buf[4] << 8 | buf[5], 0);
    long long authenticated = sec_now_ms();
    assert_session_ends(fd, authenticated + 4500); /* the session's end, plus a margin */
    close(fd);
    stop();
}
END_TEST

/* KIP-368 with OAUTHBEARER: the session ends when the token does, long
 * before connections.max.reauth.ms; SaslAuthenticate v1 says so, and a
 * client that does not re-authenticate is disconnected on its first
 * request after the token expired. */
START_TEST(test_token_expiry_ends_session)
{
    tls_certs_make(&certs);
    sec_broker_start(&sb, &certs, "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER",
                     "connections.max.reauth.ms", "600000", NULL);
    unsigned char buf[4096], token[256] = {0};
    int fd = connect_to(sb.sasl_plaintext);
    static const unsigned char mech[] = {0, 11, 'O', 'A', 'U', 'T', 'H', 'B', 'E', 'A', 'R', 'E', 'R'};
    send_request(fd, 17, 1, mech, sizeof mech);
    ck_assert_int_ge(read_frame(fd, buf, sizeof buf), 6);
    ck_assert_int_eq(buf[4] << 8 | buf[5], 0);
    long long now = time(NULL);
    char *jwt = sec_unsecured_jwt("carol", now, now + 2);
    int n = snprintf((char *)token + 4, sizeof token - 4, "n,,\1auth=Bearer %s\1\1", jwt);
    free(jwt);
    ck_assert_int_lt(n, (int)sizeof token - 4);
    token[3] = (unsigned char)n;
    send_request(fd, 36, 1, token, (size_t)n + 4);
    /* v1: correlation id, error code, null message, empty bytes, lifetime */
    ck_assert_int_eq(read_frame(fd, buf, sizeof buf), 4 + 2 + 2 + 4 + 8);
    ck_assert_int_eq(buf[4] << 8 | buf[5], 0);
    long long authenticated = sec_now_ms(), lifetime = 0;
    for (int i = 12; i < 20; i++)
        lifetime = lifetime << 8 | buf[i];
    ck_assert_msg(lifetime > 0 && lifetime <= 2000, "session lifetime %lld ms", lifetime);
    assert_session_ends(fd, authenticated + lifetime + 300); /* the token's end, plus a margin */
    close(fd);
    stop();
}
END_TEST

START_TEST(test_credentials_salted_and_durable)
{
    start();
    char path[128];
    snprintf(path, sizeof path, "%s/%s", sb.dir, SCRAM_STORE_NAME);
    char *text = tls_certs_read(path);
    ck_assert_msg(!strstr(text, SEC_PASSWORD), "the password is stored:\n%s", text);
    ck_assert_msg(strstr(text, SEC_USER " SCRAM-SHA-256 4096 ") && strstr(text, SEC_USER " SCRAM-SHA-512 4096 "),
                  "%s", text);
    free(text);
    sec_broker_restart(&sb);
    sec_produce(SCRAM("sasl_plaintext", sb.sasl_plaintext, "SCRAM-SHA-512", SEC_USER, SEC_PASSWORD, NULL), "again",
                3, 100);
    ck_assert_msg(sec_seen.delivered == 3, "log:\n%s", sec_seen.log);
    stop();
}
END_TEST

START_TEST(test_corrupt_credentials_refused_at_start)
{
    start();
    ck_assert_int_eq(kl_broker_stop(sb.broker), KL_ERR_NONE);
    kl_broker_destroy(sb.broker);
    sb.broker = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", sb.dir, SCRAM_STORE_NAME);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("bob SCRAM-SHA-256 4096 not-base64\n", f);
    fclose(f);
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", sb.dir, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, sizeof errstr), KL_ERR_NONE);
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(errstr, SCRAM_STORE_NAME ", line 4"), "%s", errstr);
    /* nothing was dropped: alice's lines are still there */
    char *text = tls_certs_read(path);
    ck_assert_ptr_nonnull(strstr(text, SEC_USER " SCRAM-SHA-512"));
    free(text);
    stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_security");
    TCase *tc = tcase_create("listeners");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_ssl_listener);
    tcase_add_test(tc, test_sasl_plaintext_scram_sha_256);
    tcase_add_test(tc, test_sasl_ssl_scram_sha_512);
    tcase_add_test(tc, test_sasl_plain);
    tcase_add_test(tc, test_mutual_tls);
    tcase_add_test(tc, test_mutual_tls_crl);
    tcase_add_test(tc, test_wrong_password);
    tcase_add_test(tc, test_unknown_user);
    tcase_add_test(tc, test_mechanism_not_enabled);
    tcase_add_test(tc, test_sasl_client_on_plaintext_listener);
    tcase_add_test(tc, test_plaintext_client_on_tls_port);
    tcase_add_test(tc, test_request_before_authentication);
    tcase_add_test(tc, test_tls_record_cut_after_a_request);
    tcase_add_test(tc, test_client_refusal_logged);
    tcase_add_test(tc, test_request_during_authentication);
    tcase_add_test(tc, test_expired_session_closed);
    tcase_add_test(tc, test_token_expiry_ends_session);
    tcase_add_test(tc, test_credentials_salted_and_durable);
    tcase_add_test(tc, test_corrupt_credentials_refused_at_start);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
