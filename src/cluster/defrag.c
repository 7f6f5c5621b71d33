/* SPDX-License-Identifier: Apache-2.0 */
/* Defragmentation: the fewest moves that free a window of N whole chips somewhere.
 *
 * For every node of the node group(s) and every valid window position of N chips, the blockers are the
 * allocations with cores on those chips. Candidates are tried by number of blockers (then node order, then
 * position); for a candidate, each blocker in turn must fit on another node (never the source node), tried in
 * node order, with the moves before it already carried out. The first candidate whose blockers all find a place
 * wins. Trial placements go to scratch copies of the destination nodes, so the cluster is never changed. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"

typedef struct candidate {
    int node, first, blockers;
} candidate;

static int cmp_candidate(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->blockers != b->blockers)
        return a->blockers - b->blockers;
    if (a->node != b->node)
        return a->node - b->node;
    return a->first - b->first;
}

/* The request that re-creates allocation k of a node elsewhere. */
static void request_of(const ncg_node *n, int k, ncg_request *q)
{
    ncg_alloc a;
    size_t count;
    const ncg_model *models = ncg_node_alloc_models(n, k, &count);
    ncg_node_alloc_at(n, k, &a);
    ncg_request_init(q);
    q->cpu_milli = a.cpu_milli;
    q->memory_bytes = a.memory_bytes;
    q->hugepages_bytes = a.hugepages_bytes;
    q->ppr = a.ppr > 0 ? a.ppr : 1;
    if (a.whole_chips)
        q->inf = a.core_count / ncg_node_type_copy(n)->t.cores_per_chip;
    else
        q->neuroncores = a.core_count;
    if (!ncg_node_alloc_sizes(n, k)) {
        q->models = models;
        q->model_count = count;
    }
}

static bool blocks(const ncg_alloc *a, uint64_t window)
{
    return a->core_count > 0 && (ncg_window_mask(a->first_chip, a->chip_count) & window);
}

typedef struct search {
    const ncg_cluster *c;
    ncg_node **scratch;   /* per node: a copy holding this candidate's trial moves, or NULL */
    int *touched;         /* nodes with a scratch copy */
    int ntouched;
    ncg_move *moves;      /* the candidate's moves */
} search;

static void drop_scratch(search *s)
{
    while (s->ntouched > 0) {
        int j = s->touched[--s->ntouched];
        s->scratch[j] = ncg_node_free(s->scratch[j]);
    }
}

/* Try one candidate: 1 with its moves in s->moves (*count of them), 0 if a blocker has nowhere to go, or
 * NCG_E_NOMEM. */
static int try_candidate(search *s, const candidate *cand, int chips, int *count, ncg_error *err)
{
    const ncg_cluster *c = s->c;
    const ncg_node *src = ncg_cluster_node(c, cand->node);
    uint64_t w = ncg_window_mask(cand->first, chips);
    int moves = 0, rc = 1;

    for (int k = 0; k < ncg_node_alloc_count(src) && rc == 1; k++) {
        ncg_alloc a;
        ncg_request q;
        bool placed = false;
        ncg_node_alloc_at(src, k, &a);
        if (!blocks(&a, w))
            continue;
        request_of(src, k, &q);
        for (int j = 0; j < ncg_cluster_node_count(c) && !placed; j++) {
            const ncg_node *dst = s->scratch[j] ? s->scratch[j] : ncg_cluster_node(c, j);
            ncg_slot slot;
            if (j == cand->node || ncg_node_plan(dst, &q, &slot, NULL) < 0)
                continue;
            if (!s->scratch[j]) {
                s->scratch[j] = ncg_node_clone_ref(dst, NULL, NULL);
                if (!s->scratch[j])
                    return ncg_fail(err, NCG_E_NOMEM, "out of memory trying defragmentation moves");
                s->touched[s->ntouched++] = j;
            }
            rc = ncg_node_commit(s->scratch[j], &slot, &q, NULL, err);
            if (rc < 0)
                return rc;
            rc = 1;
            s->moves[moves].from = ncg_cluster_node_name(c, cand->node);
            s->moves[moves].alloc_id = a.id;
            s->moves[moves].to = ncg_cluster_node_name(c, j);
            moves++;
            placed = true;
        }
        if (!placed)
            rc = 0;
    }
    *count = moves;
    return rc;
}

NCG_EXPORT int ncg_cluster_defrag(const ncg_cluster *c, int chips, const char *group, ncg_move *out, size_t size,
                                  const char **out_node, ncg_error *err)
{
    search s = {.c = c};
    candidate *cands = NULL;
    int ncand = 0, gsel = -1, rc = NCG_E_FULL, nodes, found = -1, moves = 0;
    bool any_type = false;
    ncg_quoted q;

    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "cluster_defrag: out is NULL but size is %zu", size);
    if (chips < 1 || chips > NCG_MAX_CHIPS)
        return ncg_fail(err, NCG_E_RANGE, "chips %d is out of range 1..%d", chips, NCG_MAX_CHIPS);
    if (group && (gsel = ncg_cluster_nodegroup_index(c, group)) < 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s", ncg_quote(&q, group));
    nodes = ncg_cluster_node_count(c);
    cands = malloc(((size_t)nodes * NCG_MAX_CHIPS + 1) * sizeof(*cands));
    s.scratch = calloc((size_t)nodes + 1, sizeof(*s.scratch));
    s.touched = malloc(((size_t)nodes + 1) * sizeof(*s.touched));
    s.moves = malloc(((size_t)NCG_MAX_CORES + 1) * sizeof(*s.moves));
    if (!cands || !s.scratch || !s.touched || !s.moves) {
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory looking for defragmentation moves");
        goto done;
    }
    for (int i = 0; i < nodes; i++) {
        const ncg_node *n = ncg_cluster_node(c, i);
        const ncg_type *t = &ncg_node_type_copy(n)->t;
        if ((gsel >= 0 && ncg_cluster_node_nodegroup(c, i) != gsel) ||
            !ncg_window_size_valid(t->topology, t->chips, chips))
            continue;
        any_type = true;
        for (int first = 0; first + chips <= t->chips; first++) {
            uint64_t w = ncg_window_mask(first, chips);
            int blockers = 0;
            if (!ncg_window_valid_at(t->topology, t->chips, first, chips))
                continue;
            for (int k = 0; k < ncg_node_alloc_count(n); k++) {
                ncg_alloc a;
                ncg_node_alloc_at(n, k, &a);
                blockers += blocks(&a, w);
            }
            cands[ncand++] = (candidate){i, first, blockers};
        }
    }
    if (!any_type) {
        rc = ncg_fail(err, NCG_E_TOPOLOGY, "no node%s%s can ever hold a window of %d chips",
                      group ? " of node group " : "", group ? group : "", chips);
        goto done;
    }
    qsort(cands, (size_t)ncand, sizeof(*cands), cmp_candidate);
    for (int ci = 0; ci < ncand && found < 0; ci++) {
        int r = try_candidate(&s, &cands[ci], chips, &moves, err);
        drop_scratch(&s);
        if (r < 0) {
            rc = r;
            goto done;
        }
        if (r == 1)
            found = ci;
    }
    if (found < 0) {
        rc = ncg_fail(err, NCG_E_FULL, "no node%s%s can free a window of %d chips by moving allocations elsewhere",
                      group ? " of node group " : "", group ? group : "", chips);
        goto done;
    }
    if ((size_t)moves <= size && moves > 0)
        memcpy(out, s.moves, (size_t)moves * sizeof(*out));
    if (out_node)
        *out_node = ncg_cluster_node_name(c, cands[found].node);
    rc = moves;
done:
    if (s.scratch)
        drop_scratch(&s);
    free(cands);
    free(s.scratch);
    free(s.touched);
    free(s.moves);
    return rc;
}
