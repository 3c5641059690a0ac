/* The coordinator object: creation and teardown, the entry/exit bracket
 * that delivers queued replies once the state is consistent, the reply
 * builders, cancellation, the tick that runs due deadlines, member ids and
 * the placement of groups on __consumer_offsets partitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "broker/group_internal.h"
#include "proto/codec.h"

void group_config_init(group_config_t *config)
{
    config->offsets_partitions = 50;
    config->offsets_retention_ms = INT64_C(7) * 24 * 60 * 60 * 1000;
    config->retention_check_ms = 600000;
    config->initial_rebalance_delay_ms = 3000;
    config->min_session_timeout_ms = 6000;
    config->max_session_timeout_ms = 1800000;
    config->max_size = INT32_MAX;
    config->new_member_join_timeout_ms = 5 * 60 * 1000;
    config->offset_metadata_max_bytes = 4096;
}

kl_err_t group_coordinator_new(const group_config_t *config, const group_env_t *env, group_coordinator_t **coordp)
{
    *coordp = NULL;
    if (!config || !env || !env->append || !env->now_ms || !env->wall_ms || config->offsets_partitions <= 0)
        return KL_ERR_INVALID_ARG;
    group_coordinator_t *c = calloc(1, sizeof *c);
    if (!c)
        return KL_ERR_NOMEM;
    c->config = *config;
    c->env = *env;
    group_map_init(&c->groups);
    group_timer_init(&c->retention, TIMER_RETENTION, c);
    c->reported_deadline = INT64_MAX;
    kl_batch_writer_init(&c->writer, 0);
    *coordp = c;
    return KL_ERR_NONE;
}

static void queue_clear(group_coordinator_t *c)
{
    while (c->queue_head) {
        group_queued_t *q = c->queue_head;
        c->queue_head = q->next;
        group_reply_discard(q);
    }
    c->queue_tail = NULL;
}

void group_coordinator_free(group_coordinator_t *c)
{
    if (!c)
        return;
    size_t n;
    void **groups = group_map_values(&c->groups, &n);
    for (size_t i = 0; i < n; i++)
        group_destroy(groups[i]);
    free(groups);
    group_map_free(&c->groups);
    while (c->ops) {
        group_op_t *op = c->ops;
        c->ops = op->next;
        if (op->reply)
            group_reply_discard(op->reply);
        if (op->free_data)
            op->free_data(op->data);
        free(op->batch);
        free(op->group_id);
        free(op);
    }
    queue_clear(c);
    while (c->waiting) {
        group_queued_t *q = c->waiting;
        c->waiting = q->next;
        group_reply_discard(q);
    }
    free(c->heap);
    group_txn_pending_free_all(c);
    kl_batch_writer_free(&c->writer);
    free(c);
}

int64_t group_coord_now(group_coordinator_t *c) { return c->env.now_ms(c->env.opaque); }
int64_t group_coord_wall(group_coordinator_t *c) { return c->env.wall_ms(c->env.opaque); }

/* ---- entry and exit ---- */

void group_coord_enter(group_coordinator_t *c) { c->depth++; }

/* A reply for opaque goes out: tell the public calls in progress (a reply
 * callback may call in again, and that call may deliver the outer one's
 * reply) which of them got theirs. */
static void mark_replied(group_coordinator_t *c, void *opaque)
{
    for (coord_frame_t *f = c->frames; f; f = f->up)
        if (f->opaque == opaque)
            f->replied = true;
}

static void deliver(group_coordinator_t *c)
{
    while (c->queue_head) {
        group_queued_t *q = c->queue_head;
        c->queue_head = q->next;
        if (!c->queue_head)
            c->queue_tail = NULL;
        if (q->reply.fn) { /* NULL: cancelled, its opaque may be reused */
            mark_replied(c, q->reply.opaque);
            q->reply.fn(q->reply.opaque, q->resp);
        }
        group_reply_discard(q);
    }
}

void group_coord_leave(group_coordinator_t *c)
{
    if (--c->depth > 0)
        return;
    deliver(c);
    group_timer_t *first = group_timer_first(c);
    int64_t due = first ? first->due_ms : INT64_MAX;
    if (due != c->reported_deadline) {
        c->reported_deadline = due;
        if (c->env.set_deadline)
            c->env.set_deadline(c->env.opaque, due);
    }
}

group_status_t group_coord_call(group_coordinator_t *c, void *opaque, void (*fn)(group_coordinator_t *, void *),
                          void *arg)
{
    coord_frame_t frame = {c->frames, opaque, false};
    c->frames = &frame;
    group_coord_enter(c);
    fn(c, arg);
    group_coord_leave(c);
    c->frames = frame.up;
    return frame.replied ? GROUP_REPLIED : GROUP_PENDING;
}

/* ---- replies ---- */

group_queued_t *group_reply_new(group_coordinator_t *c, group_reply_t reply, const kl_schema_t *schema)
{
    if (!reply.fn)
        return NULL;
    group_queued_t *q = malloc(sizeof *q);
    if (q) {
        q->next = NULL;
        q->reply = reply;
        kl_arena_init(&q->arena, 0);
        q->resp = kl_arena_alloc(&q->arena, schema->size);
        if (q->resp) {
            kl_proto_init(schema, q->resp);
            return q;
        }
        kl_arena_free(&q->arena);
        free(q);
    }
    group_reply_oom(c, reply);
    return NULL;
}

void group_reply_oom(group_coordinator_t *c, group_reply_t reply)
{
    if (reply.fn) {
        mark_replied(c, reply.opaque);
        reply.fn(reply.opaque, NULL);
    }
}

void group_reply_send(group_coordinator_t *c, group_queued_t *q)
{
    if (!q)
        return;
    q->next = NULL;
    if (c->queue_tail)
        c->queue_tail->next = q;
    else
        c->queue_head = q;
    c->queue_tail = q;
}

void group_reply_wait(group_coordinator_t *c, group_queued_t *q)
{
    q->next = c->waiting;
    c->waiting = q;
}

void group_reply_unwait(group_coordinator_t *c, group_queued_t *q)
{
    group_queued_t **link = &c->waiting;
    while (*link && *link != q)
        link = &(*link)->next;
    if (*link)
        *link = q->next;
    q->next = NULL;
}

void group_reply_discard(group_queued_t *q)
{
    if (!q)
        return;
    kl_arena_free(&q->arena);
    free(q);
}

/* On arena exhaustion the strings come back empty: the answer is then
 * wrong in content but still well-formed, and memory is short anyway. */
kl_str_t group_reply_str(group_queued_t *q, const char *s)
{
    if (!s)
        return KL_STR_NULL;
    size_t n = strlen(s);
    char *copy = kl_arena_strndup(&q->arena, s, n);
    return copy ? (kl_str_t){copy, (int32_t)n} : (kl_str_t){"", 0};
}

kl_str_t group_reply_kstr(group_queued_t *q, kl_str_t s)
{
    if (s.len < 0)
        return KL_STR_NULL;
    char *copy = kl_arena_strndup(&q->arena, s.ptr ? s.ptr : "", (size_t)s.len);
    return copy ? (kl_str_t){copy, s.len} : (kl_str_t){"", 0};
}

kl_bytes_t group_reply_bytes(group_queued_t *q, const uint8_t *p, int32_t len)
{
    if (len < 0)
        return KL_BYTES_NULL;
    if (len == 0)
        return (kl_bytes_t){(const uint8_t *)"", 0};
    uint8_t *copy = kl_arena_alloc(&q->arena, (size_t)len);
    if (!copy)
        return (kl_bytes_t){(const uint8_t *)"", 0};
    memcpy(copy, p, (size_t)len);
    return (kl_bytes_t){copy, len};
}

void *group_reply_array(group_queued_t *q, size_t count, size_t size)
{
    return count ? kl_arena_calloc(&q->arena, count, size) : NULL;
}

/* ---- cancellation ---- */

static void cancel_in_group(group_t *g, void *opaque)
{
    for (group_member_t *m = g->members; m; m = m->next) {
        if (m->join_reply.opaque == opaque)
            m->join_reply.fn = NULL;
        if (m->sync_reply.opaque == opaque)
            m->sync_reply.fn = NULL;
    }
}

void group_cancel(group_coordinator_t *c, void *opaque)
{
    size_t n;
    void **groups = group_map_values(&c->groups, &n);
    for (size_t i = 0; i < n; i++)
        cancel_in_group(groups[i], opaque);
    free(groups);
    for (group_op_t *op = c->ops; op; op = op->next)
        if (op->reply && op->reply->reply.opaque == opaque)
            op->reply->reply.fn = NULL;
    for (group_queued_t *q = c->queue_head; q; q = q->next)
        if (q->reply.opaque == opaque)
            q->reply.fn = NULL;
    for (group_queued_t *q = c->waiting; q; q = q->next)
        if (q->reply.opaque == opaque)
            q->reply.fn = NULL;
}

/* ---- time ---- */

static void timer_fire(group_coordinator_t *c, group_timer_t *t)
{
    switch (t->kind) {
    case TIMER_SESSION: group_member_session_fired(t->owner); break;
    case TIMER_PENDING: group_pending_timer_fired(t->owner); break;
    case TIMER_JOIN: group_join_timer_fired(t->owner); break;
    case TIMER_SYNC: group_sync_timer_fired(t->owner); break;
    case TIMER_RETENTION:
        group_offsets_expire(c);
        group_timer_arm(c, &c->retention, c->config.retention_check_ms);
        break;
    }
}

void group_coordinator_tick(group_coordinator_t *c)
{
    group_coord_enter(c);
    int64_t now = group_coord_now(c);
    group_timer_t *t;
    while ((t = group_timer_first(c)) && t->due_ms <= now) {
        group_timer_stop(c, t);
        timer_fire(c, t);
    }
    group_coord_leave(c);
}

int64_t group_coordinator_next_deadline(const group_coordinator_t *c)
{
    group_timer_t *first = group_timer_first(c);
    return first ? first->due_ms : INT64_MAX;
}

/* ---- ids ---- */

char *group_strdup(kl_str_t s)
{
    size_t n = s.len > 0 ? (size_t)s.len : 0;
    char *copy = malloc(n + 1);
    if (copy) {
        if (n)
            memcpy(copy, s.ptr, n);
        copy[n] = '\0';
    }
    return copy;
}

/* Unlike kl_str_eq, never hands memcmp a NULL pointer (decoded empty
 * strings may have one). */
bool group_str_is(kl_str_t s, const char *c)
{
    if (!c || s.len < 0)
        return false;
    size_t n = strlen(c);
    return (size_t)s.len == n && (n == 0 || memcmp(s.ptr, c, n) == 0);
}

bool group_str_same(kl_str_t a, kl_str_t b)
{
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* Random bytes for ids; without getrandom (old kernels) a clock-seeded
 * xorshift, which is enough for uniqueness within one broker. */
static void random_bytes(uint8_t *out, size_t n)
{
    if (getrandom(out, n, GRND_NONBLOCK) == (ssize_t)n)
        return;
    static uint64_t state;
    if (!state) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&ts;
        state |= 1;
    }
    for (size_t i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out[i] = (uint8_t)state;
    }
}

char *group_coord_member_id(const char *prefix, size_t prefix_len)
{
    uint8_t u[16];
    random_bytes(u, sizeof u);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *id = malloc(prefix_len + 38);
    if (!id)
        return NULL;
    memcpy(id, prefix, prefix_len);
    char *p = id + prefix_len;
    *p++ = '-';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        p += sprintf(p, "%02x", u[i]);
    }
    return id;
}

/* ---- placement ---- */

/* The next code point of a UTF-8 string, or U+FFFD for a malformed
 * sequence (one byte consumed), as Java's decoder substitutes. */
static uint32_t utf8_next(const uint8_t *p, size_t len, size_t *used)
{
    uint32_t b = p[0];
    size_t n = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
    *used = 1;
    if (n == 1)
        return b;
    if (n == 0 || n > len)
        return 0xfffd;
    uint32_t cp = b & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0xfffd;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *used = n;
    return cp;
}

int32_t group_java_hash(kl_str_t s)
{
    uint32_t h = 0; /* Java's int arithmetic wraps: compute unsigned */
    const uint8_t *p = (const uint8_t *)s.ptr;
    size_t len = s.len > 0 ? (size_t)s.len : 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cp = utf8_next(p + i, len - i, &used);
        i += used;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = h * 31 + (0xd800 + (cp >> 10));
            h = h * 31 + (0xdc00 + (cp & 0x3ff));
        } else {
            h = h * 31 + cp;
        }
    }
    return (int32_t)h;
}

int32_t group_partition_for(kl_str_t group_id, int32_t partitions)
{
    int32_t h = group_java_hash(group_id);
    int32_t abs = h == INT32_MIN ? 0 : h < 0 ? -h : h;
    return partitions > 0 ? abs % partitions : 0;
}
