/* Test fixture: an embedded broker on 127.0.0.1 port 0 with a fresh
 * temporary log directory, restartable on the same directory, and removed
 * (directory included) at the end. Failures abort the Check test. */
#ifndef KL_TEST_BROKER_FIXTURE_H
#define KL_TEST_BROKER_FIXTURE_H

#include <kafkalite.h>

typedef struct broker_fixture {
    char dir[64];
    char listeners[64]; /* "" until a restart keeps the port */
    const char *const *props; /* extra name, value, ..., NULL */
    kl_broker_t *broker;
    const char *bootstrap;
} broker_fixture_t;

/* props: extra properties as name, value pairs ending with NULL (or NULL). */
void fixture_start(broker_fixture_t *f, const char *const *props);
/* Stops and destroys the broker (if the test has not destroyed it and
 * set it NULL already), then starts a new one on the same directory with
 * the same properties (on a new port). */
void fixture_restart(broker_fixture_t *f);
/* The same, on the port the broker had, so clients that know it (a
 * librdkafka producer in flight) reconnect to the new broker. */
void fixture_restart_same_port(broker_fixture_t *f);
/* Destroys the broker and removes the directory. */
void fixture_stop(broker_fixture_t *f);
/* Removes dir and everything in it. */
void fixture_remove_dir(const char *dir);
/* The entries of directory path, but for . and ..; fails the test when it
 * cannot be listed. */
int fixture_dir_entries(const char *path);

/* The threads a broker started with props adds to the process; fails
 * the test unless every one is gone once it stops. */
int fixture_threads_added(const char *const *props);

/* A port on 127.0.0.1 nothing listens on (bound, then closed). */
int fixture_dead_port(void);

/* Monotonic milliseconds, for deadlines. */
long long fixture_now_ms(void);

#endif
