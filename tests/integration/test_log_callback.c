/* A log callback set on any handle (producer, consumer, admin client,
 * embedded broker) receives its lines and nothing goes to standard error:
 * each case runs with file descriptor 2 redirected to a file, checked
 * empty at the end. Client lines reach the callback on the application's
 * thread, inside its polls and blocking calls; the broker's from whichever
 * thread logs, one call at a time. The clients point at a dead port, which
 * makes them log connection failures. Waits poll with deadlines. */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <kafkalite.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_fixture.h"

#define WAIT_MS 10000

static struct {
    pthread_mutex_t lock;
    int lines;
    int off_thread;  /* lines delivered on another thread than app */
    int overlapping; /* calls that ran while another was running */
    int running;
    pthread_t app;
    char last[256];
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque;
    (void)level;
    pthread_mutex_lock(&seen.lock);
    if (seen.running++)
        seen.overlapping++;
    seen.lines++;
    if (!pthread_equal(pthread_self(), seen.app))
        seen.off_thread++;
    snprintf(seen.last, sizeof seen.last, "%s: %s", facility, message);
    pthread_mutex_unlock(&seen.lock);
    usleep(1000); /* widens the window in which two calls would overlap */
    pthread_mutex_lock(&seen.lock);
    seen.running--;
    pthread_mutex_unlock(&seen.lock);
}

static int lines(void)
{
    pthread_mutex_lock(&seen.lock);
    int n = seen.lines;
    pthread_mutex_unlock(&seen.lock);
    return n;
}

static void seen_reset(void)
{
    pthread_mutex_lock(&seen.lock);
    seen.lines = seen.off_thread = seen.overlapping = seen.running = 0;
    seen.app = pthread_self();
    seen.last[0] = '\0';
    pthread_mutex_unlock(&seen.lock);
}

/* ---- standard error, captured ---- */

static int saved_stderr = -1;
static char capture_path[64];

static void capture_stderr(void)
{
    snprintf(capture_path, sizeof capture_path, "/tmp/kl-logcb-XXXXXX");
    int fd = mkstemp(capture_path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    saved_stderr = dup(2);
    ck_assert_int_ge(saved_stderr, 0);
    ck_assert_int_eq(dup2(fd, 2), 2);
    close(fd);
}

/* Restores standard error; returns how many bytes went to it meanwhile
 * (and shows them). */
static long release_stderr(void)
{
    fflush(stderr);
    ck_assert_int_eq(dup2(saved_stderr, 2), 2);
    close(saved_stderr);
    struct stat st;
    ck_assert_int_eq(stat(capture_path, &st), 0);
    if (st.st_size > 0) {
        char buf[512];
        FILE *f = fopen(capture_path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[n] = '\0';
        if (f)
            fclose(f);
        fprintf(stderr, "went to standard error: %s\n", buf);
    }
    unlink(capture_path);
    return (long)st.st_size;
}

/* ---- clients against a dead port ---- */

static kl_conf_t *client_conf(void)
{
    char errstr[256], bootstrap[32];
    snprintf(bootstrap, sizeof bootstrap, "127.0.0.1:%d", fixture_dead_port());
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "reconnect.backoff.ms", "20", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "reconnect.backoff.max.ms", "100", errstr, sizeof errstr), KL_ERR_NONE);
    kl_conf_set_log_cb(conf, on_log);
    return conf;
}

START_TEST(test_producer)
{
    seen_reset();
    capture_stderr();
    kl_conf_t *conf = client_conf();
    char errstr[256];
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (p && lines() < 1 && fixture_now_ms() < deadline)
        kl_producer_poll(p, 100);
    int during = lines();
    kl_producer_destroy(p);
    long err_bytes = release_stderr();
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    ck_assert_int_ge(during, 1);
    ck_assert_int_eq(seen.off_thread, 0);
    ck_assert_int_eq(err_bytes, 0);
}
END_TEST

static kl_consumer_t *consumer_new(char *errstr, size_t errstr_size)
{
    kl_conf_t *conf = client_conf();
    kl_consumer_t *c = kl_consumer_new(conf, errstr, errstr_size);
    kl_conf_destroy(conf);
    return c;
}

START_TEST(test_consumer_poll)
{
    seen_reset();
    capture_stderr();
    char errstr[256];
    kl_consumer_t *c = consumer_new(errstr, sizeof errstr);
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (c && lines() < 1 && fixture_now_ms() < deadline)
        kl_message_destroy(kl_consumer_poll(c, 100));
    int polled = lines();
    if (c) {
        kl_consumer_close(c);
        kl_consumer_destroy(c);
    }
    long err_bytes = release_stderr();
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    ck_assert_int_ge(polled, 1);
    ck_assert_int_eq(seen.off_thread, 0);
    ck_assert_int_eq(err_bytes, 0);
}
END_TEST

/* A blocking call serves the lines too, with no poll at all. */
START_TEST(test_consumer_blocking_call)
{
    seen_reset();
    capture_stderr();
    char errstr[256];
    kl_consumer_t *c = consumer_new(errstr, sizeof errstr);
    int64_t lo, hi;
    kl_err_t qerr = c ? kl_query_watermark_offsets(c, "t", 0, &lo, &hi, 1500) : KL_ERR_NONE;
    int queried = lines();
    if (c) {
        kl_consumer_close(c);
        kl_consumer_destroy(c);
    }
    long err_bytes = release_stderr();
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    ck_assert_int_ne(qerr, KL_ERR_NONE);
    ck_assert_msg(queried >= 1, "no line during kl_query_watermark_offsets");
    ck_assert_int_eq(seen.off_thread, 0);
    ck_assert_int_eq(err_bytes, 0);
}
END_TEST

/* The admin client's blocking calls serve the lines (it has no poll): it
 * used to keep them queued and drop them at destroy. */
START_TEST(test_admin)
{
    seen_reset();
    capture_stderr();
    kl_conf_t *conf = client_conf();
    char errstr[256];
    kl_admin_t *a = kl_admin_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    kl_admin_groups_t *groups = NULL;
    kl_err_t err = a ? kl_admin_list_groups(a, 1500, &groups) : KL_ERR_NONE;
    int during = lines();
    kl_admin_groups_destroy(groups);
    kl_admin_destroy(a);
    long err_bytes = release_stderr();
    ck_assert_msg(a != NULL, "kl_admin_new: %s", errstr);
    ck_assert_int_eq(err, KL_ERR_TIMED_OUT);
    ck_assert_msg(during >= 1, "%d lines during kl_admin_list_groups", during);
    ck_assert_int_eq(seen.off_thread, 0);
    ck_assert_int_eq(err_bytes, 0);
}
END_TEST

/* ---- the embedded broker ---- */

/* A request size the broker refuses: it logs the closing from its own
 * threads. */
static void send_bad_frame(const char *bootstrap)
{
    int port = atoi(strchr(bootstrap, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    static const unsigned char negative[4] = {0xff, 0xff, 0xff, 0xf0};
    ck_assert_int_eq(write(fd, negative, sizeof negative), 4);
    char b;
    (void)read(fd, &b, 1); /* returns once the broker closed it */
    close(fd);
}

START_TEST(test_broker)
{
    seen_reset();
    setenv("KAFKALITE_BROKER_LOG", "6", 1);
    capture_stderr();
    char dir[] = "/tmp/kl-logcb-broker-XXXXXX", errstr[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const kl_conf_t *conf;
    kl_conf_t *bconf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(bconf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(bconf, "log.dirs", dir, errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(bconf, "zookeeper.connect", "localhost:2181", errstr, sizeof errstr), 0);
    kl_conf_set_log_cb(bconf, on_log);
    conf = bconf; /* kl_broker_new() takes a const configuration */
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(bconf);
    int created = lines();
    kl_err_t serr = b ? kl_broker_start(b) : KL_ERR_STATE;
    int started = lines();
    if (!serr)
        send_bad_frame(kl_broker_bootstrap_servers(b));
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (!serr && lines() == started && fixture_now_ms() < deadline)
        usleep(10000);
    int bad = lines();
    kl_broker_destroy(b);
    int destroyed = lines();
    unsetenv("KAFKALITE_BROKER_LOG");
    long err_bytes = release_stderr();
    fixture_remove_dir(dir);
    ck_assert_msg(b != NULL, "kl_broker_new: %s", errstr);
    ck_assert_int_eq(serr, KL_ERR_NONE);
    ck_assert_int_ge(created, 2); /* zookeeper.connect ignored, the log.dirs summary */
    ck_assert_int_gt(started, created);
    ck_assert_msg(bad > started, "no line for the bad request size (last: %s)", seen.last);
    ck_assert_int_gt(destroyed, bad); /* "stopped" */
    ck_assert_int_ge(seen.off_thread, 1);
    ck_assert_int_eq(seen.overlapping, 0);
    ck_assert_int_eq(err_bytes, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log_callback");
    TCase *tc = tcase_create("handles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_producer);
    tcase_add_test(tc, test_consumer_poll);
    tcase_add_test(tc, test_consumer_blocking_call);
    tcase_add_test(tc, test_admin);
    tcase_add_test(tc, test_broker);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
