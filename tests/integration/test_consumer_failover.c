/* A group member killed with SIGKILL: three consumers, each in its own
 * child process, share a 6-partition topic on the embedded broker and
 * commit after processing. The group forms before anything is produced, so
 * every member owns partitions when the first half arrives (a member that
 * joined late could otherwise find everything consumed by the first one).
 * One is killed once the first half is consumed,
 * and after session.timeout.ms its partitions move to the others. Every
 * message is processed, and twice only inside the killed member's
 * uncommitted window (from its last commit to its last message). With
 * cooperative-sticky the survivors are never asked to give up a partition.
 *
 * The children are forked before the broker starts (no thread exists yet)
 * and report each message, commit and rebalance to the parent through a
 * pipe; the parent keeps the books. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kafkalite.h>

#include "broker_fixture.h"

#define WAIT_MS 120000
#define NPART 6
#define NMEMBERS 3
#define PHASE 1500 /* messages per partition produced before, and after, the kill */
#define COMMIT_EVERY 64 /* messages a child processes between commits */
#define VICTIM 1
#define TOPIC "failover"
#define GROUP "g-failover"

enum { REC_MSG, REC_COMMIT, REC_ASSIGN, REC_REVOKE, REC_IDLE };

typedef struct report {
    int32_t kind;
    int32_t partition;
    int64_t offset;
} report_t;

/* ---- the child: one group member ------------------------------------------------ */

static int child_out = -1;
static bool child_moved; /* the assignment changed since the last REC_IDLE */

static void child_report(int32_t kind, int32_t partition, int64_t offset)
{
    report_t r = {kind, partition, offset};
    const char *p = (const char *)&r;
    for (size_t left = sizeof r; left > 0;) {
        ssize_t n = write(child_out, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3); /* the parent is gone */
        p += n;
        left -= (size_t)n;
    }
}

static void child_commit_cb(kl_consumer_t *c, kl_err_t err, const kl_topic_partition_list_t *offsets, void *opaque)
{
    (void)c;
    (void)opaque;
    if (err) {
        fprintf(stderr, "child %d: commit failed: %s\n", (int)getpid(), kl_err_name(err));
        return;
    }
    for (size_t i = 0; i < offsets->count; i++)
        if (!offsets->elems[i].err && offsets->elems[i].offset >= 0)
            child_report(REC_COMMIT, offsets->elems[i].partition, offsets->elems[i].offset);
}

/* Commits what was processed before partitions go (an eager revoke takes
 * them all), then applies the change. */
static void child_rebalance_cb(kl_consumer_t *c, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    (void)opaque;
    bool cooperative = !strcmp(kl_rebalance_protocol(c), "COOPERATIVE");
    child_moved = true;
    if (err == KL_ERR_ASSIGN_PARTITIONS) {
        for (size_t i = 0; i < parts->count; i++)
            child_report(REC_ASSIGN, parts->elems[i].partition, 0);
        kl_err_t e = cooperative ? kl_incremental_assign(c, parts) : kl_assign(c, parts);
        if (e)
            _exit(4);
        return;
    }
    if (err == KL_ERR_REVOKE_PARTITIONS) {
        kl_err_t e = kl_commit(c, NULL, 0);
        if (e && e != KL_ERR_NOENT)
            fprintf(stderr, "child %d: commit on revoke: %s\n", (int)getpid(), kl_err_name(e));
    }
    for (size_t i = 0; i < parts->count; i++)
        child_report(REC_REVOKE, parts->elems[i].partition, err == KL_ERR_ASSIGNMENT_LOST);
    kl_err_t e = cooperative ? kl_incremental_unassign(c, parts) : kl_assign(c, NULL);
    if (e)
        _exit(4);
}

static kl_consumer_t *child_consumer(const char *bootstrap, const char *strategy)
{
    const char *props[] = {
        "bootstrap.servers", bootstrap,
        "group.id", GROUP,
        "auto.offset.reset", "earliest",
        "enable.auto.commit", "false",
        "session.timeout.ms", "3000",
        "heartbeat.interval.ms", "300",
        "partition.assignment.strategy", strategy,
        NULL,
    };
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    for (const char *const *p = props; conf && p[0]; p += 2)
        if (kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr)) {
            fprintf(stderr, "child: %s=%s: %s\n", p[0], p[1], errstr);
            _exit(5);
        }
    if (getenv("KL_TEST_DEBUG"))
        kl_conf_set(conf, "debug", getenv("KL_TEST_DEBUG"), NULL, 0);
    kl_conf_set_rebalance_cb(conf, child_rebalance_cb);
    kl_conf_set_offset_commit_cb(conf, child_commit_cb);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!c) {
        fprintf(stderr, "child: kl_consumer_new: %s\n", errstr);
        _exit(5);
    }
    return c;
}

/* Reads the bootstrap address (a line) from ctl, consumes until ctl is
 * closed, then closes the consumer and exits. */
static void child_run(int ctl, const char *strategy)
{
    char bootstrap[128];
    size_t len = 0;
    while (len + 1 < sizeof bootstrap) {
        ssize_t n = read(ctl, bootstrap + len, 1);
        if (n <= 0)
            _exit(0); /* the test ended before starting us */
        if (bootstrap[len] == '\n')
            break;
        len++;
    }
    bootstrap[len] = '\0';
    kl_consumer_t *c = child_consumer(bootstrap, strategy);
    const char *topics[] = {TOPIC};
    if (kl_subscribe(c, topics, 1))
        _exit(6);
    fcntl(ctl, F_SETFL, O_NONBLOCK);
    long processed = 0;
    bool busy = false;
    for (;;) {
        kl_message_t *msg = kl_consumer_poll(c, 100);
        if (msg) {
            kl_err_t err = kl_message_error(msg);
            if (!err) {
                child_report(REC_MSG, kl_message_partition(msg), kl_message_offset(msg));
                if (++processed % COMMIT_EVERY == 0) {
                    kl_err_t e = kl_commit(c, NULL, 0);
                    if (e && e != KL_ERR_NOENT)
                        fprintf(stderr, "child %d: commit: %s\n", (int)getpid(), kl_err_name(e));
                }
            } else {
                fprintf(stderr, "child %d: %s\n", (int)getpid(), kl_err_name(err));
            }
            kl_message_destroy(msg);
            busy = true;
            continue;
        }
        /* everything handed out so far is processed and reported, and so
         * is the assignment (also when it brought nothing to process) */
        if (busy || child_moved)
            child_report(REC_IDLE, -1, -1);
        busy = child_moved = false;
        char byte;
        if (read(ctl, &byte, 1) == 0)
            break;
    }
    kl_consumer_close(c);
    kl_consumer_destroy(c);
    _exit(0);
}

/* ---- the parent: the books ------------------------------------------------------ */

typedef struct member {
    pid_t pid;
    int ctl, out;
    bool open;   /* out not at EOF yet */
    report_t pending; /* a partly read record */
    size_t have;
    bool idle;
    bool owns[NPART];
    int64_t last[NPART];   /* last offset processed, -1 */
    int64_t commit[NPART]; /* last committed offset reported, 0 */
    int revokes;           /* partitions revoked since counting started */
    long messages;         /* messages processed */
} member_t;

static member_t members[NMEMBERS];
static unsigned char seen[NPART][2 * PHASE];
static unsigned char processed_by[NPART][2 * PHASE]; /* a bit per member, for failure messages */
static long distinct;
static int64_t produced_per_partition;

static void spawn(const char *strategy)
{
    for (int i = 0; i < NMEMBERS; i++) {
        int ctl[2], out[2];
        ck_assert_int_eq(pipe(ctl), 0);
        ck_assert_int_eq(pipe(out), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(ctl[1]);
            close(out[0]);
            for (int k = 0; k < i; k++) { /* earlier siblings' ends */
                close(members[k].ctl);
                close(members[k].out);
            }
            child_out = out[1];
            child_run(ctl[0], strategy);
        }
        close(ctl[0]);
        close(out[1]);
        members[i] = (member_t){.pid = pid, .ctl = ctl[1], .out = out[0], .open = true};
        for (int p = 0; p < NPART; p++)
            members[i].last[p] = -1;
    }
}

static void account(int i, const report_t *r)
{
    member_t *m = &members[i];
    ck_assert_msg(r->kind == REC_IDLE || (r->partition >= 0 && r->partition < NPART), "member %d: partition %d", i,
                  r->partition);
    switch (r->kind) {
    case REC_MSG:
        if (r->offset < 0 || r->offset >= produced_per_partition || !m->owns[r->partition])
            ck_abort_msg("member %d: message [%d] at %lld (owned %d, produced %lld)", i, r->partition,
                         (long long)r->offset, m->owns[r->partition], (long long)produced_per_partition);
        processed_by[r->partition][r->offset] |= (unsigned char)(1u << i);
        if (seen[r->partition][r->offset]++ == 0)
            distinct++;
        m->last[r->partition] = r->offset;
        m->messages++;
        m->idle = false;
        break;
    case REC_COMMIT:
        m->commit[r->partition] = r->offset;
        break;
    case REC_ASSIGN:
        if (getenv("KL_TEST_DEBUG"))
            fprintf(stderr, "%lld member %d: assigned %d\n", fixture_now_ms(), i, r->partition);
        m->owns[r->partition] = true;
        break;
    case REC_REVOKE:
        if (getenv("KL_TEST_DEBUG"))
            fprintf(stderr, "%lld member %d: revoked %d%s\n", fixture_now_ms(), i, r->partition,
                    r->offset ? " (lost)" : "");
        m->owns[r->partition] = false;
        m->revokes++;
        break;
    case REC_IDLE:
        m->idle = true;
        break;
    default:
        ck_abort_msg("member %d: record kind %d", i, r->kind);
    }
}

/* Reads what the children reported, waiting up to timeout_ms for some. */
static void pump(int timeout_ms)
{
    struct pollfd fds[NMEMBERS];
    for (int i = 0; i < NMEMBERS; i++)
        fds[i] = (struct pollfd){.fd = members[i].open ? members[i].out : -1, .events = POLLIN};
    if (poll(fds, NMEMBERS, timeout_ms) <= 0)
        return;
    for (int i = 0; i < NMEMBERS; i++) {
        member_t *m = &members[i];
        if (!m->open || !(fds[i].revents & (POLLIN | POLLHUP)))
            continue;
        report_t batch[256];
        memcpy(batch, &m->pending, m->have);
        ssize_t n = read(m->out, (char *)batch + m->have, sizeof batch - m->have);
        if (n <= 0) {
            m->open = false;
            continue;
        }
        size_t total = m->have + (size_t)n, whole = total / sizeof(report_t);
        for (size_t k = 0; k < whole; k++)
            account(i, &batch[k]);
        m->have = total % sizeof(report_t);
        memcpy(&m->pending, &batch[whole], m->have);
    }
}

static int owned_count(const member_t *m)
{
    int n = 0;
    for (int p = 0; p < NPART; p++)
        n += m->owns[p];
    return n;
}

/* Everything produced was processed, each live member is idle and the
 * partitions are shared: one owner each, and a share for every member. */
static bool settled(int alive_members, int each_at_least)
{
    if (distinct != produced_per_partition * NPART)
        return false;
    int owners[NPART] = {0};
    for (int i = 0; i < NMEMBERS; i++) {
        if (members[i].pid <= 0)
            continue;
        if (!members[i].idle || owned_count(&members[i]) < each_at_least)
            return false;
        for (int p = 0; p < NPART; p++)
            owners[p] += members[i].owns[p];
        alive_members--;
    }
    for (int p = 0; p < NPART; p++)
        if (owners[p] != 1)
            return false;
    return alive_members == 0;
}

static void wait_settled(int alive_members, int each_at_least, const char *what)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (!settled(alive_members, each_at_least) && fixture_now_ms() < deadline)
        pump(200);
    if (!settled(alive_members, each_at_least)) {
        for (int i = 0; i < NMEMBERS; i++)
            fprintf(stderr, "member %d: pid %d idle %d owns %d, %ld messages processed\n", i, (int)members[i].pid,
                    members[i].idle, owned_count(&members[i]), members[i].messages);
        ck_abort_msg("%s: %ld of %lld messages processed", what, distinct,
                     (long long)produced_per_partition * NPART);
    }
}

static void create_topic(broker_fixture_t *fx)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fx->bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    kl_admin_t *admin = kl_admin_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(admin != NULL, "kl_admin_new: %s", errstr);
    kl_admin_new_topic_t nt = {TOPIC, NPART, 1, NULL};
    kl_admin_results_t *r;
    ck_assert_int_eq(kl_admin_create_topics(admin, &nt, 1, 0, WAIT_MS, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r->count, 1);
    ck_assert_msg(r->items[0].err == KL_ERR_NONE, "create %s: %s", TOPIC, kl_err_name(r->items[0].err));
    kl_admin_results_destroy(r);
    kl_admin_destroy(admin);
}

static void produce(broker_fixture_t *fx, int per_partition)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fx->bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr), KL_ERR_NONE);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    for (int i = 0; i < per_partition; i++)
        for (int32_t part = 0; part < NPART; part++) {
            kl_err_t err;
            while ((err = kl_produce(p, TOPIC, part, NULL, 0, "x", 1, 0, NULL)) == KL_ERR_QUEUE_FULL)
                kl_producer_poll(p, 10);
            ck_assert_int_eq(err, KL_ERR_NONE);
        }
    ck_assert_int_eq(kl_producer_flush(p, WAIT_MS), KL_ERR_NONE);
    ck_assert_uint_eq(kl_producer_failed(p), 0);
    kl_producer_destroy(p);
    produced_per_partition += per_partition;
}

static void finish_member(int i, int expect_status)
{
    member_t *m = &members[i];
    close(m->ctl);
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (m->open && fixture_now_ms() < deadline)
        pump(200);
    ck_assert_msg(!m->open, "member %d did not stop", i);
    close(m->out);
    int status;
    ck_assert_int_eq(waitpid(m->pid, &status, 0), m->pid);
    if (expect_status < 0)
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "member %d: status %#x", i, status);
    else
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == expect_status, "member %d: status %#x", i,
                      status);
    m->pid = 0;
}

static void run_failover(const char *strategy, bool cooperative)
{
    memset(seen, 0, sizeof seen);
    memset(processed_by, 0, sizeof processed_by);
    distinct = 0;
    produced_per_partition = 0;
    spawn(strategy); /* before the broker's threads exist */
    static const char *const broker_props[] = {
        "num.partitions", "6",
        "group.initial.rebalance.delay.ms", "0",
        "group.min.session.timeout.ms", "1000",
        NULL,
    };
    broker_fixture_t fx;
    fixture_start(&fx, broker_props);
    create_topic(&fx);
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", fx.bootstrap);
    for (int i = 0; i < NMEMBERS; i++)
        ck_assert_int_eq(write(members[i].ctl, line, (size_t)n), n);
    wait_settled(NMEMBERS, 1, "the group forming");
    produce(&fx, PHASE);
    wait_settled(NMEMBERS, 1, "before the kill");
    for (int i = 0; i < NMEMBERS; i++) /* each owned partitions as they filled */
        ck_assert_msg(members[i].messages > 0, "member %d processed nothing", i);

    /* the victim's books at the kill: it was idle, so its last commit is
     * known exactly */
    member_t *v = &members[VICTIM];
    if (getenv("KL_TEST_DEBUG"))
        fprintf(stderr, "%lld killing member %d\n", fixture_now_ms(), VICTIM);
    ck_assert_int_eq(kill(v->pid, SIGKILL), 0);
    finish_member(VICTIM, -1);
    bool victim_owned[NPART];
    bool kept[NMEMBERS][NPART];
    for (int p = 0; p < NPART; p++) {
        victim_owned[p] = v->owns[p];
        ck_assert_int_le(v->commit[p], v->last[p] + 1);
    }
    for (int i = 0; i < NMEMBERS; i++) {
        members[i].revokes = 0;
        memcpy(kept[i], members[i].owns, sizeof kept[i]);
    }
    ck_assert_int_gt(owned_count(v), 0);

    produce(&fx, PHASE);
    wait_settled(NMEMBERS - 1, 1, "after the kill");

    long dups = 0;
    for (int p = 0; p < NPART; p++)
        for (int64_t o = 0; o < produced_per_partition; o++) {
            ck_assert_msg(seen[p][o] > 0, "partition %d offset %lld never processed", p, (long long)o);
            bool window = victim_owned[p] && o >= v->commit[p] && o <= v->last[p];
            ck_assert_msg(seen[p][o] == (window ? 2 : 1),
                          "partition %d offset %lld processed %d times by members %#x (victim owned %d, "
                          "committed %lld, last %lld; revokes after the kill %d %d %d)",
                          p, (long long)o, seen[p][o], processed_by[p][o], victim_owned[p],
                          (long long)v->commit[p], (long long)v->last[p], members[0].revokes,
                          members[1].revokes, members[2].revokes);
            dups += seen[p][o] - 1;
        }
    fprintf(stderr, "%s: %ld messages processed twice, all in the killed member's uncommitted window\n", strategy,
            dups);
    /* cooperative: the survivors kept what they had and only the victim's
     * partitions moved */
    for (int i = 0; cooperative && i < NMEMBERS; i++) {
        if (i == VICTIM)
            continue;
        ck_assert_msg(members[i].revokes == 0, "member %d had %d partitions revoked after the kill", i,
                      members[i].revokes);
        for (int p = 0; p < NPART; p++)
            ck_assert_msg(members[i].owns[p] == (kept[i][p] || (victim_owned[p] && members[i].owns[p])),
                          "member %d: partition %d owned %d, before the kill %d", i, p, members[i].owns[p],
                          kept[i][p]);
    }
    for (int i = 0; i < NMEMBERS; i++)
        if (i != VICTIM)
            finish_member(i, 0);
    fixture_stop(&fx);
}

START_TEST(test_member_killed_eager) { run_failover("range", false); }
END_TEST

START_TEST(test_member_killed_cooperative) { run_failover("cooperative-sticky", true); }
END_TEST

int main(void)
{
    Suite *s = suite_create("consumer_failover");
    TCase *tc = tcase_create("eager");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_member_killed_eager);
    suite_add_tcase(s, tc);
    tc = tcase_create("cooperative");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_member_killed_cooperative);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
