/* GSSAPI's Kerberos ticket, as librdkafka keeps it: sasl.kerberos.kinit.cmd
 * (its %{property} references replaced by the client's values) runs
 * through /bin/sh once when the client is created, on the creating thread
 * (the first connection needs the ticket), then every
 * sasl.kerberos.min.time.before.relogin on a thread of its own, so the I/O
 * thread never waits for it; 0 turns both off (the ticket is then the
 * application's business). A failure is logged with the command's output
 * and the next connection fails with cyrus-sasl's reason. Runs are
 * serialized process-wide, since they share the credential cache; one
 * taking longer than KINIT_TIMEOUT_MS is killed. */
#include "client/client_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/conf_table.h"
#include "client/log.h"
#include "util/clock.h"

extern char **environ;

#define KINIT_TIMEOUT_MS 60000
#define OUTPUT_KEPT 600

struct kl_kinit {
    kl_client_t *client;
    char *cmd;
    int64_t interval_ms;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock; /* guards stopping and child */
    pthread_cond_t cond;
    bool stopping;
    pid_t child; /* the command running, 0: none */
};

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER; /* one kinit at a time per process */

/* cmd with every %{name} replaced by the property's value; NULL with
 * errstr filled for an unknown name. */
static char *expand(const kl_conf_t *conf, const char *cmd, char *errstr, size_t errstr_size)
{
    size_t cap = strlen(cmd) + 1, len = 0;
    char *out = malloc(cap);
    for (const char *p = cmd; out && *p;) {
        const char *end = !strncmp(p, "%{", 2) ? strchr(p + 2, '}') : NULL;
        const char *value = p;
        size_t n = 1;
        char name[128];
        if (end && (size_t)(end - p - 2) < sizeof name) {
            memcpy(name, p + 2, (size_t)(end - p - 2));
            name[end - p - 2] = '\0';
            if (!kl_conf_lookup(kl_conf_schema(conf), name)) {
                snprintf(errstr, errstr_size, "sasl.kerberos.kinit.cmd: %%{%s} names no property", name);
                free(out);
                return NULL;
            }
            value = kl_conf_get_str(conf, name);
            n = strlen(value);
            p = end + 1;
        } else {
            p++;
        }
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(out, cap);
            if (!grown) {
                free(out);
                out = NULL;
                break;
            }
            out = grown;
        }
        memcpy(out + len, value, n);
        len += n;
    }
    if (out)
        out[len] = '\0';
    else
        snprintf(errstr, errstr_size, "out of memory");
    return out;
}

/* Starts /bin/sh -c cmd with its output into *fd; the child's pid, or -1
 * with errno. */
static pid_t spawn(const char *cmd, int *fd)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    /* its own process group, so that killing it kills what the shell ran */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        errno = rc;
        return -1;
    }
    *fd = pipefd[0];
    return pid;
}

/* Reads the child's output (the first OUTPUT_KEPT bytes kept) until it
 * closes it or the deadline passes; whether it closed it. */
static bool collect(int fd, char *out, size_t size, int64_t deadline)
{
    size_t len = 0;
    char buf[512];
    for (;;) {
        int64_t left = deadline - kl_clock_ms();
        if (left <= 0)
            return false;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int rc = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (rc < 0 && errno != EINTR)
            return false;
        if (rc <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return true;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return false;
        }
        size_t keep = len + 1 < size ? size - 1 - len : 0;
        if (keep > (size_t)n)
            keep = (size_t)n;
        memcpy(out + len, buf, keep);
        len += keep;
        out[len] = '\0';
    }
}

/* Runs the command once and logs how it went. */
static bool run(struct kl_kinit *k)
{
    kl_client_t *c = k->client;
    char output[OUTPUT_KEPT + 1] = "";
    pthread_mutex_lock(&run_lock);
    int fd = -1;
    pid_t pid = spawn(k->cmd, &fd);
    if (pid < 0) {
        int e = errno;
        pthread_mutex_unlock(&run_lock);
        kl_log(&c->log, KL_LOG_ERR, "SASLREFRESH", "sasl.kerberos.kinit.cmd: cannot run /bin/sh: %s",
               strerror(e));
        return false;
    }
    pthread_mutex_lock(&k->lock);
    k->child = pid;
    pthread_mutex_unlock(&k->lock);
    bool ended = collect(fd, output, sizeof output, kl_clock_ms() + KINIT_TIMEOUT_MS);
    close(fd);
    if (!ended)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&k->lock);
    k->child = 0;
    bool stopping = k->stopping;
    pthread_mutex_unlock(&k->lock);
    pthread_mutex_unlock(&run_lock);
    size_t n = strlen(output);
    while (n && (output[n - 1] == '\n' || output[n - 1] == ' '))
        output[--n] = '\0';
    bool ok = ended && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok)
        kl_log_debug(&c->log, KL_DEBUG_SECURITY, "SASLREFRESH", "sasl.kerberos.kinit.cmd succeeded");
    else if (!stopping)
        kl_log(&c->log, KL_LOG_ERR, "SASLREFRESH", "sasl.kerberos.kinit.cmd %s: %s",
               !ended                 ? "took too long and was killed"
               : WIFEXITED(status)    ? "failed"
                                      : "was killed by a signal",
               output[0] ? output : "(no output)");
    return ok;
}

static void *refresh_thread(void *arg)
{
    struct kl_kinit *k = arg;
    pthread_mutex_lock(&k->lock);
    while (!k->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(k->interval_ms / 1000);
        ts.tv_nsec += (long)(k->interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!k->stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&k->cond, &k->lock, &ts);
        if (k->stopping)
            break;
        pthread_mutex_unlock(&k->lock);
        run(k);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

kl_err_t kl_client_kinit_start(kl_client_t *c, char *errstr, size_t errstr_size)
{
    const char *cmd = kl_conf_get_str(c->conf, "sasl.kerberos.kinit.cmd");
    int64_t interval = kl_conf_get_int(c->conf, "sasl.kerberos.min.time.before.relogin");
    if (!cmd[0] || interval == 0)
        return KL_ERR_NONE;
    struct kl_kinit *k = calloc(1, sizeof *k);
    if (!k)
        return KL_ERR_NOMEM;
    k->client = c;
    k->interval_ms = interval;
    pthread_mutex_init(&k->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cond, &attr);
    pthread_condattr_destroy(&attr);
    c->kinit = k;
    k->cmd = expand(c->conf, cmd, errstr, errstr_size);
    if (!k->cmd)
        return KL_ERR_INVALID_VALUE;
    run(k);
    int rc = pthread_create(&k->thread, NULL, refresh_thread, k);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the Kerberos ticket refresh thread: %s", strerror(rc));
        return KL_ERR_FATAL;
    }
    k->thread_started = true;
    return KL_ERR_NONE;
}

void kl_client_kinit_stop(kl_client_t *c)
{
    struct kl_kinit *k = c->kinit;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stopping = true;
    if (k->child > 0)
        kill(-k->child, SIGKILL); /* its output ends, run() reaps it */
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
    if (k->thread_started)
        pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cond);
    pthread_mutex_destroy(&k->lock);
    free(k->cmd);
    free(k);
    c->kinit = NULL;
}
