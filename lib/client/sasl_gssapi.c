/* SASL/GSSAPI (Kerberos) on a broker connection, through cyrus-sasl
 * (lib/net/sasl_cyrus.c): after SaslHandshake, each SaslAuthenticate
 * carries one raw GSSAPI token each way, as Kafka's GSSAPI exchange has
 * them: the context tokens (the service ticket for
 * sasl.kerberos.service.name/<the broker's host name>, taken from the
 * credential cache kinit.c keeps), then the broker's security-layer offer
 * and our wrapped answer (no security layer), which the broker accepts
 * with an empty token. The first step may ask the KDC for the service
 * ticket (once per ticket; MIT Kerberos caches it), on the I/O thread as
 * librdkafka does. I/O thread. */
#include "config.h"

#include "client/client_impl.h"

#include <stdio.h>
#include <string.h>

#include "client/conf_table.h"
#include "net/sasl_cyrus.h"

kl_err_t kl_client_read_gssapi(kl_client_t *c, char *errstr, size_t errstr_size)
{
    kl_client_sasl_t *s = &c->sasl;
#ifndef WITH_SASL
    snprintf(errstr, errstr_size, "sasl.mechanisms=GSSAPI needs cyrus-sasl, and this build has none "
                                  "(configure --with-sasl, libsasl2-dev)");
    return KL_ERR_INVALID_VALUE;
#endif
    s->kerberos_service = kl_conf_get_str(c->conf, "sasl.kerberos.service.name");
    s->username = kl_conf_get_str(c->conf, "sasl.kerberos.principal");
    if (!s->kerberos_service[0]) {
        snprintf(errstr, errstr_size, "sasl.mechanisms=GSSAPI needs sasl.kerberos.service.name");
        return KL_ERR_INVALID_VALUE;
    }
    return kl_client_kinit_start(c, errstr, errstr_size);
}

/* The host part of b->name (host:port/id, [v6]:port/id) into buf. */
static const char *broker_host(const kl_client_broker_t *b, char *buf, size_t size)
{
    const char *name = b->name, *end;
    if (name[0] == '[') {
        name++;
        end = strchr(name, ']');
    } else {
        const char *slash = strrchr(name, '/');
        size_t upto = slash ? (size_t)(slash - name) : strlen(name);
        end = NULL;
        for (size_t i = 0; i < upto; i++)
            if (name[i] == ':')
                end = name + i;
    }
    size_t n = end ? (size_t)(end - name) : strlen(name);
    snprintf(buf, size, "%.*s", (int)n, name);
    return buf;
}

static const void *step(kl_client_broker_t *b, const void *in, size_t in_len, size_t *len, char *why,
                        size_t why_size)
{
    const void *out = NULL;
    kl_cyrus_status_t st = kl_cyrus_step(b->gssapi, in, in_len, &out, len, why, why_size);
    if (st == KL_CYRUS_FAILED)
        return NULL;
    b->gssapi_last = st == KL_CYRUS_DONE;
    return out ? out : "";
}

const void *kl_client_gssapi_first(kl_client_broker_t *b, size_t *len, char *why, size_t why_size)
{
    char host[256];
    kl_client_gssapi_reset(b);
    b->gssapi = kl_cyrus_client_new(b->client->sasl.kerberos_service, broker_host(b, host, sizeof host), why,
                                    why_size);
    if (!b->gssapi)
        return NULL;
    return step(b, NULL, 0, len, why, why_size);
}

const void *kl_client_gssapi_next(kl_client_broker_t *b, const void *in, size_t in_len, size_t *len,
                                  bool *finished, char *why, size_t why_size)
{
    *finished = false;
    if (!b->gssapi) {
        snprintf(why, why_size, "no GSSAPI exchange under way");
        return NULL;
    }
    if (b->gssapi_last) { /* the broker accepted our last token */
        *finished = true;
        return NULL;
    }
    return step(b, in, in_len, len, why, why_size);
}

void kl_client_gssapi_reset(kl_client_broker_t *b)
{
    kl_cyrus_free(b->gssapi);
    b->gssapi = NULL;
    b->gssapi_last = false;
}
