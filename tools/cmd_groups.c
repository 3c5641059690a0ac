/* `kafkalite groups`: list, describe (with lag), delete consumer groups and
 * reset their offsets, shaped after Kafka's kafka-consumer-groups.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_cli.h"

void cmd_groups_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite groups [-b HOST:PORT] [-X property=value]... ACTION [options]\n"
            "\n"
            "Actions:\n"
            "  --list [--state]      every group's id (with --state: and its state)\n"
            "  --describe --group G  per partition: committed offset, log end offset, lag and\n"
            "                        the member that owns it\n"
            "  --delete --group G    delete G (it must have no members)\n"
            "  --reset-offsets --group G (--topic T[:P,P...] | --all-topics) TARGET [--execute]\n"
            "                        print the new offsets; with --execute, commit them (G must\n"
            "                        have no members)\n"
            "\n"
            "Reset targets:\n"
            "  --to-earliest, --to-latest, --to-offset N,\n"
            "  --to-datetime YYYY-MM-DDTHH:MM:SS[.sss][Z]   (local time unless Z)\n"
            "\n"
            "Options:\n"
            "  --dry-run             with --reset-offsets: only print (the default)\n" ADMIN_CLI_COMMON_HELP);
}

typedef enum { NONE, LIST, DESCRIBE, DELETE, RESET } action_t;
typedef enum { TO_NONE, TO_EARLIEST, TO_LATEST, TO_OFFSET, TO_DATETIME } target_t;

typedef struct groups_args {
    action_t action;
    bool state, execute, all_topics;
    const char *group;
    const char *topic; /* T or T:P,P */
    target_t target;
    int64_t value;     /* offset or timestamp (ms) */
} groups_args_t;

/* Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.sss][Z]"; -1 when
 * malformed. */
static int64_t parse_datetime(const char *s)
{
    struct tm tm = {0};
    int ms = 0, used = 0, frac_used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &used) != 6 || used != 19)
        return -1;
    const char *rest = s + used;
    if (*rest == '.') {
        if (sscanf(rest, ".%3d%n", &ms, &frac_used) != 1 || frac_used != 4)
            return -1;
        rest += frac_used;
    }
    bool utc = *rest == 'Z';
    if (utc)
        rest++;
    if (*rest || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = utc ? timegm(&tm) : mktime(&tm);
    return t < 0 ? -1 : (int64_t)t * 1000 + ms;
}

static int set_action(admin_cli_t *cli, groups_args_t *a, action_t action, const char *opt)
{
    if (a->action != NONE)
        return admin_cli_usage(cli, "%s: give one action only", opt);
    a->action = action;
    return CLI_OK;
}

static int set_target(admin_cli_t *cli, groups_args_t *a, target_t target, const char *opt)
{
    if (a->target != TO_NONE)
        return admin_cli_usage(cli, "%s: give one reset target only", opt);
    a->target = target;
    return CLI_OK;
}

static int parse_target(admin_cli_t *cli, groups_args_t *a, int argc, char **argv, int *i)
{
    const char *opt = argv[*i], *v;
    long long n;
    if (!strcmp(opt, "--to-earliest"))
        return set_target(cli, a, TO_EARLIEST, opt);
    if (!strcmp(opt, "--to-latest"))
        return set_target(cli, a, TO_LATEST, opt);
    if (!(v = admin_cli_value(cli, argc, argv, i)))
        return CLI_USAGE;
    if (!strcmp(opt, "--to-offset")) {
        if (!admin_cli_number(v, &n))
            return admin_cli_usage(cli, "--to-offset wants an offset, not \"%s\"", v);
        a->value = n;
        return set_target(cli, a, TO_OFFSET, opt);
    }
    if ((a->value = parse_datetime(v)) < 0)
        return admin_cli_usage(cli, "--to-datetime wants YYYY-MM-DDTHH:MM:SS[.sss][Z], not \"%s\"", v);
    return set_target(cli, a, TO_DATETIME, opt);
}

static int parse(admin_cli_t *cli, groups_args_t *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        int rc = admin_cli_option(cli, argc, argv, &i);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (!strcmp(opt, "--list"))
            rc = set_action(cli, a, LIST, opt);
        else if (!strcmp(opt, "--describe"))
            rc = set_action(cli, a, DESCRIBE, opt);
        else if (!strcmp(opt, "--delete"))
            rc = set_action(cli, a, DELETE, opt);
        else if (!strcmp(opt, "--reset-offsets"))
            rc = set_action(cli, a, RESET, opt);
        else if (!strcmp(opt, "--state"))
            a->state = true;
        else if (!strcmp(opt, "--execute"))
            a->execute = true;
        else if (!strcmp(opt, "--dry-run"))
            a->execute = false;
        else if (!strcmp(opt, "--all-topics"))
            a->all_topics = true;
        else if (!strcmp(opt, "--group")) {
            if (!(a->group = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
        } else if (!strcmp(opt, "--topic")) {
            if (!(a->topic = admin_cli_value(cli, argc, argv, &i)))
                return CLI_USAGE;
        } else if (!strncmp(opt, "--to-", 5) && (!strcmp(opt, "--to-earliest") || !strcmp(opt, "--to-latest") ||
                                                  !strcmp(opt, "--to-offset") || !strcmp(opt, "--to-datetime")))
            rc = parse_target(cli, a, argc, argv, &i);
        else
            return admin_cli_usage(cli, "unknown option \"%s\"", opt);
        if (rc)
            return rc;
    }
    if (a->action == NONE)
        return admin_cli_usage(cli, "say what to do: --list, --describe, --delete or --reset-offsets");
    if (a->action != LIST && !a->group)
        return admin_cli_usage(cli, "this action needs --group");
    if (a->action == RESET && (!a->topic) == !a->all_topics)
        return admin_cli_usage(cli, "--reset-offsets needs --topic T or --all-topics");
    if (a->action == RESET && a->target == TO_NONE)
        return admin_cli_usage(cli, "--reset-offsets needs --to-earliest, --to-latest, --to-offset or --to-datetime");
    return CLI_OK;
}

/* ---- list, delete ---------------------------------------------------------------- */

static int list(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_groups_t *g = NULL;
    kl_err_t err = kl_admin_list_groups(cli->admin, cli->timeout_ms, &g);
    if (err)
        return admin_cli_fail(cli, "cannot list groups: %s", admin_cli_err(err, NULL));
    int status = CLI_OK;
    if (a->state)
        printf("%-40s %s\n", "GROUP", "STATE");
    for (size_t i = 0; i < g->count; i++) {
        if (g->items[i].err) {
            status = admin_cli_fail(cli, "broker %d cannot list its groups: %s", g->items[i].coordinator,
                                    admin_cli_err(g->items[i].err, NULL));
            continue;
        }
        if (a->state)
            printf("%-40s %s\n", g->items[i].group_id, g->items[i].state);
        else
            printf("%s\n", g->items[i].group_id);
    }
    kl_admin_groups_destroy(g);
    return status;
}

static int delete(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_delete_groups(cli->admin, &a->group, 1, cli->timeout_ms, &r);
    if (err)
        return admin_cli_fail(cli, "cannot delete group %s: %s", a->group, admin_cli_err(err, NULL));
    int status = CLI_OK;
    if (r->items[0].err)
        status = admin_cli_fail(cli, "cannot delete group %s: %s", a->group,
                                admin_cli_err(r->items[0].err, r->items[0].errstr));
    else
        printf("Deletion of requested consumer groups ('%s') was successful.\n", a->group);
    kl_admin_results_destroy(r);
    return status;
}

/* ---- describe -------------------------------------------------------------------- */

/* The group's description; NULL (message printed) on failure. */
static kl_admin_groups_t *describe_group(admin_cli_t *cli, const char *group)
{
    kl_admin_groups_t *g = NULL;
    kl_err_t err = kl_admin_describe_groups(cli->admin, &group, 1, cli->timeout_ms, &g);
    if (!err && g->items[0].err)
        err = g->items[0].err;
    if (err) {
        admin_cli_fail(cli, "cannot describe group %s: %s", group, admin_cli_err(err, NULL));
        kl_admin_groups_destroy(g);
        return NULL;
    }
    return g;
}

/* The member owning topic/partition, or NULL. */
static const kl_admin_member_t *owner(const kl_admin_group_t *g, const char *topic, int32_t partition)
{
    for (size_t m = 0; m < g->member_count; m++)
        if (kl_topic_partition_list_find(g->members[m].assignment, topic, partition))
            return &g->members[m];
    return NULL;
}

static void print_offset(int64_t offset, int width)
{
    if (offset >= 0)
        printf(" %*lld", width, (long long)offset);
    else
        printf(" %*s", width, "-");
}

static void print_rows(const kl_admin_group_t *g, const kl_topic_partition_list_t *rows,
                       const kl_topic_partition_list_t *ends)
{
    int tw = 5;
    for (size_t i = 0; i < rows->count; i++)
        if ((int)strlen(rows->elems[i].topic) > tw)
            tw = (int)strlen(rows->elems[i].topic);
    printf("%-20s %-*s %9s %14s %14s %8s %-40s %-20s %s\n", "GROUP", tw, "TOPIC", "PARTITION", "CURRENT-OFFSET",
           "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
    for (size_t i = 0; i < rows->count; i++) {
        const kl_topic_partition_t *row = &rows->elems[i];
        const kl_topic_partition_t *end = kl_topic_partition_list_find(ends, row->topic, row->partition);
        int64_t log_end = end && !end->err ? end->offset : -1;
        const kl_admin_member_t *m = owner(g, row->topic, row->partition);
        printf("%-20s %-*s %9d", g->group_id, tw, row->topic, row->partition);
        print_offset(row->offset, 14);
        print_offset(log_end, 14);
        print_offset(row->offset >= 0 && log_end >= 0 ? log_end - row->offset : -1, 8);
        printf(" %-40s %-20s %s\n", m ? m->member_id : "-", m ? m->host : "-", m ? m->client_id : "-");
    }
    for (size_t m = 0; m < g->member_count; m++)
        if (g->members[m].assignment->count == 0)
            printf("%-20s %-*s %9s %14s %14s %8s %-40s %-20s %s\n", g->group_id, tw, "-", "-", "-", "-", "-",
                   g->members[m].member_id, g->members[m].host, g->members[m].client_id);
}

static int describe(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_groups_t *groups = describe_group(cli, a->group);
    if (!groups)
        return CLI_FAILED;
    const kl_admin_group_t *g = &groups->items[0];
    kl_topic_partition_list_t *rows = NULL, *ends = NULL;
    kl_err_t err = kl_admin_list_group_offsets(cli->admin, a->group, NULL, cli->timeout_ms, &rows);
    int status = CLI_OK;
    if (err) {
        status = admin_cli_fail(cli, "cannot fetch the offsets of group %s: %s", a->group, admin_cli_err(err, NULL));
        goto out;
    }
    for (size_t m = 0; m < g->member_count; m++)
        for (size_t p = 0; p < g->members[m].assignment->count; p++) {
            const kl_topic_partition_t *tp = &g->members[m].assignment->elems[p];
            if (!kl_topic_partition_list_find(rows, tp->topic, tp->partition))
                kl_topic_partition_list_add(rows, tp->topic, tp->partition); /* nothing committed */
        }
    kl_topic_partition_list_sort(rows);
    if (!strcmp(g->state, "Dead") && rows->count == 0) {
        status = admin_cli_fail(cli, "consumer group '%s' does not exist", a->group);
        goto out;
    }
    kl_topic_partition_list_t *ask = kl_topic_partition_list_copy(rows);
    for (size_t i = 0; ask && i < ask->count; i++)
        ask->elems[i].offset = KL_OFFSET_END;
    err = ask ? kl_admin_list_offsets(cli->admin, ask, cli->timeout_ms, &ends) : KL_ERR_NOMEM;
    kl_topic_partition_list_destroy(ask);
    if (err) {
        status = admin_cli_fail(cli, "cannot list the log end offsets: %s", admin_cli_err(err, NULL));
        goto out;
    }
    if (g->member_count == 0)
        printf("Consumer group '%s' has no active members.\n\n", a->group);
    print_rows(g, rows, ends);
out:
    kl_topic_partition_list_destroy(rows);
    kl_topic_partition_list_destroy(ends);
    kl_admin_groups_destroy(groups);
    return status;
}

/* ---- reset ----------------------------------------------------------------------- */

/* The partitions to reset: those of --topic T (or T:P,P), or those the
 * group has offsets for (--all-topics). NULL (message printed) on
 * failure. */
static kl_topic_partition_list_t *reset_partitions(admin_cli_t *cli, const groups_args_t *a)
{
    kl_topic_partition_list_t *list = NULL;
    if (a->all_topics) {
        kl_err_t err = kl_admin_list_group_offsets(cli->admin, a->group, NULL, cli->timeout_ms, &list);
        if (err)
            admin_cli_fail(cli, "cannot fetch the offsets of group %s: %s", a->group, admin_cli_err(err, NULL));
        return list;
    }
    char topic[512];
    const char *colon = strchr(a->topic, ':');
    snprintf(topic, sizeof topic, "%.*s", colon ? (int)(colon - a->topic) : (int)strlen(a->topic), a->topic);
    list = kl_topic_partition_list_new(8);
    if (!list)
        return NULL;
    if (colon) {
        for (const char *p = colon + 1; *p;) {
            char *end;
            long n = strtol(p, &end, 10);
            if (end == p || n < 0 || n > INT32_MAX || (*end && *end != ',')) {
                admin_cli_usage(cli, "--topic wants T or T:P,P..., not \"%s\"", a->topic);
                kl_topic_partition_list_destroy(list);
                return NULL;
            }
            kl_topic_partition_list_add(list, topic, (int32_t)n);
            p = *end ? end + 1 : end;
        }
        return list;
    }
    const char *name = topic;
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, &name, 1, cli->timeout_ms, &t);
    if (!err && t->items[0].err)
        err = t->items[0].err;
    if (err) {
        admin_cli_fail(cli, "cannot describe topic %s: %s", topic, admin_cli_err(err, NULL));
        kl_topic_partition_list_destroy(list);
        list = NULL;
    }
    for (size_t p = 0; list && p < t->items[0].partition_count; p++)
        kl_topic_partition_list_add(list, topic, t->items[0].partitions[p].id);
    kl_admin_topics_destroy(t);
    return list;
}

/* list with each offset set to spec's answer (KL_OFFSET_BEGINNING,
 * KL_OFFSET_END or a timestamp); false (message printed) on failure. */
static kl_topic_partition_list_t *offsets_at(admin_cli_t *cli, const kl_topic_partition_list_t *list, int64_t spec)
{
    kl_topic_partition_list_t *ask = kl_topic_partition_list_copy(list), *out = NULL;
    for (size_t i = 0; ask && i < ask->count; i++)
        ask->elems[i].offset = spec;
    kl_err_t err = ask ? kl_admin_list_offsets(cli->admin, ask, cli->timeout_ms, &out) : KL_ERR_NOMEM;
    kl_topic_partition_list_destroy(ask);
    for (size_t i = 0; !err && i < out->count; i++)
        if (out->elems[i].err) {
            admin_cli_fail(cli, "cannot list the offsets of %s [%d]: %s", out->elems[i].topic,
                           out->elems[i].partition, admin_cli_err(out->elems[i].err, NULL));
            kl_topic_partition_list_destroy(out);
            return NULL;
        }
    if (err)
        admin_cli_fail(cli, "cannot list offsets: %s", admin_cli_err(err, NULL));
    return out;
}

/* Fills plan's offsets from the reset target, clamped to each partition's
 * range as Kafka does. */
static bool plan_offsets(admin_cli_t *cli, const groups_args_t *a, kl_topic_partition_list_t *plan)
{
    kl_topic_partition_list_t *lo = offsets_at(cli, plan, KL_OFFSET_BEGINNING);
    kl_topic_partition_list_t *hi = lo ? offsets_at(cli, plan, KL_OFFSET_END) : NULL;
    kl_topic_partition_list_t *at = hi && a->target == TO_DATETIME ? offsets_at(cli, plan, a->value) : NULL;
    bool ok = hi && (a->target != TO_DATETIME || at);
    for (size_t i = 0; ok && i < plan->count; i++) {
        int64_t earliest = lo->elems[i].offset, latest = hi->elems[i].offset, v = a->value;
        if (a->target == TO_EARLIEST)
            v = earliest;
        else if (a->target == TO_LATEST)
            v = latest;
        else if (a->target == TO_DATETIME)
            v = at->elems[i].offset >= 0 ? at->elems[i].offset : latest; /* nothing that recent */
        plan->elems[i].offset = v < earliest ? earliest : v > latest ? latest : v;
    }
    kl_topic_partition_list_destroy(lo);
    kl_topic_partition_list_destroy(hi);
    kl_topic_partition_list_destroy(at);
    return ok;
}

static int reset(admin_cli_t *cli, const groups_args_t *a)
{
    kl_admin_groups_t *groups = describe_group(cli, a->group);
    if (!groups)
        return CLI_FAILED;
    const char *state = groups->items[0].state;
    if (strcmp(state, "Empty") && strcmp(state, "Dead")) {
        admin_cli_fail(cli, "assignments can only be reset if the group '%s' is inactive, but the current state is %s",
                       a->group, state);
        kl_admin_groups_destroy(groups);
        return CLI_FAILED;
    }
    kl_admin_groups_destroy(groups);
    kl_topic_partition_list_t *plan = reset_partitions(cli, a), *result = NULL;
    if (!plan || !plan_offsets(cli, a, plan)) {
        kl_topic_partition_list_destroy(plan);
        return CLI_FAILED;
    }
    kl_topic_partition_list_sort(plan);
    int status = CLI_OK;
    if (a->execute) {
        kl_err_t err = kl_admin_alter_group_offsets(cli->admin, a->group, plan, cli->timeout_ms, &result);
        if (err)
            status = admin_cli_fail(cli, "cannot commit the offsets of group %s: %s", a->group, admin_cli_err(err, NULL));
        for (size_t i = 0; result && i < result->count; i++)
            if (result->elems[i].err)
                status = admin_cli_fail(cli, "cannot commit %s [%d]: %s", result->elems[i].topic,
                                        result->elems[i].partition, admin_cli_err(result->elems[i].err, NULL));
    }
    if (status == CLI_OK) {
        printf("%-20s %-20s %9s %14s\n", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
        for (size_t i = 0; i < plan->count; i++)
            printf("%-20s %-20s %9d %14lld\n", a->group, plan->elems[i].topic, plan->elems[i].partition,
                   (long long)plan->elems[i].offset);
        if (!a->execute)
            printf("\n(dry run: nothing committed; add --execute to commit these offsets)\n");
    }
    kl_topic_partition_list_destroy(result);
    kl_topic_partition_list_destroy(plan);
    return status;
}

int cmd_groups(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
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
        case DESCRIBE: status = describe(&cli, &a); break;
        case DELETE: status = delete(&cli, &a); break;
        case RESET: status = reset(&cli, &a); break;
        case NONE: break;
        }
    }
    admin_cli_free(&cli);
    return status;
}
