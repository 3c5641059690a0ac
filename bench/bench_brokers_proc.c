/* bench_brokers' broker processes: see bench_brokers_proc.h. */
#include "bench_brokers_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define STOP_TIMEOUT_NS (120 * INT64_C(1000000000))

extern char **environ;


static broker_t *live; /* killed (and its folder removed) by a failing run */
static pid_t main_pid; /* ... of this process, not of a client's child */

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s: could not remove %s\n", bench_prog, dir);
}

void broker_cleanup(void)
{
    if (getpid() != main_pid)
        return;
    if (live && live->pid > 0) {
        kill(live->pid, SIGKILL);
        waitpid(live->pid, NULL, 0);
    }
    if (live && live->dir[0])
        remove_dir(live->dir);
    live = NULL;
}

/* The first line of DIR/name into buf; false when there is no such file. */
static bool read_line(const broker_t *b, const char *name, char *buf, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", b->dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    buf[0] = '\0';
    if (!fgets(buf, (int)size, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return true;
}

void broker_prepare(broker_t *b, const char *prepare, const char *target)
{
    if (!main_pid)
        main_pid = getpid();
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "/tmp/kl-bench-brokers-XXXXXX");
    if (!mkdtemp(b->dir))
        bench_die("mkdtemp", strerror(errno));
    live = b;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s '%s' >'%s/prepare.log' 2>&1", prepare, target, b->dir, b->dir);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/prepare.log' >&2", b->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "%s: no prepare.log\n", bench_prog);
        bench_die(target, "could not be prepared");
    }
    if (!read_line(b, "bootstrap", b->bootstrap, sizeof b->bootstrap) || !b->bootstrap[0])
        bench_die(target, "prepare wrote no bootstrap");
    if (!read_line(b, "datadir", b->data, sizeof b->data))
        b->data[0] = '\0';
    char path[128];
    snprintf(path, sizeof path, "%s/command", b->dir);
    FILE *f = fopen(path, "r");
    size_t used = fread(b->args, 1, sizeof b->args - 1, f ? f : stdin);
    if (!f || used == sizeof b->args - 1)
        bench_die(path, "missing or too long");
    fclose(f);
    int argc = 0;
    for (char *line = strtok(b->args, "\n"); line && argc < BROKER_MAX_ARGS; line = strtok(NULL, "\n"))
        b->argv[argc++] = line;
    if (argc == 0)
        bench_die(path, "empty");
}

void broker_spawn(broker_t *b)
{
    char log[128];
    snprintf(log, sizeof log, "%s/broker.log", b->dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int err = posix_spawnp(&b->pid, b->argv[0], &fa, NULL, b->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err)
        bench_die(b->argv[0], strerror(err));
}

/* The broker's user+system CPU seconds so far. */
double broker_cpu(const broker_t *b)
{
    double user, sys;
    if (bench_process_cpu(b->pid, &user, &sys) != 0)
        bench_die("/proc/PID/stat", "unreadable");
    return user + sys;
}

static double blocks_bytes;
static int add_blocks(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path, (void)ftw;
    if (type == FTW_F)
        blocks_bytes += (double)st->st_blocks * 512.0;
    return 0;
}

/* Bytes allocated to the files under the broker's data folder. */
double broker_disk(const broker_t *b)
{
    blocks_bytes = 0;
    if (nftw(b->data, add_blocks, 16, FTW_PHYS) != 0)
        bench_die(b->data, "cannot walk the data folder");
    return blocks_bytes;
}

/* Stops the broker (SIGTERM, then SIGKILL after a while); its folder stays. */
void broker_terminate(broker_t *b)
{
    kill(b->pid, SIGTERM);
    int64_t deadline = bench_now_ns() + STOP_TIMEOUT_NS;
    while (waitpid(b->pid, NULL, WNOHANG) == 0) {
        if (bench_now_ns() > deadline) {
            fprintf(stderr, "%s: %s ignores SIGTERM: killed\n", bench_prog, b->argv[0]);
            kill(b->pid, SIGKILL);
            waitpid(b->pid, NULL, 0);
            break;
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL); /* a benchmark's own pacing, with a deadline */
    }
    b->pid = 0;
}

void broker_stop(broker_t *b)
{
    broker_terminate(b);
    remove_dir(b->dir);
    live = NULL;
}

/* Succeeds once something accepts TCP connections at host:port. */
bool broker_accepting(const char *bootstrap)
{
    char host[256];
    snprintf(host, sizeof host, "%s", bootstrap);
    char *colon = strrchr(host, ':');
    if (!colon)
        bench_die(bootstrap, "no port");
    *colon = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        bench_die(bootstrap, "not an IPv4 address");
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        bench_die("socket", strerror(errno));
    bool ok = connect(s, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(s);
    return ok;
}
