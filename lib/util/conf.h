/* The configuration engine: one table of property descriptors per scope
 * (lib/client/conf_table.c, lib/broker/conf_table.c) drives validation,
 * storage, dump and the generated docs. This file knows neither table; it
 * implements the public kl_conf_* functions over whatever schema a kl_conf_t
 * was created from, plus the internal accessors the library reads at handle
 * creation. */
#ifndef KL_UTIL_CONF_H
#define KL_UTIL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/conf.h"

typedef enum kl_conf_type {
    KL_CONF_STR,     /* any string, stored verbatim */
    KL_CONF_INT,     /* int64 in [min, max], plus optional symbolic names */
    KL_CONF_BOOL,    /* true/false (any case) or 1/0 */
    KL_CONF_DOUBLE,  /* finite decimal number in [min, max] */
    KL_CONF_ENUM,    /* one of syms (any case); parsed to the sym's value */
    KL_CONF_SET,     /* comma-separated syms; parsed to the OR of their values */
    KL_CONF_ALIAS,   /* another name for target */
    KL_CONF_IGNORED, /* accepted, stored apart, and reported as a warning */
    KL_CONF_SCOPED   /* a family "prefix.*" of <prefix><scope>.<setting> names
                      * overriding scopable settings (conf_scoped.h) */
} kl_conf_type_t;

/* A symbolic value: an enum or set member, or a name an INT accepts in
 * place of a number (acks "all" = -1). Arrays end with {NULL, 0}. */
typedef struct kl_conf_sym {
    const char *name;
    int64_t value;
} kl_conf_sym_t;

/* Property flags. */
#define KL_CONF_F_SENSITIVE 0x1 /* a secret: loggers print it redacted */
#define KL_CONF_F_SCOPABLE 0x2  /* may be set per scope: <family prefix><scope>.<name> */
#define KL_CONF_F_SCOPABLE_SUB 0x4 /* ... as <family prefix><scope>.<word>.<name> */

typedef struct kl_conf_prop {
    /* For IGNORED and SCOPED, a trailing '*' makes the name a prefix
     * ("zookeeper.*" matches every name starting with "zookeeper."). */
    const char *name;
    kl_conf_type_t type;
    /* For docs: "client", "producer", "consumer", "broker", "topic",
     * "cluster". */
    const char *category;
    /* Default as text, parsed like a set value; NULL: no value until set
     * (kl_conf_get returns "", the numeric accessors return 0). */
    const char *def;
    /* INT and DOUBLE: the accepted range. SET: min is the least number of
     * members (0 allows the empty string). */
    int64_t min, max;
    /* ENUM and SET: the members. INT: names accepted instead of a number.
     * SET members' values are bit flags. */
    const kl_conf_sym_t *syms;
    /* ALIAS: the canonical property's name (never itself an alias). */
    const char *target;
    unsigned flags;
    /* One line for docs. For IGNORED: why kafkalite ignores it. */
    const char *doc;
} kl_conf_prop_t;

/* Table rows, one macro per type, so a table reads as a list. CAT is the
 * category, DEF the default text (NULL: no value), DOC one line. */
#define KL_SYMS(...) ((const kl_conf_sym_t[]){__VA_ARGS__, {NULL, 0}})
#define KL_PROP_STR(N, CAT, DEF, DOC) \
    {.name = (N), .type = KL_CONF_STR, .category = (CAT), .def = (DEF), .doc = (DOC)}
#define KL_PROP_SECRET(N, CAT, DOC) \
    {.name = (N), .type = KL_CONF_STR, .category = (CAT), .flags = KL_CONF_F_SENSITIVE, .doc = (DOC)}
#define KL_PROP_INT(N, CAT, DEF, MIN, MAX, DOC) \
    {.name = (N), .type = KL_CONF_INT, .category = (CAT), .def = (DEF), .min = (MIN), .max = (MAX), .doc = (DOC)}
#define KL_PROP_INT_SYMS(N, CAT, DEF, MIN, MAX, SYMS, DOC)                                              \
    {.name = (N), .type = KL_CONF_INT, .category = (CAT), .def = (DEF), .min = (MIN), .max = (MAX), \
     .syms = (SYMS), .doc = (DOC)}
#define KL_PROP_DOUBLE(N, CAT, DEF, MIN, MAX, DOC)                                                        \
    {.name = (N), .type = KL_CONF_DOUBLE, .category = (CAT), .def = (DEF), .min = (MIN), .max = (MAX), \
     .doc = (DOC)}
#define KL_PROP_BOOL(N, CAT, DEF, DOC) \
    {.name = (N), .type = KL_CONF_BOOL, .category = (CAT), .def = (DEF), .doc = (DOC)}
#define KL_PROP_ENUM(N, CAT, DEF, SYMS, DOC) \
    {.name = (N), .type = KL_CONF_ENUM, .category = (CAT), .def = (DEF), .syms = (SYMS), .doc = (DOC)}
#define KL_PROP_SET(N, CAT, DEF, MIN_MEMBERS, SYMS, DOC)                                               \
    {.name = (N), .type = KL_CONF_SET, .category = (CAT), .def = (DEF), .min = (MIN_MEMBERS), \
     .syms = (SYMS), .doc = (DOC)}
#define KL_PROP_ALIAS(N, TARGET) {.name = (N), .type = KL_CONF_ALIAS, .target = (TARGET)}
#define KL_PROP_SCOPED(N, CAT, DOC) {.name = (N), .type = KL_CONF_SCOPED, .category = (CAT), .doc = (DOC)}
/* Rows with extra flags (KL_CONF_F_SCOPABLE: a SCOPED family may set it
 * per scope). */
#define KL_PROP_STR_F(N, CAT, DEF, F, DOC) \
    {.name = (N), .type = KL_CONF_STR, .category = (CAT), .def = (DEF), .flags = (F), .doc = (DOC)}
#define KL_PROP_SECRET_F(N, CAT, F, DOC) \
    {.name = (N), .type = KL_CONF_STR, .category = (CAT), .flags = KL_CONF_F_SENSITIVE | (F), .doc = (DOC)}
#define KL_PROP_ENUM_F(N, CAT, DEF, SYMS, F, DOC)                                                 \
    {.name = (N), .type = KL_CONF_ENUM, .category = (CAT), .def = (DEF), .syms = (SYMS), .flags = (F), \
     .doc = (DOC)}
#define KL_PROP_SET_F(N, CAT, DEF, MIN_MEMBERS, SYMS, F, DOC)                                     \
    {.name = (N), .type = KL_CONF_SET, .category = (CAT), .def = (DEF), .min = (MIN_MEMBERS), \
     .syms = (SYMS), .flags = (F), .doc = (DOC)}
#define KL_PROP_INT_F(N, CAT, DEF, MIN, MAX, F, DOC)                                                  \
    {.name = (N), .type = KL_CONF_INT, .category = (CAT), .def = (DEF), .min = (MIN), .max = (MAX), \
     .flags = (F), .doc = (DOC)}
#define KL_PROP_IGNORED(N, WHY) {.name = (N), .type = KL_CONF_IGNORED, .category = "cluster", .doc = (WHY)}

/* One table of properties: everything a kl_conf_t of that kind accepts. */
typedef struct kl_conf_schema {
    const char *name; /* "client", "broker" */
    const kl_conf_prop_t *props;
    size_t count;
} kl_conf_schema_t;

/* A new conf with every property of schema at its default; NULL when out of
 * memory. The constructors kl_conf_new() (lib/client) and
 * kl_broker_conf_new() (lib/broker) call this with their own table. */
kl_conf_t *kl_conf_new_from(const kl_conf_schema_t *schema);

/* The schema conf was created from. */
const kl_conf_schema_t *kl_conf_schema(const kl_conf_t *conf);

/* The descriptors of schema in table order (aliases and ignored names
 * included; docs filter on type and category). */
const kl_conf_prop_t *kl_conf_table(const kl_conf_schema_t *schema, size_t *countp);

/* The descriptor for name in schema: an exact match, or for IGNORED and
 * SCOPED prefix entries a prefix match. Aliases are returned as themselves; see
 * kl_conf_resolve(). NULL when unknown. */
const kl_conf_prop_t *kl_conf_lookup(const kl_conf_schema_t *schema, const char *name);

/* prop itself, or its target when prop is an alias. */
const kl_conf_prop_t *kl_conf_resolve(const kl_conf_schema_t *schema, const kl_conf_prop_t *prop);

/* Writes what prop accepts, as the error messages and docs say it
 * ("an integer between 0 and 900000", "one of: none, gzip, ..."), into buf
 * (NUL-terminated, truncated to size). Returns the length it wanted, as
 * snprintf does. */
size_t kl_conf_prop_accepts(const kl_conf_prop_t *prop, char *buf, size_t size);

/* Internal accessors, by canonical name or alias. They run at handle
 * creation, not per message. Asking for an unknown name, or with the wrong
 * type, is a bug in the library: it asserts (and returns 0 / "" when
 * assertions are off).
 *   get_int:    INT, BOOL (0/1), ENUM (the member's value), SET (the OR of
 *               the members' values).
 *   get_bool:   BOOL.
 *   get_double: DOUBLE and INT.
 *   get_str:    any type: the stored text ("" when there is no value);
 *               valid until the property is next set or conf destroyed.
 * A scoped name (listener.name.<l>.<setting>) reads the value set for it,
 * or else the setting's own. */
int64_t kl_conf_get_int(const kl_conf_t *conf, const char *name);
bool kl_conf_get_bool(const kl_conf_t *conf, const char *name);
double kl_conf_get_double(const kl_conf_t *conf, const char *name);
const char *kl_conf_get_str(const kl_conf_t *conf, const char *name);

/* True when name (or an alias of it) was set explicitly by kl_conf_set,
 * even to its default value; false for defaults and after a reset (value
 * NULL). Unknown names: false. */
bool kl_conf_is_set(const kl_conf_t *conf, const char *name);

/* The i-th scoped name set (listener.name.<l>.<setting>, normalised: the
 * scope in lower case), in no particular order; NULL past the last. For
 * the broker's check that each scope names a listener. */
const char *kl_conf_scoped_name(const kl_conf_t *conf, size_t i);

/* Callbacks and the application's opaque pointer, which are not string
 * properties: the client's setters (kl_conf_set_log_cb() and the like, in
 * lib/client and lib/producer) store them here, kl_conf_dup() copies them,
 * and a handle reads them at creation. The engine does not know what the
 * slots mean. */
typedef void (*kl_conf_fn_t)(void);
enum {
    KL_CONF_HOOK_LOG,
    KL_CONF_HOOK_DELIVERY,
    KL_CONF_HOOK_PARTITIONER,
    KL_CONF_HOOK_STATS,
    KL_CONF_HOOK_REBALANCE,
    KL_CONF_HOOK_OFFSET_COMMIT,
    KL_CONF_HOOK_OAUTHBEARER_REFRESH,
    KL_CONF_HOOK_COUNT = 8
};
typedef struct kl_conf_hooks {
    kl_conf_fn_t fn[KL_CONF_HOOK_COUNT];
    void *opaque;
} kl_conf_hooks_t;

kl_conf_hooks_t *kl_conf_hooks(kl_conf_t *conf);
const kl_conf_hooks_t *kl_conf_hooks_get(const kl_conf_t *conf);

/* One message per ignored property that was set, in the order first set:
 * `Ignored configuration property "zookeeper.connect": <why>`. The array
 * and strings belong to conf and stay valid until the next kl_conf_set or
 * kl_conf_destroy. *countp receives the count; NULL when there are none. */
const char *const *kl_conf_warnings(const kl_conf_t *conf, size_t *countp);

#endif
