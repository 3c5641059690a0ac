/* sasl.jaas.config's one-module form (see jaas.h). */
#include "broker/jaas.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* A bare word: up to white space, '=' or ';'. */
static size_t word_len(const char *p)
{
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != '=' && p[n] != ';')
        n++;
    return n;
}

/* A value at *pp, quoted or bare, malloc'd (NULL: why says). */
static char *value_at(const char **pp, char *why, size_t why_size)
{
    const char *p = *pp;
    if (*p != '"') {
        size_t n = word_len(p);
        if (!n) {
            snprintf(why, why_size, "an option has no value");
            return NULL;
        }
        *pp = p + n;
        return strndup(p, n);
    }
    char *out = malloc(strlen(p) + 1), *o = out;
    if (!out)
        return NULL;
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        *o++ = *p;
    }
    if (*p != '"') {
        free(out);
        snprintf(why, why_size, "a quoted value does not end");
        return NULL;
    }
    *o = '\0';
    *pp = p + 1;
    return out;
}

static bool add_opt(broker_jaas_t *j, char *key, char *value)
{
    broker_jaas_opt_t *grown = realloc(j->opts, (j->count + 1) * sizeof *grown);
    if (!grown)
        return false;
    j->opts = grown;
    j->opts[j->count++] = (broker_jaas_opt_t){key, value};
    return true;
}

static bool parse(const char *text, broker_jaas_t *j, char *why, size_t why_size)
{
    const char *p = skip_space(text);
    size_t n = word_len(p);
    if (!n) {
        snprintf(why, why_size, "no login module class");
        return false;
    }
    if (!(j->module = strndup(p, n)))
        return false;
    p = skip_space(p + n);
    n = word_len(p);
    static const char *const flags[] = {"required", "requisite", "sufficient", "optional"};
    bool flag_ok = false;
    for (size_t i = 0; i < 4; i++)
        flag_ok |= n == strlen(flags[i]) && !strncasecmp(p, flags[i], n);
    if (!flag_ok) {
        snprintf(why, why_size, "the login module's control flag must be required, requisite, sufficient or "
                                "optional");
        return false;
    }
    for (p = skip_space(p + n); *p && *p != ';'; p = skip_space(p)) {
        n = word_len(p);
        const char *eq = skip_space(p + n);
        if (!n || *eq != '=') {
            snprintf(why, why_size, "expected key=value near \"%.20s\"", p);
            return false;
        }
        const char *v = skip_space(eq + 1);
        char *key = strndup(p, n), *value = key ? value_at(&v, why, why_size) : NULL;
        if (!value || !add_opt(j, key, value)) {
            free(key);
            free(value);
            return false;
        }
        p = v;
    }
    if (*p != ';') {
        snprintf(why, why_size, "the login module does not end with ';'");
        return false;
    }
    if (*skip_space(p + 1)) {
        snprintf(why, why_size, "more than one login module (kafkalite reads exactly one)");
        return false;
    }
    return true;
}

bool broker_jaas_parse(const char *text, broker_jaas_t *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    snprintf(why, why_size, "out of memory");
    if (parse(text, out, why, why_size))
        return true;
    broker_jaas_free(out);
    return false;
}

const char *broker_jaas_get(const broker_jaas_t *jaas, const char *key)
{
    for (size_t i = 0; i < jaas->count; i++)
        if (!strcmp(jaas->opts[i].key, key))
            return jaas->opts[i].value;
    return NULL;
}

void broker_jaas_free(broker_jaas_t *jaas)
{
    for (size_t i = 0; i < jaas->count; i++) {
        free(jaas->opts[i].key);
        if (jaas->opts[i].value)
            memset(jaas->opts[i].value, 0, strlen(jaas->opts[i].value));
        free(jaas->opts[i].value);
    }
    free(jaas->opts);
    free(jaas->module);
    memset(jaas, 0, sizeof *jaas);
}
