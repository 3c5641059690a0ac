/* What the benchmarks share: see bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *bench_prog = "bench";

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void bench_pace(int64_t due_ns, void (*serve)(void *handle, int ms), void *handle)
{
    int64_t left;
    do {
        left = due_ns - bench_now_ns();
        serve(handle, left >= 1000000 ? (int)(left / 1000000) : 0);
    } while (left >= 1000000);
    struct timespec ts = {(time_t)(due_ns / 1000000000), (long)(due_ns % 1000000000)};
    while (due_ns > bench_now_ns() && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

double bench_cpu_secs(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void bench_die(const char *what, const char *why)
{
    fprintf(stderr, "%s: %s: %s\n", bench_prog, what, why);
    exit(1);
}

/* ---- latency histogram ----------------------------------------------------------- */

#define SUB_BITS 5
#define SUB (1u << SUB_BITS)   /* buckets per power of two */
#define LINEAR (2u * SUB)      /* values below this have a bucket each */

static size_t bucket_of(uint64_t v)
{
    if (v < LINEAR)
        return (size_t)v;
    int shift = 63 - __builtin_clzll(v) - SUB_BITS; /* >= 1 */
    size_t i = LINEAR + (size_t)(shift - 1) * SUB + (size_t)((v >> shift) - SUB);
    return i < BENCH_HIST_BUCKETS ? i : BENCH_HIST_BUCKETS - 1;
}

static uint64_t bucket_middle(size_t i)
{
    if (i < LINEAR)
        return i;
    int shift = (int)((i - LINEAR) / SUB) + 1;
    uint64_t low = (uint64_t)((i - LINEAR) % SUB + SUB) << shift;
    return low + ((1ull << shift) >> 1);
}

void bench_hist_add(bench_hist_t *h, uint64_t value)
{
    h->buckets[bucket_of(value)]++;
    h->count++;
}

uint64_t bench_hist_percentile(const bench_hist_t *h, double p)
{
    if (!h->count)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < BENCH_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank)
            return bucket_middle(i);
    }
    return bucket_middle(BENCH_HIST_BUCKETS - 1);
}

/* ---- memory ------------------------------------------------------------------------ */

long bench_process_peak_kb(pid_t pid)
{
    char path[64];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

long bench_peak_rss_kb(void) { return bench_process_peak_kb(0); }

int bench_process_cpu(pid_t pid, double *user, double *sys)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    bool ok = fgets(buf, sizeof buf, f) != NULL;
    fclose(f);
    /* fields 14 and 15 (utime, stime) follow the ") " closing the name */
    char *p = ok ? strrchr(buf, ')') : NULL;
    unsigned long utime = 0, stime = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    double tick = (double)sysconf(_SC_CLK_TCK);
    *user = (double)utime / tick;
    *sys = (double)stime / tick;
    return 0;
}

/* ---- child processes ------------------------------------------------------------------ */

static int write_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Bytes read before end of file or an error. */
static size_t read_all(int fd, void *data, size_t size)
{
    char *p = data;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static pid_t fork_with_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        bench_die("pipe", strerror(errno));
    fflush(NULL); /* or the child would print the parent's buffered output again */
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork", strerror(errno));
    if (pid == 0)
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a client does not outlive an interrupted run */
    return pid;
}

static int wait_ok(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int bench_in_child(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size)
{
    int fds[2];
    pid_t pid = fork_with_pipe(fds);
    if (pid == 0) {
        close(fds[0]);
        fn(arg, out);
        int rc = write_all(fds[1], out, size) == 0 ? 0 : 1;
        fflush(NULL);
        _exit(rc);
    }
    close(fds[1]);
    size_t got = read_all(fds[0], out, size);
    close(fds[0]);
    return wait_ok(pid) == 0 && got == size ? 0 : -1;
}

void bench_server_start(bench_server_t *s, const bench_server_ops_t *ops, void *arg)
{
    int addr[2], ctl[2];
    if (pipe(ctl) != 0)
        bench_die("pipe", strerror(errno));
    pid_t pid = fork_with_pipe(addr);
    if (pid == 0) {
        close(addr[0]);
        close(ctl[1]);
        char bootstrap[sizeof s->bootstrap] = "";
        void *state = ops->start(arg, bootstrap, sizeof bootstrap);
        if (write_all(addr[1], bootstrap, sizeof bootstrap) != 0)
            _exit(1);
        close(addr[1]);
        /* until the parent closes its end (or dies) */
        for (;;) {
            char c;
            ssize_t n = read(ctl[0], &c, 1);
            if (n == 0 || (n < 0 && errno != EINTR))
                break;
        }
        ops->stop(state);
        fflush(NULL);
        _exit(0);
    }
    close(addr[1]);
    close(ctl[0]);
    s->pid = pid;
    s->ctl = ctl[1];
    if (read_all(addr[0], s->bootstrap, sizeof s->bootstrap) != sizeof s->bootstrap || !s->bootstrap[0])
        bench_die("server", "did not start");
    close(addr[0]);
    s->bootstrap[sizeof s->bootstrap - 1] = '\0';
}

void bench_server_stop(bench_server_t *s)
{
    close(s->ctl);
    if (wait_ok(s->pid) != 0)
        fprintf(stderr, "%s: the server did not stop cleanly\n", bench_prog);
}

int bench_split_list(char *s, const char **items)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < BENCH_MAX_LIST; tok = strtok(NULL, ","))
        items[n++] = tok;
    return n;
}

double bench_ratio(double a, double b) { return b > 0 ? a / b : 0; }

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_spread_t bench_spread(const double *values, int n)
{
    if (n <= 0)
        return (bench_spread_t){0, 0, 0};
    double sorted[BENCH_MAX_ROUNDS];
    if (n > BENCH_MAX_ROUNDS)
        n = BENCH_MAX_ROUNDS;
    memcpy(sorted, values, (size_t)n * sizeof sorted[0]);
    qsort(sorted, (size_t)n, sizeof sorted[0], compare_doubles);
    double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return (bench_spread_t){median, sorted[0], sorted[n - 1]};
}

const char *bench_spread_str(char *buf, size_t size, int decimals, bench_spread_t s)
{
    snprintf(buf, size, "%.*f (%.*f-%.*f)", decimals, s.median, decimals, s.min, decimals, s.max);
    return buf;
}
