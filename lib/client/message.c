/* kl_message_t accessors shared by delivery reports and consumed messages,
 * kl_message_destroy() and the reference-counted buffers consumed messages
 * point into, and kl_headers_t: the lists kl_produce_headers() takes and
 * the headers kl_message_headers() decodes from a record. */
#include <stdlib.h>
#include <string.h>

#include "client/message_impl.h"

/* ---- accessors ------------------------------------------------------------------ */

const char *kl_message_topic(const kl_message_t *m) { return m->topic; }
int32_t kl_message_partition(const kl_message_t *m) { return m->partition; }
int64_t kl_message_offset(const kl_message_t *m) { return m->offset; }
kl_err_t kl_message_error(const kl_message_t *m) { return m->err; }
void *kl_message_opaque(const kl_message_t *m) { return m->opaque; }
kl_msg_status_t kl_message_status(const kl_message_t *m) { return m->status; }
int32_t kl_message_leader_epoch(const kl_message_t *m) { return m->leader_epoch; }

/* The message with its lazily decoded fields filled. A report is its
 * callback's own non-const object on the caller's stack, so filling it in
 * through the const pointer is sound. */
static const kl_message_t *decoded(const kl_message_t *m)
{
    if (m->decode) {
        kl_message_t *w = (kl_message_t *)m;
        void (*decode)(kl_message_t *) = w->decode;
        w->decode = NULL;
        decode(w);
    }
    return m;
}

const void *kl_message_key(const kl_message_t *m, size_t *lenp)
{
    m = decoded(m);
    if (lenp)
        *lenp = m->key_len;
    return m->key;
}

const void *kl_message_value(const kl_message_t *m, size_t *lenp)
{
    m = decoded(m);
    if (lenp)
        *lenp = m->value_len;
    return m->value;
}

int64_t kl_message_timestamp(const kl_message_t *m, kl_timestamp_type_t *typep)
{
    m = decoded(m);
    if (typep)
        *typep = m->tstype;
    return m->timestamp;
}

/* Decodes the record's headers into one block: the items, then each name
 * NUL-terminated. Values keep pointing into the record. */
static kl_headers_t *decode_headers(const kl_message_t *m)
{
    kl_record_t rec = {.header_count = m->hdr_count, .headers = m->hdr_data, .headers_size = m->hdr_size};
    kl_header_iter_t it;
    kl_record_header_t h;
    size_t names = 0, n = 0;
    kl_header_iter_init(&it, &rec);
    while (kl_header_iter_next(&it, &h)) {
        names += h.key_len + 1;
        n++;
    }
    kl_headers_t *list = calloc(1, sizeof *list);
    uint8_t *block = malloc(n * sizeof(kl_record_header_t) + names + 1);
    if (!list || !block) {
        free(list);
        free(block);
        return NULL;
    }
    list->block = block;
    list->items = (kl_record_header_t *)block;
    char *name = (char *)(block + n * sizeof(kl_record_header_t));
    kl_header_iter_init(&it, &rec);
    while (list->count < n && kl_header_iter_next(&it, &h)) {
        memcpy(name, h.key, h.key_len);
        name[h.key_len] = '\0';
        list->items[list->count++] = (kl_record_header_t){name, h.key_len, h.value, h.value_len};
        list->bytes += h.key_len + h.value_len;
        name += h.key_len + 1;
    }
    list->cap = list->count;
    return list;
}

const kl_headers_t *kl_message_headers(const kl_message_t *m)
{
    if (!m || m->hdr_count <= 0)
        return NULL;
    kl_message_t *mut = (kl_message_t *)m; /* a cache: the message is the application's */
    if (!mut->headers)
        mut->headers = decode_headers(m);
    return mut->headers;
}

void kl_message_destroy(kl_message_t *m)
{
    if (!m || (!m->buf && !m->standalone))
        return; /* not a consumed message (a delivery report is the library's) */
    kl_headers_destroy(m->headers);
    m->headers = NULL;
    if (m->buf)
        kl_msgbuf_release(m->buf, 1);
    else
        free(m);
}

kl_message_t *kl_message_new_error(const char *topic, int32_t partition, int64_t offset, kl_err_t err,
                                   const char *reason)
{
    size_t tlen = topic ? strlen(topic) + 1 : 0, rlen = reason ? strlen(reason) : 0;
    kl_message_t *m = calloc(1, sizeof *m + tlen + rlen + 1);
    if (!m)
        return NULL;
    char *text = (char *)(m + 1);
    if (topic) {
        memcpy(text, topic, tlen);
        m->topic = text;
        text += tlen;
    }
    if (reason) {
        memcpy(text, reason, rlen + 1);
        m->value = text;
        m->value_len = rlen;
    }
    m->partition = partition;
    m->offset = offset;
    m->err = err;
    m->timestamp = -1;
    m->leader_epoch = -1;
    m->standalone = true;
    return m;
}

/* ---- message buffers -------------------------------------------------------------- */

kl_msgbuf_t *kl_msgbuf_new(const char *topic, uint8_t *raw, size_t cap_msgs)
{
    kl_msgbuf_t *b = calloc(1, sizeof *b);
    char *name = strdup(topic);
    kl_message_t *msgs = cap_msgs ? malloc(cap_msgs * sizeof *msgs) : NULL;
    if (!b || !name || (cap_msgs && !msgs)) {
        free(b);
        free(name);
        free(msgs);
        free(raw);
        return NULL;
    }
    atomic_init(&b->refs, 1);
    b->topic = name;
    b->raw = raw;
    b->msgs = msgs;
    b->cap_msgs = cap_msgs;
    return b;
}

bool kl_msgbuf_adopt(kl_msgbuf_t *b, uint8_t *data)
{
    if (b->ninflated == b->cap_inflated) {
        size_t cap = b->cap_inflated ? b->cap_inflated * 2 : 4;
        uint8_t **arr = realloc(b->inflated, cap * sizeof *arr);
        if (!arr) {
            free(data);
            return false;
        }
        b->inflated = arr;
        b->cap_inflated = cap;
    }
    b->inflated[b->ninflated++] = data;
    return true;
}

bool kl_msgbuf_reserve(kl_msgbuf_t *b, size_t more)
{
    if (more <= b->cap_msgs - b->nmsgs)
        return true;
    if (more > SIZE_MAX / sizeof *b->msgs - b->nmsgs)
        return false;
    kl_message_t *msgs = realloc(b->msgs, (b->nmsgs + more) * sizeof *msgs);
    if (!msgs)
        return false;
    b->msgs = msgs;
    b->cap_msgs = b->nmsgs + more;
    return true;
}

kl_message_t *kl_msgbuf_next(kl_msgbuf_t *b)
{
    if (b->nmsgs == b->cap_msgs)
        return NULL;
    kl_message_t *m = &b->msgs[b->nmsgs++];
    memset(m, 0, sizeof *m);
    m->topic = b->topic;
    m->buf = b;
    return m;
}

void kl_msgbuf_ref(kl_msgbuf_t *b, size_t n) { atomic_fetch_add(&b->refs, n); }

void kl_msgbuf_release(kl_msgbuf_t *b, size_t n)
{
    if (!b || n == 0 || atomic_fetch_sub(&b->refs, n) != n)
        return;
    for (size_t i = 0; i < b->ninflated; i++)
        free(b->inflated[i]);
    free(b->inflated);
    free(b->msgs);
    free(b->raw);
    free(b->topic);
    free(b);
}

/* ---- header lists ------------------------------------------------------------------ */

kl_headers_t *kl_headers_new(void) { return calloc(1, sizeof(kl_headers_t)); }

kl_err_t kl_headers_add(kl_headers_t *h, const char *name, const void *value, size_t value_len)
{
    if (!h || !name || h->block)
        return KL_ERR_INVALID_ARG;
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        kl_record_header_t *items = realloc(h->items, cap * sizeof *items);
        if (!items)
            return KL_ERR_NOMEM;
        h->items = items;
        h->cap = cap;
    }
    size_t name_len = strlen(name);
    size_t vlen = value ? value_len : 0;
    uint8_t *copy = malloc(name_len + 1 + vlen);
    if (!copy)
        return KL_ERR_NOMEM;
    memcpy(copy, name, name_len + 1);
    if (vlen)
        memcpy(copy + name_len + 1, value, vlen);
    h->items[h->count++] = (kl_record_header_t){
        .key = copy,
        .key_len = name_len,
        .value = value ? copy + name_len + 1 : NULL,
        .value_len = vlen,
    };
    h->bytes += name_len + vlen;
    return KL_ERR_NONE;
}

size_t kl_headers_count(const kl_headers_t *h) { return h ? h->count : 0; }

kl_err_t kl_headers_get(const kl_headers_t *h, size_t idx, const char **namep, const void **valuep,
                        size_t *lenp)
{
    if (!h || idx >= h->count)
        return KL_ERR_NOENT;
    const kl_record_header_t *it = &h->items[idx];
    if (namep)
        *namep = it->key;
    if (valuep)
        *valuep = it->value;
    if (lenp)
        *lenp = it->value_len;
    return KL_ERR_NONE;
}

kl_err_t kl_headers_get_last(const kl_headers_t *h, const char *name, const void **valuep, size_t *lenp)
{
    if (!h || !name)
        return KL_ERR_NOENT;
    for (size_t i = h->count; i-- > 0;)
        if (!strcmp(h->items[i].key, name))
            return kl_headers_get(h, i, NULL, valuep, lenp);
    return KL_ERR_NOENT;
}

void kl_headers_destroy(kl_headers_t *h)
{
    if (!h)
        return;
    if (h->block)
        free(h->block);
    else {
        for (size_t i = 0; i < h->count; i++)
            free((void *)h->items[i].key);
        free(h->items);
    }
    free(h);
}

const kl_record_header_t *kl_headers_items(const kl_headers_t *h, size_t *countp, size_t *bytesp)
{
    *countp = h ? h->count : 0;
    *bytesp = h ? h->bytes : 0;
    return h ? h->items : NULL;
}
