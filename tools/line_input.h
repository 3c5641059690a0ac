/* Lines of a file descriptor (standard input for `kafkalite produce`),
 * read with read(2) into a buffer of the command's own so that it knows
 * what was read and not yet handed out: after SIGINT the lines a pipe
 * already holds can still be taken, without waiting for more. */
#ifndef KL_TOOLS_LINE_INPUT_H
#define KL_TOOLS_LINE_INPUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct line_input {
    int fd;
    char *buf;
    size_t start, len, cap; /* unread bytes: buf[start .. start+len) */
    size_t limit;           /* with a limit set: bytes still to read, then the end */
    bool limited, eof;
    int err;                /* errno of a failed read, 0 */
} line_input_t;

void line_input_init(line_input_t *in, int fd);
void line_input_free(line_input_t *in);

/* The next line without its newline (the last one may lack it): 1 with
 * *line and *len set (valid until the next call), 0 at the end, -1 when a
 * read failed (in->err; EINTR when a signal interrupted it). */
int line_input_next(line_input_t *in, char **line, size_t *len);

/* From now on reads only what the descriptor holds at this moment (what a
 * pipe's writer has already written; at most 1 MiB), then ends. */
void line_input_stop_at_available(line_input_t *in);

#endif
