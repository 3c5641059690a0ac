/* Persistence: appends in flight (an operation per batch whose completion
 * applies the change and releases the reply), the group metadata record,
 * the mapping of append errors to what Kafka answers, and the replay of
 * __consumer_offsets partitions at start. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"
#include "broker/group_records.h"
#include "broker/wire_error.h"
#include "record/control.h"
#include "storage/file.h"

group_op_t *group_op_new(group_coordinator_t *c, group_op_fn *complete, const char *group_id, int32_t generation)
{
    group_op_t *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->group_id = strdup(group_id ? group_id : "");
    if (!op->group_id) {
        free(op);
        return NULL;
    }
    op->coord = c;
    op->complete = complete;
    op->generation = generation;
    op->next = c->ops;
    if (c->ops)
        c->ops->prev = op;
    c->ops = op;
    return op;
}

static void op_release(group_op_t *op)
{
    group_coordinator_t *c = op->coord;
    if (op->prev)
        op->prev->next = op->next;
    else
        c->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    if (op->free_data)
        op->free_data(op->data);
    group_reply_discard(op->reply);
    free(op->batch);
    free(op->group_id);
    free(op);
}

void group_op_done(void *arg, kl_err_t err)
{
    group_op_t *op = arg;
    group_coordinator_t *c = op->coord;
    group_coord_enter(c);
    if (op->complete)
        op->complete(op, err);
    group_reply_send(c, op->reply);
    op->reply = NULL;
    op_release(op);
    group_coord_leave(c);
}

void group_op_fail(group_op_t *op, kl_err_t err) { group_op_done(op, err); }

/* Kafka's mapping of append errors for group metadata. Local errors (no
 * memory, an I/O failure below the log) send the client to look for the
 * coordinator again, which retries. */
int16_t group_append_error(kl_err_t err)
{
    switch ((int)err) {
    case KL_ERR_NONE: return KL_ERR_NONE;
    case KL_ERR_UNKNOWN_TOPIC_OR_PARTITION:
    case KL_ERR_NOT_ENOUGH_REPLICAS:
    case KL_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case KL_ERR_REQUEST_TIMED_OUT: return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    case KL_ERR_NOT_LEADER_OR_FOLLOWER:
    case KL_ERR_KAFKA_STORAGE_ERROR: return KL_ERR_NOT_COORDINATOR;
    case KL_ERR_MESSAGE_TOO_LARGE:
    case KL_ERR_RECORD_LIST_TOO_LARGE:
    case KL_ERR_INVALID_FETCH_SIZE: return KL_ERR_UNKNOWN_SERVER_ERROR;
    default: return broker_wire_error(err, KL_ERR_NOT_COORDINATOR);
    }
}

int16_t group_append_error_offsets(kl_err_t err)
{
    switch ((int)err) {
    case KL_ERR_MESSAGE_TOO_LARGE:
    case KL_ERR_RECORD_LIST_TOO_LARGE:
    case KL_ERR_INVALID_FETCH_SIZE: return KL_ERR_INVALID_COMMIT_OFFSET_SIZE;
    default: return group_append_error(err);
    }
}

void group_store(group_t *g, const kl_bytes_t *assignments, group_op_t *op)
{
    group_coordinator_t *c = g->coord;
    if (!op && !(op = group_op_new(c, NULL, g->id, g->generation)))
        return; /* not stored: the previous generation's record stays */
    record_batch_t b;
    group_batch_begin(c, &b);
    group_record_group_key(&b.key, g->id);
    group_record_group_value(&b.value, g, assignments);
    group_batch_add(&b, false);
    group_batch_submit(&b, g->partition, op);
}

/* ---- replay ---- */

/* A replay in progress: the record iterator reused from batch to batch
 * and what the caller wants to hear about batches left out. */
typedef struct replay {
    group_coordinator_t *coord;
    group_load_t *load; /* NULL: skipped batches go unreported */
    kl_record_iter_t records;
    int64_t limit;     /* offsets at or past it are not in the log */
    uint32_t load_seq; /* this replay's number, for its pending offsets */
    const kl_batch_t *batch; /* the batch being replayed */
} replay_t;

/* An offset in a transactional batch: pending until its marker. */
static void replay_txn_offset(replay_t *r, const record_key_t *key, const record_offset_value_t *v, kl_err_t *err)
{
    char *group = group_strdup(key->group), *topic = group_strdup(key->topic), *metadata = group_strdup(v->metadata);
    group_offset_t o = {topic, key->partition, v->offset, v->leader_epoch, metadata, v->commit_ts, v->expire_ts};
    if (!group || !topic || !metadata ||
        !group_txn_pending_add(r->coord, r->batch->producer_id, r->load_seq, group, &o))
        *err = KL_ERR_NOMEM;
    free(group);
    free(topic);
    free(metadata);
}

static void replay_offset(replay_t *r, const record_key_t *key, const kl_record_t *rec, kl_err_t *err)
{
    group_coordinator_t *c = r->coord;
    group_t *g = group_find(c, key->group);
    if (kl_batch_is_transactional(r->batch)) {
        record_offset_value_t v;
        if (rec->value && group_record_offset_value_decode(rec->value, rec->value_len, &v))
            replay_txn_offset(r, key, &v, err);
        return;
    }
    if (!rec->value) {
        if (g)
            group_offset_remove(g, key->topic, key->partition);
        return;
    }
    record_offset_value_t v;
    if (!group_record_offset_value_decode(rec->value, rec->value_len, &v))
        return; /* a value we cannot read is skipped, like an unknown record */
    if (!g && !(g = group_create(c, key->group))) {
        *err = KL_ERR_NOMEM;
        return;
    }
    char *topic = group_strdup(key->topic), *metadata = group_strdup(v.metadata);
    group_offset_t o = {topic, key->partition, v.offset, v.leader_epoch, metadata, v.commit_ts, v.expire_ts};
    if (!topic || !metadata || !group_offset_put(g, &o))
        *err = KL_ERR_NOMEM;
    else
        group_txn_pending_supersede(c, g->id, key->topic, key->partition);
    free(topic);
    free(metadata);
}

static void group_clear_members(group_t *g)
{
    while (g->members) {
        group_member_t *m = g->members;
        g->members = m->next;
        group_timer_stop(g->coord, &m->session);
        group_member_free(m);
    }
    g->member_count = g->awaiting_join_count = 0;
    g->leader = NULL;
    free(g->protocol_type);
    free(g->protocol_name);
    g->protocol_type = g->protocol_name = NULL;
}

static group_member_t *loaded_member(const record_group_value_t *v, const record_member_t *r)
{
    group_member_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    group_timer_init(&m->session, TIMER_SESSION, m);
    m->id = group_strdup(r->id);
    m->instance_id = r->instance_id.len >= 0 ? group_strdup(r->instance_id) : NULL;
    m->client_id = group_strdup(r->client_id);
    m->client_host = group_strdup(r->client_host);
    m->session_timeout_ms = r->session_timeout_ms;
    m->rebalance_timeout_ms = r->rebalance_timeout_ms < 0 ? r->session_timeout_ms : r->rebalance_timeout_ms;
    int32_t alen = r->assignment.len > 0 ? r->assignment.len : 0;
    m->assignment = malloc(alen ? (size_t)alen : 1);
    m->assignment_len = alen;
    /* The record keeps only the chosen protocol's metadata. */
    kl_join_group_request_protocol_t p = {v->protocol, r->subscription};
    kl_join_group_request_t req = {.protocols = {&p, v->protocol.len >= 0 ? 1 : 0}};
    if (!m->id || !m->client_id || !m->client_host || !m->assignment ||
        (r->instance_id.len >= 0 && !m->instance_id) || !group_member_set_protocols(m, &req)) {
        group_member_free(m);
        return NULL;
    }
    if (alen)
        memcpy(m->assignment, r->assignment.ptr, (size_t)alen);
    return m;
}

static kl_err_t replay_group_value(group_t *g, const record_group_value_t *v)
{
    group_clear_members(g);
    g->generation = v->generation;
    g->protocol_type = v->protocol_type.len > 0 ? group_strdup(v->protocol_type) : NULL;
    g->protocol_name = v->protocol.len >= 0 ? group_strdup(v->protocol) : NULL;
    g->state_ts = v->state_ts;
    for (int32_t i = 0; i < v->member_count; i++) {
        group_member_t *m = loaded_member(v, &v->members[i]);
        if (!m)
            return KL_ERR_NOMEM;
        group_add_member(g, m);
        if (group_str_is(v->leader, m->id))
            g->leader = m;
    }
    g->state = g->prev_state = g->members ? GROUP_STABLE : GROUP_EMPTY;
    return KL_ERR_NONE;
}

static void replay_group(group_coordinator_t *c, const record_key_t *key, const kl_record_t *rec, kl_err_t *err)
{
    group_t *g = group_find(c, key->group);
    if (!rec->value) {
        /* Deleted or expired: offsets written after it survive, in a
         * group that starts over. */
        if (g && g->offsets.count == 0) {
            group_destroy(g);
        } else if (g) {
            group_clear_members(g);
            g->state = g->prev_state = GROUP_EMPTY;
            g->generation = 0;
        }
        return;
    }
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    record_group_value_t v;
    if (group_record_group_value_decode(rec->value, rec->value_len, &v, &arena)) {
        if (!g && !(g = group_create(c, key->group)))
            *err = KL_ERR_NOMEM;
        else
            *err = replay_group_value(g, &v);
    }
    kl_arena_free(&arena);
}

static kl_err_t replay_record(replay_t *r, const kl_record_t *rec)
{
    record_key_t key;
    if (!rec->key || group_record_key_decode(rec->key, rec->key_len, &key) <= 0)
        return KL_ERR_NONE; /* not ours, or unreadable: skipped */
    kl_err_t err = KL_ERR_NONE;
    if (key.type == RECORD_KEY_OFFSET)
        replay_offset(r, &key, rec, &err);
    else if (!kl_batch_is_transactional(r->batch)) /* group records are never transactional */
        replay_group(r->coord, &key, rec, &err);
    return err;
}

/* A transaction marker: the producer's offsets read so far in this
 * partition become committed, or are dropped. */
static kl_err_t replay_marker(replay_t *r, const kl_batch_t *b)
{
    kl_err_t err = kl_record_iter_start(&r->records, b);
    kl_record_t rec;
    int16_t type;
    if (!err && (err = kl_record_iter_next(&r->records, &rec)) == KL_ERR_NONE &&
        kl_control_key_type(rec.key, rec.key_len, &type))
        group_txn_pending_end(r->coord, b->producer_id, -1, r->load_seq, type == KL_CONTROL_COMMIT);
    return err == KL_ERR_NOMEM ? err : KL_ERR_NONE;
}


static void report_skip(replay_t *r, int64_t offset, const char *why)
{
    if (r->load) {
        r->load->skipped++;
        if (r->load->skip)
            r->load->skip(r->load->opaque, offset, why);
    }
}

/* Whether every record of b decodes, so that a batch is replayed whole or
 * not at all (an offset commit is one batch). NULL, or why not. */
static const char *check_records(kl_record_iter_t *ri, const kl_batch_t *b)
{
    kl_err_t err = kl_record_iter_start(ri, b);
    kl_record_t rec;
    while (!err)
        err = kl_record_iter_next(ri, &rec);
    if (err == KL_ERR_NOENT)
        return NULL;
    return ri->why ? ri->why : kl_err_str(err);
}

static kl_err_t replay_batch(replay_t *r, const kl_batch_t *b)
{
    if (kl_batch_is_control(b))
        return kl_batch_is_transactional(b) ? replay_marker(r, b) : KL_ERR_NONE;
    const char *why = check_records(&r->records, b);
    if (why) {
        report_skip(r, b->base_offset, why);
        return KL_ERR_NONE;
    }
    kl_err_t err = kl_record_iter_start(&r->records, b);
    kl_record_t rec;
    r->batch = b;
    while (!err && (err = kl_record_iter_next(&r->records, &rec)) == KL_ERR_NONE)
        err = replay_record(r, &rec);
    r->batch = NULL; /* the caller's, gone after this */
    return err == KL_ERR_NOENT ? KL_ERR_NONE : err;
}

/* A damaged batch whose length still frames it: left out, and loading
 * goes on after it. Its offsets come from its unverified header: taken
 * only when they move forward within the log, else the next batch in the
 * range (if any) says where loading is. */
static void skip_damaged(replay_t *r, kl_batch_iter_t *it, int64_t *next)
{
    const char *why = it->why;
    kl_batch_t b;
    if (!kl_batch_iter_skip(it, &b))
        return;
    report_skip(r, b.base_offset, why);
    if (b.base_offset >= 0 && b.last_offset_delta >= 0 && b.base_offset < r->limit &&
        b.last_offset_delta < r->limit - b.base_offset && b.base_offset + b.last_offset_delta >= *next)
        *next = b.base_offset + b.last_offset_delta + 1;
}

/* Replays the whole batches of data; *next gets the offset after the last
 * one replayed or skipped. KL_ERR_NONE when the data ends (at a batch
 * boundary or in a partial batch), KL_ERR_CORRUPT_MESSAGE (why in
 * *why) where the next batch cannot be found, KL_ERR_NOMEM. */
static kl_err_t replay(replay_t *r, const void *data, size_t len, int64_t *next, const char **why)
{
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, data, len, 0);
    kl_batch_t b;
    kl_err_t err;
    for (;;) {
        err = kl_batch_iter_next(&it, &b);
        if (err == KL_ERR_NOENT)
            return KL_ERR_NONE;
        if (err == KL_ERR_NONE) {
            if (kl_batch_last_offset(&b) >= *next)
                *next = kl_batch_last_offset(&b) + 1;
            if ((err = replay_batch(r, &b)))
                return err;
            continue;
        }
        if (!it.damaged) {
            *why = it.why;
            return KL_ERR_CORRUPT_MESSAGE;
        }
        skip_damaged(r, &it, next);
    }
}

static void replay_init(replay_t *r, group_coordinator_t *c, group_load_t *load, int64_t limit)
{
    r->coord = c;
    r->load = load;
    r->limit = limit;
    if (++c->load_seq == 0) /* 0 means "not from a replay" */
        c->load_seq = 1;
    r->load_seq = c->load_seq;
    r->batch = NULL;
    kl_record_iter_init(&r->records, 0);
    if (load) {
        load->skipped = 0;
        load->stopped_at = -1;
        load->why = NULL;
    }
}

/* Ends a replay: where and why it stopped go to the caller's report. */
static kl_err_t replay_end(replay_t *r, kl_err_t err, int64_t stopped_at, const char *why)
{
    kl_record_iter_free(&r->records);
    if (err && r->load) {
        r->load->stopped_at = stopped_at;
        r->load->why = why;
    }
    return err;
}

kl_err_t group_coordinator_load(group_coordinator_t *c, const void *data, size_t len, group_load_t *load)
{
    replay_t r;
    replay_init(&r, c, load, INT64_MAX);
    int64_t next = 0;
    const char *why = NULL;
    group_coord_enter(c);
    kl_err_t err = replay(&r, data, len, &next, &why);
    group_coord_leave(c);
    return replay_end(&r, err, next, why);
}

/* Copies a range's bytes into *bufp (grown as needed) and releases the
 * range, which holds its segment file open until then. */
static kl_err_t read_range(kl_log_range_t *range, uint8_t **bufp, size_t *capp)
{
    kl_err_t err = KL_ERR_NONE;
    if (range->length > *capp) {
        uint8_t *grown = realloc(*bufp, range->length);
        if (grown) {
            *bufp = grown;
            *capp = range->length;
        } else {
            err = KL_ERR_NOMEM;
        }
    }
    if (!err && kl_pread_full(range->fd, *bufp, range->length, range->position) != (ssize_t)range->length)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    kl_log_range_release(range);
    return err;
}

/* Replays the log from offset to end, range by range. */
static kl_err_t replay_log(replay_t *r, kl_log_t *log, int64_t *offset, int64_t end, const char **why)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    kl_err_t err = KL_ERR_NONE;
    while (!err && *offset < end) {
        kl_log_range_t range;
        if ((err = kl_log_read(log, *offset, 1 << 20, &range))) {
            *why = "the log cannot be read there";
            break;
        }
        size_t len = range.length;
        if (len == 0) {
            kl_log_range_release(&range);
            *why = "no batch holds that offset";
            err = KL_ERR_CORRUPT_MESSAGE;
            break;
        }
        if ((err = read_range(&range, &buf, &cap))) {
            *why = "the log cannot be read there";
            break;
        }
        int64_t next = *offset;
        err = replay(r, buf, len, &next, why);
        if (!err && next <= *offset) {
            *why = "no whole batch starts there";
            err = KL_ERR_CORRUPT_MESSAGE;
        }
        if (!err)
            *offset = next;
    }
    free(buf);
    return err;
}

kl_err_t group_coordinator_load_log(group_coordinator_t *c, kl_log_t *log, group_load_t *load)
{
    int64_t offset = kl_log_start_offset(log), end = kl_log_end_offset(log);
    replay_t r;
    replay_init(&r, c, load, end);
    const char *why = NULL;
    group_coord_enter(c);
    kl_err_t err = replay_log(&r, log, &offset, end, &why);
    group_coord_leave(c);
    return replay_end(&r, err, offset, why);
}

void group_coordinator_loaded(group_coordinator_t *c)
{
    group_coord_enter(c);
    size_t n;
    void **groups = group_map_values(&c->groups, &n);
    for (size_t i = 0; i < n; i++) {
        group_t *g = groups[i];
        for (group_member_t *m = g->members; m; m = m->next)
            group_member_reschedule(g, m, m->session_timeout_ms);
    }
    free(groups);
    group_timer_arm(c, &c->retention, c->config.retention_check_ms);
    group_coord_leave(c);
}
