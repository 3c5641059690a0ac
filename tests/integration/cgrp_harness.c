/* The group member test harness (see cgrp_harness.h). */
#include "cgrp_harness.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- events ------------------------------------------------------------------ */

static void done_task(void *arg)
{
    member_t *m = arg;
    if (m->cg)
        kl_cgrp_rebalance_done(m->cg);
}

static void answer(member_t *m)
{
    ck_assert_int_eq(kl_client_post(m->client, done_task, m), 0);
}

static void on_revoke(kl_cgrp_t *cg, const kl_topic_partition_list_t *parts, bool lost, void *opaque)
{
    (void)cg;
    member_t *m = opaque;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < parts->count; i++) {
        kl_topic_partition_list_del(m->owned, parts->elems[i].topic, parts->elems[i].partition);
        if (!lost)
            kl_topic_partition_list_add(m->revoked_log, parts->elems[i].topic, parts->elems[i].partition);
    }
    m->revokes++;
    m->lost_revokes += lost;
    bool hold = m->hold_revoke;
    m->revoke_held = hold;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    if (!hold)
        answer(m);
}

static void on_assign(kl_cgrp_t *cg, const kl_topic_partition_list_t *parts, void *opaque)
{
    (void)cg;
    member_t *m = opaque;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < parts->count; i++) {
        ck_assert_msg(!kl_topic_partition_list_find(m->owned, parts->elems[i].topic, parts->elems[i].partition),
                      "%s [%d] assigned twice", parts->elems[i].topic, parts->elems[i].partition);
        kl_topic_partition_list_add(m->owned, parts->elems[i].topic, parts->elems[i].partition);
    }
    m->assigns++;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    answer(m);
}

static void on_error(kl_cgrp_t *cg, kl_err_t err, const char *reason, void *opaque)
{
    (void)cg;
    (void)reason;
    member_t *m = opaque;
    pthread_mutex_lock(&m->lock);
    m->errors++;
    m->last_error = err;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

static void on_broker_ready(kl_client_t *c, kl_client_broker_t *b, void *opaque)
{
    (void)c;
    member_t *m = opaque;
    if (m->cg)
        kl_cgrp_broker_ready(m->cg, b);
}

static void on_broker_down(kl_client_t *c, kl_client_broker_t *b, void *opaque)
{
    (void)c;
    member_t *m = opaque;
    if (m->cg)
        kl_cgrp_broker_down(m->cg, b);
}

static void on_metadata(kl_client_t *c, void *opaque)
{
    (void)c;
    member_t *m = opaque;
    if (m->cg)
        kl_cgrp_metadata(m->cg);
}

/* ---- life cycle ---------------------------------------------------------------- */

member_t *member_new(const char *bootstrap, const char *group, const char *const *props)
{
    member_t *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->cond, NULL);
    m->owned = kl_topic_partition_list_new(0);
    m->revoked_log = kl_topic_partition_list_new(0);
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    if (group)
        ck_assert_int_eq(kl_conf_set(conf, "group.id", group, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "retry.backoff.ms", "20", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "retry.backoff.max.ms", "200", errstr, sizeof errstr), KL_ERR_NONE);
    if (getenv("CGRP_TEST_DEBUG")) /* e.g. cgrp,protocol */
        ck_assert_int_eq(kl_conf_set(conf, "debug", getenv("CGRP_TEST_DEBUG"), errstr, sizeof errstr), KL_ERR_NONE);
    for (const char *const *p = props; p && p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s: %s", p[0], errstr);
    static const kl_client_events_t client_events = {on_broker_ready, on_broker_down, on_metadata};
    m->client = kl_client_new(conf, &client_events, m, errstr, sizeof errstr);
    ck_assert_msg(m->client != NULL, "kl_client_new: %s", errstr);
    static const kl_cgrp_events_t events = {on_revoke, on_assign, on_error};
    m->cg = kl_cgrp_new(m->client, &events, m, errstr, sizeof errstr);
    ck_assert_msg(m->cg != NULL, "kl_cgrp_new: %s", errstr);
    ck_assert_int_eq(kl_client_start(m->client, errstr, sizeof errstr), KL_ERR_NONE);
    return m;
}

typedef struct call {
    member_t *m;
    void (*fn)(member_t *m, void *arg);
    void *arg;
    bool done;
} call_t;

static void call_task(void *arg)
{
    call_t *c = arg;
    c->fn(c->m, c->arg);
    pthread_mutex_lock(&c->m->lock);
    c->done = true;
    pthread_cond_broadcast(&c->m->cond);
    pthread_mutex_unlock(&c->m->lock);
}

static bool call_done(member_t *m, void *arg)
{
    (void)m;
    return ((call_t *)arg)->done;
}

void member_call(member_t *m, void (*fn)(member_t *m, void *arg), void *arg)
{
    call_t c = {m, fn, arg, false};
    ck_assert_int_eq(kl_client_post(m->client, call_task, &c), 0);
    ck_assert_msg(member_wait(m, call_done, &c, HARNESS_WAIT_MS), "the I/O thread did not run a task");
}

static void subscribe_fn(member_t *m, void *arg)
{
    const char *const *topics = arg;
    size_t n = 0;
    while (topics[n])
        n++;
    ck_assert_int_eq(kl_cgrp_subscribe(m->cg, topics, n), KL_ERR_NONE);
}

void member_subscribe(member_t *m, const char *const *topics)
{
    member_call(m, subscribe_fn, (void *)topics);
}

static void close_done(void *arg)
{
    member_t *m = arg;
    pthread_mutex_lock(&m->lock);
    m->closed = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

static void close_fn(member_t *m, void *arg)
{
    (void)arg;
    kl_cgrp_close(m->cg, close_done, m);
}

static bool is_closed(member_t *m, void *arg)
{
    (void)arg;
    return m->closed;
}

static void destroy_cgrp(void *arg)
{
    member_t *m = arg;
    kl_cgrp_t *cg = m->cg;
    m->cg = NULL;
    kl_cgrp_destroy(cg);
}

static void member_free(member_t *m)
{
    kl_client_stop(m->client, destroy_cgrp, m);
    kl_client_destroy(m->client);
    kl_topic_partition_list_destroy(m->owned);
    kl_topic_partition_list_destroy(m->revoked_log);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m);
}

void member_close(member_t *m)
{
    member_call(m, close_fn, NULL);
    ck_assert_msg(member_wait(m, is_closed, NULL, HARNESS_WAIT_MS), "kl_cgrp_close() never finished");
    member_free(m);
}

void member_kill(member_t *m) { member_free(m); }

/* ---- offsets -------------------------------------------------------------------- */

typedef struct offsets_call {
    member_t *m;
    const kl_topic_partition_list_t *in;
    bool commit, done;
    offsets_result_t result;
} offsets_call_t;

static void offsets_cb(kl_cgrp_t *cg, kl_err_t err, kl_topic_partition_list_t *offsets, void *arg)
{
    offsets_call_t *c = arg;
    (void)cg;
    member_t *m = c->m;
    pthread_mutex_lock(&m->lock);
    c->result.err = err;
    c->result.parts = kl_topic_partition_list_copy(offsets);
    c->done = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

static void offsets_fn(member_t *m, void *arg)
{
    offsets_call_t *c = arg;
    if (c->commit)
        kl_cgrp_commit(m->cg, c->in, offsets_cb, c);
    else
        kl_cgrp_fetch_offsets(m->cg, c->in, offsets_cb, c);
}

static bool offsets_done(member_t *m, void *arg)
{
    (void)m;
    return ((offsets_call_t *)arg)->done;
}

static offsets_result_t offsets_call(member_t *m, const kl_topic_partition_list_t *in, bool commit)
{
    offsets_call_t c = {.m = m, .in = in, .commit = commit};
    member_call(m, offsets_fn, &c);
    ck_assert_msg(member_wait(m, offsets_done, &c, HARNESS_WAIT_MS), "%s never completed",
                  commit ? "commit" : "offset fetch");
    return c.result;
}

offsets_result_t member_commit(member_t *m, const kl_topic_partition_list_t *offsets)
{
    return offsets_call(m, offsets, true);
}

offsets_result_t member_fetch(member_t *m, const kl_topic_partition_list_t *parts)
{
    return offsets_call(m, parts, false);
}

/* ---- waiting -------------------------------------------------------------------- */

bool member_wait(member_t *m, bool (*pred)(member_t *m, void *arg), void *arg, long timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    pthread_mutex_lock(&m->lock);
    bool ok;
    while (!(ok = pred(m, arg))) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long wake = (long long)ts.tv_nsec + (left < 100 ? left : 100) * 1000000LL;
        ts.tv_sec += (time_t)(wake / 1000000000LL);
        ts.tv_nsec = (long)(wake % 1000000000LL);
        pthread_cond_timedwait(&m->cond, &m->lock, &ts);
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

size_t member_owned_count(member_t *m)
{
    pthread_mutex_lock(&m->lock);
    size_t n = m->owned->count;
    pthread_mutex_unlock(&m->lock);
    return n;
}

static void generation_fn(member_t *m, void *arg) { *(int32_t *)arg = kl_cgrp_generation(m->cg); }

int32_t member_generation(member_t *m)
{
    int32_t g = -1;
    member_call(m, generation_fn, &g);
    return g;
}

typedef struct snapshot {
    int32_t generation;
    bool settled; /* its assignment equals what the events told */
} snapshot_t;

static void snapshot_fn(member_t *m, void *arg)
{
    snapshot_t *s = arg;
    s->generation = kl_cgrp_generation(m->cg);
    const kl_topic_partition_list_t *a = kl_cgrp_assignment(m->cg);
    pthread_mutex_lock(&m->lock);
    s->settled = a && a->count == m->owned->count && !m->revoke_held;
    for (size_t i = 0; s->settled && i < a->count; i++)
        s->settled = kl_topic_partition_list_find(m->owned, a->elems[i].topic, a->elems[i].partition) != NULL;
    pthread_mutex_unlock(&m->lock);
}

static bool covered(member_t **ms, size_t n, const char *topic, int partitions)
{
    int32_t generation = -2;
    for (size_t i = 0; i < n; i++) {
        snapshot_t s;
        member_call(ms[i], snapshot_fn, &s);
        if (!s.settled || s.generation < 0 || (generation != -2 && s.generation != generation))
            return false;
        generation = s.generation;
    }
    for (int p = 0; p < partitions; p++) {
        int owners = 0;
        for (size_t i = 0; i < n; i++) {
            pthread_mutex_lock(&ms[i]->lock);
            owners += kl_topic_partition_list_find(ms[i]->owned, topic, p) != NULL;
            pthread_mutex_unlock(&ms[i]->lock);
        }
        if (owners != 1)
            return false;
    }
    return true;
}

static bool always_false(member_t *m, void *arg)
{
    (void)m;
    (void)arg;
    return false;
}

bool members_cover(member_t **ms, size_t n, const char *topic, int partitions, long timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (now_ms() < deadline) {
        if (covered(ms, n, topic, partitions))
            return true;
        member_wait(ms[0], always_false, NULL, 50); /* woken by its next event */
    }
    return covered(ms, n, topic, partitions);
}
