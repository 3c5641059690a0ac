/* The catalog checked against the partition directories at start, which
 * are the truth (as Kafka rebuilds from its log dirs): a topic found on
 * disk that the catalog lacks is rebuilt (name and partition count from
 * its <topic>-<partition> directories, the topic id from their
 * partition.metadata, default configs but Kafka's compact policy for
 * __consumer_offsets), a catalogued topic
 * with more partition directories than it says keeps them all, and a
 * damaged catalog refuses the start while there is data it might
 * describe: its configs (a retention, a compact policy) cannot be guessed
 * without losing data. Also the removal of a deleted topic's directories,
 * renamed first to <dir>.<id>-delete as Kafka does, so that a removal cut
 * short by a crash is finished at the next start and never mistaken for
 * a topic. See topics.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/group.h"
#include "broker/topics.h"
#include "storage/file.h"

#define DELETE_SUFFIX "-delete"

typedef struct found_topic {
    char *name;
    int32_t partitions; /* the highest partition found, plus one */
} found_topic_t;

typedef struct found {
    found_topic_t *items;
    size_t count, cap;
} found_t;

static void found_free(found_t *found)
{
    for (size_t i = 0; i < found->count; i++)
        free(found->items[i].name);
    free(found->items);
}

static kl_err_t found_add(found_t *found, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < found->count; i++)
        if (!strcmp(found->items[i].name, topic)) {
            if (partition >= found->items[i].partitions)
                found->items[i].partitions = partition + 1;
            return KL_ERR_NONE;
        }
    if (found->count == found->cap) {
        size_t cap = found->cap ? found->cap * 2 : 16;
        found_topic_t *grown = realloc(found->items, cap * sizeof *grown);
        if (!grown)
            return KL_ERR_NOMEM;
        found->items = grown;
        found->cap = cap;
    }
    char *name = strdup(topic);
    if (!name)
        return KL_ERR_NOMEM;
    found->items[found->count++] = (found_topic_t){name, partition + 1};
    return KL_ERR_NONE;
}

/* <topic>-<partition> as kl_log_open() names it (a valid topic name, a
 * decimal partition without leading zeros); false for anything else. */
static bool parse_partition_dir(const char *name, char *topic, size_t topic_size, int32_t *partition)
{
    const char *dash = strrchr(name, '-');
    if (!dash || dash == name || !dash[1] || (dash[1] == '0' && dash[2]) || strlen(dash + 1) > 10)
        return false;
    int64_t p = 0;
    for (const char *c = dash + 1; *c; c++) {
        if (*c < '0' || *c > '9')
            return false;
        p = p * 10 + (*c - '0');
    }
    size_t len = (size_t)(dash - name);
    if (p > INT32_MAX || len >= topic_size)
        return false;
    memcpy(topic, name, len);
    topic[len] = '\0';
    *partition = (int32_t)p;
    return topic_name_valid(kl_str(topic));
}

static bool is_dir(int dirfd_, const char *name)
{
    struct stat st;
    return fstatat(dirfd_, name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* Deletes directory path and the files in it. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    rmdir(path);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcmp(s + n - m, suffix);
}

/* The partition directories of one log dir into found; finishes the
 * removal of deleted topics' directories. */
static kl_err_t scan_dir(broker_topics_t *topics, const char *dir, found_t *found)
{
    DIR *d = opendir(dir);
    if (!d)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    kl_err_t err = KL_ERR_NONE;
    for (struct dirent *e; !err && (e = readdir(d)) != NULL;) {
        char topic[256], path[4096];
        int32_t partition;
        if (e->d_name[0] == '.' || !is_dir(dirfd(d), e->d_name))
            continue;
        if (has_suffix(e->d_name, DELETE_SUFFIX)) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove_tree(path);
            topics->recovery.delete_leftovers++;
            topics_report(topics, false, "removed %s: the rest of a topic deletion a stop cut short", path);
        } else if (parse_partition_dir(e->d_name, topic, sizeof topic, &partition)) {
            err = found_add(found, topic, partition);
        }
    }
    closedir(d);
    return err;
}

/* A topic the catalog lacks, rebuilt from its directories. */
static kl_err_t rebuild_topic(broker_topics_t *topics, const found_topic_t *f)
{
    broker_topic_t *t = topic_new(f->name, strlen(f->name), f->partitions, 1);
    bool ok = t != NULL, kept_id = false;
    for (int32_t p = 0; ok && !kept_id && p < f->partitions; p++) {
        size_t at;
        char path[4096], ignored[512];
        if (log_dirs_find(&topics->dirs, f->name, p, &at, ignored, sizeof ignored) != KL_ERR_NONE)
            continue;
        snprintf(path, sizeof path, "%s/%s-%d", topics->dirs.paths[at], f->name, (int)p);
        kl_uuid_t id;
        kept_id = partition_metadata_read(path, &id) && !topics_find_id(topics, &id);
        if (kept_id)
            t->id = id;
    }
    if (ok && !strcmp(f->name, GROUP_OFFSETS_TOPIC))
        ok = topic_add_config(t, "cleanup.policy", strlen("cleanup.policy"), "compact", strlen("compact"), false);
    if (!ok || topics_add(topics, t) != KL_ERR_NONE) {
        topic_free(t);
        return KL_ERR_NOMEM;
    }
    topics->recovery.topics_rebuilt++;
    topics_report(topics, true,
                  "topic %s is not in %s/%s: rebuilt from its partition directories with %d partitions, %s "
                  "topic id and default configs%s",
                  f->name, topics->dir, CATALOG_NAME, (int)f->partitions,
                  kept_id ? "its partition.metadata's" : "a new", t->config_count ? " (cleanup.policy=compact)" : "");
    return KL_ERR_NONE;
}

/* Catalogued partitions with no directory anywhere start empty: said. */
static void report_missing(broker_topics_t *topics)
{
    char ignored[512];
    for (size_t i = 0; i < topics->count; i++) {
        const broker_topic_t *t = topics->items[i];
        for (int32_t p = 0; p < t->partition_count; p++) {
            size_t at;
            if (log_dirs_find(&topics->dirs, t->name, p, &at, ignored, sizeof ignored) != KL_ERR_NOENT)
                continue;
            topics->recovery.partitions_missing++;
            topics_report(topics, true, "partition %s-%d has no directory in log.dirs: it starts empty", t->name,
                          (int)p);
        }
    }
}

/* A damaged catalog: refused while partition directories exist; set
 * aside (kept as .damaged) when there is nothing it could describe. */
static kl_err_t damaged_catalog(broker_topics_t *topics, const found_t *found, const char *damage, char *errstr,
                                size_t errstr_size)
{
    char path[4096], aside[4200];
    snprintf(path, sizeof path, "%s/%s", topics->dir, CATALOG_NAME);
    if (found->count > 0) {
        snprintf(errstr, errstr_size,
                 "%s is damaged (%s), and log.dirs hold partition directories (topic %s and %zu more) whose "
                 "configs it should say: restore it from a backup, or move it away to rebuild the topics from "
                 "their partition directories with default configs",
                 path, damage, found->items[0].name, found->count - 1);
        return KL_ERR_INVALID_CONFIG;
    }
    snprintf(aside, sizeof aside, "%s.damaged", path);
    if (rename(path, aside) != 0) {
        snprintf(errstr, errstr_size, "cannot move the damaged %s aside: %s", path, strerror(errno));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    topics_report(topics, true, "%s is damaged (%s) and no partition directory exists: kept as %s, starting with "
                  "no topics", path, damage, aside);
    return KL_ERR_NONE;
}

kl_err_t topics_reconcile(broker_topics_t *topics, catalog_state_t state, const char *damage, bool *changed,
                          char *errstr, size_t errstr_size)
{
    found_t found = {0};
    kl_err_t err = KL_ERR_NONE;
    for (size_t i = 0; !err && i < topics->dirs.count; i++) {
        err = scan_dir(topics, topics->dirs.paths[i], &found);
        if (err)
            snprintf(errstr, errstr_size, "cannot list log dir %s: %s", topics->dirs.paths[i],
                     err == KL_ERR_NOMEM ? kl_err_str(err) : strerror(errno));
    }
    if (!err && state == CATALOG_DAMAGED)
        err = damaged_catalog(topics, &found, damage, errstr, errstr_size);
    if (!err && state == CATALOG_ABSENT && found.count > 0)
        topics_report(topics, true, "%s/%s is missing: rebuilding %zu topics from their partition directories",
                      topics->dir, CATALOG_NAME, found.count);
    *changed = !err && state == CATALOG_DAMAGED;
    for (size_t i = 0; !err && i < found.count; i++) {
        broker_topic_t *t = topics_find(topics, kl_str(found.items[i].name));
        if (!t) {
            *changed = true;
            err = rebuild_topic(topics, &found.items[i]);
        } else if (found.items[i].partitions > t->partition_count) {
            *changed = true;
            topics->recovery.topics_rebuilt++;
            topics_report(topics, true, "%s/%s gives topic %s %d partitions, but log.dirs hold directories for %d: "
                          "it keeps them all", topics->dir, CATALOG_NAME, t->name, (int)t->partition_count,
                          (int)found.items[i].partitions);
            t->partition_count = found.items[i].partitions;
        }
    }
    if (!err)
        report_missing(topics);
    found_free(&found);
    return err;
}

bool topics_partition_dirs_exist(const broker_topics_t *topics, const char *topic, int32_t from, int32_t to,
                                 char *errstr, size_t errstr_size)
{
    for (size_t d = 0; d < topics->dirs.count; d++)
        for (int32_t p = from; p < to; p++) {
            struct stat st;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%d", topics->dirs.paths[d], topic, (int)p);
            if (lstat(path, &st) == 0 || errno != ENOENT) {
                snprintf(errstr, errstr_size, "%s", path);
                return true; /* whatever it is, it is not ours */
            }
        }
    return false;
}

void topics_remove_partition_dirs(const broker_topics_t *topics, const char *topic, const kl_uuid_t *id, int32_t from,
                                  int32_t to)
{
    char hex[33];
    for (size_t i = 0; i < sizeof id->b; i++)
        snprintf(hex + 2 * i, 3, "%02x", id->b[i]);
    for (size_t d = 0; d < topics->dirs.count; d++) {
        const char *dir = topics->dirs.paths[d];
        for (int32_t p = from; p < to; p++) {
            char path[4096], doomed[4200];
            snprintf(path, sizeof path, "%s/%s-%d", dir, topic, (int)p);
            snprintf(doomed, sizeof doomed, "%s.%s" DELETE_SUFFIX, path, hex);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && rename(path, doomed) == 0) {
                kl_fsync_dir(dir);
                remove_tree(doomed);
            }
        }
    }
}
