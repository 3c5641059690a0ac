/* The event loop: epoll, a timer heap and a posted-task queue woken through
 * an eventfd. See loop.h. */
#include "net/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/clock.h"

#define MAX_EVENTS 64
#define TIMER_IDLE ((size_t)-1)

typedef struct task {
    struct task *next;
    kl_task_fn *fn;
    void *arg;
} task_t;

struct kl_loop {
    int epfd;
    int wakefd;
    kl_io_t wake_io;
    /* events of the round being dispatched, so kl_io_stop() can drop them */
    struct epoll_event events[MAX_EVENTS];
    int nevents;
    kl_timer_t **heap;
    size_t nheap, heap_cap;
    pthread_mutex_t lock; /* guards the task queue */
    task_t *tasks_head, *tasks_tail;
    atomic_bool stopping;
    _Atomic int64_t busy_us; /* work of the rounds so far; written by the loop thread only */
};

/* ---- timer heap ------------------------------------------------------- */

static void heap_swap(kl_loop_t *loop, size_t a, size_t b)
{
    kl_timer_t *t = loop->heap[a];
    loop->heap[a] = loop->heap[b];
    loop->heap[b] = t;
    loop->heap[a]->heap_index = a;
    loop->heap[b]->heap_index = b;
}

static void heap_up(kl_loop_t *loop, size_t i)
{
    while (i > 0 && loop->heap[(i - 1) / 2]->due_ms > loop->heap[i]->due_ms) {
        heap_swap(loop, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(kl_loop_t *loop, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < loop->nheap && loop->heap[l]->due_ms < loop->heap[m]->due_ms)
            m = l;
        if (r < loop->nheap && loop->heap[r]->due_ms < loop->heap[m]->due_ms)
            m = r;
        if (m == i)
            return;
        heap_swap(loop, i, m);
        i = m;
    }
}

void kl_timer_init(kl_timer_t *timer, kl_timer_cb *cb, void *opaque)
{
    timer->due_ms = 0;
    timer->cb = cb;
    timer->opaque = opaque;
    timer->heap_index = TIMER_IDLE;
}

void kl_timer_stop(kl_loop_t *loop, kl_timer_t *timer)
{
    size_t i = timer->heap_index;
    if (i == TIMER_IDLE)
        return;
    timer->heap_index = TIMER_IDLE;
    loop->nheap--;
    if (i == loop->nheap)
        return;
    loop->heap[i] = loop->heap[loop->nheap];
    loop->heap[i]->heap_index = i;
    heap_down(loop, i);
    heap_up(loop, i);
}

void kl_timer_start(kl_loop_t *loop, kl_timer_t *timer, int64_t delay_ms)
{
    kl_timer_stop(loop, timer);
    if (loop->nheap == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        kl_timer_t **h = realloc(loop->heap, cap * sizeof *h);
        if (!h)
            abort(); /* a timer that silently never fires would be worse */
        loop->heap = h;
        loop->heap_cap = cap;
    }
    timer->due_ms = kl_clock_ms() + (delay_ms > 0 ? delay_ms : 0);
    timer->heap_index = loop->nheap;
    loop->heap[loop->nheap++] = timer;
    heap_up(loop, timer->heap_index);
}

static int run_timers(kl_loop_t *loop)
{
    int n = 0;
    int64_t now = kl_clock_ms();
    while (loop->nheap > 0 && loop->heap[0]->due_ms <= now) {
        kl_timer_t *t = loop->heap[0];
        kl_timer_stop(loop, t);
        t->cb(loop, t); /* may restart t */
        n++;
    }
    return n;
}

/* ---- posted tasks ----------------------------------------------------- */

int kl_loop_post(kl_loop_t *loop, kl_task_fn *fn, void *arg)
{
    task_t *t = malloc(sizeof *t);
    if (!t)
        return -1;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&loop->lock);
    bool was_empty = loop->tasks_head == NULL;
    if (loop->tasks_tail)
        loop->tasks_tail->next = t;
    else
        loop->tasks_head = t;
    loop->tasks_tail = t;
    pthread_mutex_unlock(&loop->lock);
    /* Only the empty-to-non-empty transition needs a wake-up. */
    if (was_empty) {
        uint64_t one = 1;
        ssize_t r = write(loop->wakefd, &one, sizeof one);
        (void)r; /* EAGAIN means a wake-up is already pending */
    }
    return 0;
}

static int run_tasks(kl_loop_t *loop)
{
    pthread_mutex_lock(&loop->lock);
    task_t *t = loop->tasks_head;
    loop->tasks_head = loop->tasks_tail = NULL;
    pthread_mutex_unlock(&loop->lock);
    int n = 0;
    while (t) {
        task_t *next = t->next;
        t->fn(t->arg);
        free(t);
        t = next;
        n++;
    }
    return n;
}

static void on_wake(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    uint64_t count;
    ssize_t r = read(io->fd, &count, sizeof count);
    (void)r;
    (void)loop;
    (void)events;
}

/* ---- descriptors -------------------------------------------------------- */

void kl_io_init(kl_io_t *io, int fd, kl_io_cb *cb, void *opaque)
{
    io->fd = fd;
    io->events = 0;
    io->cb = cb;
    io->opaque = opaque;
    io->active = false;
}

int kl_io_start(kl_loop_t *loop, kl_io_t *io, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};
    int op = io->active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(loop->epfd, op, io->fd, &ev) != 0)
        return -1;
    io->events = events;
    io->active = true;
    return 0;
}

void kl_io_stop(kl_loop_t *loop, kl_io_t *io)
{
    if (!io->active)
        return;
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->active = false;
    for (int i = 0; i < loop->nevents; i++)
        if (loop->events[i].data.ptr == io)
            loop->events[i].data.ptr = NULL;
}

/* ---- the loop ----------------------------------------------------------- */

kl_loop_t *kl_loop_new(void)
{
    kl_loop_t *loop = calloc(1, sizeof *loop);
    if (!loop)
        return NULL;
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_init(&loop->lock, NULL);
    atomic_init(&loop->stopping, false);
    kl_io_init(&loop->wake_io, loop->wakefd, on_wake, NULL);
    if (loop->epfd < 0 || loop->wakefd < 0 || kl_io_start(loop, &loop->wake_io, KL_IO_READ) != 0) {
        kl_loop_destroy(loop);
        return NULL;
    }
    return loop;
}

void kl_loop_destroy(kl_loop_t *loop)
{
    if (!loop)
        return;
    while (run_tasks(loop) > 0)
        ;
    if (loop->epfd >= 0)
        close(loop->epfd);
    if (loop->wakefd >= 0)
        close(loop->wakefd);
    pthread_mutex_destroy(&loop->lock);
    free(loop->heap);
    free(loop);
}

int kl_loop_run_once(kl_loop_t *loop, int timeout_ms)
{
    if (loop->nheap > 0) {
        int64_t wait = loop->heap[0]->due_ms - kl_clock_ms();
        if (wait < 0)
            wait = 0;
        if (timeout_ms < 0 || wait < timeout_ms)
            timeout_ms = (int)(wait > 1 << 30 ? 1 << 30 : wait);
    }
    int n = epoll_wait(loop->epfd, loop->events, MAX_EVENTS, timeout_ms);
    if (n < 0 && errno != EINTR)
        abort(); /* epoll on our own descriptor cannot fail but by a bug */
    int64_t woke_us = kl_clock_us();
    loop->nevents = n > 0 ? n : 0;
    int ran = 0;
    for (int i = 0; i < loop->nevents; i++) {
        kl_io_t *io = loop->events[i].data.ptr;
        if (!io)
            continue; /* stopped by an earlier callback of this round */
        io->cb(loop, io, loop->events[i].events);
        ran++;
    }
    loop->nevents = 0;
    ran += run_timers(loop);
    ran += run_tasks(loop);
    atomic_store_explicit(&loop->busy_us,
                          atomic_load_explicit(&loop->busy_us, memory_order_relaxed) + kl_clock_us() - woke_us,
                          memory_order_relaxed);
    return ran;
}

int64_t kl_loop_busy_us(const kl_loop_t *loop) { return atomic_load_explicit(&loop->busy_us, memory_order_relaxed); }

void kl_loop_run(kl_loop_t *loop)
{
    while (!atomic_load(&loop->stopping))
        kl_loop_run_once(loop, -1);
    atomic_store(&loop->stopping, false);
}

static void noop_task(void *arg) { (void)arg; }

void kl_loop_stop(kl_loop_t *loop)
{
    atomic_store(&loop->stopping, true);
    if (kl_loop_post(loop, noop_task, NULL) != 0) {
        uint64_t one = 1;
        ssize_t r = write(loop->wakefd, &one, sizeof one);
        (void)r;
    }
}
