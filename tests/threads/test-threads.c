/* SPDX-License-Identifier: Apache-2.0 */
/* Thread-safety stress test of the rules in include/ncg.h: distinct handles from distinct threads at once, and
 * any number of threads on one handle through functions taking it const while nobody changes it. Threads share
 * one read-only catalog (types, usable, request checks, layouts, advice, and as the source of new nodes and node
 * groups), one read-only cluster (dump, score, defrag, clone, nodes, env, caches, plans made from it) and one
 * solved plan (summary, replicas, headroom, reasons); each also builds, changes, dumps and restores a node and a
 * cluster of its own. Every result is compared with what one thread computed alone before. Run it under
 * ThreadSanitizer (-Db_sanitize=thread, .ci/run); a race, or a result that differs, fails. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#define THREADS 6

static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            pthread_mutex_lock(&fail_lock);                                                                        \
            failures++;                                                                                            \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                                        \
            fprintf(stderr, __VA_ARGS__);                                                                          \
            fputc('\n', stderr);                                                                                   \
            pthread_mutex_unlock(&fail_lock);                                                                      \
        }                                                                                                          \
    } while (0)

static char *dump(const ncg_cluster *c)
{
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *s;
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        abort();
    if (ncg_cluster_dump(c, s, (size_t)n + 1, NULL) != n)
        abort();
    return s;
}

/* Shared, read-only once the threads start. */
static const ncg_catalog *cat;
static const ncg_cluster *shared_cl;
static const ncg_plan *shared_plan;
static char *shared_dump, *plan_dump, *advice_ref;
static int defrag_ref, headroom_ref[2];
static ncg_plan_summary summary_ref;
static ncg_node_score score_ref;

static const ncg_model model = {sizeof(ncg_model), "bert", 20 * (INT64_C(1) << 30), 1, 0};

static ncg_request req(int64_t inf, int64_t cores, int64_t ppr)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = inf;
    r.neuroncores = cores;
    r.ppr = ppr;
    r.cpu_milli = 500;
    r.memory_bytes = INT64_C(1) << 30;
    return r;
}

static char *advice(const ncg_catalog *c)
{
    ncg_request r = req(1, 0, 1);
    char *buf = malloc(2048);
    int findings = -1;
    r.models = &model;
    r.model_count = 1;
    if (!buf || ncg_request_advice(c, "inf1.6xlarge", &r, buf, 2048, &findings, NULL) < 0 || findings != 2)
        abort();
    return buf;
}

static ncg_cluster *build_cluster(const ncg_catalog *c, int nodes_each)
{
    static const char *const names[] = {"chain", "ring", "torus", "single"};
    static const char *const types[] = {"inf1.6xlarge", "inf2.48xlarge", "trn1.32xlarge", "inf1.xlarge"};
    ncg_cluster *cl = ncg_cluster_new(0, NULL);
    if (!cl)
        abort();
    for (int g = 0; g < 4; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        s.name = names[g];
        s.type = types[g];
        s.max_nodes = 100;
        if (ncg_cluster_add_nodegroup(cl, c, &s, NULL) != g)
            abort();
        for (int n = 0; n < nodes_each; n++)
            if (ncg_cluster_add_node(cl, NULL, names[g], NULL) < 0)
                abort();
    }
    for (int k = 0; k < 40; k++) {
        ncg_request r = req(k % 3 == 0 ? 1 + k % 4 : 0, k % 3 == 1 ? 1 + k % 6 : 0, 1);
        ncg_placement p = NCG_INIT(ncg_placement);
        ncg_cluster_place(cl, &r, NULL, 0, &p, NULL);
    }
    return cl;
}

static void read_catalog(void)
{
    int n = ncg_catalog_type_count(cat);
    CHECK(n == 14, "catalog has %d types", n);
    for (int i = 0; i < n; i += 7) {
        ncg_type t = NCG_INIT(ncg_type);
        int64_t cpu, mem;
        CHECK(ncg_catalog_get_type(cat, i, &t, NULL) == 0, "get_type %d", i);
        CHECK(ncg_catalog_find_type(cat, t.name, NULL, NULL) == i, "find_type %s", t.name);
        CHECK(ncg_catalog_get_usable(cat, t.name, &cpu, &mem, NULL) == 0, "usable %s", t.name);
    }
    {
        ncg_request r = req(2, 0, 4);
        ncg_core_group g[8];
        char *a = advice(cat);
        CHECK(ncg_request_check(cat, "inf1.6xlarge", &r, NULL) == 2, "request_check");
        CHECK(ncg_request_layout(cat, "inf1.6xlarge", &r, g, 8, NULL) == 4 && g[3].first_core == 6, "layout");
        CHECK(strcmp(a, advice_ref) == 0, "advice differs");
        free(a);
    }
}

static void read_shared_cluster(void)
{
    char *d = dump(shared_cl);
    ncg_move moves[8];
    const char *freed = NULL;
    ncg_node_score sc = NCG_INIT(ncg_node_score);
    ncg_request r = req(0, 0, 1);
    ncg_cluster *copy;
    CHECK(strcmp(d, shared_dump) == 0, "shared dump differs");
    free(d);
    CHECK(ncg_cluster_defrag(shared_cl, 8, "torus", moves, 8, &freed, NULL) == defrag_ref, "defrag");
    CHECK(ncg_cluster_score_node(shared_cl, "chain-1", &r, &sc, NULL) == 0 &&
              ncg_node_score_compare(&sc, &score_ref) == 0, "score");
    CHECK(ncg_cluster_get_policy(shared_cl, NULL, NULL) == NCG_POLICY_PACK, "policy");
    for (int i = 0; i < ncg_cluster_node_count(shared_cl); i++) {
        const ncg_node *n = NULL;
        ncg_node_status st = NCG_INIT(ncg_node_status);
        uint64_t ids[64];
        int cnt;
        CHECK(ncg_cluster_get_node(shared_cl, i, &n, NULL, NULL, NULL) == 0, "get_node");
        CHECK(ncg_node_get_status(n, &st, NULL) == 0, "status");
        cnt = ncg_node_get_alloc_ids(n, ids, 64, NULL);
        for (int k = 0; k < cnt && k < 64; k++) {
            ncg_env env = NCG_INIT(ncg_env);
            ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
            ncg_alloc a = NCG_INIT(ncg_alloc);
            CHECK(ncg_node_get_alloc(n, ids[k], &a, NULL) == 0, "alloc");
            if (a.core_count > 0) {
                CHECK(ncg_node_get_env(n, ids[k], 0, &env, NULL) == 0, "env");
                CHECK(ncg_node_get_core_group_cache(n, ids[k], 0, &gc, NULL, 0, NULL) >= 0, "cache");
            }
        }
        if (st.chips > 0) {
            ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
            CHECK(ncg_node_get_chip_cache(n, 0, &cc, NULL) == 0, "chip cache");
        }
    }
    copy = ncg_cluster_clone(shared_cl, NULL);
    CHECK(copy != NULL, "clone");
    if (copy) {
        ncg_placement p = NCG_INIT(ncg_placement);
        d = dump(copy);
        CHECK(strcmp(d, shared_dump) == 0, "clone dump differs");
        free(d);
        CHECK(ncg_cluster_place(copy, &r, NULL, 0, &p, NULL) == 0, "place on the clone");
        ncg_cluster_free(copy);
    }
}

static void read_shared_plan(void)
{
    ncg_plan_summary s = NCG_INIT(ncg_plan_summary);
    char reason[512];
    int unplaced = -1;
    char *d = dump(ncg_plan_get_cluster(shared_plan));
    CHECK(strcmp(d, plan_dump) == 0, "plan cluster differs");
    free(d);
    CHECK(ncg_plan_get_summary(shared_plan, &s, NULL) == 0 && s.placed == summary_ref.placed &&
              s.price_per_hour == summary_ref.price_per_hour, "summary");
    for (int i = 0; i < ncg_plan_replica_count(shared_plan); i++) {
        ncg_plan_replica rep = NCG_INIT(ncg_plan_replica);
        CHECK(ncg_plan_get_replica(shared_plan, i, &rep, NULL) == 0, "replica %d", i);
    }
    for (int a = 0; a < 2; a++) {
        CHECK(ncg_plan_get_headroom(shared_plan, a, NULL) == headroom_ref[a], "headroom %d", a);
        CHECK(ncg_plan_get_unplaced(shared_plan, a, reason, sizeof(reason), &unplaced, NULL) >= 0, "unplaced");
        CHECK(ncg_plan_get_api_name(shared_plan, a) != NULL, "api name");
    }
}

/* Handles of this thread only: a node and a cluster, changed, dumped and restored, and a small plan. */
static void own_handles(unsigned seed)
{
    ncg_node *node = ncg_node_new(cat, "inf1.24xlarge", 0, NULL);
    ncg_cluster *cl = build_cluster(cat, 2);
    uint64_t ids[32];
    int live = 0;
    CHECK(node != NULL, "node_new");
    for (int k = 0; k < 200 && node; k++) {
        seed = seed * 1103515245u + 12345u;
        if (live < 32 && (seed >> 16) % 3) {
            ncg_request r = req(1 + (seed >> 20) % 3, 0, 1);
            ncg_alloc a = NCG_INIT(ncg_alloc);
            if (ncg_node_allocate(node, &r, &a, NULL) == 0)
                ids[live++] = a.id;
        } else if (live) {
            int i = (int)((seed >> 8) % (unsigned)live);
            CHECK(ncg_node_release(node, ids[i], NULL) == 0, "release");
            ids[i] = ids[--live];
        }
    }
    {
        char *d = dump(cl);
        ncg_cluster *r = ncg_cluster_restore(d, 0, NULL);
        char *d2;
        CHECK(r != NULL, "restore");
        d2 = r ? dump(r) : NULL;
        CHECK(d2 && strcmp(d, d2) == 0, "restore dump differs");
        free(d);
        free(d2);
        ncg_cluster_free(r);
    }
    {
        ncg_plan *p = ncg_plan_new(shared_cl, 0, NULL);
        ncg_request r = req(1, 0, 1);
        ncg_api_spec api = NCG_INIT(ncg_api_spec);
        ncg_plan_options o;
        api.name = "mine";
        api.request = &r;
        api.replicas = 5;
        ncg_plan_options_init(&o);
        o.flags = NCG_PLAN_NO_COLGEN;
        CHECK(p && ncg_plan_add_api(p, &api, NULL) == 0 && ncg_plan_set_options(p, &o, NULL) == 0 &&
                  ncg_plan_solve(p, NULL) == 0, "own plan");
        ncg_plan_free(p);
    }
    ncg_node_free(node);
    ncg_cluster_free(cl);
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    int rounds = getenv("NCG_TEST_QUICK") ? 3 : 12;
    for (int i = 0; i < rounds; i++) {
        read_catalog();
        read_shared_cluster();
        read_shared_plan();
        own_handles(seed + (unsigned)i);
    }
    return NULL;
}

int main(void)
{
    ncg_catalog *c = ncg_catalog_new_region("us-east-1", NCG_CATALOG_NEURON, NULL);
    ncg_cluster *cl;
    ncg_plan *plan;
    pthread_t th[THREADS];
    ncg_request r1 = req(1, 0, 1), r2 = req(0, 3, 1);
    ncg_api_spec apis[2] = {NCG_INIT(ncg_api_spec), NCG_INIT(ncg_api_spec)};
    ncg_move moves[8];

    if (!c)
        abort();
    cat = c;
    cl = build_cluster(c, 3);
    shared_cl = cl;
    shared_dump = dump(cl);
    advice_ref = advice(c);
    defrag_ref = ncg_cluster_defrag(cl, 8, "torus", moves, 8, NULL, NULL);
    {
        ncg_request r = req(0, 0, 1);
        score_ref.size = sizeof(score_ref);
        if (ncg_cluster_score_node(cl, "chain-1", &r, &score_ref, NULL) != 0)
            abort();
    }
    plan = ncg_plan_new(cl, 0, NULL);
    apis[0].name = "whole";
    apis[0].request = &r1;
    apis[0].replicas = 20;
    apis[1].name = "cores";
    apis[1].request = &r2;
    apis[1].replicas = 30;
    if (!plan || ncg_plan_add_api(plan, &apis[0], NULL) != 0 || ncg_plan_add_api(plan, &apis[1], NULL) != 1 ||
        ncg_plan_solve(plan, NULL) != 0)
        abort();
    shared_plan = plan;
    plan_dump = dump(ncg_plan_get_cluster(plan));
    summary_ref.size = sizeof(summary_ref);
    ncg_plan_get_summary(plan, &summary_ref, NULL);
    for (int a = 0; a < 2; a++)
        headroom_ref[a] = ncg_plan_get_headroom(plan, a, NULL);

    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i * 7919 + 1)) != 0)
            abort();
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);

    printf("threads: %d threads, %d failures (defrag %d moves, headroom %d/%d)\n", THREADS, failures, defrag_ref,
           headroom_ref[0], headroom_ref[1]);
    free(shared_dump);
    free(plan_dump);
    free(advice_ref);
    ncg_plan_free(plan);
    ncg_cluster_free(cl);
    ncg_catalog_free(c);
    return failures != 0;
}
