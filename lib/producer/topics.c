/* The producer's topics as the I/O thread keeps them: metadata turned into
 * partitions and leaders, messages that waited for their topic's metadata
 * moved into batches (in order), delivery.timeout.ms enforced wherever a
 * message is (waiting, queued, open or in flight), and everything left
 * failed at shutdown. Every function here runs on the I/O thread. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "producer/producer_impl.h"

static bool grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = c;
    return true;
}


/* ---- metadata ------------------------------------------------------------------- */

/* Adds partitions old..n-1 to t (Kafka only ever adds partitions). */
static bool grow_partitions(kl_producer_t *p, prod_topic_t *t, int32_t n)
{
    int32_t old = t->partition_count;
    prod_partition_t **parts = calloc((size_t)n, sizeof *parts);
    bool ok = parts && grow_array((void **)&p->io_parts, &p->cap_io_parts, p->n_io_parts + (size_t)(n - old),
                                  sizeof *parts);
    for (int32_t i = old; ok && i < n; i++)
        ok = (parts[i] = prod_partition_new(t, i)) != NULL;
    if (!ok) {
        for (int32_t i = old; parts && i < n; i++)
            if (parts[i])
                prod_partition_free(parts[i]);
        free(parts);
        return false;
    }
    if (old)
        memcpy(parts, t->parts, (size_t)old * sizeof *parts);
    for (int32_t i = old; i < n; i++)
        p->io_parts[p->n_io_parts++] = parts[i];
    pthread_mutex_lock(&p->lock);
    prod_partition_t **before = t->parts;
    t->parts = parts;
    t->partition_count = n;
    pthread_mutex_unlock(&p->lock);
    free(before);
    return true;
}

/* Moves the messages that waited for metadata into batches (any thread:
 * the I/O thread, or the application's when its partitioner must run
 * there). The topic becomes `known` (kl_produce() appends directly) only
 * once the waiting list is empty under the lock, so no new message can
 * overtake them; one thread moves at a time, for the same reason. */
void prod_move_pending(kl_producer_t *p, prod_topic_t *t)
{
    pthread_mutex_lock(&p->lock);
    bool busy = t->moving || t->known;
    if (!busy)
        t->moving = true;
    pthread_mutex_unlock(&p->lock);
    if (busy)
        return;
    for (;;) {
        int64_t now = kl_wallclock_ms();
        pthread_mutex_lock(&p->lock);
        pending_msg_t *m = t->pend_head;
        t->pend_head = t->pend_tail = NULL;
        if (!m) {
            t->known = true;
            t->moving = false;
        }
        for (pending_msg_t *x = m; x; x = x->next) {
            int32_t partition = x->partition;
            if (partition == KL_PARTITION_UA)
                partition = prod_partition_for(p, t, x->key, x->key_len, now);
            x->part = partition >= 0 && partition < t->partition_count ? t->parts[partition] : NULL;
            x->partition = partition < 0 ? KL_PARTITION_UA : partition;
        }
        pthread_mutex_unlock(&p->lock);
        if (!m)
            return;
        while (m) {
            pending_msg_t *next = m->next;
            m->err = m->part ? KL_ERR_NONE : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!m->err)
                m->err = prod_append(p, m->part, m->timestamp, m->key, m->key_len, m->value, m->value_len,
                                     m->headers, m->header_count, m->opaque, m->bytes, m->deadline_ms);
            if (m->err)
                prod_dr_enqueue(p, &m->dr);
            else
                free(m);
            m = next;
        }
    }
}

static void update_topic(kl_producer_t *p, prod_topic_t *t)
{
    const kl_md_topic_t *md = kl_client_topic(p->client, t->name);
    if (!md || !md->described)
        return;
    t->md_err = md->err;
    if (md->err && !kl_err_is_retriable(md->err)) {
        /* An invalid name, no authorization: waiting will not help. */
        int64_t next = INT64_MAX;
        prod_fail_pending(p, prod_take_pending(p, t, INT64_MAX, &next), md->err);
        if (!t->warned)
            kl_log(p->log, KL_LOG_WARNING, "TOPIC", "topic %s: %s", t->name, kl_err_str(md->err));
        t->warned = true;
        return;
    }
    if (md->err || md->partition_count == 0) {
        if (!t->warned && md->err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION)
            kl_log(p->log, KL_LOG_WARNING, "TOPIC", "topic %s does not exist (yet): its messages wait for it",
                   t->name);
        t->warned = true;
        kl_client_refresh_metadata(p->client, "topic not available");
        return;
    }
    t->warned = false;
    if (md->partition_count > t->partition_count && !grow_partitions(p, t, md->partition_count)) {
        kl_log(p->log, KL_LOG_ERR, "TOPIC", "out of memory adding partitions to %s", t->name);
        return;
    }
    for (int32_t i = 0; i < t->partition_count; i++)
        t->parts[i]->leader = i < md->partition_count ? md->leaders[i] : -1;
    if (t->known)
        return;
    if (!p->partitioner_cb) {
        prod_move_pending(p, t);
        return;
    }
    /* The application's partitioner runs on its own thread: the next
     * kl_producer_poll() or kl_produce() moves them. */
    pthread_mutex_lock(&p->lock);
    t->ready = true;
    pthread_mutex_unlock(&p->lock);
    prod_wake_app(p);
}

void prod_io_register_topic(kl_producer_t *p, prod_topic_t *t)
{
    if (!grow_array((void **)&p->io_topics, &p->cap_io_topics, p->n_io_topics + 1, sizeof *p->io_topics)) {
        kl_log(p->log, KL_LOG_ERR, "TOPIC", "out of memory registering topic %s", t->name);
        return;
    }
    p->io_topics[p->n_io_topics++] = t;
    kl_client_want_topic(p->client, t->name);
    update_topic(p, t); /* the cache may know it already */
    prod_io_arm_expiry(p);
}

void prod_io_metadata(kl_client_t *client, void *opaque)
{
    (void)client;
    kl_producer_t *p = opaque;
    if (atomic_load(&p->closing))
        return;
    for (size_t i = 0; i < p->n_io_topics; i++)
        update_topic(p, p->io_topics[i]);
    prod_io_drain(p);
}

/* ---- expiry --------------------------------------------------------------------- */

/* Takes the waiting messages of t due by now (or all with now INT64_MAX). */
pending_msg_t *prod_take_pending(kl_producer_t *p, prod_topic_t *t, int64_t now, int64_t *next)
{
    pending_msg_t *out = NULL, **tail = &out;
    pthread_mutex_lock(&p->lock);
    pending_msg_t **pp = &t->pend_head, *prev = NULL;
    while (*pp) {
        pending_msg_t *m = *pp;
        if (now == INT64_MAX || (m->deadline_ms && m->deadline_ms <= now)) {
            *pp = m->next;
            m->next = NULL;
            *tail = m;
            tail = &m->next;
        } else {
            if (m->deadline_ms)
                *next = *next < m->deadline_ms ? *next : m->deadline_ms;
            prev = m;
            pp = &m->next;
        }
    }
    t->pend_tail = prev;
    pthread_mutex_unlock(&p->lock);
    return out;
}

/* An open or full batch that will never be closed: keep its records for
 * the report. */
static void abandon_open(prod_batch_t *b)
{
    b->base_timestamp = b->writer.base_timestamp;
    b->plain_cap = b->writer.buf.cap;
    b->plain = kl_buf_steal(&b->writer.buf, &b->plain_size);
    kl_batch_writer_free(&b->writer);
}

/* Takes the queued batches of part due by now (all with INT64_MAX or
 * PROD_TAKE_SETTLED), linked through next. Closing batches belong to
 * another thread for a moment: they are looked at again very soon, and
 * only shutdown (INT64_MAX, the application thread waiting) takes them. */
prod_batch_t *prod_take_queued(prod_partition_t *part, int64_t now, int64_t *next)
{
    prod_batch_t *out = NULL, **tail = &out;
    pthread_mutex_lock(&part->lock);
    prod_batch_t **pp = &part->head, *prev = NULL;
    while (*pp) {
        prod_batch_t *b = *pp;
        bool due = now >= PROD_TAKE_SETTLED || (b->deadline_ms && b->deadline_ms <= now);
        if (due && b->state == BATCH_CLOSING && now != INT64_MAX) {
            *next = *next < now + 1 ? *next : now + 1;
            due = false;
        }
        if (!due) {
            if (b->deadline_ms && b->deadline_ms < *next)
                *next = b->deadline_ms;
            prev = b;
            pp = &b->next;
            continue;
        }
        *pp = b->next;
        if (part->open == b || b->state == BATCH_FULL) {
            if (part->open == b)
                part->open = NULL;
            abandon_open(b);
        }
        b->next = NULL;
        *tail = b;
        tail = &b->next;
    }
    part->tail = prev;
    pthread_mutex_unlock(&part->lock);
    return out;
}

/* Detaches the in-flight batches due by now from their requests. */
prod_batch_t *prod_take_in_flight(kl_producer_t *p, int64_t now, int64_t *next)
{
    prod_batch_t *out = NULL;
    for (prod_request_t *req = p->requests; req; req = req->next) {
        for (int i = 0; i < req->nslots; i++) {
            prod_batch_t *b = req->slots[i];
            if (!b || (now != INT64_MAX && !b->deadline_ms))
                continue;
            if (now != INT64_MAX && b->deadline_ms > now) {
                *next = *next < b->deadline_ms ? *next : b->deadline_ms;
                continue;
            }
            req->slots[i] = NULL;
            b->req = NULL;
            b->part->inflight--;
            b->maybe_persisted = true; /* sent, never answered */
            b->next = out;
            out = b;
        }
    }
    return out;
}

void prod_fail_batches(kl_producer_t *p, prod_batch_t *b, kl_err_t err)
{
    while (b) {
        prod_batch_t *next = b->next;
        b->next = NULL;
        prod_batch_fail(p, b, err);
        b = next;
    }
}

void prod_fail_pending(kl_producer_t *p, pending_msg_t *m, kl_err_t err)
{
    if (m && p->txn.id && err != KL_ERR_FATAL && err != KL_ERR_DESTROY && !atomic_load(&p->fatal))
        prod_txn_set_abortable(p, err, "a message to %s failed: %s", m->topic->name, kl_err_str(err));
    while (m) {
        pending_msg_t *next = m->next;
        m->err = err;
        prod_dr_enqueue(p, &m->dr);
        m = next;
    }
}

void prod_io_expire(kl_producer_t *p)
{
    if (atomic_load(&p->closing) || !p->s.delivery_timeout_ms)
        return;
    int64_t now = kl_clock_ms(), next = INT64_MAX;
    for (size_t i = 0; i < p->n_io_topics; i++) {
        prod_topic_t *t = p->io_topics[i];
        /* Say why a message for a missing topic failed. */
        kl_err_t why = t->md_err == KL_ERR_UNKNOWN_TOPIC_OR_PARTITION ? t->md_err : KL_ERR_MSG_TIMED_OUT;
        prod_fail_pending(p, prod_take_pending(p, t, now, &next), why);
    }
    /* A batch that waited for a retry fails with the brokers' last answer
     * (e.g. NOT_ENOUGH_REPLICAS), as one whose last attempt ends past the
     * deadline does: it says why; one never answered says timed out. */
    for (size_t i = 0; i < p->n_io_parts; i++) {
        prod_batch_t *b = prod_take_queued(p->io_parts[i], now, &next);
        while (b) {
            prod_batch_t *nb = b->next;
            b->next = NULL;
            prod_batch_fail(p, b, b->last_err > 0 ? b->last_err : KL_ERR_MSG_TIMED_OUT);
            b = nb;
        }
    }
    /* An idempotent batch in flight is not expired: failing it while the
     * broker may still store it would leave its sequence in doubt. It
     * fails when its attempt ends (answer or request.timeout.ms) past
     * its deadline, and its partition's numbering restarts then. */
    if (!p->s.idempotent)
        prod_fail_batches(p, prod_take_in_flight(p, now, &next), KL_ERR_MSG_TIMED_OUT);
    prod_io_arm(p, &p->expiry_timer, next);
}

void prod_io_arm_expiry(kl_producer_t *p)
{
    /* The scan re-arms the timer for the oldest deadline it finds; when it
     * is idle, anything new is due a full delivery.timeout.ms from about
     * now. */
    if (p->s.delivery_timeout_ms && !kl_timer_active(&p->expiry_timer) && !atomic_load(&p->closing))
        prod_io_arm(p, &p->expiry_timer, kl_clock_ms() + p->s.delivery_timeout_ms);
}

/* ---- shutdown ------------------------------------------------------------------- */

void prod_io_shutdown(void *arg)
{
    kl_producer_t *p = arg;
    kl_loop_t *loop = kl_client_loop(p->client);
    kl_timer_stop(loop, &p->drain_timer);
    kl_timer_stop(loop, &p->expiry_timer);
    kl_timer_stop(loop, &p->idem.timer);
    prod_txn_io_shutdown(p);
    int64_t next = INT64_MAX;
    /* Connections are closed by now, so no request should be in flight. */
    prod_fail_batches(p, prod_take_in_flight(p, INT64_MAX, &next), KL_ERR_DESTROY);
    /* The application thread waits for us: walk every topic it created,
     * registered with this thread or not. */
    pthread_mutex_lock(&p->lock);
    prod_topic_t *topics = p->topics;
    pthread_mutex_unlock(&p->lock);
    for (prod_topic_t *t = topics; t; t = t->next) {
        prod_fail_pending(p, prod_take_pending(p, t, INT64_MAX, &next), KL_ERR_DESTROY);
        for (int32_t i = 0; i < t->partition_count; i++)
            prod_fail_batches(p, prod_take_queued(t->parts[i], INT64_MAX, &next), KL_ERR_DESTROY);
    }
}
