/* The topic registry and its catalog file (see topics.h). The catalog is a
 * small text file rewritten whole (temporary file, fsync, rename) on every
 * change, so a crash leaves either the old or the new one:
 *   # kafkalite topic catalog 1
 *   topic <name> <id: 32 hex digits> <partitions> <replication factor>
 *   config <name> =<value, %XX-escaped>     (or no '=' for a null value)
 * config lines belong to the topic line above them. */
#include "broker/topics.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/loop.h"

#define CATALOG_NAME "kafkalite-topics.catalog"
#define CATALOG_HEADER "# kafkalite topic catalog 1"
#define CATALOG_MAX_BYTES (64u << 20)
#define TOPIC_NAME_MAX 249

bool topic_name_valid(kl_str_t name)
{
    if (name.len <= 0 || name.len > TOPIC_NAME_MAX)
        return false;
    if ((name.len == 1 && name.ptr[0] == '.') || (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.'))
        return false;
    for (int32_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------- topics */

static void topic_free(broker_topic_t *topic)
{
    if (!topic)
        return;
    for (int32_t p = 0; topic->logs && p < topic->partition_count; p++)
        kl_log_close(topic->logs[p]);
    for (int32_t p = 0; topic->producers && p < topic->partition_count; p++)
        producer_state_free(&topic->producers[p]);
    free(topic->producers);
    for (size_t i = 0; i < topic->config_count; i++) {
        free(topic->configs[i].name);
        free(topic->configs[i].value);
    }
    free(topic->configs);
    free(topic->logs);
    free(topic->name);
    free(topic);
}

/* Deletes <dir>/<topic>-<partition> and the files in it. */
static void remove_partition_dir(const char *dir, const char *topic, int32_t partition);

/* The same in every log dir. */
static void remove_partition_everywhere(const broker_topics_t *topics, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < topics->dirs.count; i++)
        remove_partition_dir(topics->dirs.paths[i], topic, partition);
}

/* Opens partitions [from, to) of topic, which has room for them; fresh:
 * they are new, and a directory of the same name is a leftover (of a
 * deleted topic, or a failed attempt) whose data is not theirs. */
static kl_err_t open_partitions(broker_topics_t *topics, broker_topic_t *t, int32_t from, int32_t to,
                                bool fresh)
{
    kl_log_config_t log_config;
    topic_config_resolve(&topics->defaults, t, &log_config);
    int64_t now = kl_wallclock_ms();
    for (int32_t p = from; p < to; p++) {
        if (fresh)
            remove_partition_everywhere(topics, t->name, p);
        size_t dir = 0;
        kl_err_t err = log_dirs_find(&topics->dirs, t->name, p, &dir, topics->error, sizeof topics->error);
        if (err == KL_ERR_NOENT)
            dir = log_dirs_place(topics, t);
        else if (err)
            return err;
        char why[512];
        err = kl_log_open_why(topics->dirs.paths[dir], t->name, p, &log_config, &t->logs[p], why, sizeof why);
        if (!fresh && (err == KL_ERR_KAFKA_STORAGE_ERROR || err == KL_ERR_CORRUPT_MESSAGE)) {
            if (topics->report_offline)
                topics->report_offline(topics->report_opaque, t->name, p, why);
            t->logs[p] = NULL;
            producer_state_init(&t->producers[p]);
            continue;
        }
        if (err && why[0])
            snprintf(topics->error, sizeof topics->error, "%s", why);
        if (!err)
            err = producer_state_load(&t->producers[p], t->logs[p], now, topics->defaults.producer_expiration_ms);
        if (err)
            return err;
    }
    return KL_ERR_NONE;
}

static kl_err_t topic_open_logs(broker_topics_t *topics, broker_topic_t *topic, bool fresh)
{
    topic->logs = calloc((size_t)topic->partition_count, sizeof *topic->logs);
    topic->producers = calloc((size_t)topic->partition_count, sizeof *topic->producers);
    if (!topic->logs || !topic->producers)
        return KL_ERR_NOMEM;
    return open_partitions(topics, topic, 0, topic->partition_count, fresh);
}

static kl_err_t topics_add(broker_topics_t *topics, broker_topic_t *topic)
{
    if (topics->count == topics->cap) {
        size_t cap = topics->cap ? topics->cap * 2 : 16;
        broker_topic_t **grown = realloc(topics->items, cap * sizeof *grown);
        if (!grown)
            return KL_ERR_NOMEM;
        topics->items = grown;
        topics->cap = cap;
    }
    topics->items[topics->count++] = topic;
    return KL_ERR_NONE;
}

/* The registry is a plain array: a single node serves few enough topics
 * that a scan costs less than the request that asks. */
broker_topic_t *topics_find(const broker_topics_t *topics, kl_str_t name)
{
    if (name.len < 0)
        return NULL;
    for (size_t i = 0; i < topics->count; i++) {
        const char *n = topics->items[i]->name;
        if (strlen(n) == (size_t)name.len && memcmp(n, name.ptr, (size_t)name.len) == 0)
            return topics->items[i];
    }
    return NULL;
}

broker_topic_t *topics_find_id(const broker_topics_t *topics, const kl_uuid_t *id)
{
    for (size_t i = 0; i < topics->count; i++)
        if (memcmp(topics->items[i]->id.b, id->b, sizeof id->b) == 0)
            return topics->items[i];
    return NULL;
}

/* ------------------------------------------------------------- catalog */

static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '%')
            fprintf(f, "%%%02X", *p);
        else
            fputc(*p, f);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Unescapes s in place; false on a bad escape. */
static bool unescape(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        if (*p != '%') {
            *out++ = *p;
            continue;
        }
        int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
        if (hi < 0 || lo < 0)
            return false;
        *out++ = (char)(hi * 16 + lo);
        p += 2;
    }
    *out = '\0';
    return true;
}

static void write_topic(FILE *f, const broker_topic_t *t)
{
    fprintf(f, "topic %s ", t->name);
    for (size_t i = 0; i < sizeof t->id.b; i++)
        fprintf(f, "%02x", t->id.b[i]);
    fprintf(f, " %d %d\n", (int)t->partition_count, (int)t->replication_factor);
    for (size_t i = 0; i < t->config_count; i++) {
        fprintf(f, "config ");
        put_escaped(f, t->configs[i].name);
        if (t->configs[i].value) {
            fputs(" =", f);
            put_escaped(f, t->configs[i].value);
        }
        fputc('\n', f);
    }
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Rewrites the catalog from the registry. */
static kl_err_t catalog_write(const broker_topics_t *topics)
{
    char path[4096], tmp[4112];
    snprintf(path, sizeof path, "%s/%s", topics->dir, CATALOG_NAME);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    fprintf(f, "%s\n", CATALOG_HEADER);
    for (size_t i = 0; i < topics->count; i++)
        write_topic(f, topics->items[i]);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    fsync_dir(topics->dir);
    return KL_ERR_NONE;
}

static bool parse_id(const char *hex, kl_uuid_t *id)
{
    if (strlen(hex) != 32)
        return false;
    for (int i = 0; i < 16; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        id->b[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
}

static broker_topic_t *parse_topic_line(char *args)
{
    char *save, *name = strtok_r(args, " ", &save), *id = strtok_r(NULL, " ", &save);
    char *parts = strtok_r(NULL, " ", &save), *rf = strtok_r(NULL, " ", &save);
    int64_t np, nrf;
    if (!name || !id || !parts || !rf || strtok_r(NULL, " ", &save) || !topic_name_valid(kl_str(name)) ||
        !topic_parse_int(kl_str(parts), 1, INT32_MAX, &np) || !topic_parse_int(kl_str(rf), 1, INT16_MAX, &nrf))
        return NULL;
    broker_topic_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = strdup(name);
    t->partition_count = (int32_t)np;
    t->replication_factor = (int16_t)nrf;
    if (!t->name || !parse_id(id, &t->id)) {
        topic_free(t);
        return NULL;
    }
    return t;
}

static bool add_config(broker_topic_t *t, const char *name, size_t name_len, const char *value, size_t value_len,
                       bool null_value)
{
    broker_config_entry_t *grown = realloc(t->configs, (t->config_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    t->configs = grown;
    broker_config_entry_t *c = &t->configs[t->config_count];
    c->name = strndup(name, name_len);
    c->value = null_value ? NULL : strndup(value, value_len);
    if (!c->name || (!null_value && !c->value)) {
        free(c->name);
        free(c->value);
        return false;
    }
    t->config_count++;
    return true;
}

static bool parse_config_line(broker_topic_t *t, char *args)
{
    char *eq = strstr(args, " =");
    if (eq)
        *eq = '\0';
    char *value = eq ? eq + 2 : NULL;
    if (!unescape(args) || (value && !unescape(value)) || !*args)
        return false;
    return add_config(t, args, strlen(args), value, value ? strlen(value) : 0, value == NULL);
}

/* Reads the whole catalog into a NUL-terminated string; *textp NULL when
 * there is none yet. */
static kl_err_t catalog_read(const char *dir, char **textp)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, CATALOG_NAME);
    *textp = NULL;
    FILE *f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
    char *text = malloc(CATALOG_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, CATALOG_MAX_BYTES + 1, f) : 0;
    bool bad = ferror(f) || n > CATALOG_MAX_BYTES;
    fclose(f);
    if (!text)
        return KL_ERR_NOMEM;
    if (bad) {
        free(text);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    text[n] = '\0';
    *textp = text;
    return KL_ERR_NONE;
}

static kl_err_t catalog_parse(broker_topics_t *topics, char *text, char *errstr, size_t errstr_size)
{
    broker_topic_t *cur = NULL;
    int lineno = 0;
    char *save;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        bool ok = true;
        if (line[0] == '#')
            continue;
        if (!strncmp(line, "topic ", 6)) {
            cur = parse_topic_line(line + 6);
            ok = cur && !topics_find(topics, kl_str(cur->name)) && topics_add(topics, cur) == KL_ERR_NONE;
            if (!ok)
                topic_free(cur);
        } else if (!strncmp(line, "config ", 7)) {
            ok = cur && parse_config_line(cur, line + 7);
        } else {
            ok = false;
        }
        if (!ok) {
            snprintf(errstr, errstr_size, "%s/%s: line %d is malformed", topics->dir, CATALOG_NAME, lineno);
            return KL_ERR_KAFKA_STORAGE_ERROR;
        }
    }
    return KL_ERR_NONE;
}

kl_err_t topics_load(broker_topics_t *topics, broker_log_dirs_t *dirs, const broker_topic_defaults_t *defaults,
                     char *errstr, size_t errstr_size)
{
    broker_topics_t reporting = *topics; /* report_offline, set by the caller */
    memset(topics, 0, sizeof *topics);
    topics->report_offline = reporting.report_offline;
    topics->report_opaque = reporting.report_opaque;
    topics->dirs = *dirs;
    memset(dirs, 0, sizeof *dirs);
    topics->defaults = *defaults;
    if (topics->dirs.count == 0)
        return KL_ERR_INVALID_ARG;
    const char *dir = topics->dirs.paths[0];
    topics->dir = strdup(dir);
    if (!topics->dir)
        return KL_ERR_NOMEM;
    char *text;
    kl_err_t err = catalog_read(dir, &text);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read %s/%s: %s", dir, CATALOG_NAME, kl_err_str(err));
        return err;
    }
    if (text)
        err = catalog_parse(topics, text, errstr, errstr_size);
    free(text);
    for (size_t i = 0; !err && i < topics->count; i++) {
        err = topic_open_logs(topics, topics->items[i], false);
        if (err && topics->error[0])
            snprintf(errstr, errstr_size, "%s", topics->error);
        else if (err)
            snprintf(errstr, errstr_size, "cannot open the logs of topic %s: %s", topics->items[i]->name,
                     kl_err_str(err));
    }
    return err;
}

void topics_close(broker_topics_t *topics)
{
    for (size_t i = 0; i < topics->count; i++)
        topic_free(topics->items[i]);
    free(topics->items);
    free(topics->dir);
    log_dirs_free(&topics->dirs);
    memset(topics, 0, sizeof *topics);
}

/* ------------------------------------------------------ create / delete */

static void remove_partition_dir(const char *dir, const char *topic, int32_t partition)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%d", dir, topic, (int)partition);
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    rmdir(path);
}

static void random_id(kl_uuid_t *id)
{
    /* A version 4 UUID: its version bits keep it apart from Kafka's zero
     * ("no id") and reserved metadata-topic id (1). */
    if (getrandom(id->b, sizeof id->b, 0) != (ssize_t)sizeof id->b)
        for (size_t i = 0; i < sizeof id->b; i++)
            id->b[i] = (uint8_t)rand();
    id->b[6] = (uint8_t)((id->b[6] & 0x0f) | 0x40);
    id->b[8] = (uint8_t)((id->b[8] & 0x3f) | 0x80);
}

kl_err_t topics_create(broker_topics_t *topics, kl_str_t name, int32_t partitions, int16_t replication_factor,
                       const kl_str_t *config_names, const kl_str_t *config_values, size_t config_count,
                       broker_topic_t **topicp)
{
    *topicp = NULL;
    if (!topic_name_valid(name))
        return KL_ERR_INVALID_TOPIC_EXCEPTION;
    if (topics_find(topics, name))
        return KL_ERR_TOPIC_ALREADY_EXISTS;
    if (partitions < 1)
        return KL_ERR_INVALID_PARTITIONS;
    broker_topic_t *t = calloc(1, sizeof *t);
    if (!t)
        return KL_ERR_NOMEM;
    t->name = strndup(name.ptr, (size_t)name.len);
    t->partition_count = partitions;
    t->replication_factor = replication_factor;
    random_id(&t->id);
    bool ok = t->name != NULL;
    for (size_t i = 0; ok && i < config_count; i++)
        ok = add_config(t, config_names[i].ptr, (size_t)config_names[i].len, config_values[i].ptr,
                        config_values[i].len > 0 ? (size_t)config_values[i].len : 0, config_values[i].len < 0);
    if (!ok) {
        topic_free(t);
        return KL_ERR_NOMEM;
    }
    /* Directories left by a topic of the same name that was deleted before a
     * crash finished removing them must not leak their data into this one. */
    kl_err_t err = topic_open_logs(topics, t, true);
    if (!err)
        err = topics_add(topics, t);
    if (!err) {
        err = catalog_write(topics);
        if (err)
            topics->count--;
    }
    if (err) {
        int32_t n = t->partition_count;
        char *tname = strdup(t->name);
        topic_free(t);
        for (int32_t p = 0; tname && p < n; p++)
            remove_partition_everywhere(topics, tname, p);
        free(tname);
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    *topicp = t;
    return KL_ERR_NONE;
}

kl_err_t topics_delete(broker_topics_t *topics, broker_topic_t *topic)
{
    size_t i = 0;
    while (i < topics->count && topics->items[i] != topic)
        i++;
    if (i == topics->count)
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    memmove(&topics->items[i], &topics->items[i + 1], (topics->count - i - 1) * sizeof topics->items[0]);
    topics->count--;
    kl_err_t err = catalog_write(topics);
    if (err) {
        /* put it back where it was: the catalog still lists it */
        memmove(&topics->items[i + 1], &topics->items[i], (topics->count - i) * sizeof topics->items[0]);
        topics->items[i] = topic;
        topics->count++;
        return err;
    }
    int32_t n = topic->partition_count;
    char *name = strdup(topic->name);
    topic_free(topic);
    for (int32_t p = 0; name && p < n; p++)
        remove_partition_everywhere(topics, name, p);
    free(name);
    return KL_ERR_NONE;
}

/* ------------------------------------------------------ partitions, configs */

/* Closes and removes partitions [from, to) of a failed growth. */
static void drop_partitions(const broker_topics_t *topics, broker_topic_t *t, int32_t from, int32_t to)
{
    for (int32_t p = from; p < to; p++) {
        kl_log_close(t->logs[p]);
        t->logs[p] = NULL;
        producer_state_free(&t->producers[p]);
        remove_partition_everywhere(topics, t->name, p);
    }
}

kl_err_t topics_add_partitions(broker_topics_t *topics, broker_topic_t *topic, int32_t count)
{
    int32_t old = topic->partition_count;
    if (count <= old)
        return KL_ERR_INVALID_PARTITIONS;
    kl_log_t **logs = realloc(topic->logs, (size_t)count * sizeof *logs);
    if (logs)
        topic->logs = logs;
    producer_state_t *producers = logs ? realloc(topic->producers, (size_t)count * sizeof *producers) : NULL;
    if (!producers)
        return KL_ERR_NOMEM;
    topic->producers = producers;
    for (int32_t p = old; p < count; p++) {
        topic->logs[p] = NULL;
        producer_state_init(&topic->producers[p]);
    }
    kl_err_t err = open_partitions(topics, topic, old, count, true);
    if (!err) {
        topic->partition_count = count;
        err = catalog_write(topics);
        if (err)
            topic->partition_count = old;
    }
    if (err) {
        drop_partitions(topics, topic, old, count);
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    return KL_ERR_NONE;
}

static void free_configs(broker_config_entry_t *configs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(configs[i].name);
        free(configs[i].value);
    }
    free(configs);
}

/* Applies the topic's configs to its partition logs. */
static void topic_reconfigure(const broker_topics_t *topics, broker_topic_t *topic)
{
    kl_log_config_t log_config;
    topic_config_resolve(&topics->defaults, topic, &log_config);
    for (int32_t p = 0; p < topic->partition_count; p++) {
        if (!topic->logs[p]) /* offline */
            continue;
        kl_err_t err = kl_log_set_config(topic->logs[p], &log_config);
        (void)err; /* checked values always make a valid config */
    }
}

kl_err_t topics_set_configs(broker_topics_t *topics, broker_topic_t *topic, const char *const *names,
                            const char *const *values, size_t count)
{
    broker_topic_t scratch = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++)
        ok = add_config(&scratch, names[i], strlen(names[i]), values[i], values[i] ? strlen(values[i]) : 0,
                        values[i] == NULL);
    if (!ok) {
        free_configs(scratch.configs, scratch.config_count);
        return KL_ERR_NOMEM;
    }
    broker_config_entry_t *old = topic->configs;
    size_t old_count = topic->config_count;
    topic->configs = scratch.configs;
    topic->config_count = scratch.config_count;
    kl_err_t err = catalog_write(topics);
    if (err) {
        topic->configs = old;
        topic->config_count = old_count;
        old = scratch.configs;
        old_count = scratch.config_count;
    }
    free_configs(old, old_count);
    if (!err)
        topic_reconfigure(topics, topic);
    return err;
}
