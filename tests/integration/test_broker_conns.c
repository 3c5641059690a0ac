/* The embedded broker's connection bounds: connections.max.idle.ms closes
 * silent connections and only those, a connection quiet for a while (its
 * buffers given back) is served as before, and max.connections and
 * max.connections.per.ip refuse connections beyond their counts and take
 * new ones again once others have closed; the per-IP count is per address
 * (127.0.0.1 and 127.0.0.2). */
#include <check.h>
#include <stdlib.h>

#include "broker_wire.h"

START_TEST(test_idle_connections_reaped)
{
    static const char *const props[] = {"connections.max.idle.ms", "300", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t idle, busy;
    connect_to(&idle, &f);
    connect_to(&busy, &f);
    long long start = fixture_now_ms();
    /* the busy connection talks every 50 ms while the idle one says
     * nothing: only the idle one is closed */
    bool closed = false;
    while (!closed && fixture_now_ms() - start < WIRE_TIMEOUT_MS) {
        ck_assert_msg(wire_ping(&busy), "the busy connection was closed");
        closed = wire_wait_closed(&idle, 50) == 0;
    }
    long long idle_for = fixture_now_ms() - start;
    ck_assert_msg(closed, "the idle connection was not closed within %d ms", WIRE_TIMEOUT_MS);
    ck_assert_msg(idle_for >= 300, "closed after %lld ms, before connections.max.idle.ms", idle_for);
    ck_assert(wire_ping(&busy));
    /* quiet past a sweep (75 ms) but not past the idle limit: its buffers
     * are given back, it stays open and is served as before */
    ck_assert_msg(wire_wait_closed(&busy, 150) != 0, "a connection quiet for 150 ms was closed");
    ck_assert(wire_ping(&busy));
    wire_close(&idle);
    wire_close(&busy);
    fixture_stop(&f);
}
END_TEST

/* Connects and pings until the broker takes the connection (a refused one
 * is closed at once); false at the deadline. */
static bool connect_admitted(wire_client_t *wc, const broker_fixture_t *f, long long deadline)
{
    while (fixture_now_ms() < deadline) {
        connect_to(wc, f);
        if (wire_ping(wc))
            return true;
        wire_close(wc);
    }
    return false;
}

static void check_limit(const char *name)
{
    const char *const props[] = {name, "2", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t a, b, c;
    connect_to(&a, &f);
    connect_to(&b, &f);
    ck_assert(wire_ping(&a));
    ck_assert(wire_ping(&b));
    /* a third is closed without an answer */
    connect_to(&c, &f);
    ck_assert_int_eq(wire_wait_closed(&c, WIRE_TIMEOUT_MS), 0);
    wire_close(&c);
    ck_assert_msg(wire_ping(&a) && wire_ping(&b), "%s: admitted connections were disturbed", name);
    /* once one closes, a new one is taken */
    wire_close(&a);
    ck_assert_msg(connect_admitted(&c, &f, fixture_now_ms() + WIRE_TIMEOUT_MS),
                  "%s: no connection admitted after one closed", name);
    wire_close(&b);
    wire_close(&c);
    fixture_stop(&f);
}

START_TEST(test_max_connections) { check_limit("max.connections"); }
END_TEST

/* The per-IP limit counts each address apart: with 127.0.0.1 at its limit
 * (a third from it refused), 127.0.0.2 still gets as many, and is refused
 * past them too; max.connections (5, above the 4 admitted) is not what
 * refuses them. */
START_TEST(test_max_connections_per_ip)
{
    check_limit("max.connections.per.ip");
    static const char *const props[] = {"max.connections.per.ip", "2", "max.connections", "5", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t one[3], two[3];
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(wire_connect_from(&one[i], f.bootstrap, "127.0.0.1"), 0);
        ck_assert(wire_ping(&one[i]));
    }
    ck_assert_int_eq(wire_connect_from(&one[2], f.bootstrap, "127.0.0.1"), 0);
    ck_assert_msg(wire_wait_closed(&one[2], WIRE_TIMEOUT_MS) == 0, "a third from 127.0.0.1 was admitted");
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(wire_connect_from(&two[i], f.bootstrap, "127.0.0.2"), 0);
        ck_assert_msg(wire_ping(&two[i]), "connection %d from 127.0.0.2 refused: the limit is not per IP", i);
    }
    ck_assert_int_eq(wire_connect_from(&two[2], f.bootstrap, "127.0.0.2"), 0);
    ck_assert_msg(wire_wait_closed(&two[2], WIRE_TIMEOUT_MS) == 0, "a third from 127.0.0.2 was admitted");
    for (int i = 0; i < 2; i++)
        ck_assert(wire_ping(&one[i]) && wire_ping(&two[i]));
    for (int i = 0; i < 3; i++) {
        wire_close(&one[i]);
        wire_close(&two[i]);
    }
    fixture_stop(&f);
}
END_TEST

static Suite *conns_suite(void)
{
    Suite *s = suite_create("broker_conns");
    TCase *tc = tcase_create("conns");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_idle_connections_reaped);
    tcase_add_test(tc, test_max_connections);
    tcase_add_test(tc, test_max_connections_per_ip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conns_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
