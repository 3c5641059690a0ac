/* TLS and SASL for the client benchmarks: see bench_security.h. */
#include "bench_security.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "broker/scram_store.h"

const char *const bench_protocol_names[BENCH_NPROTOCOLS] = {"plaintext", "ssl", "sasl_ssl"};
const char *const bench_listener_names[BENCH_NPROTOCOLS] = {"PLAINTEXT", "SSL", "SASL_SSL"};

static int protocol_of(const char *name)
{
    for (int p = 0; p < BENCH_NPROTOCOLS; p++)
        if (!strcmp(name, bench_protocol_names[p]))
            return p;
    bench_die(name, "unknown security protocol (plaintext, ssl or sasl_ssl)");
}

int bench_protocols_parse(char *list, int *protocols, const char *mechanism, bench_security_t *s)
{
    const char *names[BENCH_MAX_LIST];
    int n = bench_split_list(list, names);
    if (n > BENCH_NPROTOCOLS)
        return 0;
    bool secured = false;
    for (int i = 0; i < n; i++) {
        protocols[i] = protocol_of(names[i]);
        for (int k = 0; k < i; k++)
            if (protocols[k] == protocols[i])
                bench_die(names[i], "named twice in -S");
        secured |= protocols[i] != BENCH_PLAINTEXT;
    }
    *s = (bench_security_t){.mechanism = mechanism};
    if (secured)
        bench_security_make(s, mechanism);
    return n;
}

/* Runs an openssl command (its output into dir/openssl.log); dies when it
 * fails. */
static void openssl(const bench_security_t *s, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && openssl %s >>openssl.log 2>&1", s->dir, args);
    if (system(cmd) != 0)
        bench_die("openssl (certificates; see its log in the directory)", cmd);
}

void bench_security_make(bench_security_t *s, const char *mechanism)
{
    if (strcmp(mechanism, "SCRAM-SHA-256") && strcmp(mechanism, "PLAIN"))
        bench_die(mechanism, "unknown SASL mechanism (SCRAM-SHA-256 or PLAIN)");
    *s = (bench_security_t){.mechanism = mechanism};
    snprintf(s->dir, sizeof s->dir, "/tmp/kl-bench-tls-XXXXXX");
    if (!mkdtemp(s->dir))
        bench_die("mkdtemp", s->dir);
    openssl(s, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 "
               "-subj /CN=kafkalite-bench-ca");
    openssl(s, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout broker.key -out broker.pem "
               "-days 2 -subj /CN=localhost -CA ca.pem -CAkey ca.key "
               "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext basicConstraints=critical,CA:FALSE");
    snprintf(s->ca, sizeof s->ca, "%s/ca.pem", s->dir);
    snprintf(s->cert, sizeof s->cert, "%s/broker.pem", s->dir);
    snprintf(s->key, sizeof s->key, "%s/broker.key", s->dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void bench_security_remove(bench_security_t *s)
{
    if (s->dir[0] && nftw(s->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "%s: could not remove %s\n", bench_prog, s->dir);
}

size_t bench_security_props(const bench_security_t *s, int protocol, const char **out)
{
    size_t n = 0;
    out[n++] = "security.protocol";
    out[n++] = bench_listener_names[protocol];
    if (protocol != BENCH_PLAINTEXT) {
        /* both clients' defaults for the last two, written out */
        const char *tls[] = {"ssl.ca.location", s->ca, "ssl.endpoint.identification.algorithm", "https",
                             "enable.ssl.certificate.verification", "true"};
        for (size_t i = 0; i < sizeof tls / sizeof tls[0]; i++)
            out[n++] = tls[i];
    }
    if (protocol == BENCH_SASL_SSL) {
        const char *sasl[] = {"sasl.mechanism", s->mechanism, "sasl.username", BENCH_SASL_USER, "sasl.password",
                              BENCH_SASL_PASSWORD};
        for (size_t i = 0; i < sizeof sasl / sizeof sasl[0]; i++)
            out[n++] = sasl[i];
    }
    out[n] = NULL;
    return n;
}

void bench_security_print(const bench_security_t *s, int protocol)
{
    const char *props[BENCH_SECURITY_MAX_PROPS];
    bench_security_props(s, protocol, props);
    for (size_t i = 0; props[i]; i += 2)
        printf(" %s=%s", props[i], strcmp(props[i], "sasl.password") ? props[i + 1] : "***");
}

static void broker_set(kl_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    if (kl_conf_set(conf, name, value, errstr, sizeof errstr))
        bench_die("broker configuration", errstr);
}

void bench_security_broker_conf(const bench_security_t *s, kl_conf_t *conf, const char *log_dir)
{
    char listeners[160] = "";
    for (int p = 0; p < BENCH_NPROTOCOLS; p++)
        snprintf(listeners + strlen(listeners), sizeof listeners - strlen(listeners), "%s%s://127.0.0.1:0",
                 p ? "," : "", bench_listener_names[p]);
    broker_set(conf, "listeners", listeners);
    broker_set(conf, "ssl.certificate.location", s->cert);
    broker_set(conf, "ssl.key.location", s->key);
    /* the user, for SCRAM and (with no sasl.jaas.config) PLAIN alike */
    char errstr[256];
    scram_store_t store;
    kl_scram_credential_t cred;
    if (scram_store_load(&store, log_dir, errstr, sizeof errstr) != KL_ERR_NONE)
        bench_die("SCRAM store", errstr);
    if (!kl_scram_credential_new(&cred, KL_SCRAM_SHA256, BENCH_SASL_PASSWORD, 4096) ||
        scram_store_set(&store, BENCH_SASL_USER, &cred) != KL_ERR_NONE)
        bench_die("SCRAM store", "cannot add the user");
    scram_store_free(&store);
}

void bench_bootstrap_for(const char *listeners, int protocol, char *out, size_t size)
{
    if (!strstr(listeners, "://")) {
        if (protocol != BENCH_PLAINTEXT)
            bench_die(bench_protocol_names[protocol], "this target has only a plaintext listener");
        snprintf(out, size, "%s", listeners);
        return;
    }
    char want[32];
    snprintf(want, sizeof want, "%s://", bench_listener_names[protocol]);
    for (const char *p = listeners; *p;) {
        size_t len = strcspn(p, ",");
        if (!strncmp(p, want, strlen(want))) {
            snprintf(out, size, "%.*s", (int)(len - strlen(want)), p + strlen(want));
            return;
        }
        p += len + (p[len] ? 1 : 0);
    }
    bench_die(bench_protocol_names[protocol], "the broker has no such listener");
}
