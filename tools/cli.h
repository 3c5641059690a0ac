/* The kafkalite command's subcommands: each one is a function taking the
 * arguments after its name, listed in the table of kafkalite.c. Later
 * subcommands (topics, produce, consume, ...) add one entry each. */
#ifndef KL_TOOLS_CLI_H
#define KL_TOOLS_CLI_H

#include <stdio.h>

/* Exit statuses every subcommand uses. */
enum {
    CLI_OK = 0,
    CLI_FAILED = 1, /* a bad configuration, or the work failed */
    CLI_USAGE = 2   /* a malformed command line */
};

typedef int cli_command_fn(int argc, char **argv);

/* `kafkalite broker`: tools/cmd_broker.c. */
int cmd_broker(int argc, char **argv);
void cmd_broker_usage(FILE *out);

/* `kafkalite produce`: tools/cmd_produce.c. */
int cmd_produce(int argc, char **argv);
void cmd_produce_usage(FILE *out);

/* `kafkalite consume`: tools/cmd_consume.c. */
int cmd_consume(int argc, char **argv);
void cmd_consume_usage(FILE *out);

/* `kafkalite perf`: tools/cmd_perf.c. */
int cmd_perf(int argc, char **argv);
void cmd_perf_usage(FILE *out);
/* `kafkalite perf consume`: tools/perf_consume.c. */
int perf_consume(int argc, char **argv);

/* The admin subcommands: tools/cmd_topics.c, cmd_configs.c, cmd_groups.c. */
int cmd_topics(int argc, char **argv);
void cmd_topics_usage(FILE *out);
int cmd_configs(int argc, char **argv);
void cmd_configs_usage(FILE *out);
int cmd_groups(int argc, char **argv);
void cmd_groups_usage(FILE *out);
/* `kafkalite offsets` (kafka-get-offsets.sh): tools/cmd_offsets.c. */
int cmd_offsets(int argc, char **argv);
void cmd_offsets_usage(FILE *out);
/* `kafkalite users`: tools/cmd_users.c. users_run() is the same command
 * run under another name (`kafkalite configs --entity-type users`). */
int cmd_users(int argc, char **argv);
int users_run(const char *name, int argc, char **argv);
void cmd_users_usage(FILE *out);
/* `kafkalite cluster` (kafka-cluster.sh cluster-id): tools/cmd_cluster.c. */
int cmd_cluster(int argc, char **argv);
void cmd_cluster_usage(FILE *out);

#endif
