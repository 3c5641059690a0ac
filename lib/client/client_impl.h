/* Internals of the client core shared by its files: client.c (handle,
 * thread, bootstrap list), broker.c (connections and the ApiVersions
 * handshake) and metadata.c (the cache and its refreshes). Not for the
 * owning handles: they use client.h. */
#ifndef KL_CLIENT_CLIENT_IMPL_H
#define KL_CLIENT_CLIENT_IMPL_H

#include <pthread.h>

#include "client/client.h"

/* The SASL settings (security.c), the same for every broker. */
typedef struct kl_client_sasl {
    bool enabled;
    int mechanism;              /* sasl.mechanisms: KL_SASL_* */
    const char *mechanism_name; /* as Kafka spells it */
    const char *username, *password; /* owned by the conf */
    const char *oauthbearer_config;  /* OAUTHBEARER: sasl.oauthbearer.config */
    const char *kerberos_service;    /* GSSAPI: sasl.kerberos.service.name */
} kl_client_sasl_t;

struct kl_scram;
struct kl_cyrus;
struct kl_kinit;

/* API keys below this have a slot in a broker's version table. */
#define KL_CLIENT_API_SLOTS 128

struct kl_client_broker {
    kl_client_broker_t *next;
    kl_client_t *client;
    int32_t node_id;  /* from metadata; negative for bootstrap entries */
    bool bootstrap;
    bool coordinator; /* a second connection to node_id for group
                         coordinator requests (kl_client_coordinator()) */
    char name[300];   /* host:port/id */
    kl_conn_t *conn;
    int16_t versions[KL_CLIENT_API_SLOTS]; /* -1: not spoken */
    int16_t api_versions_version;          /* the ApiVersions version being tried */
    int failures;                          /* connection failures since last ready */
    kl_err_t down_err;                     /* the last failure's error */
    struct kl_scram *scram;                /* the SCRAM exchange under way */
    int sasl_step;                         /* SaslAuthenticate round trips so far */
    bool sasl_waiting_token;               /* OAUTHBEARER: for the application's first token */
    bool sasl_reauth;                      /* KIP-368: authenticating again, the connection ready */
    kl_timer_t reauth_timer;               /* before the SASL session ends (kl_client_sasl_reauth_due) */
    struct kl_cyrus *gssapi;               /* the GSSAPI exchange under way */
    bool gssapi_last;                      /* its last token is sent */
};

typedef struct kl_md_state {
    kl_md_topic_t *topics;
    size_t ntopics, cap;
    bool in_flight;        /* a Metadata request is out */
    bool again;            /* ask again once it is answered */
    bool want_broker;      /* waiting for any broker to be ready */
    bool allow_auto_create;
    bool all_topics;       /* ask for every topic in the cluster */
    bool all_in_flight;    /* the request in flight asks for every topic */
    int16_t version;       /* of the request in flight */
    int64_t last_request_ms;
    kl_timer_t timer;      /* next refresh: rate-limited, retry or periodic */
    unsigned rr;           /* rotates the broker asked */
} kl_md_state_t;

struct kl_client {
    kl_conf_t *conf;
    kl_client_events_t events;
    void *opaque;
    kl_log_t log;
    kl_loop_t *loop;
    pthread_t thread;
    bool started;
    bool stopping;
    kl_client_broker_t *brokers; /* bootstrap entries first, then learned ones */
    int32_t nbootstrap;
    kl_conn_config_t conn_config;
    kl_tls_ctx_t *tls;           /* security.protocol ssl, sasl_ssl; shared by the connections */
    kl_client_sasl_t sasl;
    struct kl_client_token *token; /* OAUTHBEARER with a refresh callback; NULL: none */
    struct kl_kinit *kinit;      /* GSSAPI: the ticket refresh (kinit.c) */
    char *client_id;
    /* settings read once */
    int64_t socket_timeout_ms;
    int64_t retry_backoff_ms;
    int64_t refresh_interval_ms; /* -1: no periodic refresh */
    kl_md_state_t md;
};

/* broker.c */
typedef enum { KL_BROKER_BOOTSTRAP, KL_BROKER_LEARNED, KL_BROKER_COORDINATOR } kl_client_broker_kind_t;
kl_client_broker_t *kl_client_broker_new(kl_client_t *client, int32_t node_id, const char *host, int port,
                                         kl_client_broker_kind_t kind);
void kl_client_broker_destroy(kl_client_broker_t *broker);
void kl_client_broker_set_address(kl_client_broker_t *broker, const char *host, int port);

/* security.c: reads security.protocol, ssl.* and sasl.* (errstr says what
 * is wrong). */
kl_err_t kl_client_read_security(kl_client_t *client, char *errstr, size_t errstr_size);

/* sasl.c: authenticates b's connection after ApiVersions (SaslHandshake,
 * then SaslAuthenticate rounds), then marks it ready; a refusal closes it
 * with KL_ERR_AUTHENTICATION. */
void kl_client_sasl_start(kl_client_broker_t *b);
void kl_client_sasl_reset(kl_client_broker_t *b);
/* The application's token came (or failed): b's authentication, waiting
 * for it, goes on (or fails). I/O thread. */
void kl_client_sasl_token_ready(kl_client_broker_t *b);
/* KIP-368: the reauth_timer's callback (opaque: the broker): at 85-95% of
 * the session lifetime the broker gave, authenticates the ready connection
 * again, the requests in flight going on meanwhile. */
void kl_client_sasl_reauth_due(kl_loop_t *loop, kl_timer_t *timer);

/* oauthbearer_token.c: the tokens of kl_conf_set_oauthbearer_token_refresh_cb()
 * (include/kafkalite/oauthbearer.h). init: when the configuration has the
 * callback (handle: the client's opaque); free: at destroy. message: the
 * client's OAUTHBEARER message with the current token, malloc'd; NULL
 * with why empty while no token came yet, or why filled after a failure. */
kl_err_t kl_client_token_init(kl_client_t *client);
void kl_client_token_free(kl_client_t *client);
char *kl_client_token_message(kl_client_t *client, size_t *lenp, char *why, size_t why_size);

/* sasl_gssapi.c: GSSAPI's settings (sasl.kerberos.*; starts kinit.c),
 * and its tokens through cyrus-sasl. The first one (NULL
 * with why filled on failure; *len may be 0); the one answering the
 * broker's (NULL when *finished, or on failure with why filled). */
kl_err_t kl_client_read_gssapi(kl_client_t *c, char *errstr, size_t errstr_size);
const void *kl_client_gssapi_first(kl_client_broker_t *b, size_t *len, char *why, size_t why_size);
const void *kl_client_gssapi_next(kl_client_broker_t *b, const void *in, size_t in_len, size_t *len,
                                  bool *finished, char *why, size_t why_size);
void kl_client_gssapi_reset(kl_client_broker_t *b);

/* kinit.c: sasl.kerberos.kinit.cmd, run now and every
 * sasl.kerberos.min.time.before.relogin off the I/O thread. */
kl_err_t kl_client_kinit_start(kl_client_t *c, char *errstr, size_t errstr_size);
void kl_client_kinit_stop(kl_client_t *c);

/* metadata.c */
void kl_md_init(kl_client_t *client);
void kl_md_free(kl_client_t *client);
/* A broker refused us (TLS or SASL, err KL_ERR_SSL or
 * KL_ERR_AUTHENTICATION): the topics never described take err, so what
 * waits for them fails with it rather than waiting for a broker that will
 * not let us in. The next Metadata response replaces it. */
void kl_md_security_failed(kl_client_t *client, kl_err_t err);
/* A broker became ready: a refresh waiting for one can go. */
void kl_md_broker_ready(kl_client_t *client);
/* A broker's connection went down (or could not be made): when the cache
 * names it as a partition's leader, asks for fresh metadata, since the
 * partition may have moved. */
void kl_md_broker_down(kl_client_t *client, int32_t node_id);

#endif
