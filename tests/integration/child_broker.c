/* A broker in a child process: see child_broker.h. */
#include "child_broker.h"

#include <check.h>
#include <fcntl.h>
#include <kafkalite.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "broker_fixture.h"

#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 30000

/* The child: no Check calls, an exit status per failure. */
static void child_main(const child_broker_t *cb, long nofile, const char *const *props, int up, int control)
{
    int log = open(cb->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log < 0 || dup2(log, 2) < 0)
        _exit(10);
    close(log);
    if (nofile > 0) {
        struct rlimit rl = {(rlim_t)nofile, (rlim_t)nofile};
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(11);
    }
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    if (!conf || kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, sizeof errstr) ||
        kl_conf_set(conf, "log.dirs", cb->dir, errstr, sizeof errstr))
        _exit(12);
    for (const char *const *p = props; p && p[0]; p += 2)
        if (kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr)) {
            fprintf(stderr, "child broker: %s=%s: %s\n", p[0], p[1], errstr);
            _exit(13);
        }
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!b) {
        fprintf(stderr, "child broker: %s\n", errstr);
        _exit(14);
    }
    if (kl_broker_start(b) != KL_ERR_NONE)
        _exit(15);
    const char *bootstrap = kl_broker_bootstrap_servers(b);
    if (write(up, bootstrap, strlen(bootstrap)) != (ssize_t)strlen(bootstrap))
        _exit(16);
    close(up);
    char c;
    while (read(control, &c, 1) > 0)
        ;
    int rc = kl_broker_stop(b) == KL_ERR_NONE ? 0 : 17;
    kl_broker_destroy(b);
    _exit(rc);
}

void child_broker_start(child_broker_t *cb, long nofile, const char *const *props)
{
    memset(cb, 0, sizeof *cb);
    snprintf(cb->dir, sizeof cb->dir, "/tmp/kl-child-broker-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(cb->dir));
    snprintf(cb->log, sizeof cb->log, "%s.log", cb->dir);
    int up[2], control[2];
    ck_assert_int_eq(pipe(up), 0);
    ck_assert_int_eq(pipe(control), 0);
    fflush(NULL);
    cb->pid = fork();
    ck_assert_int_ge(cb->pid, 0);
    if (cb->pid == 0) {
        close(up[0]);
        close(control[1]);
        child_main(cb, nofile, props, up[1], control[0]);
    }
    close(up[1]);
    close(control[0]);
    cb->control = control[1];
    size_t got = 0;
    long long deadline = fixture_now_ms() + START_TIMEOUT_MS;
    for (;;) {
        struct pollfd p = {.fd = up[0], .events = POLLIN};
        int left = (int)(deadline - fixture_now_ms());
        ck_assert_msg(left > 0 && poll(&p, 1, left) == 1, "the child broker did not start in time");
        ssize_t n = read(up[0], cb->bootstrap + got, sizeof cb->bootstrap - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(up[0]);
    ck_assert_msg(got > 0, "the child broker did not start (see %s)", cb->log);
}

void child_broker_stop(child_broker_t *cb)
{
    close(cb->control);
    int status = 0;
    long long deadline = fixture_now_ms() + STOP_TIMEOUT_MS;
    pid_t w;
    while ((w = waitpid(cb->pid, &status, WNOHANG)) == 0 && fixture_now_ms() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (w == 0) {
        kill(cb->pid, SIGKILL);
        waitpid(cb->pid, &status, 0);
    }
    fixture_remove_dir(cb->dir);
    ck_assert_msg(w == cb->pid, "the child broker did not stop in time");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child broker ended with status %d", status);
    unlink(cb->log);
}

long long child_broker_cpu_ms(const child_broker_t *cb)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)cb->pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* fields after the command's closing parenthesis: state is field 3,
     * utime 14 and stime 15 */
    const char *p = strrchr(buf, ')');
    ck_assert_ptr_nonnull(p);
    unsigned long long utime = 0, stime = 0;
    ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime), 2);
    return (long long)(utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

long long child_broker_mem_kib(const child_broker_t *cb, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)cb->pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long long kib = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, flen) && line[flen] == ':')
            kib = atoll(line + flen + 1);
    fclose(f);
    ck_assert_msg(kib >= 0, "no %s in %s", field, path);
    return kib;
}

int child_broker_fds(const child_broker_t *cb)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)cb->pid);
    return fixture_dir_entries(path);
}

int child_broker_log_count(const child_broker_t *cb, const char *needle)
{
    FILE *f = fopen(cb->log, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += !needle || strstr(line, needle) != NULL;
    fclose(f);
    return n;
}
