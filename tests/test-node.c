/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

static void range_text(int first, int count, char *buf, size_t size)
{
    ncg_format_ids(first, count, 1, buf, size, NULL);
}

/* Every whole-device and core row of topology_vectors.tsv under first-fit. */
START_TEST(topology_vectors)
{
    FILE *f = open_data("neuron/topology_vectors.tsv");
    ncg_catalog *c = ncg_catalog_new(NULL);
    char line[1024], *fld[8];
    int n, rows = 0;
    while ((n = next_row(f, line, sizeof(line), fld, 8)) >= 0) {
        ncg_node *node = ncg_node_new(c, fld[0], NULL);
        ncg_request r;
        ncg_alloc a;
        ncg_error err = {0};
        int rc;
        ck_assert_ptr_nonnull(node);
        ncg_node_set_policy(node, NCG_POLICY_FIRST_FIT, NULL);
        ncg_request_init(&r);
        r.cpu_milli = 0;
        if (n == 5) { /* core-granular: type, cores_used, request_cores, expected_cores, chips_now_busy */
            ncg_node_status st;
            char got[32];
            r.neuroncores = atoi(fld[2]);
            ck_assert_int_gt(ncg_node_allocate(node, &r, &a, NULL), 0);
            range_text(a.first_core, a.core_count, got, sizeof(got));
            ck_assert_str_eq(got, fld[3]);
            ncg_node_status_get(node, &st, NULL);
            ck_assert_int_eq(st.free_chip_mask, 0x8); /* chips 0,1,2 busy */
        } else {
            if (strcmp(fld[1], "-") != 0) {
                char *save, *tok;
                for (tok = strtok_r(fld[1], ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                    ck_assert_int_gt(ncg_node_adopt(node, NULL, tok, NULL, 0, NULL, NULL), 0);
            }
            r.inf = atoi(fld[2]);
            rc = ncg_node_allocate(node, &r, &a, &err);
            if (strcmp(fld[3], "none") == 0) {
                ck_assert_int_eq(rc, NCG_E_FULL);
            } else if (strncmp(fld[3], "reject:", 7) == 0) {
                ck_assert_int_lt(rc, 0);
                ck_assert_str_eq(err.message, fld[3] + 7);
            } else {
                char got[32];
                ck_assert_int_gt(rc, 0);
                range_text(a.first_chip, a.chip_count, got, sizeof(got));
                ck_assert_str_eq(got, fld[3]);
            }
        }
        ncg_node_free(node);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 14);
    ncg_catalog_free(c);
}
END_TEST

static int alloc_chips(ncg_node *node, int chips, ncg_alloc *a)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = chips;
    return ncg_node_allocate(node, &r, a, NULL);
}

/* PACK keeps a 4-chip window free where first-fit destroys it. */
START_TEST(pack_keeps_window)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    for (int policy = 0; policy < 2; policy++) {
        ncg_node *node = ncg_node_new(c, "inf2.24xlarge", NULL);
        ncg_alloc a1, a2, a3, one, four;
        ncg_node_set_policy(node, policy == 0 ? NCG_POLICY_PACK : NCG_POLICY_FIRST_FIT, NULL);
        alloc_chips(node, 4, &a1);
        alloc_chips(node, 1, &a2);
        alloc_chips(node, 1, &a3);
        ck_assert_int_eq(a1.first_chip, 0);
        ck_assert_int_eq(a2.first_chip, 4);
        ck_assert_int_eq(a3.first_chip, 5);
        ncg_node_release(node, a1.id, NULL);
        ncg_node_release(node, a3.id, NULL);
        ck_assert_int_gt(alloc_chips(node, 1, &one), 0);
        if (policy == 0) {
            ck_assert_int_eq(one.first_chip, 5);
            ck_assert_int_gt(alloc_chips(node, 4, &four), 0);
            ck_assert_int_eq(four.first_chip, 0);
        } else {
            ck_assert_int_eq(one.first_chip, 0);
            ck_assert_int_eq(alloc_chips(node, 4, &four), NCG_E_FULL);
        }
        ncg_node_free(node);
    }
    ncg_catalog_free(c);
}
END_TEST

START_TEST(groups_env_release)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_node *node = ncg_node_new(c, "inf1.6xlarge", NULL);
    ncg_request r;
    ncg_group g[4];
    ncg_env env;
    ncg_alloc a;
    int id;
    ncg_request_init(&r);
    r.inf = 2;
    r.ppr = 4;
    id = ncg_node_allocate(node, &r, &a, NULL);
    ck_assert_int_eq(id, 1);
    ck_assert_int_eq(ncg_node_groups(node, (uint32_t)id, g, 4, NULL), 4);
    for (int p = 0; p < 4; p++) {
        char want[8];
        snprintf(want, sizeof(want), "%d-%d", 2 * p, 2 * p + 1);
        ncg_node_env(node, (uint32_t)id, p, &env, NULL);
        ck_assert_str_eq(env.visible_cores, want);
        ck_assert_str_eq(env.group_sizes, "2");
        ck_assert_str_eq(env.visible_devices, "0,1");
        ck_assert_int_eq(g[p].cache_bytes, 8 * GIB);
    }
    ck_assert_fails(NCG_E_NOT_FOUND, "allocation 1 has no process 4 (processes 0..3)",
                    ncg_node_env(node, 1, 4, &env, &err));
    ck_assert_int_eq(ncg_node_release(node, (uint32_t)id, NULL), 0);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 1 on this inf1.6xlarge node", ncg_node_release(node, 1, &err));
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(adopt_and_atomicity)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_node *node = ncg_node_new(c, "inf1.6xlarge", NULL);
    const char *cores[] = {"4-5", "6-7"}, *bad[] = {"4,6"};
    ncg_node_status before, after;
    ncg_request r;
    ncg_alloc a;
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", cores, 2, &a, NULL), 1);
    ck_assert_int_eq(a.first_chip, 1);
    ck_assert_int_eq(a.ncg_size, 2);
    ncg_node_status_get(node, &before, NULL);
    ck_assert_fails(NCG_E_OVERLAP, "adopt: devices 1 overlap chips in use on inf1.6xlarge",
                    ncg_node_adopt(node, NULL, "1", NULL, 0, NULL, &err));
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"4,6\" is not contiguous: 6 follows 4",
                    ncg_node_adopt(node, NULL, NULL, bad, 1, NULL, &err));
    ncg_request_init(&r);
    r.inf = 1;
    r.cpu_milli = 30000;
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested CPU quantity - requested 30 CPU but instances only have "
                    "23190m CPU available",
                    ncg_node_allocate(node, &r, NULL, &err));
    r.cpu_milli = 20000;
    ck_assert_int_gt(ncg_node_allocate(node, &r, NULL, NULL), 0);
    ck_assert_fails(NCG_E_FULL, "not enough CPU on inf1.6xlarge: requested 20 but 3190m is free",
                    ncg_node_check(node, &r, &err));
    r.inf = 3;
    r.cpu_milli = 0;
    ck_assert_fails(NCG_E_FULL, "no free window of 3 chips on inf1.6xlarge: free chips 2,3, largest free window 2",
                    ncg_node_allocate(node, &r, NULL, &err));
    ncg_node_release(node, 2, NULL);
    ncg_node_status_get(node, &after, NULL);
    ck_assert_mem_eq(&before, &after, sizeof(before));
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

Suite *suite_node(void)
{
    Suite *s = suite_create("node");
    TCase *t = tcase_create("node");
    tcase_add_test(t, topology_vectors);
    tcase_add_test(t, pack_keeps_window);
    tcase_add_test(t, groups_env_release);
    tcase_add_test(t, adopt_and_atomicity);
    suite_add_tcase(s, t);
    return s;
}
