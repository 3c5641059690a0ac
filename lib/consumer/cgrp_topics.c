/* What the subscription matches in the client's metadata: topic names as
 * given, and '^' patterns (POSIX extended) matched against every topic in
 * the cluster (the internal ones excluded, as Kafka's clients do); and the
 * partition counts the last join saw, so that a topic created, deleted or
 * grown makes the member rejoin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer/cgrp_impl.h"

static bool internal_topic(const char *name)
{
    return strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
}

static void seen_free(kl_cgrp_t *cg)
{
    for (size_t i = 0; i < cg->nseen; i++)
        free(cg->seen[i].name);
    free(cg->seen);
    cg->seen = NULL;
    cg->nseen = 0;
}

void cgrp_topics_free(kl_cgrp_t *cg)
{
    for (size_t i = 0; i < cg->ntopics; i++)
        free(cg->topics[i]);
    free(cg->topics);
    for (size_t i = 0; i < cg->npatterns; i++)
        regfree(&cg->patterns[i]);
    free(cg->patterns);
    if (cg->npatterns && !cg->destroying)
        kl_client_want_all_topics(cg->client, false);
    cg->topics = NULL;
    cg->patterns = NULL;
    cg->ntopics = cg->npatterns = 0;
    cg->md_wait = false;
    seen_free(cg);
}

kl_err_t cgrp_topics_set(kl_cgrp_t *cg, const char *const *topics, size_t count)
{
    char **names = calloc(count, sizeof *names);
    regex_t *patterns = calloc(count, sizeof *patterns);
    size_t npatterns = 0;
    kl_err_t err = names && patterns ? KL_ERR_NONE : KL_ERR_NOMEM;
    for (size_t i = 0; i < count && !err; i++) {
        if (!topics[i] || !*topics[i]) {
            err = KL_ERR_INVALID_ARG;
            break;
        }
        if (!(names[i] = strdup(topics[i])))
            err = KL_ERR_NOMEM;
        else if (topics[i][0] == '^') {
            int rc = regcomp(&patterns[npatterns], topics[i], REG_EXTENDED | REG_NOSUB);
            if (rc != 0) {
                char why[128];
                regerror(rc, &patterns[npatterns], why, sizeof why);
                kl_log(cg->log, KL_LOG_ERR, "CGRP", "group %s: bad subscription pattern \"%s\": %s", cg->group_id,
                       topics[i], why);
                err = KL_ERR_INVALID_ARG;
            } else {
                npatterns++;
            }
        }
    }
    if (err) {
        for (size_t i = 0; names && i < count; i++)
            free(names[i]);
        for (size_t i = 0; i < npatterns; i++)
            regfree(&patterns[i]);
        free(names);
        free(patterns);
        return err;
    }
    cgrp_topics_free(cg);
    cg->topics = names;
    cg->ntopics = count;
    cg->patterns = patterns;
    cg->npatterns = npatterns;
    for (size_t i = 0; i < count; i++)
        if (names[i][0] != '^')
            kl_client_want_topic(cg->client, names[i]);
    if (npatterns) {
        cg->md_wait = true; /* join with what the next answer lists */
        kl_client_want_all_topics(cg->client, true);
        kl_client_refresh_metadata(cg->client, "pattern subscription");
    }
    return KL_ERR_NONE;
}

static bool pattern_match(const kl_cgrp_t *cg, const char *name)
{
    if (internal_topic(name))
        return false;
    for (size_t i = 0; i < cg->npatterns; i++)
        if (regexec(&cg->patterns[i], name, 0, NULL, 0) == 0)
            return true;
    return false;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

const char **cgrp_topics_matched(kl_cgrp_t *cg, size_t *countp)
{
    size_t nmd;
    const kl_md_topic_t *md = kl_client_topics(cg->client, &nmd);
    const char **out = malloc((cg->ntopics + nmd + 1) * sizeof *out);
    size_t n = 0;
    if (!out) {
        *countp = 0;
        return NULL;
    }
    for (size_t i = 0; i < cg->ntopics; i++)
        if (cg->topics[i][0] != '^')
            out[n++] = cg->topics[i];
    for (size_t i = 0; cg->npatterns && i < nmd; i++)
        if (md[i].described && !md[i].err && md[i].partition_count > 0 && pattern_match(cg, md[i].name))
            out[n++] = md[i].name;
    qsort(out, n, sizeof *out, cmp_names);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || strcmp(out[w - 1], out[i]) != 0)
            out[w++] = out[i];
    *countp = w;
    return out;
}

bool cgrp_topics_ready(kl_cgrp_t *cg)
{
    if (cg->md_wait)
        return false;
    for (size_t i = 0; i < cg->ntopics; i++) {
        if (cg->topics[i][0] == '^')
            continue;
        const kl_md_topic_t *t = kl_client_topic(cg->client, cg->topics[i]);
        if (!t || !t->described)
            return false;
    }
    return true;
}

static int32_t partitions_now(kl_cgrp_t *cg, const char *name)
{
    const kl_md_topic_t *t = kl_client_topic(cg->client, name);
    return t && !t->err ? t->partition_count : 0;
}

static bool seen_add(kl_cgrp_t *cg, const char *name, size_t len)
{
    for (size_t i = 0; i < cg->nseen; i++)
        if (strlen(cg->seen[i].name) == len && memcmp(cg->seen[i].name, name, len) == 0)
            return true;
    cgrp_topic_seen_t *p = realloc(cg->seen, (cg->nseen + 1) * sizeof *p);
    if (!p)
        return false;
    cg->seen = p;
    char *copy = malloc(len + 1);
    if (!copy)
        return false;
    memcpy(copy, name, len);
    copy[len] = '\0';
    cg->seen[cg->nseen].name = copy;
    cg->seen[cg->nseen].partition_count = partitions_now(cg, copy);
    cg->nseen++;
    return true;
}

void cgrp_topics_snapshot(kl_cgrp_t *cg, const kl_str_t *extra, size_t nextra)
{
    seen_free(cg);
    size_t n;
    const char **matched = cgrp_topics_matched(cg, &n);
    for (size_t i = 0; i < n; i++)
        seen_add(cg, matched[i], strlen(matched[i]));
    free(matched);
    for (size_t i = 0; i < nextra; i++)
        if (extra[i].len > 0)
            seen_add(cg, extra[i].ptr, (size_t)extra[i].len);
}

void cgrp_topics_report_gone(kl_cgrp_t *cg)
{
    for (size_t i = 0; i < cg->nseen; i++) {
        if (cg->seen[i].partition_count <= 0 || partitions_now(cg, cg->seen[i].name) > 0)
            continue;
        char reason[300];
        snprintf(reason, sizeof reason, "subscribed topic %s is no longer available (deleted)", cg->seen[i].name);
        cg->seen[i].partition_count = 0; /* reported once */
        if (cg->events.error)
            cg->events.error(cg, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, reason, cg->opaque);
    }
}

bool cgrp_topics_changed(kl_cgrp_t *cg)
{
    for (size_t i = 0; i < cg->nseen; i++)
        if (partitions_now(cg, cg->seen[i].name) != cg->seen[i].partition_count)
            return true;
    if (!cg->npatterns)
        return false;
    size_t n;
    const char **matched = cgrp_topics_matched(cg, &n);
    bool changed = false;
    for (size_t i = 0; i < n && !changed; i++) {
        bool known = false;
        for (size_t j = 0; j < cg->nseen && !known; j++)
            known = strcmp(cg->seen[j].name, matched[i]) == 0;
        changed = !known;
    }
    free(matched);
    return changed;
}
