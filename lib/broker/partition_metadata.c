/* partition.metadata in each partition directory, as Kafka keeps it:
 *   version: 0
 *   topic_id: <the topic id, URL-safe base64 without padding>
 * so that a topic rebuilt from its directories (topic_rebuild.c) keeps
 * the id clients know it by. Also the base64 form of 16-byte ids that
 * meta.properties' cluster.id shares. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "broker/topics.h"
#include "storage/file.h"

#define PARTITION_METADATA "partition.metadata"
#define TOPIC_ID_KEY "topic_id: "

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void uuid_to_base64(const uint8_t b[16], char out[23])
{
    uint8_t in[18] = {0};
    memcpy(in, b, 16);
    int n = 0;
    for (int i = 0; i < 18 && n < 22; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        for (int k = 3; k >= 0 && n < 22; k--)
            out[n++] = alphabet[(v >> (6 * k)) & 63];
    }
    out[22] = '\0';
}

/* The 22 characters back to 16 bytes; false for anything else. */
static bool uuid_from_base64(const char *s, uint8_t b[16])
{
    uint8_t bits[17] = {0};
    for (int i = 0; i < 22; i++) {
        const char *c = s[i] ? strchr(alphabet, s[i]) : NULL;
        if (!c)
            return false;
        unsigned v = (unsigned)(c - alphabet);
        int at = i * 6; /* bit position of its first bit */
        for (int k = 5; k >= 0; k--, at++)
            if (v >> k & 1)
                bits[at / 8] |= (uint8_t)(0x80 >> (at % 8));
    }
    if (bits[16] || s[22])
        return false; /* the 4 spare bits must be zero: one spelling per id */
    memcpy(b, bits, 16);
    return true;
}

bool partition_metadata_read(const char *partition_dir, kl_uuid_t *id)
{
    char path[4200], text[128];
    snprintf(path, sizeof path, "%s/%s", partition_dir, PARTITION_METADATA);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *line = strstr(text, "\n" TOPIC_ID_KEY), *end;
    if (strncmp(text, "version: 0\n", 11) || !line)
        return false;
    line += 1 + strlen(TOPIC_ID_KEY);
    if ((end = strchr(line, '\n')) != NULL)
        *end = '\0';
    return uuid_from_base64(line, id->b);
}

kl_err_t partition_metadata_write(const char *partition_dir, const kl_uuid_t *id)
{
    kl_uuid_t found;
    if (partition_metadata_read(partition_dir, &found) && !memcmp(found.b, id->b, sizeof id->b))
        return KL_ERR_NONE;
    char path[4200], tmp[4300], b64[23];
    snprintf(path, sizeof path, "%s/%s", partition_dir, PARTITION_METADATA);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    uuid_to_base64(id->b, b64);
    FILE *f = fopen(tmp, "we");
    bool ok = f && fprintf(f, "version: 0\n" TOPIC_ID_KEY "%s\n", b64) > 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f)
        ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0 || !kl_fsync_dir(partition_dir)) {
        unlink(tmp);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    return KL_ERR_NONE;
}
