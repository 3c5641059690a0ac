/* A SASL listener's settings (see sasl_conf.h). */
#include "broker/sasl_conf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/server.h"
#include "util/conf.h"

#define PLAIN_MODULE "org.apache.kafka.common.security.plain.PlainLoginModule"
#define OAUTH_MODULE "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"

kl_err_t sasl_conf_read_jaas(kl_broker_t *b, const broker_listener_t *l, const char *mech, const char *module,
                             broker_jaas_t *out, char name[256], char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    char setting[64], why[200];
    snprintf(setting, sizeof setting, "%s.sasl.jaas.config", mech);
    listener_setting(l, setting, name, 256);
    bool own = kl_conf_is_set(b->conf, name);
    const char *text = kl_conf_get_str(b->conf, own ? name : "sasl.jaas.config");
    if (!own)
        snprintf(name, 256, "sasl.jaas.config");
    if (!text[0])
        return KL_ERR_NONE;
    if (!broker_jaas_parse(text, out, why, sizeof why)) {
        snprintf(errstr, errstr_size, "%s: %s", name, why);
        return KL_ERR_INVALID_CONFIG;
    }
    if (strcmp(out->module, module) != 0) {
        bool wanted = own;
        if (wanted)
            snprintf(errstr, errstr_size, "%s: the login module is %s; %s wants %s", name, out->module, mech,
                     module);
        broker_jaas_free(out);
        return wanted ? KL_ERR_INVALID_CONFIG : KL_ERR_NONE;
    }
    return KL_ERR_NONE;
}

static kl_err_t read_oauth(kl_broker_t *b, const broker_listener_t *l, broker_sasl_conf_t *sc, char *errstr,
                           size_t errstr_size)
{
    char name[256];
    kl_err_t err = sasl_conf_read_jaas(b, l, "oauthbearer", OAUTH_MODULE, &sc->oauth, name, errstr, errstr_size);
    if (err)
        return err;
    const char *v;
    sc->principal_claim = (v = broker_jaas_get(&sc->oauth, "unsecuredValidatorPrincipalClaimName")) ? v : "sub";
    sc->scope_claim = (v = broker_jaas_get(&sc->oauth, "unsecuredValidatorScopeClaimName")) ? v : "scope";
    sc->required_scope = broker_jaas_get(&sc->oauth, "unsecuredValidatorRequiredScope");
    if ((v = broker_jaas_get(&sc->oauth, "unsecuredValidatorAllowableClockSkewMs"))) {
        char *end;
        long long ms = strtoll(v, &end, 10);
        if (!*v || *end || ms < 0) {
            snprintf(errstr, errstr_size, "%s: unsecuredValidatorAllowableClockSkewMs wants a number of "
                     "milliseconds, not \"%s\"", name, v);
            return KL_ERR_INVALID_CONFIG;
        }
        sc->clock_skew_ms = ms;
    }
    if (!sc->principal_claim[0] || !sc->scope_claim[0]) {
        snprintf(errstr, errstr_size, "%s: the principal and scope claim names must not be empty", name);
        return KL_ERR_INVALID_CONFIG;
    }
    return KL_ERR_NONE;
}

kl_err_t sasl_conf_setup(kl_broker_t *b, broker_listener_t *l, char *errstr, size_t errstr_size)
{
    broker_sasl_conf_t *sc = &l->sasl;
    char name[256];
    sc->mechanisms =
        (unsigned)kl_conf_get_int(b->conf, listener_setting(l, "sasl.enabled.mechanisms", name, sizeof name));
    sc->reauth_ms = kl_conf_get_int(b->conf, listener_setting(l, "connections.max.reauth.ms", name, sizeof name));
    kl_err_t err = sasl_conf_read_jaas(b, l, "plain", PLAIN_MODULE, &sc->plain, name, errstr, errstr_size);
    if (!err && sc->plain.module) {
        size_t users = 0;
        for (size_t i = 0; i < sc->plain.count; i++)
            users += !strncmp(sc->plain.opts[i].key, "user_", 5) && sc->plain.opts[i].key[5];
        if (!users)
            broker_log(b, BROKER_LOG_WARN, "%s lists no user_<name> option: no one can log in with PLAIN on "
                       "listener %s", name, l->name);
    }
    if (!err)
        err = read_oauth(b, l, sc, errstr, errstr_size);
    return err;
}

void sasl_conf_free(broker_sasl_conf_t *sc)
{
    broker_jaas_free(&sc->plain);
    broker_jaas_free(&sc->oauth);
}

static void digest(const char *s, unsigned char out[32])
{
    unsigned int len = 32;
    if (!EVP_Digest(s, strlen(s), out, &len, EVP_sha256(), NULL))
        memset(out, 0, 32);
}

bool sasl_conf_plain_check(const broker_sasl_conf_t *sc, const char *user, const char *password, bool *known)
{
    const char *stored = NULL;
    for (size_t i = 0; i < sc->plain.count; i++)
        if (!strncmp(sc->plain.opts[i].key, "user_", 5) && !strcmp(sc->plain.opts[i].key + 5, user))
            stored = sc->plain.opts[i].value;
    *known = stored != NULL;
    /* Equal-length digests compared with CRYPTO_memcmp: the time taken
     * tells nothing of how much of the password was right, nor of its
     * length; an unknown user costs the same. */
    unsigned char want[32], got[32];
    digest(stored ? stored : "\x01unknown user", want);
    digest(password, got);
    return CRYPTO_memcmp(want, got, sizeof want) == 0 && stored;
}
