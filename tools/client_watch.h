/* What the client subcommands (produce, consume, perf) say while they
 * wait: the library's log lines go through cli_watch_log(), which keeps
 * the last connection failure (address and reason) and a topic the
 * cluster says does not exist, and cli_watch_tick(), called from the
 * command's loop, repeats every few seconds whom the command is trying to
 * reach, why that failed and until when it keeps trying. Other log lines
 * are printed as "prog: FACILITY: message". */
#ifndef KL_TOOLS_CLIENT_WATCH_H
#define KL_TOOLS_CLIENT_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <kafkalite.h>

#define CLI_WATCH_NOTE_EVERY_US 5000000

typedef struct cli_watch {
    const char *prog;
    char down_addr[128];      /* the broker last seen failing, "" when none */
    char down_why[256];
    int64_t down_since_us;    /* when the current failure began */
    int64_t next_note_us;
    char missing_topic[256];  /* a topic the cluster said does not exist, "" */
} cli_watch_t;

/* Sets conf's log callback to cli_watch_log() and its opaque to opaque,
 * which must point to a cli_watch_t or to a struct that starts with one
 * (the delivery callback gets the same pointer). */
void cli_watch_init(cli_watch_t *w, const char *prog, kl_conf_t *conf, void *opaque);

/* The log callback (runs inside the command's own kl_* calls). */
void cli_watch_log(void *opaque, int level, const char *facility, const char *message);

/* A message was delivered or fetched: the cluster answers again. */
void cli_watch_progress(cli_watch_t *w);

/* While a broker is down and waiting: at most every
 * CLI_WATCH_NOTE_EVERY_US, prints whom it is trying, why that failed and
 * until when (until_us a cli_now_us() deadline, or 0: until stopped).
 * waiting says what for ("3 messages", "topic x"). */
void cli_watch_tick(cli_watch_t *w, const char *waiting, int64_t until_us);

#endif
