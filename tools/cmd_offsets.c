/* `kafkalite offsets`: the offsets of topic partitions at a point in time
 * (the latest, the earliest or the first at or after a timestamp), shaped
 * after Kafka's kafka-get-offsets.sh: "topic:partition:offset" lines, or
 * one JSON object a line. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"
#include "json_out.h"

#define MAX_PARTITIONS 1024 /* --partitions ids at most */

void cmd_offsets_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite offsets [-b HOST:PORT] [-X property=value]... [--topic REGEX]\n"
            "                         [--partitions P,P...] [--time latest|earliest|TIMESTAMP]\n"
            "\n"
            "Prints topic:partition:offset for every partition of the topics whose whole\n"
            "name matches REGEX (a POSIX extended regular expression; every topic without\n"
            "--topic), sorted. The offset is empty when no record is as recent as TIMESTAMP.\n"
            "\n"
            "Options:\n"
            "  --topic REGEX         the topics (a plain name is a regular expression too)\n"
            "  --partitions P,P...   only these partition ids\n"
            "  --time WHEN           latest or -1 (the default: the next offset to be\n"
            "                        written), earliest or -2 (the first one kept), or a\n"
            "                        timestamp in ms (the first offset whose record is that\n"
            "                        recent)\n"
            "  --exclude-internal-topics\n"
            "                        leave out __consumer_offsets and the other internal\n"
            "                        topics\n" ADMIN_CLI_COMMON_HELP);
}

typedef struct offsets_args {
    const char *topic; /* a regular expression, or NULL: every topic */
    int32_t partitions[MAX_PARTITIONS];
    size_t partition_count; /* 0: every partition */
    int64_t time;           /* KL_OFFSET_END, KL_OFFSET_BEGINNING or a timestamp */
    bool exclude_internal;
} offsets_args_t;

enum { OPT_TOPIC = 1, OPT_PARTITIONS, OPT_TIME, OPT_EXCLUDE_INTERNAL };

static const opt_spec_t offsets_opts[] = {
    {"topic", 0, OPT_VALUE, OPT_TOPIC},
    {"partitions", 0, OPT_VALUE, OPT_PARTITIONS},
    {"time", 0, OPT_VALUE, OPT_TIME},
    {"exclude-internal-topics", 0, OPT_FLAG, OPT_EXCLUDE_INTERNAL},
    {NULL, 0, 0, 0},
};

static int parse_partitions(admin_cli_t *cli, offsets_args_t *a, const char *list)
{
    const char *p = list;
    while (*p) {
        char *end;
        long id = strtol(p, &end, 10);
        if (end == p || id < 0 || id > INT32_MAX || (*end && *end != ','))
            return admin_cli_usage(cli, "--partitions wants partition ids separated by commas, not \"%s\"", list);
        if (a->partition_count == MAX_PARTITIONS)
            return admin_cli_usage(cli, "at most %d partitions", MAX_PARTITIONS);
        a->partitions[a->partition_count++] = (int32_t)id;
        p = *end ? end + 1 : end;
    }
    if (!a->partition_count)
        return admin_cli_usage(cli, "--partitions wants at least one partition id");
    return CLI_OK;
}

static int parse_time(admin_cli_t *cli, offsets_args_t *a, const char *v)
{
    long long ms;
    if (!strcmp(v, "latest") || !strcmp(v, "-1"))
        a->time = KL_OFFSET_END;
    else if (!strcmp(v, "earliest") || !strcmp(v, "-2"))
        a->time = KL_OFFSET_BEGINNING;
    else if (!strcmp(v, "max-timestamp") || !strcmp(v, "-3") || !strcmp(v, "earliest-local") ||
             !strcmp(v, "-4") || !strcmp(v, "latest-tiered") || !strcmp(v, "-5"))
        return admin_cli_fail(cli, "--time %s: not supported by kafkalite's admin client (latest, earliest or "
                                   "a timestamp are)", v);
    else if (admin_cli_number(v, &ms))
        a->time = ms;
    else
        return admin_cli_usage(cli, "--time is latest, earliest, -1, -2 or a timestamp in ms, not \"%s\"", v);
    return CLI_OK;
}

static int parse(admin_cli_t *cli, offsets_args_t *a, int argc, char **argv)
{
    const opt_parser_t *p = &cli->opts;
    int id, rc = CLI_OK;
    admin_cli_start(cli, argc, argv, offsets_opts);
    while (rc == CLI_OK && (id = opt_next(&cli->opts)) != OPT_END) {
        switch (id) {
        case OPT_TOPIC: a->topic = p->value; break;
        case OPT_PARTITIONS: rc = parse_partitions(cli, a, p->value); break;
        case OPT_TIME: rc = parse_time(cli, a, p->value); break;
        case OPT_EXCLUDE_INTERNAL: a->exclude_internal = true; break;
        default: rc = admin_cli_other(cli, id); break;
        }
    }
    return rc;
}

static bool partition_chosen(const offsets_args_t *a, int32_t id)
{
    for (size_t i = 0; i < a->partition_count; i++)
        if (a->partitions[i] == id)
            return true;
    return !a->partition_count;
}

/* The partitions to ask about, each with a->time as its offset; NULL
 * (message printed) on failure. */
static kl_topic_partition_list_t *chosen(admin_cli_t *cli, const offsets_args_t *a, const regex_t *re)
{
    kl_admin_topics_t *t = NULL;
    kl_err_t err = kl_admin_describe_topics(cli->admin, NULL, 0, cli->timeout_ms, &t);
    if (err) {
        admin_cli_fail(cli, "cannot list the topics: %s", admin_cli_err(err, NULL));
        return NULL;
    }
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(0);
    for (size_t i = 0; list && i < t->count; i++) {
        const kl_admin_topic_t *topic = &t->items[i];
        regmatch_t whole;
        if (topic->err || (a->exclude_internal && topic->internal))
            continue;
        if (re && (regexec(re, topic->name, 1, &whole, 0) || whole.rm_so != 0 ||
                   topic->name[whole.rm_eo] != '\0')) /* the whole name, as Java's matches() */
            continue;
        for (size_t p = 0; p < topic->partition_count; p++) {
            if (!partition_chosen(a, topic->partitions[p].id))
                continue;
            kl_topic_partition_t *tp = kl_topic_partition_list_add(list, topic->name, topic->partitions[p].id);
            if (!tp) {
                kl_topic_partition_list_destroy(list);
                list = NULL;
                break;
            }
            tp->offset = a->time;
        }
    }
    kl_admin_topics_destroy(t);
    if (!list)
        admin_cli_fail(cli, "out of memory");
    return list;
}

static void print_offset(admin_cli_t *cli, const kl_topic_partition_t *tp)
{
    bool found = tp->offset >= 0;
    if (cli->json) {
        json_out_t j;
        json_begin(&j, stdout);
        json_str(&j, "topic", tp->topic);
        json_int(&j, "partition", tp->partition);
        if (found)
            json_int(&j, "offset", tp->offset);
        else
            json_null(&j, "offset");
        json_end(&j);
    } else if (found) {
        printf("%s:%d:%lld\n", tp->topic, tp->partition, (long long)tp->offset);
    } else {
        printf("%s:%d:\n", tp->topic, tp->partition);
    }
}

static int offsets(admin_cli_t *cli, const offsets_args_t *a)
{
    regex_t re;
    int rc;
    if (a->topic && (rc = regcomp(&re, a->topic, REG_EXTENDED))) {
        char why[128];
        regerror(rc, &re, why, sizeof why);
        return admin_cli_usage(cli, "--topic %s: %s", a->topic, why);
    }
    kl_topic_partition_list_t *ask = chosen(cli, a, a->topic ? &re : NULL), *found = NULL;
    if (a->topic)
        regfree(&re);
    if (!ask)
        return CLI_FAILED;
    int status = CLI_OK;
    kl_err_t err = ask->count ? kl_admin_list_offsets(cli->admin, ask, cli->timeout_ms, &found) : KL_ERR_NONE;
    if (err) {
        status = admin_cli_fail(cli, "cannot list the offsets: %s", admin_cli_err(err, NULL));
    } else if (found) {
        kl_topic_partition_list_sort(found);
        for (size_t i = 0; i < found->count; i++) {
            const kl_topic_partition_t *tp = &found->elems[i];
            if (tp->err)
                status = admin_cli_fail(cli, "%s:%d: %s", tp->topic, tp->partition, admin_cli_err(tp->err, NULL));
            else
                print_offset(cli, tp);
        }
    }
    if (!ask->count && (a->topic || a->partition_count))
        status = admin_cli_fail(cli, "no partition matches --topic and --partitions");
    kl_topic_partition_list_destroy(ask);
    kl_topic_partition_list_destroy(found);
    return status;
}

int cmd_offsets(int argc, char **argv)
{
    if (opt_wants_help(argc, argv)) {
        cmd_offsets_usage(stdout);
        return CLI_OK;
    }
    admin_cli_t cli;
    if (!admin_cli_init(&cli, "offsets"))
        return CLI_FAILED;
    offsets_args_t a = {.time = KL_OFFSET_END};
    int status = parse(&cli, &a, argc, argv);
    if (status == CLI_OK)
        status = admin_cli_connect(&cli) ? CLI_OK : CLI_FAILED;
    if (status == CLI_OK)
        status = offsets(&cli, &a);
    admin_cli_free(&cli);
    return status;
}
