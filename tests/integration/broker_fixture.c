/* The embedded-broker test fixture: see broker_fixture.h. */
#include "broker_fixture.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long long fixture_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void broker_up(broker_fixture_t *f)
{
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_ptr_nonnull(conf);
    const char *listeners = f->listeners[0] ? f->listeners : "PLAINTEXT://127.0.0.1:0";
    ck_assert_int_eq(kl_conf_set(conf, "listeners", listeners, errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", f->dir, errstr, sizeof errstr), 0);
    for (const char *const *p = f->props; p && p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s=%s: %s", p[0], p[1],
                      errstr);
    f->broker = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf); /* the broker keeps its own copy */
    ck_assert_msg(f->broker != NULL, "kl_broker_new: %s", errstr);
    ck_assert_ptr_null(kl_broker_bootstrap_servers(f->broker));
    ck_assert_int_eq(kl_broker_start(f->broker), KL_ERR_NONE);
    f->bootstrap = kl_broker_bootstrap_servers(f->broker);
    ck_assert_ptr_nonnull(f->bootstrap);
    ck_assert_msg(strncmp(f->bootstrap, "127.0.0.1:", 10) == 0 && atoi(f->bootstrap + 10) > 0, "bootstrap %s",
                  f->bootstrap);
    const char *bound = kl_broker_listeners(f->broker);
    ck_assert_msg(bound && !strcmp(bound + strlen("PLAINTEXT://"), f->bootstrap), "listeners %s",
                  bound ? bound : "(null)");
}

void fixture_start(broker_fixture_t *f, const char *const *props)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kl-broker-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    f->props = props;
    broker_up(f);
}

void fixture_restart(broker_fixture_t *f)
{
    if (f->broker) {
        ck_assert_int_eq(kl_broker_stop(f->broker), KL_ERR_NONE);
        ck_assert_int_eq(kl_broker_stop(f->broker), KL_ERR_NONE); /* twice is harmless */
        kl_broker_destroy(f->broker);
        f->broker = NULL;
    }
    broker_up(f);
}

void fixture_restart_same_port(broker_fixture_t *f)
{
    snprintf(f->listeners, sizeof f->listeners, "PLAINTEXT://%s", f->bootstrap);
    fixture_restart(f);
    f->listeners[0] = '\0';
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fixture_remove_dir(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fixture_stop(broker_fixture_t *f)
{
    kl_broker_destroy(f->broker);
    f->broker = NULL;
    fixture_remove_dir(f->dir);
}

int fixture_dir_entries(const char *path)
{
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot list %s", path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Threads of this process, from /proc/self/task. */
static int thread_count(void) { return fixture_dir_entries("/proc/self/task"); }

int fixture_threads_added(const char *const *props)
{
    int before = thread_count();
    broker_fixture_t f;
    fixture_start(&f, props);
    int added = thread_count() - before;
    fixture_stop(&f);
    /* a joined thread may leave /proc a moment after pthread_join() */
    long long deadline = fixture_now_ms() + 5000;
    while (thread_count() != before && fixture_now_ms() < deadline)
        sched_yield();
    ck_assert_int_eq(thread_count(), before);
    return added;
}

int fixture_dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}
