/* `kafkalite broker [server.properties] [--override name=value]...`: loads
 * a Kafka server.properties file, applies the overrides, runs the embedded
 * broker in the foreground until SIGINT or SIGTERM, then stops it cleanly
 * (logs flushed and closed, recovery checkpoints written). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kafkalite.h>

#include "cli.h"
#include "properties.h"

/* The HTTP console's address unless console.listeners says otherwise:
 * Redpanda's admin port, which serves its metrics too, so a kafkalite
 * broker sits where tools expecting a single-node Kafka-compatible broker
 * look (9092 for Kafka, 9644 for the admin side); loopback only. */
#define DEFAULT_CONSOLE "http://127.0.0.1:9644"

void cmd_broker_usage(FILE *out)
{
    fprintf(out,
            "usage: kafkalite broker [server.properties] [--override name=value]...\n"
            "\n"
            "Runs an embedded Kafka-protocol broker in the foreground, configured by\n"
            "Kafka's server.properties names; --override sets one more property (last\n"
            "one wins). Logs go to standard error (KAFKALITE_BROKER_LOG=4 for warnings\n"
            "only, 7 for everything); the listeners are printed on standard output once\n"
            "the broker is ready. SIGINT or SIGTERM stops it cleanly.\n"
#ifdef WITH_MICROHTTPD
            "\n"
            "The HTTP console (a web page at /, /healthz, /readyz, /metrics, /api/v1/)\n"
            "listens on " DEFAULT_CONSOLE " unless console.listeners says otherwise\n"
            "(empty: off); console.read.only=true keeps it from changing anything.\n"
#endif
            );
}

/* ------------------------------------------------------------ configuration */

typedef struct load_ctx {
    kl_conf_t *conf;
    const char *origin; /* file name, for messages */
} load_ctx_t;

/* Sets one property, trimming the value's surrounding blanks as Kafka's
 * ConfigDef does; prints the conf engine's message on failure. */
static int set_property(kl_conf_t *conf, const char *name, const char *value, const char *origin, int line)
{
    while (*value == ' ' || *value == '\t' || *value == '\f')
        value++;
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\f'))
        len--;
    char *trimmed = strndup(value, len);
    char errstr[512];
    kl_err_t err = trimmed ? kl_conf_set(conf, name, trimmed, errstr, sizeof errstr) : KL_ERR_NOMEM;
    free(trimmed);
    if (!err)
        return 0;
    if (line > 0)
        fprintf(stderr, "kafkalite broker: %s:%d: %s\n", origin, line, err == KL_ERR_NOMEM ? "out of memory" : errstr);
    else
        fprintf(stderr, "kafkalite broker: %s: %s\n", origin, err == KL_ERR_NOMEM ? "out of memory" : errstr);
    return -1;
}

/* A property the conf engine refused stops the parse with 1: its error
 * is printed already, and -1 from properties_parse() means its own
 * failures (a bad escape, out of memory). */
static int on_property(void *opaque, const char *key, const char *value, int line)
{
    load_ctx_t *ctx = opaque;
    return set_property(ctx->conf, key, value, ctx->origin, line) ? 1 : 0;
}

static int load_file(kl_conf_t *conf, const char *path)
{
    load_ctx_t ctx = {conf, path};
    return properties_load("kafkalite broker", path, on_property, &ctx) ? -1 : 0;
}

static int apply_override(kl_conf_t *conf, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "kafkalite broker: --override wants name=value, not \"%s\"\n", arg);
        return CLI_USAGE;
    }
    char *name = strndup(arg, (size_t)(eq - arg));
    int rc = name ? set_property(conf, name, eq + 1, "--override", 0) : -1;
    free(name);
    return rc ? CLI_FAILED : CLI_OK;
}

/* Reads the command line into conf. CLI_OK, or the exit status. */
static int parse_args(int argc, char **argv, kl_conf_t *conf, bool *help)
{
    const char *file = NULL;
    int first_override = argc;
    for (int i = 1; i < argc && first_override == argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            *help = true;
            return CLI_OK;
        } else if (!strcmp(argv[i], "--override") || !strncmp(argv[i], "--override=", 11)) {
            first_override = i;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "kafkalite broker: unexpected argument \"%s\"\n", argv[i]);
            cmd_broker_usage(stderr);
            return CLI_USAGE;
        } else {
            file = argv[i];
        }
    }
    if (file && load_file(conf, file) != 0)
        return CLI_FAILED;
    for (int i = first_override; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--override")) {
            if (++i == argc) {
                fprintf(stderr, "kafkalite broker: --override needs name=value\n");
                return CLI_USAGE;
            }
            arg = argv[i];
        } else if (!strncmp(arg, "--override=", 11)) {
            arg += 11;
        } else {
            fprintf(stderr, "kafkalite broker: unexpected argument \"%s\" (the properties file comes first)\n",
                    arg);
            return CLI_USAGE;
        }
        int rc = apply_override(conf, arg);
        if (rc)
            return rc;
    }
    return CLI_OK;
}

/* ------------------------------------------------------------ signals */

static int signal_pipe[2] = {-1, -1};

/* Async-signal-safe: one byte naming the signal into the self-pipe. */
static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t ignored = write(signal_pipe[1], &b, 1);
    (void)ignored;
    errno = saved;
}

static int signals_install(void)
{
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) || sigaction(SIGPIPE, &ignore, NULL))
        return -1;
    return 0;
}

/* Blocks until SIGINT or SIGTERM arrives; returns its number. A second
 * one then acts as if no handler were installed (kills the process). */
static int signals_wait(void)
{
    struct pollfd pfd = {.fd = signal_pipe[0], .events = POLLIN};
    unsigned char b = 0;
    for (;;) {
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            break;
        if (read(signal_pipe[0], &b, 1) == 1)
            break;
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return b;
}

static void signals_close(void)
{
    close(signal_pipe[0]);
    close(signal_pipe[1]);
}

/* ------------------------------------------------------------ running */

static void print_ready(const kl_broker_t *broker)
{
    const char *list = kl_broker_listeners(broker);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        printf("kafkalite broker: listening on %.*s\n", (int)len, p);
        p += len + (p[len] == ',');
    }
    const char *console = kl_broker_console_address(broker);
    if (console)
        printf("kafkalite broker: console on %s\n", console);
    printf("kafkalite broker: ready, bootstrap.servers=%s\n", kl_broker_bootstrap_servers(broker));
    fflush(stdout);
}

static int run(kl_conf_t *conf)
{
    char errstr[512];
    kl_broker_t *broker = kl_broker_new(conf, errstr, sizeof errstr);
    if (!broker) {
        fprintf(stderr, "kafkalite broker: %s\n", errstr);
        return CLI_FAILED;
    }
    kl_err_t err = kl_broker_start(broker);
    if (err) {
        fprintf(stderr, "kafkalite broker: cannot start: %s\n", kl_err_str(err));
        kl_broker_destroy(broker);
        return CLI_FAILED;
    }
    print_ready(broker);
    int signo = signals_wait();
    fprintf(stderr, "kafkalite broker: %s received, stopping\n", signo == SIGINT ? "SIGINT" : "SIGTERM");
    kl_broker_stop(broker);
    kl_broker_destroy(broker); /* closes the logs: flushed, checkpoints written */
    fprintf(stderr, "kafkalite broker: stopped\n");
    return CLI_OK;
}

int cmd_broker(int argc, char **argv)
{
    kl_conf_t *conf = kl_broker_conf_new();
    /* The daemon keeps Kafka's first-rebalance delay (an embedded broker's
     * default is 0); the file or --override may change it. */
    if (!conf || kl_conf_set(conf, "group.initial.rebalance.delay.ms", "3000", NULL, 0) != KL_ERR_NONE) {
        fprintf(stderr, "kafkalite broker: out of memory\n");
        kl_conf_destroy(conf);
        return CLI_FAILED;
    }
#ifdef WITH_MICROHTTPD
    char errstr[256];
    if (kl_conf_set(conf, "console.listeners", DEFAULT_CONSOLE, errstr, sizeof errstr) != KL_ERR_NONE) {
        fprintf(stderr, "kafkalite broker: %s\n", errstr);
        kl_conf_destroy(conf);
        return CLI_FAILED;
    }
#endif
    bool help = false;
    int rc = parse_args(argc, argv, conf, &help);
    if (!rc && help)
        cmd_broker_usage(stdout);
    if (rc || help) {
        kl_conf_destroy(conf);
        return rc;
    }
    /* A daemon says what it does: informational messages unless the
     * environment asks otherwise. */
    setenv("KAFKALITE_BROKER_LOG", "6", 0);
    if (signals_install() != 0) {
        fprintf(stderr, "kafkalite broker: cannot install signal handlers: %s\n", strerror(errno));
        kl_conf_destroy(conf);
        return CLI_FAILED;
    }
    rc = run(conf);
    kl_conf_destroy(conf);
    signals_close();
    return rc;
}
