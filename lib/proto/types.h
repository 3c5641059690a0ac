/* Value types of decoded Kafka messages. Strings and bytes point into the
 * buffer they were decoded from (zero copy): that buffer must outlive the
 * decoded message. Arrays live in the arena the message was decoded into.
 * A length or count of -1 means null. */
#ifndef KL_PROTO_TYPES_H
#define KL_PROTO_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct kl_str {
    const char *ptr; /* not NUL-terminated */
    int32_t len;     /* -1: null */
} kl_str_t;

typedef struct kl_bytes {
    const uint8_t *ptr;
    int32_t len; /* -1: null */
} kl_bytes_t;

typedef struct kl_uuid {
    uint8_t b[16];
} kl_uuid_t;

/* A typed array: every array member of a message struct has exactly this
 * layout (pointer, then count), so the generic codec can fill it. */
#define KL_ARRAY_OF(T)                                                         \
    struct {                                                                   \
        T *items;                                                              \
        int32_t count; /* -1: null */                                          \
    }

typedef KL_ARRAY_OF(void) kl_array_t;

#define KL_STR_NULL ((kl_str_t){NULL, -1})
#define KL_BYTES_NULL ((kl_bytes_t){NULL, -1})

static inline kl_str_t kl_str(const char *s)
{
    return s ? (kl_str_t){s, (int32_t)strlen(s)} : KL_STR_NULL;
}

static inline kl_bytes_t kl_bytes(const void *p, int32_t len)
{
    return (kl_bytes_t){(const uint8_t *)p, len};
}

static inline bool kl_str_eq(kl_str_t a, const char *s)
{
    if (!s)
        return a.len < 0;
    return a.len >= 0 && (size_t)a.len == strlen(s) && memcmp(a.ptr, s, (size_t)a.len) == 0;
}

#endif
