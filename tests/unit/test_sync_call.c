/* Unit tests for lib/client/sync_call, the one "post to the I/O thread and
 * wait" of every client handle: the caller gets the I/O thread's error; a
 * caller that timed out leaves the freeing to the I/O thread; a log line
 * queued while the call runs reaches the log callback on the waiting
 * thread before the call returns. The client's bootstrap is a loopback
 * socket of the test's own (OS-picked port) that never answers. */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/sync_call.h"
#include "util/clock.h"
#include "util/cond.h"
#include "util/conf.h"

static int listen_fd = -1;
static kl_client_t *client;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
/* under lock */
static int freed, log_lines;
static pthread_t log_thread;

static void on_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque;
    (void)level;
    (void)facility;
    (void)message;
    log_lines++; /* on the application thread, which holds no lock here */
    log_thread = pthread_self();
}

static void setup(void)
{
    kl_cond_init(&cond);
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(listen_fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    ck_assert_int_eq(bind(listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(listen_fd, 4), 0);
    ck_assert_int_eq(getsockname(listen_fd, (struct sockaddr *)&sa, &len), 0);
    char bootstrap[64];
    snprintf(bootstrap, sizeof bootstrap, "127.0.0.1:%d", (int)ntohs(sa.sin_port));
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, NULL, 0), KL_ERR_NONE);
    kl_conf_set_log_cb(conf, on_log);
    char errstr[256];
    client = kl_client_new(conf, NULL, NULL, errstr, sizeof errstr);
    ck_assert_msg(client != NULL, "kl_client_new: %s", errstr);
    kl_log_attach(kl_client_log(client), &lock, &cond);
    ck_assert_int_eq(kl_client_start(client, errstr, sizeof errstr), KL_ERR_NONE);
    freed = log_lines = 0;
}

static void teardown(void)
{
    kl_client_stop(client, NULL, NULL);
    kl_log_serve(kl_client_log(client));
    kl_client_destroy(client);
    close(listen_fd);
    pthread_cond_destroy(&cond);
}

static void run_fails(kl_sync_call_t *call) { kl_sync_call_done(call, KL_ERR_INVALID_ARG); }

START_TEST(caller_gets_the_io_threads_error)
{
    kl_sync_call_t call;
    kl_sync_call_init(&call, client, run_fails, NULL, -1);
    ck_assert_int_eq(kl_sync_call_run(&call), KL_ERR_INVALID_ARG);
    ck_assert(kl_sync_call_is_done(&call));
    kl_sync_call_release(&call);
}
END_TEST

static kl_sync_call_t *held; /* I/O thread */

static void run_holds(kl_sync_call_t *call) { held = call; }
static void finish_held(void *arg)
{
    (void)arg;
    kl_sync_call_done(held, KL_ERR_NONE);
}
static void free_counted(kl_sync_call_t *call)
{
    free(call);
    pthread_mutex_lock(&lock);
    freed++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

START_TEST(timed_out_caller_leaves_the_freeing_to_the_io_thread)
{
    kl_sync_call_t *call = malloc(sizeof *call);
    ck_assert_ptr_nonnull(call);
    kl_sync_call_init(call, client, run_holds, free_counted, 50);
    ck_assert_int_eq(kl_sync_call_run(call), KL_ERR_TIMED_OUT);
    kl_sync_call_release(call);
    pthread_mutex_lock(&lock);
    ck_assert_int_eq(freed, 0); /* the I/O thread still holds it */
    pthread_mutex_unlock(&lock);
    ck_assert_int_eq(kl_client_post(client, finish_held, NULL), 0);
    struct timespec ts;
    kl_cond_deadline(&ts, 10000);
    pthread_mutex_lock(&lock);
    while (!freed && pthread_cond_timedwait(&cond, &lock, &ts) == 0)
        ;
    ck_assert_int_eq(freed, 1);
    pthread_mutex_unlock(&lock);
}
END_TEST

static void run_logs(kl_sync_call_t *call)
{
    kl_log(kl_client_log(call->client), KL_LOG_WARNING, "TEST", "logged while the caller waits");
    kl_sync_call_done(call, KL_ERR_NONE);
}

START_TEST(log_line_served_on_the_waiting_thread)
{
    kl_sync_call_t call;
    kl_sync_call_init(&call, client, run_logs, NULL, -1);
    ck_assert_int_eq(kl_sync_call_run(&call), KL_ERR_NONE);
    kl_sync_call_release(&call);
    ck_assert_int_ge(log_lines, 1);
    ck_assert(pthread_equal(log_thread, pthread_self()));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sync_call");
    TCase *tc = tcase_create("post and wait");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, caller_gets_the_io_threads_error);
    tcase_add_test(tc, timed_out_caller_leaves_the_freeing_to_the_io_thread);
    tcase_add_test(tc, log_line_served_on_the_waiting_thread);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
