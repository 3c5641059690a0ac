/* What the benchmarks share: a monotonic clock, a latency histogram with
 * percentiles (fixed size, so recording a sample costs no memory), the
 * process's own peak resident memory, and child processes: a function run
 * in a forked child whose result comes back through a pipe (so each
 * measured client has its own heap and its own peak), and a server (a
 * broker) kept in a child of its own until the parent lets it go. */
#ifndef KL_BENCH_UTIL_H
#define KL_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic nanoseconds. */
int64_t bench_now_ns(void);

/* Waits until the monotonic time due_ns, meanwhile calling serve(handle,
 * ms) (a client's poll, serving its reports) at least once, with the
 * whole milliseconds left (0 when less), then sleeping out the rest: a
 * paced loop whose reports are served within a millisecond of their
 * arrival. */
void bench_pace(int64_t due_ns, void (*serve)(void *handle, int ms), void *handle);

/* Most items a comma-separated option names. */
#define BENCH_MAX_LIST 8
/* Splits s in place at commas into items (at most BENCH_MAX_LIST); the count. */
int bench_split_list(char *s, const char **items);
/* a / b, or 0 when b is not positive (a ratio with nothing to compare). */
double bench_ratio(double a, double b);

/* Most rounds a benchmark runs (-r). */
#define BENCH_MAX_ROUNDS 32
/* The median (of the middle two for an even count), lowest and highest
 * of n values: what a table of rounds reports. */
typedef struct bench_spread {
    double median, min, max;
} bench_spread_t;
bench_spread_t bench_spread(const double *values, int n);
/* "median (min-max)", each with that many decimals, into buf. */
const char *bench_spread_str(char *buf, size_t size, int decimals, bench_spread_t s);

/* Prints "prog: what: why" and exits with status 1. */
void bench_die(const char *what, const char *why) __attribute__((noreturn));

/* The program name bench_die() prints. */
extern const char *bench_prog;

/* Log-linear buckets: exact below 64, then 32 per power of two (about 3%
 * apart), up to 2^41. */
#define BENCH_HIST_BUCKETS (64 + 36 * 32)
typedef struct bench_hist {
    uint64_t count;
    uint64_t buckets[BENCH_HIST_BUCKETS];
} bench_hist_t;

void bench_hist_add(bench_hist_t *h, uint64_t value);
/* The p-th percentile (0 < p <= 100), nearest rank, as the middle of its
 * bucket; 0 when empty. */
uint64_t bench_hist_percentile(const bench_hist_t *h, double p);

/* The user and system CPU seconds this process (all its threads) has
 * used so far. */
double bench_cpu_secs(void);

/* This process's peak resident memory (VmHWM) in kB; -1 if unknown. */
long bench_peak_rss_kb(void);
/* The same of process pid (this one when 0). */
long bench_process_peak_kb(pid_t pid);
/* The user and system CPU seconds process pid has used so far
 * (/proc/PID/stat) into *user and *sys; -1 if unknown. */
int bench_process_cpu(pid_t pid, double *user, double *sys);

/* Runs fn(arg, out) in a forked child and copies the size bytes it left in
 * out back into out. Returns 0 when the child exited with status 0 having
 * written them, -1 otherwise. The caller must have no other threads. */
int bench_in_child(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size);

/* A server in a child process: start() brings it up and writes its
 * bootstrap address; stop() takes it down (and removes what it made). */
typedef struct bench_server_ops {
    void *(*start)(void *arg, char *bootstrap, size_t size);
    void (*stop)(void *state);
} bench_server_ops_t;

typedef struct bench_server {
    pid_t pid;
    int ctl; /* the parent's end: closing it stops the server */
    char bootstrap[256];
} bench_server_t;

/* Forks the server and waits until it gives its address; dies on failure.
 * The caller must have no other threads. */
void bench_server_start(bench_server_t *s, const bench_server_ops_t *ops, void *arg);
/* Tells the server to stop and waits for it. */
void bench_server_stop(bench_server_t *s);

#endif
