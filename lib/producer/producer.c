/* The producer handle: settings checked at creation, the delivery-report
 * queue the I/O thread fills and kl_producer_poll() drains on the
 * application's thread, flush, and the shutdown that still reports every
 * message exactly once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cond.h"
#include "producer/producer_impl.h"
#include "util/conf.h"

void kl_conf_set_delivery_cb(kl_conf_t *conf, kl_delivery_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_DELIVERY] = (kl_conf_fn_t)cb;
}

/* ---- settings ------------------------------------------------------------------ */

/* The most requests in flight per partition the broker's idempotence
 * window (the last 5 batches per producer) can tell apart. */
#define IDEMPOTENT_MAX_IN_FLIGHT 5

/* enable.idempotence and what it implies: acks=all, at most 5 requests in
 * flight, retries. Explicit settings against an explicit
 * enable.idempotence=true are an error naming them; against the default,
 * they turn idempotence off, as in the Java client (*note says so).
 * Transactions (txn) need idempotence: there every conflict is an error. */
static kl_err_t read_idempotence(prod_settings_t *s, const kl_conf_t *conf, bool txn, char *errstr,
                                 size_t errstr_size, char *note, size_t note_size)
{
    s->gapless = kl_conf_get_bool(conf, "enable.gapless.guarantee");
    if (!kl_conf_get_bool(conf, "enable.idempotence")) {
        if (!txn)
            return KL_ERR_NONE;
        snprintf(errstr, errstr_size, "transactional.id needs enable.idempotence=true");
        return KL_ERR_INVALID_VALUE;
    }
    char conflicts[200] = "";
    size_t len = 0;
    if (kl_conf_is_set(conf, "acks") && s->acks != -1)
        len += (size_t)snprintf(conflicts + len, sizeof conflicts - len, "%sacks=%d (must be all)", len ? ", " : "",
                                s->acks);
    if (kl_conf_is_set(conf, "max.in.flight.requests.per.connection") && s->max_in_flight > IDEMPOTENT_MAX_IN_FLIGHT)
        len += (size_t)snprintf(conflicts + len, sizeof conflicts - len,
                                "%smax.in.flight.requests.per.connection=%d (must be at most %d)", len ? ", " : "",
                                s->max_in_flight, IDEMPOTENT_MAX_IN_FLIGHT);
    if (kl_conf_is_set(conf, "retries") && s->retries == 0)
        len += (size_t)snprintf(conflicts + len, sizeof conflicts - len, "%sretries=0 (must be above 0)",
                                len ? ", " : "");
    if (len && (kl_conf_is_set(conf, "enable.idempotence") || txn)) {
        snprintf(errstr, errstr_size, "%s conflicts with %s", txn ? "transactional.id" : "enable.idempotence=true",
                 conflicts);
        return KL_ERR_INVALID_VALUE;
    }
    if (len) {
        snprintf(note, note_size, "enable.idempotence is off: %s was set (set enable.idempotence=false to silence this)",
                 conflicts);
        return KL_ERR_NONE;
    }
    s->idempotent = true;
    s->acks = -1;
    if (s->max_in_flight > IDEMPOTENT_MAX_IN_FLIGHT)
        s->max_in_flight = IDEMPOTENT_MAX_IN_FLIGHT;
    return KL_ERR_NONE;
}

static kl_err_t read_settings(kl_producer_t *p, const kl_conf_t *conf, char *errstr, size_t errstr_size,
                              char *note, size_t note_size)
{
    prod_settings_t *s = &p->s;
    if (prod_txn_init(p, conf) != KL_ERR_NONE) {
        snprintf(errstr, errstr_size, "out of memory");
        return KL_ERR_NOMEM;
    }
    s->codec = (kl_codec_t)kl_conf_get_int(conf, "compression.type");
    if (!kl_codec_available(s->codec)) {
        snprintf(errstr, errstr_size, "compression.type=%s is not compiled into this build",
                 kl_codec_name(s->codec));
        return KL_ERR_UNSUPPORTED_FEATURE;
    }
    s->codec_level = (int)kl_conf_get_int(conf, "compression.level");
    s->acks = (int16_t)kl_conf_get_int(conf, "acks");
    double linger = kl_conf_get_double(conf, "linger.ms");
    s->linger_ms = linger > 0 ? (int64_t)ceil(linger) : 0;
    s->message_max_bytes = (size_t)kl_conf_get_int(conf, "message.max.bytes");
    s->batch_size = (size_t)kl_conf_get_int(conf, "batch.size");
    /* A batch and its request framing must fit in message.max.bytes. */
    if (s->batch_size > s->message_max_bytes - 512)
        s->batch_size = s->message_max_bytes - 512;
    s->batch_count = (int32_t)kl_conf_get_int(conf, "batch.num.messages");
    s->max_messages = (size_t)kl_conf_get_int(conf, "queue.buffering.max.messages");
    s->max_bytes = (size_t)kl_conf_get_int(conf, "queue.buffering.max.kbytes") * 1024;
    s->retries = kl_conf_get_int(conf, "retries");
    kl_backoff_init(&s->backoff, conf);
    s->delivery_timeout_ms = kl_conf_get_int(conf, "delivery.timeout.ms");
    s->request_timeout_ms = kl_conf_get_int(conf, "request.timeout.ms");
    s->partitioner = (int)kl_conf_get_int(conf, "partitioner");
    s->sticky_ms = kl_conf_get_int(conf, "sticky.partitioning.linger.ms");
    s->max_in_flight = (int)kl_conf_get_int(conf, "max.in.flight.requests.per.connection");
    s->stats_interval_ms = kl_conf_get_int(conf, "statistics.interval.ms");
    kl_err_t err = read_idempotence(s, conf, p->txn.id != NULL, errstr, errstr_size, note, note_size);
    if (err)
        return err;
    const kl_conf_hooks_t *hooks = kl_conf_hooks_get(conf);
    p->dr_cb = (kl_delivery_cb *)hooks->fn[KL_CONF_HOOK_DELIVERY];
    p->partitioner_cb = (kl_partitioner_cb *)hooks->fn[KL_CONF_HOOK_PARTITIONER];
    p->stats_cb = (kl_stats_cb *)hooks->fn[KL_CONF_HOOK_STATS];
    p->opaque = hooks->opaque;
    return KL_ERR_NONE;
}

/* ---- life cycle ------------------------------------------------------------------ */

void prod_wake_app(kl_producer_t *p)
{
    pthread_mutex_lock(&p->dr_lock);
    p->dr_wake = true;
    pthread_cond_broadcast(&p->dr_cond);
    pthread_mutex_unlock(&p->dr_lock);
}

static void drain_timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    prod_io_drain(t->opaque);
}

static void expiry_timer_cb(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    prod_io_expire(t->opaque);
}

kl_producer_t *kl_producer_new(const kl_conf_t *conf, char *errstr, size_t errstr_size)
{
    kl_conf_t *copy;
    kl_producer_t *p = kl_client_handle_new(conf, sizeof *p, &copy, &errstr, &errstr_size);
    if (!p)
        return NULL;
    char note[300] = "";
    if (read_settings(p, copy, errstr, errstr_size, note, sizeof note) != KL_ERR_NONE) {
        prod_txn_free(p);
        free(p);
        kl_conf_destroy(copy);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->dr_lock, NULL);
    prod_spares_init(p);
    prod_stats_init(p);
    prod_idem_init(p);
    kl_cond_init(&p->dr_cond);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    p->rand_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)p;
    p->rand_state |= 1;
    p->io_rand_state = p->rand_state * 0x9e3779b97f4a7c15ull | 1;
    kl_client_events_t ev = {prod_io_broker_ready, prod_io_broker_down, prod_io_metadata};
    p->client = kl_client_new(copy, &ev, p, errstr, errstr_size);
    if (!p->client) {
        kl_producer_destroy(p);
        return NULL;
    }
    kl_client_allow_auto_create(p->client, true);
    p->log = kl_client_log(p->client);
    kl_log_attach(p->log, &p->dr_lock, &p->dr_cond);
    if (*note)
        kl_log(p->log, KL_LOG_WARNING, "CONFWARN", "%s", note);
    kl_timer_init(&p->drain_timer, drain_timer_cb, p);
    kl_timer_init(&p->expiry_timer, expiry_timer_cb, p);
    if (kl_client_start(p->client, errstr, errstr_size) != KL_ERR_NONE) {
        kl_producer_destroy(p);
        return NULL;
    }
    return p;
}

/* ---- delivery reports ------------------------------------------------------------ */

void prod_dr_enqueue(kl_producer_t *p, dr_node_t *node)
{
    node->next = NULL;
    pthread_mutex_lock(&p->dr_lock);
    if (p->dr_tail)
        p->dr_tail->next = node;
    else
        p->dr_head = node;
    p->dr_tail = node;
    pthread_cond_broadcast(&p->dr_cond);
    pthread_mutex_unlock(&p->dr_lock);
}

/* Runs the callback for every message of one report node and frees it;
 * returns the number of messages. */
static int serve_node(kl_producer_t *p, dr_node_t *node)
{
    kl_message_t m;
    int n;
    size_t bytes;
    kl_err_t err;
    if (node->kind == DR_BATCH) {
        prod_batch_t *b = (prod_batch_t *)node;
        n = b->count;
        bytes = b->bytes;
        err = b->err;
        for (int32_t i = 0; p->dr_cb && i < b->count; i++) {
            prod_message_from_batch(&m, b, i);
            p->dr_cb(p, &m, p->opaque);
        }
        prod_batch_free(p, b);
    } else {
        pending_msg_t *pm = (pending_msg_t *)node;
        n = 1;
        bytes = pm->bytes;
        err = pm->err;
        if (p->dr_cb) {
            prod_message_from_pending(&m, pm);
            p->dr_cb(p, &m, p->opaque);
        }
        free(pm);
    }
    if (err)
        atomic_fetch_add(&p->failed, (uint_fast64_t)n);
    atomic_fetch_sub(&p->msg_bytes, bytes);
    atomic_fetch_sub(&p->msg_count, (size_t)n);
    return n;
}

/* The waiting messages of topics whose partitions became known, when the
 * application's partitioner must place them (on this thread). */
static void move_ready_topics(kl_producer_t *p)
{
    if (!p->partitioner_cb)
        return;
    pthread_mutex_lock(&p->lock);
    prod_topic_t *topics = p->topics;
    pthread_mutex_unlock(&p->lock);
    for (prod_topic_t *t = topics; t; t = t->next) {
        pthread_mutex_lock(&p->lock);
        bool move = t->ready && !t->known;
        pthread_mutex_unlock(&p->lock);
        if (move)
            prod_move_pending(p, t);
    }
}

int kl_producer_poll(kl_producer_t *p, int timeout_ms)
{
    move_ready_topics(p);
    pthread_mutex_lock(&p->dr_lock);
    if (!p->dr_head && !p->dr_wake && timeout_ms != 0) {
        /* periodic statistics are due from poll, so do not sleep past them */
        if (p->stats_cb && p->s.stats_interval_ms > 0) {
            int64_t left = p->stats_next_ms - kl_clock_ms();
            if (left < 0)
                left = 0;
            if (timeout_ms < 0 || left < timeout_ms)
                timeout_ms = (int)left;
        }
    }
    if (!p->dr_head && !p->dr_wake && timeout_ms != 0) {
        struct timespec ts;
        kl_cond_deadline(&ts, timeout_ms < 0 ? 0 : timeout_ms);
        while (!p->dr_head && !p->dr_wake)
            if (kl_log_wait(p->log, timeout_ms < 0 ? NULL : &ts) != 0)
                break;
    }
    dr_node_t *node = p->dr_head;
    p->dr_head = p->dr_tail = NULL;
    p->dr_wake = false;
    pthread_mutex_unlock(&p->dr_lock);
    int served = 0;
    while (node) {
        dr_node_t *next = node->next;
        served += serve_node(p, node);
        node = next;
    }
    if (p->log)
        kl_log_serve(p->log);
    move_ready_topics(p);
    prod_stats_poll(p);
    return served;
}

size_t kl_producer_outstanding(kl_producer_t *p) { return atomic_load(&p->msg_count); }
uint64_t kl_producer_failed(kl_producer_t *p) { return (uint64_t)atomic_load(&p->failed); }

kl_err_t kl_producer_flush(kl_producer_t *p, int timeout_ms)
{
    atomic_fetch_add(&p->flushing, 1);
    /* A drain that sees `flushing` sends open batches without lingering. */
    prod_wake(p);
    int64_t deadline = kl_clock_ms() + timeout_ms;
    while (atomic_load(&p->msg_count) > 0) {
        int wait = 100;
        if (timeout_ms >= 0) {
            int64_t left = deadline - kl_clock_ms();
            if (left <= 0)
                break;
            if (left < wait)
                wait = (int)left;
        }
        kl_producer_poll(p, wait);
    }
    atomic_fetch_sub(&p->flushing, 1);
    kl_producer_poll(p, 0);
    return atomic_load(&p->msg_count) > 0 ? KL_ERR_TIMED_OUT : KL_ERR_NONE;
}

static void wake_task(void *arg)
{
    kl_producer_t *p = arg;
    atomic_store(&p->wake_posted, false);
    if (atomic_load(&p->closing))
        return;
    prod_io_drain(p);
    prod_io_arm_expiry(p);
}

void prod_wake(kl_producer_t *p)
{
    if (!atomic_exchange(&p->wake_posted, true) && kl_client_post(p->client, wake_task, p) != 0)
        atomic_store(&p->wake_posted, false);
}

void kl_producer_destroy(kl_producer_t *p)
{
    if (!p)
        return;
    atomic_store(&p->closing, true);
    if (p->client)
        kl_client_stop(p->client, prod_io_shutdown, p);
    /* Every report, including the KL_ERR_DESTROY ones, is served here. */
    while (kl_producer_poll(p, 0) > 0)
        ;
    if (p->client) {
        kl_log_serve(p->log);
        kl_client_destroy(p->client);
    }
    prod_topics_free(p);
    free(p->io_topics);
    free(p->io_parts);
    free(p->drain_slots);
    prod_stats_free(p);
    prod_spares_free(p);
    prod_txn_free(p);
    pthread_cond_destroy(&p->dr_cond);
    pthread_mutex_destroy(&p->dr_lock);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
