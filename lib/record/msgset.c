/* Legacy MessageSet (magic 0/1) iterator: see msgset.h. The outer set may
 * end in a partial message (a Fetch response cut at its size limit); an
 * inner set, being one decompressed value, must be whole. Magic 1 inner
 * offsets are relative: the wrapper carries the offset of the last inner
 * message, so the inner set is walked once first to find it. */
#include <string.h>

#include "record/compress.h"
#include "record/msgset.h"
#include "util/crc32.h"

/* offset(8) size(4) | crc(4) magic(1) attributes(1) [timestamp(8)] key value */
#define MSG_LOG_OVERHEAD 12
#define MSG_POS_CRC 12
#define MSG_POS_MAGIC 16
#define MSG_MIN_SIZE_V0 14 /* crc, magic, attributes, key and value lengths */
#define MSG_MIN_SIZE_V1 22 /* plus the timestamp */
#define MSG_DEFAULT_MAX_INFLATED (64u * 1024 * 1024)

void kl_msgset_iter_init(kl_msgset_iter_t *it, const void *data, size_t len, size_t max_inflated,
                         unsigned flags)
{
    memset(it, 0, sizeof *it);
    it->outer.p = data;
    it->outer.end = it->outer.p + len;
    it->max_inflated = max_inflated ? max_inflated : MSG_DEFAULT_MAX_INFLATED;
    it->flags = flags;
    kl_buf_init(&it->inflated, it->max_inflated);
}

void kl_msgset_iter_free(kl_msgset_iter_t *it) { kl_buf_free(&it->inflated); }

static kl_err_t msgset_fail(kl_msgset_iter_t *it, kl_err_t err, const char *why)
{
    it->err = err;
    it->why = why;
    return err;
}

/* A nullable int32-length byte field. */
static const char *get_bytes(const uint8_t **pp, const uint8_t *end, const uint8_t **data, size_t *len)
{
    if (end - *pp < 4)
        return "message truncated";
    int32_t n = (int32_t)kl_load_be32(*pp);
    *pp += 4;
    if (n < -1)
        return "negative length";
    if (n == -1) {
        *data = NULL;
        *len = 0;
        return NULL;
    }
    if ((size_t)n > (size_t)(end - *pp))
        return "field overruns its message";
    *data = *pp;
    *len = (size_t)n;
    *pp += n;
    return NULL;
}

/* Decodes the whole message of size bytes at p (size already checked). */
static kl_err_t parse_message(kl_msgset_iter_t *it, const uint8_t *p, size_t size, kl_message_t *m)
{
    const uint8_t *end = p + size;
    m->offset = (int64_t)kl_load_be64(p);
    m->magic = (int8_t)p[MSG_POS_MAGIC];
    if (!(it->flags & KL_MSGSET_SKIP_CRC) &&
        kl_crc32(0, p + MSG_POS_MAGIC, size - MSG_POS_MAGIC) != kl_load_be32(p + MSG_POS_CRC))
        return msgset_fail(it, KL_ERR_CRC_MISMATCH, "message CRC-32 mismatch");
    if (m->magic != 0 && m->magic != 1)
        return msgset_fail(it, KL_ERR_BAD_MSG, "unsupported magic byte");
    if (m->magic == 1 && size < MSG_LOG_OVERHEAD + MSG_MIN_SIZE_V1)
        return msgset_fail(it, KL_ERR_BAD_MSG, "message size too small");
    m->attributes = (int8_t)p[MSG_POS_MAGIC + 1];
    p += MSG_POS_MAGIC + 2;
    m->timestamp = -1;
    m->log_append_time = false;
    if (m->magic == 1) {
        m->timestamp = (int64_t)kl_load_be64(p);
        m->log_append_time = m->attributes & KL_MSG_ATTR_LOG_APPEND_TIME;
        p += 8;
    }
    const char *why = get_bytes(&p, end, &m->key, &m->key_len);
    if (!why)
        why = get_bytes(&p, end, &m->value, &m->value_len);
    if (!why && p != end)
        why = "message size does not match its fields";
    return why ? msgset_fail(it, KL_ERR_BAD_MSG, why) : KL_ERR_NONE;
}

/* Size of the next entry of a level, 0 at its end, or an error. A partial
 * entry is reported through it->incomplete in the outer set only. */
static kl_err_t entry_size(kl_msgset_iter_t *it, const kl_msgset_level_t *lv, bool inner, size_t *size)
{
    size_t left = (size_t)(lv->end - lv->p);
    *size = 0;
    if (left == 0)
        return KL_ERR_NONE;
    if (left < MSG_LOG_OVERHEAD) {
        if (inner)
            return msgset_fail(it, KL_ERR_BAD_MSG, "inner message truncated");
        it->incomplete = MSG_LOG_OVERHEAD + MSG_MIN_SIZE_V0;
        return KL_ERR_NONE;
    }
    int32_t msg_size = (int32_t)kl_load_be32(lv->p + 8);
    if (msg_size < MSG_MIN_SIZE_V0)
        return msgset_fail(it, KL_ERR_BAD_MSG, "message size too small");
    size_t n = MSG_LOG_OVERHEAD + (size_t)msg_size;
    if (n > left) {
        if (inner)
            return msgset_fail(it, KL_ERR_BAD_MSG, "inner message truncated");
        it->incomplete = n;
        return KL_ERR_NONE;
    }
    *size = n;
    return KL_ERR_NONE;
}

/* Walks the inner set once for its shape and its last offset. */
static kl_err_t scan_inner(kl_msgset_iter_t *it, int64_t *last_offset)
{
    kl_msgset_level_t lv = it->inner;
    size_t size;
    *last_offset = 0;
    for (;;) {
        kl_err_t err = entry_size(it, &lv, true, &size);
        if (err || !size)
            return err;
        *last_offset = (int64_t)kl_load_be64(lv.p);
        lv.p += size;
    }
}

static kl_err_t enter_wrapper(kl_msgset_iter_t *it, const kl_message_t *wrapper)
{
    int codec = wrapper->attributes & KL_MSG_ATTR_CODEC_MASK;
    if (codec > KL_CODEC_LZ4)
        return msgset_fail(it, KL_ERR_BAD_MSG, "unknown codec for a legacy message");
    if (!kl_codec_available((kl_codec_t)codec))
        return msgset_fail(it, KL_ERR_UNSUPPORTED_FEATURE, "codec not in this build");
    if (!wrapper->value)
        return msgset_fail(it, KL_ERR_BAD_MSG, "compressed message without a value");
    kl_buf_reset(&it->inflated);
    kl_err_t err = kl_decompress((kl_codec_t)codec, wrapper->value, wrapper->value_len, it->max_inflated,
                                 &it->inflated);
    if (!err)
        err = kl_buf_error(&it->inflated);
    if (err)
        return msgset_fail(it, err, "cannot decompress the inner messages");
    static const uint8_t nothing[1];
    it->inner.p = it->inflated.len ? it->inflated.data : nothing;
    it->inner.end = it->inner.p + it->inflated.len;
    it->wrapper = *wrapper;
    int64_t last;
    if ((err = scan_inner(it, &last)))
        return err;
    /* Magic 1 inner offsets count from 0; the wrapper holds the last one. */
    it->inner_offset_base = 0;
    if (wrapper->magic == 1 && __builtin_sub_overflow(wrapper->offset, last, &it->inner_offset_base))
        return msgset_fail(it, KL_ERR_BAD_MSG, "inner offsets out of range of the wrapper's");
    return KL_ERR_NONE;
}

/* The next message of the current inner set, with the wrapper's offset
 * and timestamp rules applied; NOENT when it is exhausted. */
static kl_err_t next_inner(kl_msgset_iter_t *it, kl_message_t *msg)
{
    size_t size;
    kl_err_t err = entry_size(it, &it->inner, true, &size);
    if (err)
        return err;
    if (!size) {
        it->inner.p = NULL;
        return KL_ERR_NOENT;
    }
    if ((err = parse_message(it, it->inner.p, size, msg)))
        return err;
    it->inner.p += size;
    if (msg->attributes & KL_MSG_ATTR_CODEC_MASK)
        return msgset_fail(it, KL_ERR_BAD_MSG, "nested compressed message");
    if (msg->magic != it->wrapper.magic)
        return msgset_fail(it, KL_ERR_BAD_MSG, "inner magic differs from its wrapper");
    if (__builtin_add_overflow(msg->offset, it->inner_offset_base, &msg->offset))
        return msgset_fail(it, KL_ERR_BAD_MSG, "inner offset out of range");
    if (it->wrapper.log_append_time) {
        msg->timestamp = it->wrapper.timestamp;
        msg->log_append_time = true;
    }
    return KL_ERR_NONE;
}

kl_err_t kl_msgset_iter_next(kl_msgset_iter_t *it, kl_message_t *msg)
{
    kl_err_t err;
    if (it->err)
        return it->err;
    for (;;) {
        if (it->inner.p) {
            err = next_inner(it, msg);
            if (err != KL_ERR_NOENT)
                return err;
            continue;
        }
        size_t size;
        it->incomplete = 0;
        if ((err = entry_size(it, &it->outer, false, &size)))
            return err;
        if (!size)
            return KL_ERR_NOENT;
        if ((err = parse_message(it, it->outer.p, size, msg)))
            return err;
        it->outer.p += size;
        if (!(msg->attributes & KL_MSG_ATTR_CODEC_MASK))
            return KL_ERR_NONE;
        if ((err = enter_wrapper(it, msg)))
            return err;
    }
}
