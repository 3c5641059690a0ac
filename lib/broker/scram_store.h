/* The broker's SCRAM credentials: per user, one salted credential per
 * mechanism (never a password), kept in memory for the SASL handshakes
 * and durably in <first log dir>/scram-credentials, rewritten whole on
 * every change (temporary file, fsync, rename, fsync of the directory),
 * so a crash leaves the old or the new set, never a torn one. Broker loop
 * only (and the application thread before start). */
#ifndef KL_BROKER_SCRAM_STORE_H
#define KL_BROKER_SCRAM_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "kafkalite/error.h"
#include "net/scram.h"

#define SCRAM_STORE_NAME "scram-credentials"

typedef struct scram_entry {
    char *user;
    kl_scram_credential_t cred;
} scram_entry_t;

typedef struct scram_store {
    char *path;
    scram_entry_t *entries; /* one per (user, mechanism) */
    size_t count;
} scram_store_t;

/* Reads dir/scram-credentials (none yet: an empty store). A malformed
 * line is an error naming the file and line: nothing is dropped. */
kl_err_t scram_store_load(scram_store_t *store, const char *dir, char *errstr, size_t errstr_size);
void scram_store_free(scram_store_t *store);
/* user's credential for hash, or NULL. */
const kl_scram_credential_t *scram_store_find(const scram_store_t *store, const char *user, kl_scram_hash_t hash);
/* Adds or replaces user's credential for cred->hash and writes the file;
 * on a storage error the memory keeps the old set too. */
kl_err_t scram_store_set(scram_store_t *store, const char *user, const kl_scram_credential_t *cred);
/* Removes it (KL_ERR_RESOURCE_NOT_FOUND when absent) and writes the
 * file. */
kl_err_t scram_store_delete(scram_store_t *store, const char *user, kl_scram_hash_t hash);
/* Whether a user name can be stored (non-empty, printable, no spaces). */
bool scram_store_valid_user(const char *user, size_t len);

#endif
