/* `kafkalite groups`: list, describe (with lag), delete consumer groups,
 * reset and delete their offsets, shaped after Kafka's
 * kafka-consumer-groups.sh. The options and the small actions; see
 * groups.h for the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "json_out.h"

void cmd_groups_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite groups [-b HOST:PORT] [-X property=value]... ACTION [options]\n"
            "\n"
            "Actions (GROUPS: --group G, repeatable, or --all-groups):\n"
            "  --list [--state]      every group's id (with --state: and its state)\n"
            "  --describe GROUPS [--offsets | --members [--verbose] | --state]\n"
            "                        per partition: committed offset, log end offset, lag and\n"
            "                        the member that owns it (--offsets, the default); per\n"
            "                        member: its partitions (--verbose: which); or the\n"
            "                        group's coordinator, assignor, state and member count\n"
            "  --delete GROUPS       delete the groups (they must have no members)\n"
            "  --reset-offsets GROUPS SCOPE SPEC [--dry-run | --execute] [--export]\n"
            "                        print the new offsets (--export: as CSV for --from-file);\n"
            "                        with --execute, commit them (the groups must have no\n"
            "                        members)\n"
            "  --delete-offsets --group G --topic T[:P,P...]...\n"
            "                        delete the group's committed offsets of those partitions\n"
            "\n"
            "Reset scopes: --topic T[:P,P...] (repeatable), --all-topics (the partitions the\n"
            "group has offsets for); none with --from-file.\n"
            "Reset specs (each clamped to the partition's earliest..latest):\n"
            "  --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N,\n"
            "  --to-datetime YYYY-MM-DDTHH:MM:SS[.sss][Z|+hh:mm] (local time without a zone),\n"
            "  --by-duration PnDTnHnMnS (that long before now),\n"
            "  --from-file FILE (CSV lines topic,partition,offset, or\n"
            "                   group,topic,partition,offset for several groups)\n" ADMIN_CLI_COMMON_HELP);
}

typedef groups_action_t action_t;
typedef groups_target_t target_t;

enum {
    OPT_LIST = 1, OPT_DESCRIBE, OPT_DELETE, OPT_RESET, OPT_DELETE_OFFSETS, OPT_STATE, OPT_MEMBERS, OPT_OFFSETS,
    OPT_VERBOSE, OPT_EXECUTE, OPT_DRY_RUN, OPT_EXPORT, OPT_ALL_TOPICS, OPT_ALL_GROUPS, OPT_GROUP, OPT_TOPIC,
    OPT_TO_EARLIEST, OPT_TO_LATEST, OPT_TO_CURRENT, OPT_TO_OFFSET, OPT_SHIFT_BY, OPT_TO_DATETIME, OPT_BY_DURATION,
    OPT_FROM_FILE
};

static const opt_spec_t groups_opts[] = {
    {"list", 0, OPT_FLAG, OPT_LIST},
    {"describe", 0, OPT_FLAG, OPT_DESCRIBE},
    {"delete", 0, OPT_FLAG, OPT_DELETE},
    {"reset-offsets", 0, OPT_FLAG, OPT_RESET},
    {"delete-offsets", 0, OPT_FLAG, OPT_DELETE_OFFSETS},
    {"state", 0, OPT_FLAG, OPT_STATE},
    {"members", 0, OPT_FLAG, OPT_MEMBERS},
    {"offsets", 0, OPT_FLAG, OPT_OFFSETS},
    {"verbose", 0, OPT_FLAG, OPT_VERBOSE},
    {"execute", 0, OPT_FLAG, OPT_EXECUTE},
    {"dry-run", 0, OPT_FLAG, OPT_DRY_RUN},
    {"export", 0, OPT_FLAG, OPT_EXPORT},
    {"all-topics", 0, OPT_FLAG, OPT_ALL_TOPICS},
    {"all-groups", 0, OPT_FLAG, OPT_ALL_GROUPS},
    {"group", 0, OPT_VALUE, OPT_GROUP},
    {"topic", 0, OPT_VALUE, OPT_TOPIC},
    {"to-earliest", 0, OPT_FLAG, OPT_TO_EARLIEST},
    {"to-latest", 0, OPT_FLAG, OPT_TO_LATEST},
    {"to-current", 0, OPT_FLAG, OPT_TO_CURRENT},
    {"to-offset", 0, OPT_VALUE, OPT_TO_OFFSET},
    {"shift-by", 0, OPT_VALUE, OPT_SHIFT_BY},
    {"to-datetime", 0, OPT_VALUE, OPT_TO_DATETIME},
    {"by-duration", 0, OPT_VALUE, OPT_BY_DURATION},
    {"from-file", 0, OPT_VALUE, OPT_FROM_FILE},
    {NULL, 0, 0, 0},
};

static int set_action(admin_cli_t *cli, groups_args_t *a, action_t action)
{
    if (a->action != NONE)
        return admin_cli_usage(cli, "%s: give one action only", cli->opts.text);
    a->action = action;
    return CLI_OK;
}

static int set_view(admin_cli_t *cli, groups_args_t *a, groups_view_t view)
{
    if (a->view != VIEW_OFFSETS && a->view != view)
        return admin_cli_usage(cli, "%s: give one of --offsets, --members and --state", cli->opts.text);
    a->view = view;
    return CLI_OK;
}

/* A reset spec: the option's id and value. */
static int set_target(admin_cli_t *cli, groups_args_t *a, int id)
{
    static const target_t targets[] = {
        [OPT_TO_EARLIEST] = TO_EARLIEST, [OPT_TO_LATEST] = TO_LATEST,     [OPT_TO_CURRENT] = TO_CURRENT,
        [OPT_TO_OFFSET] = TO_OFFSET,     [OPT_SHIFT_BY] = SHIFT_BY,       [OPT_TO_DATETIME] = TO_DATETIME,
        [OPT_BY_DURATION] = BY_DURATION, [OPT_FROM_FILE] = FROM_FILE,
    };
    const opt_parser_t *p = &cli->opts;
    long long n;
    if (a->target != TO_NONE)
        return admin_cli_usage(cli, "%s: give one reset spec only", p->text);
    a->target = targets[id];
    switch (id) {
    case OPT_TO_OFFSET:
        if (!admin_cli_number(p->value, &n))
            return admin_cli_usage(cli, "--to-offset wants an offset, not \"%s\"", p->value);
        a->value = n;
        break;
    case OPT_SHIFT_BY:
        if (!opt_int(p, -INT64_MAX, INT64_MAX, &a->value))
            return admin_cli_try_help(cli);
        break;
    case OPT_TO_DATETIME:
        if ((a->value = groups_parse_datetime(p->value)) < 0)
            return admin_cli_usage(cli, "--to-datetime wants YYYY-MM-DDTHH:MM:SS[.sss][Z|+hh:mm], not \"%s\"",
                                   p->value);
        break;
    case OPT_BY_DURATION:
        if (!groups_parse_duration(p->value, &a->value))
            return admin_cli_usage(cli, "--by-duration wants PnDTnHnMnS (as PT15M or P1DT2H), not \"%s\"", p->value);
        break;
    case OPT_FROM_FILE:
        a->file = p->value;
        break;
    }
    return CLI_OK;
}

static int add_name(admin_cli_t *cli, const char **names, size_t *count)
{
    if (*count == GROUPS_MAX_NAMED)
        return admin_cli_usage(cli, "at most %d %s options", GROUPS_MAX_NAMED, cli->opts.text);
    names[(*count)++] = cli->opts.value;
    return CLI_OK;
}

/* What the options say together, as kafka-consumer-groups.sh checks it. */
static int check(admin_cli_t *cli, groups_args_t *a)
{
    bool named = a->group_count > 0;
    if (a->action == NONE)
        return admin_cli_usage(cli, "say what to do: --list, --describe, --delete, --reset-offsets or --delete-offsets");
    if (a->action != LIST && named == a->all_groups)
        return admin_cli_usage(cli, "this action needs --group G (or --all-groups)");
    if (a->action == DELETE_OFFSETS && (a->all_groups || a->group_count != 1 || !a->topic_count))
        return admin_cli_usage(cli, "--delete-offsets needs one --group and --topic T[:P,P...]");
    if (a->execute && a->dry_run)
        return admin_cli_usage(cli, "--execute and --dry-run contradict each other");
    if (a->action != RESET && (a->execute || a->dry_run || a->export_csv || a->target != TO_NONE || a->all_topics))
        return admin_cli_usage(cli, "--execute, --dry-run, --export, --all-topics and the reset specs go with "
                                    "--reset-offsets");
    if (a->action != DESCRIBE && (a->view != VIEW_OFFSETS || a->verbose))
        return admin_cli_usage(cli, "--members, --offsets and --verbose go with --describe");
    if (a->action == DESCRIBE && a->state)
        a->view = a->view == VIEW_OFFSETS ? VIEW_STATE : a->view;
    if (admin_cli_check_format(cli, a->action == LIST || a->action == DESCRIBE || a->action == RESET))
        return CLI_USAGE;
    if (cli->json && a->export_csv)
        return admin_cli_usage(cli, "--export writes CSV: it does not go with --format json");
    if (a->action != RESET)
        return CLI_OK;
    if (a->target == TO_NONE)
        return admin_cli_usage(cli, "--reset-offsets needs a spec: --to-earliest, --to-latest, --to-current, "
                                    "--to-offset, --shift-by, --to-datetime, --by-duration or --from-file");
    if (a->target != FROM_FILE && (a->topic_count > 0) == a->all_topics)
        return admin_cli_usage(cli, "--reset-offsets needs --topic T (repeatable) or --all-topics");
    return CLI_OK;
}

static int parse(admin_cli_t *cli, groups_args_t *a, int argc, char **argv)
{
    int id, rc = CLI_OK;
    admin_cli_start(cli, argc, argv, groups_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        switch (id) {
        case OPT_LIST: rc = set_action(cli, a, LIST); break;
        case OPT_DESCRIBE: rc = set_action(cli, a, DESCRIBE); break;
        case OPT_DELETE: rc = set_action(cli, a, DELETE); break;
        case OPT_RESET: rc = set_action(cli, a, RESET); break;
        case OPT_DELETE_OFFSETS: rc = set_action(cli, a, DELETE_OFFSETS); break;
        case OPT_STATE: a->state = true; break;
        case OPT_MEMBERS: rc = set_view(cli, a, VIEW_MEMBERS); break;
        case OPT_OFFSETS: rc = set_view(cli, a, VIEW_OFFSETS); break;
        case OPT_VERBOSE: a->verbose = true; break;
        case OPT_EXECUTE: a->execute = true; break;
        case OPT_DRY_RUN: a->dry_run = true; break;
        case OPT_EXPORT: a->export_csv = true; break;
        case OPT_ALL_TOPICS: a->all_topics = true; break;
        case OPT_ALL_GROUPS: a->all_groups = true; break;
        case OPT_GROUP: rc = add_name(cli, a->groups, &a->group_count); break;
        case OPT_TOPIC: rc = add_name(cli, a->topics, &a->topic_count); break;
        case OPT_TO_EARLIEST:
        case OPT_TO_LATEST:
        case OPT_TO_CURRENT:
        case OPT_TO_OFFSET:
        case OPT_SHIFT_BY:
        case OPT_TO_DATETIME:
        case OPT_BY_DURATION:
        case OPT_FROM_FILE: rc = set_target(cli, a, id); break;
        default: rc = admin_cli_other(cli, id); break;
        }
    }
    return rc ? rc : check(cli, a);
}

/* ---- list, delete ---------------------------------------------------------------- */

static int list(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_groups_t *g = NULL;
    kl_err_t err = kl_admin_list_groups(cli->admin, cli->timeout_ms, &g);
    if (err)
        return admin_cli_fail(cli, "cannot list groups: %s", admin_cli_err(err, NULL));
    int status = CLI_OK;
    if (a->state && !cli->json)
        printf("%-40s %s\n", "GROUP", "STATE");
    for (size_t i = 0; i < g->count; i++) {
        if (g->items[i].err) {
            status = admin_cli_fail(cli, "broker %d cannot list its groups: %s", g->items[i].coordinator,
                                    admin_cli_err(g->items[i].err, NULL));
            continue;
        }
        if (cli->json) {
            json_out_t j;
            json_begin(&j, stdout);
            json_str(&j, "group", g->items[i].group_id);
            json_str(&j, "state", *g->items[i].state ? g->items[i].state : NULL);
            json_str(&j, "protocol_type", g->items[i].protocol_type);
            json_end(&j);
        } else if (a->state) {
            printf("%-40s %s\n", g->items[i].group_id, g->items[i].state);
        } else {
            printf("%s\n", g->items[i].group_id);
        }
    }
    kl_admin_groups_destroy(g);
    return status;
}

static int delete(admin_cli_t *cli, const char *group)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_delete_groups(cli->admin, &group, 1, cli->timeout_ms, &r);
    if (err)
        return admin_cli_fail(cli, "cannot delete group %s: %s", group, admin_cli_err(err, NULL));
    int status = CLI_OK;
    if (r->items[0].err)
        status = admin_cli_fail(cli, "cannot delete group %s: %s", group,
                                admin_cli_err(r->items[0].err, r->items[0].errstr));
    else
        printf("Deletion of requested consumer groups ('%s') was successful.\n", group);
    kl_admin_results_destroy(r);
    return status;
}


/* ---- delete offsets --------------------------------------------------------------- */

static int delete_offsets(admin_cli_t *cli, const groups_args_t *a)
{
    const char *group = a->groups[0];
    kl_topic_partition_list_t *parts = groups_named_partitions(cli, a), *result = NULL;
    if (!parts)
        return CLI_FAILED;
    kl_err_t err = kl_admin_delete_group_offsets(cli->admin, group, parts, cli->timeout_ms, &result);
    kl_topic_partition_list_destroy(parts);
    if (err)
        return admin_cli_fail(cli, "cannot delete the offsets of group %s: %s", group, admin_cli_err(err, NULL));
    int status = CLI_OK;
    for (size_t i = 0; i < result->count; i++)
        if (result->elems[i].err)
            status = CLI_FAILED;
    printf("Request %s for deleting offsets of group %s.\n\n", status ? "failed" : "succeeded", group);
    printf("%-30s %-15s %s\n", "TOPIC", "PARTITION", "STATUS");
    for (size_t i = 0; i < result->count; i++) {
        const kl_topic_partition_t *tp = &result->elems[i];
        printf("%-30s %-15d %s%s\n", tp->topic, tp->partition, tp->err ? "Error: " : "Successful",
               tp->err ? kl_err_str(tp->err) : "");
    }
    kl_topic_partition_list_destroy(result);
    return status;
}

/* ---- main --------------------------------------------------------------------------- */

/* The groups the action is for: the --group names or, with --all-groups,
 * every group the cluster lists (*owned then holds the listing). */
static const char *const *chosen_groups(admin_cli_t *cli, const groups_args_t *a, size_t *count,
                                        kl_admin_groups_t **owned, const char ***names)
{
    *owned = NULL;
    *names = NULL;
    if (!a->all_groups) {
        *count = a->group_count;
        return a->groups;
    }
    kl_err_t err = kl_admin_list_groups(cli->admin, cli->timeout_ms, owned);
    if (err) {
        admin_cli_fail(cli, "cannot list groups: %s", admin_cli_err(err, NULL));
        return NULL;
    }
    *names = calloc((*owned)->count + 1, sizeof **names);
    if (!*names) {
        admin_cli_fail(cli, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < (*owned)->count; i++)
        (*names)[i] = (*owned)->items[i].group_id;
    *count = (*owned)->count;
    return *names;
}

static int run_on_groups(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_groups_t *listing;
    const char **names;
    size_t count = 0;
    const char *const *groups = chosen_groups(cli, a, &count, &listing, &names);
    int status = groups ? CLI_OK : CLI_FAILED;
    if (groups && a->action == RESET)
        status = groups_reset(cli, a, groups, count);
    for (size_t i = 0; groups && a->action != RESET && i < count; i++) {
        if (i && a->action == DESCRIBE && !cli->json)
            printf("\n");
        int rc = a->action == DESCRIBE ? groups_describe(cli, a, groups[i]) : delete(cli, groups[i]);
        if (rc)
            status = rc;
    }
    free(names);
    kl_admin_groups_destroy(listing);
    return status;
}

int cmd_groups(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_groups_usage(stdout);
        return CLI_OK;
    }
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "groups"))
        return CLI_FAILED;
    groups_args_t a = {0};
    int status = parse(&cli, &a, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK) {
        switch (a.action) {
        case LIST: status = list(&cli, &a); break;
        case DESCRIBE:
        case DELETE:
        case RESET: status = run_on_groups(&cli, &a); break;
        case DELETE_OFFSETS: status = delete_offsets(&cli, &a); break;
        case NONE: break;
        }
    }
    admin_cli_free(&cli);
    return status;
}
