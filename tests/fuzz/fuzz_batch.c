/* Fuzz target: any byte string as a range of v2 record batches (a Fetch
 * answer's records, a segment file, a Produce request's batch). Each input
 * is checked twice: as given, and with every batch's CRC-32C (and a length
 * overrunning the input) fixed up by the harness, so that the fuzzer gets
 * past the CRC to the header checks and the record decoder.
 * Invariants: the CRC-checked iterator yields what the unchecked one does;
 * every batch it yields passes kl_batch_validate() (but for timestamps,
 * which only validation checks); a batch validation accepts from a client
 * is the one batch the iterator yields, and its records decode unless
 * compressed (the produce path inflates and checks those); records
 * that decode, rewritten by the batch writer, give a batch validation
 * accepts and that reads back as the same records. */
#include <string.h>

#include "fuzz.h"
#include "record/batch.h"
#include "record/batch_layout.h"

#define MAX_INFLATED (1u << 20)

static bool same_blob(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (!a || !b)
        return !a && !b;
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Rewrites the records of batch (which all decoded) with the writer; the
 * result must validate and read back as the same records. */
static void check_rewrite(const kl_batch_t *batch, kl_record_iter_t *orig)
{
    if (!kl_codec_available(kl_batch_codec(batch)))
        return;
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.base_offset = batch->base_offset;
    params.codec = kl_batch_codec(batch);
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    kl_err_t err = kl_batch_writer_open(&w, &params);
    FUZZ_ASSERT(err == KL_ERR_NONE, "writer open: %s", kl_err_name(err));
    kl_record_t rec;
    bool contiguous = true;
    int32_t n = 0;
    kl_record_iter_start(orig, batch);
    while ((err = kl_record_iter_next(orig, &rec)) == KL_ERR_NONE) {
        if (kl_batch_writer_append_record(&w, &rec) != KL_ERR_NONE) {
            kl_batch_writer_free(&w); /* a timestamp delta the format cannot hold */
            return;
        }
        contiguous = contiguous && rec.offset == batch->base_offset + n;
        n++;
    }
    FUZZ_ASSERT(err == KL_ERR_NOENT, "records decoded once but not twice");
    const uint8_t *out;
    size_t out_len;
    err = kl_batch_writer_close(&w, &out, &out_len);
    FUZZ_ASSERT(err == KL_ERR_NONE, "writer close: %s", kl_err_name(err));
    const char *why = NULL;
    err = kl_batch_validate(out, out_len, 0, NULL, &why);
    FUZZ_ASSERT(err == KL_ERR_NONE, "validation refuses the writer's batch: %s (%s)", kl_err_name(err), why);
    if (contiguous && n > 0) {
        err = kl_batch_validate(out, out_len, KL_BATCH_FROM_CLIENT, NULL, &why);
        FUZZ_ASSERT(err == KL_ERR_NONE, "validation refuses the writer's batch from a client: %s (%s)",
                    kl_err_name(err), why);
    }

    kl_batch_t again;
    kl_batch_iter_t bi;
    kl_batch_iter_init(&bi, out, out_len, 0);
    FUZZ_ASSERT(kl_batch_iter_next(&bi, &again) == KL_ERR_NONE, "the writer's batch does not iterate");
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, MAX_INFLATED * 2);
    err = kl_record_iter_start(&ri, &again);
    FUZZ_ASSERT(err == KL_ERR_NONE, "the writer's records do not start: %s", kl_err_name(err));
    kl_record_iter_start(orig, batch);
    kl_record_t a, b;
    while (kl_record_iter_next(orig, &a) == KL_ERR_NONE) {
        err = kl_record_iter_next(&ri, &b);
        FUZZ_ASSERT(err == KL_ERR_NONE, "a rewritten record is missing: %s (%s)", kl_err_name(err),
                    ri.why ? ri.why : "");
        FUZZ_ASSERT(a.offset == b.offset && a.timestamp == b.timestamp && a.attributes == b.attributes,
                    "rewritten record %lld differs in offset, timestamp or attributes", (long long)a.offset);
        FUZZ_ASSERT(same_blob(a.key, a.key_len, b.key, b.key_len) &&
                        same_blob(a.value, a.value_len, b.value, b.value_len) &&
                        a.header_count == b.header_count &&
                        same_blob(a.headers, a.headers_size, b.headers, b.headers_size),
                    "rewritten record %lld differs in key, value or headers", (long long)a.offset);
    }
    FUZZ_ASSERT(kl_record_iter_next(&ri, &b) == KL_ERR_NOENT, "the rewritten batch has more records");
    kl_record_iter_free(&ri);
    kl_batch_writer_free(&w);
}

/* Decodes every record of batch: KL_ERR_NOENT when all decoded. */
static kl_err_t walk_records(kl_record_iter_t *ri, const kl_batch_t *batch, int32_t *count)
{
    kl_record_t rec;
    kl_err_t err = kl_record_iter_start(ri, batch);
    *count = 0;
    int64_t last = 0;
    while (!err && (err = kl_record_iter_next(ri, &rec)) == KL_ERR_NONE) {
        FUZZ_ASSERT((*count == 0 ? rec.offset >= batch->base_offset : rec.offset > last) &&
                        rec.offset - batch->base_offset <= batch->last_offset_delta,
                    "record offset %lld outside its batch or out of order", (long long)rec.offset);
        last = rec.offset;
        kl_header_iter_t hi;
        kl_record_header_t hdr;
        int32_t headers = 0;
        kl_header_iter_init(&hi, &rec);
        while (kl_header_iter_next(&hi, &hdr))
            headers++;
        FUZZ_ASSERT(headers == rec.header_count, "%d of %d headers iterate", headers, rec.header_count);
        (*count)++;
    }
    if (err == KL_ERR_NOENT)
        FUZZ_ASSERT(*count == batch->record_count, "%d records of %d", *count, batch->record_count);
    return err;
}

static void check_range(const uint8_t *data, size_t size)
{
    kl_batch_iter_t checked, unchecked;
    kl_batch_t a, b;
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, MAX_INFLATED);
    kl_batch_iter_init(&checked, data, size, 0);
    kl_batch_iter_init(&unchecked, data, size, KL_BATCH_SKIP_CRC);
    kl_err_t err;
    size_t yielded = 0;
    while ((err = kl_batch_iter_next(&checked, &a)) == KL_ERR_NONE) {
        FUZZ_ASSERT(kl_batch_iter_next(&unchecked, &b) == KL_ERR_NONE && a.data == b.data && a.size == b.size,
                    "the CRC-checked iterator yields a batch the unchecked one does not");
        yielded++;
        kl_err_t verdict = kl_batch_validate(a.data, a.size, 0, NULL, NULL);
        FUZZ_ASSERT(verdict == KL_ERR_NONE || verdict == KL_ERR_INVALID_TIMESTAMP,
                    "validation refuses an iterated batch: %s", kl_err_name(verdict));
        int32_t count;
        if (walk_records(&ri, &a, &count) == KL_ERR_NOENT)
            check_rewrite(&a, &ri);
    }
    /* the unchecked iterator goes on past a CRC mismatch */
    while (kl_batch_iter_next(&unchecked, &b) == KL_ERR_NONE) {
        int32_t count;
        walk_records(&ri, &b, &count);
    }

    const char *why = NULL;
    if (kl_batch_validate(data, size, KL_BATCH_FROM_CLIENT, &a, &why) == KL_ERR_NONE) {
        FUZZ_ASSERT(yielded == 1 && err == KL_ERR_NOENT, "an accepted batch is not one batch to the iterator");
        FUZZ_ASSERT(kl_batch_validate(data, size, 0, NULL, NULL) == KL_ERR_NONE,
                    "accepted from a client but not from the log");
        /* validation inflates nothing: compressed records are the produce
         * path's to check, once it has inflated them */
        int32_t count;
        err = walk_records(&ri, &a, &count);
        FUZZ_ASSERT(err == KL_ERR_NOENT || kl_batch_codec(&a) != KL_CODEC_NONE,
                    "an accepted batch's records do not decode: %s (%s)", kl_err_name(err), ri.why ? ri.why : "");
    }
    kl_record_iter_free(&ri);
}

static void fix_crc(uint8_t *batch, size_t n)
{
    kl_store_be32(batch + KL_BATCH_POS_CRC, kl_batch_compute_crc(batch, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_raw_and_fixed(data, size, KL_BATCH_MIN_LENGTH, fix_crc, check_range);
    return 0;
}
