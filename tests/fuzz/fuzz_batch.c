/* libFuzzer target: any byte string as a Fetch response's records field.
 * Every batch and record is iterated (CRC checks off, so the fuzzer reaches
 * the record decoder), decompression included, and the broker's validation
 * runs on the same bytes. Build and run with `make fuzz` (needs clang). */
#include "record/batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kl_batch_iter_t bi;
    kl_record_iter_t ri;
    kl_batch_t batch;
    kl_record_t rec;
    kl_batch_iter_init(&bi, data, size, KL_BATCH_SKIP_CRC);
    kl_record_iter_init(&ri, 1u << 20);
    while (kl_batch_iter_next(&bi, &batch) == KL_ERR_NONE) {
        if (kl_record_iter_start(&ri, &batch) != KL_ERR_NONE)
            continue;
        while (kl_record_iter_next(&ri, &rec) == KL_ERR_NONE) {
            kl_header_iter_t hi;
            kl_record_header_t hdr;
            kl_header_iter_init(&hi, &rec);
            while (kl_header_iter_next(&hi, &hdr))
                ;
        }
    }
    kl_record_iter_free(&ri);
    (void)kl_batch_validate(data, size, KL_BATCH_FROM_CLIENT, &batch, NULL);
    return 0;
}
