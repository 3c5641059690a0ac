/* `kafkalite configs` (kafka-configs.sh): what its parts share. Options,
 * topic, broker and group configs are in cmd_configs.c; the client quotas
 * of --entity-type clients in configs_quotas.c. */
#ifndef KL_TOOLS_CONFIGS_H
#define KL_TOOLS_CONFIGS_H

#include <stdbool.h>
#include <stddef.h>

#include "admin_cli.h"

#define CONFIGS_MAX_OPS 128

/* The entity's kind: a config resource, or a client quota entity. */
typedef enum { ENTITY_NONE, ENTITY_TOPIC, ENTITY_BROKER, ENTITY_GROUP, ENTITY_CLIENT } configs_entity_t;

typedef struct configs_args {
    int action; /* 'd' describe, 'a' alter */
    bool all;
    configs_entity_t entity;
    const char *name; /* "" for --entity-default; NULL: every entity (clients --describe) */
    kl_admin_config_op_t ops[CONFIGS_MAX_OPS];
    size_t op_count;
    char *copies[CONFIGS_MAX_OPS]; /* the split option values the ops point into */
    size_t copy_count;
} configs_args_t;

/* The entity type as kafka-configs.sh spells it ("topics", "clients"). */
const char *configs_entity_type(configs_entity_t e);

/* CLI_OK, or CLI_USAGE (message printed) when an --add-config value of a
 * client quota is not a number. */
int configs_quotas_check(admin_cli_t *cli, const configs_args_t *a);

/* --describe and --alter of client quotas; the exit status. */
int configs_quotas_describe(admin_cli_t *cli, const configs_args_t *a);
int configs_quotas_alter(admin_cli_t *cli, const configs_args_t *a);

#endif
