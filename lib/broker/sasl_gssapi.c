/* SASL/GSSAPI (Kerberos) on the broker's SASL listeners, through
 * cyrus-sasl (lib/net/sasl_cyrus.c): the service principal is
 * sasl.kerberos.principal (service/host[@REALM], its key in
 * sasl.kerberos.keytab), or sasl.kerberos.service.name/<this host's
 * name>; each SaslAuthenticate carries one raw GSSAPI token, as Kafka's
 * exchange has them, and no security layer is offered. The client's
 * principal becomes the connection's, as User:<primary> (Kafka's DEFAULT
 * principal mapping for one realm). cyrus-sasl reads one keytab per
 * process, so a second broker in the process naming another keytab is
 * refused at start. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/sasl_gssapi.h"
#include "net/sasl_cyrus.h"
#include "util/conf.h"

typedef struct broker_gssapi {
    char service[128];
    char host[256];
} broker_gssapi_t;

/* The value of name, or NULL when unset or empty. */
static const char *opt(const kl_broker_t *b, const char *name)
{
    const char *v = kl_conf_get_str(b->conf, name);
    return v && v[0] ? v : NULL;
}

kl_err_t broker_gssapi_setup(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    if (b->gssapi || !(b->sasl_mechanisms & SASL_MECH_GSSAPI))
        return KL_ERR_NONE;
    broker_gssapi_t *g = calloc(1, sizeof *g);
    if (!g)
        return KL_ERR_NOMEM;
    const char *principal = opt(b, "sasl.kerberos.principal"), *service = opt(b, "sasl.kerberos.service.name");
    if (principal) {
        /* service/host@REALM */
        size_t primary = strcspn(principal, "/@");
        const char *host = principal[primary] == '/' ? principal + primary + 1 : NULL;
        snprintf(g->service, sizeof g->service, "%.*s", (int)primary, principal);
        if (host)
            snprintf(g->host, sizeof g->host, "%.*s", (int)strcspn(host, "@"), host);
        if (!host || !g->host[0] || (service && strcmp(service, g->service))) {
            snprintf(errstr, errstr_size,
                     "sasl.kerberos.principal=%s: a GSSAPI service principal is SERVICE/HOST[@REALM], SERVICE "
                     "being sasl.kerberos.service.name (%s)",
                     principal, service ? service : "unset");
            free(g);
            return KL_ERR_INVALID_CONFIG;
        }
    } else {
        snprintf(g->service, sizeof g->service, "%s", service ? service : "kafka");
        if (gethostname(g->host, sizeof g->host) != 0 || !g->host[0])
            snprintf(g->host, sizeof g->host, "localhost");
    }
    char why[400];
    if (!kl_cyrus_server_init(opt(b, "sasl.kerberos.keytab"), why, sizeof why)) {
        snprintf(errstr, errstr_size, "sasl.enabled.mechanisms=GSSAPI: %s", why);
        free(g);
        return KL_ERR_INVALID_CONFIG;
    }
    b->gssapi = g;
    broker_log(b, BROKER_LOG_INFO, "GSSAPI: accepting Kerberos service principal %s/%s (keytab %s)", g->service,
               g->host, opt(b, "sasl.kerberos.keytab") ? opt(b, "sasl.kerberos.keytab") : "the default");
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
