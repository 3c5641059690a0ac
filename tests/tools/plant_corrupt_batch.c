/* plant_corrupt_batch LOG_DIR TOPIC PARTITION none|stream|records: appends
 * a compressed batch of 5 records (values "c0".."c4") to the partition's
 * log, sound or damaged with its CRC still valid (corrupt_batch.h), with
 * no broker running on LOG_DIR; for the command tests. Exit 77 when this
 * build has no codec that detects damage, 1 on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../integration/corrupt_batch.h"

int main(int argc, char **argv)
{
    static const char *const kinds[] = {"none", "stream", "records"};
    int kind = -1;
    for (int i = 0; argc == 5 && i < 3; i++)
        if (strcmp(argv[4], kinds[i]) == 0)
            kind = i;
    if (kind < 0) {
        fprintf(stderr, "usage: plant_corrupt_batch LOG_DIR TOPIC PARTITION none|stream|records\n");
        return 1;
    }
    kl_codec_t codec = corrupt_batch_codec();
    if (codec == KL_CODEC_NONE) {
        fprintf(stderr, "plant_corrupt_batch: no gzip, lz4 or zstd in this build\n");
        return 77;
    }
    size_t len;
    uint8_t *b = corrupt_batch(codec, (corrupt_kind_t)kind, 5, &len);
    kl_err_t err = b ? corrupt_batch_plant(argv[1], argv[2], atoi(argv[3]), b, len) : KL_ERR_NOMEM;
    free(b);
    if (err) {
        fprintf(stderr, "plant_corrupt_batch: %s\n", kl_err_str(err));
        return 1;
    }
    return 0;
}
