/* Mixed consumer groups against Apache Kafka (issue 14 item 3): kafkalite
 * consumers and Java consumers (tests/kafka/java/GroupMember.java, classic
 * protocol) in one group, with range and with cooperative-sticky. A
 * kafkalite member starts alone and leads the group (our assignor assigns
 * the Java member's partitions); a Java member joins: the coordinator shows
 * two members with disjoint assignments covering the topic, and both read.
 * The Java member leaves: the kafkalite member takes everything over from
 * the Java member's commits. A second Java member joins and the kafkalite
 * member leaves: the Java member (now leading) takes over from our commits.
 * Every message is read exactly once over the four phases, no commit is
 * refused, and the group's committed offsets end at the partitions' ends.
 * Each member commits what it read before partitions are revoked (ours in
 * the rebalance callback) and when it has nothing to read. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kafka_fixture.h"
#include "test_skip.h"

#define PARTS 6
#define PHASE 300 /* messages produced per phase */
#define PHASES 4
#define TOTAL (PHASE * PHASES)
#define ALL ((1u << PARTS) - 1)
/* Each Java member compiles its source first: generous on a loaded machine. */
#define JAVA_DEADLINE_MS (3 * KF_DEADLINE_MS)

static int seen[TOTAL];

/* "<phase letter><i>", phases a..d: the message's index in seen[]. */
static int value_index(const char *v, size_t len)
{
    CHECK(len >= 2 && len < 16 && v[0] >= 'a' && v[0] < 'a' + PHASES, "unexpected value %.*s", (int)len, v);
    char buf[16];
    memcpy(buf, v + 1, len - 1);
    buf[len - 1] = '\0';
    int i = atoi(buf);
    CHECK(i >= 0 && i < PHASE, "unexpected value %.*s", (int)len, v);
    return (v[0] - 'a') * PHASE + i;
}

static int distinct(void)
{
    int n = 0;
    for (int i = 0; i < TOTAL; i++)
        n += seen[i] > 0;
    return n;
}

/* ---- the Java member: a child process, lines on its standard output ---- */

typedef struct jmember {
    pid_t pid;
    int in, out; /* its standard input, its standard output (non-blocking) */
    char buf[1 << 16];
    size_t len;
    unsigned owns; /* partition bits, as it last said */
    int read;      /* messages it read */
    int commit_failures;
    int closed;
} jmember_t;

static void jm_start(jmember_t *j, const char *group, const char *topic, const char *assignor)
{
    memset(j, 0, sizeof *j);
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    char tool[1024], src[1024], limit[16];
    snprintf(tool, sizeof tool, "%s/tests/kafka/tool", srcdir);
    snprintf(src, sizeof src, "%s/tests/kafka/java/GroupMember.java", srcdir);
    snprintf(limit, sizeof limit, "%d", 600);
    int in[2], out[2];
    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    j->pid = fork();
    ck_assert_int_ge(j->pid, 0);
    if (j->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(tool, tool, src, kf_bootstrap(), group, topic, assignor, limit, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    j->in = in[1];
    j->out = out[0];
    ck_assert_int_eq(fcntl(j->out, F_SETFL, O_NONBLOCK), 0);
}

static void jm_line(jmember_t *j, char *line)
{
    int p;
    long long off;
    char v[32];
    if (sscanf(line, "msg %d %lld %31s", &p, &off, v) == 3) {
        seen[value_index(v, strlen(v))]++;
        j->read++;
    } else if (strncmp(line, "owns ", 5) == 0) {
        j->owns = 0;
        for (char *s = line + 5; *s; s += strspn(s, ","))
            j->owns |= 1u << strtol(s, &s, 10);
    } else if (strncmp(line, "commitfail", 10) == 0) {
        fprintf(stderr, "Java member: %s\n", line);
        j->commit_failures++;
    } else if (strcmp(line, "closed") == 0) {
        j->closed = 1;
    } else {
        fprintf(stderr, "Java member says: %s\n", line);
    }
}

/* Takes in what the Java member printed so far. */
static void jm_pump(jmember_t *j)
{
    for (;;) {
        ssize_t n = read(j->out, j->buf + j->len, sizeof j->buf - 1 - j->len);
        if (n <= 0) {
            CHECK(n == 0 || errno == EAGAIN || errno == EINTR, "reading the Java member: %s", strerror(errno));
            return;
        }
        j->len += (size_t)n;
        j->buf[j->len] = '\0';
        char *s = j->buf, *nl;
        while ((nl = strchr(s, '\n'))) {
            *nl = '\0';
            jm_line(j, s);
            s = nl + 1;
        }
        j->len -= (size_t)(s - j->buf);
        memmove(j->buf, s, j->len);
    }
}

/* Asks it to leave the group; the caller pumps until j->closed. */
static void jm_ask_close(jmember_t *j)
{
    ck_assert_int_eq(write(j->in, "close\n", 6), 6);
}

static void jm_reap(jmember_t *j)
{
    int status;
    ck_assert_int_eq(waitpid(j->pid, &status, 0), j->pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "Java member: status %d", status);
    close(j->in);
    close(j->out);
    j->pid = 0;
}

/* ---- the kafkalite member ---- */

typedef struct kmember {
    kl_consumer_t *c;
    int read;
    int commit_failures;
    int closed;
} kmember_t;

static void kcommit(kmember_t *k)
{
    kl_err_t e = kl_commit(k->c, NULL, 0);
    if (e != KL_ERR_NONE && e != KL_ERR_NOENT) {
        fprintf(stderr, "kafkalite member: commit: %s\n", kl_err_name(e));
        k->commit_failures++;
    }
}

static void on_rebalance(kl_consumer_t *c, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    kmember_t *k = opaque;
    int coop = strcmp(kl_rebalance_protocol(c), "COOPERATIVE") == 0;
    if (err == KL_ERR_ASSIGN_PARTITIONS) {
        ck_assert_int_eq(coop ? kl_incremental_assign(c, parts) : kl_assign(c, parts), KL_ERR_NONE);
        return;
    }
    if (err == KL_ERR_REVOKE_PARTITIONS)
        kcommit(k);
    ck_assert_int_eq(coop ? kl_incremental_unassign(c, parts) : kl_assign(c, NULL), KL_ERR_NONE);
}

static void km_start(kmember_t *k, const char *group, const char *topic, const char *assignor)
{
    memset(k, 0, sizeof *k);
    kl_conf_t *conf = kf_conf("group.id", group, "partition.assignment.strategy", assignor, "auto.offset.reset",
                              "earliest", "enable.auto.commit", "false", NULL);
    kl_conf_set_rebalance_cb(conf, on_rebalance);
    kl_conf_set_opaque(conf, k);
    char err[256];
    k->c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(k->c, "%s", err);
    const char *sub[] = {topic};
    ck_assert_int_eq(kl_subscribe(k->c, sub, 1), KL_ERR_NONE);
}

/* Polls once: a message is counted; nothing to read commits. */
static void km_poll(kmember_t *k)
{
    if (!k->c || k->closed)
        return;
    kl_message_t *m = kl_consumer_poll(k->c, 50);
    if (!m) {
        kcommit(k);
        return;
    }
    if (kl_message_error(m) == KL_ERR_NONE) {
        size_t len;
        const char *v = kl_message_value(m, &len);
        seen[value_index(v, len)]++;
        k->read++;
    } else {
        fprintf(stderr, "kafkalite member: %s\n", kl_err_name(kl_message_error(m)));
    }
    kl_message_destroy(m);
}

static unsigned km_owns(kmember_t *k)
{
    if (!k->c || k->closed)
        return 0;
    kl_topic_partition_list_t *a = NULL;
    ck_assert_int_eq(kl_assignment(k->c, &a), KL_ERR_NONE);
    unsigned bits = 0;
    for (size_t i = 0; i < a->count; i++)
        bits |= 1u << a->elems[i].partition;
    kl_topic_partition_list_destroy(a);
    return bits;
}

static void km_close(kmember_t *k)
{
    ck_assert_int_eq(kl_consumer_close(k->c), KL_ERR_NONE);
    kl_consumer_destroy(k->c);
    k->closed = 1;
}

/* ---- the scenario ---- */

typedef struct world {
    kmember_t *k;
    jmember_t *j[2];
} world_t;

/* Serves every live member once. */
static void serve(world_t *w)
{
    km_poll(w->k);
    for (int i = 0; i < 2; i++)
        if (w->j[i]->pid && !w->j[i]->closed)
            jm_pump(w->j[i]);
}

#define SERVE_UNTIL(w, deadline_ms, cond, ...)                                                                    \
    do {                                                                                                          \
        int64_t end_ = kf_now_ms() + (deadline_ms);                                                               \
        while (serve(w), !(cond))                                                                                 \
            CHECK(kf_now_ms() < end_, __VA_ARGS__);                                                               \
    } while (0)

/* The coordinator's view: Stable, members members whose assignments are
 * disjoint and cover the topic. */
static int group_split(const char *group, size_t members)
{
    char err[256];
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    kl_admin_groups_t *g = NULL;
    const char *gs[] = {group};
    int ok = kl_admin_describe_groups(a, gs, 1, 10000, &g) == KL_ERR_NONE && g->items[0].err == KL_ERR_NONE &&
             strcmp(g->items[0].state, "Stable") == 0 && g->items[0].member_count == members;
    unsigned all = 0;
    for (size_t m = 0; ok && m < g->items[0].member_count; m++) {
        const kl_topic_partition_list_t *as = g->items[0].members[m].assignment;
        for (size_t i = 0; i < as->count; i++) {
            unsigned bit = 1u << as->elems[i].partition;
            CHECK(!(all & bit), "%s: partition %d assigned twice", group, (int)as->elems[i].partition);
            all |= bit;
        }
    }
    kl_admin_groups_destroy(g);
    kl_admin_destroy(a);
    return ok && all == ALL;
}

static void produce_phase(world_t *w, int phase, const char *topic)
{
    char prefix[2] = {(char)('a' + phase), '\0'};
    kf_produce(topic, KL_PARTITION_UA, PHASE, prefix, 0);
    serve(w);
}

static void check_offsets_at_end(const char *group, const char *topic)
{
    char err[256];
    kl_conf_t *conf = kf_conf(NULL);
    kl_admin_t *a = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(a, "%s", err);
    kl_topic_partition_list_t *offs = NULL;
    ck_assert_int_eq(kl_admin_list_group_offsets(a, group, NULL, 10000, &offs), KL_ERR_NONE);
    ck_assert_uint_eq(offs->count, PARTS);
    conf = kf_conf(NULL);
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    int64_t sum = 0;
    for (size_t i = 0; i < offs->count; i++) {
        int64_t lo, hi;
        ck_assert_int_eq(kl_query_watermark_offsets(c, topic, offs->elems[i].partition, &lo, &hi, 10000),
                         KL_ERR_NONE);
        ck_assert_msg(offs->elems[i].offset == hi, "partition %d: committed %lld, end %lld",
                      (int)offs->elems[i].partition, (long long)offs->elems[i].offset, (long long)hi);
        sum += hi;
    }
    ck_assert_int_eq(sum, TOTAL);
    kl_consumer_destroy(c);
    kl_topic_partition_list_destroy(offs);
    kl_admin_destroy(a);
}

static const char *const assignors[] = {"range", "cooperative-sticky"};

START_TEST(test_mixed_group)
{
    char topic[64], group[64];
    kf_name(topic, sizeof topic, "mixed");
    kf_name(group, sizeof group, "mixg");
    kf_create_topic(topic, PARTS, 3, NULL);
    memset(seen, 0, sizeof seen);
    static kmember_t k;
    memset(&k, 0, sizeof k);
    static jmember_t j1, j2;
    memset(&j1, 0, sizeof j1);
    memset(&j2, 0, sizeof j2);
    world_t w = {&k, {&j1, &j2}};

    /* 1. kafkalite alone, then a Java member joins: the partitions split. */
    produce_phase(&w, 0, topic);
    km_start(&k, group, topic, assignors[_i]);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, k.read >= PHASE / 3, "kafkalite member alone: %d messages", k.read);
    jm_start(&j1, group, topic, assignors[_i]);
    SERVE_UNTIL(&w, JAVA_DEADLINE_MS, j1.owns && km_owns(&k) && (j1.owns | km_owns(&k)) == ALL,
                "split: Java owns %#x, kafkalite %#x", j1.owns, km_owns(&k));
    ck_assert_msg(!(j1.owns & km_owns(&k)), "Java owns %#x, kafkalite %#x", j1.owns, km_owns(&k));
    SERVE_UNTIL(&w, KF_DEADLINE_MS, group_split(group, 2), "the coordinator does not show the split");
    int k_before = k.read;
    produce_phase(&w, 1, topic);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, distinct() == 2 * PHASE, "two members: %d of %d messages", distinct(),
                2 * PHASE);
    ck_assert_msg(j1.read > 0 && k.read > k_before, "both read: Java %d, kafkalite %d", j1.read,
                  k.read - k_before);

    /* 2. The Java member leaves: kafkalite takes over from its commits. */
    jm_ask_close(&j1);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, j1.closed && km_owns(&k) == ALL, "Java closed %d; kafkalite owns %#x",
                j1.closed, km_owns(&k));
    jm_reap(&j1);
    produce_phase(&w, 2, topic);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, distinct() == 3 * PHASE, "after the Java member left: %d of %d messages",
                distinct(), 3 * PHASE);

    /* 3. Another Java member joins, kafkalite leaves: Java takes over. */
    jm_start(&j2, group, topic, assignors[_i]);
    SERVE_UNTIL(&w, JAVA_DEADLINE_MS, j2.owns && km_owns(&k) && (j2.owns | km_owns(&k)) == ALL,
                "split again: Java owns %#x, kafkalite %#x", j2.owns, km_owns(&k));
    km_close(&k);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, j2.owns == ALL, "after kafkalite left, Java owns %#x", j2.owns);
    produce_phase(&w, 3, topic);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, distinct() == TOTAL, "after kafkalite left: %d of %d messages", distinct(),
                TOTAL);
    jm_ask_close(&j2);
    SERVE_UNTIL(&w, KF_DEADLINE_MS, j2.closed, "the second Java member does not close");
    jm_reap(&j2);

    /* Exactly once, every commit taken, committed offsets at the ends. */
    int dups = 0;
    for (int i = 0; i < TOTAL; i++)
        dups += seen[i] > 1 ? seen[i] - 1 : 0;
    ck_assert_msg(dups == 0, "%d messages read twice", dups);
    ck_assert_int_eq(k.commit_failures + j1.commit_failures + j2.commit_failures, 0);
    check_offsets_at_end(group, topic);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_group_mixed");
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("kafka_group_mixed");
    TCase *tc = tcase_create("against_kafka");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_mixed_group, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
