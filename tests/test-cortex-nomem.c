/* SPDX-License-Identifier: Apache-2.0 */
/* libncg-cortex when memory runs out: every allocation of every loading call (both modes), of building the
 * cluster, of the checks and of adding to a plan is failed in turn; the call then fails with NCG_E_NOMEM and the
 * handle is exactly as it was, or succeeds with the same result as without failures. Linked with
 * --wrap=malloc,calloc,realloc (tests/robust/failalloc.c) to the reader's objects and the static libncg. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg-cortex.h>
#include <ncg.h>

#include "robust/failalloc.h"

static const char apis[] =
    "- name: resnet\n  kind: RealtimeAPI\n  compute: {inf: 1, cpu: 1, mem: 2Gi}\n"
    "  predictor: {processes_per_replica: 4}\n  autoscaling: {min_replicas: 2, max_replicas: 4}\n"
    "  ncg:\n    models:\n      - {name: m, size: 1Gi, compiled_cores: 1, static_weights: true}\n"
    "- name: pre\n  pod:\n    containers:\n      - {name: a, compute: {cpu: 1, mem: 1Gi}}\n"
    "      - {name: b, compute: {cpu: 1, mem: 1Gi}}\n  node_groups: [small]\n"
    "- name: split\n  kind: TrafficSplitter\n  apis:\n    - {name: resnet, weight: 100}\n";
static const char bad[] = "- name: Bad\n- name: x\n  compute: {cpu: lots}\n";
static const char cluster[] = "region: us-east-1\nnode_groups:\n"
                              "  - {name: small, instance_type: inf1.xlarge, max_instances: 4}\n"
                              "  - {name: big, instance_type: inf1.6xlarge, max_instances: 2, spot: true, price: 0.5}\n";

typedef struct snap {
    int apis, groups, files, diags, errors;
    const char *region;
} snap;

static snap take(const ncg_cortex *c)
{
    snap s = {ncg_cortex_api_count(c), ncg_cortex_nodegroup_count(c), ncg_cortex_file_count(c),
              ncg_cortex_diagnostic_count(c), ncg_cortex_error_count(c), ncg_cortex_get_region(c)};
    return s;
}

static void same(snap a, snap b)
{
    ck_assert_int_eq(a.apis, b.apis);
    ck_assert_int_eq(a.groups, b.groups);
    ck_assert_int_eq(a.files, b.files);
    ck_assert_int_eq(a.diags, b.diags);
    ck_assert_int_eq(a.errors, b.errors);
    ck_assert((a.region == NULL) == (b.region == NULL));
}

/* Load text into a handle of the given mode, failing allocation k; returns whether the failure fired. */
static int load_failing(unsigned flags, int cluster_file, const char *text, long k, int want, snap want_after)
{
    ncg_cortex *c = ncg_cortex_new(flags, NULL);
    ncg_error err = {0};
    snap before;
    int rc, fired;
    ck_assert_ptr_nonnull(c);
    ck_assert_int_ge(ncg_cortex_load_apis(c, "first.yaml", "- name: first\n", NULL), 1);
    before = take(c);
    failalloc_arm(k);
    rc = cluster_file ? ncg_cortex_load_cluster(c, "f.yaml", text, &err) : ncg_cortex_load_apis(c, "f.yaml", text, &err);
    failalloc_disarm();
    fired = failalloc_fired();
    if (rc == NCG_E_NOMEM) {
        ck_assert(fired);
        ck_assert_int_eq(err.code, NCG_E_NOMEM);
        ck_assert_str_eq(err.message, "out of memory");
        same(take(c), before);
    } else {
        ck_assert_int_eq(rc, want);
        same(take(c), want_after);
    }
    ncg_cortex_free(c);
    return fired;
}

static void every_allocation(unsigned flags, int cluster_file, const char *text)
{
    ncg_cortex *c = ncg_cortex_new(flags, NULL);
    snap after;
    int want;
    long k;
    ncg_cortex_load_apis(c, "first.yaml", "- name: first\n", NULL);
    want = cluster_file ? ncg_cortex_load_cluster(c, "f.yaml", text, NULL) : ncg_cortex_load_apis(c, "f.yaml", text, NULL);
    after = take(c);
    ncg_cortex_free(c);
    for (k = 1; load_failing(flags, cluster_file, text, k, want, after); k++)
        ;
    ck_assert_int_gt(k, 5);
}

START_TEST(loading_apis_strict)
{
    every_allocation(0, 0, apis);
}
END_TEST

START_TEST(loading_apis_keep_going)
{
    every_allocation(NCG_CORTEX_KEEP_GOING, 0, apis);
    every_allocation(NCG_CORTEX_KEEP_GOING, 0, bad);
}
END_TEST

START_TEST(loading_a_bad_file_strict)
{
    every_allocation(0, 0, bad);
}
END_TEST

START_TEST(loading_a_cluster)
{
    every_allocation(0, 1, cluster);
    every_allocation(NCG_CORTEX_KEEP_GOING, 1, "region: <region>\ninstance_type: inf1.xlarge\n");
}
END_TEST

START_TEST(cluster_checks_and_plan)
{
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    long k;
    ck_assert_int_eq(ncg_cortex_load_apis(c, "a.yaml", apis, NULL), 3);
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "c.yaml", cluster, NULL), 2);
    for (k = 1;; k++) {
        ncg_error err = {0};
        ncg_cluster *cl;
        ncg_plan *plan = NULL;
        int rc;
        failalloc_arm(k);
        cl = ncg_cortex_new_cluster(c, cat, NULL, &err);
        rc = cl ? ncg_cortex_check(c, cat, cl, &err) : err.code;
        if (rc == 0 && !(plan = ncg_plan_new(cl, 0, &err)))
            rc = err.code;
        if (rc == 0)
            rc = ncg_cortex_add_to_plan(c, plan, NCG_CORTEX_REPLICAS_MAX, &err);
        failalloc_disarm();
        if (!failalloc_fired()) {
            ck_assert_int_eq(rc, 2);
            ck_assert_int_eq(ncg_plan_api_count(plan), 2);
            ncg_plan_free(plan);
            ncg_cluster_free(cl);
            break;
        }
        ck_assert_msg(rc == NCG_E_NOMEM || rc == 2, "k=%ld rc=%d %s", k, rc, err.message);
        if (rc == NCG_E_NOMEM)
            ck_assert_int_eq(err.code, NCG_E_NOMEM);
        ncg_plan_free(plan);
        ncg_cluster_free(cl);
    }
    ck_assert_int_gt(k, 5);
    ncg_cortex_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(a_catalog_file)
{
    static const char text[] = "- name: inf1.xlarge\n  price: 0.1\n- name: inf9.x\n  family: inf9\n  chips: 1\n"
                               "  cores_per_chip: 4\n  device_memory: 8Gi\n  cpu: 4\n  memory: 8Gi\n  price: 1\n";
    for (long k = 1;; k++) {
        ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
        ncg_cortex *c = ncg_cortex_new(0, NULL);
        ncg_error err = {0};
        int types = ncg_catalog_type_count(cat), rc;
        ncg_type t = NCG_INIT(ncg_type);
        failalloc_arm(k);
        rc = ncg_cortex_load_catalog(c, cat, "cat.yaml", text, &err);
        failalloc_disarm();
        ncg_catalog_find_type(cat, "inf1.xlarge", &t, NULL);
        if (rc == NCG_E_NOMEM) {
            ck_assert_int_eq(ncg_catalog_type_count(cat), types);
            ck_assert(t.usd_per_hour == 0.228);
        } else {
            ck_assert_int_eq(rc, 2);
            ck_assert_int_eq(ncg_catalog_type_count(cat), types + 1);
            ck_assert(t.usd_per_hour == 0.1);
        }
        ncg_cortex_free(c);
        ncg_catalog_free(cat);
        if (!failalloc_fired())
            break;
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cortex-nomem");
    TCase *t = tcase_create("nomem");
    SRunner *r;
    int failed;
    tcase_set_timeout(t, 300);
    tcase_add_test(t, loading_apis_strict);
    tcase_add_test(t, loading_apis_keep_going);
    tcase_add_test(t, loading_a_bad_file_strict);
    tcase_add_test(t, loading_a_cluster);
    tcase_add_test(t, cluster_checks_and_plan);
    tcase_add_test(t, a_catalog_file);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
