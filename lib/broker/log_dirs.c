/* Several log.dirs: the list parsed from the configuration, where an
 * existing partition lives (exactly one directory may hold it), where a
 * new one goes (the directory holding the fewest partitions, as Kafka
 * places them), and removing a partition's directory wherever it is. The
 * topic catalog, meta.properties, the producer id block and the
 * transaction coordinator's epoch live in the first directory; each
 * partition directory keeps its own recovery, log start and cleaner
 * checkpoints, so they follow it. See topics.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker/topics.h"

/* Copies the trimmed member [p, end) of the list. */
static char *dup_trimmed(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '/'))
        end--;
    return strndup(p, (size_t)(end - p));
}

kl_err_t log_dirs_parse(broker_log_dirs_t *dirs, const char *list, char *errstr, size_t errstr_size)
{
    memset(dirs, 0, sizeof *dirs);
    size_t members = 1;
    for (const char *c = list; *c; c++)
        members += *c == ',';
    dirs->paths = calloc(members, sizeof *dirs->paths);
    dirs->offline = calloc(members, sizeof *dirs->offline);
    if (!dirs->paths || !dirs->offline)
        return KL_ERR_NOMEM;
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        char *path = dup_trimmed(p, end);
        if (!path)
            return KL_ERR_NOMEM;
        bool again = false;
        for (size_t i = 0; i < dirs->count && !again; i++)
            again = !strcmp(dirs->paths[i], path);
        if (!path[0] || again) {
            snprintf(errstr, errstr_size, "log.dirs \"%s\": %s", list,
                     path[0] ? "a directory is listed twice" : "an empty entry");
            free(path);
            return KL_ERR_INVALID_CONFIG;
        }
        dirs->paths[dirs->count++] = path;
        if (!comma)
            break;
        p = comma + 1;
    }
    return KL_ERR_NONE;
}

void log_dirs_free(broker_log_dirs_t *dirs)
{
    for (size_t i = 0; i < dirs->count; i++)
        free(dirs->paths[i]);
    free(dirs->paths);
    free(dirs->offline);
    memset(dirs, 0, sizeof *dirs);
}

static bool partition_dir_exists(const char *dir, const char *topic, int32_t partition)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s-%d", dir, topic, (int)partition);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

kl_err_t log_dirs_find(const broker_log_dirs_t *dirs, const char *topic, int32_t partition, size_t *index,
                       char *errstr, size_t errstr_size)
{
    bool found = false;
    for (size_t i = 0; i < dirs->count; i++) {
        if (!partition_dir_exists(dirs->paths[i], topic, partition))
            continue;
        if (found) {
            snprintf(errstr, errstr_size, "partition %s-%d is in two log.dirs: %s/%s-%d and %s/%s-%d", topic,
                     (int)partition, dirs->paths[*index], topic, (int)partition, dirs->paths[i], topic,
                     (int)partition);
            return KL_ERR_INVALID_CONFIG;
        }
        *index = i;
        found = true;
    }
    return found ? KL_ERR_NONE : KL_ERR_NOENT;
}

size_t log_dirs_of(const broker_log_dirs_t *dirs, const kl_log_t *log)
{
    const char *path = kl_log_dir(log);
    for (size_t i = 0; i < dirs->count; i++) {
        size_t n = strlen(dirs->paths[i]);
        if (!strncmp(path, dirs->paths[i], n) && path[n] == '/' && !strchr(path + n + 1, '/'))
            return i;
    }
    return dirs->count;
}

static void count_logs(const broker_log_dirs_t *dirs, kl_log_t *const *logs, int32_t n, size_t *counts)
{
    for (int32_t p = 0; p < n; p++)
        if (logs[p]) {
            size_t i = log_dirs_of(dirs, logs[p]);
            counts[i < dirs->count ? i : 0]++;
        }
}

kl_err_t log_dirs_place(const broker_topics_t *topics, const broker_topic_t *opening, size_t *index)
{
    const broker_log_dirs_t *dirs = &topics->dirs;
    size_t *counts = calloc(dirs->count, sizeof *counts);
    if (!counts)
        return KL_ERR_NOMEM;
    for (size_t t = 0; t < topics->count; t++)
        if (topics->items[t] != opening)
            count_logs(dirs, topics->items[t]->logs, topics->items[t]->partition_count, counts);
    if (opening)
        count_logs(dirs, opening->logs, opening->partition_count, counts);
    size_t best = dirs->count;
    for (size_t i = 0; i < dirs->count; i++)
        if (!dirs->offline[i] && (best == dirs->count || counts[i] < counts[best]))
            best = i;
    free(counts);
    *index = best;
    return best < dirs->count ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

size_t log_dirs_partitions(const broker_topics_t *topics, size_t index)
{
    size_t n = 0;
    for (size_t t = 0; t < topics->count; t++)
        for (int32_t p = 0; p < topics->items[t]->partition_count; p++)
            n += topics->items[t]->logs[p] && log_dirs_of(&topics->dirs, topics->items[t]->logs[p]) == index;
    return n;
}
