/* Fuzz target: the consumer's parse of one partition's fetched records
 * (lib/consumer/fetch_parse.c). The input is a flags byte (bit 0:
 * check.crcs, bit 1: read_committed), the fetch offset (uint16), with
 * read_committed the last stable offset (uint16, 0xffff: none) and up to
 * 8 aborted transactions (a count byte, then uint8 producer id and uint16
 * first offset each), and then the records field of a Fetch answer.
 * Invariants: the messages come in increasing offset order, at or past
 * the fetch offset and below the next fetch offset, which never goes
 * backwards, nor past the last stable offset once at or past the fetch
 * offset; no message at or past the last stable offset; every message's
 * headers decode to its header count. */
#include <string.h>

#include "client/message_impl.h"
#include "consumer/consumer_impl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in_t in = {data, size};
    cons_settings_t s;
    memset(&s, 0, sizeof s);
    uint8_t flags = fuzz_u8(&in);
    s.check_crcs = flags & 1;
    int64_t fetch_offset = fuzz_u16(&in);
    kl_fetch_response_aborted_transaction_t aborted[8];
    cons_txn_view_t txn = {-1, aborted, 0};
    if (flags & 2) {
        uint16_t lso = fuzz_u16(&in);
        txn.last_stable = lso == 0xffff ? -1 : lso;
        txn.naborted = fuzz_u8(&in) % 9;
        for (size_t i = 0; i < txn.naborted; i++) {
            aborted[i].producer_id = fuzz_u8(&in);
            aborted[i].first_offset = fuzz_u16(&in);
        }
    }
    int64_t limit = txn.last_stable >= 0 ? txn.last_stable : INT64_MAX;
    uint8_t *raw = malloc(in.left ? in.left : 1); /* owned by the parse */
    FUZZ_ASSERT(raw, "out of memory");
    if (in.left)
        memcpy(raw, in.p, in.left);

    int64_t next = -1;
    bool incomplete;
    kl_err_t err;
    const char *why;
    kl_msgbuf_t *buf = cons_parse_records(&s, "fuzz", 0, raw, in.left, fetch_offset, flags & 2 ? &txn : NULL,
                                          &next, &incomplete, &err, &why);
    FUZZ_ASSERT(next >= fetch_offset, "the next fetch offset %lld went below %lld", (long long)next,
                (long long)fetch_offset);
    FUZZ_ASSERT(next <= fetch_offset || next <= limit, "the next fetch offset %lld went past the last stable %lld",
                (long long)next, (long long)limit);
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
        FUZZ_ASSERT(m->offset < limit, "message offset %lld at or past the last stable %lld", (long long)m->offset,
                    (long long)limit);
        last = m->offset;
        const kl_headers_t *h = kl_message_headers(m);
        FUZZ_ASSERT((h ? kl_headers_count(h) : 0) == (size_t)m->hdr_count, "%zu of %d headers decode",
                    h ? kl_headers_count(h) : 0, m->hdr_count);
    }
    for (size_t i = n; i > 0; i--) /* the last frees buf */
        kl_message_destroy(&buf->msgs[i - 1]);
    return 0;
}
