/* Honest skips for the Check suites (see test_skip.h). The skip count
 * lives in a shared anonymous mapping made before Check forks its cases,
 * so main() sees the skips of every forked case. */
#include "test_skip.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY_UID 65534
#define NOBODY_GID 65534
#define AS_NOBODY_DEADLINE_MS 300000

static volatile int *skip_count;
static int skip_count_local; /* when the mapping could not be made */

__attribute__((constructor)) static void skip_count_init(void)
{
    void *p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    skip_count = p == MAP_FAILED ? &skip_count_local : p;
}

bool kl_test_no_skip(void)
{
    const char *v = getenv("KL_TEST_NO_SKIP");
    return v && strcmp(v, "1") == 0;
}

void kl_test_skip(const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (kl_test_no_skip())
        ck_abort_msg("KL_TEST_NO_SKIP=1 but this case would skip: %s", reason);
    fprintf(stderr, "SKIP: %s\n", reason);
    fflush(stderr);
    __atomic_add_fetch(skip_count, 1, __ATOMIC_SEQ_CST);
}

void kl_test_skip_all(const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (kl_test_no_skip()) {
        fprintf(stderr, "FAIL: KL_TEST_NO_SKIP=1 but this program would skip: %s\n", reason);
        exit(EXIT_FAILURE);
    }
    fprintf(stderr, "SKIP: %s\n", reason);
    exit(KL_TEST_EXIT_SKIP);
}

int kl_test_result(SRunner *sr)
{
    if (srunner_ntests_failed(sr) > 0)
        return EXIT_FAILURE;
    int skipped = __atomic_load_n(skip_count, __ATOMIC_SEQ_CST);
    if (skipped > 0) {
        fprintf(stderr, "SKIP: %d case(s) could not run (reasons above)\n", skipped);
        return KL_TEST_EXIT_SKIP;
    }
    return EXIT_SUCCESS;
}

bool kl_test_as_nobody(const char *tcase)
{
    if (geteuid() != 0)
        return true;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(NOBODY_GID) != 0 || setuid(NOBODY_UID) != 0 ||
            setenv("CK_RUN_CASE", tcase, 1) != 0) {
            fprintf(stderr, "cannot become nobody: %s\n", strerror(errno));
            _exit(EXIT_FAILURE);
        }
        unsetenv("CK_RUN_SUITE");
        execl("/proc/self/exe", "as-nobody", (char *)NULL);
        fprintf(stderr, "cannot run this program again as nobody: %s\n", strerror(errno));
        _exit(EXIT_FAILURE);
    }
    /* Check's case timeout does not apply in no-fork mode: a deadline of our own */
    int status;
    pid_t w;
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int waited_ms = 0; (w = waitpid(pid, &status, WNOHANG)) == 0; waited_ms += 10) {
        if (waited_ms >= AS_NOBODY_DEADLINE_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ck_abort_msg("case %s as user nobody still ran after %d ms: killed", tcase, AS_NOBODY_DEADLINE_MS);
        }
        nanosleep(&tick, NULL);
    }
    ck_assert_int_eq(w, pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "case %s as user nobody failed (status %d): see its output above", tcase, status);
    return false;
}
