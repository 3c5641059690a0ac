/* `kafkalite cluster`: what kafka-cluster.sh tells of the cluster as a
 * whole. Its one action, cluster-id (written as Kafka's subcommand or as
 * --cluster-id like the other commands' actions), prints the id the
 * brokers report in Metadata: "Cluster ID: <id>". */
#include <stdio.h>
#include <string.h>

#include "admin_cli.h"
#include "json_out.h"

void cmd_cluster_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite cluster [-b HOST:PORT] [-X property=value]... cluster-id\n"
            "\n"
            "Actions:\n"
            "  cluster-id, --cluster-id\n"
            "                        print the cluster's id as kafka-cluster.sh cluster-id\n"
            "                        does: \"Cluster ID: <id>\"\n"
            "\n"
            "Options:\n" ADMIN_CLI_COMMON_HELP);
}

enum { OPT_CLUSTER_ID = 1 };

static const opt_spec_t cluster_opts[] = {
    {"cluster-id", 0, OPT_FLAG, OPT_CLUSTER_ID},
    {NULL, 0, 0, 0},
};

static int parse(admin_cli_t *cli, int argc, char **argv)
{
    bool asked = false;
    int id, rc = CLI_OK;
    admin_cli_start(cli, argc, argv, cluster_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        if (id == OPT_CLUSTER_ID || (id == OPT_OPERAND && !strcmp(cli->opts.value, "cluster-id")))
            asked = true;
        else if (id == OPT_OPERAND)
            rc = admin_cli_usage(cli, "the action is cluster-id, not \"%s\" (kafkalite has no unregister: "
                                      "its broker is the whole cluster)", cli->opts.value);
        else
            rc = admin_cli_other(cli, id);
    }
    if (rc == CLI_OK && !asked)
        rc = admin_cli_usage(cli, "say what to do: cluster-id");
    return rc;
}

static int cluster_id(admin_cli_t *cli)
{
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, NULL, 0, cli->timeout_ms, &t);
    if (err)
        return admin_cli_fail(cli, "cannot ask the cluster: %s", admin_cli_err(err, NULL));
    int status = CLI_OK;
    if (t->cluster_id && cli->json) { /* see kafkalite-cluster(1) */
        json_out_t j;
        json_begin(&j, stdout);
        json_str(&j, "cluster_id", t->cluster_id);
        json_int(&j, "controller_id", t->controller_id);
        json_end(&j);
    } else if (t->cluster_id) {
        printf("Cluster ID: %s\n", t->cluster_id);
    } else
        status = admin_cli_fail(cli, "the broker does not tell its cluster id (Metadata before version 2)");
    kl_admin_topics_destroy(t);
    return status;
}

int cmd_cluster(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_cluster_usage(stdout);
        return CLI_OK;
    }
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "cluster"))
        return CLI_FAILED;
    int status = parse(&cli, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK)
        status = cluster_id(&cli);
    admin_cli_free(&cli);
    return status;
}
