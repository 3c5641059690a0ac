/* The lib/storage suites' shared fixture: see storage_fixture.h. */
#include "storage_fixture.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/batch.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void fixture_setup(fixture_t *f)
{
    memset(f, 0, sizeof *f);
    strcpy(f->root, "/tmp/kl-storage-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->root));
    kl_log_config_init(&f->config);
    f->now = T0;
}

void fixture_open(fixture_t *f)
{
    ck_assert_int_eq(kl_log_open(f->root, TOPIC, 0, &f->config, &f->log), KL_ERR_NONE);
}

void fixture_init(fixture_t *f, uint64_t segment_bytes, uint64_t index_interval)
{
    fixture_setup(f);
    f->config.segment_bytes = segment_bytes;
    f->config.index_interval_bytes = index_interval;
    fixture_open(f);
}

void fixture_reopen(fixture_t *f)
{
    kl_log_close(f->log);
    f->log = NULL;
    fixture_open(f);
}

void fixture_free(fixture_t *f)
{
    kl_log_close(f->log);
    for (size_t i = 0; i < f->count; i++)
        free(f->batches[i]);
    chmod(f->root, 0755);
    nftw(f->root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

uint8_t *make_batch(int seed, size_t value_len, int64_t ts0, int64_t step, size_t *len)
{
    kl_batch_writer_t w;
    kl_batch_params_t params;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&params);
    ck_assert_int_eq(kl_batch_writer_open(&w, &params), KL_ERR_NONE);
    char *value = malloc(value_len);
    for (int r = 0; r < RECORDS_PER_BATCH; r++) {
        memset(value, 'a' + (seed + r) % 26, value_len);
        char key[32];
        int key_len = snprintf(key, sizeof key, "key-%d-%d", seed, r);
        ck_assert_int_eq(kl_batch_writer_append(&w, ts0 + r * step, key, (size_t)key_len, value, value_len, NULL, 0),
                         KL_ERR_NONE);
    }
    free(value);
    const uint8_t *data;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, len), KL_ERR_NONE);
    uint8_t *out = kl_batch_writer_take(&w, len);
    kl_batch_writer_free(&w);
    return out;
}

void append_stamped(fixture_t *f, size_t value_len, int64_t ts0, int64_t step)
{
    ck_assert_uint_lt(f->count, MAX_BATCHES);
    size_t len;
    uint8_t *b = make_batch((int)f->count, value_len, ts0, step, &len);
    kl_log_append_info_t info;
    int64_t expect = kl_log_end_offset(f->log);
    ck_assert_int_eq(kl_log_append_at(f->log, b, len, f->now, &info), KL_ERR_NONE);
    ck_assert_int_eq(info.base_offset, expect);
    ck_assert_int_eq(info.last_offset, info.base_offset + RECORDS_PER_BATCH - 1);
    for (int r = 0; r < RECORDS_PER_BATCH; r++)
        f->stamps[f->count][r] = info.log_append_time >= 0 ? info.log_append_time : ts0 + r * step;
    f->batches[f->count] = b;
    f->sizes[f->count] = len;
    f->offsets[f->count] = info.base_offset;
    f->count++;
}

void append_batches(fixture_t *f, size_t n, size_t value_len)
{
    for (size_t i = 0; i < n; i++)
        append_stamped(f, value_len, T0 + (int64_t)f->count, 0);
}

void fixture_forget_one(fixture_t *f, size_t i)
{
    free(f->batches[i]);
    size_t after = f->count - i - 1;
    memmove(&f->batches[i], &f->batches[i + 1], after * sizeof f->batches[0]);
    memmove(&f->sizes[i], &f->sizes[i + 1], after * sizeof f->sizes[0]);
    memmove(&f->offsets[i], &f->offsets[i + 1], after * sizeof f->offsets[0]);
    memmove(&f->stamps[i], &f->stamps[i + 1], after * sizeof f->stamps[0]);
    f->count--;
}

void flip_bytes(const char *path, off_t at, size_t n)
{
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t byte;
        ck_assert_int_eq(pread(fd, &byte, 1, at + (off_t)i), 1);
        byte ^= 0x5a;
        ck_assert_int_eq(pwrite(fd, &byte, 1, at + (off_t)i), 1);
    }
    close(fd);
}

void fixture_forget_from(fixture_t *f, size_t keep)
{
    for (size_t i = keep; i < f->count; i++)
        free(f->batches[i]);
    f->count = keep;
}

uint8_t *read_range(const kl_log_range_t *r)
{
    uint8_t *bytes = malloc(r->length ? r->length : 1);
    ck_assert_int_eq(pread(r->fd, bytes, r->length, (off_t)r->position), (ssize_t)r->length);
    return bytes;
}

/* Compares the batches of one range with the appended ones from *next on;
 * returns the offset after the last. */
static int64_t check_range(fixture_t *f, const kl_log_range_t *r, size_t *next)
{
    int64_t offset = -1;
    uint8_t *bytes = read_range(r);
    kl_batch_iter_t it;
    kl_batch_t b;
    kl_batch_iter_init(&it, bytes, r->length, 0);
    while (kl_batch_iter_next(&it, &b) == KL_ERR_NONE) {
        ck_assert_uint_lt(*next, f->count);
        ck_assert_int_eq(b.base_offset, f->offsets[*next]);
        ck_assert_uint_eq(b.size, f->sizes[*next]);
        ck_assert_mem_eq(b.data, f->batches[*next], b.size);
        offset = kl_batch_last_offset(&b) + 1;
        (*next)++;
    }
    ck_assert_uint_eq(kl_batch_iter_offset(&it), r->length);
    free(bytes);
    return offset;
}

void check_log_from(fixture_t *f, size_t from)
{
    int64_t leo = f->count ? f->offsets[f->count - 1] + RECORDS_PER_BATCH : kl_log_start_offset(f->log);
    ck_assert_int_eq(kl_log_end_offset(f->log), leo);
    ck_assert_int_eq(kl_log_high_watermark(f->log), leo);
    size_t next = from;
    int64_t offset = from < f->count ? f->offsets[from] : leo;
    /* The log may start inside batch `from` (DeleteRecords). */
    ck_assert_int_le(kl_log_start_offset(f->log), from < f->count ? offset + RECORDS_PER_BATCH - 1 : leo);
    if (offset < kl_log_start_offset(f->log))
        offset = kl_log_start_offset(f->log);
    while (offset < leo) {
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(f->log, offset, 1 << 20, &r), KL_ERR_NONE);
        ck_assert_uint_gt(r.length, 0);
        offset = check_range(f, &r, &next);
        kl_log_range_release(&r);
    }
    ck_assert_uint_eq(next, f->count);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f->log, leo, 1 << 20, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r.length, 0);
    kl_log_range_release(&r);
    ck_assert_int_eq(kl_log_read(f->log, leo + 1, 1 << 20, &r), KL_ERR_OFFSET_OUT_OF_RANGE);
    if (kl_log_start_offset(f->log) > 0)
        ck_assert_int_eq(kl_log_read(f->log, kl_log_start_offset(f->log) - 1, 1 << 20, &r),
                         KL_ERR_OFFSET_OUT_OF_RANGE);
}

void check_log_contents(fixture_t *f)
{
    ck_assert_int_eq(kl_log_start_offset(f->log), 0);
    check_log_from(f, 0);
}

void last_segment_path(fixture_t *f, const char *suffix, char *out, size_t out_len)
{
    DIR *d = opendir(kl_log_dir(f->log));
    ck_assert_ptr_nonnull(d);
    char best[64] = "";
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strlen(e->d_name) == 20 + strlen(suffix) && strcmp(e->d_name + 20, suffix) == 0 &&
            strcmp(e->d_name, best) > 0)
            strcpy(best, e->d_name);
    closedir(d);
    ck_assert_str_ne(best, "");
    snprintf(out, out_len, "%s/%s", kl_log_dir(f->log), best);
}

void segment_file_path(fixture_t *f, int64_t base, const char *suffix, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/%s-0/%020" PRId64 "%s", f->root, TOPIC, base, suffix);
}

off_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

uint8_t *slurp(const char *path, off_t *len)
{
    *len = file_size(path);
    uint8_t *bytes = malloc((size_t)*len + 1);
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(read(fd, bytes, (size_t)*len), (ssize_t)*len);
    close(fd);
    return bytes;
}

size_t count_segment_files(fixture_t *f)
{
    DIR *d = opendir(kl_log_dir(f->log));
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strlen(e->d_name) == 24 && strcmp(e->d_name + 20, ".log") == 0;
    closedir(d);
    return n;
}
