/* What the client subcommands (produce, consume, perf) share: a client
 * configuration with the command's defaults, -X property=value, numeric
 * option values, and a producer or consumer built from the configuration. Messages go
 * to stderr prefixed with the command's name ("kafkalite produce"). */
#ifndef KL_TOOLS_CLIENT_OPTS_H
#define KL_TOOLS_CLIENT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include <kafkalite.h>

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

/* Parses a whole decimal number in [min, max] given to option opt; prints
 * why not and returns false. */
bool cli_parse_int(const char *prog, char opt, const char *text, int64_t min, int64_t max, int64_t *out);

/* True when an argument is --help (getopt would take it for options). */
bool cli_wants_help(int argc, char **argv);

/* The getopt cases every client subcommand shares: -b bootstrap, -X
 * property=value, -h, and getopt's ':' (missing value) and '?' (unknown
 * option). Call it from the switch's default. CLI_OK to go on (stop when
 * *help was set), else CLI_USAGE or CLI_FAILED with the reason printed. */
int cli_common_opt(kl_conf_t *conf, const char *prog, int opt, char **argv, bool *help);

/* After getopt: CLI_USAGE (reason printed) for a left-over operand or, when
 * topic_required, no -t; else CLI_OK. */
int cli_check_operands(const char *prog, int argc, char **argv, const char *topic, bool topic_required);

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

/* Monotonic clock, in microseconds. */
int64_t cli_now_us(void);

#endif
