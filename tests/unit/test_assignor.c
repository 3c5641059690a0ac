/* Unit tests for lib/consumer's assignors: hand-computed range and
 * roundrobin assignments, input validation and the strategy list. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/assignor.h"
#include "consumer/assignor_plan.h"

#define MAX_MEMBERS 16
#define MAX_TOPICS 8

/* A group under test: members and topics built from short specs, all
 * memory in one arena. */
typedef struct group {
    kl_arena_t arena;
    kl_assignor_member_t members[MAX_MEMBERS];
    size_t member_count;
    kl_assignor_topic_t topics[MAX_TOPICS];
    size_t topic_count;
    kl_consumer_protocol_assignment_t result[MAX_MEMBERS];
} group_t;

static void group_init(group_t *g)
{
    memset(g, 0, sizeof *g);
    kl_arena_init(&g->arena, 0);
}

static void group_free(group_t *g) { kl_arena_free(&g->arena); }

static const char *dup(group_t *g, const char *s, size_t n)
{
    return kl_arena_strndup(&g->arena, s, n);
}

static void add_topic(group_t *g, const char *name, int32_t partitions)
{
    ck_assert_uint_lt(g->topic_count, MAX_TOPICS);
    g->topics[g->topic_count++] = (kl_assignor_topic_t){kl_str(dup(g, name, strlen(name))),
                                                        partitions};
}

/* topics: "t0,t1"; instance NULL for a dynamic member. */
static kl_assignor_member_t *add_member(group_t *g, const char *id, const char *instance,
                                        const char *topics)
{
    ck_assert_uint_lt(g->member_count, MAX_MEMBERS);
    kl_assignor_member_t *m = &g->members[g->member_count++];
    m->member_id = kl_str(dup(g, id, strlen(id)));
    m->group_instance_id = instance ? kl_str(dup(g, instance, strlen(instance))) : KL_STR_NULL;
    m->version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
    m->subscription.user_data = KL_BYTES_NULL;
    m->subscription.generation_id = -1;
    m->subscription.rack_id = KL_STR_NULL;
    kl_str_t *names = kl_arena_calloc(&g->arena, MAX_TOPICS, sizeof *names);
    int32_t count = 0;
    for (const char *s = topics; *s;) {
        size_t len = strcspn(s, ",");
        names[count++] = kl_str(dup(g, s, len));
        s += len + (s[len] == ',');
    }
    m->subscription.topics.items = names;
    m->subscription.topics.count = count;
    return m;
}

/* "t0:0,1;t1:2"; "" when empty. */
static const char *assignment_str(const kl_consumer_protocol_assignment_t *a, char *buf,
                                  size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < a->assigned_partitions.count; i++) {
        const kl_consumer_protocol_assignment_topic_partition_t *tp = &a->assigned_partitions.items[i];
        len += (size_t)snprintf(buf + len, size - len, "%s%.*s:", i ? ";" : "", (int)tp->topic.len,
                                tp->topic.ptr);
        for (int32_t k = 0; k < tp->partitions.count; k++)
            len += (size_t)snprintf(buf + len, size - len, "%s%d", k ? "," : "",
                                    (int)tp->partitions.items[k]);
    }
    return buf;
}

static void run(group_t *g, const kl_assignor_t *assignor)
{
    ck_assert_int_eq(kl_assignor_assign(assignor, g->members, g->member_count, g->topics,
                                        g->topic_count, &g->arena, g->result),
                     KL_ERR_NONE);
}

/* Checks member i's assignment against "t0:0,1;t1:2". */
static void expect(group_t *g, size_t i, const char *want)
{
    char buf[1024];
    ck_assert_str_eq(assignment_str(&g->result[i], buf, sizeof buf), want);
}

/* ---- range and roundrobin ---- */

START_TEST(range_even_and_uneven)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t1", 3);
    add_topic(&g, "t0", 3);
    add_member(&g, "consumer-b", NULL, "t0,t1");
    add_member(&g, "consumer-a", NULL, "t1,t0");
    run(&g, &kl_assignor_range);
    /* Per topic, a (first by id) gets the extra partition of both topics. */
    expect(&g, 0, "t0:2;t1:2");
    expect(&g, 1, "t0:0,1;t1:0,1");
    group_free(&g);
}
END_TEST

START_TEST(range_uneven_subscriptions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 5);
    add_topic(&g, "t1", 2);
    add_topic(&g, "t2", 4);
    add_member(&g, "a", NULL, "t0,t1");
    add_member(&g, "b", NULL, "t0");
    add_member(&g, "c", NULL, "t1,t2,missing");
    run(&g, &kl_assignor_range);
    /* t0: a, b share 5 (3 + 2); t1: a, c share 2; t2: c alone; "missing"
     * is not in metadata and is skipped. */
    expect(&g, 0, "t0:0,1,2;t1:0");
    expect(&g, 1, "t0:3,4");
    expect(&g, 2, "t1:1;t2:0,1,2,3");
    group_free(&g);
}
END_TEST

START_TEST(range_static_members_first)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 7);
    add_member(&g, "m-0", NULL, "t0");
    add_member(&g, "m-1", "zeta", "t0");
    add_member(&g, "m-2", "alpha", "t0");
    add_member(&g, "m-3", NULL, "t0");
    run(&g, &kl_assignor_range);
    /* Order: alpha (m-2), zeta (m-1), then m-0, m-3 by member id; 7 over 4
     * is 1 each plus 3 extra for the first three. */
    expect(&g, 2, "t0:0,1");
    expect(&g, 1, "t0:2,3");
    expect(&g, 0, "t0:4,5");
    expect(&g, 3, "t0:6");
    group_free(&g);
}
END_TEST

START_TEST(range_more_members_than_partitions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 2);
    add_topic(&g, "empty", 0);
    add_member(&g, "c", NULL, "t0,empty");
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "b", NULL, "t0");
    add_member(&g, "idle", NULL, "");
    run(&g, &kl_assignor_range);
    expect(&g, 0, "");
    expect(&g, 1, "t0:0");
    expect(&g, 2, "t0:1");
    expect(&g, 3, "");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_two_topics)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t1", 3);
    add_topic(&g, "t0", 3);
    add_member(&g, "b", NULL, "t0,t1");
    add_member(&g, "a", NULL, "t0,t1");
    run(&g, &kl_assignor_roundrobin);
    /* t0-0 a, t0-1 b, t0-2 a, t1-0 b, t1-1 a, t1-2 b */
    expect(&g, 1, "t0:0,2;t1:1");
    expect(&g, 0, "t0:1;t1:0,2");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_uneven_subscriptions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 1);
    add_topic(&g, "t1", 2);
    add_topic(&g, "t2", 3);
    add_member(&g, "c0", NULL, "t0");
    add_member(&g, "c1", NULL, "t0,t1");
    add_member(&g, "c2", NULL, "t0,t1,t2");
    run(&g, &kl_assignor_roundrobin);
    /* The Java documentation's example: members not subscribed to a
     * partition's topic are passed over. */
    expect(&g, 0, "t0:0");
    expect(&g, 1, "t1:0");
    expect(&g, 2, "t1:1;t2:0,1,2");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_static_members_first)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 5);
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "z", "instance-1", "t0");
    add_member(&g, "b", NULL, "t0");
    run(&g, &kl_assignor_roundrobin);
    /* Order: z (static), a, b. */
    expect(&g, 1, "t0:0,3");
    expect(&g, 0, "t0:1,4");
    expect(&g, 2, "t0:2");
    group_free(&g);
}
END_TEST

/* The result depends on the input, not on the order it comes in. */
START_TEST(eager_order_independent)
{
    const kl_assignor_t *assignors[] = {&kl_assignor_range, &kl_assignor_roundrobin};
    for (size_t k = 0; k < 2; k++) {
        group_t g, h;
        group_init(&g);
        group_init(&h);
        const char *ids[] = {"m1", "m2", "m3", "m4"};
        const char *subs[] = {"t0,t1", "t1", "t0,t1,t2", "t2"};
        add_topic(&g, "t0", 4), add_topic(&g, "t1", 5), add_topic(&g, "t2", 3);
        add_topic(&h, "t2", 3), add_topic(&h, "t1", 5), add_topic(&h, "t0", 4);
        for (size_t i = 0; i < 4; i++) {
            add_member(&g, ids[i], NULL, subs[i]);
            add_member(&h, ids[3 - i], NULL, subs[3 - i]);
        }
        run(&g, assignors[k]);
        run(&h, assignors[k]);
        for (size_t i = 0; i < 4; i++) {
            char want[256];
            expect(&h, 3 - i, assignment_str(&g.result[i], want, sizeof want));
        }
        group_free(&g);
        group_free(&h);
    }
}
END_TEST

START_TEST(assign_rejects_bad_input)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 2);
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "a", "other-instance", "t0");
    kl_err_t err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 1, &g.arena,
                                      g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    g.members[1].member_id = kl_str("b");
    add_topic(&g, "t0", 3);
    err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 2, &g.arena, g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    g.topics[1].name = kl_str("t1");
    g.topics[1].partition_count = -1;
    err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 2, &g.arena, g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    /* No members, no topics: nothing to do, no error. */
    ck_assert_int_eq(kl_assignor_assign(&kl_assignor_range, g.members, 0, g.topics, 0,
                                         &g.arena, g.result),
                     KL_ERR_NONE);
    group_free(&g);
}
END_TEST

START_TEST(strategy_list)
{
    const kl_assignor_t *list[4];
    size_t n = 0;
    char err[128];
    ck_assert_int_eq(kl_assignor_list_parse(" roundrobin, range", list, 4, &n, err, sizeof err),
                     KL_ERR_NONE);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_eq(list[0], &kl_assignor_roundrobin);
    ck_assert_ptr_eq(list[1], &kl_assignor_range);
    ck_assert_int_eq(kl_assignor_list_parse("range,sticky", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_nonnull(strstr(err, "\"sticky\""));
    ck_assert_int_eq(kl_assignor_list_parse("range,range", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_assignor_list_parse("", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_eq(kl_assignor_by_flag(KL_ASSIGNOR_ROUNDROBIN), &kl_assignor_roundrobin);
    ck_assert_ptr_eq(kl_assignor_find(kl_str("range")), &kl_assignor_range);
    ck_assert_ptr_null(kl_assignor_find(kl_str("rang")));
}
END_TEST

static void add_eager_tests(TCase *tc)
{
    tcase_add_test(tc, range_even_and_uneven);
    tcase_add_test(tc, range_uneven_subscriptions);
    tcase_add_test(tc, range_static_members_first);
    tcase_add_test(tc, range_more_members_than_partitions);
    tcase_add_test(tc, roundrobin_two_topics);
    tcase_add_test(tc, roundrobin_uneven_subscriptions);
    tcase_add_test(tc, roundrobin_static_members_first);
    tcase_add_test(tc, eager_order_independent);
    tcase_add_test(tc, assign_rejects_bad_input);
    tcase_add_test(tc, strategy_list);
}

static Suite *assignor_suite(void)
{
    Suite *s = suite_create("assignor");
    TCase *tc = tcase_create("eager");
    add_eager_tests(tc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(assignor_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
