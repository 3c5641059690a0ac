/* The topic catalog file in the first log dir (see topics.h): a small text
 * file rewritten whole on every change (temporary file, fsync, rename,
 * directory fsync), so a crash leaves either the old or the new one:
 *   # kafkalite topic catalog 2
 *   topic <name> <id: 32 hex digits> <partitions> <replication factor>
 *   config <name> =<value, %XX-escaped>     (or no '=' for a null value)
 *   end <CRC-32C of every byte before this line, 8 hex digits>
 * config lines belong to the topic line above them. The end line tells a
 * whole file from one cut short or damaged (version 1 files, without it,
 * are still read). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/topics.h"
#include "util/crc32c.h"

#define CATALOG_HEADER_V1 "# kafkalite topic catalog 1\n"
#define CATALOG_HEADER "# kafkalite topic catalog 2\n"
#define CATALOG_END "end "
#define CATALOG_MAX_BYTES (64u << 20)

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

static bool fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

kl_err_t catalog_write(const broker_topics_t *topics)
{
    char path[4096], tmp[4112];
    snprintf(path, sizeof path, "%s/%s", topics->dir, CATALOG_NAME);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return KL_ERR_NOMEM;
    fputs(CATALOG_HEADER, mem);
    for (size_t i = 0; i < topics->count; i++)
        write_topic(mem, topics->items[i]);
    if (fclose(mem) != 0) {
        free(text);
        return KL_ERR_NOMEM;
    }
    FILE *f = fopen(tmp, "we");
    bool ok = f && fwrite(text, 1, len, f) == len &&
              fprintf(f, CATALOG_END "%08" PRIx32 "\n", kl_crc32c(0, text, len)) > 0;
    free(text);
    if (!f)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    /* The rename is the change: it must last before anyone is told. */
    return fsync_dir(topics->dir) ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
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
    kl_uuid_t uuid;
    if (!name || !id || !parts || !rf || strtok_r(NULL, " ", &save) || !topic_name_valid(kl_str(name)) ||
        !topic_parse_int(kl_str(parts), 1, INT32_MAX, &np) || !topic_parse_int(kl_str(rf), 1, INT16_MAX, &nrf) ||
        !parse_id(id, &uuid))
        return NULL;
    broker_topic_t *t = topic_new(name, strlen(name), (int32_t)np, (int16_t)nrf);
    if (t)
        t->id = uuid;
    return t;
}

static bool parse_config_line(broker_topic_t *t, char *args)
{
    char *eq = strstr(args, " =");
    if (eq)
        *eq = '\0';
    char *value = eq ? eq + 2 : NULL;
    if (!unescape(args) || (value && !unescape(value)) || !*args)
        return false;
    return topic_add_config(t, args, strlen(args), value, value ? strlen(value) : 0, value == NULL);
}

/* Reads the whole catalog into a NUL-terminated string (*len bytes);
 * *textp NULL when there is none. */
static kl_err_t catalog_read(const char *dir, char **textp, size_t *len)
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
    *len = n;
    return KL_ERR_NONE;
}

/* Checks the frame of the file (header, whole last line, end line and
 * its checksum) and cuts the end line off; NULL or what is wrong. */
static const char *catalog_check(char *text, size_t len)
{
    bool v1 = !strncmp(text, CATALOG_HEADER_V1, strlen(CATALOG_HEADER_V1));
    if (!v1 && strncmp(text, CATALOG_HEADER, strlen(CATALOG_HEADER)))
        return len == 0 ? "it is empty" : "its first line is not a catalog header";
    if (memchr(text, '\0', len))
        return "it holds NUL bytes";
    if (text[len - 1] != '\n')
        return "it ends in the middle of a line (cut short)";
    if (v1)
        return NULL;
    text[len - 1] = '\0';
    char *last = strrchr(text, '\n'), *end = NULL;
    last = last ? last + 1 : text;
    unsigned long crc = strtoul(last + strlen(CATALOG_END), &end, 16);
    if (last == text || strncmp(last, CATALOG_END, strlen(CATALOG_END)) || *end ||
        end - last != (ptrdiff_t)strlen(CATALOG_END) + 8)
        return "its end line is missing (cut short)";
    if (crc != kl_crc32c(0, text, (size_t)(last - text)))
        return "its checksum does not match (damaged)";
    *last = '\0';
    return NULL;
}

static const char *catalog_parse(broker_topics_t *topics, char *text, char *line_why, size_t why_size)
{
    broker_topic_t *cur = NULL;
    int lineno = 0;
    for (char *line = text, *next; *line; line = next) {
        next = strchr(line, '\n');
        *next++ = '\0';
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
            snprintf(line_why, why_size, "line %d is malformed", lineno);
            return line_why;
        }
    }
    return NULL;
}

kl_err_t catalog_load(broker_topics_t *topics, catalog_state_t *state, char *why, size_t why_size)
{
    char *text;
    size_t len = 0;
    *state = CATALOG_ABSENT;
    why[0] = '\0';
    kl_err_t err = catalog_read(topics->dir, &text, &len);
    if (err || !text)
        return err;
    const char *damage = catalog_check(text, len);
    char line_why[64];
    if (!damage)
        damage = catalog_parse(topics, text, line_why, sizeof line_why);
    free(text);
    *state = damage ? CATALOG_DAMAGED : CATALOG_OK;
    if (damage) {
        snprintf(why, why_size, "%s", damage);
        for (size_t i = 0; i < topics->count; i++)
            topic_free(topics->items[i]);
        topics->count = 0;
    }
    return KL_ERR_NONE;
}
