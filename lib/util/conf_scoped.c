/* Scoped settings (see conf_scoped.h). */
#include "util/conf_scoped.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The table's non-family property called name (len bytes) with flag. */
static const kl_conf_prop_t *flagged(const kl_conf_schema_t *schema, const char *name, size_t len, unsigned flag)
{
    for (size_t i = 0; i < schema->count; i++) {
        const kl_conf_prop_t *p = &schema->props[i];
        if ((p->flags & flag) && strlen(p->name) == len && !strncmp(p->name, name, len))
            return p;
    }
    return NULL;
}

const kl_conf_prop_t *conf_scoped_setting(const kl_conf_schema_t *schema, const kl_conf_prop_t *family,
                                          const char *name, char *norm, size_t size)
{
    size_t plen = strlen(family->name) - 1, len = strlen(name);
    if (len >= size || strncmp(name, family->name, plen))
        return NULL;
    const char *scope = name + plen, *dot = strchr(scope, '.');
    if (!dot || dot == scope || !dot[1])
        return NULL;
    const char *rest = dot + 1, *sub = strchr(rest, '.');
    const kl_conf_prop_t *p = flagged(schema, rest, strlen(rest), KL_CONF_F_SCOPABLE);
    const char *lower_end = rest; /* the scope is lower-cased, and the word */
    if (!p && sub && sub > rest && (p = flagged(schema, sub + 1, strlen(sub + 1), KL_CONF_F_SCOPABLE_SUB)))
        lower_end = sub;
    if (!p)
        return NULL;
    memcpy(norm, name, len + 1);
    for (size_t i = plen; i < (size_t)(lower_end - name); i++)
        norm[i] = (char)tolower((unsigned char)norm[i]);
    return p;
}

conf_scoped_value_t *conf_scoped_find(const conf_scoped_t *s, const char *norm)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, norm))
            return &s->v[i];
    return NULL;
}

kl_err_t conf_scoped_put(conf_scoped_t *s, const char *norm, char *str, int64_t i, double d)
{
    conf_scoped_value_t *v = conf_scoped_find(s, norm);
    if (!v) {
        char *name = strdup(norm);
        conf_scoped_value_t *grown = name ? realloc(s->v, (s->n + 1) * sizeof *grown) : NULL;
        if (!grown) {
            free(name);
            free(str);
            return KL_ERR_NOMEM;
        }
        s->v = grown;
        v = &s->v[s->n++];
        *v = (conf_scoped_value_t){.name = name};
    }
    free(v->str);
    v->str = str;
    v->i = i;
    v->d = d;
    return KL_ERR_NONE;
}

void conf_scoped_remove(conf_scoped_t *s, const char *norm)
{
    conf_scoped_value_t *v = conf_scoped_find(s, norm);
    if (!v)
        return;
    free(v->name);
    free(v->str);
    *v = s->v[--s->n];
}

kl_err_t conf_scoped_copy(conf_scoped_t *dst, const conf_scoped_t *src)
{
    for (size_t i = 0; i < src->n; i++) {
        char *str = strdup(src->v[i].str);
        if (!str || conf_scoped_put(dst, src->v[i].name, str, src->v[i].i, src->v[i].d) != KL_ERR_NONE)
            return KL_ERR_NOMEM;
    }
    return KL_ERR_NONE;
}

void conf_scoped_free(conf_scoped_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].str);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}
