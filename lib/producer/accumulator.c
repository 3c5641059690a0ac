/* The accumulator: kl_produce() finds the message's topic and partition
 * and encodes the message straight into that partition's open batch (once:
 * retries resend the same bytes). A batch leaves the open slot when full or
 * when the I/O thread finds its linger.ms over; closing (CRC, compression)
 * runs on the I/O thread, outside the partition's lock, so the
 * application's thread only encodes. Messages for a topic whose partitions are
 * not known yet wait as copies until metadata arrives (sender.c). */
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "producer/producer_impl.h"

/* ---- spare buffers -------------------------------------------------------------- */

/* What a new batch reserves: most batches fill up, so start big enough to
 * avoid most regrowth, but not so big that many idle partitions hold a lot. */
static size_t batch_reserve(const kl_producer_t *p)
{
    return p->s.batch_size < (256u << 10) ? p->s.batch_size : (256u << 10);
}

void prod_spares_init(kl_producer_t *p) { pthread_mutex_init(&p->spares.lock, NULL); }

void prod_spares_free(kl_producer_t *p)
{
    for (int i = 0; i < p->spares.count; i++)
        free(p->spares.data[i]);
    p->spares.count = 0;
    pthread_mutex_destroy(&p->spares.lock);
}

/* Keeps a batch's buffer for a later batch, or frees it. A buffer larger
 * than a full batch (one that held an oversize message) is not kept. */
static void spare_put(kl_producer_t *p, uint8_t *data, size_t cap)
{
    if (!data)
        return;
    if (p && cap >= batch_reserve(p) && cap <= 2 * p->s.batch_size + KL_BATCH_HEADER_SIZE) {
        pthread_mutex_lock(&p->spares.lock);
        int i = p->spares.count;
        if (i < PROD_SPARE_BUFFERS) {
            p->spares.data[i] = data;
            p->spares.cap[i] = cap;
            p->spares.count++;
            data = NULL;
        }
        pthread_mutex_unlock(&p->spares.lock);
    }
    free(data);
}

static uint8_t *spare_get(kl_producer_t *p, size_t *cap)
{
    uint8_t *data = NULL;
    pthread_mutex_lock(&p->spares.lock);
    if (p->spares.count > 0) {
        int i = --p->spares.count;
        data = p->spares.data[i];
        *cap = p->spares.cap[i];
    }
    pthread_mutex_unlock(&p->spares.lock);
    return data;
}

/* ---- batches ------------------------------------------------------------------ */

static prod_batch_t *batch_new(kl_producer_t *p, prod_partition_t *part, int64_t now)
{
    prod_batch_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* A partition whose batches fill up gets room for as many messages as
     * its last full one held, rather than doubling up to it every time. */
    b->cap = part->last_full_count > 64 ? part->last_full_count : 64;
    b->msgs = malloc((size_t)b->cap * sizeof *b->msgs);
    if (!b->msgs) {
        free(b);
        return NULL;
    }
    kl_batch_writer_init(&b->writer, 0);
    size_t cap;
    uint8_t *spare = spare_get(p, &cap);
    if (spare)
        kl_buf_adopt(&b->writer.buf, spare, cap);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.codec = p->s.codec;
    params.codec_level = p->s.codec_level;
    if (kl_batch_writer_open(&b->writer, &params) != KL_ERR_NONE) {
        kl_batch_writer_free(&b->writer);
        free(b->msgs);
        free(b);
        return NULL;
    }
    kl_buf_reserve(&b->writer.buf, batch_reserve(p));
    b->dr.kind = DR_BATCH;
    b->part = part;
    b->state = BATCH_OPEN;
    b->seq = part->next_seq++;
    b->base_sequence = -1;
    b->created_ms = now;
    b->deadline_ms = p->s.delivery_timeout_ms ? now + p->s.delivery_timeout_ms : 0;
    b->base_offset = -1;
    b->log_append_time = -1;
    b->base_timestamp = -1;
    return b;
}

void prod_batch_free(kl_producer_t *p, prod_batch_t *b)
{
    if (!b)
        return;
    kl_batch_writer_free(&b->writer);
    spare_put(p, b->wire, b->wire_cap);
    spare_put(p, b->plain, b->plain_cap);
    free(b->msgs);
    free(b);
}

void prod_batch_close(kl_producer_t *p, prod_batch_t *b)
{
    (void)p;
    const uint8_t *data;
    size_t len;
    b->base_timestamp = b->writer.base_timestamp;
    kl_err_t err = kl_batch_writer_close(&b->writer, &data, &len);
    if (err) {
        /* Keep the records for the report; the sender fails the batch. */
        b->err = err;
        b->plain_cap = b->writer.buf.cap;
        b->plain = kl_buf_steal(&b->writer.buf, &b->plain_size);
    } else {
        /* compression swapped the writer's buffers: scratch holds the records */
        b->plain_cap = b->writer.scratch.cap;
        b->plain = kl_batch_writer_take_uncompressed(&b->writer, &b->plain_size);
        b->wire_cap = b->writer.buf.cap;
        b->wire = kl_batch_writer_take(&b->writer, &b->wire_size);
        /* The compressor reserved its worst case, often many times what it
         * wrote: give the rest back while the batch waits for its acks. */
        uint8_t *fit = b->plain && b->wire_cap > b->wire_size ? realloc(b->wire, b->wire_size) : NULL;
        if (fit) {
            b->wire = fit;
            b->wire_cap = b->wire_size;
        }
    }
    kl_batch_writer_free(&b->writer);
    pthread_mutex_lock(&b->part->lock);
    b->state = BATCH_READY;
    pthread_mutex_unlock(&b->part->lock);
}

static bool msgs_grow(prod_batch_t *b)
{
    if (b->count < b->cap)
        return true;
    int32_t cap = b->cap ? b->cap * 2 : 64;
    prod_msg_t *m = realloc(b->msgs, (size_t)cap * sizeof *m);
    if (!m)
        return false;
    b->msgs = m;
    b->cap = cap;
    return true;
}

static bool batch_full(const kl_producer_t *p, const prod_batch_t *b, size_t more)
{
    return b->count >= p->s.batch_count || kl_batch_writer_size(&b->writer) + more > p->s.batch_size;
}

/* ---- appending ------------------------------------------------------------------- */

static void queue_push(prod_partition_t *part, prod_batch_t *b)
{
    b->next = NULL;
    if (part->tail)
        part->tail->next = b;
    else
        part->head = b;
    part->tail = b;
}

static void queue_remove_tail(prod_partition_t *part, prod_batch_t *b)
{
    prod_batch_t *prev = NULL;
    for (prod_batch_t *x = part->head; x != b; x = x->next)
        prev = x;
    if (prev)
        prev->next = NULL;
    else
        part->head = NULL;
    part->tail = prev;
    if (part->open == b)
        part->open = NULL;
}

/* Takes the full open batch out of the open slot: it stays last in the
 * queue, for the I/O thread to close and send. Its count sizes the next
 * batch's message array. */
static void detach_open(prod_partition_t *part)
{
    part->last_full_count = part->open->count;
    part->open->state = BATCH_FULL;
    part->open = NULL;
}

kl_err_t prod_append(kl_producer_t *p, prod_partition_t *part, int64_t timestamp, const void *key, size_t key_len,
                     const void *value, size_t value_len, const kl_record_header_t *headers, size_t header_count,
                     void *opaque, size_t bytes, int64_t deadline_ms)
{
    size_t bound = kl_batch_record_size_bound(key_len, value_len, headers, header_count);
    bool full = false, opened = false;
    kl_err_t err = KL_ERR_NONE;
    pthread_mutex_lock(&part->lock);
    prod_batch_t *b = part->open;
    if (b && b->count > 0 && batch_full(p, b, bound)) {
        detach_open(part);
        full = true;
        b = NULL;
    }
    if (!b) {
        b = batch_new(p, part, kl_clock_ms());
        if (!b) {
            err = KL_ERR_NOMEM;
            goto out;
        }
        queue_push(part, b);
        part->open = b;
        opened = true;
    }
    if (!msgs_grow(b)) {
        err = KL_ERR_NOMEM;
        goto out;
    }
    uint32_t pos = (uint32_t)kl_batch_writer_size(&b->writer);
    err = kl_batch_writer_append(&b->writer, timestamp, key, key_len, value, value_len, headers, header_count);
    if (err)
        goto out;
    b->msgs[b->count++] = (prod_msg_t){opaque, pos};
    b->bytes += bytes;
    if (deadline_ms && deadline_ms < b->deadline_ms)
        b->deadline_ms = deadline_ms;
    if (batch_full(p, b, 0)) {
        detach_open(part);
        full = true;
    }
out:
    if (err && b && b->count == 0) {
        /* Never leave an empty batch behind: nothing would report it. */
        queue_remove_tail(part, b);
        prod_batch_free(p, b);
        opened = false;
    }
    pthread_mutex_unlock(&part->lock);
    if (full || opened)
        prod_wake(p);
    return err;
}

/* ---- topics and partitions ---------------------------------------------------- */

prod_partition_t *prod_partition_new(prod_topic_t *t, int32_t id)
{
    prod_partition_t *part = calloc(1, sizeof *part);
    if (!part)
        return NULL;
    part->topic = t;
    part->id = id;
    part->leader = -1;
    pthread_mutex_init(&part->lock, NULL);
    return part;
}

void prod_partition_free(prod_partition_t *part)
{
    prod_batch_t *b = part->head;
    while (b) {
        prod_batch_t *next = b->next;
        prod_batch_free(NULL, b);
        b = next;
    }
    pthread_mutex_destroy(&part->lock);
    free(part);
}

void prod_topics_free(kl_producer_t *p)
{
    prod_topic_t *t = p->topics;
    while (t) {
        prod_topic_t *next = t->next;
        for (int32_t i = 0; i < t->partition_count; i++)
            prod_partition_free(t->parts[i]);
        free(t->parts);
        pending_msg_t *m = t->pend_head;
        while (m) {
            pending_msg_t *mn = m->next;
            free(m);
            m = mn;
        }
        free(t->name);
        free(t);
        t = next;
    }
    p->topics = NULL;
}

typedef struct register_task {
    kl_producer_t *producer;
    prod_topic_t *topic;
} register_task_t;

static void register_task(void *arg)
{
    register_task_t *r = arg;
    if (!atomic_load(&r->producer->closing))
        prod_io_register_topic(r->producer, r->topic);
    free(r);
}

/* With producer->lock held: the topic, created (and announced to the I/O
 * thread) on first use. NULL when out of memory. */
static prod_topic_t *topic_get(kl_producer_t *p, const char *name)
{
    for (prod_topic_t *t = p->topics; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    prod_topic_t *t = calloc(1, sizeof *t);
    register_task_t *r = malloc(sizeof *r);
    char *copy = strdup(name);
    if (!t || !r || !copy) {
        free(t);
        free(r);
        free(copy);
        return NULL;
    }
    t->name = copy;
    t->sticky = -1;
    *r = (register_task_t){p, t};
    if (kl_client_post(p->client, register_task, r) != 0) {
        free(t);
        free(r);
        free(copy);
        return NULL;
    }
    t->next = p->topics;
    p->topics = t;
    return t;
}

/* A copy of the message, waiting for its topic's metadata. */
static pending_msg_t *pending_new(prod_topic_t *t, int32_t partition, int64_t timestamp, const void *key,
                                  size_t key_len, const void *value, size_t value_len,
                                  const kl_record_header_t *headers, size_t header_count, void *opaque)
{
    size_t size = sizeof(pending_msg_t) + header_count * sizeof(kl_record_header_t) + key_len + value_len;
    for (size_t i = 0; i < header_count; i++)
        size += headers[i].key_len + headers[i].value_len;
    pending_msg_t *m = calloc(1, size);
    if (!m)
        return NULL;
    m->dr.kind = DR_SINGLE;
    m->topic = t;
    m->partition = partition;
    m->timestamp = timestamp;
    m->opaque = opaque;
    m->headers = (kl_record_header_t *)m->data;
    m->header_count = header_count;
    uint8_t *w = m->data + header_count * sizeof(kl_record_header_t);
#define COPY(dst, src, n)                                                      \
    do {                                                                       \
        (dst) = (src) ? memcpy(w, (src), (n)) : NULL;                          \
        w += (src) ? (n) : 0;                                                  \
    } while (0)
    COPY(m->key, key, key_len);
    m->key_len = key ? key_len : 0;
    COPY(m->value, value, value_len);
    m->value_len = value ? value_len : 0;
    for (size_t i = 0; i < header_count; i++) {
        m->headers[i] = headers[i];
        COPY(m->headers[i].key, headers[i].key, headers[i].key_len);
        COPY(m->headers[i].value, headers[i].value, headers[i].value_len);
    }
#undef COPY
    return m;
}

/* ---- kl_produce ------------------------------------------------------------------ */

static kl_err_t try_reserve(kl_producer_t *p, size_t bytes)
{
    size_t n = atomic_fetch_add(&p->msg_count, 1);
    size_t total = atomic_fetch_add(&p->msg_bytes, bytes) + bytes;
    if ((p->s.max_messages && n >= p->s.max_messages) || total > p->s.max_bytes) {
        atomic_fetch_sub(&p->msg_count, 1);
        atomic_fetch_sub(&p->msg_bytes, bytes);
        return KL_ERR_QUEUE_FULL;
    }
    return KL_ERR_NONE;
}

/* Room for one more message; with block, waits for it while serving
 * delivery reports (which is what frees room), so the caller cannot wait
 * for reports only it could serve. */
static kl_err_t reserve(kl_producer_t *p, size_t bytes, bool block)
{
    kl_err_t err = try_reserve(p, bytes);
    if (err != KL_ERR_QUEUE_FULL || !block || bytes > p->s.max_bytes)
        return err;
    while ((err = try_reserve(p, bytes)) == KL_ERR_QUEUE_FULL) {
        if (atomic_load(&p->fatal))
            return KL_ERR_FATAL;
        kl_producer_poll(p, 100);
    }
    return err;
}

static void unreserve(kl_producer_t *p, size_t bytes)
{
    atomic_fetch_sub(&p->msg_count, 1);
    atomic_fetch_sub(&p->msg_bytes, bytes);
}

kl_err_t kl_produce_flags(kl_producer_t *p, const char *topic, int32_t partition, int flags, const void *key,
                          size_t key_len, const void *value, size_t value_len, const kl_headers_t *hdrs,
                          int64_t timestamp, void *opaque)
{
    if (!p || !topic || !*topic || partition < KL_PARTITION_UA || (flags & ~KL_MSG_F_BLOCK))
        return KL_ERR_INVALID_ARG;
    if (atomic_load(&p->fatal))
        return KL_ERR_FATAL;
    if (p->txn.id && !atomic_load(&p->txn.produce_open))
        return KL_ERR_STATE; /* a transactional producer outside a transaction */
    if (!key)
        key_len = 0;
    if (!value)
        value_len = 0;
    size_t header_count, header_bytes;
    const kl_record_header_t *headers = kl_headers_items(hdrs, &header_count, &header_bytes);
    size_t bound = kl_batch_record_size_bound(key_len, value_len, headers, header_count);
    if (KL_BATCH_HEADER_SIZE + bound > p->s.message_max_bytes)
        return KL_ERR_MESSAGE_TOO_LARGE;
    size_t bytes = key_len + value_len + header_bytes;
    kl_err_t err = reserve(p, bytes, flags & KL_MSG_F_BLOCK);
    if (err)
        return err;
    /* One clock read per message, for the timestamp and the partitioner. */
    int64_t now = kl_wallclock_ms();
    if (timestamp == 0)
        timestamp = now;

    pthread_mutex_lock(&p->lock);
    prod_topic_t *t = topic_get(p, topic);
    if (!t) {
        pthread_mutex_unlock(&p->lock);
        unreserve(p, bytes);
        return KL_ERR_NOMEM;
    }
    if (t->ready && !t->known) {
        /* the waiting messages go first, through the application's
         * partitioner, on this thread */
        pthread_mutex_unlock(&p->lock);
        prod_move_pending(p, t);
        pthread_mutex_lock(&p->lock);
    }
    if (!t->known) {
        pending_msg_t *m = pending_new(t, partition, timestamp, key, key_len, value, value_len, headers,
                                       header_count, opaque);
        if (m) {
            m->bytes = bytes;
            m->deadline_ms = p->s.delivery_timeout_ms ? kl_clock_ms() + p->s.delivery_timeout_ms : 0;
            if (t->pend_tail)
                t->pend_tail->next = m;
            else
                t->pend_head = m;
            t->pend_tail = m;
        }
        pthread_mutex_unlock(&p->lock);
        if (!m) {
            unreserve(p, bytes);
            return KL_ERR_NOMEM;
        }
        prod_wake(p); /* the expiry timer must know about it */
        return KL_ERR_NONE;
    }
    if (partition >= t->partition_count) {
        pthread_mutex_unlock(&p->lock);
        unreserve(p, bytes);
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (partition == KL_PARTITION_UA)
        partition = prod_partition_for(p, t, key, key_len, now);
    if (partition < 0) {
        /* the application's partitioner gave a partition the topic lacks */
        pending_msg_t *m = pending_new(t, KL_PARTITION_UA, timestamp, key, key_len, value, value_len, headers,
                                       header_count, opaque);
        pthread_mutex_unlock(&p->lock);
        if (!m) {
            unreserve(p, bytes);
            return KL_ERR_NOMEM;
        }
        m->bytes = bytes;
        m->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        prod_dr_enqueue(p, &m->dr);
        return KL_ERR_NONE;
    }
    prod_partition_t *part = t->parts[partition];
    pthread_mutex_unlock(&p->lock);

    err = prod_append(p, part, timestamp, key, key_len, value, value_len, headers, header_count, opaque, bytes, 0);
    if (err)
        unreserve(p, bytes);
    return err;
}

kl_err_t kl_produce_headers(kl_producer_t *p, const char *topic, int32_t partition, const void *key,
                            size_t key_len, const void *value, size_t value_len, const kl_headers_t *headers,
                            int64_t timestamp, void *opaque)
{
    return kl_produce_flags(p, topic, partition, 0, key, key_len, value, value_len, headers, timestamp, opaque);
}

kl_err_t kl_produce(kl_producer_t *p, const char *topic, int32_t partition, const void *key, size_t key_len,
                    const void *value, size_t value_len, int64_t timestamp, void *opaque)
{
    return kl_produce_flags(p, topic, partition, 0, key, key_len, value, value_len, NULL, timestamp, opaque);
}
