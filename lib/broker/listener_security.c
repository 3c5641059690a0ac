/* A listener's security (listener.security.protocol.map): PLAINTEXT, SSL,
 * SASL_PLAINTEXT or SASL_SSL; for the TLS ones the server context, made
 * once from the broker's ssl.* properties (PEM keystore and truststore,
 * ssl.client.auth) with the TLS code the client uses (lib/net/tls.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "broker/sasl_gssapi.h"
#include "broker/server.h"
#include "net/tls.h"
#include "util/conf.h"

static const struct {
    const char *name;
    broker_security_t security;
} protocols[] = {
    {"PLAINTEXT", SEC_PLAINTEXT},
    {"SSL", SEC_SSL},
    {"SASL_PLAINTEXT", SEC_SASL_PLAINTEXT},
    {"SASL_SSL", SEC_SASL_SSL},
};

/* The value of name, or NULL when unset or empty. */
static const char *opt(const kl_broker_t *b, const char *name)
{
    const char *v = kl_conf_get_str(b->conf, name);
    return v && v[0] ? v : NULL;
}

static kl_err_t make_tls(kl_broker_t *b, broker_listener_t *l, char *errstr, size_t errstr_size)
{
    const char *keystore = opt(b, "ssl.keystore.location");
    kl_tls_config_t cfg = {
        .server = true,
        .client_auth = (kl_tls_client_auth_t)kl_conf_get_int(b->conf, "ssl.client.auth"),
        .cert_location = keystore ? keystore : opt(b, "ssl.certificate.location"),
        .key_location = keystore ? keystore : opt(b, "ssl.key.location"),
        .cert_pem = opt(b, "ssl.keystore.certificate.chain"),
        .key_pem = opt(b, "ssl.keystore.key"),
        .key_password = opt(b, "ssl.key.password"),
        .ca_location = opt(b, "ssl.truststore.location"),
        .ca_pem = opt(b, "ssl.truststore.certificates"),
        .cipher_suites = opt(b, "ssl.cipher.suites"),
    };
    char why[400];
    l->tls = kl_tls_ctx_new(&cfg, why, sizeof why);
    if (!l->tls) {
        snprintf(errstr, errstr_size, "listener %s: %s", l->name, why);
        return KL_ERR_INVALID_CONFIG;
    }
    return KL_ERR_NONE;
}

kl_err_t listener_security_setup(kl_broker_t *b, broker_listener_t *l, const char *protocol, char *errstr,
                                 size_t errstr_size)
{
    size_t i = 0, n = sizeof protocols / sizeof protocols[0];
    while (i < n && strcasecmp(protocols[i].name, protocol) != 0)
        i++;
    if (i == n) {
        snprintf(errstr, errstr_size, "listeners: listener %s uses %s; kafkalite serves PLAINTEXT, SSL, "
                 "SASL_PLAINTEXT and SASL_SSL", l->name, protocol);
        return KL_ERR_INVALID_CONFIG;
    }
    l->security = protocols[i].security;
    b->sasl_mechanisms = (unsigned)kl_conf_get_int(b->conf, "sasl.enabled.mechanisms");
    if (l->security == SEC_SASL_PLAINTEXT || l->security == SEC_SASL_SSL) {
        kl_err_t err = broker_gssapi_setup(b, errstr, errstr_size);
        if (err)
            return err;
    }
    if (l->security == SEC_SSL || l->security == SEC_SASL_SSL)
        return make_tls(b, l, errstr, errstr_size);
    return KL_ERR_NONE;
}

void listener_security_free(broker_listener_t *l)
{
    kl_tls_ctx_destroy(l->tls);
    l->tls = NULL;
}

const char *listener_protocol_name(const broker_listener_t *l) { return protocols[l->security].name; }
