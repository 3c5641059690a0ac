/* Test harness for the group member (lib/consumer/cgrp.h): one kl_client_t
 * and one kl_cgrp_t per member, client events forwarded to the cgrp, its
 * revoke/assign/error events recorded under a mutex and answered with
 * kl_cgrp_rebalance_done() posted to the I/O thread, as a consumer would.
 * Test threads call into the member on its I/O thread and wait for
 * conditions with deadlines. Failures abort the Check test. */
#ifndef KL_TEST_CGRP_HARNESS_H
#define KL_TEST_CGRP_HARNESS_H

#include <pthread.h>
#include <stdbool.h>

#include <kafkalite.h>

#include "consumer/cgrp.h"

#define HARNESS_WAIT_MS 30000

typedef struct member {
    kl_client_t *client;
    kl_cgrp_t *cg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* under lock */
    kl_topic_partition_list_t *owned; /* assign adds, revoke removes */
    int assigns, revokes, lost_revokes, errors;
    kl_err_t last_error;
    bool hold_revoke;  /* do not answer revoke events until released */
    bool revoke_held;  /* one is waiting */
    /* every partition ever revoked (not lost), to check what was kept */
    kl_topic_partition_list_t *revoked_log;
    bool closed;
} member_t;

/* props: name, value pairs ending with NULL (group.id and bootstrap set). */
member_t *member_new(const char *bootstrap, const char *group, const char *const *props);
/* Subscribes on the I/O thread (topics ending with NULL). */
void member_subscribe(member_t *m, const char *const *topics);
/* kl_cgrp_close(), waits for its done, then stops and frees. */
void member_close(member_t *m);
/* Stops the client and frees the cgrp without leaving (a crash). */
void member_kill(member_t *m);
/* Runs fn(m, arg) on the member's I/O thread and waits for it. */
void member_call(member_t *m, void (*fn)(member_t *m, void *arg), void *arg);

/* Result of an offset request made through member_commit/member_fetch. */
typedef struct offsets_result {
    kl_err_t err;
    kl_topic_partition_list_t *parts; /* copy; free with the list API */
} offsets_result_t;
offsets_result_t member_commit(member_t *m, const kl_topic_partition_list_t *offsets);
offsets_result_t member_fetch(member_t *m, const kl_topic_partition_list_t *parts);

/* Waits until pred(m, arg) holds (checked under m->lock); false on timeout. */
bool member_wait(member_t *m, bool (*pred)(member_t *m, void *arg), void *arg, long timeout_ms);
/* The member's owned count / generation, read under lock or on the I/O thread. */
size_t member_owned_count(member_t *m);
int32_t member_generation(member_t *m);

/* Waits until the members' owned partitions are disjoint and cover every
 * partition of topic (partitions of them), with every member stable
 * (no event waiting). */
bool members_cover(member_t **ms, size_t n, const char *topic, int partitions, long timeout_ms);

#endif
