/* The coordinator's deadlines: a binary min-heap of group_timer_t embedded
 * in members, pending members, groups and the coordinator, so the earliest
 * one is known at once and re-arming a session timer on every heartbeat
 * costs O(log n). The broker sees only the earliest (env.set_deadline). */
#include <stdlib.h>

#include "broker/group_internal.h"

void group_timer_init(group_timer_t *timer, group_timer_kind_t kind, void *owner)
{
    timer->due_ms = 0;
    timer->heap_index = SIZE_MAX;
    timer->kind = kind;
    timer->owner = owner;
}

static void heap_set(group_coordinator_t *c, size_t i, group_timer_t *t)
{
    c->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(group_coordinator_t *c, size_t i)
{
    group_timer_t *t = c->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (c->heap[parent]->due_ms <= t->due_ms)
            break;
        heap_set(c, i, c->heap[parent]);
        i = parent;
    }
    heap_set(c, i, t);
}

static void heap_down(group_coordinator_t *c, size_t i)
{
    group_timer_t *t = c->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= c->heap_len)
            break;
        if (child + 1 < c->heap_len && c->heap[child + 1]->due_ms < c->heap[child]->due_ms)
            child++;
        if (t->due_ms <= c->heap[child]->due_ms)
            break;
        heap_set(c, i, c->heap[child]);
        i = child;
    }
    heap_set(c, i, t);
}

void group_timer_stop(group_coordinator_t *c, group_timer_t *timer)
{
    if (!group_timer_armed(timer))
        return;
    size_t i = timer->heap_index;
    timer->heap_index = SIZE_MAX;
    group_timer_t *last = c->heap[--c->heap_len];
    if (i == c->heap_len)
        return;
    heap_set(c, i, last);
    heap_up(c, i);
    heap_down(c, last->heap_index);
}

/* Without memory for a bigger heap the timer stays unarmed: the worst
 * outcome is a member that is never timed out, never a crash. */
void group_timer_arm(group_coordinator_t *c, group_timer_t *timer, int64_t delay_ms)
{
    group_timer_stop(c, timer);
    if (c->heap_len == c->heap_cap) {
        size_t cap = c->heap_cap ? c->heap_cap * 2 : 64;
        group_timer_t **heap = realloc(c->heap, cap * sizeof *heap);
        if (!heap)
            return;
        c->heap = heap;
        c->heap_cap = cap;
    }
    timer->due_ms = group_coord_now(c) + (delay_ms > 0 ? delay_ms : 0);
    heap_set(c, c->heap_len++, timer);
    heap_up(c, timer->heap_index);
}

group_timer_t *group_timer_first(const group_coordinator_t *c) { return c->heap_len ? c->heap[0] : NULL; }
