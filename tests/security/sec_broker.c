/* The security tests' broker (see sec_broker.h). */
#include "security/sec_broker.h"

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/scram_store.h"
#include "integration/broker_fixture.h"

#define MAX_PROPS 16

static const char *props[MAX_PROPS * 2 + 1];
static char broker_log[16384];
static pthread_mutex_t broker_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_broker_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque, (void)level, (void)facility;
    pthread_mutex_lock(&broker_log_lock);
    size_t n = strlen(broker_log);
    snprintf(broker_log + n, sizeof broker_log - n, "%s\n", message);
    pthread_mutex_unlock(&broker_log_lock);
}

void sec_broker_take_log(char *buf, size_t size)
{
    pthread_mutex_lock(&broker_log_lock);
    snprintf(buf, size, "%s", broker_log);
    broker_log[0] = '\0';
    pthread_mutex_unlock(&broker_log_lock);
}

static int port_of(const char *listeners, const char *name)
{
    char want[32];
    snprintf(want, sizeof want, "%s://", name);
    for (const char *p = listeners; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
        if (!strncmp(p, want, strlen(want)))
            return atoi(strchr(p + strlen(want), ':') + 1);
    ck_abort_msg("no %s listener in %s", name, listeners ? listeners : "(null)");
    return -1;
}

static void up(sec_broker_t *sb)
{
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "listeners",
                                 "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,"
                                 "SASL_SSL://127.0.0.1:0",
                                 errstr, sizeof errstr),
                     KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", sb->dir, errstr, sizeof errstr), KL_ERR_NONE);
    for (const char **p = props; *p; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s: %s", p[0], errstr);
    kl_conf_set_log_cb(conf, on_broker_log);
    sb->broker = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(sb->broker != NULL, "kl_broker_new: %s", errstr);
    ck_assert_int_eq(kl_broker_start(sb->broker), KL_ERR_NONE);
    const char *bound = kl_broker_listeners(sb->broker);
    sb->plaintext = port_of(bound, "PLAINTEXT");
    sb->ssl = port_of(bound, "SSL");
    sb->sasl_plaintext = port_of(bound, "SASL_PLAINTEXT");
    sb->sasl_ssl = port_of(bound, "SASL_SSL");
}

/* SEC_USER's credentials, straight into the store the broker will load. */
static void add_user(const char *dir)
{
    char errstr[256];
    scram_store_t store;
    ck_assert_msg(scram_store_load(&store, dir, errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    kl_scram_hash_t hashes[] = {KL_SCRAM_SHA256, KL_SCRAM_SHA512};
    for (int i = 0; i < 2; i++) {
        kl_scram_credential_t cred;
        ck_assert(kl_scram_credential_new(&cred, hashes[i], SEC_PASSWORD, 4096));
        ck_assert_int_eq(scram_store_set(&store, SEC_USER, &cred), KL_ERR_NONE);
    }
    scram_store_free(&store);
}

void sec_broker_start(sec_broker_t *sb, const tls_certs_t *certs, ...)
{
    memset(sb, 0, sizeof *sb);
    snprintf(sb->dir, sizeof sb->dir, "/tmp/kl-sec-broker-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(sb->dir));
    add_user(sb->dir);
    size_t n = 0;
    props[n++] = "ssl.certificate.location";
    props[n++] = certs->good;
    props[n++] = "ssl.key.location";
    props[n++] = certs->key;
    va_list ap;
    va_start(ap, certs);
    const char *name;
    while ((name = va_arg(ap, const char *)) && n < MAX_PROPS * 2) {
        props[n++] = name;
        props[n++] = va_arg(ap, const char *);
    }
    va_end(ap);
    props[n] = NULL;
    up(sb);
}

void sec_broker_restart(sec_broker_t *sb)
{
    ck_assert_int_eq(kl_broker_stop(sb->broker), KL_ERR_NONE);
    kl_broker_destroy(sb->broker);
    up(sb);
}

void sec_broker_stop(sec_broker_t *sb)
{
    if (sb->broker) {
        ck_assert_int_eq(kl_broker_stop(sb->broker), KL_ERR_NONE);
        kl_broker_destroy(sb->broker);
        sb->broker = NULL;
    }
    fixture_remove_dir(sb->dir);
}
