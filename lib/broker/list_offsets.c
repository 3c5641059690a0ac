/* ListOffsets: the earliest (-2) and latest (-1) offsets of a partition,
 * and the first offset whose timestamp is at or after a given time. The
 * partition log keeps no time index yet, so a time lookup scans batch
 * headers from the log start (skipping every batch whose max timestamp is
 * earlier) and decodes only the batch that holds the answer. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_fetch.h"
#include "record/batch.h"

#define SCAN_CHUNK (1u << 20)

#define LATEST_TIMESTAMP (-1)
#define EARLIEST_TIMESTAMP (-2)

typedef struct scan_buf {
    uint8_t *data;
    size_t cap;
} scan_buf_t;

static kl_err_t read_range(const kl_log_range_t *r, scan_buf_t *buf)
{
    if (r->length > buf->cap) {
        uint8_t *grown = realloc(buf->data, r->length);
        if (!grown)
            return KL_ERR_NOMEM;
        buf->data = grown;
        buf->cap = r->length;
    }
    size_t done = 0;
    while (done < r->length) {
        ssize_t n = pread(r->fd, buf->data + done, r->length - done, (off_t)(r->position + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        done += (size_t)n;
    }
    return KL_ERR_NONE;
}

/* The first record at or past ts in batch; false when none is. */
static bool find_in_batch(kl_record_iter_t *ri, const kl_batch_t *b, int64_t ts, int64_t *offset, int64_t *found_ts)
{
    if (kl_record_iter_start(ri, b) != KL_ERR_NONE)
        return false;
    kl_record_t rec;
    while (kl_record_iter_next(ri, &rec) == KL_ERR_NONE)
        if (rec.timestamp >= ts) {
            *offset = rec.offset;
            *found_ts = rec.timestamp;
            return true;
        }
    return false;
}

/* *offset and *found_ts stay -1 when no record is that recent. */
static kl_err_t offset_for_time(kl_log_t *log, int64_t ts, int64_t *offset, int64_t *found_ts)
{
    *offset = *found_ts = -1;
    int64_t pos = kl_log_start_offset(log), end = kl_log_high_watermark(log);
    scan_buf_t buf = {NULL, 0};
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    kl_err_t err = KL_ERR_NONE;
    bool found = false;
    while (!err && !found && pos < end) {
        kl_log_range_t r;
        err = kl_log_read(log, pos, SCAN_CHUNK, &r);
        if (!err && r.length == 0)
            break;
        if (!err)
            err = read_range(&r, &buf);
        kl_batch_iter_t bi;
        kl_batch_iter_init(&bi, buf.data, err ? 0 : r.length, KL_BATCH_SKIP_CRC);
        kl_batch_t b;
        int64_t before = pos;
        while (!err && !found && kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
            if (kl_batch_last_offset(&b) < pos)
                continue;
            if (b.max_timestamp >= ts)
                found = find_in_batch(&ri, &b, ts, offset, found_ts);
            pos = kl_batch_last_offset(&b) + 1;
        }
        if (!err && pos == before)
            err = KL_ERR_CORRUPT_MESSAGE; /* no progress: never loop forever */
    }
    kl_record_iter_free(&ri);
    free(buf.data);
    return err;
}

typedef kl_list_offsets_response_partition_t listed_t;

static void list_partition(broker_request_t *req, const broker_topic_t *t,
                           const kl_list_offsets_request_partition_t *p, listed_t *r)
{
    int16_t v = req->hdr.api_version;
    *r = (listed_t){.partition_index = p->partition_index, .timestamp = -1, .offset = -1, .leader_epoch = -1};
    if (!t || p->partition_index < 0 || p->partition_index >= t->partition_count) {
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    kl_log_t *log = t->logs[p->partition_index];
    kl_err_t err = KL_ERR_NONE;
    if (p->timestamp == LATEST_TIMESTAMP)
        r->offset = kl_log_high_watermark(log); /* also the last stable offset */
    else if (p->timestamp == EARLIEST_TIMESTAMP)
        r->offset = kl_log_start_offset(log);
    else
        err = offset_for_time(log, p->timestamp, &r->offset, &r->timestamp);
    if (err) {
        broker_log(req->broker, BROKER_LOG_WARN, "ListOffsets on %s-%d: %s", t->name, (int)p->partition_index,
                   kl_err_str(err));
        r->error_code = err < 0 ? KL_ERR_KAFKA_STORAGE_ERROR : (int16_t)err;
        r->offset = -1;
        return;
    }
    if (r->offset >= 0)
        r->leader_epoch = 0;
    if (v == 0) {
        /* v0 answers a list; a time with no record after it lists none */
        int64_t *one = broker_alloc(req, 1, sizeof *one);
        r->old_style_offsets.items = one;
        r->old_style_offsets.count = one && r->offset >= 0 && p->max_num_offsets > 0 ? 1 : 0;
        if (one)
            *one = r->offset;
    }
}

broker_req_status_t handle_list_offsets(broker_request_t *req)
{
    const kl_list_offsets_request_t *body = req->body;
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    kl_list_offsets_response_t resp;
    kl_proto_init(&kl_list_offsets_response_schema, &resp);
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_list_offsets_request_topic_t *lt = &body->topics.items[i];
        kl_list_offsets_response_topic_t *rt = &resp.topics.items[i];
        const broker_topic_t *t = topics_find(&req->broker->topics, lt->name);
        int32_t np = lt->partitions.count > 0 ? lt->partitions.count : 0;
        rt->name = lt->name;
        rt->partitions.items = broker_alloc(req, (size_t)np, sizeof *rt->partitions.items);
        if (!rt->partitions.items)
            return BROKER_REQ_CLOSE;
        rt->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            list_partition(req, t, &lt->partitions.items[k], &rt->partitions.items[k]);
    }
    return broker_respond(req, &resp);
}
