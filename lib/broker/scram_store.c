/* SCRAM credential store (see scram_store.h). The file: a comment line,
 * then "user SCRAM-SHA-256 iterations salt stored-key server-key" per
 * credential, keys in base64. */
#include "broker/scram_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/file.h"

bool scram_store_valid_user(const char *user, size_t len)
{
    if (len == 0 || len > 256)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)user[i] <= ' ' || user[i] == 0x7f)
            return false;
    return true;
}

static kl_err_t add(scram_store_t *store, const char *user, size_t ulen, const kl_scram_credential_t *cred)
{
    scram_entry_t *grown = realloc(store->entries, (store->count + 1) * sizeof *grown);
    char *name = strndup(user, ulen);
    if (!grown || !name) {
        free(name);
        if (grown)
            store->entries = grown;
        return KL_ERR_NOMEM;
    }
    store->entries = grown;
    store->entries[store->count++] = (scram_entry_t){name, *cred};
    return KL_ERR_NONE;
}

kl_err_t scram_store_load(scram_store_t *store, const char *dir, char *errstr, size_t errstr_size)
{
    *store = (scram_store_t){0};
    if (asprintf(&store->path, "%s/%s", dir, SCRAM_STORE_NAME) < 0) {
        store->path = NULL;
        return KL_ERR_NOMEM;
    }
    FILE *f = fopen(store->path, "re");
    if (!f) {
        if (errno == ENOENT)
            return KL_ERR_NONE;
        snprintf(errstr, errstr_size, "cannot read %s: %s", store->path, strerror(errno));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    char line[1024];
    kl_err_t err = KL_ERR_NONE;
    for (int n = 1; !err && fgets(line, sizeof line, f); n++) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        size_t ulen = strcspn(line, " ");
        kl_scram_credential_t cred;
        if (!strchr(line, '\n') || !scram_store_valid_user(line, ulen) || !line[ulen] ||
            !kl_scram_credential_parse(&cred, line + ulen + 1)) {
            snprintf(errstr, errstr_size, "%s, line %d: not a SCRAM credential (user mechanism iterations salt "
                     "stored-key server-key); fix or remove the line", store->path, n);
            err = KL_ERR_INVALID_CONFIG;
        } else {
            err = add(store, line, ulen, &cred);
        }
    }
    fclose(f);
    if (err)
        scram_store_free(store);
    return err;
}

void scram_store_free(scram_store_t *store)
{
    for (size_t i = 0; i < store->count; i++)
        free(store->entries[i].user);
    free(store->entries);
    free(store->path);
    *store = (scram_store_t){0};
}

static scram_entry_t *find(const scram_store_t *store, const char *user, kl_scram_hash_t hash)
{
    for (size_t i = 0; i < store->count; i++)
        if (store->entries[i].cred.hash == hash && !strcmp(store->entries[i].user, user))
            return &store->entries[i];
    return NULL;
}

const kl_scram_credential_t *scram_store_find(const scram_store_t *store, const char *user, kl_scram_hash_t hash)
{
    scram_entry_t *e = find(store, user, hash);
    return e ? &e->cred : NULL;
}

/* Writes the whole set: temporary file, fsync, rename, directory fsync. */
static kl_err_t save(const scram_store_t *store)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", store->path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    bool ok = fputs("# kafkalite SCRAM credentials: user mechanism iterations salt stored-key server-key\n", f) >= 0;
    for (size_t i = 0; ok && i < store->count; i++) {
        char text[600];
        ok = kl_scram_credential_format(&store->entries[i].cred, text, sizeof text) &&
             fprintf(f, "%s %s\n", store->entries[i].user, text) > 0;
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, store->path) != 0) {
        unlink(tmp);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", store->path);
    *strrchr(dir, '/') = '\0';
    return kl_fsync_dir(dir) ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

kl_err_t scram_store_set(scram_store_t *store, const char *user, const kl_scram_credential_t *cred)
{
    scram_entry_t *e = find(store, user, cred->hash);
    if (e) {
        kl_scram_credential_t old = e->cred;
        e->cred = *cred;
        kl_err_t err = save(store);
        if (err)
            e->cred = old;
        return err;
    }
    kl_err_t err = add(store, user, strlen(user), cred);
    if (!err && (err = save(store)) != KL_ERR_NONE)
        free(store->entries[--store->count].user);
    return err;
}

kl_err_t scram_store_delete(scram_store_t *store, const char *user, kl_scram_hash_t hash)
{
    scram_entry_t *e = find(store, user, hash);
    if (!e)
        return KL_ERR_RESOURCE_NOT_FOUND;
    scram_entry_t removed = *e;
    size_t i = (size_t)(e - store->entries);
    memmove(e, e + 1, (store->count - i - 1) * sizeof *e);
    store->count--;
    kl_err_t err = save(store);
    if (err) { /* put it back where it was */
        memmove(store->entries + i + 1, store->entries + i, (store->count - i) * sizeof *e);
        store->entries[i] = removed;
        store->count++;
        return err;
    }
    free(removed.user);
    return KL_ERR_NONE;
}
