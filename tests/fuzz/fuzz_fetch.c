/* Fuzz target: the consumer's parse of one partition's fetched records
 * (lib/consumer/fetch_parse.c). The input is a flags byte (bit 0:
 * check.crcs), the fetch offset (uint16) and then the records field of a
 * Fetch answer. Invariants: the messages come in increasing offset order,
 * at or past the fetch offset and below the next fetch offset, which never
 * goes backwards; every message's headers decode to its header count. */
#include <string.h>

#include "client/message_impl.h"
#include "consumer/consumer_impl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in_t in = {data, size};
    cons_settings_t s;
    memset(&s, 0, sizeof s);
    s.check_crcs = fuzz_u8(&in) & 1;
    int64_t fetch_offset = fuzz_u16(&in);
    uint8_t *raw = malloc(in.left ? in.left : 1); /* owned by the parse */
    FUZZ_ASSERT(raw, "out of memory");
    if (in.left)
        memcpy(raw, in.p, in.left);

    int64_t next = -1;
    bool incomplete;
    kl_err_t err;
    const char *why;
    kl_msgbuf_t *buf = cons_parse_records(&s, "fuzz", 0, raw, in.left, fetch_offset, &next, &incomplete, &err, &why);
    FUZZ_ASSERT(next >= fetch_offset, "the next fetch offset %lld went below %lld", (long long)next,
                (long long)fetch_offset);
    FUZZ_ASSERT(!err || why, "an error without a reason");
    if (!buf)
        return 0;
    FUZZ_ASSERT(!incomplete, "messages and an incomplete answer at once");
    /* as the consumer hands them out: one reference per message, which
     * kl_message_destroy() drops with the headers it decoded */
    size_t n = buf->nmsgs;
    kl_msgbuf_ref(buf, n);
    kl_msgbuf_release(buf, 1);
    int64_t last = fetch_offset - 1;
    for (size_t i = 0; i < n; i++) {
        kl_message_t *m = &buf->msgs[i];
        FUZZ_ASSERT(m->offset > last && m->offset < next, "message offset %lld out of order (last %lld, next %lld)",
                    (long long)m->offset, (long long)last, (long long)next);
        last = m->offset;
        const kl_headers_t *h = kl_message_headers(m);
        FUZZ_ASSERT((h ? kl_headers_count(h) : 0) == (size_t)m->hdr_count, "%zu of %d headers decode",
                    h ? kl_headers_count(h) : 0, m->hdr_count);
    }
    for (size_t i = n; i > 0; i--) /* the last frees buf */
        kl_message_destroy(&buf->msgs[i - 1]);
    return 0;
}
