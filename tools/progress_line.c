/* The terminal progress line: see progress_line.h. */
#include "progress_line.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "client_opts.h"

static struct {
    bool on, shown;
    int64_t next_us;
} line;

void progress_line_start(bool enabled)
{
    line.on = enabled && isatty(STDERR_FILENO);
    line.shown = false;
    line.next_us = cli_now_us() + PROGRESS_LINE_EVERY_US;
}

bool progress_line_due(void)
{
    return line.on && cli_now_us() >= line.next_us;
}

void progress_line_update(const char *fmt, ...)
{
    if (!progress_line_due())
        return;
    line.next_us = cli_now_us() + PROGRESS_LINE_EVERY_US;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\033[K", stderr);
    va_end(ap);
    fflush(stderr);
    line.shown = true;
}

void progress_line_clear(void)
{
    if (!line.shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    line.shown = false;
}
