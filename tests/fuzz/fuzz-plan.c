/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target of the planner: the input is decoded into a small cluster (1 to 3 node groups of Neuron and
 * CPU-only types, with min and max instances, prices and priorities) and 1 to 4 APIs (whole chips, NeuronCores or CPU only,
 * processes per replica, CPU, memory, replicas, max_per_node, the node groups they may use), planned with a small
 * deterministic work limit, with column generation on or off. It checks, through the public API and the independent
 * validator of bench/validate.c:
 * - the solve succeeds, and every replica asked for is placed or reported unplaced;
 * - every placed replica is valid on its node (windows, NCGs, capacities), no node group past its max_instances;
 * - the price is the sum of the plan's nodes' prices, and the bound is at most the price;
 * - every node group within its min_instances and max_instances, and no new node without a replica unless
 *   min_instances needs it;
 * - the same input planned again gives the same price, bound and cluster (dump), to the byte.
 * Seed corpus: tests/fuzz/corpus/plan. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                                  \
    do {                                                                                                           \
        fprintf(stderr, "fuzz-plan: " __VA_ARGS__);                                                                \
        fputc('\n', stderr);                                                                                       \
        abort();                                                                                                   \
    } while (0)

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static unsigned u8(in *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

/* The catalog, built once and only read. */
static ncg_catalog *cat;

static const char *const types[] = {"inf1.xlarge", "inf1.6xlarge", "inf2.xlarge", "inf2.24xlarge", "trn1.2xlarge",
                                    "trn1.32xlarge", "m5.large", "c5.xlarge"};
#define NTYPES (sizeof(types) / sizeof(types[0]))

typedef struct input {
    int groups;
    ncg_nodegroup_spec g[3];
    char names[3][16];
    int apis;
    ncg_request r[4];
    validate_api v[4];
    ncg_api_spec a[4];
    char api_names[4][16];
    const char *allowed[4][3];
    ncg_plan_options o;
} input;

static void decode(in *s, input *x)
{
    memset(x, 0, sizeof(*x));
    x->groups = 1 + (int)(u8(s) % 3);
    for (int i = 0; i < x->groups; i++) {
        ncg_nodegroup_spec *g = &x->g[i];
        *g = (ncg_nodegroup_spec)NCG_INIT(ncg_nodegroup_spec);
        snprintf(x->names[i], sizeof(x->names[i]), "g%d", i);
        g->name = x->names[i];
        g->type = types[u8(s) % NTYPES];
        g->max_nodes = 1 + (int)(u8(s) % 12);
        if (u8(s) % 2) {
            g->has_price = 1;
            g->usd_per_hour = (double)(u8(s) % 40) / 4;
        }
        g->priority = (int)(u8(s) % 3);
        g->min_nodes = (int)(u8(s) % 4);
        if (g->min_nodes > g->max_nodes)
            g->min_nodes = g->max_nodes;
    }
    x->apis = 1 + (int)(u8(s) % 4);
    for (int i = 0; i < x->apis; i++) {
        ncg_request *r = &x->r[i];
        unsigned kind = u8(s) % 3;
        ncg_request_init(r);
        if (kind == 0)
            r->inf = 1 + (int64_t)(u8(s) % 4);
        else if (kind == 1)
            r->neuroncores = 1 + (int64_t)(u8(s) % 8);
        r->ppr = 1 + (int)(u8(s) % 4);
        r->cpu_milli = (int64_t)(u8(s) % 16) * 250;
        r->memory_bytes = (int64_t)(u8(s) % 16) << 29;
        snprintf(x->api_names[i], sizeof(x->api_names[i]), "a%d", i);
        x->a[i] = (ncg_api_spec)NCG_INIT(ncg_api_spec);
        x->a[i].name = x->api_names[i];
        x->a[i].request = r;
        x->a[i].replicas = (int)(u8(s) % 21);
        x->a[i].max_per_node = (int)(u8(s) % 4);
        {
            unsigned mask = u8(s) % (1u << x->groups);
            for (int k = 0; k < x->groups; k++)
                if (mask & (1u << k))
                    x->allowed[i][x->a[i].nodegroup_count++] = x->names[k];
            x->a[i].nodegroups = x->a[i].nodegroup_count ? x->allowed[i] : NULL;
        }
        x->v[i] = (validate_api){*r, x->a[i].replicas, x->a[i].max_per_node};
    }
    ncg_plan_options_init(&x->o);
    x->o.work_limit = 2000000;
    if (u8(s) % 4 == 0)
        x->o.flags = NCG_PLAN_NO_COLGEN;
}

/* Plan the input; NULL when the input is refused (a request no type takes, a bad ppr: errors of add_api). */
static ncg_plan *plan_of(const input *x, ncg_cluster **cl)
{
    ncg_plan *p;
    *cl = ncg_cluster_new(0, NULL);
    if (!*cl)
        abort();
    for (int i = 0; i < x->groups; i++)
        if (ncg_cluster_add_nodegroup(*cl, cat, &x->g[i], NULL) < 0)
            FAIL("node group %d refused", i);
    if (!(p = ncg_plan_new(*cl, 0, NULL)))
        abort();
    if (ncg_plan_set_options(p, &x->o, NULL) < 0)
        FAIL("options refused");
    for (int i = 0; i < x->apis; i++)
        if (ncg_plan_add_api(p, &x->a[i], NULL) < 0) {
            ncg_plan_free(p);
            ncg_cluster_free(*cl);
            return NULL;
        }
    return p;
}

/* The plan's cluster as text (malloc'd). */
static char *dump_of(const ncg_plan *p)
{
    const ncg_cluster *c = ncg_plan_get_cluster(p);
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *t;
    if (n < 0 || !(t = malloc((size_t)n + 1)))
        abort();
    if (ncg_cluster_dump(c, t, (size_t)n + 1, NULL) != n)
        FAIL("dump length changed");
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in s = {data, size};
    input x;
    ncg_cluster *cl, *cl2;
    ncg_plan *p, *p2;
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary), sum2 = NCG_INIT(ncg_plan_summary);
    ncg_error e;
    char msg[512];
    double price = 0;
    char *d1, *d2;
    int asked = 0;
    if (!cat && !(cat = ncg_catalog_new_region("us-east-1", 0, NULL)))
        abort();
    decode(&s, &x);
    if (!(p = plan_of(&x, &cl)))
        return 0;
    if (ncg_plan_solve(p, &e) < 0)
        FAIL("solve failed: %s", e.message);
    ncg_plan_get_summary(p, &sum, NULL);
    for (int i = 0; i < x.apis; i++)
        asked += x.a[i].replicas;
    if (sum.replicas != asked || sum.placed + sum.unplaced != asked)
        FAIL("%d replicas asked, summary %d: %d placed, %d unplaced", asked, sum.replicas, sum.placed, sum.unplaced);
    if (validate_plan(p, x.v, x.apis, msg, sizeof(msg)) < 0)
        FAIL("invalid plan: %s", msg);
    if (validate_cluster(ncg_plan_get_cluster(p), &price, msg, sizeof(msg)) < 0)
        FAIL("invalid cluster: %s", msg);
    if (fabs(price - sum.price_per_hour) > 1e-6 * (1 + price))
        FAIL("price %.9f, its nodes add up to %.9f", sum.price_per_hour, price);
    if (sum.lower_bound_per_hour > sum.price_per_hour * (1 + 1e-9) + 1e-9)
        FAIL("bound %.9f above the price %.9f", sum.lower_bound_per_hour, sum.price_per_hour);
    for (int g = 0; g < x.groups; g++) {
        int nodes = 0;
        const ncg_cluster *c = ncg_plan_get_cluster(p);
        for (int i = 0; i < ncg_cluster_node_count(c); i++) {
            int group;
            if (ncg_cluster_get_node(c, i, NULL, NULL, &group, NULL) == 0 && group == g)
                nodes++;
        }
        if (nodes > x.g[g].max_nodes)
            FAIL("node group %d: %d nodes, max_instances %d", g, nodes, x.g[g].max_nodes);
    }
    /* The same input again: the same plan. */
    if (!(p2 = plan_of(&x, &cl2)))
        FAIL("the input was refused the second time");
    if (ncg_plan_solve(p2, &e) < 0)
        FAIL("second solve failed: %s", e.message);
    ncg_plan_get_summary(p2, &sum2, NULL);
    d1 = dump_of(p);
    d2 = dump_of(p2);
    if (sum2.price_per_hour != sum.price_per_hour || sum2.lower_bound_per_hour != sum.lower_bound_per_hour ||
        strcmp(d1, d2) != 0)
        FAIL("not deterministic: price %.9f then %.9f, bound %.9f then %.9f", sum.price_per_hour,
             sum2.price_per_hour, sum.lower_bound_per_hour, sum2.lower_bound_per_hour);
    free(d1);
    free(d2);
    ncg_plan_free(p);
    ncg_plan_free(p2);
    ncg_cluster_free(cl);
    ncg_cluster_free(cl2);
    return 0;
}
