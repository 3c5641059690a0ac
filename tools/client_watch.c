/* The client subcommands' reports of what they wait for: see
 * client_watch.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client_opts.h"
#include "client_watch.h"
#include "progress_line.h"

void cli_watch_init(cli_watch_t *w, const char *prog, kl_conf_t *conf, void *opaque)
{
    memset(w, 0, sizeof *w);
    w->prog = prog;
    kl_conf_set_log_cb(conf, cli_watch_log);
    kl_conf_set_opaque(conf, opaque);
}

/* "HOST:PORT/NAME: connection down: REASON" */
static bool note_down(cli_watch_t *w, const char *message)
{
    const char *tag = strstr(message, ": connection down: ");
    if (!tag)
        return false;
    size_t addr_len = strcspn(message, "/:");
    const char *slash = memchr(message, '/', (size_t)(tag - message));
    if (slash)
        addr_len = (size_t)(slash - message);
    snprintf(w->down_addr, sizeof w->down_addr, "%.*s", (int)addr_len, message);
    snprintf(w->down_why, sizeof w->down_why, "%s", tag + strlen(": connection down: "));
    if (!w->down_since_us) {
        w->down_since_us = cli_now_us();
        w->next_note_us = w->down_since_us; /* say it at the next tick */
    }
    return true;
}

/* "topic NAME does not exist (yet): ..." */
static bool note_missing(cli_watch_t *w, const char *facility, const char *message)
{
    const char *end = strstr(message, " does not exist");
    if (strcmp(facility, "TOPIC") || strncmp(message, "topic ", 6) || !end)
        return false;
    snprintf(w->missing_topic, sizeof w->missing_topic, "%.*s", (int)(end - message - 6), message + 6);
    return true;
}

void cli_watch_log(void *opaque, int level, const char *facility, const char *message)
{
    cli_watch_t *w = opaque;
    (void)level;
    if (note_down(w, message) || note_missing(w, facility, message))
        return;
    progress_line_clear();
    fprintf(stderr, "%s: %s: %s\n", w->prog, facility, message);
}

void cli_watch_progress(cli_watch_t *w)
{
    w->down_addr[0] = '\0';
    w->down_since_us = 0;
}

void cli_watch_tick(cli_watch_t *w, const char *waiting, int64_t until_us)
{
    int64_t now = cli_now_us();
    if (!w->down_addr[0] || now < w->next_note_us)
        return;
    w->next_note_us = now + CLI_WATCH_NOTE_EVERY_US;
    char until[32] = "stopped (Ctrl-C)";
    if (until_us > 0) {
        time_t when = time(NULL) + (time_t)((until_us - now) / 1000000);
        struct tm tm;
        if (localtime_r(&when, &tm))
            strftime(until, sizeof until, "%H:%M:%S", &tm);
    }
    progress_line_clear();
    fprintf(stderr, "%s: cannot reach %s (%s) for %llds, waiting for %s; trying until %s\n", w->prog, w->down_addr,
            w->down_why, (long long)((now - w->down_since_us) / 1000000), waiting, until);
}
