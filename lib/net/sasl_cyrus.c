/* GSSAPI through cyrus-sasl (see sasl_cyrus.h). */
#include "config.h"

#include "net/sasl_cyrus.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef WITH_SASL
#include <sasl/sasl.h>

#define MECHANISM "GSSAPI"
/* cyrus-sasl's callback table holds every callback as int (*)(void). */
#define CALLBACK(fn) ((int (*)(void))(void (*)(void))(fn))

struct kl_cyrus {
    sasl_conn_t *conn;
    bool server;
    bool started;
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool mutexes_set, client_ready, server_ready;
static int client_rc, server_rc;
static char *server_keytab; /* what the server side was loaded with */

/* ---- cyrus-sasl's global state --------------------------------------------- */

static void *mutex_alloc(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m)
        pthread_mutex_init(m, NULL);
    return m;
}

static int mutex_lock(void *m) { return pthread_mutex_lock(m) ? SASL_FAIL : SASL_OK; }
static int mutex_unlock(void *m) { return pthread_mutex_unlock(m) ? SASL_FAIL : SASL_OK; }

static void mutex_free(void *m)
{
    pthread_mutex_destroy(m);
    free(m);
}

/* The options cyrus-sasl's plugins ask for: the GSSAPI server's keytab. */
static int get_option(void *context, const char *plugin, const char *option, const char **result, unsigned *len)
{
    (void)context, (void)plugin;
    if (!strcmp(option, "keytab") && server_keytab) {
        *result = server_keytab;
        if (len)
            *len = (unsigned)strlen(server_keytab);
        return SASL_OK;
    }
    return SASL_FAIL;
}

static sasl_callback_t server_callbacks[] = {
    {SASL_CB_GETOPT, CALLBACK(get_option), NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

/* Called with init_lock held. */
static void set_mutexes(void)
{
    if (!mutexes_set)
        sasl_set_mutex(mutex_alloc, mutex_lock, mutex_unlock, mutex_free);
    mutexes_set = true;
}

static bool client_init(char *why, size_t why_size)
{
    pthread_mutex_lock(&init_lock);
    if (!client_ready) {
        set_mutexes();
        client_rc = sasl_client_init(NULL);
        client_ready = true;
    }
    int rc = client_rc;
    pthread_mutex_unlock(&init_lock);
    if (rc != SASL_OK)
        snprintf(why, why_size, "cyrus-sasl: sasl_client_init failed: %s", sasl_errstring(rc, NULL, NULL));
    return rc == SASL_OK;
}

/* Whether cyrus-sasl's server side lists GSSAPI. */
static bool server_has_gssapi(void)
{
    const char **mechs = sasl_global_listmech();
    for (size_t i = 0; mechs && mechs[i]; i++)
        if (!strcmp(mechs[i], MECHANISM))
            return true;
    return false;
}

bool kl_cyrus_server_init(const char *keytab, char *why, size_t why_size)
{
    bool ok = true;
    pthread_mutex_lock(&init_lock);
    if (!server_ready) {
        set_mutexes();
        server_keytab = keytab ? strdup(keytab) : NULL;
        server_rc = sasl_server_init(server_callbacks, "kafkalite");
        server_ready = true;
        if (server_rc != SASL_OK)
            snprintf(why, why_size, "cyrus-sasl: sasl_server_init failed: %s",
                     sasl_errstring(server_rc, NULL, NULL));
    } else if ((keytab == NULL) != (server_keytab == NULL) || (keytab && strcmp(keytab, server_keytab))) {
        snprintf(why, why_size,
                 "cyrus-sasl reads one keytab per process, and this one was started with %s, not %s",
                 server_keytab ? server_keytab : "the default keytab", keytab ? keytab : "the default keytab");
        ok = false;
    }
    if (ok && server_rc != SASL_OK)
        ok = false;
    if (ok && !server_has_gssapi()) {
        snprintf(why, why_size,
                 "cyrus-sasl has no GSSAPI server mechanism (install libsasl2-modules-gssapi-mit; a keytab "
                 "that cannot be read also disables it: %s)",
                 server_keytab ? server_keytab : "the default keytab");
        ok = false;
    }
    pthread_mutex_unlock(&init_lock);
    return ok;
}

/* ---- sessions --------------------------------------------------------------- */

/* The authorization id the GSSAPI client asks for: none (the
 * authenticated principal is the identity, as Kafka wants). */
static int get_user(void *context, int id, const char **result, unsigned *len)
{
    (void)context, (void)id;
    *result = "";
    if (len)
        *len = 0;
    return SASL_OK;
}

static sasl_callback_t client_callbacks[] = {
    {SASL_CB_USER, CALLBACK(get_user), NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

/* No security layer: max_ssf 0. */
static bool no_security_layer(sasl_conn_t *conn)
{
    sasl_security_properties_t props = {.min_ssf = 0, .max_ssf = 0, .maxbufsize = 0};
    return sasl_setprop(conn, SASL_SEC_PROPS, &props) == SASL_OK;
}

static void reason(sasl_conn_t *conn, int rc, char *why, size_t why_size)
{
    const char *detail = conn ? sasl_errdetail(conn) : NULL;
    snprintf(why, why_size, "%s", detail && *detail ? detail : sasl_errstring(rc, NULL, NULL));
}

static kl_cyrus_t *session(bool server, const char *service, const char *host, char *why, size_t why_size)
{
    kl_cyrus_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    s->server = server;
    int rc = server ? sasl_server_new(service, host, NULL, NULL, NULL, server_callbacks, 0, &s->conn)
                    : sasl_client_new(service, host, NULL, NULL, client_callbacks, 0, &s->conn);
    if (rc != SASL_OK || !no_security_layer(s->conn)) {
        reason(s->conn, rc, why, why_size);
        kl_cyrus_free(s);
        return NULL;
    }
    return s;
}

kl_cyrus_t *kl_cyrus_client_new(const char *service, const char *host, char *why, size_t why_size)
{
    if (!client_init(why, why_size))
        return NULL;
    return session(false, service, host, why, why_size);
}

kl_cyrus_t *kl_cyrus_server_new(const char *service, const char *host, char *why, size_t why_size)
{
    pthread_mutex_lock(&init_lock);
    bool ready = server_ready && server_rc == SASL_OK;
    pthread_mutex_unlock(&init_lock);
    if (!ready) {
        snprintf(why, why_size, "cyrus-sasl's server side is not loaded");
        return NULL;
    }
    return session(true, service, host, why, why_size);
}

kl_cyrus_status_t kl_cyrus_step(kl_cyrus_t *s, const void *in, size_t len, const void **out, size_t *out_len,
                                char *why, size_t why_size)
{
    const char *data = NULL, *mech = NULL;
    unsigned data_len = 0;
    sasl_interact_t *interact = NULL;
    int rc;
    if (len > 0xffffffffu) {
        snprintf(why, why_size, "a %zu-byte token", len);
        return KL_CYRUS_FAILED;
    }
    if (s->server)
        rc = s->started ? sasl_server_step(s->conn, in, (unsigned)len, &data, &data_len)
                        : sasl_server_start(s->conn, MECHANISM, in, (unsigned)len, &data, &data_len);
    else
        rc = s->started ? sasl_client_step(s->conn, in, (unsigned)len, &interact, &data, &data_len)
                        : sasl_client_start(s->conn, MECHANISM, &interact, &data, &data_len, &mech);
    s->started = true;
    *out = data;
    *out_len = data ? data_len : 0;
    if (rc == SASL_OK)
        return KL_CYRUS_DONE;
    if (rc == SASL_CONTINUE)
        return KL_CYRUS_CONTINUE;
    if (rc == SASL_INTERACT)
        snprintf(why, why_size, "cyrus-sasl asks for input a library cannot give (%s)",
                 interact && interact->prompt ? interact->prompt : "a prompt");
    else
        reason(s->conn, rc, why, why_size);
    return KL_CYRUS_FAILED;
}

const char *kl_cyrus_user(kl_cyrus_t *s)
{
    const void *user = NULL;
    if (!s || sasl_getprop(s->conn, SASL_USERNAME, &user) != SASL_OK || !user)
        return "";
    return user;
}

void kl_cyrus_free(kl_cyrus_t *s)
{
    if (!s)
        return;
    if (s->conn)
        sasl_dispose(&s->conn);
    free(s);
}

#else /* !WITH_SASL */

static bool missing(char *why, size_t why_size)
{
    snprintf(why, why_size, "GSSAPI needs cyrus-sasl, and this build has none (configure --with-sasl, "
                            "libsasl2-dev)");
    return false;
}

kl_cyrus_t *kl_cyrus_client_new(const char *service, const char *host, char *why, size_t why_size)
{
    (void)service, (void)host;
    missing(why, why_size);
    return NULL;
}

bool kl_cyrus_server_init(const char *keytab, char *why, size_t why_size)
{
    (void)keytab;
    return missing(why, why_size);
}

kl_cyrus_t *kl_cyrus_server_new(const char *service, const char *host, char *why, size_t why_size)
{
    (void)service, (void)host;
    missing(why, why_size);
    return NULL;
}

kl_cyrus_status_t kl_cyrus_step(kl_cyrus_t *s, const void *in, size_t len, const void **out, size_t *out_len,
                                char *why, size_t why_size)
{
    (void)s, (void)in, (void)len;
    *out = NULL;
    *out_len = 0;
    missing(why, why_size);
    return KL_CYRUS_FAILED;
}

const char *kl_cyrus_user(kl_cyrus_t *s)
{
    (void)s;
    return "";
}

void kl_cyrus_free(kl_cyrus_t *s) { (void)s; }

#endif
