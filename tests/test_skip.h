/* A test that cannot run: SKIP (exit status 77) with its reason, or FAIL
 * when KL_TEST_NO_SKIP=1 (CI) forbids skipping. */
#ifndef KL_TEST_SKIP_H
#define KL_TEST_SKIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints why and returns the exit status to end the test with. */
static inline int test_skip_status(const char *why)
{
    const char *no_skip = getenv("KL_TEST_NO_SKIP");
    int fail = no_skip && strcmp(no_skip, "1") == 0;
    fprintf(stderr, "%s: %s\n", fail ? "FAIL" : "SKIP", why);
    return fail ? 1 : 77;
}

#endif
