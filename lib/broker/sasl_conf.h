/* A SASL listener's own settings, read once at start from the broker's
 * configuration, each listener.name.<listener>.<setting> first and the
 * broker-wide setting otherwise: the mechanisms it offers, the session
 * lifetime (connections.max.reauth.ms), the PLAIN users of its
 * PlainLoginModule sasl.jaas.config, and the OAUTHBEARER unsecured
 * validator's options. */
#ifndef KL_BROKER_SASL_CONF_H
#define KL_BROKER_SASL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/jaas.h"
#include "kafkalite/error.h"

struct broker_listener;
struct kl_broker;

typedef struct broker_sasl_conf {
    unsigned mechanisms; /* SASL_MECH_* */
    int64_t reauth_ms;   /* 0: sessions do not expire */
    broker_jaas_t plain; /* module NULL: PLAIN checks the SCRAM credentials */
    /* OAUTHBEARER's unsecured validator (Kafka's option names) */
    const char *principal_claim; /* unsecuredValidatorPrincipalClaimName: sub */
    const char *scope_claim;     /* unsecuredValidatorScopeClaimName: scope */
    const char *required_scope;  /* unsecuredValidatorRequiredScope: NULL */
    int64_t clock_skew_ms;       /* unsecuredValidatorAllowableClockSkewMs: 0 */
    broker_jaas_t oauth;         /* where the strings above point */
} broker_sasl_conf_t;

/* Reads l's settings into l->sasl; an error names the property. */
kl_err_t sasl_conf_setup(struct kl_broker *b, struct broker_listener *l, char *errstr, size_t errstr_size);
void sasl_conf_free(broker_sasl_conf_t *sc);
/* The sasl.jaas.config for mech ("plain", "oauthbearer", "gssapi") into
 * *out (module NULL: none): the listener's mech-prefixed one, which must
 * name module, else the broker-wide one when it names module; name
 * receives the property read. An error names the property. */
kl_err_t sasl_conf_read_jaas(struct kl_broker *b, const struct broker_listener *l, const char *mech,
                             const char *module, broker_jaas_t *out, char name[256], char *errstr,
                             size_t errstr_size);
/* Whether the jaas users hold user with password, compared in constant
 * time; *known: such a user exists. */
bool sasl_conf_plain_check(const broker_sasl_conf_t *sc, const char *user, const char *password, bool *known);

#endif
