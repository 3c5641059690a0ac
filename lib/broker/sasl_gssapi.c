/* SASL/GSSAPI (Kerberos) on the broker's SASL listeners, through
 * cyrus-sasl (lib/net/sasl_cyrus.c): the service principal is
 * sasl.kerberos.principal (service/host[@REALM], its key in
 * sasl.kerberos.keytab), or sasl.kerberos.service.name/<this host's
 * name>, or both from Kafka's Krb5LoginModule sasl.jaas.config; each
 * SaslAuthenticate carries one raw GSSAPI token, as Kafka's
 * exchange has them, and no security layer is offered. The client's
 * principal becomes the connection's, as User:<primary> (Kafka's DEFAULT
 * principal mapping for one realm). cyrus-sasl reads one keytab per
 * process, so a second broker in the process naming another keytab is
 * refused at start. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/sasl_conf.h"
#include "broker/sasl_gssapi.h"
#include "broker/server.h"
#include "net/sasl_cyrus.h"
#include "util/conf.h"

typedef struct broker_gssapi {
    char service[128];
    char host[256];
    char principal[384]; /* as configured, "" when unset */
    char keytab[4096];   /* "" : the default keytab */
    char source[256];    /* the setting they came from */
} broker_gssapi_t;

#define KRB5_MODULE "com.sun.security.auth.module.Krb5LoginModule"

/* The value of name, or NULL when unset or empty. */
static const char *opt(const kl_broker_t *b, const char *name)
{
    const char *v = kl_conf_get_str(b->conf, name);
    return v && v[0] ? v : NULL;
}

/* One of the principal and keytab: a sasl.kerberos.* value and the JAAS
 * option of the same meaning must not disagree. */
static kl_err_t pick(const char *own_name, const char *own, const char *jaas_name, const char *key,
                     const char *from_jaas, const char **out, char *errstr, size_t errstr_size)
{
    if (own && from_jaas && strcmp(own, from_jaas)) {
        snprintf(errstr, errstr_size, "%s=%s and %s's %s=\"%s\" disagree: set one of them", own_name, own,
                 jaas_name, key, from_jaas);
        return KL_ERR_INVALID_CONFIG;
    }
    *out = from_jaas ? from_jaas : own;
    return KL_ERR_NONE;
}

/* The listener's principal and keytab into g: sasl.kerberos.principal and
 * .keytab, or Kafka's form, a Krb5LoginModule sasl.jaas.config
 * (listener.name.<l>.gssapi.sasl.jaas.config, else the broker-wide one)
 * with useKeyTab=true, keyTab and principal. */
static kl_err_t read_identity(kl_broker_t *b, const broker_listener_t *l, broker_gssapi_t *g, char *errstr,
                              size_t errstr_size)
{
    broker_jaas_t jaas;
    char name[256];
    kl_err_t err = sasl_conf_read_jaas(b, l, "gssapi", KRB5_MODULE, &jaas, name, errstr, errstr_size);
    if (err)
        return err;
    const char *use_keytab = jaas.module ? broker_jaas_get(&jaas, "useKeyTab") : NULL;
    if (jaas.module && (!use_keytab || strcasecmp(use_keytab, "true"))) {
        snprintf(errstr, errstr_size, "%s: a broker reads its Kerberos key from a keytab: set useKeyTab=true "
                 "(and keyTab=\"FILE\", else the default keytab)", name);
        broker_jaas_free(&jaas);
        return KL_ERR_INVALID_CONFIG;
    }
    const char *principal = NULL, *keytab = NULL;
    err = pick("sasl.kerberos.principal", opt(b, "sasl.kerberos.principal"), name, "principal",
               jaas.module ? broker_jaas_get(&jaas, "principal") : NULL, &principal, errstr, errstr_size);
    if (!err)
        err = pick("sasl.kerberos.keytab", opt(b, "sasl.kerberos.keytab"), name, "keyTab",
                   jaas.module ? broker_jaas_get(&jaas, "keyTab") : NULL, &keytab, errstr, errstr_size);
    bool too_long = (principal && strlen(principal) >= sizeof g->principal) ||
                    (keytab && strlen(keytab) >= sizeof g->keytab);
    if (!err && too_long) {
        snprintf(errstr, errstr_size, "%s: the principal or keytab name is too long", name);
        err = KL_ERR_INVALID_CONFIG;
    }
    if (!err) {
        snprintf(g->principal, sizeof g->principal, "%s", principal ? principal : "");
        snprintf(g->keytab, sizeof g->keytab, "%s", keytab ? keytab : "");
        snprintf(g->source, sizeof g->source, "%s", jaas.module ? name : "sasl.kerberos.*");
    }
    broker_jaas_free(&jaas);
    return err;
}

/* service/host from the principal, or sasl.kerberos.service.name and this
 * host's name. */
static kl_err_t service_of(kl_broker_t *b, broker_gssapi_t *g, char *errstr, size_t errstr_size)
{
    const char *principal = g->principal[0] ? g->principal : NULL, *service = opt(b, "sasl.kerberos.service.name");
    if (principal) {
        /* service/host@REALM */
        size_t primary = strcspn(principal, "/@");
        const char *host = principal[primary] == '/' ? principal + primary + 1 : NULL;
        snprintf(g->service, sizeof g->service, "%.*s", (int)primary, principal);
        if (host)
            snprintf(g->host, sizeof g->host, "%.*s", (int)strcspn(host, "@"), host);
        if (!host || !g->host[0] || (service && strcmp(service, g->service))) {
            snprintf(errstr, errstr_size,
                     "%s: principal %s: a GSSAPI service principal is SERVICE/HOST[@REALM], SERVICE being "
                     "sasl.kerberos.service.name (%s)",
                     g->source, principal, service ? service : "unset");
            return KL_ERR_INVALID_CONFIG;
        }
    } else {
        snprintf(g->service, sizeof g->service, "%s", service ? service : "kafka");
        if (gethostname(g->host, sizeof g->host) != 0 || !g->host[0])
            snprintf(g->host, sizeof g->host, "localhost");
    }
    return KL_ERR_NONE;
}

kl_err_t broker_gssapi_setup(kl_broker_t *b, const broker_listener_t *l, char *errstr, size_t errstr_size)
{
    if (!(l->sasl.mechanisms & SASL_MECH_GSSAPI))
        return KL_ERR_NONE;
    broker_gssapi_t *g = calloc(1, sizeof *g);
    if (!g)
        return KL_ERR_NOMEM;
    kl_err_t err = read_identity(b, l, g, errstr, errstr_size);
    if (!err && b->gssapi) {
        /* cyrus-sasl serves one principal and keytab per process */
        if (strcmp(g->principal, b->gssapi->principal) || strcmp(g->keytab, b->gssapi->keytab)) {
            snprintf(errstr, errstr_size, "%s: listener %s names another Kerberos principal or keytab than %s; "
                     "kafkalite serves one for all GSSAPI listeners", g->source, l->name, b->gssapi->source);
            err = KL_ERR_INVALID_CONFIG;
        }
        free(g);
        return err;
    }
    if (!err)
        err = service_of(b, g, errstr, errstr_size);
    char why[400];
    if (!err && !kl_cyrus_server_init(g->keytab[0] ? g->keytab : NULL, why, sizeof why)) {
        snprintf(errstr, errstr_size, "sasl.enabled.mechanisms=GSSAPI: %s", why);
        err = KL_ERR_INVALID_CONFIG;
    }
    if (err) {
        free(g);
        return err;
    }
    b->gssapi = g;
    broker_log(b, BROKER_LOG_INFO, "GSSAPI: accepting Kerberos service principal %s/%s (keytab %s, from %s)",
               g->service, g->host, g->keytab[0] ? g->keytab : "the default", g->source);
    return KL_ERR_NONE;
}

void broker_gssapi_free(kl_broker_t *b)
{
    free(b->gssapi);
    b->gssapi = NULL;
}

/* "kafkaclient@REALM", "host/h@REALM" -> the primary. */
static void primary_of(const char *name, char *user, size_t size)
{
    snprintf(user, size, "%.*s", (int)strcspn(name, "/@"), name);
}

int broker_gssapi_step(broker_request_t *req, const void *token, size_t len, const void **out, size_t *out_len,
                       char *user, size_t user_size, char *why, size_t why_size)
{
    broker_conn_t *c = req->conn;
    kl_broker_t *b = req->broker;
    user[0] = '\0';
    *out = NULL;
    *out_len = 0;
    if (!c->gssapi) {
        if (!b->gssapi) {
            snprintf(why, why_size, "GSSAPI is not set up");
            return -1;
        }
        c->gssapi = kl_cyrus_server_new(b->gssapi->service, b->gssapi->host, why, why_size);
        if (!c->gssapi)
            return -1;
    }
    kl_cyrus_status_t st = kl_cyrus_step(c->gssapi, token, len, out, out_len, why, why_size);
    if (st == KL_CYRUS_CONTINUE) {
        /* the token lives in the session until its next step: copy it into
         * the request's arena, where the response encoder reads it */
        if (*out_len) {
            void *copy = kl_arena_alloc(req->arena, *out_len);
            if (!copy) {
                snprintf(why, why_size, "out of memory");
                st = KL_CYRUS_FAILED;
            } else {
                memcpy(copy, *out, *out_len);
                *out = copy;
                return 0;
            }
        } else {
            return 0;
        }
    }
    if (st == KL_CYRUS_DONE) {
        primary_of(kl_cyrus_user(c->gssapi), user, user_size);
        *out = "";
        *out_len = 0;
    }
    broker_gssapi_conn_free(c);
    if (st == KL_CYRUS_DONE && !user[0]) {
        snprintf(why, why_size, "cyrus-sasl named no principal");
        return -1;
    }
    return st == KL_CYRUS_DONE ? 1 : -1;
}

void broker_gssapi_conn_free(broker_conn_t *c)
{
    kl_cyrus_free(c->gssapi);
    c->gssapi = NULL;
}
