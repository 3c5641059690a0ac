/* The embedded broker's HTTP console through the public API: off unless
 * console.listeners is set; set to port 0, kl_broker_console_address()
 * gives the bound URL, which answers over a plain socket (a tiny HTTP
 * client here); a bad address is refused by kl_broker_new() naming the
 * property; the console's thread goes away with the broker, and an idle
 * connection left open does not hold the stop. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "broker_fixture.h"

static const char *const with_console[] = {"console.listeners", "http://127.0.0.1:0", NULL};

#ifdef WITH_MICROHTTPD
/* A connected socket to the console at url (http://127.0.0.1:port). */
static int connect_console(const char *url)
{
    int port = 0;
    ck_assert_int_eq(sscanf(url, "http://127.0.0.1:%d", &port), 1);
    ck_assert_int_gt(port, 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct timeval tv = {.tv_sec = 30};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* GET path: the status, the body in body (NUL-terminated, truncated). */
static int http_get(const char *url, const char *path, char *body, size_t size)
{
    int fd = connect_console(url);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", path);
    ck_assert_int_eq(write(fd, req, (size_t)n), n);
    char resp[65536];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof resp - 1 && (r = read(fd, resp + len, sizeof resp - 1 - len)) > 0)
        len += (size_t)r;
    close(fd);
    resp[len] = '\0';
    int status = 0;
    ck_assert_int_eq(sscanf(resp, "HTTP/1.1 %d", &status), 1);
    const char *start = strstr(resp, "\r\n\r\n");
    snprintf(body, size, "%s", start ? start + 4 : "");
    return status;
}

START_TEST(test_console_off_by_default)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    ck_assert_ptr_null(kl_broker_console_address(f.broker));
    fixture_stop(&f);
}
END_TEST

START_TEST(test_console_serves)
{
    broker_fixture_t f;
    fixture_start(&f, with_console);
    const char *url = kl_broker_console_address(f.broker);
    ck_assert_ptr_nonnull(url);
    char body[4096];
    ck_assert_int_eq(http_get(url, "/healthz", body, sizeof body), 200);
    ck_assert_str_eq(body, "ok\n");
    ck_assert_int_eq(http_get(url, "/readyz", body, sizeof body), 200);
    ck_assert_ptr_nonnull(strstr(body, "ready\n"));
    ck_assert_int_eq(http_get(url, "/api/v1/cluster", body, sizeof body), 200);
    char want[128];
    snprintf(want, sizeof want, "\"console\":\"%s\"", url);
    ck_assert_ptr_nonnull(strstr(body, want));
    ck_assert_int_eq(http_get(url, "/api/v1/topics?internal=1", body, sizeof body), 400);
    ck_assert_ptr_nonnull(strstr(body, "internal must be true or false"));
    ck_assert_int_eq(http_get(url, "/", body, sizeof body), 200);
    ck_assert_ptr_nonnull(strstr(body, "<!doctype html>"));
    ck_assert_int_eq(http_get(url, "/nothing-here", body, sizeof body), 404);
    fixture_stop(&f);
}
END_TEST

/* A client that connected and said nothing does not hold up the stop
 * (the test's timeout would catch a hang). */
START_TEST(test_console_idle_client_at_stop)
{
    broker_fixture_t f;
    fixture_start(&f, with_console);
    int fd = connect_console(kl_broker_console_address(f.broker));
    fixture_stop(&f);
    close(fd);
}
END_TEST

START_TEST(test_console_thread_stops)
{
    ck_assert_int_eq(fixture_threads_added(with_console) - fixture_threads_added(NULL), 1);
}
END_TEST

START_TEST(test_console_bad_address)
{
    static const char *const bad[] = {"ftp://127.0.0.1:0", "http://127.0.0.1", "http://127.0.0.1:70000",
                                      "http://a:0,http://b:0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kl_conf_t *conf = kl_broker_conf_new();
        char errstr[512];
        ck_assert_int_eq(kl_conf_set(conf, "log.dirs", "/nonexistent/never-used", errstr, sizeof errstr), 0);
        ck_assert_int_eq(kl_conf_set(conf, "console.listeners", bad[i], errstr, sizeof errstr), 0);
        kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
        kl_conf_destroy(conf);
        ck_assert_msg(b == NULL, "%s accepted", bad[i]);
        ck_assert_msg(strstr(errstr, "console.listeners") != NULL, "%s: %s", bad[i], errstr);
    }
}
END_TEST
#else
/* Built without libmicrohttpd: setting it is refused, saying why. */
START_TEST(test_console_unavailable)
{
    kl_conf_t *conf = kl_broker_conf_new();
    char errstr[512];
    ck_assert_int_eq(kl_conf_set(conf, "console.listeners", with_console[1], errstr, sizeof errstr), 0);
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(errstr, "libmicrohttpd"));
}
END_TEST
#endif

static Suite *console_suite(void)
{
    Suite *s = suite_create("broker_console");
    TCase *tc = tcase_create("console");
    tcase_set_timeout(tc, 60);
#ifdef WITH_MICROHTTPD
    tcase_add_test(tc, test_console_off_by_default);
    tcase_add_test(tc, test_console_serves);
    tcase_add_test(tc, test_console_idle_client_at_stop);
    tcase_add_test(tc, test_console_thread_stops);
    tcase_add_test(tc, test_console_bad_address);
#else
    tcase_add_test(tc, test_console_unavailable);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(console_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
