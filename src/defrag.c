/* SPDX-License-Identifier: Apache-2.0 */
/* Defragmentation: the fewest moves that free a window of N whole chips somewhere.
 *
 * For every node of the group(s) and every valid window position of N chips, the blockers are the allocations
 * with cores on those chips. Candidates are tried by number of blockers (then node order, then position); for a
 * candidate, each blocker in turn must fit on another node (never the source node), tried in node order, with
 * the moves before it already carried out. The first candidate whose blockers all find a place wins. The trial
 * placements are undone exactly (ids included) before returning, so the cluster is unchanged. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

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

/* The request that re-creates an allocation elsewhere. */
static void request_of(const alloc_rec *r, int cpc, ncg_request *q)
{
    ncg_request_init(q);
    q->cpu_milli = r->a.cpu_milli;
    q->memory_bytes = r->a.memory_bytes;
    q->hugepages_bytes = r->a.hugepages_bytes;
    q->ppr = r->a.ppr > 0 ? r->a.ppr : 1;
    if (r->a.whole_chips)
        q->inf = r->a.core_count / cpc;
    else
        q->neuroncores = r->a.core_count;
    if (!r->group_sizes) {
        q->models = r->models;
        q->model_count = r->model_count;
    }
}

typedef struct trial {
    cnode *node;
    uint32_t id, saved_next;
} trial;

NCG_EXPORT int ncg_cluster_defrag(const ncg_cluster *cc, int chips, const char *group, ncg_move *out, size_t size,
                                  char *out_node, ncg_error *err)
{
    ncg_cluster *c = (ncg_cluster *)cc; /* trial moves are undone before returning */
    candidate *cands = NULL;
    trial *trials = NULL;
    int ncand = 0, gsel = -1, rc = NCG_E_FULL;
    bool any_type = false;

    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "cluster_defrag: out is NULL but size is %zu", size);
    if (chips < 1 || chips > NCG_MAX_CHIPS)
        return ncg_fail(err, NCG_E_RANGE, "chips %d is out of range 1..%d", chips, NCG_MAX_CHIPS);
    if (group && (gsel = ncg_cluster_group_index(c, group)) < 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group \"%.64s\"", group);
    cands = malloc(((size_t)c->node_count * NCG_MAX_CHIPS + 1) * sizeof(*cands));
    trials = malloc(((size_t)NCG_MAX_CORES + 1) * sizeof(*trials));
    if (!cands || !trials) {
        free(cands);
        free(trials);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < c->node_count; i++) {
        const cnode *n = c->nodes[i];
        const ncg_type *t = &n->node->type.t;
        if ((gsel >= 0 && n->group != gsel) || !ncg_window_size_valid(t->topology, t->chips, chips))
            continue;
        any_type = true;
        for (int s = 0; s + chips <= t->chips; s++) {
            uint64_t w = ncg_window_mask(s, chips);
            int blockers = 0;
            if (!ncg_window_valid_at(t->topology, t->chips, s, chips))
                continue;
            for (int k = 0; k < n->node->count; k++) {
                const alloc_rec *r = &n->node->allocs[k];
                if (r->a.core_count > 0 && (ncg_window_mask(r->a.first_chip, r->a.chip_count) & w))
                    blockers++;
            }
            cands[ncand++] = (candidate){i, s, blockers};
        }
    }
    if (!any_type) {
        rc = ncg_fail(err, NCG_E_TOPOLOGY, "no node%s%s can ever hold a window of %d chips", group ? " of group " : "",
                      group ? group : "", chips);
        goto done;
    }
    qsort(cands, (size_t)ncand, sizeof(*cands), cmp_candidate);
    for (int ci = 0; ci < ncand && rc == NCG_E_FULL; ci++) {
        cnode *src = c->nodes[cands[ci].node];
        uint64_t w = ncg_window_mask(cands[ci].first, chips);
        int ntrials = 0, moves = 0;
        bool ok = true;
        for (int k = 0; k < src->node->count && ok; k++) {
            const alloc_rec *r = &src->node->allocs[k];
            ncg_request q;
            bool placed = false;
            if (r->a.core_count == 0 || !(ncg_window_mask(r->a.first_chip, r->a.chip_count) & w))
                continue;
            request_of(r, src->node->type.t.cores_per_chip, &q);
            for (int j = 0; j < c->node_count && !placed; j++) {
                cnode *dst = c->nodes[j];
                uint32_t saved = dst->node->next_id;
                int id;
                if (dst == src || ncg_node_check(dst->node, &q, NULL) < 0)
                    continue;
                id = ncg_node_allocate(dst->node, &q, NULL, NULL);
                if (id < 0)
                    continue;
                trials[ntrials++] = (trial){dst, (uint32_t)id, saved};
                if ((size_t)moves < size) {
                    strcpy(out[moves].from, src->name);
                    out[moves].alloc_id = r->a.id;
                    strcpy(out[moves].to, dst->name);
                }
                moves++;
                placed = true;
            }
            ok = placed;
        }
        while (ntrials > 0) {
            trial *t = &trials[--ntrials];
            ncg_node_release(t->node->node, t->id, NULL);
            t->node->node->next_id = t->saved_next;
        }
        if (ok) {
            if (out_node)
                strcpy(out_node, src->name);
            rc = moves;
        }
    }
    if (rc == NCG_E_FULL)
        ncg_fail(err, NCG_E_FULL, "no node%s%s can free a window of %d chips by moving allocations elsewhere",
                 group ? " of group " : "", group ? group : "", chips);
done:
    free(cands);
    free(trials);
    return rc;
}
