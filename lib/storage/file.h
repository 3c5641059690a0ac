/* A reference-counted open file of the partition log. A segment holds one
 * reference to each of its files; a read range or a flush in progress holds
 * another, so a segment deleted by retention stays readable (its unlinked
 * file stays open) until the last holder lets go. */
#ifndef KL_STORAGE_FILE_H
#define KL_STORAGE_FILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct kl_file {
    int fd;
    atomic_uint refs;
} kl_file_t;

/* open(2) with O_CLOEXEC added; one reference. NULL with errno set. */
kl_file_t *kl_file_open(const char *path, int flags, mode_t mode);
/* Takes one more reference; any thread. */
kl_file_t *kl_file_ref(kl_file_t *file);
/* Drops a reference (NULL is ignored); the last one closes the file. Any
 * thread. */
void kl_file_unref(kl_file_t *file);

/* pwrite(2) until done: false on any error (EINTR retried). */
bool kl_pwrite_all(int fd, const void *data, size_t len, uint64_t position);
/* fsync(2) of a directory, so the files created or renamed in it stay. */
bool kl_fsync_dir(const char *dir);
/* The file's modification time in milliseconds, INT64_MAX when fstat(2)
 * fails. */
int64_t kl_file_mtime_ms(int fd);
/* pread(2) until len bytes or end of file: the count, or -1 on error. */
ssize_t kl_pread_full(int fd, void *data, size_t len, uint64_t position);

#endif
