/* Fetch: answers byte ranges of the partition logs, within the
 * per-partition and total limits (the first batch found is always whole,
 * even past a limit, so a large batch cannot block a consumer). A fetch
 * that finds fewer than min_bytes parks until an append brings enough
 * (fetch_wake) or max_wait_ms passes, unless the client has earlier
 * answers still unread. An answer fits the room left under the
 * connection's output bound. Fetch sessions are not kept: every
 * answer carries session id 0, which tells clients to send full fetches.
 * read_committed fetches (isolation level 1) stop at the last stable
 * offset and carry the aborted transactions in what they return; every
 * answer gives the last stable offset. What an answer carries is counted
 * in its topic's bytes_out and messages_out (/metrics). */
#include <stdlib.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_fetch.h"
#include "record/batch.h"
#include "storage/file.h"

/* Kafka's broker-side fetch.max.bytes default: a client asking for more
 * (up to 2 GiB) still gets at most this much per response. */
#define FETCH_MAX_BYTES (55u << 20)

struct broker_fetch {
    broker_parked_t parked;      /* on its connection */
    broker_fetch_t *prev, *next; /* in broker->parked */
    broker_request_t *req;
    kl_timer_t timer;
    int64_t deadline_ms;
    size_t bytes; /* bytes known to be waiting for it */
};

/* What one build of the answer found: the response and the log ranges to
 * copy into it, partition by partition in request order. */
typedef struct fetch_plan {
    kl_fetch_response_t resp;
    kl_log_range_t *ranges; /* one per response partition, in order */
    broker_topic_t **owners; /* each range's topic, or NULL */
    size_t range_count;
    size_t total;  /* bytes of records */
    bool errors;   /* some partition has an error: answer at once */
} fetch_plan_t;

/* What the connection's output may still take before its bound
 * (CONN_OUT_HIGH_WATER): an answer is cut to it (but for its first batch,
 * always whole), so a client that does not read its answers holds at most
 * about that much of the broker's memory, whatever max_bytes it asks. */
static size_t output_room(const broker_conn_t *c)
{
    size_t used = conn_out_queued(c) + c->resp.len;
    return used < CONN_OUT_HIGH_WATER ? CONN_OUT_HIGH_WATER - used : 0;
}

static broker_topic_t *find_topic(broker_request_t *req, const kl_fetch_request_topic_t *ft)
{
    if (req->hdr.api_version >= 13)
        return topics_find_id(&req->broker->topics, &ft->topic_id);
    return topics_find(&req->broker->topics, ft->topic);
}

typedef struct aborted_ctx {
    kl_fetch_response_partition_t *rp;
    int32_t cap;
} aborted_ctx_t;

static int put_aborted(void *opaque, const kl_aborted_txn_t *e)
{
    aborted_ctx_t *ctx = opaque;
    if (ctx->rp->aborted_transactions.count < ctx->cap)
        ctx->rp->aborted_transactions.items[ctx->rp->aborted_transactions.count++] =
            (kl_fetch_response_aborted_transaction_t){e->producer_id, e->first_offset};
    return 0;
}

static int count_aborted(void *opaque, const kl_aborted_txn_t *e)
{
    (void)opaque, (void)e;
    return 0;
}

/* The aborted transactions a read_committed reader of [from, upper) must
 * drop. False when out of memory. */
static bool add_aborted(broker_request_t *req, const producer_state_t *producers, int64_t from, int64_t upper,
                        kl_fetch_response_partition_t *rp)
{
    size_t n = kl_txn_index_collect(&producers->aborted, from, upper, count_aborted, NULL);
    rp->aborted_transactions.count = 0;
    if (n == 0 || n > INT32_MAX)
        return n == 0;
    rp->aborted_transactions.items = broker_alloc(req, n, sizeof *rp->aborted_transactions.items);
    if (!rp->aborted_transactions.items)
        return false;
    aborted_ctx_t ctx = {rp, (int32_t)n};
    kl_txn_index_collect(&producers->aborted, from, upper, put_aborted, &ctx);
    return true;
}

typedef struct fetch_budget {
    size_t left;     /* of the request's max_bytes */
    bool first_data; /* no partition has data yet: a batch may exceed the limits */
} fetch_budget_t;

/* Fills one response partition and its range. */
static void plan_partition(broker_request_t *req, const broker_topic_t *t, int16_t topic_error,
                           const kl_fetch_request_partition_t *fp, fetch_budget_t *budget,
                           kl_fetch_response_partition_t *rp, kl_log_range_t *range)
{
    *rp = (kl_fetch_response_partition_t){.partition_index = fp->partition, .high_watermark = -1,
                                          .last_stable_offset = -1, .log_start_offset = -1,
                                          .preferred_read_replica = -1};
    rp->diverging_epoch = (kl_fetch_response_epoch_end_offset_t){-1, -1};
    rp->current_leader = (kl_fetch_response_leader_id_and_epoch_t){-1, -1};
    rp->snapshot_id = (kl_fetch_response_snapshot_id_t){-1, -1};
    rp->records = kl_bytes("", 0); /* never null: librdkafka rejects null records */
    *range = (kl_log_range_t){.fd = -1};
    if (!t || fp->partition < 0 || fp->partition >= t->partition_count) {
        rp->error_code = t ? KL_ERR_UNKNOWN_TOPIC_OR_PARTITION : topic_error;
        return;
    }
    if (fp->current_leader_epoch > 0) {
        rp->error_code = KL_ERR_UNKNOWN_LEADER_EPOCH;
        return;
    }
    kl_log_t *log = t->logs[fp->partition];
    if (!log) { /* offline */
        rp->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
        return;
    }
    const producer_state_t *producers = &t->producers[fp->partition];
    const kl_fetch_request_t *body = req->body;
    bool read_committed = body->isolation_level == 1;
    rp->high_watermark = kl_log_high_watermark(log);
    rp->last_stable_offset = partition_txn_lso(producers, rp->high_watermark);
    rp->log_start_offset = kl_log_start_offset(log);
    if (read_committed)
        rp->aborted_transactions.count = -1; /* null until there is data */
    size_t limit = fp->partition_max_bytes > 0 ? (size_t)fp->partition_max_bytes : 0;
    if (limit > budget->left)
        limit = budget->left;
    if (limit == 0 && !budget->first_data)
        return;
    if (fp->fetch_offset < rp->log_start_offset || fp->fetch_offset > rp->high_watermark) {
        rp->error_code = KL_ERR_OFFSET_OUT_OF_RANGE;
        return;
    }
    int64_t end = read_committed ? rp->last_stable_offset : INT64_MAX;
    kl_err_t err = kl_log_read_until(log, fp->fetch_offset, limit, end, range);
    if (err) {
        rp->error_code = broker_wire_error(err, KL_ERR_KAFKA_STORAGE_ERROR);
        *range = (kl_log_range_t){.fd = -1};
        return;
    }
    if (range->length > limit && !budget->first_data) {
        range->length = 0; /* only the first data may exceed a limit */
        return;
    }
    if (range->length > 0)
        budget->first_data = false;
    if (read_committed && range->length > 0 && !add_aborted(req, producers, fp->fetch_offset, end, rp))
        rp->error_code = KL_ERR_UNKNOWN_SERVER_ERROR; /* out of memory */
    budget->left -= range->length < budget->left ? range->length : budget->left;
}

static int16_t session_error(const kl_fetch_request_t *body, int16_t version)
{
    if (version < 7)
        return 0;
    if (body->session_id != 0)
        return KL_ERR_FETCH_SESSION_ID_NOT_FOUND;
    if (body->session_epoch > 0)
        return KL_ERR_INVALID_FETCH_SESSION_EPOCH;
    return 0;
}

/* Builds the answer's skeleton: errors, watermarks and ranges. False when
 * out of memory. */
static bool fetch_plan(broker_request_t *req, fetch_plan_t *plan)
{
    const kl_fetch_request_t *body = req->body;
    int16_t v = req->hdr.api_version;
    memset(plan, 0, sizeof *plan);
    kl_proto_init(&kl_fetch_response_schema, &plan->resp);
    plan->resp.error_code = session_error(body, v);
    if (plan->resp.error_code) {
        plan->errors = true;
        return true;
    }
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    size_t nparts = 0;
    for (int32_t i = 0; i < nt; i++)
        nparts += body->topics.items[i].partitions.count > 0 ? (size_t)body->topics.items[i].partitions.count : 0;
    plan->resp.responses.items = broker_alloc(req, (size_t)nt, sizeof *plan->resp.responses.items);
    plan->ranges = broker_alloc(req, nparts, sizeof *plan->ranges);
    plan->owners = broker_alloc(req, nparts, sizeof *plan->owners);
    if (!plan->resp.responses.items || !plan->ranges || !plan->owners)
        return false;
    plan->resp.responses.count = nt;
    size_t max_bytes = body->max_bytes > 0 ? (size_t)body->max_bytes : 0;
    size_t room = output_room(req->conn);
    if (max_bytes > FETCH_MAX_BYTES)
        max_bytes = FETCH_MAX_BYTES;
    fetch_budget_t budget = {max_bytes < room ? max_bytes : room, true};
    int16_t topic_error = v >= 13 ? KL_ERR_UNKNOWN_TOPIC_ID : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    for (int32_t i = 0; i < nt; i++) {
        const kl_fetch_request_topic_t *ft = &body->topics.items[i];
        kl_fetch_response_topic_t *rt = &plan->resp.responses.items[i];
        broker_topic_t *t = find_topic(req, ft);
        int32_t np = ft->partitions.count > 0 ? ft->partitions.count : 0;
        rt->topic = ft->topic;
        rt->topic_id = ft->topic_id;
        rt->partitions.items = broker_alloc(req, (size_t)np, sizeof *rt->partitions.items);
        if (!rt->partitions.items)
            return false;
        rt->partitions.count = np;
        for (int32_t k = 0; k < np; k++) {
            plan->owners[plan->range_count] = t;
            kl_log_range_t *range = &plan->ranges[plan->range_count++];
            plan_partition(req, t, topic_error, &ft->partitions.items[k], &budget, &rt->partitions.items[k], range);
            plan->errors |= rt->partitions.items[k].error_code != 0;
            plan->total += range->length;
        }
    }
    return true;
}

/* Lets go of every range the plan holds (each holds its segment file). */
static void fetch_plan_release(fetch_plan_t *plan)
{
    for (size_t r = 0; r < plan->range_count; r++)
        kl_log_range_release(&plan->ranges[r]);
}

/* Counts what one range put into an answer: its bytes, and the records
 * of its batches but for control batches (transaction markers), as the
 * produce side counts records. Only the batch headers are read. */
static void count_out(broker_topic_t *t, const uint8_t *data, size_t length)
{
    if (!t)
        return;
    t->bytes_out += length;
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, data, length, KL_BATCH_SKIP_CRC);
    kl_batch_t batch;
    while (kl_batch_iter_next(&it, &batch) == KL_ERR_NONE)
        if (!kl_batch_is_control(&batch) && batch.record_count > 0)
            t->messages_out += (uint64_t)batch.record_count;
}

/* Encodes the answer with a hole for each range's records and preads the
 * ranges straight into the connection's output (the records are copied
 * once, from the page cache), then releases them. A read that fails once
 * the answer is encoded cannot be reported in it: the connection closes
 * and the client fetches again. */
static broker_req_status_t fetch_answer(broker_request_t *req, fetch_plan_t *plan)
{
    size_t *offsets = broker_alloc(req, plan->range_count, sizeof *offsets);
    kl_proto_holes_t holes = {offsets, 0, offsets ? plan->range_count : 0};
    size_t r = 0;
    for (int32_t i = 0; i < plan->resp.responses.count; i++) {
        kl_fetch_response_topic_t *rt = &plan->resp.responses.items[i];
        for (int32_t k = 0; k < rt->partitions.count; k++, r++)
            if (plan->ranges[r].length > 0)
                rt->partitions.items[k].records = (kl_bytes_t){NULL, (int32_t)plan->ranges[r].length};
    }
    broker_req_status_t st = broker_respond_holes(req, req->hdr.api_version, &plan->resp, &holes);
    size_t hole = 0;
    kl_buf_t *out = &req->conn->resp;
    for (r = 0; st != BROKER_REQ_CLOSE && r < plan->range_count; r++) {
        const kl_log_range_t *range = &plan->ranges[r];
        if (range->length == 0)
            continue;
        uint8_t *at = hole < holes.count ? out->data + holes.offsets[hole++] : NULL;
        if (!at || kl_pread_full(range->fd, at, range->length, range->position) != (ssize_t)range->length) {
            broker_log(req->broker, BROKER_LOG_ERR, "%s: cannot read %zu bytes of a segment file for a fetch",
                       req->conn->peer, range->length);
            st = BROKER_REQ_CLOSE;
        } else {
            count_out(plan->owners[r], at, range->length);
        }
    }
    fetch_plan_release(plan);
    return st;
}

/* ------------------------------------------------------------- parking */

static void park_remove(broker_fetch_t *f)
{
    kl_broker_t *b = f->req->broker;
    if (f->prev)
        f->prev->next = f->next;
    else
        b->parked = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
    kl_timer_stop(b->loop, &f->timer);
}

/* Its connection closes: forget it. */
static void fetch_cancel(broker_conn_t *conn, broker_parked_t *parked)
{
    (void)conn;
    park_remove((broker_fetch_t *)parked);
}

static void on_fetch_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    broker_fetch_t *f = timer->opaque;
    broker_request_t *req = f->req;
    const kl_fetch_request_t *body = req->body;
    fetch_plan_t plan;
    bool ok = fetch_plan(req, &plan);
    int64_t left = f->deadline_ms - kl_clock_ms();
    if (ok && !plan.errors && plan.total < (size_t)body->min_bytes && left > 0) {
        /* woken early (a guess counted bytes the limits then cut): wait on */
        f->bytes = plan.total;
        fetch_plan_release(&plan);
        kl_timer_start(loop, &f->timer, left);
        return;
    }
    park_remove(f);
    if (!ok)
        fetch_plan_release(&plan);
    broker_req_status_t st = ok ? fetch_answer(req, &plan) : BROKER_REQ_CLOSE;
    conn_resume(req->conn, st != BROKER_REQ_CLOSE);
}

static bool fetch_wants(const broker_fetch_t *f, const broker_topic_t *t, int32_t partition)
{
    const kl_fetch_request_t *body = f->req->body;
    bool by_id = f->req->hdr.api_version >= 13;
    for (int32_t i = 0; i < body->topics.count; i++) {
        const kl_fetch_request_topic_t *ft = &body->topics.items[i];
        bool same = by_id ? !memcmp(ft->topic_id.b, t->id.b, sizeof t->id.b) : kl_str_eq(ft->topic, t->name);
        for (int32_t k = 0; same && k < ft->partitions.count; k++)
            if (ft->partitions.items[k].partition == partition)
                return true;
    }
    return false;
}

void fetch_wake(kl_broker_t *b, const broker_topic_t *t, int32_t partition, size_t bytes)
{
    for (broker_fetch_t *f = b->parked; f; f = f->next) {
        const kl_fetch_request_t *body = f->req->body;
        if (f->bytes >= (size_t)body->min_bytes || !fetch_wants(f, t, partition))
            continue;
        f->bytes += bytes;
        if (f->bytes >= (size_t)body->min_bytes)
            kl_timer_start(b->loop, &f->timer, 0); /* answered after this round's I/O */
    }
}

static broker_req_status_t fetch_park(broker_request_t *req, size_t bytes)
{
    const kl_fetch_request_t *body = req->body;
    kl_broker_t *b = req->broker;
    broker_fetch_t *f = broker_alloc(req, 1, sizeof *f);
    if (!f)
        return BROKER_REQ_CLOSE;
    f->parked.cancel = fetch_cancel;
    f->req = req;
    f->bytes = bytes;
    f->deadline_ms = kl_clock_ms() + body->max_wait_ms;
    kl_timer_init(&f->timer, on_fetch_timer, f);
    kl_timer_start(b->loop, &f->timer, body->max_wait_ms);
    f->next = b->parked;
    if (b->parked)
        b->parked->prev = f;
    b->parked = f;
    conn_park(req->conn, &f->parked);
    return BROKER_REQ_PARKED;
}

broker_req_status_t handle_fetch(broker_request_t *req)
{
    const kl_fetch_request_t *body = req->body;
    fetch_plan_t plan;
    if (!fetch_plan(req, &plan)) {
        fetch_plan_release(&plan);
        return BROKER_REQ_CLOSE;
    }
    /* A client still to read earlier answers gets this one at once: no
     * waiting for data on behalf of a connection that is not reading. */
    bool enough = plan.errors || plan.total >= (size_t)(body->min_bytes > 0 ? body->min_bytes : 0) ||
                  body->max_wait_ms <= 0 || plan.range_count == 0 || conn_out_queued(req->conn) > 0;
    if (enough)
        return fetch_answer(req, &plan);
    fetch_plan_release(&plan);
    return fetch_park(req, plan.total);
}
