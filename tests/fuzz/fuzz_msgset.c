/* Fuzz target: any byte string as a legacy message set (magic 0 and 1,
 * lib/record/msgset.c), as old segments and old brokers' Fetch answers
 * hold them, compressed wrappers included; also walked by the batch
 * iterator in its legacy mode. Each input is checked as given and with
 * each outer message's size cut to the input and its CRC-32 fixed up.
 * Invariants: the CRC-checked iterator yields the same messages as the
 * unchecked one up to where it stops; an uncompressed message keeps the
 * offset it was stored with and points into the input. */
#include <string.h>

#include "fuzz.h"
#include "record/batch.h"
#include "record/msgset.h"
#include "util/crc32.h"

#define MAX_INFLATED (1u << 20)
#define MSG_POS_CRC 12
#define MSG_POS_MAGIC 16
#define MSG_MIN_SIZE 14

static bool same_blob(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (!a || !b)
        return !a && !b;
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
    return !p || (p >= data && p + n <= data + size);
}

static void check_set(const uint8_t *data, size_t size)
{
    kl_msgset_iter_t checked, unchecked;
    kl_message_t a, b;
    kl_msgset_iter_init(&checked, data, size, MAX_INFLATED, 0);
    kl_msgset_iter_init(&unchecked, data, size, MAX_INFLATED, KL_MSGSET_SKIP_CRC);
    kl_err_t err;
    while ((err = kl_msgset_iter_next(&checked, &a)) == KL_ERR_NONE) {
        kl_err_t err2 = kl_msgset_iter_next(&unchecked, &b);
        FUZZ_ASSERT(err2 == KL_ERR_NONE, "the unchecked iterator stops (%s) where the checked one goes on",
                    kl_err_name(err2));
        FUZZ_ASSERT(a.offset == b.offset && a.timestamp == b.timestamp && a.magic == b.magic &&
                        a.attributes == b.attributes && same_blob(a.key, a.key_len, b.key, b.key_len) &&
                        same_blob(a.value, a.value_len, b.value, b.value_len),
                    "message %lld differs with and without CRC checks", (long long)a.offset);
        if (!checked.inner.p) /* an outer, uncompressed message */
            FUZZ_ASSERT(inside(a.key, a.key_len, data, size) && inside(a.value, a.value_len, data, size),
                        "an uncompressed message points outside its input");
    }
    FUZZ_ASSERT(err != KL_ERR_NONE, "unreachable");
    while (kl_msgset_iter_next(&unchecked, &b) == KL_ERR_NONE)
        ;
    kl_msgset_iter_free(&checked);
    kl_msgset_iter_free(&unchecked);

    /* the batch iterator's legacy mode, as a consumer meets old data */
    kl_batch_iter_t bi;
    kl_batch_t batch;
    kl_batch_iter_init(&bi, data, size, KL_BATCH_LEGACY | KL_BATCH_SKIP_CRC);
    while (kl_batch_iter_next(&bi, &batch) == KL_ERR_NONE) {
        FUZZ_ASSERT(inside(batch.data, batch.size, data, size), "a batch lies outside its input");
        if (batch.magic == KL_BATCH_MAGIC)
            continue;
        kl_msgset_iter_t one;
        kl_msgset_iter_init(&one, batch.data, batch.size, MAX_INFLATED, KL_MSGSET_SKIP_CRC);
        err = kl_msgset_iter_next(&one, &a);
        FUZZ_ASSERT(err != KL_ERR_NOENT || one.incomplete == 0,
                    "a whole legacy entry of the batch iterator is partial to the message set iterator");
        if (err == KL_ERR_NONE && !(batch.data[MSG_POS_MAGIC + 1] & KL_MSG_ATTR_CODEC_MASK))
            FUZZ_ASSERT(a.offset == batch.base_offset, "legacy entry offsets differ");
        kl_msgset_iter_free(&one);
    }
}

static void fix_crc(uint8_t *msg, size_t n)
{
    kl_store_be32(msg + MSG_POS_CRC, kl_crc32(0, msg + MSG_POS_MAGIC, n - MSG_POS_MAGIC));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_raw_and_fixed(data, size, MSG_MIN_SIZE, fix_crc, check_set);
    return 0;
}
