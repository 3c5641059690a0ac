/* Descriptors a partition log holds: a sealed, flushed segment keeps only
 * its .log open (its index entries live in memory), and its index files
 * are opened again when needed (a truncation rewrites them). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/log.h"
#include "storage_fixture.h"

static int count_entries(const char *path, const char *suffix)
{
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    size_t slen = suffix ? strlen(suffix) : 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        n += e->d_name[0] != '.' && (!suffix || (len > slen && !strcmp(e->d_name + len - slen, suffix)));
    }
    closedir(d);
    return n;
}

static int open_fds(void) { return count_entries("/proc/self/fd", NULL); }

static int segments(const fixture_t *f)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/%s-0", f->root, TOPIC);
    return count_entries(dir, ".log");
}

#define BATCHES 30

START_TEST(test_sealed_segments_hold_one_descriptor)
{
    int before = open_fds();
    fixture_t f;
    fixture_init(&f, 200, 4096); /* every batch rolls a segment */
    append_batches(&f, BATCHES, 100);
    ck_assert_int_eq(kl_log_flush(f.log), KL_ERR_NONE);
    int n = segments(&f);
    ck_assert_int_ge(n, BATCHES);
    /* one per segment, and the active one's two index files; three per
     * segment before */
    int used = open_fds() - before;
    ck_assert_msg(used <= n + 2, "%d descriptors for %d segments", used, n);
    check_log_contents(&f);

    /* truncating into a sealed segment reopens its indexes and rewrites
     * them; appends and a reopen then find everything */
    ck_assert_int_eq(kl_log_truncate(f.log, f.offsets[10]), KL_ERR_NONE);
    fixture_forget_from(&f, 10);
    append_batches(&f, 3, 100);
    check_log_contents(&f);
    fixture_reopen(&f);
    check_log_contents(&f);
    n = segments(&f);
    used = open_fds() - before;
    ck_assert_msg(used <= n + 2, "%d descriptors for %d segments after a reopen", used, n);
    fixture_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("storage_fds");
    TCase *tc = tcase_create("fds");
    tcase_add_test(tc, test_sealed_segments_hold_one_descriptor);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
