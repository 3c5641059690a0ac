/* The kafkalite command: finds the subcommand named by the first argument
 * in a table and runs it. `kafkalite` alone prints a short usage,
 * `kafkalite --help` the list of subcommands. */
#include <stdio.h>
#include <string.h>

#include <kafkalite.h>

#include "cli.h"

typedef struct cli_command {
    const char *name;
    const char *summary;
    cli_command_fn *run;
    void (*usage)(FILE *out);
} cli_command_t;

static const cli_command_t commands[] = {
    {"broker", "run an embedded broker in the foreground", cmd_broker, cmd_broker_usage},
    {"produce", "produce lines of standard input as messages", cmd_produce, cmd_produce_usage},
    {"consume", "print the messages of a topic", cmd_consume, cmd_consume_usage},
    {"perf", "load generators: perf produce, perf consume", cmd_perf, cmd_perf_usage},
    {"topics", "create, list, describe, alter and delete topics", cmd_topics, cmd_topics_usage},
    {"configs", "describe and alter topic, broker and group configs and client quotas", cmd_configs, cmd_configs_usage},
    {"groups", "list, describe, delete consumer groups and reset their offsets", cmd_groups, cmd_groups_usage},
    {"offsets", "the offsets of partitions: latest, earliest or at a time", cmd_offsets, cmd_offsets_usage},
    {"users", "add, list and delete SCRAM users (kafka-configs --entity-type users)", cmd_users, cmd_users_usage},
    {"cluster", "print the cluster id (kafka-cluster.sh cluster-id)", cmd_cluster, cmd_cluster_usage},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: kafkalite <command> [arguments]\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`kafkalite <command> --help` describes a command; see kafkalite(1).\n");
}

static const cli_command_t *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        const cli_command_t *cmd = argc > 2 ? find_command(argv[2]) : NULL;
        if (cmd)
            cmd->usage(stdout);
        else
            usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(name, "--version")) {
        printf("kafkalite %s\n", kl_version_str());
        return CLI_OK;
    }
    const cli_command_t *cmd = find_command(name);
    if (!cmd) {
        fprintf(stderr, "kafkalite: unknown command \"%s\"\n\n", name);
        usage(stderr);
        return CLI_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
