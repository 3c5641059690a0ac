/* A listener's security (listener.security.protocol.map): PLAINTEXT, SSL,
 * SASL_PLAINTEXT or SASL_SSL; for the TLS ones the server context, made
 * once from the ssl.* properties (PEM keystore and truststore,
 * ssl.client.auth; listener.name.<listener>.ssl.* first, as Kafka reads
 * them) with the TLS code the client uses (lib/net/tls.c); for the SASL
 * ones its SASL settings (sasl_conf.c). */
#include <ctype.h>
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

const char *listener_setting(const broker_listener_t *l, const char *setting, char *buf, size_t size)
{
    int n = snprintf(buf, size, "listener.name.%s.%s", l->name, setting);
    for (int i = 14; i < n && (size_t)i < size && buf[i] != '.'; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    return buf;
}

/* The listener's value of setting, or NULL when unset or empty. */
static const char *opt(const kl_broker_t *b, const broker_listener_t *l, const char *setting)
{
    char name[256];
    const char *v = kl_conf_get_str(b->conf, listener_setting(l, setting, name, sizeof name));
    return v && v[0] ? v : NULL;
}

static kl_tls_client_auth_t client_auth(const kl_broker_t *b, const broker_listener_t *l)
{
    char name[256];
    return (kl_tls_client_auth_t)kl_conf_get_int(b->conf, listener_setting(l, "ssl.client.auth", name, sizeof name));
}

static kl_err_t make_tls(kl_broker_t *b, broker_listener_t *l, char *errstr, size_t errstr_size)
{
    const char *keystore = opt(b, l, "ssl.keystore.location");
    kl_tls_config_t cfg = {
        .server = true,
        .client_auth = client_auth(b, l),
        .cert_location = keystore ? keystore : opt(b, l, "ssl.certificate.location"),
        .key_location = keystore ? keystore : opt(b, l, "ssl.key.location"),
        .cert_pem = opt(b, l, "ssl.keystore.certificate.chain"),
        .key_pem = opt(b, l, "ssl.keystore.key"),
        .key_password = opt(b, l, "ssl.key.password"),
        .ca_location = opt(b, l, "ssl.truststore.location"),
        .ca_pem = opt(b, l, "ssl.truststore.certificates"),
        .cipher_suites = opt(b, l, "ssl.cipher.suites"),
        .crl_location = opt(b, l, "ssl.crl.location"),
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
    kl_err_t err = KL_ERR_NONE;
    if (l->security == SEC_SASL_PLAINTEXT || l->security == SEC_SASL_SSL) {
        err = sasl_conf_setup(b, l, errstr, errstr_size);
        b->sasl_mechanisms |= l->sasl.mechanisms; /* GSSAPI's principal is the broker's */
        if (!err)
            err = broker_gssapi_setup(b, l, errstr, errstr_size);
    }
    if (!err && (l->security == SEC_SSL || l->security == SEC_SASL_SSL))
        err = make_tls(b, l, errstr, errstr_size);
    return err;
}

void listener_security_free(broker_listener_t *l)
{
    kl_tls_ctx_destroy(l->tls);
    l->tls = NULL;
    sasl_conf_free(&l->sasl);
}

const char *listener_protocol_name(const broker_listener_t *l) { return protocols[l->security].name; }
