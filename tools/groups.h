/* `kafkalite groups` (kafka-consumer-groups.sh): what its parts share. The
 * options and the small actions are in cmd_groups.c, --describe's views in
 * groups_describe.c, --reset-offsets in groups_reset.c, the reset specs'
 * time and duration formats in groups_time.c. */
#ifndef KL_TOOLS_GROUPS_H
#define KL_TOOLS_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "admin_cli.h"

#define GROUPS_MAX_NAMED 64 /* --group and --topic options at most */

typedef enum { NONE, LIST, DESCRIBE, DELETE, RESET, DELETE_OFFSETS } groups_action_t;
typedef enum {
    TO_NONE, TO_EARLIEST, TO_LATEST, TO_CURRENT, TO_OFFSET, SHIFT_BY, TO_DATETIME, BY_DURATION, FROM_FILE
} groups_target_t;
typedef enum { VIEW_OFFSETS, VIEW_MEMBERS, VIEW_STATE } groups_view_t;

typedef struct groups_args {
    groups_action_t action;
    bool state;      /* --list --state, or --describe --state */
    bool execute, dry_run, export_csv, all_topics, all_groups, verbose;
    groups_view_t view;
    const char *groups[GROUPS_MAX_NAMED];
    size_t group_count;
    const char *topics[GROUPS_MAX_NAMED]; /* T or T:P,P */
    size_t topic_count;
    groups_target_t target;
    int64_t value;    /* offset, shift, timestamp (ms) or duration (ms) */
    const char *file; /* --from-file */
} groups_args_t;

/* The group's description; NULL (message printed) on failure. */
kl_admin_groups_t *groups_describe_one(admin_cli_t *cli, const char *group);

/* --describe of one group in a->view's layout; the exit status. */
int groups_describe(admin_cli_t *cli, const groups_args_t *a, const char *group);

/* --reset-offsets of the groups: plan, print (table or --export CSV) and,
 * with --execute, commit. The exit status. */
int groups_reset(admin_cli_t *cli, const groups_args_t *a, const char *const *groups, size_t count);

/* The partitions named by --topic T[:P,P...] options (every partition of
 * T without a list), sorted; NULL (message printed) on failure. */
kl_topic_partition_list_t *groups_named_partitions(admin_cli_t *cli, const groups_args_t *a);

/* Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.sss]" with an
 * optional zone "Z" or "+hh:mm"/"-hh:mm" (local time without one); -1
 * when malformed. */
int64_t groups_parse_datetime(const char *s);

/* Milliseconds of an ISO-8601 duration "PnDTnHnMn[.fff]S" (Java's
 * Duration.parse() form: at least one part; a leading '-' negates); false
 * when malformed. */
bool groups_parse_duration(const char *s, int64_t *ms);

/* The current time in milliseconds since the epoch. */
int64_t groups_now_ms(void);

#endif
