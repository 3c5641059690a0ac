/* A broker in a child process, for tests that watch it from outside: its
 * descriptor limit (RLIMIT_NOFILE, soft and hard), its CPU time, its
 * memory (RSS) and its log (stderr, kept in a file). The child builds the
 * broker after fork(), so nothing of the test process's threads is in it. */
#ifndef KL_TEST_CHILD_BROKER_H
#define KL_TEST_CHILD_BROKER_H

#include <stddef.h>
#include <sys/types.h>

typedef struct child_broker {
    pid_t pid;
    int control; /* closing it stops the broker */
    char dir[64];
    char log[80]; /* the broker's stderr */
    char bootstrap[64];
} child_broker_t;

/* Starts it with props (name, value, ..., NULL) and, when nofile > 0,
 * that descriptor limit; fails the test unless it is up and listening. */
void child_broker_start(child_broker_t *cb, long nofile, const char *const *props);
/* Stops it (cleanly: fails the test unless it exits with status 0) and
 * removes its directory and log. */
void child_broker_stop(child_broker_t *cb);

/* Its CPU time (user + system) so far, in milliseconds. */
long long child_broker_cpu_ms(const child_broker_t *cb);
/* A "VmRSS"/"VmHWM" line of its /proc status, in KiB. */
long long child_broker_mem_kib(const child_broker_t *cb, const char *field);
/* Its open descriptors. */
int child_broker_fds(const child_broker_t *cb);
/* Lines of its log holding needle (NULL: all lines). */
int child_broker_log_count(const child_broker_t *cb, const char *needle);

#endif
