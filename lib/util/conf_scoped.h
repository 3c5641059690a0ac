/* Scoped settings: a KL_CONF_SCOPED family such as "listener.name.*"
 * names <prefix><scope>.<setting>, where the setting is a property of the
 * same table flagged KL_CONF_F_SCOPABLE, or <word>.<setting> for one
 * flagged KL_CONF_F_SCOPABLE_SUB (Kafka's listener.name.<l>.<mech>.
 * sasl.jaas.config). The engine (conf.c) parses the value with the
 * setting's own rules; this file resolves the names and keeps the values
 * set, by their normalised (lower-case scope and word) full name. */
#ifndef KL_UTIL_CONF_SCOPED_H
#define KL_UTIL_CONF_SCOPED_H

#include <stddef.h>
#include <stdint.h>

#include "util/conf.h"

typedef struct conf_scoped_value {
    char *name; /* normalised full name */
    char *str;  /* canonical text */
    int64_t i;
    double d;
} conf_scoped_value_t;

typedef struct conf_scoped {
    conf_scoped_value_t *v;
    size_t n;
} conf_scoped_t;

/* The setting name names under family (whose name ends with '*'), or NULL
 * when it names none; *norm (size bytes) receives the normalised full
 * name. */
const kl_conf_prop_t *conf_scoped_setting(const kl_conf_schema_t *schema, const kl_conf_prop_t *family,
                                          const char *name, char *norm, size_t size);
conf_scoped_value_t *conf_scoped_find(const conf_scoped_t *s, const char *norm);
/* Sets norm to str (taken, malloc'ed), i and d. */
kl_err_t conf_scoped_put(conf_scoped_t *s, const char *norm, char *str, int64_t i, double d);
void conf_scoped_remove(conf_scoped_t *s, const char *norm);
kl_err_t conf_scoped_copy(conf_scoped_t *dst, const conf_scoped_t *src);
void conf_scoped_free(conf_scoped_t *s);

#endif
