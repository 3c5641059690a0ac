/* Honest skips for the Check suites: a case that cannot run says SKIP with
 * its reason and the program exits 77 (automake's SKIP), never 0; with
 * KL_TEST_NO_SKIP=1 (CI) a skip fails instead. Also runs a case as user
 * nobody when root would make it meaningless (file permissions). */
#ifndef KL_TEST_SKIP_H
#define KL_TEST_SKIP_H

#include <check.h>
#include <stdbool.h>

#define KL_TEST_EXIT_SKIP 77

/* True when KL_TEST_NO_SKIP=1: every skip is a failure. */
bool kl_test_no_skip(void);

/* In a case: prints "SKIP: <reason>" and counts the skip (the count
 * survives Check's fork), or fails the case under KL_TEST_NO_SKIP=1. The
 * caller returns right after; KL_SKIP_IF does both. */
void kl_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define KL_SKIP_IF(cond, ...)                                                                      \
    do {                                                                                           \
        if (cond) {                                                                                \
            kl_test_skip(__VA_ARGS__);                                                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* In main(), before any case: the whole program cannot run. Exits 77, or
 * 1 under KL_TEST_NO_SKIP=1. */
void kl_test_skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* After srunner_run_all: EXIT_FAILURE when a case failed, 77 when none
 * failed but one skipped, else EXIT_SUCCESS. */
int kl_test_result(SRunner *sr);

/* For a case that needs a user the file modes apply to. Not root: returns
 * true, run the body. Root: runs this program's Check case `tcase` again
 * as user nobody (fork, drop the groups, gid and uid, exec, with
 * CK_RUN_CASE=tcase; works in fork and no-fork mode), fails unless that
 * run passed, and returns false. Give such tests a TCase of their own. */
bool kl_test_as_nobody(const char *tcase);

#endif
