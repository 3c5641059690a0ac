/* Error names, descriptions and retriable flags, all from the X-macro lists
 * in kafkalite/error.h. */
#include "kafkalite/error.h"

#include <stdio.h>

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
