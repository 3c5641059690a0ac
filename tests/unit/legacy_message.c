/* Legacy message writer for tests: see legacy_message.h. */
#include "legacy_message.h"

#include <string.h>

#include "util/crc32.h"

kl_err_t put_legacy_message(kl_buf_t *b, int64_t offset, int magic, int attrs, int64_t ts, const char *key,
                            const void *value, int32_t value_len)
{
    size_t start = b->len;
    kl_buf_put_i64(b, offset);
    size_t size_pos = kl_buf_skip(b, 4);
    size_t crc_pos = kl_buf_skip(b, 4);
    kl_buf_put_i8(b, (int8_t)magic);
    kl_buf_put_i8(b, (int8_t)attrs);
    if (magic == 1)
        kl_buf_put_i64(b, ts);
    kl_buf_put_i32(b, key ? (int32_t)strlen(key) : -1);
    if (key)
        kl_buf_put(b, key, strlen(key));
    kl_buf_put_i32(b, value_len);
    if (value_len > 0)
        kl_buf_put(b, value, (size_t)value_len);
    if (kl_buf_error(b))
        return kl_buf_error(b);
    kl_buf_patch_i32(b, size_pos, (int32_t)(b->len - start - 12));
    kl_buf_patch_u32(b, crc_pos, kl_crc32(0, b->data + start + 16, b->len - start - 16));
    return KL_ERR_NONE;
}
