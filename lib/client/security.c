/* The client's security settings, read once at creation: security.protocol,
 * the TLS context every broker connection shares (ssl.*), and the SASL
 * mechanism and credentials (sasl.*), checked here so a configuration
 * mistake is reported by kl_*_new() rather than at the first connection. */
#include "client/client_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/conf_table.h"
#include "client/oauthbearer.h"
#include "util/errstr.h"

/* Fills errstr and refuses the setting. */
#define refuse(errstr, errstr_size, ...) (kl_errstr_set(errstr, errstr_size, __VA_ARGS__), KL_ERR_INVALID_VALUE)

/* The value of a string property, or NULL when it is unset or empty. */
static const char *opt_str(const kl_conf_t *conf, const char *name)
{
    const char *v = kl_conf_get_str(conf, name);
    return *v ? v : NULL;
}

static kl_err_t read_tls(kl_client_t *c, char *errstr, size_t errstr_size)
{
    const kl_conf_t *conf = c->conf;
    kl_tls_config_t tc = {
        .ca_location = opt_str(conf, "ssl.ca.location"),
        .ca_pem = opt_str(conf, "ssl.ca.pem"),
        .cert_location = opt_str(conf, "ssl.certificate.location"),
        .cert_pem = opt_str(conf, "ssl.certificate.pem"),
        .key_location = opt_str(conf, "ssl.key.location"),
        .key_pem = opt_str(conf, "ssl.key.pem"),
        .key_password = opt_str(conf, "ssl.key.password"),
        .cipher_suites = opt_str(conf, "ssl.cipher.suites"),
        .crl_location = opt_str(conf, "ssl.crl.location"),
        .verify_certificate = kl_conf_get_bool(conf, "enable.ssl.certificate.verification"),
        .verify_hostname =
            kl_conf_get_int(conf, "ssl.endpoint.identification.algorithm") == KL_SSL_ENDPOINT_HTTPS,
    };
    char why[256];
    c->tls = kl_tls_ctx_new(&tc, why, sizeof why);
    if (!c->tls)
        return refuse(errstr, errstr_size, "security.protocol=%s: %s", kl_conf_get_str(conf, "security.protocol"),
                      why);
    c->conn_config.tls = c->tls;
    return KL_ERR_NONE;
}

static kl_err_t read_sasl(kl_client_t *c, char *errstr, size_t errstr_size)
{
    const kl_conf_t *conf = c->conf;
    kl_client_sasl_t *s = &c->sasl;
    s->mechanism = (int)kl_conf_get_int(conf, "sasl.mechanisms");
    s->mechanism_name = kl_conf_get_str(conf, "sasl.mechanisms");
    switch (s->mechanism) {
    case KL_SASL_PLAIN:
    case KL_SASL_SCRAM_SHA_256:
    case KL_SASL_SCRAM_SHA_512:
        s->username = opt_str(conf, "sasl.username");
        s->password = opt_str(conf, "sasl.password");
        if (!s->username || !s->password)
            return refuse(errstr, errstr_size, "sasl.mechanisms=%s needs sasl.username and sasl.password",
                          s->mechanism_name);
        break;
    case KL_SASL_OAUTHBEARER: {
        char why[200];
        s->oauthbearer_config = kl_conf_get_str(conf, "sasl.oauthbearer.config");
        if (kl_client_token_init(c) != KL_ERR_NONE)
            return KL_ERR_NOMEM;
        /* with a refresh callback the config is the application's */
        if (!c->token && !kl_oauthbearer_check_config(s->oauthbearer_config, why, sizeof why))
            return refuse(errstr, errstr_size, "sasl.mechanisms=OAUTHBEARER: %s", why);
        s->username = "(OAUTHBEARER token)";
        break;
    }
    case KL_SASL_GSSAPI: {
        kl_err_t err = kl_client_read_gssapi(c, errstr, errstr_size);
        if (err)
            return err;
        break;
    }
    default:
        return refuse(errstr, errstr_size,
                      "sasl.mechanisms=%s is not supported yet (GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 "
                      "and OAUTHBEARER with an unsecured token are)",
                      s->mechanism_name);
    }
    s->enabled = true;
    return KL_ERR_NONE;
}

kl_err_t kl_client_read_security(kl_client_t *c, char *errstr, size_t errstr_size)
{
    int proto = (int)kl_conf_get_int(c->conf, "security.protocol");
    kl_err_t err = KL_ERR_NONE;
    if (proto == KL_SECURITY_SSL || proto == KL_SECURITY_SASL_SSL)
        err = read_tls(c, errstr, errstr_size);
    if (!err && (proto == KL_SECURITY_SASL_PLAINTEXT || proto == KL_SECURITY_SASL_SSL))
        err = read_sasl(c, errstr, errstr_size);
    return err;
}
