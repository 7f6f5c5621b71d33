/* SPDX-License-Identifier: Apache-2.0 */
/* Online placement replay: ncg_cluster_place() against a best-fit linear scan written here, on node groups of
 * inf1, inf2 and trn1 types added in ascending, descending and shuffled price order, for each window policy.
 *
 * Pods: the request shapes of bench/data/alibaba-gpu-v2025 (GPU pods become 1-chip pods, CPU pods CPU-only
 * pods, both scaled to these node sizes) mixed with the bench's synthetic Cortex-like shapes (1 to 8 whole chips)
 * and core-granular pods (1 to 4 NeuronCores). Phase 1: arrivals and departures (3:2) until the first placement
 * fails: the share of NeuronCores allocated then is "fill at 1st failure". Phase 2: arrivals only until 200 in a row
 * fail: the cluster is saturated; "stranded" is the share of NeuronCores that are free on nodes whose free CPU or
 * memory fits no accelerator shape of the mix. Every placement is timed; p99 is also reported per tenth of fill,
 * the worst of them as "worst p99"; NCG_BENCH_VERBOSE=1 prints each tenth's figures, and those of the placements
 * that succeeded apart (a failure costs a few hundred nanoseconds, so the failures of a saturated cluster lower
 * the last tenth's p99), and the placements at 70% of the cores or more by kind of request. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ncg.h>

#include "online.h"

#define GIB (INT64_C(1) << 30)
#define MAX_SHAPES 256

typedef struct shape {
    int64_t inf, cores, cpu, mem;
    int weight;
} shape;

typedef struct mix {
    shape s[MAX_SHAPES];
    int count, total_weight;
} mix;

static uint64_t rnd(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void add_shape(mix *m, int64_t inf, int64_t cores, int64_t cpu, int64_t mem, int weight)
{
    for (int i = 0; i < m->count; i++)
        if (m->s[i].inf == inf && m->s[i].cores == cores && m->s[i].cpu == cpu && m->s[i].mem == mem) {
            m->s[i].weight += weight;
            m->total_weight += weight;
            return;
        }
    if (m->count == MAX_SHAPES)
        return;
    m->s[m->count++] = (shape){inf, cores, cpu, mem, weight};
    m->total_weight += weight;
}

/* The Alibaba shapes, weighted by their pods: GPU pods as 1 chip with a quarter of their CPU and memory, CPU pods
 * with an eighth (the trace's nodes are far larger than one Neuron chip's share). */
static int alibaba_shapes(mix *m, const char *data_dir)
{
    char path[1024], line[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/alibaba-gpu-v2025/disaggregated_DLRM_trace.csv", data_dir);
    if (!(f = fopen(path, "r")))
        return -1;
    if (!fgets(line, sizeof(line), f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *fld[20], *s = line;
        int n = 0;
        while (n < 20) {
            fld[n++] = s;
            s = strchr(s, ',');
            if (!s)
                break;
            *s++ = '\0';
        }
        if (n < 10)
            continue;
        if (atoi(fld[5]) > 0)
            add_shape(m, 1, 0, (int64_t)(atof(fld[3]) * 250), (int64_t)(atof(fld[9]) * (double)GIB / 4), 1);
        else
            add_shape(m, 0, 0, (int64_t)(atof(fld[3]) * 125), (int64_t)(atof(fld[9]) * (double)GIB / 8), 1);
    }
    fclose(f);
    return 0;
}

/* The bench's synthetic mix (whole chips 1-8, CPU 0.5-8, memory 1-32Gi) and core-granular pods, as many pods as
 * the trace's shapes together. */
static void synthetic_shapes(mix *m, uint64_t seed)
{
    static const int infs[] = {1, 1, 2, 2, 4, 8};
    int w = m->total_weight / 60;
    for (int i = 0; i < 30; i++)
        add_shape(m, infs[rnd(&seed) % 6], 0, 500 + (int64_t)(rnd(&seed) % 7501),
                  GIB * (1 + (int64_t)(rnd(&seed) % 32)), w > 0 ? w : 1);
    for (int i = 0; i < 30; i++)
        add_shape(m, 0, 1 + (int64_t)(rnd(&seed) % 4), 250 + (int64_t)(rnd(&seed) % 3751),
                  GIB / 2 * (1 + (int64_t)(rnd(&seed) % 16)), w > 0 ? w : 1);
}

static const shape *draw(const mix *m, uint64_t *seed)
{
    int x = (int)(rnd(seed) % (uint64_t)m->total_weight);
    for (int i = 0; i < m->count; i++) {
        if (x < m->s[i].weight)
            return &m->s[i];
        x -= m->s[i].weight;
    }
    return &m->s[m->count - 1];
}

static ncg_request request_of(const shape *s)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = s->inf;
    r.neuroncores = s->cores;
    r.cpu_milli = s->cpu;
    r.memory_bytes = s->mem;
    return r;
}

/* ---- the cluster: node groups by price ---- */

static const char *const types[] = {"inf1.6xlarge", "inf1.24xlarge", "inf2.24xlarge", "inf2.48xlarge",
                                    "trn1.32xlarge"}; /* ascending price */
#define NTYPES 5

enum { ASCENDING, DESCENDING, SHUFFLED };
static const char *const order_names[] = {"ascending", "descending", "shuffled"};

static void group_order(int order, int *out)
{
    static const int shuffled[NTYPES] = {3, 0, 4, 2, 1};
    for (int i = 0; i < NTYPES; i++)
        out[i] = order == ASCENDING ? i : order == DESCENDING ? NTYPES - 1 - i : shuffled[i];
}

/* ---- the system under test: ncg_cluster_place(), or a best-fit scan over ncg_node handles ---- */

typedef struct sut {
    bool linear;
    ncg_cluster *cluster;
    /* the scan's nodes, in node order, with their use cached */
    ncg_node **nodes;
    ncg_node_status *st;
    int n;
} sut;

typedef struct pod {
    int node;
    uint64_t id;
} pod;

static void sut_new(sut *u, const ncg_catalog *cat, unsigned nodes, int order, ncg_policy policy, bool linear)
{
    int ord[NTYPES];
    memset(u, 0, sizeof(*u));
    u->linear = linear;
    group_order(order, ord);
    u->cluster = ncg_cluster_new(0, NULL);
    for (int g = 0; g < NTYPES; g++) {
        ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
        spec.name = types[ord[g]];
        spec.type = types[ord[g]];
        spec.max_nodes = nodes;
        ncg_cluster_add_nodegroup(u->cluster, cat, &spec, NULL);
    }
    ncg_cluster_set_policy(u->cluster, NULL, policy, NULL);
    /* the nodes in one order whatever the node groups' order: type i % NTYPES */
    for (unsigned i = 0; i < nodes; i++)
        ncg_cluster_add_node(u->cluster, NULL, types[i % NTYPES], NULL);
    if (linear) {
        u->n = (int)nodes;
        u->nodes = calloc((size_t)nodes, sizeof(*u->nodes));
        u->st = calloc((size_t)nodes, sizeof(*u->st));
        for (unsigned i = 0; i < nodes; i++) {
            u->nodes[i] = ncg_node_new(cat, types[i % NTYPES], 0, NULL);
            ncg_node_set_policy(u->nodes[i], policy, NULL);
            u->st[i].size = sizeof(ncg_node_status);
            ncg_node_get_status(u->nodes[i], &u->st[i], NULL);
        }
    }
}

static void sut_free(sut *u)
{
    for (int i = 0; i < u->n; i++)
        ncg_node_free(u->nodes[i]);
    free(u->nodes);
    free(u->st);
    ncg_cluster_free(u->cluster);
}

/* Best fit: of the nodes where the pod fits, the one with the least free capacity left, as the sum of its free
 * fractions of NeuronCores, CPU and memory after the pod. */
static int scan_place(sut *u, const ncg_request *r, pod *out)
{
    int best = -1;
    double best_score = 1e300;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    for (int i = 0; i < u->n; i++) {
        const ncg_node_status *s = &u->st[i];
        int64_t need_cores = r->inf ? r->inf * s->cores_per_chip : r->neuroncores;
        double score;
        if (s->cpu_free_milli < r->cpu_milli || s->memory_free_bytes < r->memory_bytes || s->free_cores < need_cores ||
            (r->inf && s->largest_window < r->inf))
            continue;
        score = (double)(s->free_cores - need_cores) / (s->chips * s->cores_per_chip) +
                (double)(s->cpu_free_milli - r->cpu_milli) / (double)s->cpu_usable_milli +
                (double)(s->memory_free_bytes - r->memory_bytes) / (double)s->memory_usable_bytes;
        if (score < best_score && ncg_node_check(u->nodes[i], r, NULL) == 0) {
            best = i;
            best_score = score;
        }
    }
    if (best < 0 || ncg_node_allocate(u->nodes[best], r, &a, NULL) < 0)
        return -1;
    ncg_node_get_status(u->nodes[best], &u->st[best], NULL);
    out->node = best;
    out->id = a.id;
    return 0;
}

static int sut_place(sut *u, const ncg_request *r, pod *out)
{
    ncg_placement pl = NCG_INIT(ncg_placement);
    if (u->linear)
        return scan_place(u, r, out);
    if (ncg_cluster_place(u->cluster, r, NULL, 0, &pl, NULL) < 0)
        return -1;
    out->node = pl.node_index;
    out->id = pl.alloc_id;
    return 0;
}

static void sut_release(sut *u, const pod *p)
{
    if (u->linear) {
        ncg_node_release(u->nodes[p->node], p->id, NULL);
        ncg_node_get_status(u->nodes[p->node], &u->st[p->node], NULL);
    } else {
        const char *name = NULL;
        ncg_cluster_get_node(u->cluster, p->node, NULL, &name, NULL, NULL);
        ncg_cluster_release(u->cluster, name, p->id, NULL);
    }
}

static const ncg_node *sut_node(const sut *u, int i)
{
    const ncg_node *n = NULL;
    if (u->linear)
        return u->nodes[i];
    ncg_cluster_get_node(u->cluster, i, &n, NULL, NULL, NULL);
    return n;
}

/* Cores in use and in total; stranded: free on nodes whose free CPU or memory fits no accelerator shape. */
static void census(const sut *u, int nodes, const mix *m, int64_t *used, int64_t *total, int64_t *stranded)
{
    *used = *total = *stranded = 0;
    for (int i = 0; i < nodes; i++) {
        ncg_node_status s = NCG_INIT(ncg_node_status);
        bool usable = false;
        int cores;
        ncg_node_get_status(sut_node(u, i), &s, NULL);
        cores = s.chips * s.cores_per_chip;
        *total += cores;
        *used += cores - s.free_cores;
        for (int k = 0; k < m->count && !usable && s.free_cores > 0; k++)
            usable = (m->s[k].inf || m->s[k].cores) && m->s[k].cpu <= s.cpu_free_milli &&
                     m->s[k].mem <= s.memory_free_bytes;
        if (!usable)
            *stranded += s.free_cores;
    }
}

typedef struct outcome {
    double p50, p99, worst_p99;    /* ns */
    double fill_first_failure;     /* share of cores */
    double stranded;               /* share of cores, at saturation */
    double fill_end;
    long placements;
} outcome;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, long n, double q)
{
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[(long)(q * (double)(n - 1))];
}

static outcome replay(const ncg_catalog *cat, const mix *m, int nodes, int order, ncg_policy policy, bool linear,
                      uint64_t seed)
{
    sut u;
    outcome o = {0};
    long cap = (long)nodes * 200, count = 0, ntimes = 0, bucket_n[10] = {0};
    pod *live = malloc((size_t)cap * sizeof(*live));
    double *times = malloc((size_t)cap * 2 * sizeof(double)), *buckets[10], *ok[10]; /* ok: -1 for a failure */
    double *by_kind[3]; /* NCG_BENCH_VERBOSE: placements that succeeded at 70% of the cores or more, by kind */
    long kind_n[3] = {0};
    int64_t used = 0, total = 0, stranded;
    int fails = 0;
    bool failed = false;
    for (int b = 0; b < 10; b++) {
        buckets[b] = malloc((size_t)cap * 2 * sizeof(double));
        ok[b] = malloc((size_t)cap * 2 * sizeof(double));
    }
    for (int k = 0; k < 3; k++)
        by_kind[k] = malloc((size_t)cap * 2 * sizeof(double));
    sut_new(&u, cat, (unsigned)nodes, order, policy, linear);
    census(&u, nodes, m, &used, &total, &stranded);
    while (fails < 200 && ntimes < cap * 2) {
        bool arrive = !failed ? count == 0 || rnd(&seed) % 5 < 3 : true;
        if (arrive) {
            ncg_request r = request_of(draw(m, &seed));
            pod p;
            double t0 = now_ns(), dt;
            int rc = sut_place(&u, &r, &p), b;
            dt = now_ns() - t0;
            b = (int)(10 * used / (total ? total : 1));
            b = b > 9 ? 9 : b;
            times[ntimes++] = dt;
            if (rc == 0 && b >= 7) {
                int kind = r.inf > 0 ? 0 : r.neuroncores > 0 ? 1 : 2;
                by_kind[kind][kind_n[kind]++] = dt;
            }
            ok[b][bucket_n[b]] = rc == 0 ? dt : -1;
            buckets[b][bucket_n[b]++] = dt;
            if (rc == 0) {
                const ncg_node *n = sut_node(&u, p.node);
                ncg_alloc a = NCG_INIT(ncg_alloc);
                ncg_node_get_alloc(n, p.id, &a, NULL);
                used += a.core_count;
                if (count < cap)
                    live[count++] = p;
                fails = 0;
            } else {
                if (!failed)
                    o.fill_first_failure = (double)used / (double)total;
                failed = true;
                fails++;
            }
        } else {
            long k = (long)(rnd(&seed) % (uint64_t)count);
            ncg_alloc a = NCG_INIT(ncg_alloc);
            ncg_node_get_alloc(sut_node(&u, live[k].node), live[k].id, &a, NULL);
            used -= a.core_count;
            sut_release(&u, &live[k]);
            live[k] = live[--count];
        }
    }
    census(&u, nodes, m, &used, &total, &stranded);
    o.stranded = (double)stranded / (double)total;
    o.fill_end = (double)used / (double)total;
    o.placements = ntimes;
    o.p50 = pct(times, ntimes, 0.5);
    o.p99 = pct(times, ntimes, 0.99);
    for (int b = 0; b < 10; b++) {
        if (bucket_n[b] >= 100) {
            double p = pct(buckets[b], bucket_n[b], 0.99);
            if (p > o.worst_p99)
                o.worst_p99 = p;
            if (getenv("NCG_BENCH_VERBOSE")) { /* where the worst p99 comes from: failures are cheap, and dilute it */
                long nok = 0;
                for (long k = 0; k < bucket_n[b]; k++)
                    if (ok[b][k] >= 0)
                        ok[b][nok++] = ok[b][k];
                fprintf(stderr, "%s %d nodes, fill %d0-%d0%%: %ld placements, p50 %.0f p99 %.0f p99.9 %.0f ns; "
                        "the %ld that succeeded: p50 %.0f p99 %.0f ns\n", linear ? "bestfit" : "libncg", nodes, b,
                        b + 1, bucket_n[b], pct(buckets[b], bucket_n[b], 0.5), p,
                        pct(buckets[b], bucket_n[b], 0.999), nok, pct(ok[b], nok, 0.5), pct(ok[b], nok, 0.99));
            }
        }
        free(buckets[b]);
        free(ok[b]);
    }
    if (getenv("NCG_BENCH_VERBOSE")) {
        static const char *const kinds[] = {"whole chips", "NeuronCores", "CPU only"};
        for (int k = 0; k < 3; k++)
            fprintf(stderr, "%s %d nodes, fill 70-100%%, %s: %ld placed, p50 %.0f p99 %.0f ns\n",
                    linear ? "bestfit" : "libncg", nodes, kinds[k], kind_n[k], pct(by_kind[k], kind_n[k], 0.5),
                    pct(by_kind[k], kind_n[k], 0.99));
    }
    for (int k = 0; k < 3; k++)
        free(by_kind[k]);
    sut_free(&u);
    free(live);
    free(times);
    return o;
}

int online_bench(const char *data_dir, int quick, int only_nodes)
{
    static const int sizes[] = {1000, 20000};
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    mix m = {0};
    int failures = 0;
    if (alibaba_shapes(&m, data_dir) < 0) {
        printf("online: cannot read the Alibaba trace under %s\n", data_dir);
        ncg_catalog_free(cat);
        return 1;
    }
    synthetic_shapes(&m, 7);
    printf("\nonline placement replay: %d pod shapes (Alibaba trace + synthetic, whole-chip, core-granular and "
           "CPU-only); node groups %s, %s, %s, %s, %s\n", m.count, types[0], types[1], types[2], types[3], types[4]);
    printf("%-6s %-10s %-10s %-8s %9s %8s %8s %10s %8s %9s %8s\n", "nodes", "policy", "order", "placer", "placed",
           "p50 ns", "p99 ns", "worst p99", "fill@1st", "stranded", "fill end");
    for (int si = 0; si < (only_nodes ? 1 : 2); si++) {
        int nodes = only_nodes ? only_nodes : quick ? (si ? 400 : 100) : sizes[si];
        for (int pol = 0; pol < 2; pol++) {
            outcome lib[3], bf[3];
            double lo = 1, hi = 0;
            for (int order = 0; order < 3; order++) {
                bool scan = nodes <= 1000; /* the scan is quadratic: run it at 1,000 nodes (and in --quick) */
                lib[order] = replay(cat, &m, nodes, order, (ncg_policy)pol, false, 11);
                if (scan)
                    bf[order] = replay(cat, &m, nodes, order, (ncg_policy)pol, true, 11);
                for (int k = 0; k < 1 + scan; k++) {
                    const outcome *o = k ? &bf[order] : &lib[order];
                    printf("%-6d %-10s %-10s %-8s %9ld %8.0f %8.0f %10.0f %7.2f%% %8.2f%% %7.2f%%\n", nodes,
                           pol ? "first-fit" : "pack", order_names[order], k ? "bestfit" : "libncg", o->placements,
                           o->p50, o->p99, o->worst_p99, 100 * o->fill_first_failure, 100 * o->stranded,
                           100 * o->fill_end);
                }
                if (lib[order].fill_first_failure < lo)
                    lo = lib[order].fill_first_failure;
                if (lib[order].fill_first_failure > hi)
                    hi = lib[order].fill_first_failure;
                if (scan && !quick) {
                    /* targets (not checked in --quick: too few nodes for stable figures) */
                    if (lib[order].p99 > bf[order].p99)
                        printf("  MISS: p99 %.0f ns above the scan's %.0f ns\n", lib[order].p99, bf[order].p99);
                    if (lib[order].fill_first_failure < bf[order].fill_first_failure)
                        printf("  MISS: first failure at %.2f%%, best-fit at %.2f%%\n",
                               100 * lib[order].fill_first_failure, 100 * bf[order].fill_first_failure);
                    if (lib[order].stranded > bf[order].stranded)
                        printf("  MISS: stranded %.2f%%, best-fit %.2f%%\n", 100 * lib[order].stranded,
                               100 * bf[order].stranded);
                }
                if (!quick && nodes >= 20000 && lib[order].worst_p99 > 2000)
                    printf("  MISS: worst p99 %.0f ns above 2 us\n", lib[order].worst_p99);
            }
            printf("  group orders: fill at first failure within %.2f points\n", 100 * (hi - lo));
            if (!quick && hi - lo > 0.01)
                printf("  MISS: group orders more than 1 point apart\n");
        }
    }
    ncg_catalog_free(cat);
    return failures ? 1 : 0;
}
