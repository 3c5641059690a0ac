/* bench_brokers' broker processes: each prepared in a folder of its own
 * by a command (bench/broker_prepare), spawned, watched through /proc and
 * stopped. A broker that is up when the program exits (bench_die()
 * included) is killed and its folder removed (broker_cleanup(), to be
 * registered with atexit() by the main process). */
#ifndef KL_BENCH_BROKERS_PROC_H
#define KL_BENCH_BROKERS_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#define BROKER_MAX_ARGS 64

typedef struct broker {
    char dir[64];
    char bootstrap[256];
    char data[512]; /* "" when it keeps nothing on disk */
    char *argv[BROKER_MAX_ARGS + 1];
    char args[8192];
    pid_t pid;
} broker_t;

/* Runs `PREPARE TARGET DIR` in a new temporary folder and reads what it
 * wrote: DIR/command, DIR/bootstrap and DIR/datadir (absent: nothing on
 * disk, b->data empty); dies on failure. */
void broker_prepare(broker_t *b, const char *prepare, const char *target);
/* Starts the command; its output goes to DIR/broker.log. */
void broker_spawn(broker_t *b);
/* Succeeds once something accepts TCP connections at the bootstrap. */
bool broker_accepting(const char *bootstrap);
/* Its user+system CPU seconds so far. */
double broker_cpu(const broker_t *b);
/* Bytes allocated to the files of its data folder. */
double broker_disk(const broker_t *b);
/* Stops it (SIGTERM, SIGKILL after a while); its folder stays. */
void broker_terminate(broker_t *b);
/* Stops it and removes its folder. */
void broker_stop(broker_t *b);
/* Kills a broker left up and removes its folder (in the main process
 * only, not in a client's forked child). */
void broker_cleanup(void);

#endif
