/* Offset checkpoint files: Kafka's text format, written through a
 * temporary file and a rename so a crash leaves the old file or the new
 * one, never a torn one. See checkpoint.h. */
#include "storage/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/file.h"

/* Longest file read: the three lines with a topic of Kafka's 249-byte
 * maximum fit well within it. */
#define CHECKPOINT_MAX_SIZE 1024

/* dir/name + suffix, or NULL when out of memory. */
static char *checkpoint_path(const char *dir, const char *name, const char *suffix)
{
    char *path;
    return asprintf(&path, "%s/%s%s", dir, name, suffix) < 0 ? NULL : path;
}

kl_err_t kl_checkpoint_write(const char *dir, const char *name, const char *topic, int32_t partition,
                             int64_t offset)
{
    char *text;
    int len = asprintf(&text, "0\n1\n%s %" PRId32 " %" PRId64 "\n", topic, partition, offset);
    if (len < 0)
        return KL_ERR_NOMEM;
    char *path = checkpoint_path(dir, name, ""), *tmp = checkpoint_path(dir, name, ".tmp");
    if (!path || !tmp) {
        free(text);
        free(path);
        free(tmp);
        return KL_ERR_NOMEM;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && kl_pwrite_all(fd, text, (size_t)len, 0) && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, path) == 0 && kl_fsync_dir(dir);
    if (!ok)
        unlink(tmp);
    free(text);
    free(path);
    free(tmp);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

/* Reads a non-negative decimal number ending at `end`; advances *p. */
static bool parse_number(const char **p, char end, int64_t *value)
{
    const char *s = *p;
    int64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (INT64_MAX - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (*s != end)
        return false;
    *p = s + 1;
    *value = v;
    return true;
}

/* "0\n1\n<topic> <partition> <offset>\n" and nothing else. */
static bool parse_checkpoint(const char *text, const char *topic, int32_t partition, int64_t *offset)
{
    size_t topic_len = strlen(topic);
    const char *p = text;
    int64_t version, count, part;
    if (!parse_number(&p, '\n', &version) || version != 0 || !parse_number(&p, '\n', &count) || count != 1)
        return false;
    if (strncmp(p, topic, topic_len) != 0 || p[topic_len] != ' ')
        return false;
    p += topic_len + 1;
    return parse_number(&p, ' ', &part) && part == partition && parse_number(&p, '\n', offset) && *p == '\0';
}

kl_err_t kl_checkpoint_read(const char *dir, const char *name, const char *topic, int32_t partition,
                            int64_t *offset)
{
    char *path = checkpoint_path(dir, name, "");
    if (!path)
        return KL_ERR_NOMEM;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return errno == ENOENT ? KL_ERR_NOENT : KL_ERR_KAFKA_STORAGE_ERROR;
    char text[CHECKPOINT_MAX_SIZE + 1];
    ssize_t got = kl_pread_full(fd, text, CHECKPOINT_MAX_SIZE, 0);
    close(fd);
    if (got < 0)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    text[got] = '\0';
    if ((size_t)got == strlen(text) && parse_checkpoint(text, topic, partition, offset))
        return KL_ERR_NONE;
    return KL_ERR_BAD_MSG;
}

kl_err_t kl_checkpoint_remove(const char *dir, const char *name)
{
    char *path = checkpoint_path(dir, name, "");
    if (!path)
        return KL_ERR_NOMEM;
    bool ok = (unlink(path) == 0 || errno == ENOENT) && kl_fsync_dir(dir);
    free(path);
    return ok ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}
