/* The `kafkalite broker` daemon as the crash loop runs it: started on a
 * log directory and a loopback port (0 the first time: the one it picked
 * is kept, so clients reconnect to the restarted daemon), killed with
 * SIGKILL. Failures abort the Check test. */
#ifndef KL_TEST_CRASH_DAEMON_H
#define KL_TEST_CRASH_DAEMON_H

#include <sys/types.h>

typedef struct crash_daemon {
    char work[64];      /* temporary directory: logs/, broker.out, broker.err */
    char logs[96];
    const char *const *overrides; /* extra name=value, NULL-terminated */
    char bootstrap[64]; /* "127.0.0.1:PORT" once started */
    pid_t pid;          /* 0 when not running */
    int starts;
} crash_daemon_t;

/* A fresh work directory; nothing started. */
void crash_daemon_init(crash_daemon_t *d, const char *const *overrides);
/* Starts the daemon and waits (with a deadline) until it says it is ready. */
void crash_daemon_start(crash_daemon_t *d);
/* SIGKILL, and waits for it to be gone. */
void crash_daemon_kill(crash_daemon_t *d);
/* Stops a running daemon with SIGTERM (it must exit 0) and removes the
 * work directory. */
void crash_daemon_finish(crash_daemon_t *d);

#endif
