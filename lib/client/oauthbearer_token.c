/* OAUTHBEARER tokens from the application (include/kafkalite/oauthbearer.h):
 * the refresh callback runs from the application's polls (the log pump's
 * app_task) when the token is due, that is at first and then once 80% of
 * its lifetime has passed; kl_oauthbearer_set_token() stores it (any
 * thread) and wakes the connections waiting for one on the I/O thread.
 * Handles find their client through a registry, since the application
 * passes the producer, consumer or admin handle it has. */
#include "client/client_impl.h"
#include "client/conf_table.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafkalite/oauthbearer.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/conf.h"

#define RETRY_AFTER_FAILURE_MS 10000
#define NOT_DUE INT64_MAX /* a refresh is asked for and not yet answered */

typedef struct kl_client_token {
    kl_client_t *client;
    void *handle;
    kl_oauthbearer_token_refresh_cb *cb;
    void *opaque;
    const char *config; /* sasl.oauthbearer.config, owned by the conf */
    _Atomic int64_t refresh_at; /* wall clock; 0: at once */
    pthread_mutex_t lock;       /* guards what follows */
    char *value, *principal;
    char *extensions; /* "key=value\1" each */
    int64_t expires_ms;
    char failure[256]; /* the last failure, while no token came */
    struct kl_client_token *next; /* the registry */
} kl_client_token_t;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static kl_client_token_t *registry;

void kl_conf_set_oauthbearer_token_refresh_cb(kl_conf_t *conf, kl_oauthbearer_token_refresh_cb *cb)
{
    if (conf)
        kl_conf_hooks(conf)->fn[KL_CONF_HOOK_OAUTHBEARER_REFRESH] = (kl_conf_fn_t)cb;
}

/* Application thread (the log pump): asks for a token when one is due. */
static void serve(void *arg)
{
    kl_client_token_t *t = arg;
    int64_t at = atomic_load(&t->refresh_at);
    if (at == NOT_DUE || kl_wallclock_ms() < at ||
        !atomic_compare_exchange_strong(&t->refresh_at, &at, (int64_t)NOT_DUE))
        return;
    kl_log_debug(&t->client->log, KL_DEBUG_SECURITY, "OAUTHBEARER", "asking the application for a token");
    t->cb(t->handle, t->config, t->opaque);
}

kl_err_t kl_client_token_init(kl_client_t *c)
{
    const kl_conf_hooks_t *hooks = kl_conf_hooks_get(c->conf);
    kl_oauthbearer_token_refresh_cb *cb =
        (kl_oauthbearer_token_refresh_cb *)hooks->fn[KL_CONF_HOOK_OAUTHBEARER_REFRESH];
    if (!cb)
        return KL_ERR_NONE;
    kl_client_token_t *t = calloc(1, sizeof *t);
    if (!t)
        return KL_ERR_NOMEM;
    *t = (kl_client_token_t){.client = c, .handle = c->opaque, .cb = cb, .opaque = hooks->opaque,
                             .config = kl_conf_get_str(c->conf, "sasl.oauthbearer.config")};
    pthread_mutex_init(&t->lock, NULL);
    c->token = t;
    c->log.app_task = serve;
    c->log.app_task_arg = t;
    pthread_mutex_lock(&registry_lock);
    t->next = registry;
    registry = t;
    pthread_mutex_unlock(&registry_lock);
    return KL_ERR_NONE;
}

void kl_client_token_free(kl_client_t *c)
{
    kl_client_token_t *t = c->token;
    if (!t)
        return;
    pthread_mutex_lock(&registry_lock);
    for (kl_client_token_t **p = &registry; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    c->log.app_task = NULL;
    pthread_mutex_destroy(&t->lock);
    free(t->value);
    free(t->principal);
    free(t->extensions);
    free(t);
    c->token = NULL;
}

char *kl_client_token_message(kl_client_t *c, size_t *lenp, char *why, size_t why_size)
{
    kl_client_token_t *t = c->token;
    why[0] = '\0';
    pthread_mutex_lock(&t->lock);
    char *msg = NULL;
    if (t->value) {
        kl_buf_t out;
        kl_buf_init(&out, 0);
        static const char gs2[] = "n,,\1auth=Bearer ";
        kl_buf_put(&out, gs2, sizeof gs2 - 1);
        kl_buf_put(&out, t->value, strlen(t->value));
        kl_buf_put_i8(&out, '\1');
        kl_buf_put(&out, t->extensions, strlen(t->extensions));
        kl_buf_put_i8(&out, '\1');
        if (kl_buf_error(&out))
            kl_buf_free(&out);
        else
            msg = (char *)kl_buf_steal(&out, lenp);
        if (!msg)
            snprintf(why, why_size, "out of memory");
    } else if (t->failure[0]) {
        snprintf(why, why_size, "no OAUTHBEARER token: %s", t->failure);
    }
    pthread_mutex_unlock(&t->lock);
    return msg;
}

/* The token of handle, or NULL. */
static kl_client_token_t *find(const void *handle)
{
    pthread_mutex_lock(&registry_lock);
    kl_client_token_t *t = registry;
    while (t && t->handle != handle)
        t = t->next;
    pthread_mutex_unlock(&registry_lock);
    return t;
}

/* I/O thread: the connections waiting for a token go on. */
static void token_changed(void *arg)
{
    kl_client_t *c = arg;
    for (kl_client_broker_t *b = c->brokers; b; b = b->next)
        kl_client_sasl_token_ready(b);
}

static kl_err_t bad_arg(char *errstr, size_t errstr_size, const char *why)
{
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s", why);
    return KL_ERR_INVALID_ARG;
}

/* RFC 6750's b64token; RFC 7628's extension keys (letters, not "auth")
 * and values (printable, spaces and tabs). */
static bool token_ok(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
    return n > 0 && s[n + strspn(s + n, "=")] == '\0';
}

static bool extension_ok(const char *key, const char *value)
{
    if (!key || !value || !*key || !strcmp(key, "auth"))
        return false;
    for (const char *p = key; *p; p++)
        if (!isalpha((unsigned char)*p))
            return false;
    for (const char *p = value; *p; p++)
        if (!((*p >= 0x21 && *p <= 0x7e) || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            return false;
    return true;
}

kl_err_t kl_oauthbearer_set_token(void *handle, const char *token_value, int64_t md_lifetime_ms,
                                  const char *md_principal_name, const char **extensions, size_t extension_size,
                                  char *errstr, size_t errstr_size)
{
    kl_client_token_t *t = find(handle);
    if (!t)
        return bad_arg(errstr, errstr_size, "the handle has no OAUTHBEARER token refresh callback");
    if (!token_value || !token_ok(token_value))
        return bad_arg(errstr, errstr_size, "the token must be a non-empty bearer token (RFC 6750 b64token)");
    int64_t now = kl_wallclock_ms();
    if (md_lifetime_ms <= now)
        return bad_arg(errstr, errstr_size, "md_lifetime_ms must be in the future (milliseconds since the epoch)");
    if (!md_principal_name || !*md_principal_name)
        return bad_arg(errstr, errstr_size, "md_principal_name must not be empty");
    if (extension_size % 2 || (extension_size && !extensions))
        return bad_arg(errstr, errstr_size, "extensions come as key, value pairs");
    kl_buf_t ext;
    kl_buf_init(&ext, 0);
    for (size_t i = 0; i < extension_size; i += 2) {
        if (!extension_ok(extensions[i], extensions[i + 1])) {
            kl_buf_free(&ext);
            return bad_arg(errstr, errstr_size, "an extension key must be letters (not \"auth\"), its value "
                                                "printable");
        }
        kl_buf_put(&ext, extensions[i], strlen(extensions[i]));
        kl_buf_put_i8(&ext, '=');
        kl_buf_put(&ext, extensions[i + 1], strlen(extensions[i + 1]));
        kl_buf_put_i8(&ext, '\1');
    }
    kl_buf_put_i8(&ext, '\0');
    size_t len;
    char *value = strdup(token_value), *principal = strdup(md_principal_name);
    char *exts = kl_buf_error(&ext) ? NULL : (char *)kl_buf_steal(&ext, &len);
    kl_buf_free(&ext);
    if (!value || !principal || !exts) {
        free(value), free(principal), free(exts);
        return KL_ERR_NOMEM;
    }
    pthread_mutex_lock(&t->lock);
    free(t->value), free(t->principal), free(t->extensions);
    t->value = value, t->principal = principal, t->extensions = exts;
    t->expires_ms = md_lifetime_ms;
    t->failure[0] = '\0';
    pthread_mutex_unlock(&t->lock);
    atomic_store(&t->refresh_at, now + (md_lifetime_ms - now) * 8 / 10);
    kl_log_debug(&t->client->log, KL_DEBUG_SECURITY, "OAUTHBEARER", "token for %s, expiring in %lld ms",
                 md_principal_name, (long long)(md_lifetime_ms - now));
    kl_client_post(t->client, token_changed, t->client);
    return KL_ERR_NONE;
}

kl_err_t kl_oauthbearer_set_token_failure(void *handle, const char *errstr)
{
    kl_client_token_t *t = find(handle);
    if (!t)
        return KL_ERR_INVALID_ARG;
    const char *why = errstr && *errstr ? errstr : "(no reason given)";
    kl_log(&t->client->log, KL_LOG_ERR, "OAUTHBEARER", "the application could not refresh the token: %s", why);
    pthread_mutex_lock(&t->lock);
    snprintf(t->failure, sizeof t->failure, "%s", why);
    pthread_mutex_unlock(&t->lock);
    atomic_store(&t->refresh_at, kl_wallclock_ms() + RETRY_AFTER_FAILURE_MS);
    kl_client_post(t->client, token_changed, t->client);
    return KL_ERR_NONE;
}
