/* Lines of a file descriptor: see line_input.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "line_input.h"

#define READ_CHUNK 65536
#define AVAILABLE_MAX (1u << 20) /* what line_input_stop_at_available() still takes, at most */

void line_input_init(line_input_t *in, int fd)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
}

void line_input_free(line_input_t *in)
{
    free(in->buf);
    in->buf = NULL;
}

void line_input_stop_at_available(line_input_t *in)
{
    int n = 0;
    in->limited = true;
    in->limit = ioctl(in->fd, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
    if (in->limit > AVAILABLE_MAX)
        in->limit = AVAILABLE_MAX;
}

/* Reads more bytes after the unread ones: 1, 0 at the end, -1 on error. */
static int fill(line_input_t *in)
{
    if (in->eof || (in->limited && in->limit == 0))
        return 0;
    if (in->start > 0) { /* keep the unread bytes at the front */
        memmove(in->buf, in->buf + in->start, in->len);
        in->start = 0;
    }
    if (in->cap - in->len < READ_CHUNK) {
        size_t cap = in->cap ? in->cap * 2 : READ_CHUNK * 2;
        char *grown = realloc(in->buf, cap);
        if (!grown) {
            in->err = ENOMEM;
            return -1;
        }
        in->buf = grown;
        in->cap = cap;
    }
    size_t want = in->cap - in->len;
    if (in->limited && want > in->limit)
        want = in->limit;
    ssize_t n = read(in->fd, in->buf + in->len, want);
    if (n < 0) {
        in->err = errno;
        return -1;
    }
    if (n == 0) {
        in->eof = true;
        return 0;
    }
    in->len += (size_t)n;
    if (in->limited)
        in->limit -= (size_t)n;
    return 1;
}

int line_input_next(line_input_t *in, char **line, size_t *len)
{
    size_t scanned = 0;
    for (;;) {
        char *start = in->buf ? in->buf + in->start : NULL;
        char *nl = in->len > scanned ? memchr(start + scanned, '\n', in->len - scanned) : NULL;
        if (nl) {
            *line = start;
            *len = (size_t)(nl - start);
            in->start += *len + 1;
            in->len -= *len + 1;
            return 1;
        }
        scanned = in->len;
        int rc = fill(in);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (!in->len)
                return 0;
            *line = in->buf + in->start; /* a last line without its newline */
            *len = in->len;
            in->start += in->len;
            in->len = 0;
            return 1;
        }
    }
}
