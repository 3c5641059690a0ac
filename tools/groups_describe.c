/* `kafkalite groups --describe`: a group's offsets and lag (the default),
 * its members (--members [--verbose]) or its state (--state), in the
 * layouts of kafka-consumer-groups.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "json_out.h"


/* The group's description; NULL (message printed) on failure. */
kl_admin_groups_t *groups_describe_one(admin_cli_t *cli, const char *group)
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

/* A number, or null for a negative one (unknown). */
static void json_offset(json_out_t *j, const char *name, int64_t v)
{
    if (v >= 0)
        json_int(j, name, v);
    else
        json_null(j, name);
}

/* One --describe --offsets row as a JSON line (topic and partition null
 * for a member without partitions). */
static void json_row(const kl_admin_group_t *g, const kl_topic_partition_t *row, int64_t log_end,
                     const kl_admin_member_t *m)
{
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "group", g->group_id);
    json_str(&j, "topic", row ? row->topic : NULL);
    json_offset(&j, "partition", row ? row->partition : -1);
    json_offset(&j, "current_offset", row ? row->offset : -1);
    json_offset(&j, "log_end_offset", log_end);
    json_offset(&j, "lag", row && row->offset >= 0 && log_end >= 0 ? log_end - row->offset : -1);
    json_str(&j, "consumer_id", m ? m->member_id : NULL);
    json_str(&j, "host", m ? m->host : NULL);
    json_str(&j, "client_id", m ? m->client_id : NULL);
    json_end(&j);
}

static void json_rows(const kl_admin_group_t *g, const kl_topic_partition_list_t *rows,
                      const kl_topic_partition_list_t *ends)
{
    for (size_t i = 0; i < rows->count; i++) {
        const kl_topic_partition_t *row = &rows->elems[i];
        const kl_topic_partition_t *end = kl_topic_partition_list_find(ends, row->topic, row->partition);
        json_row(g, row, end && !end->err ? end->offset : -1, owner(g, row->topic, row->partition));
    }
    for (size_t m = 0; m < g->member_count; m++)
        if (g->members[m].assignment->count == 0)
            json_row(g, NULL, -1, &g->members[m]);
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

static int describe_offsets(admin_cli_t *cli, const char *group)
{
    kl_admin_groups_t *groups = groups_describe_one(cli, group);
    if (!groups)
        return CLI_FAILED;
    const kl_admin_group_t *g = &groups->items[0];
    kl_topic_partition_list_t *rows = NULL, *ends = NULL;
    kl_err_t err = kl_admin_list_group_offsets(cli->admin, group, NULL, cli->timeout_ms, &rows);
    int status = CLI_OK;
    if (err) {
        status = admin_cli_fail(cli, "cannot fetch the offsets of group %s: %s", group, admin_cli_err(err, NULL));
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
        status = admin_cli_fail(cli, "consumer group '%s' does not exist", group);
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
    if (cli->json) {
        json_rows(g, rows, ends);
        goto out;
    }
    if (g->member_count == 0)
        printf("Consumer group '%s' has no active members.\n\n", group);
    print_rows(g, rows, ends);
out:
    kl_topic_partition_list_destroy(rows);
    kl_topic_partition_list_destroy(ends);
    kl_admin_groups_destroy(groups);
    return status;
}

/* "topic(0,1),other(2)": a member's assignment as Kafka prints it. */
static void print_assignment(const kl_topic_partition_list_t *assignment)
{
    if (!assignment || !assignment->count) {
        printf("-");
        return;
    }
    for (size_t i = 0; i < assignment->count; i++) {
        const kl_topic_partition_t *tp = &assignment->elems[i];
        bool new_topic = !i || strcmp(assignment->elems[i - 1].topic, tp->topic);
        bool last_of_topic = i + 1 == assignment->count || strcmp(assignment->elems[i + 1].topic, tp->topic);
        if (new_topic)
            printf("%s%s(", i ? "," : "", tp->topic);
        printf("%s%d%s", new_topic ? "" : ",", tp->partition, last_of_topic ? ")" : "");
    }
}

/* One member as a JSON line, its assignment always listed. */
static void json_member(const char *group, const kl_admin_member_t *mem)
{
    json_out_t j;
    size_t count = mem->assignment ? mem->assignment->count : 0;
    json_begin(&j, stdout);
    json_str(&j, "group", group);
    json_str(&j, "consumer_id", mem->member_id);
    json_str(&j, "group_instance_id", mem->group_instance_id);
    json_str(&j, "host", mem->host);
    json_str(&j, "client_id", mem->client_id);
    json_int(&j, "partitions", (int64_t)count);
    json_open(&j, "assignment", '[');
    for (size_t i = 0; i < count; i++) {
        json_open(&j, NULL, '{');
        json_str(&j, "topic", mem->assignment->elems[i].topic);
        json_int(&j, "partition", mem->assignment->elems[i].partition);
        json_close(&j, '{');
    }
    json_close(&j, '[');
    json_end(&j);
}

static int describe_members(admin_cli_t *cli, const char *group, bool verbose)
{
    kl_admin_groups_t *groups = groups_describe_one(cli, group);
    if (!groups)
        return CLI_FAILED;
    const kl_admin_group_t *g = &groups->items[0];
    if (cli->json) {
        for (size_t m = 0; m < g->member_count; m++) {
            kl_topic_partition_list_sort(g->members[m].assignment);
            json_member(group, &g->members[m]);
        }
        kl_admin_groups_destroy(groups);
        return CLI_OK;
    }
    if (g->member_count == 0) {
        printf("Consumer group '%s' has no active members.\n", group);
        kl_admin_groups_destroy(groups);
        return CLI_OK;
    }
    printf("%-20s %-40s %-20s %-20s %-12s%s\n", "GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS",
           verbose ? " ASSIGNMENT" : "");
    for (size_t m = 0; m < g->member_count; m++) {
        const kl_admin_member_t *mem = &g->members[m];
        kl_topic_partition_list_sort(mem->assignment);
        printf("%-20s %-40s %-20s %-20s %-12zu", group, mem->member_id, mem->host, mem->client_id,
               mem->assignment ? mem->assignment->count : 0);
        if (verbose) {
            printf(" ");
            print_assignment(mem->assignment);
        }
        printf("\n");
    }
    kl_admin_groups_destroy(groups);
    return CLI_OK;
}

static int describe_state(admin_cli_t *cli, const char *group)
{
    kl_admin_groups_t *groups = groups_describe_one(cli, group);
    if (!groups)
        return CLI_FAILED;
    const kl_admin_group_t *g = &groups->items[0];
    int status = CLI_OK;
    if (!strcmp(g->state, "Dead")) {
        status = admin_cli_fail(cli, "consumer group '%s' does not exist", group);
    } else if (cli->json) {
        json_out_t j;
        json_begin(&j, stdout);
        json_str(&j, "group", group);
        json_offset(&j, "coordinator", g->coordinator);
        json_str(&j, "assignment_strategy", *g->protocol ? g->protocol : NULL);
        json_str(&j, "state", g->state);
        json_int(&j, "members", (int64_t)g->member_count);
        json_end(&j);
    } else {
        char coordinator[32];
        snprintf(coordinator, sizeof coordinator, "(%d)", (int)g->coordinator);
        printf("%-20s %-25s %-20s %-15s %s\n", "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE",
               "#MEMBERS");
        printf("%-20s %-25s %-20s %-15s %zu\n", group, coordinator, *g->protocol ? g->protocol : "-", g->state,
               g->member_count);
    }
    kl_admin_groups_destroy(groups);
    return status;
}

int groups_describe(admin_cli_t *cli, const groups_args_t *a, const char *group)
{
    switch (a->view) {
    case VIEW_MEMBERS: return describe_members(cli, group, a->verbose);
    case VIEW_STATE: return describe_state(cli, group);
    default: return describe_offsets(cli, group);
    }
}
