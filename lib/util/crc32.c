/* CRC-32 (IEEE, reflected polynomial 0xEDB88320): see crc32.h. zlib's
 * implementation is faster when it is there; the fallback is a plain
 * byte-at-a-time table, enough for legacy messages and partitioning. */
#include "config.h"

#include "util/crc32.h"

#ifdef WITH_ZLIB
#include <limits.h>
#include <zlib.h>

uint32_t kl_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    uLong c = crc;
    while (len) {
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
        c = crc32(c, p, n);
        p += n;
        len -= n;
    }
    return (uint32_t)c;
}

#else
#include <pthread.h>

static uint32_t crc32_table[256];
static pthread_once_t crc32_once = PTHREAD_ONCE_INIT;

static void crc32_build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        crc32_table[i] = c;
    }
}

uint32_t kl_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    pthread_once(&crc32_once, crc32_build_table);
    crc = ~crc;
    while (len--)
        crc = (crc >> 8) ^ crc32_table[(crc ^ *p++) & 0xff];
    return ~crc;
}
#endif
