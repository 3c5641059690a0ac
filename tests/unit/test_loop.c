/* Unit tests for lib/net/loop: timers (order, restart, stop), descriptor
 * readiness, stopping a watched descriptor from another callback in the
 * same round, and tasks posted from another thread. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/loop.h"

static int order[8];
static int norder;

static void record_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    order[norder++] = (int)(intptr_t)t->opaque;
}

START_TEST(test_timers_fire_in_due_order)
{
    kl_loop_t *loop = kl_loop_new();
    ck_assert_ptr_nonnull(loop);
    kl_timer_t t[4];
    const int delays[4] = {30, 10, 20, 5};
    norder = 0;
    for (int i = 0; i < 4; i++) {
        kl_timer_init(&t[i], record_timer, (void *)(intptr_t)i);
        kl_timer_start(loop, &t[i], delays[i]);
    }
    kl_timer_stop(loop, &t[2]);
    ck_assert(!kl_timer_active(&t[2]));
    int64_t deadline = kl_clock_ms() + 5000;
    while (norder < 3 && kl_clock_ms() < deadline)
        kl_loop_run_once(loop, 100);
    ck_assert_int_eq(norder, 3);
    ck_assert_int_eq(order[0], 3);
    ck_assert_int_eq(order[1], 1);
    ck_assert_int_eq(order[2], 0);
    kl_loop_destroy(loop);
}
END_TEST

static int restarts;

static void restarting_timer(kl_loop_t *loop, kl_timer_t *t)
{
    if (++restarts < 3)
        kl_timer_start(loop, t, 1);
}

START_TEST(test_timer_restarts_from_its_callback)
{
    kl_loop_t *loop = kl_loop_new();
    kl_timer_t t;
    kl_timer_init(&t, restarting_timer, NULL);
    restarts = 0;
    kl_timer_start(loop, &t, 0);
    int64_t deadline = kl_clock_ms() + 5000;
    while (restarts < 3 && kl_clock_ms() < deadline)
        kl_loop_run_once(loop, 100);
    ck_assert_int_eq(restarts, 3);
    ck_assert(!kl_timer_active(&t));
    kl_loop_destroy(loop);
}
END_TEST

typedef struct pair_ctx {
    kl_io_t io[2];
    int fired[2];
} pair_ctx_t;

static pair_ctx_t *pctx;

/* The first one to fire stops the other: its pending event must be dropped. */
static void on_readable(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    ck_assert(events & KL_IO_READ);
    int me = io == &pctx->io[0] ? 0 : 1;
    pctx->fired[me]++;
    kl_io_stop(loop, &pctx->io[1 - me]);
    kl_io_stop(loop, io);
}

START_TEST(test_io_stop_drops_pending_events)
{
    kl_loop_t *loop = kl_loop_new();
    int a[2], b[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    pair_ctx_t ctx = {0};
    pctx = &ctx;
    kl_io_init(&ctx.io[0], a[0], on_readable, NULL);
    kl_io_init(&ctx.io[1], b[0], on_readable, NULL);
    ck_assert_int_eq(kl_io_start(loop, &ctx.io[0], KL_IO_READ), 0);
    ck_assert_int_eq(kl_io_start(loop, &ctx.io[1], KL_IO_READ), 0);
    ck_assert_int_eq(write(a[1], "x", 1), 1);
    ck_assert_int_eq(write(b[1], "y", 1), 1);
    int64_t deadline = kl_clock_ms() + 5000;
    while (ctx.fired[0] + ctx.fired[1] == 0 && kl_clock_ms() < deadline)
        kl_loop_run_once(loop, 100);
    kl_loop_run_once(loop, 10);
    ck_assert_int_eq(ctx.fired[0] + ctx.fired[1], 1);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
    kl_loop_destroy(loop);
}
END_TEST

static _Atomic int tasks_run;

static void count_task(void *arg)
{
    (void)arg;
    tasks_run++;
}

static void *poster(void *arg)
{
    kl_loop_t *loop = arg;
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(kl_loop_post(loop, count_task, NULL), 0);
    kl_loop_stop(loop);
    return NULL;
}

START_TEST(test_post_and_stop_from_another_thread)
{
    kl_loop_t *loop = kl_loop_new();
    tasks_run = 0;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, poster, loop), 0);
    kl_loop_run(loop); /* returns once the poster has stopped it */
    pthread_join(th, NULL);
    kl_loop_destroy(loop); /* runs whatever is still queued */
    ck_assert_int_eq(tasks_run, 1000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("loop");
    tcase_add_test(tc, test_timers_fire_in_due_order);
    tcase_add_test(tc, test_timer_restarts_from_its_callback);
    tcase_add_test(tc, test_io_stop_drops_pending_events);
    tcase_add_test(tc, test_post_and_stop_from_another_thread);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
