/* Reference-counted files and the whole-buffer positional I/O the segment
 * code uses. See file.h. */
#include "storage/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

kl_file_t *kl_file_open(const char *path, int flags, mode_t mode)
{
    kl_file_t *file = malloc(sizeof *file);
    if (!file) {
        errno = ENOMEM;
        return NULL;
    }
    file->fd = open(path, flags | O_CLOEXEC, mode);
    if (file->fd < 0) {
        int saved = errno;
        free(file);
        errno = saved;
        return NULL;
    }
    atomic_init(&file->refs, 1);
    return file;
}

kl_file_t *kl_file_ref(kl_file_t *file)
{
    atomic_fetch_add_explicit(&file->refs, 1, memory_order_relaxed);
    return file;
}

void kl_file_unref(kl_file_t *file)
{
    if (!file || atomic_fetch_sub_explicit(&file->refs, 1, memory_order_acq_rel) != 1)
        return;
    close(file->fd);
    free(file);
}

bool kl_pwrite_all(int fd, const void *data, size_t len, uint64_t position)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)position);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        position += (uint64_t)n;
    }
    return true;
}

ssize_t kl_pread_full(int fd, void *data, size_t len, uint64_t position)
{
    uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, p + done, len - done, (off_t)(position + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

bool kl_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

int64_t kl_file_mtime_ms(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return INT64_MAX;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}
