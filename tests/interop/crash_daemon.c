/* The crash loop's daemon: see crash_daemon.h. */
#include "crash_daemon.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 60000

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void crash_daemon_init(crash_daemon_t *d, const char *const *overrides)
{
    memset(d, 0, sizeof *d);
    snprintf(d->work, sizeof d->work, "/tmp/kl-crash-loop-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->work));
    snprintf(d->logs, sizeof d->logs, "%s/logs", d->work);
    d->overrides = overrides;
}

/* The bootstrap address the daemon printed in out, or false. */
static bool read_ready(const char *out, char *bootstrap, size_t size)
{
    FILE *f = fopen(out, "re");
    if (!f)
        return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "bootstrap.servers=");
        if (p && strchr(p, '\n')) {
            p += strlen("bootstrap.servers=");
            snprintf(bootstrap, size, "%.*s", (int)strcspn(p, "\n"), p);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static void child_exec(crash_daemon_t *d, const char *out, const char *err)
{
    const char *kafkalite = getenv("KAFKALITE") ? getenv("KAFKALITE") : "./tools/kafkalite";
    char listeners[128], logdirs[160];
    snprintf(listeners, sizeof listeners, "listeners=PLAINTEXT://%s", d->bootstrap[0] ? d->bootstrap : "127.0.0.1:0");
    snprintf(logdirs, sizeof logdirs, "log.dirs=%s", d->logs);
    /* No HTTP console: its fixed default port would collide between
     * daemons of tests run at once. */
    const char *argv[64] = {"kafkalite", "broker", "--override", listeners, "--override", logdirs,
                            "--override", "console.listeners="};
    int n = 8;
    for (const char *const *o = d->overrides; o && *o && n < 60; o++) {
        argv[n++] = "--override";
        argv[n++] = *o;
    }
    argv[n] = NULL;
    int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int fe = open(err, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    /* gone with the test, should it fail midway */
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        _exit(127);
    execv(kafkalite, (char *const *)argv);
    _exit(127);
}

void crash_daemon_start(crash_daemon_t *d)
{
    char out[128], err[128];
    snprintf(out, sizeof out, "%s/broker.out", d->work);
    snprintf(err, sizeof err, "%s/broker.err", d->work);
    unlink(out);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        child_exec(d, out, err);
    d->pid = pid;
    d->starts++;
    char bootstrap[64];
    long long deadline = now_ms() + READY_TIMEOUT_MS;
    struct timespec tick = {0, 5 * 1000 * 1000};
    while (!read_ready(out, bootstrap, sizeof bootstrap)) {
        int status;
        ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0, "start %d: the broker exited (status %d); see %s",
                      d->starts, status, err);
        ck_assert_msg(now_ms() < deadline, "start %d: the broker never said it was ready; see %s", d->starts, err);
        nanosleep(&tick, NULL); /* polling the output file, with the deadline above */
    }
    if (!d->bootstrap[0])
        snprintf(d->bootstrap, sizeof d->bootstrap, "%s", bootstrap);
    ck_assert_str_eq(bootstrap, d->bootstrap);
}

void crash_daemon_kill(crash_daemon_t *d)
{
    ck_assert_int_gt(d->pid, 0);
    ck_assert_int_eq(kill(d->pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    d->pid = 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void crash_daemon_finish(crash_daemon_t *d)
{
    if (d->pid > 0) {
        ck_assert_int_eq(kill(d->pid, SIGTERM), 0);
        int status;
        ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
        d->pid = 0;
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the broker's clean stop failed (status %d)",
                      status);
    }
    nftw(d->work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
