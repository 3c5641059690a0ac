/* Several log.dirs on the embedded broker: new partitions spread over the
 * directories (fewest partitions first), a restart finds each partition
 * where it is (also after another directory is added), and a partition
 * present in two directories stops the broker with both paths named.
 * Driven by the blocking wire client. */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_wire.h"

#define DIRS 3

typedef struct dirs_fixture {
    char root[64];
    char list[512]; /* log.dirs */
    const char *props[8];
    broker_fixture_t f;
} dirs_fixture_t;

/* n directories root/d0 .. root/d<n-1>; the broker is not started. */
static void dirs_setup(dirs_fixture_t *d, int n)
{
    memset(d, 0, sizeof *d);
    snprintf(d->root, sizeof d->root, "/tmp/kl-dirs-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->root));
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(d->list + len, sizeof d->list - len, "%s%s/d%d", i ? "," : "", d->root, i);
    const char *props[] = {"log.dirs", d->list, "offsets.topic.num.partitions", "1", NULL};
    memcpy(d->props, props, sizeof props);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void dirs_teardown(dirs_fixture_t *d)
{
    fixture_stop(&d->f);
    nftw(d->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Partition directories "<topic>-<n>" in root/d<i>. */
static int partitions_in(const dirs_fixture_t *d, int i, const char *topic)
{
    char path[256];
    snprintf(path, sizeof path, "%s/d%d", d->root, i);
    DIR *dir = opendir(path);
    ck_assert_ptr_nonnull(dir);
    int n = 0;
    size_t tl = strlen(topic);
    for (struct dirent *e; (e = readdir(dir)) != NULL;)
        n += !strncmp(e->d_name, topic, tl) && e->d_name[tl] == '-' && e->d_name[tl + 1] >= '0' &&
             e->d_name[tl + 1] <= '9';
    closedir(dir);
    return n;
}

/* A broker (not started) on the log.dirs list, or NULL and errstr. */
static kl_broker_t *broker_on(const char *list, char *errstr, size_t size)
{
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, size), 0);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", list, errstr, size), 0);
    kl_broker_t *b = kl_broker_new(conf, errstr, size);
    kl_conf_destroy(conf);
    return b;
}

/* n directories, a broker started on them and topic created with
 * partitions over wc, left connected. */
static void dirs_start_with_topic(dirs_fixture_t *d, int n, wire_client_t *wc, const char *topic, int partitions)
{
    dirs_setup(d, n);
    fixture_start(&d->f, d->props);
    connect_to(wc, &d->f);
    /* __consumer_offsets (one partition) first, as a group would make it */
    kl_metadata_response_t md;
    exchange_t x;
    ck_assert_int_eq(metadata_topic(wc, "__consumer_offsets", false, &md, &x)->error_code, 0);
    done(&x);
    ck_assert_int_eq(create_topic(wc, topic, partitions, 1, NULL, NULL, false, NULL), 0);
}

START_TEST(test_partitions_spread_and_found)
{
    dirs_fixture_t d;
    wire_client_t wc;
    dirs_start_with_topic(&d, DIRS, &wc, "s", 6);
    /* 7 partitions with __consumer_offsets-0: 3, 2, 2 */
    int counts[DIRS], total = 0;
    for (int i = 0; i < DIRS; i++) {
        counts[i] = partitions_in(&d, i, "s") + partitions_in(&d, i, "__consumer_offsets");
        total += counts[i];
        ck_assert_int_ge(counts[i], 2);
        ck_assert_int_le(counts[i], 3);
    }
    ck_assert_int_eq(total, 7);
    int64_t base;
    for (int p = 0; p < 6; p++) {
        ck_assert_int_eq(produce(&wc, "s", p, 0, 3, 10, &base), 0);
        ck_assert_int_eq(base, 0);
    }
    wire_close(&wc);
    fixture_restart(&d.f);
    connect_to(&wc, &d.f);
    for (int p = 0; p < 6; p++) { /* each log found with its data */
        ck_assert_int_eq(produce(&wc, "s", p, 3, 3, 10, &base), 0);
        ck_assert_int_eq(base, 3);
    }
    for (int i = 0; i < DIRS; i++) /* and nothing created anew */
        ck_assert_int_eq(partitions_in(&d, i, "s") + partitions_in(&d, i, "__consumer_offsets"), counts[i]);
    wire_close(&wc);
    dirs_teardown(&d);
}
END_TEST

START_TEST(test_new_dir_takes_new_partitions)
{
    dirs_fixture_t d;
    wire_client_t wc;
    dirs_start_with_topic(&d, 2, &wc, "old", 3);
    wire_close(&wc);
    /* a third directory: the existing partitions stay where they are */
    size_t len = strlen(d.list);
    snprintf(d.list + len, sizeof d.list - len, ",%s/d2", d.root);
    fixture_restart(&d.f);
    connect_to(&wc, &d.f);
    ck_assert_int_eq(partitions_in(&d, 0, "old") + partitions_in(&d, 1, "old"), 3);
    ck_assert_int_eq(create_topic(&wc, "new", 2, 1, NULL, NULL, false, NULL), 0);
    ck_assert_int_eq(partitions_in(&d, 2, "new"), 2); /* d0 and d1 hold 2 each */
    wire_close(&wc);
    dirs_teardown(&d);
}
END_TEST

START_TEST(test_duplicate_partition_reported)
{
    dirs_fixture_t d;
    wire_client_t wc;
    dirs_start_with_topic(&d, 2, &wc, "dup", 1);
    wire_close(&wc);
    kl_broker_destroy(d.f.broker);
    d.f.broker = NULL;
    int holder = partitions_in(&d, 0, "dup") ? 0 : 1;
    char copy[256];
    snprintf(copy, sizeof copy, "%s/d%d/dup-0", d.root, 1 - holder);
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    char errstr[512];
    ck_assert_ptr_null(broker_on(d.list, errstr, sizeof errstr));
    char first[256], second[256];
    snprintf(first, sizeof first, "%s/d0/dup-0", d.root);
    snprintf(second, sizeof second, "%s/d1/dup-0", d.root);
    ck_assert_msg(strstr(errstr, first) && strstr(errstr, second), "errstr: %s", errstr);
    /* without the copy the broker opens again */
    ck_assert_int_eq(rmdir(copy), 0);
    kl_broker_t *b = broker_on(d.list, errstr, sizeof errstr);
    ck_assert_msg(b != NULL, "errstr: %s", errstr);
    kl_broker_destroy(b);
    dirs_teardown(&d);
}
END_TEST

START_TEST(test_bad_lists_refused)
{
    static const char *const bad[] = {"/tmp/a,,/tmp/b", "/tmp/a,/tmp/a", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char errstr[512];
        kl_broker_t *b = broker_on(bad[i], errstr, sizeof errstr);
        ck_assert_msg(b == NULL, "log.dirs \"%s\" accepted", bad[i]);
        ck_assert_msg(strstr(errstr, "log.dirs"), "errstr: %s", errstr);
    }
}
END_TEST

static Suite *log_dirs_suite(void)
{
    Suite *s = suite_create("broker_log_dirs");
    TCase *tc = tcase_create("log_dirs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_partitions_spread_and_found);
    tcase_add_test(tc, test_new_dir_takes_new_partitions);
    tcase_add_test(tc, test_duplicate_partition_reported);
    tcase_add_test(tc, test_bad_lists_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(log_dirs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
