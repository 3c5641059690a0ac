/* What the client subcommands (produce, consume, perf) share: a client
 * configuration with the command's defaults, -X property=value, numeric
 * option values, and a producer or consumer built from the configuration. Messages go
 * to stderr prefixed with the command's name ("kafkalite produce"). */
#ifndef KL_TOOLS_CLIENT_OPTS_H
#define KL_TOOLS_CLIENT_OPTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <kafkalite.h>

#include "opt_table.h"

/* -b's default, as Kafka's scripts have it. */
#define CLI_DEFAULT_BOOTSTRAP "localhost:9092"

/* A client configuration with bootstrap.servers at CLI_DEFAULT_BOOTSTRAP;
 * NULL (message printed) when out of memory. */
kl_conf_t *cli_conf_new(const char *prog);

/* Sets one property. CLI_OK, or CLI_FAILED with the library's message
 * (unknown name, bad value) printed. */
int cli_conf_set(kl_conf_t *conf, const char *prog, const char *name, const char *value);

/* Sets "name=value" as given to -X. CLI_USAGE when there is no '=' or no
 * name; otherwise as cli_conf_set(). */
int cli_conf_set_arg(kl_conf_t *conf, const char *prog, const char *arg);

/* Ids of the options every subcommand shares (cli_client_opts and the
 * per-command aliases such as --producer-property), handled by
 * cli_client_opt(). Command ids stay below CLI_OPT_SHARED. */
enum {
    CLI_OPT_SHARED = 1000,
    CLI_OPT_BOOTSTRAP = CLI_OPT_SHARED, /* -b, --bootstrap-server, --broker-list */
    CLI_OPT_PROPERTY,                   /* -X, --producer-property, ...: name=value */
    CLI_OPT_CONFIG_FILE,                /* --producer.config, --command-config, ...: a properties file */
    CLI_OPT_HELP                        /* -h, --help */
};

/* -b/--bootstrap-server/--broker-list, -X and -h/--help. */
extern const opt_spec_t cli_client_opts[];

/* Applies a shared option (id >= CLI_OPT_SHARED) to conf; sets *help for
 * -h. CLI_OK, CLI_USAGE or CLI_FAILED with the reason printed. */
int cli_client_opt(kl_conf_t *conf, const opt_parser_t *p, int id, bool *help);

/* Sets every property of a Java properties file (Kafka's --producer.config
 * and friends). CLI_OK, or CLI_FAILED naming the file and line. */
int cli_conf_load_file(kl_conf_t *conf, const char *prog, const char *path);

/* The usual end of a command's option loop for an id it does not know
 * itself: OPT_OPERAND is an unexpected argument (CLI_USAGE), OPT_ERROR
 * CLI_USAGE (already printed), a shared id goes to cli_client_opt(). */
int cli_other_opt(kl_conf_t *conf, const opt_parser_t *p, int id, bool *help);

/* Reads --format's value (p->value): text (*json false) or json (true).
 * False with the reason printed, prefixed with p->prog, for anything
 * else; hint, when not NULL, is added to the message. */
bool cli_format_opt(const opt_parser_t *p, bool *json, const char *hint);

/* A producer from conf (NULL, message printed, when the library refuses
 * the configuration). */
kl_producer_t *cli_producer_new(const kl_conf_t *conf, const char *prog);

/* A consumer from conf (NULL, message printed, when the library refuses
 * the configuration). */
kl_consumer_t *cli_consumer_new(const kl_conf_t *conf, const char *prog);

/* Starts reading topic: through the group when conf has group.id
 * (kl_subscribe(); where to start is auto.offset.reset's business), else
 * by assigning partition (or, with KL_PARTITION_UA, every partition of the
 * topic, from the metadata an admin client made from conf describes) at
 * offset. CLI_OK, or CLI_FAILED with the reason printed. */
int cli_consumer_start(kl_consumer_t *consumer, const kl_conf_t *conf, const char *prog, const char *topic,
                       bool group, int32_t partition, int64_t offset);

/* SIGINT and SIGTERM counted (and the last one kept) instead of killing the
 * command; installed without SA_RESTART so a blocked read returns. */
extern volatile sig_atomic_t cli_signals_seen, cli_last_signal;
void cli_catch_signals(void);

/* Says on stderr that the command still waits for the cluster (the
 * bootstrap servers of conf) about what, and until when (a monotonic
 * cli_now_us() deadline, shown as the local time). */
void cli_note_wait(const kl_conf_t *conf, const char *prog, const char *what, int64_t until_us);

/* Monotonic clock, in microseconds. */
int64_t cli_now_us(void);

#endif
