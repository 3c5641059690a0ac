/* `kafkalite groups --reset-offsets`: the partitions in scope (--topic
 * T[:P,P], --all-topics, --from-file), each one's new offset from the spec
 * (--to-earliest, --to-latest, --to-current, --to-offset, --shift-by,
 * --to-datetime, --by-duration, --from-file) clamped to the partition's
 * range as Kafka does, printed as a table or --export CSV, and committed
 * with --execute while the group has no members. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "json_out.h"

/* Adds the partitions of one --topic value ("T" or "T:P,P"). */
static bool add_named(admin_cli_t *cli, const char *spec, kl_topic_partition_list_t *list)
{
    char topic[512];
    const char *colon = strchr(spec, ':');
    snprintf(topic, sizeof topic, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    if (colon) {
        for (const char *p = colon + 1; *p;) {
            char *end;
            long n = strtol(p, &end, 10);
            if (end == p || n < 0 || n > INT32_MAX || (*end && *end != ',')) {
                admin_cli_usage(cli, "--topic wants T or T:P,P..., not \"%s\"", spec);
                return false;
            }
            if (!kl_topic_partition_list_add(list, topic, (int32_t)n))
                return false;
            p = *end ? end + 1 : end;
        }
        return true;
    }
    const char *name = topic;
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, &name, 1, cli->timeout_ms, &t);
    if (!err && t->items[0].err)
        err = t->items[0].err;
    if (err)
        admin_cli_fail(cli, "cannot describe topic %s: %s", topic, admin_cli_err(err, NULL));
    for (size_t p = 0; !err && p < t->items[0].partition_count; p++)
        if (!kl_topic_partition_list_add(list, topic, t->items[0].partitions[p].id))
            err = KL_ERR_NOMEM;
    kl_admin_topics_destroy(t);
    return !err;
}

kl_topic_partition_list_t *groups_named_partitions(admin_cli_t *cli, const groups_args_t *a)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(8);
    for (size_t i = 0; list && i < a->topic_count; i++)
        if (!add_named(cli, a->topics[i], list)) {
            kl_topic_partition_list_destroy(list);
            return NULL;
        }
    if (list)
        kl_topic_partition_list_sort(list);
    return list;
}

/* One line of --from-file: "topic,partition,offset", or with a leading
 * group when several groups are reset. Adds it to plan when it is for
 * group. False (message printed) when malformed. */
static bool file_line(admin_cli_t *cli, const groups_args_t *a, const char *group, char *line, int number,
                      kl_topic_partition_list_t *plan)
{
    size_t want = a->group_count > 1 || a->all_groups ? 4 : 3, n = 0;
    char *fields[4], *rest = line;
    while (rest && n < 4)
        fields[n++] = strsep(&rest, ",");
    if (n != want || rest) {
        admin_cli_fail(cli, "%s:%d: want %s", a->file, number,
                       want == 4 ? "group,topic,partition,offset" : "topic,partition,offset");
        return false;
    }
    char **f = want == 4 ? fields + 1 : fields;
    if (want == 4 && strcmp(fields[0], group))
        return true;
    long long partition, offset;
    if (!*f[0] || !admin_cli_number(f[1], &partition) || partition > INT32_MAX || !admin_cli_number(f[2], &offset)) {
        admin_cli_fail(cli, "%s:%d: want a topic, a partition and an offset", a->file, number);
        return false;
    }
    if (kl_topic_partition_list_set_offset(plan, f[0], (int32_t)partition, offset)) {
        admin_cli_fail(cli, "out of memory");
        return false;
    }
    return true;
}

/* The partitions and offsets --from-file gives group; NULL (message
 * printed) on failure. */
static kl_topic_partition_list_t *from_file(admin_cli_t *cli, const groups_args_t *a, const char *group)
{
    FILE *in = fopen(a->file, "r");
    if (!in) {
        admin_cli_fail(cli, "cannot open %s: %s", a->file, strerror(errno));
        return NULL;
    }
    kl_topic_partition_list_t *plan = kl_topic_partition_list_new(8);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int number = 0;
    bool ok = plan != NULL;
    while (ok && (len = getline(&line, &cap, in)) != -1) {
        number++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > 0)
            ok = file_line(cli, a, group, line, number, plan);
    }
    free(line);
    fclose(in);
    if (!ok) {
        kl_topic_partition_list_destroy(plan);
        return NULL;
    }
    kl_topic_partition_list_sort(plan);
    return plan;
}

/* The partitions to reset for group, their offsets still to be planned
 * (but for --from-file). NULL (message printed) on failure. */
static kl_topic_partition_list_t *scope(admin_cli_t *cli, const groups_args_t *a, const char *group)
{
    if (a->target == FROM_FILE)
        return from_file(cli, a, group);
    if (!a->all_topics)
        return groups_named_partitions(cli, a);
    kl_topic_partition_list_t *list = NULL;
    kl_err_t err = kl_admin_list_group_offsets(cli->admin, group, NULL, cli->timeout_ms, &list);
    if (err)
        admin_cli_fail(cli, "cannot fetch the offsets of group %s: %s", group, admin_cli_err(err, NULL));
    return list;
}

/* list with each offset set to spec's answer (KL_OFFSET_BEGINNING,
 * KL_OFFSET_END or a timestamp); NULL (message printed) on failure. */
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

/* The committed offsets of plan's partitions (KL_OFFSET_INVALID where
 * none); NULL (message printed) on failure. */
static kl_topic_partition_list_t *committed(admin_cli_t *cli, const char *group, const kl_topic_partition_list_t *plan)
{
    kl_topic_partition_list_t *out = NULL;
    kl_err_t err = kl_admin_list_group_offsets(cli->admin, group, plan, cli->timeout_ms, &out);
    if (err)
        admin_cli_fail(cli, "cannot fetch the offsets of group %s: %s", group, admin_cli_err(err, NULL));
    return out;
}

/* The offset the spec asks for one partition, before clamping; false
 * (message printed) when it cannot say. */
static bool wanted(admin_cli_t *cli, const groups_args_t *a, const kl_topic_partition_t *tp, int64_t earliest,
                   int64_t latest, const kl_topic_partition_t *current, const kl_topic_partition_t *at, int64_t *v)
{
    int64_t committed_offset = current && !current->err ? current->offset : KL_OFFSET_INVALID;
    switch (a->target) {
    case TO_EARLIEST: *v = earliest; return true;
    case TO_LATEST: *v = latest; return true;
    case TO_OFFSET:
    case FROM_FILE: *v = tp->offset >= 0 && a->target == FROM_FILE ? tp->offset : a->value; return true;
    case TO_CURRENT: *v = committed_offset >= 0 ? committed_offset : latest; return true;
    case SHIFT_BY:
        if (committed_offset < 0) {
            admin_cli_fail(cli, "cannot shift the offset of %s [%d]: the group has no committed offset there",
                           tp->topic, tp->partition);
            return false;
        }
        *v = committed_offset + a->value;
        return true;
    default: /* TO_DATETIME, BY_DURATION: nothing that recent gives the end */
        *v = at && at->offset >= 0 ? at->offset : latest;
        return true;
    }
}

/* Fills plan's offsets from the spec, clamped to each partition's range. */
static bool plan_offsets(admin_cli_t *cli, const groups_args_t *a, const char *group, kl_topic_partition_list_t *plan)
{
    int64_t when = a->target == TO_DATETIME ? a->value : groups_now_ms() - a->value;
    bool by_time = a->target == TO_DATETIME || a->target == BY_DURATION;
    bool by_commit = a->target == TO_CURRENT || a->target == SHIFT_BY;
    kl_topic_partition_list_t *lo = offsets_at(cli, plan, KL_OFFSET_BEGINNING);
    kl_topic_partition_list_t *hi = lo ? offsets_at(cli, plan, KL_OFFSET_END) : NULL;
    kl_topic_partition_list_t *at = hi && by_time ? offsets_at(cli, plan, when < 0 ? 0 : when) : NULL;
    kl_topic_partition_list_t *cur = hi && by_commit ? committed(cli, group, plan) : NULL;
    bool ok = hi && (!by_time || at) && (!by_commit || cur);
    for (size_t i = 0; ok && i < plan->count; i++) {
        kl_topic_partition_t *tp = &plan->elems[i];
        int64_t earliest = lo->elems[i].offset, latest = hi->elems[i].offset, v = earliest;
        const kl_topic_partition_t *c = cur ? kl_topic_partition_list_find(cur, tp->topic, tp->partition) : NULL;
        ok = wanted(cli, a, tp, earliest, latest, c, at ? &at->elems[i] : NULL, &v);
        tp->offset = v < earliest ? earliest : v > latest ? latest : v;
    }
    kl_topic_partition_list_destroy(lo);
    kl_topic_partition_list_destroy(hi);
    kl_topic_partition_list_destroy(at);
    kl_topic_partition_list_destroy(cur);
    return ok;
}

/* Commits plan for group; the exit status. */
static int execute(admin_cli_t *cli, const char *group, const kl_topic_partition_list_t *plan)
{
    kl_topic_partition_list_t *result = NULL;
    int status = CLI_OK;
    kl_err_t err = kl_admin_alter_group_offsets(cli->admin, group, plan, cli->timeout_ms, &result);
    if (err)
        status = admin_cli_fail(cli, "cannot commit the offsets of group %s: %s", group, admin_cli_err(err, NULL));
    for (size_t i = 0; result && i < result->count; i++)
        if (result->elems[i].err)
            status = admin_cli_fail(cli, "cannot commit %s [%d]: %s", result->elems[i].topic,
                                    result->elems[i].partition, admin_cli_err(result->elems[i].err, NULL));
    kl_topic_partition_list_destroy(result);
    return status;
}

/* Whether group may be reset (it has no members). */
static bool inactive(admin_cli_t *cli, const char *group)
{
    kl_admin_groups_t *groups = groups_describe_one(cli, group);
    if (!groups)
        return false;
    const char *state = groups->items[0].state;
    bool ok = !strcmp(state, "Empty") || !strcmp(state, "Dead");
    if (!ok)
        admin_cli_fail(cli, "assignments can only be reset if the group '%s' is inactive, but the current state is %s",
                       group, state);
    kl_admin_groups_destroy(groups);
    return ok;
}

static void print_plan(const admin_cli_t *cli, const groups_args_t *a, const char *group,
                       const kl_topic_partition_list_t *plan, bool with_group, bool header)
{
    for (size_t i = 0; i < plan->count; i++) {
        const kl_topic_partition_t *tp = &plan->elems[i];
        if (cli->json) { /* see kafkalite-groups(1), JSON OUTPUT */
            json_out_t j;
            json_begin(&j, stdout);
            json_str(&j, "group", group);
            json_str(&j, "topic", tp->topic);
            json_int(&j, "partition", tp->partition);
            json_int(&j, "new_offset", tp->offset);
            json_bool(&j, "executed", a->execute);
            json_end(&j);
            continue;
        }
        if (a->export_csv) {
            if (with_group)
                printf("%s,", group);
            printf("%s,%d,%lld\n", tp->topic, tp->partition, (long long)tp->offset);
            continue;
        }
        if (header && i == 0)
            printf("%-20s %-20s %9s %14s\n", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
        printf("%-20s %-20s %9d %14lld\n", group, tp->topic, tp->partition, (long long)tp->offset);
    }
}

int groups_reset(admin_cli_t *cli, const groups_args_t *a, const char *const *groups, size_t count)
{
    int status = CLI_OK;
    for (size_t g = 0; g < count && status == CLI_OK; g++) {
        const char *group = groups[g];
        if (!inactive(cli, group))
            return CLI_FAILED;
        kl_topic_partition_list_t *plan = scope(cli, a, group);
        if (!plan || !plan_offsets(cli, a, group, plan)) {
            kl_topic_partition_list_destroy(plan);
            return CLI_FAILED;
        }
        kl_topic_partition_list_sort(plan);
        if (a->execute && plan->count)
            status = execute(cli, group, plan);
        if (status == CLI_OK)
            print_plan(cli, a, group, plan, count > 1 || a->all_groups, g == 0 || !a->export_csv);
        kl_topic_partition_list_destroy(plan);
    }
    if (status == CLI_OK && !a->execute && !a->dry_run && !a->export_csv && !cli->json)
        printf("\n(dry run: nothing committed; add --execute to commit these offsets)\n");
    return status;
}
