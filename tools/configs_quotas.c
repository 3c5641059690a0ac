/* `kafkalite configs --entity-type clients`: the client-id quotas of
 * kafka-configs.sh (KIP-546) through kl_admin_describe_client_quotas() and
 * kl_admin_alter_client_quotas(), printed in Kafka's layout: "Quota configs
 * for client-id 'c1' are producer_byte_rate=1024.0". kafkalite's broker
 * enforces no quota: it lists none and refuses to store one (the admin
 * client reports its missing AlterClientQuotas as Kafka's does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.h"
#include "json_out.h"

#define ENTITY "client-id"

/* A quota value as a number; false when it is not one. */
static bool quota_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end && isfinite(*v);
}

int configs_quotas_check(admin_cli_t *cli, const configs_args_t *a)
{
    double v;
    for (size_t i = 0; i < a->op_count; i++)
        if (a->ops[i].op == KL_ADMIN_CONFIG_SET && !quota_number(a->ops[i].value, &v))
            return admin_cli_usage(cli, "a client quota is a number: %s=%s", a->ops[i].name, a->ops[i].value);
    return CLI_OK;
}

/* v as Java's Double.toString() writes it ("1024.0", "1.5E7"), the way
 * kafka-configs.sh prints quotas. */
static void java_double(double v, char *out, size_t size)
{
    char digits[40];
    double mag = v < 0 ? -v : v;
    bool sci = mag != 0 && (mag < 1e-3 || mag >= 1e7);
    for (int precision = 0; precision <= 17; precision++) { /* the shortest text that reads back as v */
        snprintf(digits, sizeof digits, sci ? "%.*E" : "%.*f", precision, v);
        if (strtod(digits, NULL) == v)
            break;
    }
    if (!sci) {
        snprintf(out, size, "%s%s", digits, strchr(digits, '.') ? "" : ".0");
        return;
    }
    char *e = strchr(digits, 'E');
    int exponent = atoi(e + 1);
    *e = '\0';
    snprintf(out, size, "%s%sE%d", digits, strchr(digits, '.') ? "" : ".0", exponent);
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const kl_admin_quota_value_t *)x)->key, ((const kl_admin_quota_value_t *)y)->key);
}

/* One entity's quotas (values sorted by key): Kafka's line, or a JSON
 * object per value (see kafkalite-configs(1)). */
static void print_entry(const admin_cli_t *cli, kl_admin_quota_entry_t *e)
{
    const char *name = e->entity_count == 1 ? e->entity[0].name : NULL;
    char value[64];
    qsort(e->values, e->value_count, sizeof *e->values, by_key);
    if (!cli->json && name)
        printf("Quota configs for " ENTITY " '%s' are ", name);
    else if (!cli->json)
        printf("Quota configs for the default " ENTITY " are ");
    for (size_t i = 0; i < e->value_count; i++) {
        java_double(e->values[i].value, value, sizeof value);
        if (!cli->json) {
            printf("%s%s=%s", i ? ", " : "", e->values[i].key, value);
            continue;
        }
        json_out_t j;
        json_begin(&j, stdout);
        json_str(&j, "entity_type", "clients");
        json_str(&j, "entity_name", name ? name : ""); /* "" for the default, as for brokers */
        json_str(&j, "name", e->values[i].key);
        json_str(&j, "value", value);
        json_null(&j, "source");
        json_bool(&j, "default", false);
        json_bool(&j, "read_only", false);
        json_bool(&j, "sensitive", false);
        json_end(&j);
    }
    if (!cli->json)
        printf("\n");
}

int configs_quotas_describe(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_quota_filter_t f = {ENTITY, KL_ADMIN_QUOTA_MATCH_ANY, NULL};
    if (a->name && *a->name)
        f = (kl_admin_quota_filter_t){ENTITY, KL_ADMIN_QUOTA_MATCH_EXACT, a->name};
    else if (a->name)
        f.match = KL_ADMIN_QUOTA_MATCH_DEFAULT;
    kl_admin_client_quotas_t *q = NULL;
    /* strict, as kafka-configs.sh asks: no user+client-id entities */
    kl_err_t err = kl_admin_describe_client_quotas(cli->admin, &f, 1, 1, cli->timeout_ms, &q);
    if (err)
        return admin_cli_fail(cli, "cannot describe client quotas: %s", admin_cli_err(err, NULL));
    for (size_t i = 0; i < q->count; i++)
        print_entry(cli, &q->items[i]);
    kl_admin_client_quotas_destroy(q);
    return CLI_OK;
}

int configs_quotas_alter(admin_cli_t *cli, const configs_args_t *a)
{
    kl_admin_quota_entity_t entity = {ENTITY, *a->name ? a->name : NULL};
    kl_admin_quota_op_t ops[CONFIGS_MAX_OPS];
    for (size_t i = 0; i < a->op_count; i++) {
        ops[i] = (kl_admin_quota_op_t){a->ops[i].name, 0, a->ops[i].op == KL_ADMIN_CONFIG_DELETE};
        if (!ops[i].remove)
            quota_number(a->ops[i].value, &ops[i].value); /* checked by configs_quotas_check() */
    }
    kl_admin_quota_alteration_t alt = {&entity, 1, ops, a->op_count};
    kl_admin_results_t *r = NULL;
    kl_err_t err = kl_admin_alter_client_quotas(cli->admin, &alt, 1, 0, cli->timeout_ms, &r);
    if (!err)
        err = r->items[0].err;
    const char *why = !err ? NULL : r ? r->items[0].errstr : NULL;
    int status = CLI_OK;
    if (err)
        status = admin_cli_fail(cli, "cannot alter the quotas of %s: %s%s", r ? r->items[0].name : ENTITY,
                                admin_cli_err(err, why),
                                err == KL_ERR_UNSUPPORTED_VERSION
                                    ? " (a kafkalite broker enforces no client quotas, so it stores none)"
                                    : "");
    else if (*a->name)
        printf("Completed updating config for client %s.\n", a->name);
    else
        printf("Completed updating default config for clients in the cluster.\n");
    kl_admin_results_destroy(r);
    return status;
}
