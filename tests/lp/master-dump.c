/* SPDX-License-Identifier: Apache-2.0 */
/* Print the configuration LP's last restricted master of every bench workload at 1,000 and 10,000 replicas (and
 * of the Alibaba trace, given its path), as the planner generates it, for test_master_highs.py to solve with
 * HiGHS. Per workload:
 *   workload NAME
 *   stopped S value V            (S: ncg_plan_stop; V: the master's optimum as libncg found it)
 *   size APIS BINS
 *   demand r_0 ... r_{APIS-1}    (the rows' right-hand sides: replicas, 0 for an API no bin can hold)
 *   bin PRICE MIN MAX            (BINS lines)
 *   pattern BIN c_0 ... c_{APIS-1}
 *   end
 * The master is min sum price_bin x_p s.t. sum_p c_ip x_p >= r_i, MIN <= sum_{p of bin} x_p <= MAX, x >= 0, over
 * the patterns the LP uses (they hold an optimal solution, so the optimum is the same as over every pattern). */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "workloads.h"

static int dump(const workload *w)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_plan *p;
    ncg_error err;
    int rc = 0;
    for (int t = 0; t < w->type_count; t++) {
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        g.name = w->types[t];
        g.type = w->types[t];
        g.max_nodes = 1000000;
        ncg_cluster_add_nodegroup(c, w->catalog, &g, NULL);
    }
    p = ncg_plan_new(c, 0, NULL);
    for (int i = 0; p && i < w->api_count; i++) {
        ncg_api_spec a = NCG_INIT(ncg_api_spec);
        a.name = w->names[i];
        a.request = &w->apis[i].request;
        a.replicas = w->apis[i].replicas;
        a.max_per_node = w->apis[i].max_per_node;
        ncg_plan_add_api(p, &a, NULL);
    }
    if (!p || plan_analyse(p, &err) < 0 || plan_column_generation(p, &err) < 0 || !p->have_cg) {
        fprintf(stderr, "%s: no master LP\n", w->name);
        rc = 1;
    } else {
        const ncg_cg_problem *pb = &p->cg;
        const ncg_cg_result *r = &p->cg_result;
        printf("workload %s\nstopped %d value %.17g\nsize %d %d\ndemand", w->name, r->stopped, r->lp_value, pb->apis,
               pb->bins);
        for (int i = 0; i < pb->apis; i++) {
            int usable = 0;
            for (int b = 0; b < pb->bins; b++)
                usable |= pb->item[(size_t)b * (size_t)pb->apis + (size_t)i].limit > 0;
            printf(" %d", usable ? pb->demand[i] : 0);
        }
        printf("\n");
        for (int b = 0; b < pb->bins; b++)
            printf("bin %.17g %d %d\n", pb->bin[b].price, pb->bin[b].min_nodes, pb->bin[b].max_nodes);
        for (int k = 0; k < r->pattern_count; k++) {
            printf("pattern %d", r->patterns[k].bin);
            for (int i = 0; i < pb->apis; i++)
                printf(" %d", r->patterns[k].counts[i]);
            printf("\n");
        }
        printf("end\n");
    }
    ncg_plan_free(p);
    ncg_cluster_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    static const int sizes[] = {1000, 10000};
    workload w;
    int rc = 0;
    for (int s = 0; s < 2; s++)
        for (int f = 0; f < 2; f++)
            for (int napis = 10; napis <= 50; napis += 40) {
                synthetic(&w, f ? "inf2" : "inf1", f ? inf2_types : inf1_types, napis, sizes[s], 42 + napis);
                rc |= dump(&w);
                workload_free(&w);
            }
    {
        static const int torus_infs[] = {0, 1, 4, 8, 16, 1};
        mix(&w, "torus", "trn1", trn1_types, 3, torus_infs, 10, 1000, 7);
        rc |= dump(&w);
        workload_free(&w);
        mix(&w, "large", "inf1", inf1_types, 4, large_infs, 10, 1000, 11);
        rc |= dump(&w);
        workload_free(&w);
    }
    if (argc > 1) {
        if (alibaba(&w, argv[1]) < 0) {
            fprintf(stderr, "cannot read %s\n", argv[1]);
            return 1;
        }
        rc |= dump(&w);
        workload_free(&w);
    }
    return rc;
}
