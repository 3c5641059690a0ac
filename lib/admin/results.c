/* The public result types of the admin client: builders used on the I/O
 * thread and the destroy functions the application calls. */
#include "admin/admin_impl.h"

#include <stdlib.h>
#include <string.h>

char *admin_strdup(kl_str_t s)
{
    if (s.len < 0)
        return NULL;
    char *copy = malloc((size_t)s.len + 1);
    if (copy) {
        memcpy(copy, s.ptr, (size_t)s.len);
        copy[s.len] = '\0';
    }
    return copy;
}

char *admin_strdup_empty(kl_str_t s) { return admin_strdup(s.len < 0 ? kl_str("") : s); }

bool admin_err_retriable(kl_err_t err)
{
    return err == KL_ERR_COORDINATOR_LOAD_IN_PROGRESS || err == KL_ERR_COORDINATOR_NOT_AVAILABLE ||
           err == KL_ERR_NOT_COORDINATOR;
}

/* A results array with, past its public part, which items an answer named
 * (admin_results_apply() fills each name once). */
typedef struct results_impl {
    kl_admin_results_t pub;
    bool *answered;
} results_impl_t;

static bool *answered(kl_admin_results_t *r) { return ((results_impl_t *)r)->answered; }

kl_admin_results_t *admin_results_new(size_t count)
{
    results_impl_t *impl = calloc(1, sizeof *impl);
    if (!impl)
        return NULL;
    kl_admin_results_t *r = &impl->pub;
    r->items = calloc(count ? count : 1, sizeof *r->items);
    impl->answered = calloc(count ? count : 1, sizeof *impl->answered);
    if (!r->items || !impl->answered) {
        free(r->items);
        free(impl->answered);
        free(impl);
        return NULL;
    }
    r->count = count;
    return r;
}

void admin_result_answered(kl_admin_results_t *r, size_t i) { answered(r)[i] = true; }

void admin_result_set(kl_admin_result_t *item, int16_t code, kl_str_t message)
{
    item->err = (kl_err_t)code;
    free(item->errstr);
    item->errstr = code && message.len > 0 ? admin_strdup(message) : NULL;
}

void kl_admin_results_destroy(kl_admin_results_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->items[i].name);
        free(r->items[i].errstr);
    }
    free(r->items);
    free(answered(r));
    free(r);
}

void kl_admin_topics_destroy(kl_admin_topics_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++) {
        kl_admin_topic_t *topic = &t->items[i];
        for (size_t p = 0; p < topic->partition_count; p++) {
            free(topic->partitions[p].replicas);
            free(topic->partitions[p].isr);
        }
        free(topic->partitions);
        free(topic->name);
    }
    free(t->items);
    free(t->cluster_id);
    free(t);
}

void kl_admin_configs_destroy(kl_admin_configs_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        kl_admin_config_resource_t *res = &c->items[i];
        for (size_t e = 0; e < res->entry_count; e++) {
            free(res->entries[e].name);
            free(res->entries[e].value);
        }
        free(res->entries);
        free(res->name);
        free(res->errstr);
    }
    free(c->items);
    free(c);
}

void kl_admin_groups_destroy(kl_admin_groups_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->count; i++) {
        kl_admin_group_t *group = &g->items[i];
        for (size_t m = 0; m < group->member_count; m++) {
            kl_admin_member_t *member = &group->members[m];
            free(member->member_id);
            free(member->group_instance_id);
            free(member->client_id);
            free(member->host);
            kl_topic_partition_list_destroy(member->assignment);
        }
        free(group->members);
        free(group->group_id);
        free(group->state);
        free(group->protocol_type);
        free(group->protocol);
    }
    free(g->items);
    free(g);
}

void admin_results_apply(kl_admin_results_t *r, kl_str_t name, int16_t code, kl_str_t message)
{
    for (size_t i = 0; i < r->count; i++)
        if (!answered(r)[i] && kl_str_eq(name, r->items[i].name)) {
            admin_result_set(&r->items[i], code, message);
            answered(r)[i] = true;
            return;
        }
}

void admin_results_fail(kl_admin_results_t *r, kl_err_t err, const char *errstr)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->items[i].errstr);
        r->items[i].err = err;
        r->items[i].errstr = errstr ? strdup(errstr) : NULL;
        answered(r)[i] = true;
    }
}

void admin_results_unanswered(kl_admin_results_t *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (!answered(r)[i]) {
            r->items[i].err = KL_ERR_BAD_MSG;
            free(r->items[i].errstr);
            r->items[i].errstr = strdup("the broker's answer does not mention it");
        }
}

bool admin_result_name(kl_admin_results_t *r, size_t i, const char *name)
{
    r->items[i].name = strdup(name);
    r->items[i].err = KL_ERR_TIMED_OUT; /* until answered */
    return r->items[i].name != NULL;
}

kl_admin_results_t *admin_results_named(const char *const *names, size_t count)
{
    kl_admin_results_t *r = admin_results_new(count);
    for (size_t i = 0; r && i < count; i++)
        if (!admin_result_name(r, i, names[i])) {
            kl_admin_results_destroy(r);
            return NULL;
        }
    return r;
}

kl_err_t admin_run_results(kl_admin_t *admin, admin_op_t *op, int timeout_ms, kl_admin_results_t *results,
                           kl_admin_results_t **resultsp)
{
    kl_err_t err = admin_op_run(admin, op, timeout_ms);
    if (err) {
        kl_admin_results_destroy(results);
        return err;
    }
    admin_results_unanswered(results);
    *resultsp = results;
    return KL_ERR_NONE;
}

bool admin_names_valid(const char *const *names, size_t count)
{
    if (count && !names)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!names[i] || !*names[i])
            return false;
    return count <= INT32_MAX;
}
