/* What the crash loop damages between kills, and why that is fair.
 *
 * The promise checked is Kafka's with acks=all on one node and no fsync:
 * an acknowledged message survives a crash of the broker process. Bytes
 * of an acknowledged batch that are damaged on disk cannot be restored by
 * anyone, so no promise covers them and they are never touched. What a
 * process crash can leave, and recovery must cope with without losing
 * anything acknowledged, is:
 * - a torn or corrupt last batch that no acknowledgement covers (a write
 *   cut short by the kill): when none of the last batch's records was
 *   acknowledged (the producers have seen the connection drop, so no
 *   answer for it is still on its way), it is cut short by some bytes or
 *   has a byte flipped; otherwise a torn copy of it, with a flipped byte,
 *   is appended after it;
 * - index and time index tails that do not match the log (entries
 *   written or not, partly written): their last bytes are cut, flipped,
 *   or garbage is appended. Indexes are derived from the log, so damage
 *   there must never lose a record.
 * The retry of a cut batch, by librdkafka, writes it again. */
#include "crash_damage.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/batch.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

/* The base offset of the newest segment in dir, or -1. */
static long long active_base(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long long best = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l == 24 && !strcmp(e->d_name + 20, ".log") && atoll(e->d_name) > best)
            best = atoll(e->d_name);
    }
    closedir(d);
    return best;
}

/* Whether any record of b was acknowledged. */
static bool batch_acked(const kl_batch_t *b, crash_acked_fn *acked, void *opaque)
{
    kl_record_iter_t ri;
    kl_record_t rec;
    bool any = false;
    kl_record_iter_init(&ri, 0);
    ck_assert_int_eq(kl_record_iter_start(&ri, b), KL_ERR_NONE);
    while (!any && kl_record_iter_next(&ri, &rec) == KL_ERR_NONE) {
        char num[32];
        ck_assert_uint_lt(rec.value_len, sizeof num);
        memcpy(num, rec.value, rec.value_len);
        num[rec.value_len] = '\0';
        any = acked(opaque, strtoll(num, NULL, 10));
    }
    kl_record_iter_free(&ri);
    return any;
}

static void write_at(const char *path, const void *data, size_t len, off_t at)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, data, len, at), (ssize_t)len);
    close(fd);
}

/* The log's tail: returns what was done. */
static const char *damage_log(const char *path, unsigned *seed, crash_acked_fn *acked, void *opaque)
{
    size_t len;
    uint8_t *data = slurp(path, &len);
    ck_assert_ptr_nonnull(data);
    kl_batch_iter_t it;
    kl_batch_iter_init(&it, data, len, 0);
    kl_batch_t b;
    size_t start = 0, end = 0;
    bool found = false;
    while (kl_batch_iter_next(&it, &b) == KL_ERR_NONE) {
        start = end;
        end = kl_batch_iter_offset(&it);
        found = true;
    }
    const char *what = "log: nothing";
    if (found) {
        kl_batch_iter_init(&it, data + start, end - start, 0);
        ck_assert_int_eq(kl_batch_iter_next(&it, &b), KL_ERR_NONE);
        size_t size = end - start;
        if (!batch_acked(&b, acked, opaque)) {
            if (rand_r(seed) % 2) {
                ck_assert_int_eq(truncate(path, (off_t)(end - 1 - (size_t)rand_r(seed) % size)), 0);
                what = "log: unacknowledged last batch cut short";
            } else {
                size_t at = start + (size_t)rand_r(seed) % size;
                uint8_t byte = data[at] ^ 0xff;
                write_at(path, &byte, 1, (off_t)at);
                what = "log: byte flipped in the unacknowledged last batch";
            }
        } else {
            size_t torn = 1 + (size_t)rand_r(seed) % (size - 1);
            data[start + (size_t)rand_r(seed) % torn] ^= 0x5a;
            write_at(path, data + start, torn, (off_t)len);
            what = "log: torn copy of the acknowledged last batch appended";
        }
    }
    free(data);
    return what;
}

/* An index file's tail: cut, flipped or grown by garbage. */
static const char *damage_index(const char *path, unsigned *seed)
{
    size_t len;
    uint8_t *data = slurp(path, &len);
    if (!data)
        return "index: missing";
    const char *what;
    int choice = rand_r(seed) % 3;
    if (choice == 0 && len > 0) {
        ck_assert_int_eq(truncate(path, (off_t)(len - 1 - (size_t)rand_r(seed) % (len < 12 ? len : 12))), 0);
        what = "index tail cut";
    } else if (choice == 1 && len > 0) {
        size_t at = len - 1 - (size_t)rand_r(seed) % (len < 12 ? len : 12);
        uint8_t byte = data[at] ^ (uint8_t)(1 + rand_r(seed) % 255);
        write_at(path, &byte, 1, (off_t)at);
        what = "index tail byte flipped";
    } else {
        uint8_t junk[11];
        size_t n = 1 + (size_t)rand_r(seed) % sizeof junk;
        for (size_t i = 0; i < n; i++)
            junk[i] = (uint8_t)rand_r(seed);
        write_at(path, junk, n, (off_t)len);
        what = "index garbage appended";
    }
    free(data);
    return what;
}

bool crash_damage(const char *dir, unsigned *seed, crash_acked_fn *acked, void *opaque, char *what, size_t size)
{
    long long base = active_base(dir);
    if (base < 0)
        return false;
    char path[512];
    snprintf(path, sizeof path, "%s/%020lld.log", dir, base);
    const char *log = damage_log(path, seed, acked, opaque);
    snprintf(path, sizeof path, "%s/%020lld.index", dir, base);
    const char *index = rand_r(seed) % 2 ? damage_index(path, seed) : "index: untouched";
    snprintf(path, sizeof path, "%s/%020lld.timeindex", dir, base);
    const char *timeindex = rand_r(seed) % 2 ? damage_index(path, seed) : "untouched";
    snprintf(what, size, "%s; %s; timeindex: %s", log, index, timeindex);
    return true;
}
