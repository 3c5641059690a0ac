/* Error names, descriptions and retriable flags, all from the X-macro lists
 * in kafkalite/error.h; and kl_error_t, an error with its class. */
#include "kafkalite/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/error_obj.h"

typedef struct err_desc {
    int code;
    int retriable;
    const char *name;
    const char *desc;
} err_desc_t;

#define ERR_DESC_ENTRY(name, num, retriable, desc) {num, retriable, #name, desc},
static const err_desc_t err_descs[] = {
    KL_ERR_LOCAL_LIST(ERR_DESC_ENTRY)
    KL_ERR_KAFKA_LIST(ERR_DESC_ENTRY)
};

static const err_desc_t *err_find(kl_err_t err)
{
    /* Kafka codes are dense from -1: index them directly. */
    const size_t nlocal = sizeof err_descs / sizeof err_descs[0] - (size_t)(KL_ERR_VOTER_NOT_FOUND + 2);
    if ((int)err >= -1 && (int)err <= KL_ERR_VOTER_NOT_FOUND)
        return &err_descs[nlocal + (size_t)((int)err + 1)];
    for (size_t i = 0; i < nlocal; i++)
        if (err_descs[i].code == (int)err)
            return &err_descs[i];
    return NULL;
}

const char *kl_err_str(kl_err_t err)
{
    static _Thread_local char unknown[40];
    const err_desc_t *d = err_find(err);
    if (d)
        return d->desc;
    snprintf(unknown, sizeof unknown, "Unknown error %d", (int)err);
    return unknown;
}

const char *kl_err_name(kl_err_t err)
{
    const err_desc_t *d = err_find(err);
    return d ? d->name : "UNKNOWN";
}

int kl_err_is_retriable(kl_err_t err)
{
    const err_desc_t *d = err_find(err);
    return d ? d->retriable : 0;
}

int kl_err_is_local(kl_err_t err) { return (int)err <= -100; }

/* ---- kl_error_t ---------------------------------------------------------------- */

struct kl_error {
    kl_err_t code;
    kl_error_class_t cls;
    int is_static;
    char str[];
};

static struct {
    struct kl_error e;
    char str[16];
} no_memory = {{KL_ERR_NOMEM, KL_ERROR_PLAIN, 1}, "Out of memory"};

kl_error_t *kl_error_new(kl_err_t code, kl_error_class_t cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    kl_error_t *e = malloc(sizeof *e + (size_t)(len > 0 ? len : 0) + 1);
    if (!e)
        return &no_memory.e;
    e->code = code;
    e->cls = cls;
    e->is_static = 0;
    va_start(ap, fmt);
    vsnprintf(e->str, (size_t)(len > 0 ? len : 0) + 1, fmt, ap);
    va_end(ap);
    return e;
}

kl_err_t kl_error_code(const kl_error_t *e) { return e ? e->code : KL_ERR_NONE; }
const char *kl_error_string(const kl_error_t *e) { return e ? e->str : "Success"; }
int kl_error_is_retriable(const kl_error_t *e) { return e && e->cls == KL_ERROR_RETRIABLE; }
int kl_error_txn_requires_abort(const kl_error_t *e) { return e && e->cls == KL_ERROR_ABORTABLE; }
int kl_error_is_fatal(const kl_error_t *e) { return e && e->cls == KL_ERROR_FATAL; }

void kl_error_destroy(kl_error_t *e)
{
    if (e && !e->is_static)
        free(e);
}
