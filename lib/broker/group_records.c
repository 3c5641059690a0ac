/* The records of __consumer_offsets in Kafka's formats (big-endian,
 * int16-length strings, int32-length bytes), encoding what we write and
 * decoding what replay reads:
 *   OffsetCommitKey   v1: version=1, group, topic, partition
 *   OffsetCommitValue v3: version=3, offset, leader epoch, metadata,
 *                         commit timestamp (v1 when an expire timestamp
 *                         is kept; v0-2 also read)
 *   GroupMetadataKey  v2: version=2, group
 *   GroupMetadataValue v3: version=3, protocol type, generation, protocol
 *                         (nullable), leader (nullable), current state
 *                         timestamp, members (v0-2 also read)
 * and the batches that carry them. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"
#include "broker/group_records.h"
#include "util/reader.h"

static void put_str(kl_buf_t *buf, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > INT16_MAX) {
        buf->err = buf->err ? buf->err : KL_ERR_TOO_LARGE;
        return;
    }
    kl_buf_put_i16(buf, s ? (int16_t)n : -1);
    kl_buf_put(buf, s, n);
}

static void put_bytes(kl_buf_t *buf, const uint8_t *p, int32_t len)
{
    kl_buf_put_i32(buf, len);
    if (len > 0)
        kl_buf_put(buf, p, (size_t)len);
}

void group_record_offset_key(kl_buf_t *buf, const char *group, const char *topic, int32_t partition)
{
    kl_buf_put_i16(buf, RECORD_KEY_OFFSET);
    put_str(buf, group);
    put_str(buf, topic);
    kl_buf_put_i32(buf, partition);
}

void group_record_offset_value(kl_buf_t *buf, const group_offset_t *o)
{
    /* Only v1 holds an expire timestamp (from an OffsetCommit v2-4 with a
     * retention time), as Kafka writes it. */
    bool expires = o->expire_ts >= 0;
    kl_buf_put_i16(buf, expires ? 1 : 3);
    kl_buf_put_i64(buf, o->offset);
    if (!expires)
        kl_buf_put_i32(buf, o->leader_epoch);
    put_str(buf, o->metadata ? o->metadata : "");
    kl_buf_put_i64(buf, o->commit_ts);
    if (expires)
        kl_buf_put_i64(buf, o->expire_ts);
}

void group_record_group_key(kl_buf_t *buf, const char *group)
{
    kl_buf_put_i16(buf, RECORD_KEY_GROUP);
    put_str(buf, group);
}

void group_record_group_value(kl_buf_t *buf, const group_t *g, const kl_bytes_t *assignments)
{
    kl_buf_put_i16(buf, 3);
    put_str(buf, g->protocol_type ? g->protocol_type : "");
    kl_buf_put_i32(buf, g->generation);
    put_str(buf, g->protocol_name);
    put_str(buf, g->leader ? g->leader->id : NULL);
    kl_buf_put_i64(buf, g->state_ts);
    kl_buf_put_i32(buf, (int32_t)g->member_count);
    size_t i = 0;
    for (const group_member_t *m = g->members; m; m = m->next, i++) {
        const group_protocol_t *p = group_member_protocol(m, g->protocol_name);
        put_str(buf, m->id);
        put_str(buf, m->instance_id);
        put_str(buf, m->client_id);
        put_str(buf, m->client_host);
        kl_buf_put_i32(buf, m->rebalance_timeout_ms);
        kl_buf_put_i32(buf, m->session_timeout_ms);
        put_bytes(buf, p ? p->metadata : NULL, p ? p->metadata_len : 0);
        if (assignments)
            put_bytes(buf, assignments[i].ptr, assignments[i].len > 0 ? assignments[i].len : 0);
        else
            put_bytes(buf, m->assignment, m->assignment ? m->assignment_len : 0);
    }
}

/* ---- decoding ---- */

static kl_str_t rd_str(kl_rd_t *rd)
{
    int16_t len = kl_rd_i16(rd);
    if (len < 0)
        return KL_STR_NULL;
    const uint8_t *p = kl_rd_bytes(rd, (size_t)len);
    return p ? (kl_str_t){(const char *)p, len} : (kl_str_t){"", 0};
}

static kl_bytes_t rd_bytes(kl_rd_t *rd)
{
    int32_t len = kl_rd_i32(rd);
    if (len < 0)
        return KL_BYTES_NULL;
    const uint8_t *p = kl_rd_bytes(rd, (size_t)len);
    return p ? (kl_bytes_t){p, len} : (kl_bytes_t){NULL, 0};
}

int group_record_key_decode(const uint8_t *p, size_t len, record_key_t *key)
{
    kl_rd_t rd;
    kl_rd_init(&rd, p, len);
    int16_t version = kl_rd_i16(&rd);
    memset(key, 0, sizeof *key);
    key->type = version;
    if (version == 0 || version == 1) {
        key->type = RECORD_KEY_OFFSET;
        key->group = rd_str(&rd);
        key->topic = rd_str(&rd);
        key->partition = kl_rd_i32(&rd);
    } else if (version == RECORD_KEY_GROUP) {
        key->group = rd_str(&rd);
    } else {
        return kl_rd_error(&rd) ? -1 : 0; /* a record type we do not keep */
    }
    return kl_rd_error(&rd) || key->group.len < 0 ? -1 : 1;
}

bool group_record_offset_value_decode(const uint8_t *p, size_t len, record_offset_value_t *o)
{
    kl_rd_t rd;
    kl_rd_init(&rd, p, len);
    int16_t version = kl_rd_i16(&rd);
    if (version < 0 || version > 3)
        return false;
    o->offset = kl_rd_i64(&rd);
    o->leader_epoch = version >= 3 ? kl_rd_i32(&rd) : -1;
    o->metadata = rd_str(&rd);
    o->commit_ts = kl_rd_i64(&rd);
    o->expire_ts = version == 1 ? kl_rd_i64(&rd) : -1;
    return !kl_rd_error(&rd);
}

bool group_record_group_value_decode(const uint8_t *p, size_t len, record_group_value_t *v, kl_arena_t *arena)
{
    kl_rd_t rd;
    kl_rd_init(&rd, p, len);
    int16_t version = kl_rd_i16(&rd);
    if (version < 0 || version > 3)
        return false;
    v->protocol_type = rd_str(&rd);
    v->generation = kl_rd_i32(&rd);
    v->protocol = rd_str(&rd);
    v->leader = rd_str(&rd);
    v->state_ts = version >= 2 ? kl_rd_i64(&rd) : -1;
    int32_t n = kl_rd_i32(&rd);
    if (kl_rd_error(&rd) || n < 0 || (size_t)n > kl_rd_remaining(&rd))
        return false;
    v->members = kl_arena_calloc(arena, (size_t)n ? (size_t)n : 1, sizeof *v->members);
    if (!v->members)
        return false;
    v->member_count = n;
    for (int32_t i = 0; i < n; i++) {
        record_member_t *m = &v->members[i];
        m->id = rd_str(&rd);
        m->instance_id = version >= 3 ? rd_str(&rd) : KL_STR_NULL;
        m->client_id = rd_str(&rd);
        m->client_host = rd_str(&rd);
        m->rebalance_timeout_ms = version >= 1 ? kl_rd_i32(&rd) : -1;
        m->session_timeout_ms = kl_rd_i32(&rd);
        m->subscription = rd_bytes(&rd);
        m->assignment = rd_bytes(&rd);
    }
    return !kl_rd_error(&rd);
}

/* ---- batches ---- */

static void batch_begin(group_coordinator_t *c, record_batch_t *b, const kl_batch_params_t *params)
{
    b->coord = c;
    kl_buf_init(&b->key, 0);
    kl_buf_init(&b->value, 0);
    b->timestamp = group_coord_wall(c);
    b->count = 0;
    b->err = kl_batch_writer_open(&c->writer, params);
}

void group_batch_begin(group_coordinator_t *c, record_batch_t *b)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    batch_begin(c, b, &params);
}

/* Kafka writes a transaction's offsets with the producer's id and epoch
 * and no sequence: the coordinator, not the producer, orders them. */
void group_batch_begin_txn(group_coordinator_t *c, record_batch_t *b, int64_t producer_id, int16_t epoch)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.producer_id = producer_id;
    params.producer_epoch = epoch;
    params.attributes = KL_BATCH_ATTR_TRANSACTIONAL;
    batch_begin(c, b, &params);
}

void group_batch_add(record_batch_t *b, bool tombstone)
{
    if (!b->err)
        b->err = kl_buf_error(&b->key) ? kl_buf_error(&b->key) : kl_buf_error(&b->value);
    if (!b->err) {
        const void *value = tombstone ? NULL : b->value.data ? (const void *)b->value.data : (const void *)"";
        b->err = kl_batch_writer_append(&b->coord->writer, b->timestamp, b->key.data, b->key.len, value,
                                        tombstone ? 0 : b->value.len, NULL, 0);
    }
    b->count++;
    kl_buf_reset(&b->key);
    kl_buf_reset(&b->value);
}

void group_batch_abort(record_batch_t *b)
{
    kl_buf_free(&b->key);
    kl_buf_free(&b->value);
}

void group_batch_submit(record_batch_t *b, int32_t partition, group_op_t *op)
{
    group_coordinator_t *c = b->coord;
    kl_err_t err = b->err;
    group_batch_abort(b);
    if (!err && b->count == 0) {
        group_op_fail(op, KL_ERR_NONE); /* nothing to store */
        return;
    }
    const uint8_t *data;
    size_t len;
    if (!err)
        err = kl_batch_writer_close(&c->writer, &data, &len);
    if (!err && !(op->batch = kl_batch_writer_take(&c->writer, &op->batch_len)))
        err = KL_ERR_NOMEM;
    if (err) {
        group_op_fail(op, err);
        return;
    }
    c->env.append(c->env.opaque, partition, op->batch, op->batch_len, group_op_done, op);
}
