/* The configuration engine (see conf.h): parsing and validation per type,
 * storage of the current values, name look-up with "did you mean"
 * suggestions, ignored properties and their warnings, and the public
 * kl_conf_* functions that work the same for every schema. */
#include "util/conf.h"
#include "util/conf_scoped.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errstr.h"

/* The current value of one (canonical) property. */
typedef struct conf_value {
    char *str; /* canonical text, owned; NULL: no value */
    int64_t i; /* INT, BOOL, ENUM, SET */
    double d;  /* DOUBLE (and INT, for kl_conf_get_double) */
    bool set;  /* set explicitly by kl_conf_set */
} conf_value_t;

/* An ignored property the user set: kept so kl_conf_get and kl_conf_dup
 * see it, and so the broker can log the warning. */
typedef struct conf_ignored {
    char *name;
    char *value;
} conf_ignored_t;

struct kl_conf {
    const kl_conf_schema_t *schema;
    conf_value_t *values; /* one per schema prop; unused for aliases/ignored */
    conf_ignored_t *ignored;
    char **warnings; /* warnings[i] is about ignored[i] */
    size_t nignored;
    conf_scoped_t scoped; /* listener.name.<l>.<setting> and the like */
    kl_conf_hooks_t hooks;
};

/* ---- small helpers ---- */

/* Appends to a fixed buffer like repeated snprintf, remembering the length
 * it wanted so callers can report the size needed. */
typedef struct strbuf {
    char *buf;
    size_t size;
    size_t len;
} strbuf_t;

__attribute__((format(printf, 2, 3))) static void sb_printf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = sb->len < sb->size ? sb->buf + sb->len : NULL;
    size_t room = sb->len < sb->size ? sb->size - sb->len : 0;
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb->len += (size_t)n;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static bool prop_is_prefix(const kl_conf_prop_t *prop)
{
    size_t n = strlen(prop->name);
    return (prop->type == KL_CONF_IGNORED || prop->type == KL_CONF_SCOPED) && n > 0 && prop->name[n - 1] == '*';
}

/* Properties that hold a value of their own (not aliases, not ignored). */
static bool prop_has_value(const kl_conf_prop_t *prop)
{
    return prop->type != KL_CONF_ALIAS && prop->type != KL_CONF_IGNORED && prop->type != KL_CONF_SCOPED;
}

static const kl_conf_sym_t *sym_find(const kl_conf_sym_t *syms, const char *s, size_t len)
{
    for (const kl_conf_sym_t *sym = syms; sym && sym->name; sym++)
        if (strlen(sym->name) == len && strncasecmp(sym->name, s, len) == 0)
            return sym;
    return NULL;
}

/* ---- what a property accepts ---- */

static void sb_syms(strbuf_t *sb, const kl_conf_sym_t *syms)
{
    for (const kl_conf_sym_t *sym = syms; sym && sym->name; sym++)
        sb_printf(sb, "%s%s", sym == syms ? "" : ", ", sym->name);
}

size_t kl_conf_prop_accepts(const kl_conf_prop_t *prop, char *buf, size_t size)
{
    strbuf_t sb = {buf, size, 0};
    if (buf && size)
        buf[0] = '\0';
    switch (prop->type) {
    case KL_CONF_STR:
        sb_printf(&sb, "a string");
        break;
    case KL_CONF_BOOL:
        sb_printf(&sb, "true or false");
        break;
    case KL_CONF_INT:
    case KL_CONF_DOUBLE: {
        const char *what = prop->type == KL_CONF_INT ? "an integer" : "a number";
        if (prop->min == INT64_MIN && prop->max == INT64_MAX)
            sb_printf(&sb, "%s", what);
        else if (prop->max == INT64_MAX)
            sb_printf(&sb, "%s of at least %" PRId64, what, prop->min);
        else
            sb_printf(&sb, "%s between %" PRId64 " and %" PRId64, what, prop->min, prop->max);
        for (const kl_conf_sym_t *sym = prop->syms; sym && sym->name; sym++)
            sb_printf(&sb, ", or \"%s\"", sym->name);
        break;
    }
    case KL_CONF_ENUM:
        sb_printf(&sb, "one of: ");
        sb_syms(&sb, prop->syms);
        break;
    case KL_CONF_SET:
        sb_printf(&sb, "a comma-separated list%s of: ", prop->min > 0 ? " (not empty)" : "");
        sb_syms(&sb, prop->syms);
        break;
    case KL_CONF_ALIAS:
        sb_printf(&sb, "what \"%s\" accepts", prop->target);
        break;
    case KL_CONF_IGNORED:
        sb_printf(&sb, "anything (ignored)");
        break;
    case KL_CONF_SCOPED:
        sb_printf(&sb, "what the setting it overrides accepts");
        break;
    }
    return sb.len;
}

/* ---- parsing ---- */

typedef struct parsed {
    char *str; /* canonical text, malloc'ed */
    int64_t i;
    double d;
} parsed_t;

static void invalid(const kl_conf_prop_t *prop, const char *shown_name, const char *value, const char *detail,
                    char *errstr, size_t errstr_size)
{
    char accepts[512];
    kl_conf_prop_accepts(prop, accepts, sizeof accepts);
    kl_errstr_set(errstr, errstr_size, "Invalid value \"%s\" for \"%s\": %s%sexpected %s", value, shown_name,
            detail ? detail : "", detail ? "; " : "", accepts);
}

/* Leading and trailing white space do not count for typed values (Kafka's
 * properties files and ConfigDef trim them too). */
static void trim(const char *s, const char **startp, size_t *lenp)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    *startp = s;
    *lenp = n;
}

static bool parse_int(const char *s, int64_t *out)
{
    if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+'))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE)
        return false;
    *out = (int64_t)v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    /* Decimal notation only: strtod alone would also take "nan", "inf" and
     * hex floats. */
    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Parses a SET value into canonical members (table spelling, trimmed,
 * duplicates dropped, order kept). Returns NULL when out of memory; on a bad
 * member *bad points at it (length *badlen) and NULL is returned too. */
static char *parse_set(const kl_conf_prop_t *prop, const char *value, int64_t *maskp, size_t *nmembersp,
                       const char **bad, size_t *badlen)
{
    /* Canonical names match case-insensitively, so they are no longer
     * than what was written: the input length bounds the output. */
    *bad = NULL;
    char *out = malloc(strlen(value) + 1);
    if (!out)
        return NULL;
    size_t len = 0, nmembers = 0;
    int64_t mask = 0;
    const char *p = value;
    const char *v;
    size_t vlen;
    trim(value, &v, &vlen);
    if (vlen > 0) {
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t itemlen = comma ? (size_t)(comma - p) : strlen(p);
            while (itemlen > 0 && isspace((unsigned char)*p))
                p++, itemlen--;
            while (itemlen > 0 && isspace((unsigned char)p[itemlen - 1]))
                itemlen--;
            const kl_conf_sym_t *sym = sym_find(prop->syms, p, itemlen);
            if (!sym) {
                *bad = p;
                *badlen = itemlen;
                free(out);
                return NULL;
            }
            bool dup = false;
            for (size_t i = 0, start = 0; i <= len && !dup; i++) {
                if (i == len || out[i] == ',') {
                    dup = i - start == strlen(sym->name) && memcmp(out + start, sym->name, i - start) == 0;
                    start = i + 1;
                }
            }
            if (!dup) {
                if (len > 0)
                    out[len++] = ',';
                memcpy(out + len, sym->name, strlen(sym->name));
                len += strlen(sym->name);
                nmembers++;
                mask |= sym->value;
            }
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    out[len] = '\0';
    *maskp = mask;
    *nmembersp = nmembers;
    return out;
}

/* Parses value for prop (already resolved from an alias). shown_name is the
 * name the user wrote, for the error message. */
static kl_err_t parse_value(const kl_conf_prop_t *prop, const char *shown_name, const char *value,
                            parsed_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    if (prop->type == KL_CONF_STR) {
        out->str = dup_str(value);
        return out->str ? KL_ERR_NONE : KL_ERR_NOMEM;
    }

    if (prop->type == KL_CONF_SET) {
        const char *bad = NULL;
        size_t badlen = 0, nmembers = 0;
        out->str = parse_set(prop, value, &out->i, &nmembers, &bad, &badlen);
        if (!out->str && !bad)
            return KL_ERR_NOMEM;
        if (!out->str || (int64_t)nmembers < prop->min) {
            char detail[128];
            if (!out->str && badlen == 0)
                snprintf(detail, sizeof detail, "empty list item");
            else if (!out->str)
                snprintf(detail, sizeof detail, "unknown item \"%.*s\"", (int)(badlen > 64 ? 64 : badlen),
                         bad);
            else
                snprintf(detail, sizeof detail, "the list is empty");
            free(out->str);
            out->str = NULL;
            invalid(prop, shown_name, value, detail, errstr, errstr_size);
            return KL_ERR_INVALID_VALUE;
        }
        return KL_ERR_NONE;
    }

    /* The remaining types hold one token: work on a trimmed copy. */
    const char *start;
    size_t len;
    trim(value, &start, &len);
    char tok[72];
    if (len >= sizeof tok) {
        /* No valid number, boolean or member is this long. */
        invalid(prop, shown_name, value, NULL, errstr, errstr_size);
        return KL_ERR_INVALID_VALUE;
    }
    memcpy(tok, start, len);
    tok[len] = '\0';

    char canon[72];
    const char *text = canon;
    switch (prop->type) {
    case KL_CONF_BOOL:
        if (strcasecmp(tok, "true") == 0 || strcmp(tok, "1") == 0)
            out->i = 1;
        else if (strcasecmp(tok, "false") == 0 || strcmp(tok, "0") == 0)
            out->i = 0;
        else
            goto bad;
        text = out->i ? "true" : "false";
        out->d = (double)out->i;
        break;
    case KL_CONF_INT: {
        const kl_conf_sym_t *sym = sym_find(prop->syms, tok, len);
        if (sym) {
            out->i = sym->value;
        } else if (!parse_int(tok, &out->i) || out->i < prop->min || out->i > prop->max) {
            goto bad;
        }
        out->d = (double)out->i;
        snprintf(canon, sizeof canon, "%" PRId64, out->i);
        break;
    }
    case KL_CONF_DOUBLE:
        if (!parse_double(tok, &out->d) || out->d < (double)prop->min || out->d > (double)prop->max)
            goto bad;
        /* %.15g gives back any decimal of up to 15 digits as written. */
        snprintf(canon, sizeof canon, "%.15g", out->d);
        break;
    case KL_CONF_ENUM: {
        const kl_conf_sym_t *sym = sym_find(prop->syms, tok, len);
        if (!sym)
            goto bad;
        out->i = sym->value;
        out->d = (double)out->i;
        text = sym->name;
        break;
    }
    default:
        assert(!"parse_value: not a value type");
        goto bad;
    }
    out->str = dup_str(text);
    return out->str ? KL_ERR_NONE : KL_ERR_NOMEM;

bad:
    invalid(prop, shown_name, value, NULL, errstr, errstr_size);
    return KL_ERR_INVALID_VALUE;
}

/* ---- look-up and suggestions ---- */

const kl_conf_prop_t *kl_conf_lookup(const kl_conf_schema_t *schema, const char *name)
{
    for (size_t i = 0; i < schema->count; i++)
        if (!prop_is_prefix(&schema->props[i]) && strcmp(schema->props[i].name, name) == 0)
            return &schema->props[i];
    /* Exact names win over prefixes: a prefix only covers what is left. */
    for (size_t i = 0; i < schema->count; i++) {
        const kl_conf_prop_t *prop = &schema->props[i];
        size_t n = strlen(prop->name) - 1;
        if (prop_is_prefix(prop) && strncmp(prop->name, name, n) == 0 && name[n] != '\0')
            return prop;
    }
    return NULL;
}

const kl_conf_prop_t *kl_conf_resolve(const kl_conf_schema_t *schema, const kl_conf_prop_t *prop)
{
    if (prop && prop->type == KL_CONF_ALIAS) {
        prop = kl_conf_lookup(schema, prop->target);
        assert(prop && prop->type != KL_CONF_ALIAS);
    }
    return prop;
}

#define SUGGEST_MAX_LEN 96

/* Edit distance counting an insertion, deletion, substitution or swap of
 * two neighbours as one edit, ignoring case (optimal string alignment). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* The known name closest to name, when close enough to be a typo: at most
 * one edit per four characters (at least one, at most three). */
static const char *suggest(const kl_conf_schema_t *schema, const char *name)
{
    size_t len = strlen(name);
    if (len > SUGGEST_MAX_LEN)
        return NULL;
    size_t limit = len / 4;
    limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < schema->count; i++) {
        const kl_conf_prop_t *prop = &schema->props[i];
        if (prop_is_prefix(prop) || strlen(prop->name) > SUGGEST_MAX_LEN)
            continue;
        size_t d = edit_distance(name, prop->name);
        if (d < best_d) {
            best_d = d;
            best = prop->name;
        }
    }
    return best;
}

/* ---- life cycle ---- */

static void value_clear(conf_value_t *v)
{
    free(v->str);
    memset(v, 0, sizeof *v);
}

/* Puts prop's default into v (which holds nothing). */
static kl_err_t value_default(const kl_conf_prop_t *prop, conf_value_t *v)
{
    memset(v, 0, sizeof *v);
    if (!prop->def)
        return KL_ERR_NONE;
    parsed_t p;
    char err[256];
    kl_err_t e = parse_value(prop, prop->name, prop->def, &p, err, sizeof err);
    /* A default the table's own type refuses is a bug in the table (the
     * unit tests parse every default). */
    assert(e != KL_ERR_INVALID_VALUE);
    if (e != KL_ERR_NONE)
        return e == KL_ERR_NOMEM ? e : KL_ERR_NONE;
    v->str = p.str;
    v->i = p.i;
    v->d = p.d;
    return KL_ERR_NONE;
}

kl_conf_t *kl_conf_new_from(const kl_conf_schema_t *schema)
{
    kl_conf_t *conf = calloc(1, sizeof *conf);
    if (!conf)
        return NULL;
    conf->schema = schema;
    conf->values = calloc(schema->count ? schema->count : 1, sizeof *conf->values);
    if (!conf->values) {
        free(conf);
        return NULL;
    }
    for (size_t i = 0; i < schema->count; i++) {
        if (prop_has_value(&schema->props[i]) &&
            value_default(&schema->props[i], &conf->values[i]) != KL_ERR_NONE) {
            kl_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

const kl_conf_schema_t *kl_conf_schema(const kl_conf_t *conf) { return conf->schema; }

const kl_conf_prop_t *kl_conf_table(const kl_conf_schema_t *schema, size_t *countp)
{
    *countp = schema->count;
    return schema->props;
}

void kl_conf_destroy(kl_conf_t *conf)
{
    if (!conf)
        return;
    if (conf->values)
        for (size_t i = 0; i < conf->schema->count; i++)
            value_clear(&conf->values[i]);
    for (size_t i = 0; i < conf->nignored; i++) {
        free(conf->ignored[i].name);
        free(conf->ignored[i].value);
        free(conf->warnings[i]);
    }
    free(conf->ignored);
    free(conf->warnings);
    conf_scoped_free(&conf->scoped);
    free(conf->values);
    free(conf);
}

/* Appends an ignored (name, value) pair and its warning. */
static kl_err_t ignored_add(kl_conf_t *conf, const kl_conf_prop_t *prop, const char *name, const char *value)
{
    const char *why = prop->doc ? prop->doc : "not used by kafkalite";
    char *n = dup_str(name), *v = dup_str(value);
    int wlen = snprintf(NULL, 0, "Ignored configuration property \"%s\": %s", name, why);
    char *w = wlen >= 0 ? malloc((size_t)wlen + 1) : NULL;
    if (!n || !v || !w)
        goto nomem;
    snprintf(w, (size_t)wlen + 1, "Ignored configuration property \"%s\": %s", name, why);
    conf_ignored_t *ig = realloc(conf->ignored, (conf->nignored + 1) * sizeof *ig);
    if (!ig)
        goto nomem;
    conf->ignored = ig;
    char **ws = realloc(conf->warnings, (conf->nignored + 1) * sizeof *ws);
    if (!ws)
        goto nomem;
    conf->warnings = ws;
    ig[conf->nignored] = (conf_ignored_t){n, v};
    ws[conf->nignored] = w;
    conf->nignored++;
    return KL_ERR_NONE;
nomem:
    free(n);
    free(v);
    free(w);
    return KL_ERR_NOMEM;
}

static conf_ignored_t *ignored_find(const kl_conf_t *conf, const char *name, size_t *indexp)
{
    for (size_t i = 0; i < conf->nignored; i++) {
        if (strcmp(conf->ignored[i].name, name) == 0) {
            if (indexp)
                *indexp = i;
            return &conf->ignored[i];
        }
    }
    return NULL;
}

kl_conf_t *kl_conf_dup(const kl_conf_t *conf)
{
    if (!conf)
        return NULL;
    kl_conf_t *copy = calloc(1, sizeof *copy);
    if (!copy)
        return NULL;
    copy->schema = conf->schema;
    copy->hooks = conf->hooks;
    copy->values = calloc(conf->schema->count ? conf->schema->count : 1, sizeof *copy->values);
    if (!copy->values)
        goto nomem;
    for (size_t i = 0; i < conf->schema->count; i++) {
        copy->values[i] = conf->values[i];
        copy->values[i].str = NULL;
        if (conf->values[i].str && !(copy->values[i].str = dup_str(conf->values[i].str)))
            goto nomem;
    }
    for (size_t i = 0; i < conf->nignored; i++) {
        const kl_conf_prop_t *prop = kl_conf_lookup(conf->schema, conf->ignored[i].name);
        if (ignored_add(copy, prop, conf->ignored[i].name, conf->ignored[i].value) != KL_ERR_NONE)
            goto nomem;
    }
    if (conf_scoped_copy(&copy->scoped, &conf->scoped) != KL_ERR_NONE)
        goto nomem;
    return copy;
nomem:
    kl_conf_destroy(copy);
    return NULL;
}

/* ---- set and get ---- */

static kl_err_t set_ignored(kl_conf_t *conf, const kl_conf_prop_t *prop, const char *name, const char *value)
{
    size_t index;
    conf_ignored_t *ig = ignored_find(conf, name, &index);
    if (!value) {
        /* Reset: forget the property and its warning. */
        if (ig) {
            free(ig->name);
            free(ig->value);
            free(conf->warnings[index]);
            memmove(&conf->ignored[index], &conf->ignored[index + 1],
                    (conf->nignored - index - 1) * sizeof *conf->ignored);
            memmove(&conf->warnings[index], &conf->warnings[index + 1],
                    (conf->nignored - index - 1) * sizeof *conf->warnings);
            conf->nignored--;
        }
        return KL_ERR_NONE;
    }
    if (ig) {
        char *v = dup_str(value);
        if (!v)
            return KL_ERR_NOMEM;
        free(ig->value);
        ig->value = v;
        return KL_ERR_NONE;
    }
    return ignored_add(conf, prop, name, value);
}

/* A scoped name (family: its KL_CONF_SCOPED entry): the setting's own
 * rules check value; NULL forgets it. */
static kl_err_t set_scoped(kl_conf_t *conf, const kl_conf_prop_t *family, const char *name, const char *value,
                           char *errstr, size_t errstr_size)
{
    char norm[256];
    const kl_conf_prop_t *setting = conf_scoped_setting(conf->schema, family, name, norm, sizeof norm);
    if (!setting) {
        kl_errstr_set(errstr, errstr_size, "Unknown configuration property \"%s\" (not a setting %s may override)",
                name, family->name);
        return KL_ERR_UNKNOWN_PROPERTY;
    }
    if (!value) {
        conf_scoped_remove(&conf->scoped, norm);
        return KL_ERR_NONE;
    }
    parsed_t p;
    kl_err_t err = parse_value(setting, name, value, &p, errstr, errstr_size);
    return err ? err : conf_scoped_put(&conf->scoped, norm, p.str, p.i, p.d);
}

kl_err_t kl_conf_set(kl_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size)
{
    if (errstr && errstr_size)
        errstr[0] = '\0';
    if (!conf || !name) {
        kl_errstr_set(errstr, errstr_size, "kl_conf_set: conf and name must not be NULL");
        return KL_ERR_INVALID_ARG;
    }
    const kl_conf_prop_t *prop = kl_conf_lookup(conf->schema, name);
    if (!prop) {
        const char *guess = suggest(conf->schema, name);
        if (guess)
            kl_errstr_set(errstr, errstr_size, "Unknown configuration property \"%s\" (did you mean \"%s\"?)", name,
                    guess);
        else
            kl_errstr_set(errstr, errstr_size, "Unknown configuration property \"%s\"", name);
        return KL_ERR_UNKNOWN_PROPERTY;
    }

    kl_err_t err;
    if (prop->type == KL_CONF_IGNORED) {
        err = set_ignored(conf, prop, name, value);
    } else if (prop->type == KL_CONF_SCOPED) {
        err = set_scoped(conf, prop, name, value, errstr, errstr_size);
    } else {
        const kl_conf_prop_t *target = kl_conf_resolve(conf->schema, prop);
        conf_value_t *v = &conf->values[target - conf->schema->props];
        if (!value) {
            conf_value_t def;
            err = value_default(target, &def);
            if (err == KL_ERR_NONE) {
                value_clear(v);
                *v = def;
            }
        } else {
            parsed_t p;
            err = parse_value(target, name, value, &p, errstr, errstr_size);
            if (err == KL_ERR_NONE) {
                free(v->str);
                *v = (conf_value_t){p.str, p.i, p.d, true};
            }
        }
    }
    if (err == KL_ERR_NOMEM)
        kl_errstr_set(errstr, errstr_size, "Out of memory setting \"%s\"", name);
    return err;
}

/* The value set for the scoped name under family, or NULL (then
 * *settingp is the setting it overrides, or NULL when it names none). */
static const conf_scoped_value_t *scoped_value(const kl_conf_t *conf, const kl_conf_prop_t *family,
                                               const char *name, const kl_conf_prop_t **settingp)
{
    char norm[256];
    *settingp = conf_scoped_setting(conf->schema, family, name, norm, sizeof norm);
    return *settingp ? conf_scoped_find(&conf->scoped, norm) : NULL;
}

/* The stored text for name (any known name), or NULL when unknown. */
static const char *value_text(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop = kl_conf_lookup(conf->schema, name);
    if (!prop)
        return NULL;
    if (prop->type == KL_CONF_IGNORED) {
        const conf_ignored_t *ig = ignored_find(conf, name, NULL);
        return ig ? ig->value : "";
    }
    if (prop->type == KL_CONF_SCOPED) {
        const conf_scoped_value_t *sv = scoped_value(conf, prop, name, &prop);
        if (!prop)
            return NULL;
        if (sv)
            return sv->str;
    }
    prop = kl_conf_resolve(conf->schema, prop);
    const char *s = conf->values[prop - conf->schema->props].str;
    return s ? s : "";
}

kl_err_t kl_conf_get(const kl_conf_t *conf, const char *name, char *dest, size_t *dest_size)
{
    if (!conf || !name || !dest_size)
        return KL_ERR_INVALID_ARG;
    const char *s = value_text(conf, name);
    if (!s)
        return KL_ERR_UNKNOWN_PROPERTY;
    size_t need = strlen(s) + 1;
    size_t have = *dest_size;
    *dest_size = need;
    if (!dest)
        return KL_ERR_NONE;
    if (have < need) {
        if (have > 0)
            dest[0] = '\0';
        return KL_ERR_INVALID_ARG;
    }
    memcpy(dest, s, need);
    return KL_ERR_NONE;
}

const char **kl_conf_dump(const kl_conf_t *conf, size_t *countp)
{
    if (!conf || !countp)
        return NULL;
    /* One block: the pointer array, then the value texts. Names point
     * into the static table. */
    size_t n = 0, bytes = 0;
    for (size_t i = 0; i < conf->schema->count; i++) {
        if (prop_has_value(&conf->schema->props[i])) {
            n++;
            bytes += (conf->values[i].str ? strlen(conf->values[i].str) : 0) + 1;
        }
    }
    const char **dump = malloc((2 * n + 1) * sizeof *dump + bytes);
    if (!dump)
        return NULL;
    char *text = (char *)(dump + 2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < conf->schema->count; i++) {
        if (!prop_has_value(&conf->schema->props[i]))
            continue;
        const char *s = conf->values[i].str ? conf->values[i].str : "";
        size_t len = strlen(s) + 1;
        memcpy(text, s, len);
        dump[k++] = conf->schema->props[i].name;
        dump[k++] = text;
        text += len;
    }
    dump[k] = NULL;
    *countp = k;
    return dump;
}

void kl_conf_dump_destroy(const char **dump, size_t count)
{
    (void)count;
    free((void *)dump);
}

void kl_conf_dump_free(const char **dump, size_t count) { kl_conf_dump_destroy(dump, count); }

/* ---- internal accessors ---- */

static const conf_value_t *accessor_value(const kl_conf_t *conf, const char *name,
                                          const kl_conf_prop_t **propp)
{
    const kl_conf_prop_t *prop = kl_conf_resolve(conf->schema, kl_conf_lookup(conf->schema, name));
    if (prop && prop->type == KL_CONF_SCOPED) {
        /* The scoped value, seen through a conf_value_t, or the setting's */
        static _Thread_local conf_value_t seen;
        const conf_scoped_value_t *sv = scoped_value(conf, prop, name, &prop);
        if (sv) {
            seen = (conf_value_t){sv->str, sv->i, sv->d, true};
            *propp = prop;
            return &seen;
        }
    }
    assert(prop && prop->type != KL_CONF_IGNORED && "unknown configuration property");
    if (!prop || prop->type == KL_CONF_IGNORED)
        return NULL;
    *propp = prop;
    return &conf->values[prop - conf->schema->props];
}

int64_t kl_conf_get_int(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop;
    const conf_value_t *v = accessor_value(conf, name, &prop);
    if (!v)
        return 0;
    assert(prop->type == KL_CONF_INT || prop->type == KL_CONF_BOOL || prop->type == KL_CONF_ENUM ||
           prop->type == KL_CONF_SET);
    return v->i;
}

bool kl_conf_get_bool(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop;
    const conf_value_t *v = accessor_value(conf, name, &prop);
    if (!v)
        return false;
    assert(prop->type == KL_CONF_BOOL);
    return v->i != 0;
}

double kl_conf_get_double(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop;
    const conf_value_t *v = accessor_value(conf, name, &prop);
    if (!v)
        return 0;
    assert(prop->type == KL_CONF_DOUBLE || prop->type == KL_CONF_INT);
    return v->d;
}

const char *kl_conf_get_str(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop;
    const conf_value_t *v = accessor_value(conf, name, &prop);
    return v && v->str ? v->str : "";
}

bool kl_conf_is_set(const kl_conf_t *conf, const char *name)
{
    const kl_conf_prop_t *prop = kl_conf_lookup(conf->schema, name);
    if (!prop)
        return false;
    if (prop->type == KL_CONF_IGNORED)
        return ignored_find(conf, name, NULL) != NULL;
    if (prop->type == KL_CONF_SCOPED)
        return scoped_value(conf, prop, name, &prop) != NULL;
    prop = kl_conf_resolve(conf->schema, prop);
    return conf->values[prop - conf->schema->props].set;
}

const char *kl_conf_scoped_name(const kl_conf_t *conf, size_t i)
{
    return i < conf->scoped.n ? conf->scoped.v[i].name : NULL;
}

kl_conf_hooks_t *kl_conf_hooks(kl_conf_t *conf) { return &conf->hooks; }
const kl_conf_hooks_t *kl_conf_hooks_get(const kl_conf_t *conf) { return &conf->hooks; }

const char *const *kl_conf_warnings(const kl_conf_t *conf, size_t *countp)
{
    *countp = conf->nignored;
    return conf->nignored ? (const char *const *)conf->warnings : NULL;
}
