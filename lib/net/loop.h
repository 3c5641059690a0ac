/* The event loop shared by the client's I/O thread and the broker: epoll
 * over file descriptors, a min-heap of timers on the monotonic clock, and a
 * thread-safe queue of functions to run on the loop thread (woken through an
 * eventfd), which is how application threads hand work to the loop.
 * Everything but kl_loop_post() and kl_loop_stop() runs on the loop thread. */
#ifndef KL_NET_LOOP_H
#define KL_NET_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

typedef struct kl_loop kl_loop_t;
typedef struct kl_io kl_io_t;
typedef struct kl_timer kl_timer_t;

/* Readiness bits (same values as EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP). */
#define KL_IO_READ 0x001u
#define KL_IO_WRITE 0x004u
#define KL_IO_ERROR 0x008u
#define KL_IO_HUP 0x010u

typedef void kl_io_cb(kl_loop_t *loop, kl_io_t *io, uint32_t events);
typedef void kl_timer_cb(kl_loop_t *loop, kl_timer_t *timer);
typedef void kl_task_fn(void *arg);

/* A watched descriptor; the owner embeds it in its own struct. */
struct kl_io {
    int fd;
    uint32_t events; /* what is being watched */
    kl_io_cb *cb;
    void *opaque;
    bool active;
};

/* A one-shot timer; the owner embeds it and may restart it from its
 * callback. */
struct kl_timer {
    int64_t due_ms;
    kl_timer_cb *cb;
    void *opaque;
    size_t heap_index; /* position in the heap, or SIZE_MAX when idle */
};


kl_loop_t *kl_loop_new(void);
/* Frees the loop; tasks still queued are run first so nothing they own
 * leaks. Watched descriptors are not closed (their owners close them). */
void kl_loop_destroy(kl_loop_t *loop);

void kl_io_init(kl_io_t *io, int fd, kl_io_cb *cb, void *opaque);
/* Starts watching (or changes the watched events of) io. 0 or -1 (errno). */
int kl_io_start(kl_loop_t *loop, kl_io_t *io, uint32_t events);
/* Stops watching; pending events for io in the current round are dropped,
 * so io may be freed right after, even from inside a callback. */
void kl_io_stop(kl_loop_t *loop, kl_io_t *io);

void kl_timer_init(kl_timer_t *timer, kl_timer_cb *cb, void *opaque);
/* (Re)arms timer to fire after delay_ms (>= 0). */
void kl_timer_start(kl_loop_t *loop, kl_timer_t *timer, int64_t delay_ms);
void kl_timer_stop(kl_loop_t *loop, kl_timer_t *timer);
static inline bool kl_timer_active(const kl_timer_t *timer) { return timer->heap_index != (size_t)-1; }

/* Any thread: queues fn(arg) to run on the loop thread and wakes it.
 * 0, or -1 when out of memory. */
int kl_loop_post(kl_loop_t *loop, kl_task_fn *fn, void *arg);

/* Runs one round: waits up to timeout_ms (-1: until something happens,
 * bounded by the next timer) for I/O, then runs ready callbacks, due
 * timers and posted tasks. Returns the number of callbacks run. */
int kl_loop_run_once(kl_loop_t *loop, int timeout_ms);
/* Microseconds the loop spent in its rounds' work (callbacks, timers,
 * tasks) rather than waiting, since it was made. Any thread (the count of
 * the rounds finished so far). */
int64_t kl_loop_busy_us(const kl_loop_t *loop);
/* Runs rounds until kl_loop_stop(). */
void kl_loop_run(kl_loop_t *loop);
/* Any thread: makes kl_loop_run() return after the current round. */
void kl_loop_stop(kl_loop_t *loop);

#endif
