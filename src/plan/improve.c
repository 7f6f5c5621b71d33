/* SPDX-License-Identifier: Apache-2.0 */
/* The improvement phase: a local search that empties whole nodes of the best plan (plan.h lists the files;
 * doc/planner.md the method).
 *
 * It works on the configuration LP's model of a node (colgen.h: the chips, cores, CPU, memory and hugepages of its
 * replicas add up to at most the node's, and at most limit replicas of an API), in which every real node's
 * content is valid. Each round picks the node with the least work per dollar, takes its replicas out (the pool)
 * and tries to place them on the other nodes: first each replica into the node it fills best, then, when some
 * are left, the exchange with one node that lowers the pool's weight most (or raises it least): one or two of the
 * pool's replicas for one or two of the node's, as long as the node stays valid and no API put on a node in the
 * last TENURE exchanges comes out again. The pool emptied, the node is
 * gone; else every change is undone and the node is not tried again until a node is removed. The result is a
 * list of whole-node patterns that the driver turns into nodes (plan_from_lp()), then packs whatever did not fit
 * the real allocator, so every plan stays valid and the cheapest one still wins. Deterministic: fixed orders and
 * ties, and a work limit counted in operations, not time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

#define RES NCG_CG_RESOURCES
#define IMPROVE_WORK 3e7   /* node checks of one improvement phase: up to a few tenths of a second */
#define TENURE 40          /* steps a replica put on a node stays there; on Panigrahy class 7 (120-500 items),
                            * 10 left 1.7% more bins, 20 1.0%, 30 0.3% */
#define POOL_STEPS 200     /* exchanges per node emptied before giving up on it */

typedef struct entry {
    int api, count;
} entry;

typedef struct inode {
    int bin;
    bool alive;
    bool tried;              /* emptying it failed since the last node was removed */
    double load[RES];
    entry *e;
    int len, cap;
} inode;

typedef struct change {     /* one replica count change on a node, for undoing */
    int node, api, delta;
} change;

typedef struct search {
    const ncg_plan *p;
    int I, B, N;
    inode *nd;
    double *need;            /* B x I x RES */
    double *cap;             /* B x RES */
    double *weight;          /* per API: one replica's share of a node, in dollars */
    entry *pool;
    int pool_len;
    change *log;
    int log_len, log_cap;
    double work;
    int *alive_per_bin;
    long step;               /* exchanges made so far */
    long *tabu;              /* per API: until which step its replicas stay on the nodes they were put on */
} search;

static const double *need_of(const search *s, int b, int i)
{
    return &s->need[((size_t)b * (size_t)s->I + (size_t)i) * RES];
}

static int limit_of(const search *s, int b, int i)
{
    return s->p->api_items[(size_t)b * (size_t)s->I + (size_t)i].limit;
}

static int count_on(const inode *n, int api)
{
    for (int k = 0; k < n->len; k++)
        if (n->e[k].api == api)
            return n->e[k].count;
    return 0;
}

/* array (len elements of `size` bytes, room for *cap) with room for one more: as it is, or grown to twice *cap
 * (`first` at first). NULL when out of memory (array and *cap unchanged). */
static void *room(void *array, int len, int *cap, size_t size, int first)
{
    void *grown;
    int want;
    if (len < *cap)
        return array;
    want = *cap ? 2 * *cap : first;
    grown = realloc(array, (size_t)want * size);
    if (grown)
        *cap = want;
    return grown;
}

/* Add delta replicas of api to node j (logged when log is true). False when out of memory (nothing changed). */
static bool node_add(search *s, int j, int api, int delta, bool log)
{
    inode *n = &s->nd[j];
    const double *d = need_of(s, n->bin, api);
    entry *e = n->e;
    change *l = s->log;
    int k = 0;
    while (k < n->len && n->e[k].api != api)
        k++;
    if ((k == n->len && !(e = room(n->e, n->len, &n->cap, sizeof(entry), 4))) ||
        (log && !(l = room(s->log, s->log_len, &s->log_cap, sizeof(change), 64)))) {
        if (e) /* grown before the log failed: keep it, it is the node's array now */
            n->e = e;
        return false;
    }
    n->e = e;
    s->log = l;
    if (k == n->len)
        n->e[n->len++] = (entry){api, 0};
    n->e[k].count += delta;
    if (n->e[k].count == 0)
        n->e[k] = n->e[--n->len];
    for (int r = 0; r < RES; r++)
        n->load[r] += delta * d[r];
    if (log)
        s->log[s->log_len++] = (change){j, api, delta};
    return true;
}

static void pool_add(search *s, int api, int delta)
{
    int k = 0;
    while (k < s->pool_len && s->pool[k].api != api)
        k++;
    if (k == s->pool_len)
        s->pool[s->pool_len++] = (entry){api, 0};
    s->pool[k].count += delta;
    if (s->pool[k].count == 0)
        s->pool[k] = s->pool[--s->pool_len];
}

/* How full node j is, per dollar of its price: the node emptied first has the least. */
static double fill(const search *s, int j)
{
    const inode *n = &s->nd[j];
    double w = 0, price = s->p->cg.bin[n->bin].price;
    for (int k = 0; k < n->len; k++)
        w += n->e[k].count * s->weight[n->e[k].api];
    return w / (price > 0 ? price : 1);
}

/* Does node j hold its content with out[] taken off and in[] put on (n_out, n_in replicas, APIs repeated for two
 * of the same)? */
static bool fits(search *s, int j, const int *out, int n_out, const int *in, int n_in)
{
    const inode *n = &s->nd[j];
    double load[RES];
    s->work += 1;
    memcpy(load, n->load, sizeof(load));
    for (int k = 0; k < n_out; k++) {
        const double *d = need_of(s, n->bin, out[k]);
        for (int r = 0; r < RES; r++)
            load[r] -= d[r];
    }
    for (int k = 0; k < n_in; k++) {
        const double *d = need_of(s, n->bin, in[k]);
        int lim = limit_of(s, n->bin, in[k]), have = count_on(n, in[k]);
        if (lim <= 0)
            return false;
        for (int m = 0; m < n_out; m++)
            have -= out[m] == in[k];
        for (int m = 0; m < k; m++)
            have += in[m] == in[k];
        if (have + 1 > lim)
            return false;
        for (int r = 0; r < RES; r++)
            load[r] += d[r];
    }
    for (int r = 0; r < RES; r++)
        if (load[r] > s->cap[(size_t)n->bin * RES + r] + 1e-9)
            return false;
    return true;
}

/* Heaviest first (ties: the lower API index). */
static void sort_pool(search *s)
{
    for (int k = 1; k < s->pool_len; k++) {
        entry key = s->pool[k];
        int j = k;
        for (; j > 0; j--) {
            const entry *e = &s->pool[j - 1];
            double wk = s->weight[key.api], we = s->weight[e->api];
            if (wk < we || (wk == we && key.api > e->api))
                break;
            s->pool[j] = *e;
        }
        s->pool[j] = key;
    }
}

/* Put every pool replica it can into the node it fills best (the most weight per dollar before it; ties: the
 * first node), heaviest first. */
static bool insert_pool(search *s)
{
    bool again = true;
    while (again && s->pool_len > 0) {
        again = false;
        sort_pool(s);
        for (int k = 0; k < s->pool_len; k++) {
            int api = s->pool[k].api, best_j = -1;
            double best_fill = -1;
            for (int j = 0; j < s->N; j++) {
                double f;
                if (!s->nd[j].alive || !fits(s, j, NULL, 0, &api, 1))
                    continue;
                f = fill(s, j);
                if (f > best_fill) {
                    best_fill = f;
                    best_j = j;
                }
            }
            if (best_j >= 0) {
                if (!node_add(s, best_j, api, 1, true))
                    return false;
                pool_add(s, api, -1);
                again = true;
                break; /* the pool changed: sort it again */
            }
        }
    }
    return true;
}

/* The exchange between the pool and one node that lowers the pool's weight most: its replicas in[] (1 or 2)
 * onto the node, the node's out[] (1 or 2) into the pool. Applied; *found false when there is none. */
static bool exchange(search *s, bool *found)
{
    int best_j = -1, best_in[2] = {0, 0}, best_out[2] = {0, 0}, best_ni = 0, best_no = 0;
    double best_gain = -INFINITY;
    int ins[64][2], n_ins = 0;
    *found = false;
    /* the pool's candidate sets: one replica, or two */
    for (int a = 0; a < s->pool_len && n_ins < 64; a++) {
        ins[n_ins][0] = s->pool[a].api;
        ins[n_ins++][1] = -1;
    }
    for (int a = 0; a < s->pool_len; a++)
        for (int b = a; b < s->pool_len && n_ins < 64; b++) {
            if (b == a && s->pool[a].count < 2)
                continue;
            ins[n_ins][0] = s->pool[a].api;
            ins[n_ins++][1] = s->pool[b].api;
        }
    for (int j = 0; j < s->N; j++) {
        const inode *n = &s->nd[j];
        if (!n->alive)
            continue;
        for (int q = 0; q < n_ins; q++) {
            int ni = ins[q][1] < 0 ? 1 : 2;
            double win = s->weight[ins[q][0]] + (ni == 2 ? s->weight[ins[q][1]] : 0);
            if (win <= best_gain)
                continue; /* no exchange of q gains more */
            for (int a = 0; a < n->len; a++)
                for (int b = a - 1; b < n->len; b++) { /* b = a - 1: the single replica of a, else the pair */
                    int out[2] = {n->e[a].api, b >= a ? n->e[b].api : -1}, no = b >= a ? 2 : 1;
                    double gain;
                    if (b == a && n->e[a].count < 2)
                        continue;
                    /* nothing the pool gives back is taken again */
                    if (out[0] == ins[q][0] || (ni == 2 && out[0] == ins[q][1]) ||
                        (no == 2 && (out[1] == ins[q][0] || (ni == 2 && out[1] == ins[q][1]))))
                        continue;
                    /* replicas put on a node recently stay: no going back and forth */
                    if (s->tabu[out[0]] > s->step || (no == 2 && s->tabu[out[1]] > s->step))
                        continue;
                    gain = win - s->weight[out[0]] - (no == 2 ? s->weight[out[1]] : 0);
                    if (gain <= best_gain || !fits(s, j, out, no, ins[q], ni))
                        continue;
                    best_gain = gain;
                    best_j = j;
                    best_ni = ni;
                    best_no = no;
                    memcpy(best_in, ins[q], sizeof(best_in));
                    memcpy(best_out, out, sizeof(best_out));
                }
        }
    }
    if (best_j < 0)
        return true;
    for (int k = 0; k < best_no; k++) {
        if (!node_add(s, best_j, best_out[k], -1, true))
            return false;
        pool_add(s, best_out[k], 1);
    }
    for (int k = 0; k < best_ni; k++) {
        if (!node_add(s, best_j, best_in[k], 1, true))
            return false;
        pool_add(s, best_in[k], -1);
        s->tabu[best_in[k]] = s->step + TENURE;
    }
    s->step++;
    *found = true;
    return true;
}

/* Try to empty node t: 1 removed, 0 not (everything as before), -1 out of memory. */
static int empty_node(search *s, int t)
{
    inode *n = &s->nd[t];
    s->pool_len = 0;
    for (int k = 0; k < n->len; k++)
        s->pool[s->pool_len++] = n->e[k];
    n->alive = false;
    s->log_len = 0;
    for (int step = 0; step < POOL_STEPS && s->work < IMPROVE_WORK; step++) {
        bool found;
        if (!insert_pool(s))
            return -1;
        if (s->pool_len == 0) {
            n->len = 0;
            memset(n->load, 0, sizeof(n->load));
            return 1;
        }
        if (!exchange(s, &found))
            return -1;
        if (!found)
            break;
    }
    for (int k = s->log_len - 1; k >= 0; k--) /* undo: removing never grows a node */
        node_add(s, s->log[k].node, s->log[k].api, -s->log[k].delta, false);
    n->alive = true;
    return 0;
}

static void search_free(search *s)
{
    if (s->nd)
        for (int j = 0; j < s->N; j++)
            free(s->nd[j].e);
    free(s->nd);
    free(s->need);
    free(s->cap);
    free(s->weight);
    free(s->pool);
    free(s->log);
    free(s->alive_per_bin);
    free(s->tabu);
}

static int pattern_cmp(const ncg_cg_pattern *x, const ncg_cg_pattern *y, int apis)
{
    if (x->bin != y->bin)
        return x->bin < y->bin ? -1 : 1;
    return memcmp(x->counts, y->counts, (size_t)apis * sizeof(int));
}

/* The nodes of the improved plan as patterns (counted per class, as the LP's are: plan.h), equal ones merged (x =
 * how many). */
static int to_patterns(search *s, ncg_cg_result *out)
{
    int I = s->p->cg.apis, n = 0;
    ncg_cg_pattern *pt = calloc((size_t)s->N + 1, sizeof(*pt));
    if (!pt)
        return -1;
    for (int j = 0; j < s->N; j++) {
        ncg_cg_pattern cur;
        int k;
        if (!s->nd[j].alive)
            continue;
        if (!(cur.counts = calloc((size_t)I + 1, sizeof(int)))) {
            for (k = 0; k < n; k++)
                free(pt[k].counts);
            free(pt);
            return -1;
        }
        cur.bin = s->nd[j].bin;
        cur.x = 1;
        for (k = 0; k < s->nd[j].len; k++)
            cur.counts[s->p->cg_class[s->nd[j].e[k].api]] += s->nd[j].e[k].count;
        /* insertion into the sorted list (patterns are few next to the work of the search) */
        for (k = 0; k < n && pattern_cmp(&pt[k], &cur, I) < 0; k++)
            ;
        if (k < n && pattern_cmp(&pt[k], &cur, I) == 0) {
            pt[k].x += 1;
            free(cur.counts);
            continue;
        }
        memmove(&pt[k + 1], &pt[k], (size_t)(n - k) * sizeof(*pt));
        pt[k] = cur;
        n++;
    }
    out->patterns = pt;
    out->pattern_count = n;
    return 0;
}

int plan_improve(ncg_plan *p, const ncg_cluster *c, const preplica *replicas, ncg_cg_result *out, ncg_error *err)
{
    search s = {.p = p, .I = p->api_count, .B = ncg_cluster_nodegroup_count(c), .N = ncg_cluster_node_count(c)};
    int removed = 0;
    memset(out, 0, sizeof(*out));
    s.nd = calloc((size_t)s.N + 1, sizeof(inode));
    s.need = calloc((size_t)s.B * (size_t)s.I * RES + 1, sizeof(double));
    s.cap = calloc((size_t)s.B * RES + 1, sizeof(double));
    s.weight = calloc((size_t)s.I + 1, sizeof(double));
    s.alive_per_bin = calloc((size_t)s.B + 1, sizeof(int));
    s.tabu = calloc((size_t)s.I + 1, sizeof(long));
    s.pool = malloc(((size_t)s.I + 1) * sizeof(entry)); /* one entry per API at most */
    if (!s.nd || !s.need || !s.cap || !s.weight || !s.alive_per_bin || !s.tabu || !s.pool)
        goto nomem;
    for (int b = 0; b < s.B; b++) {
        const ncg_cg_bin *bn = &p->cg.bin[b];
        double *cp = &s.cap[(size_t)b * RES];
        ncg_cg_bin_caps(bn, cp);
        for (int i = 0; i < s.I; i++) {
            const ncg_cg_item *it = &p->api_items[(size_t)b * (size_t)s.I + (size_t)i];
            double *d = &s.need[((size_t)b * (size_t)s.I + (size_t)i) * RES], share = 0, price = bn->price;
            ncg_cg_item_needs(it, d);
            if (it->limit <= 0)
                continue;
            for (int r = 0; r < RES; r++)
                if (cp[r] > 0)
                    share += d[r] / cp[r];
            /* a replica's weight: its share of a node in the node group where that costs least */
            share *= price > 0 ? price : 1;
            if (s.weight[i] == 0 || share < s.weight[i])
                s.weight[i] = share;
        }
    }
    for (int j = 0; j < s.N; j++) {
        s.nd[j].bin = ncg_cluster_node_nodegroup(c, j);
        s.nd[j].alive = true;
        s.alive_per_bin[s.nd[j].bin]++;
    }
    for (int i = 0; i < s.I; i++)
        for (int r = 0; r < p->apis[i].replicas; r++) {
            int j = replicas[p->offset[i] + r].node;
            if (j >= 0 && !node_add(&s, j, i, 1, false))
                goto nomem;
        }
    /* past the time limit the plan found so far is kept (the one exception to same input, same plan) */
    while (s.work < IMPROVE_WORK && !(p->deadline > 0 && ncg_now() >= p->deadline)) {
        int t = -1, rc;
        double ft = 0;
        for (int j = 0; j < s.N; j++) {
            double f;
            const inode *n = &s.nd[j];
            if (!n->alive || n->tried || s.alive_per_bin[n->bin] <= p->cg.bin[n->bin].min_nodes)
                continue;
            f = fill(&s, j);
            if (t < 0 || f < ft) {
                t = j;
                ft = f;
            }
        }
        if (t < 0)
            break;
        rc = empty_node(&s, t);
        if (rc < 0)
            goto nomem;
        if (rc == 0) {
            s.nd[t].tried = true;
            continue;
        }
        removed++;
        s.alive_per_bin[s.nd[t].bin]--;
        for (int j = 0; j < s.N; j++)
            s.nd[j].tried = false;
    }
    if (removed > 0 && to_patterns(&s, out) < 0)
        goto nomem;
    search_free(&s);
    return removed;
nomem:
    search_free(&s);
    return ncg_fail(err, NCG_E_NOMEM, "out of memory improving the plan");
}
