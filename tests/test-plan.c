/* SPDX-License-Identifier: Apache-2.0 */
/* Plans checked by the independent validator of bench/validate.c on fixed and randomised workloads. */
#include "test-common.h"
#include "validate.h"

typedef validate_api api_in;

static void validate(const ncg_plan *p, const api_in *apis, int napis)
{
    char msg[512] = "";
    ck_assert_msg(validate_plan(p, apis, napis, msg, sizeof(msg)) == 0, "%s", msg);
}

static uint64_t rng(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void random_plan(uint64_t seed, const char *const *types, int ntypes)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = ncg_cluster_new(NULL);
    api_in apis[20];
    ncg_plan *p;
    char *a, *b;
    int napis = 5 + (int)(rng(&seed) % 15), len;
    ncg_cluster *back;
    for (int i = 0; i < ntypes; i++) {
        ncg_group_spec g = {.name = types[i], .type = types[i], .min_nodes = i == 0, .max_nodes = 1000};
        ck_assert_int_ge(ncg_cluster_add_group(c, cat, &g, NULL), 0);
    }
    p = ncg_plan_new(c, NULL);
    for (int i = 0; i < napis; i++) {
        static const int infs[] = {0, 1, 2, 4, 8, 16};
        ncg_api_spec s = {0};
        int64_t pprs[64];
        char name[16];
        int k;
        snprintf(name, sizeof(name), "api%d", i);
        ncg_request_init(&apis[i].request);
        apis[i].request.inf = infs[rng(&seed) % 6];
        if (apis[i].request.inf) {
            k = ncg_ppr_values(apis[i].request.inf * 2, pprs, 64, NULL);
            apis[i].request.ppr = pprs[rng(&seed) % (uint64_t)k];
        }
        apis[i].request.cpu_milli = 500 + (int64_t)(rng(&seed) % 15500);
        apis[i].request.memory_bytes = GIB * (1 + (int64_t)(rng(&seed) % 64));
        apis[i].replicas = (int)(rng(&seed) % 40);
        apis[i].max_per_node = rng(&seed) % 4 == 0 ? 2 : 0;
        s.name = name;
        s.request = apis[i].request;
        s.replicas = apis[i].replicas;
        s.max_per_node = apis[i].max_per_node;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, apis, napis);
    for (int i = 0; i < napis; i++)
        ck_assert_int_ge(ncg_plan_headroom(p, i, NULL), 0);
    /* dump/restore round-trips on the planned cluster, and headroom left it unchanged */
    len = ncg_cluster_dump(ncg_plan_cluster(p), NULL, 0, NULL);
    a = malloc((size_t)len + 1);
    ncg_cluster_dump(ncg_plan_cluster(p), a, (size_t)len + 1, NULL);
    back = ncg_cluster_restore(a, NULL);
    ck_assert_ptr_nonnull(back);
    b = malloc((size_t)len + 1);
    ck_assert_int_eq(ncg_cluster_dump(back, b, (size_t)len + 1, NULL), len);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ncg_cluster_free(back);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}

START_TEST(random_inf2)
{
    static const char *const types[] = {"inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};
    random_plan(1000 + (uint64_t)_i, types, 4);
}
END_TEST

START_TEST(random_trn1)
{
    static const char *const types[] = {"trn1.2xlarge", "trn1.32xlarge", "inf1.24xlarge"};
    random_plan(2000 + (uint64_t)_i, types, 3);
}
END_TEST

/* A small case solved by hand: 6 replicas of 2 chips on inf1.6xlarge (4 chips) need 3 nodes; the bound is exact. */
START_TEST(exact_small_case)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = ncg_cluster_new(NULL);
    ncg_group_spec g = {.name = "inf", .type = "inf1.6xlarge", .max_nodes = 2};
    api_in in = {.replicas = 6};
    ncg_api_spec s = {.name = "resnet", .replicas = 6};
    ncg_plan_summary sum;
    ncg_plan *p;
    char reason[256];
    ncg_cluster_add_group(c, cat, &g, NULL);
    p = ncg_plan_new(c, NULL);
    ncg_request_init(&in.request);
    in.request.inf = 2;
    in.request.ppr = 4;
    s.request = in.request;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, &in, 1);
    ncg_plan_get_summary(p, &sum, NULL);
    ck_assert_int_eq(sum.nodes, 2);
    ck_assert_int_eq(sum.placed, 4);
    ck_assert_double_eq_tol(sum.price_per_hour, 2.36, 1e-9);
    ck_assert_double_eq_tol(sum.lower_bound_per_hour, 2.36, 1e-9);
    ck_assert_int_eq(ncg_plan_unplaced(p, 0, reason, sizeof(reason), NULL), 2);
    ck_assert_str_eq(reason, "max_instances reached: group inf (2 nodes)");
    ck_assert_int_eq(ncg_plan_headroom(p, 0, NULL), 0);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

Suite *suite_plan(void)
{
    Suite *s = suite_create("plan");
    TCase *t = tcase_create("plan");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, exact_small_case);
    tcase_add_loop_test(t, random_inf2, 0, 20);
    tcase_add_loop_test(t, random_trn1, 0, 20);
    suite_add_tcase(s, t);
    return s;
}
