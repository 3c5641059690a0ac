/* __transaction_state records in Kafka's format: key version 0 and the
 * transactional id; value version 0 with producer id, epoch, timeout,
 * status, the partitions (topic, [partition]) and the last update and
 * start times. Written one record per batch and fsynced before the
 * coordinator acknowledges what it records; replayed at start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "record/batch.h"
#include "storage/file.h"
#include "util/buf.h"

int32_t txn_log_partition_for(kl_str_t id, int32_t partitions)
{
    /* Java hashes the UTF-16 code units of the string */
    uint32_t h = 0;
    const uint8_t *p = (const uint8_t *)id.ptr, *end = p + (id.len > 0 ? id.len : 0);
    while (p < end) {
        uint32_t cp = *p++;
        int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        cp &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0xFF;
        for (; more > 0 && p < end; more--)
            cp = (cp << 6) | (*p++ & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return partitions > 0 ? (int32_t)((h & 0x7fffffff) % (uint32_t)partitions) : 0;
}

static void put_str(kl_buf_t *b, const char *s)
{
    size_t n = strlen(s);
    kl_buf_put_i16(b, (int16_t)n);
    kl_buf_put(b, s, n);
}

/* Whether parts[i] is the first of its topic. */
static bool first_of_topic(const txn_meta_t *m, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(m->parts[j].topic, m->parts[i].topic) == 0)
            return false;
    return true;
}

/* The value: the partitions grouped by topic as Kafka writes them. */
static kl_err_t encode_value(kl_buf_t *b, const txn_meta_t *m)
{
    kl_buf_put_i16(b, 0);
    kl_buf_put_i64(b, m->producer_id);
    kl_buf_put_i16(b, m->epoch);
    kl_buf_put_i32(b, m->timeout_ms);
    kl_buf_put_i8(b, (int8_t)m->status);
    int32_t topics = 0;
    for (size_t i = 0; i < m->count; i++)
        topics += first_of_topic(m, i);
    kl_buf_put_i32(b, topics);
    for (size_t i = 0; i < m->count; i++) {
        if (!first_of_topic(m, i))
            continue;
        int32_t n = 0;
        for (size_t j = i; j < m->count; j++)
            n += strcmp(m->parts[j].topic, m->parts[i].topic) == 0;
        put_str(b, m->parts[i].topic);
        kl_buf_put_i32(b, n);
        for (size_t j = i; j < m->count; j++)
            if (strcmp(m->parts[j].topic, m->parts[i].topic) == 0)
                kl_buf_put_i32(b, m->parts[j].partition);
    }
    kl_buf_put_i64(b, m->update_ms);
    kl_buf_put_i64(b, m->start_ms);
    return kl_buf_error(b);
}

kl_err_t txn_log_write(kl_broker_t *b, const txn_meta_t *m)
{
    broker_topic_t *t = topics_find(&b->topics, kl_str(TXN_STATE_TOPIC));
    int32_t p = t ? txn_log_partition_for(kl_str(m->id), t->partition_count) : 0;
    if (!t || !t->logs[p])
        return KL_ERR_KAFKA_STORAGE_ERROR;
    kl_buf_t key, value;
    kl_buf_init(&key, 0);
    kl_buf_init(&value, 0);
    kl_buf_put_i16(&key, 0);
    put_str(&key, m->id);
    kl_err_t err = kl_buf_error(&key);
    err = err ? err : encode_value(&value, m);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    const uint8_t *data;
    size_t len = 0;
    err = err ? err : kl_batch_writer_open(&w, &params);
    err = err ? err : kl_batch_writer_append(&w, kl_wallclock_ms(), key.data, key.len, value.data, value.len, NULL, 0);
    err = err ? err : kl_batch_writer_close(&w, &data, &len);
    kl_buf_free(&key);
    kl_buf_free(&value);
    if (!err)
        err = kl_log_append(t->logs[p], (void *)data, len, NULL);
    /* the coordinator's decisions are acknowledged only once on disk */
    if (!err)
        err = housekeeping_flush(b, t->logs[p]);
    kl_batch_writer_free(&w);
    if (err == KL_ERR_KAFKA_STORAGE_ERROR)
        broker_storage_failed(b, t, p, "writing transaction state");
    return err;
}

/* ---------------------------------------------------------------- replay */

typedef struct reader {
    const uint8_t *p, *end;
    bool bad;
} reader_t;

static uint64_t rd_be(reader_t *r, size_t size)
{
    if (r->bad || (size_t)(r->end - r->p) < size) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = v << 8 | *r->p++;
    return v;
}

static char *rd_str(reader_t *r)
{
    int16_t n = (int16_t)rd_be(r, 2);
    if (r->bad || n < 0 || r->end - r->p < n) {
        r->bad = true;
        return NULL;
    }
    char *s = strndup((const char *)r->p, (size_t)n);
    r->p += n;
    r->bad |= s == NULL;
    return s;
}

static void free_parts(txn_meta_t *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->parts[i].topic);
    free(m->parts);
    m->parts = NULL;
    m->count = m->cap = 0;
}

static bool add_part(txn_meta_t *m, char *topic, int32_t partition)
{
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4;
        txn_partition_t *parts = realloc(m->parts, cap * sizeof *parts);
        if (!parts)
            return false;
        m->parts = parts;
        m->cap = cap;
    }
    m->parts[m->count++] = (txn_partition_t){topic, partition};
    return true;
}

/* Decodes a value into m (its partitions malloc'd). False when it does
 * not read as version 0 or 1 of Kafka's. */
static bool decode_value(const uint8_t *p, size_t len, txn_meta_t *m)
{
    reader_t r = {p, p + len, false};
    int16_t version = (int16_t)rd_be(&r, 2);
    *m = (txn_meta_t){0};
    m->producer_id = (int64_t)rd_be(&r, 8);
    m->epoch = (int16_t)rd_be(&r, 2);
    m->timeout_ms = (int32_t)rd_be(&r, 4);
    m->status = (txn_status_t)rd_be(&r, 1);
    int32_t topics = (int32_t)rd_be(&r, 4);
    for (int32_t i = 0; !r.bad && i < topics; i++) {
        char *topic = rd_str(&r);
        int32_t n = (int32_t)rd_be(&r, 4);
        for (int32_t k = 0; !r.bad && k < n; k++) {
            char *copy = strdup(topic ? topic : "");
            int32_t partition = (int32_t)rd_be(&r, 4);
            if (!copy || !add_part(m, copy, partition)) {
                free(copy);
                r.bad = true;
            }
        }
        free(topic);
    }
    m->update_ms = (int64_t)rd_be(&r, 8);
    m->start_ms = (int64_t)rd_be(&r, 8);
    if (r.bad || version < 0 || version > 1 || m->status > TXN_PREPARE_EPOCH_FENCE) {
        free_parts(m);
        return false;
    }
    return true;
}

static kl_err_t replay_record(kl_broker_t *b, const kl_record_t *rec, txn_log_load_fn *load)
{
    reader_t r = {rec->key, rec->key ? rec->key + rec->key_len : NULL, rec->key == NULL};
    int16_t version = (int16_t)rd_be(&r, 2);
    char *id = rd_str(&r);
    kl_err_t err = KL_ERR_NONE;
    txn_meta_t m;
    if (r.bad || version != 0) {
        broker_log(b, BROKER_LOG_WARN, "%s: skipped a record at offset %lld whose key does not read",
                   TXN_STATE_TOPIC, (long long)rec->offset);
    } else if (!rec->value) {
        err = load(b->txns, id, NULL);
    } else if (!decode_value(rec->value, rec->value_len, &m)) {
        broker_log(b, BROKER_LOG_WARN, "%s: skipped the state of %s at offset %lld: its value does not read",
                   TXN_STATE_TOPIC, id, (long long)rec->offset);
    } else {
        err = load(b->txns, id, &m);
        free_parts(&m);
    }
    free(id);
    return err;
}

/* Replays the batches of buf; *next moves past each whole one. */
static kl_err_t replay_buffer(kl_broker_t *b, const uint8_t *buf, size_t len, int64_t *next, txn_log_load_fn *load)
{
    kl_batch_iter_t it;
    kl_batch_t batch;
    kl_record_iter_t ri;
    kl_record_t rec;
    kl_err_t err = KL_ERR_NONE, e;
    kl_batch_iter_init(&it, buf, len, 0);
    kl_record_iter_init(&ri, 0);
    while (!err && ((e = kl_batch_iter_next(&it, &batch)) == KL_ERR_NONE || kl_batch_iter_skip(&it, &batch))) {
        *next = kl_batch_last_offset(&batch) + 1;
        if (e != KL_ERR_NONE || kl_record_iter_start(&ri, &batch) != KL_ERR_NONE) {
            broker_log(b, BROKER_LOG_WARN, "%s: skipped the damaged batch at offset %lld", TXN_STATE_TOPIC,
                       (long long)batch.base_offset);
            continue;
        }
        while (!err && kl_record_iter_next(&ri, &rec) == KL_ERR_NONE)
            err = replay_record(b, &rec, load);
    }
    kl_record_iter_free(&ri);
    return err;
}

static kl_err_t replay_log(kl_broker_t *b, kl_log_t *log, txn_log_load_fn *load)
{
    int64_t offset = kl_log_start_offset(log), end = kl_log_end_offset(log);
    uint8_t *buf = NULL;
    kl_err_t err = KL_ERR_NONE;
    while (!err && offset < end) {
        kl_log_range_t range;
        if ((err = kl_log_read(log, offset, 1 << 20, &range)) != KL_ERR_NONE)
            break;
        uint8_t *grown = range.length ? realloc(buf, range.length) : NULL;
        if (!grown)
            err = range.length ? KL_ERR_NOMEM : KL_ERR_CORRUPT_MESSAGE;
        else if (kl_pread_full(range.fd, (buf = grown), range.length, range.position) != (ssize_t)range.length)
            err = KL_ERR_KAFKA_STORAGE_ERROR;
        size_t len = range.length;
        kl_log_range_release(&range);
        int64_t next = offset;
        if (!err)
            err = replay_buffer(b, buf, len, &next, load);
        if (!err && next <= offset)
            err = KL_ERR_CORRUPT_MESSAGE;
        offset = next;
    }
    free(buf);
    return err;
}

kl_err_t txn_log_replay(kl_broker_t *b, txn_log_load_fn *load)
{
    broker_topic_t *t = topics_find(&b->topics, kl_str(TXN_STATE_TOPIC));
    for (int32_t p = 0; t && p < t->partition_count; p++) {
        if (!t->logs[p])
            continue;
        kl_err_t err = replay_log(b, t->logs[p], load);
        if (err == KL_ERR_NOMEM)
            return err;
        if (err) {
            char why[256];
            snprintf(why, sizeof why, "the transaction coordinator cannot replay it (%s)", kl_err_str(err));
            broker_partition_offline(b, t, p, why);
        }
    }
    return KL_ERR_NONE;
}
