/* kl_message_t and kl_headers_t as every client handle fills them: the
 * producer builds delivery reports on the stack; the consumer hands out
 * messages that point into a reference-counted kl_msgbuf_t (the fetched
 * records, decompressed once) and frees that buffer when its last message
 * is destroyed. The accessors are in message.c. */
#ifndef KL_CLIENT_MESSAGE_IMPL_H
#define KL_CLIENT_MESSAGE_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/message.h"
#include "record/batch.h"

typedef struct kl_msgbuf kl_msgbuf_t;

struct kl_message {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key, *value;
    size_t key_len, value_len;
    int64_t timestamp;
    kl_timestamp_type_t tstype;
    kl_err_t err;
    kl_msg_status_t status;
    void *opaque;
    /* delivery reports: key, value and timestamp are filled by decode(m)
     * only when the callback asks for one of them (most look at the error
     * and the opaque only); decode_src/decode_pos say where the record is */
    void (*decode)(kl_message_t *m);
    const void *decode_src;
    uint32_t decode_pos;
    /* consumed messages */
    int32_t leader_epoch;
    const uint8_t *hdr_data; /* the record's encoded headers */
    size_t hdr_size;
    int32_t hdr_count;
    kl_headers_t *headers; /* decoded on the first kl_message_headers() */
    kl_msgbuf_t *buf;      /* owner of the bytes, or NULL */
    bool standalone;       /* malloc'd alone (error messages): free at destroy */
};

/* Header lists. Names are NUL-terminated; the value follows its name in
 * the same allocation (or, for a message's decoded headers, everything
 * lives in one block owned by the list). */
struct kl_headers {
    kl_record_header_t *items;
    size_t count, cap;
    size_t bytes;    /* names and values, for the producer's accounting */
    uint8_t *block;  /* decoded from a record: the one allocation to free */
};

/* The memory a batch of consumed messages points into: the fetched record
 * bytes (raw), the decompressed record sections (inflated), the topic name
 * and the message structs themselves. One reference per message handed
 * out, plus one for whoever fills it. */
struct kl_msgbuf {
    atomic_size_t refs;
    char *topic;
    uint8_t *raw;
    uint8_t **inflated;
    size_t ninflated, cap_inflated;
    kl_message_t *msgs; /* room for cap_msgs */
    size_t nmsgs, cap_msgs;
};

/* A buffer owning raw (may be NULL), with room for cap_msgs messages and a
 * copy of topic; one reference (the caller's). NULL when out of memory
 * (raw is then freed). */
kl_msgbuf_t *kl_msgbuf_new(const char *topic, uint8_t *raw, size_t cap_msgs);
/* Hands the buffer a decompressed section to free with it. false when out
 * of memory (data is then freed). */
bool kl_msgbuf_adopt(kl_msgbuf_t *buf, uint8_t *data);
/* Room for more messages past those filled so far; false when out of
 * memory (nothing changes). Only before any message is handed out: the
 * slots may move. */
bool kl_msgbuf_reserve(kl_msgbuf_t *buf, size_t more);
/* The next message slot (zeroed, buf set), or NULL when full. Takes no
 * reference: the caller counts what it hands out. */
kl_message_t *kl_msgbuf_next(kl_msgbuf_t *buf);
void kl_msgbuf_ref(kl_msgbuf_t *buf, size_t n);
/* Drops n references; frees at zero. */
void kl_msgbuf_release(kl_msgbuf_t *buf, size_t n);

/* A standalone message (for errors): topic copied, reason (may be NULL)
 * copied as the value. NULL when out of memory. */
kl_message_t *kl_message_new_error(const char *topic, int32_t partition, int64_t offset, kl_err_t err,
                                   const char *reason);

/* The items of a header list and their payload bytes (names and values). */
const kl_record_header_t *kl_headers_items(const kl_headers_t *h, size_t *countp, size_t *bytesp);

#endif
