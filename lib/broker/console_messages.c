/* The HTTP console's message browser: GET /api/v1/topics/<topic>/
 * partitions/<p>/messages reads a partition from an offset, or from the
 * first record at or after a timestamp (ListOffsets' rule), up to the high
 * watermark, as a consumer would see it: at most count records and about
 * max_bytes of keys, values and headers (the first record always whole,
 * as Fetch gives it), control records left out. Keys, values and header
 * values are shown as text when they are UTF-8 and format=text (the
 * default), else as hex. On the broker loop, reading the log directly
 * (bounded, as the group coordinator's loading does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/console.h"
#include "broker/server.h"
#include "record/batch.h"
#include "storage/file.h"

#define DEFAULT_COUNT 20
#define MAX_COUNT 1000
#define DEFAULT_BYTES (1 << 20)
#define MAX_BYTES (16 << 20)

typedef struct browse {
    kl_buf_t *out;
    bool hex;
    int64_t next;  /* the next offset to show */
    int64_t hw;
    int64_t count; /* records still wanted */
    int64_t bytes; /* bytes still wanted */
    size_t shown;
    bool full;     /* count or bytes reached */
} browse_t;

static bool utf8_valid(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint8_t c = p[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!n || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4) || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        if ((n == 3 && c == 0xe0 && p[i + 1] < 0xa0) || (n == 3 && c == 0xed && p[i + 1] >= 0xa0) ||
            (n == 4 && c == 0xf0 && p[i + 1] < 0x90) || (n == 4 && c == 0xf4 && p[i + 1] >= 0x90))
            return false; /* overlong, surrogate, past U+10FFFF */
        i += n;
    }
    return true;
}

/* "name":..., "name_encoding":"text"|"hex" (or "name":null). */
static void bytes_json(browse_t *br, const char *name, const uint8_t *p, size_t len, bool null)
{
    console_printf(br->out, "\"%s\":", name);
    if (null) {
        kl_buf_put(br->out, "null", 4);
        return;
    }
    bool text = !br->hex && utf8_valid(p, len);
    if (text)
        console_json_mem(br->out, p, len);
    else {
        kl_buf_put(br->out, "\"", 1);
        for (size_t i = 0; i < len; i++)
            console_printf(br->out, "%02x", p[i]);
        kl_buf_put(br->out, "\"", 1);
    }
    console_printf(br->out, ",\"%s_encoding\":\"%s\"", name, text ? "text" : "hex");
}

static size_t record_bytes(const kl_record_t *rec)
{
    return rec->key_len + rec->value_len + rec->headers_size;
}

static void record_json(browse_t *br, const kl_record_t *rec, bool log_append_time)
{
    console_printf(br->out, "%s{\"offset\":%lld,\"timestamp\":%lld,\"timestamp_type\":\"%s\",", br->shown ? "," : "",
                   (long long)rec->offset, (long long)rec->timestamp,
                   log_append_time ? "LogAppendTime" : "CreateTime");
    bytes_json(br, "key", rec->key, rec->key_len, rec->key == NULL);
    kl_buf_put(br->out, ",", 1);
    bytes_json(br, "value", rec->value, rec->value_len, rec->value == NULL);
    kl_buf_put(br->out, ",\"headers\":[", 12);
    kl_header_iter_t hi;
    kl_record_header_t h;
    kl_header_iter_init(&hi, rec);
    for (bool first = true; kl_header_iter_next(&hi, &h); first = false) {
        kl_buf_put(br->out, first ? "{" : ",{", first ? 1 : 2);
        bytes_json(br, "key", h.key, h.key_len, false);
        kl_buf_put(br->out, ",", 1);
        bytes_json(br, "value", h.value, h.value_len, h.value == NULL);
        kl_buf_put(br->out, "}", 1);
    }
    kl_buf_put(br->out, "]}", 2);
}

/* The records of the batches in data; KL_ERR_* for data that does not
 * decode. */
static kl_err_t browse_batches(browse_t *br, const uint8_t *data, size_t len, kl_record_iter_t *ri)
{
    kl_batch_iter_t bi;
    kl_batch_t batch;
    kl_err_t err;
    kl_batch_iter_init(&bi, data, len, KL_BATCH_SKIP_CRC);
    while (!br->full && (err = kl_batch_iter_next(&bi, &batch)) == KL_ERR_NONE) {
        int64_t last = kl_batch_last_offset(&batch);
        if (last < br->next)
            continue;
        if (!kl_batch_is_control(&batch)) {
            kl_record_t rec;
            if ((err = kl_record_iter_start(ri, &batch)) != KL_ERR_NONE)
                return err;
            while (!br->full && (err = kl_record_iter_next(ri, &rec)) == KL_ERR_NONE) {
                if (rec.offset < br->next)
                    continue;
                if (rec.offset >= br->hw || (br->shown && (int64_t)record_bytes(&rec) > br->bytes)) {
                    br->full = true;
                    break;
                }
                record_json(br, &rec, kl_batch_is_log_append_time(&batch));
                br->shown++;
                br->next = rec.offset + 1;
                br->bytes -= (int64_t)record_bytes(&rec);
                br->full = --br->count == 0 || br->bytes <= 0;
            }
            if (err != KL_ERR_NONE && err != KL_ERR_NOENT)
                return err;
        }
        if (!br->full)
            br->next = last + 1;
    }
    return br->full || err == KL_ERR_NOENT ? KL_ERR_NONE : err;
}

/* Reads from br->next on; false with the page's error. */
static bool browse_log(browse_t *br, kl_log_t *log, console_page_t *page, const char *what)
{
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    bool ok = true;
    while (ok && !br->full && br->next < br->hw) {
        kl_log_range_t range;
        size_t want = (size_t)br->bytes + 65536;
        kl_err_t err = kl_log_read(log, br->next, want, &range);
        if (err) {
            console_error(page, 500, "cannot read %s at offset %lld: %s", what, (long long)br->next,
                          kl_err_str(err));
            ok = false;
            break;
        }
        if (range.length == 0) { /* nothing more below the high watermark */
            kl_log_range_release(&range);
            break;
        }
        uint8_t *data = malloc(range.length);
        bool read = data && kl_pread_full(range.fd, data, range.length, range.position) ==
                                (ssize_t)range.length;
        kl_log_range_release(&range);
        int64_t before = br->next;
        err = read ? browse_batches(br, data, range.length, &ri) : KL_ERR_KAFKA_STORAGE_ERROR;
        free(data);
        if (err) {
            console_error(page, 500, "cannot read %s at offset %lld: %s", what, (long long)br->next,
                          kl_err_str(err));
            ok = false;
        } else if (br->next == before && !br->full)
            break; /* nothing more to read below the high watermark */
    }
    kl_record_iter_free(&ri);
    return ok;
}

void console_messages(kl_broker_t *b, const broker_topic_t *t, int32_t p, const console_arg_t *args, size_t n,
                      console_page_t *page)
{
    static const char *const allowed[] = {"offset", "timestamp", "count", "max_bytes", "format", NULL};
    int64_t offset = -1, timestamp = -1, count = DEFAULT_COUNT, max_bytes = DEFAULT_BYTES;
    const char *format = console_arg(args, n, "format");
    if (!console_args_known(page, args, n, allowed) || !console_arg_int(page, args, n, "offset", 0, INT64_MAX, &offset) ||
        !console_arg_int(page, args, n, "timestamp", 0, INT64_MAX, &timestamp) ||
        !console_arg_int(page, args, n, "count", 1, MAX_COUNT, &count) ||
        !console_arg_int(page, args, n, "max_bytes", 1, MAX_BYTES, &max_bytes))
        return;
    if (format && strcmp(format, "text") && strcmp(format, "hex"))
        return console_error(page, 400, "format must be text or hex, not \"%s\"", format);
    if (offset >= 0 && timestamp >= 0)
        return console_error(page, 400, "give offset or timestamp, not both");
    kl_log_t *log = t->logs[p];
    char what[300];
    snprintf(what, sizeof what, "%s-%d", t->name, (int)p);
    if (!log)
        return console_error(page, 503, "partition %s is offline", what);
    int64_t start = kl_log_start_offset(log), hw = kl_log_high_watermark(log);
    if (timestamp >= 0) {
        int64_t found;
        kl_err_t err = kl_log_find_offset_by_timestamp(log, timestamp, &offset, &found);
        if (err == KL_ERR_NOENT)
            offset = hw;
        else if (err)
            return console_error(page, 500, "cannot search %s by time: %s", what, kl_err_str(err));
    } else if (offset < 0)
        offset = start;
    else if (offset < start || offset > hw)
        return console_error(page, 400, "offset %lld is outside %s's offsets %lld to %lld", (long long)offset, what,
                             (long long)start, (long long)hw);
    browse_t br = {.out = &page->body, .hex = format && !strcmp(format, "hex"), .next = offset < start ? start : offset,
                   .hw = hw, .count = count, .bytes = max_bytes};
    kl_buf_put(&page->body, "{\"topic\":", 9);
    console_json_str(&page->body, t->name);
    console_printf(&page->body, ",\"partition\":%d,\"log_start_offset\":%lld,\"high_watermark\":%lld,\"messages\":[",
                   (int)p, (long long)start, (long long)hw);
    if (!browse_log(&br, log, page, what))
        return;
    console_printf(&page->body, "],\"next_offset\":%lld}\n", (long long)br.next);
}
