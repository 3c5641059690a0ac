/* The "cooperative-sticky" assignor. Members keep the partitions they own
 * (the claim from the highest generation wins a conflict), free partitions
 * go to the least loaded subscriber, then partitions move from the most
 * loaded members until no partition could go to a subscriber holding two
 * fewer. A partition that changes hands is left out of this round (its
 * owner revokes it first) and handed out in the next one. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/assignor_plan.h"
#include "consumer/assignor_sticky.h"

typedef struct held {
    size_t *items; /* partition numbers */
    size_t len, cap;
} held_t;

typedef struct sticky {
    kl_assignor_plan_t *plan;
    size_t *claimer;     /* per partition: the claim from the highest generation,
                            KL_ASSIGNOR_NONE on a tie or when unclaimed */
    int32_t *claim_gen;  /* that generation (INT32_MIN when unclaimed) */
    size_t *last_claim;  /* last member that claimed it (to skip repeats) */
    bool *claimed;       /* anyone claimed it */
    size_t *slot;        /* index of the partition in its owner's held list */
    held_t *held;        /* per member */
    size_t *best;        /* per topic: cached least loaded subscriber... */
    size_t *best_stamp;  /* ...valid while best_stamp[t] == stamp */
    size_t stamp;
} sticky_t;

static size_t load(const sticky_t *s, size_t member) { return s->held[member].len; }

static kl_err_t give(sticky_t *s, size_t p, size_t member)
{
    held_t *h = &s->held[member];
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        size_t *items = realloc(h->items, cap * sizeof *items);
        if (!items)
            return KL_ERR_NOMEM;
        h->items = items;
        h->cap = cap;
    }
    s->slot[p] = h->len;
    h->items[h->len++] = p;
    s->plan->owner[p] = member;
    return KL_ERR_NONE;
}

static void take(sticky_t *s, size_t p)
{
    held_t *h = &s->held[s->plan->owner[p]];
    size_t last = h->items[--h->len];
    h->items[s->slot[p]] = last;
    s->slot[last] = s->slot[p];
    s->plan->owner[p] = KL_ASSIGNOR_NONE;
}

/* The subscriber of topic t with the fewest partitions (the first in member
 * order among equals), or KL_ASSIGNOR_NONE. */
static size_t least_loaded(const sticky_t *s, size_t t)
{
    const kl_assignor_plan_t *plan = s->plan;
    size_t best = KL_ASSIGNOR_NONE;
    for (size_t i = 0; i < plan->member_count; i++) {
        size_t m = plan->order[i];
        if (kl_assignor_plan_subscribed(plan, m, t) &&
            (best == KL_ASSIGNOR_NONE || load(s, m) < load(s, best)))
            best = m;
    }
    return best;
}

static void record_claim(sticky_t *s, size_t p, size_t member, int32_t generation)
{
    if (s->last_claim[p] == member)
        return;
    s->last_claim[p] = member;
    if (!s->claimed[p] || generation > s->claim_gen[p]) {
        s->claimer[p] = member;
        s->claim_gen[p] = generation;
    } else if (generation == s->claim_gen[p]) {
        s->claimer[p] = KL_ASSIGNOR_NONE; /* same generation: neither wins */
    }
    s->claimed[p] = true;
}

/* Reads every member's owned partitions and generation. */
static kl_err_t collect_claims(sticky_t *s)
{
    kl_assignor_plan_t *plan = s->plan;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_err_t err = KL_ERR_NONE;
    for (size_t m = 0; m < plan->member_count && !err; m++) {
        kl_sticky_claim_t claim;
        err = kl_sticky_member_claim(&plan->members[m], &arena, &claim);
        for (int32_t i = 0; !err && i < claim.owned_count; i++) {
            const kl_consumer_protocol_subscription_topic_partition_t *owned = &claim.owned[i];
            size_t t = kl_assignor_plan_topic(plan, owned->topic);
            for (int32_t k = 0; t != KL_ASSIGNOR_NONE && k < owned->partitions.count; k++) {
                size_t p = kl_assignor_plan_partition(plan, t, owned->partitions.items[k]);
                if (p != KL_ASSIGNOR_NONE)
                    record_claim(s, p, m, claim.generation);
            }
        }
    }
    kl_arena_free(&arena);
    return err;
}

/* Members keep what they won, if they still subscribe to it. */
static kl_err_t keep_owned(sticky_t *s)
{
    kl_assignor_plan_t *plan = s->plan;
    for (size_t t = 0; t < plan->topic_count; t++) {
        size_t end = plan->topic_base[t] + (size_t)plan->topics[t]->partition_count;
        for (size_t p = plan->topic_base[t]; p < end; p++) {
            size_t m = s->claimer[p];
            if (m != KL_ASSIGNOR_NONE && kl_assignor_plan_subscribed(plan, m, t)) {
                kl_err_t err = give(s, p, m);
                if (err)
                    return err;
            }
        }
    }
    return KL_ERR_NONE;
}

/* Topics with fewer subscribers first: their partitions have fewer places
 * to go, so placing them early leaves less to fix afterwards. */
typedef struct topic_rank {
    size_t subscribers, topic;
} topic_rank_t;

static int scarce_first(const void *pa, const void *pb)
{
    const topic_rank_t *a = pa, *b = pb;
    if (a->subscribers != b->subscribers)
        return a->subscribers < b->subscribers ? -1 : 1;
    return (a->topic > b->topic) - (a->topic < b->topic);
}

static kl_err_t place_free(sticky_t *s)
{
    kl_assignor_plan_t *plan = s->plan;
    topic_rank_t *ranks = malloc((plan->topic_count ? plan->topic_count : 1) * sizeof *ranks);
    if (!ranks)
        return KL_ERR_NOMEM;
    for (size_t t = 0; t < plan->topic_count; t++)
        ranks[t] = (topic_rank_t){plan->subscriber_count[t], t};
    qsort(ranks, plan->topic_count, sizeof *ranks, scarce_first);
    kl_err_t err = KL_ERR_NONE;
    for (size_t i = 0; i < plan->topic_count && !err; i++) {
        size_t t = ranks[i].topic;
        size_t end = plan->topic_base[t] + (size_t)plan->topics[t]->partition_count;
        for (size_t p = plan->topic_base[t]; p < end && !err; p++) {
            size_t m = plan->owner[p] == KL_ASSIGNOR_NONE ? least_loaded(s, t) : KL_ASSIGNOR_NONE;
            if (m != KL_ASSIGNOR_NONE)
                err = give(s, p, m);
        }
    }
    free(ranks);
    return err;
}

typedef struct donor {
    size_t load, rank, member;
} donor_t;

static int most_loaded_first(const void *pa, const void *pb)
{
    const donor_t *a = pa, *b = pb;
    if (a->load != b->load)
        return a->load > b->load ? -1 : 1;
    return (a->rank > b->rank) - (a->rank < b->rank);
}

/* Moves one of donor's partitions (one it owned before this round when kept,
 * else one placed this round) to a subscriber holding at least two fewer. */
static kl_err_t move_from(sticky_t *s, size_t donor, bool kept, bool *moved)
{
    held_t *h = &s->held[donor];
    for (size_t i = 0; i < h->len; i++) {
        size_t p = h->items[i];
        if ((s->claimer[p] == donor) != kept)
            continue;
        size_t t = kl_assignor_plan_topic_of(s->plan, p);
        if (s->best_stamp[t] != s->stamp) { /* no move since: still the least loaded */
            s->best[t] = least_loaded(s, t);
            s->best_stamp[t] = s->stamp;
        }
        if (load(s, s->best[t]) + 1 < h->len) {
            take(s, p);
            *moved = true;
            return give(s, p, s->best[t]);
        }
    }
    return KL_ERR_NONE;
}

/* One move away from the most loaded members, preferring partitions placed
 * this round (moving those revokes nothing); *moved false when balanced. */
static kl_err_t move_one(sticky_t *s, donor_t *donors, bool *moved)
{
    const kl_assignor_plan_t *plan = s->plan;
    size_t n = plan->member_count;
    *moved = false;
    if (n == 0)
        return KL_ERR_NONE;
    for (size_t i = 0; i < n; i++)
        donors[i] = (donor_t){load(s, plan->order[i]), i, plan->order[i]};
    qsort(donors, n, sizeof *donors, most_loaded_first);
    s->stamp++;
    size_t least = donors[n - 1].load;
    for (size_t i = 0, j; i < n && donors[i].load >= least + 2; i = j) {
        for (j = i; j < n && donors[j].load == donors[i].load; j++)
            ;
        for (int kept = 0; kept < 2; kept++)
            for (size_t k = i; k < j; k++) {
                kl_err_t err = move_from(s, donors[k].member, kept, moved);
                if (err || *moved)
                    return err;
            }
    }
    return KL_ERR_NONE;
}

/* Each move lowers the sum of squared loads, so this ends. */
static kl_err_t balance(sticky_t *s)
{
    size_t n = s->plan->member_count;
    donor_t *donors = malloc((n ? n : 1) * sizeof *donors);
    if (!donors)
        return KL_ERR_NOMEM;
    bool moved = true;
    kl_err_t err = KL_ERR_NONE;
    while (moved && !err)
        err = move_one(s, donors, &moved);
    free(donors);
    return err;
}

/* The cooperative rule: a partition someone else still owns is not handed
 * out before that owner has revoked it, i.e. in the next rebalance. */
static void hold_back_moves(sticky_t *s)
{
    for (size_t p = 0; p < s->plan->partition_count; p++) {
        size_t m = s->plan->owner[p];
        if (m != KL_ASSIGNOR_NONE && s->claimed[p] && s->claimer[p] != m)
            s->plan->owner[p] = KL_ASSIGNOR_NONE;
    }
}

static void sticky_free(sticky_t *s)
{
    for (size_t m = 0; s->held && m < s->plan->member_count; m++)
        free(s->held[m].items);
    free(s->held);
    free(s->claimer);
    free(s->claim_gen);
    free(s->last_claim);
    free(s->claimed);
    free(s->slot);
    free(s->best);
    free(s->best_stamp);
}

static kl_err_t sticky_init(sticky_t *s, kl_assignor_plan_t *plan)
{
    memset(s, 0, sizeof *s);
    s->plan = plan;
    size_t np = plan->partition_count ? plan->partition_count : 1;
    size_t nm = plan->member_count ? plan->member_count : 1;
    size_t nt = plan->topic_count ? plan->topic_count : 1;
    s->claimer = malloc(np * sizeof *s->claimer);
    s->claim_gen = malloc(np * sizeof *s->claim_gen);
    s->last_claim = malloc(np * sizeof *s->last_claim);
    s->claimed = calloc(np, sizeof *s->claimed);
    s->slot = calloc(np, sizeof *s->slot);
    s->held = calloc(nm, sizeof *s->held);
    s->best = calloc(nt, sizeof *s->best);
    s->best_stamp = calloc(nt, sizeof *s->best_stamp);
    if (!s->claimer || !s->claim_gen || !s->last_claim || !s->claimed || !s->slot || !s->held ||
        !s->best || !s->best_stamp)
        return KL_ERR_NOMEM;
    for (size_t p = 0; p < plan->partition_count; p++) {
        s->claimer[p] = s->last_claim[p] = KL_ASSIGNOR_NONE;
        s->claim_gen[p] = INT32_MIN;
    }
    return KL_ERR_NONE;
}

static kl_err_t sticky_assign(kl_assignor_plan_t *plan)
{
    sticky_t s;
    kl_err_t err = sticky_init(&s, plan);
    if (!err)
        err = collect_claims(&s);
    if (!err)
        err = keep_owned(&s);
    if (!err)
        err = place_free(&s);
    if (!err)
        err = balance(&s);
    if (!err)
        hold_back_moves(&s);
    sticky_free(&s);
    return err;
}

const kl_assignor_t kl_assignor_cooperative_sticky = {
    .name = "cooperative-sticky",
    .protocol_type = "consumer",
    .flag = KL_ASSIGNOR_COOPERATIVE_STICKY,
    .cooperative = true,
    .assign = sticky_assign,
    .user_data = kl_sticky_user_data,
};
