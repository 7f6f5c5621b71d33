/* SPDX-License-Identifier: Apache-2.0 */
/* libncg-cortex, through its public header only: every corpus file, the bundled example, both modes, the limits,
 * and that a failed call changes nothing. Linked to the shared libraries, as a program using them would be. */
#include <check.h>
#include <dirent.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg-cortex.h>
#include <ncg.h>

static const char *data_dir(void)
{
    const char *d = getenv("NCG_TEST_DATA");
    return d ? d : "tests/data";
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .yaml files of a corpus directory, sorted; *count receives their number. */
static char **corpus(const char *sub, int *count)
{
    char dir[1024], **names = NULL;
    struct dirent *e;
    DIR *d;
    int n = 0;
    snprintf(dir, sizeof(dir), "%s/cortex-corpus/%s", data_dir(), sub);
    ck_assert_msg((d = opendir(dir)) != NULL, "cannot open %s", dir);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        names = realloc(names, (size_t)(n + 1) * sizeof(*names));
        names[n] = malloc(strlen(dir) + len + 2);
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    *count = n;
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int count_apis(const char *text)
{
    int n = strncmp(text, "- name:", 7) == 0;
    for (const char *p = strstr(text, "\n- name:"); p; p = strstr(p + 1, "\n- name:"))
        n++;
    return n;
}

START_TEST(every_corpus_api_file_loads_and_checks)
{
    int n;
    char **files = corpus("apis", &n);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_cluster *empty = ncg_cluster_new(0, NULL);
    ck_assert_int_eq(n, 437);
    for (int i = 0; i < n; i++) {
        ncg_cortex *c = ncg_cortex_new(0, NULL);
        ncg_error err = {0};
        char *text = slurp(files[i]);
        int got = ncg_cortex_load_apis(c, files[i], NULL, &err);
        ck_assert_msg(got == count_apis(text), "%s: %d (%s)", files[i], got, err.message);
        ck_assert_msg(ncg_cortex_check(c, cat, empty, &err) == 0, "%s: %s", files[i], err.message);
        ck_assert_int_eq(ncg_cortex_diagnostic_count(c), 0);
        free(text);
        ncg_cortex_free(c);
    }
    ncg_cluster_free(empty);
    ncg_catalog_free(cat);
    free_names(files, n);
}
END_TEST

/* The five cluster files Cortex rejects (tests/data/cortex-corpus/README.md), and where each is refused. */
static const struct {
    const char *name, *message;
    int code;
    int at_cluster; /* 1: the file loads; the unknown type is found when the cluster is built */
} rejected[] = {
    {"v0.18.0__docs_cluster-management_config__1.yaml",
     "4:21: invalid YAML: did not find expected alphabetic or numeric character while scanning an alias",
     NCG_E_PARSE, 0},
    {"v0.34.0__docs_clusters_instances_spot__1.yaml", "4:5: instance_type: missing", NCG_E_PARSE, 0},
    {"v0.34.0__docs_clusters_management_create__1.yaml",
     "31:1: invalid YAML: could not find expected ':' while scanning a simple key", NCG_E_PARSE, 0},
    {"v0.34.0__docs_clusters_instances_multi__2.yaml",
     "9:20: node group inf: instance_type: unknown instance type \"inf.xlarge\" in us-east-1; did you mean "
     "\"inf1.xlarge\"? (ncg types --region us-east-1 lists them; --catalog FILE adds types)",
     NCG_E_UNKNOWN_TYPE, 1},
    {"v0.42.0__docs_clusters_instances_multi__2.yaml",
     "14:20: node group inf: instance_type: unknown instance type \"inf.xlarge\" in us-east-1; did you mean "
     "\"inf1.xlarge\"? (ncg types --region us-east-1 lists them; --catalog FILE adds types)",
     NCG_E_UNKNOWN_TYPE, 1},
};

START_TEST(every_corpus_cluster_file_is_accepted_or_refused_as_cortex_did)
{
    int n, refused = 0;
    char **files = corpus("clusters", &n);
    ck_assert_int_eq(n, 26);
    for (int i = 0; i < n; i++) {
        ncg_cortex *c = ncg_cortex_new(0, NULL);
        ncg_catalog *cat = NULL;
        ncg_cluster *cl = NULL;
        ncg_error err = {0};
        const char *base = strrchr(files[i], '/') + 1;
        int k, got = ncg_cortex_load_cluster(c, files[i], NULL, &err);
        for (k = 0; k < (int)(sizeof(rejected) / sizeof(rejected[0])); k++)
            if (strcmp(base, rejected[k].name) == 0)
                break;
        if (got >= 0) {
            ck_assert_int_eq(got, ncg_cortex_nodegroup_count(c));
            cat = ncg_catalog_new_region(ncg_cortex_get_region(c) ? ncg_cortex_get_region(c) : "us-east-1", 0, NULL);
            cl = ncg_cortex_new_cluster(c, cat, NULL, &err);
        }
        if (k < (int)(sizeof(rejected) / sizeof(rejected[0]))) {
            char want[1024];
            refused++;
            snprintf(want, sizeof(want), "%s:%s", files[i], rejected[k].message);
            ck_assert_msg(rejected[k].at_cluster ? got >= 0 && !cl : got < 0, "%s", base);
            ck_assert_int_eq(err.code, rejected[k].code);
            ck_assert_str_eq(err.message, want);
            if (!rejected[k].at_cluster) { /* strict: the handle is as it was */
                ck_assert_int_eq(ncg_cortex_nodegroup_count(c), 0);
                ck_assert_int_eq(ncg_cortex_file_count(c), 0);
                ck_assert_int_eq(ncg_cortex_diagnostic_count(c), 0);
            }
        } else {
            ck_assert_msg(got >= 1 && cl, "%s: %s", base, err.message);
            ck_assert_int_eq(ncg_cluster_nodegroup_count(cl), got);
        }
        ncg_cluster_free(cl);
        ncg_catalog_free(cat);
        ncg_cortex_free(c);
    }
    ck_assert_int_eq(refused, 5);
    free_names(files, n);
}
END_TEST

static char *example(const char *name)
{
    char path[1024];
    const char *d = getenv("NCG_EXAMPLES");
    snprintf(path, sizeof(path), "%s/cortex/%s", d ? d : "examples", name);
    return slurp(path);
}

START_TEST(the_example_reads_into_apis_node_groups_a_cluster_and_a_plan)
{
    char *apis = example("apis.yaml"), *cluster = example("cluster.yaml");
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    ncg_cortex_nodegroup info = NCG_INIT(ncg_cortex_nodegroup);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_error err = {0};
    ncg_cluster *cl;
    ncg_plan *plan;
    int want = 0;
    ck_assert_int_eq(ncg_cortex_load_apis(c, "apis.yaml", apis, &err), 6);
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "cluster.yaml", cluster, &err), 3);
    ck_assert_int_eq(ncg_cortex_api_count(c), 6);
    ck_assert_str_eq(ncg_cortex_get_region(c), "us-east-1");
    ck_assert_int_eq(ncg_cortex_file_count(c), 2);
    ck_assert_str_eq(ncg_cortex_get_file(c, 1), "cluster.yaml");
    ck_assert_ptr_null(ncg_cortex_get_file(c, 2));

    ck_assert_int_eq(ncg_cortex_get_api(c, 0, &a, &err), 0);
    ck_assert_str_eq(a.name, "image-classifier-resnet50");
    ck_assert_str_eq(a.kind, "RealtimeAPI");
    ck_assert_str_eq(a.file, "apis.yaml");
    ck_assert_int_eq(a.line, 4);
    ck_assert_int_eq(a.column, 3);
    ck_assert_int_eq(a.request->inf, 1);
    ck_assert_int_eq(a.request->ppr, 4);
    ck_assert_int_eq(a.request->cpu_milli, 3000);
    ck_assert_int_eq(a.request->memory_bytes, 4000000000);
    ck_assert_int_eq((int)a.request->model_count, 1);
    ck_assert_str_eq(a.request->models[0].name, "resnet50_neuron");
    ck_assert_int_eq(a.request->models[0].bytes, 180 * 1024 * 1024);
    ck_assert_int_eq(a.request->models[0].compiled_cores, 1);
    ck_assert_int_eq(a.request->models[0].static_weights, 1);
    ck_assert_int_eq(a.min_replicas, 4);
    ck_assert_int_eq(a.init_replicas, 12);
    ck_assert_int_eq(a.max_replicas, 40);
    ck_assert_int_eq(a.splitter, 0);
    ck_assert_int_eq(a.invalid, 0);
    ck_assert_int_eq(a.max_per_node, 0);
    ck_assert_int_eq((int)a.nodegroup_count, 0);

    ck_assert_int_eq(ncg_cortex_nodegroup_count(c), 3);
    ck_assert_int_eq(ncg_cortex_get_nodegroup(c, 2, &s, &info, &err), 0);
    ck_assert_str_eq(s.name, "inf-xl-spot");
    ck_assert_str_eq(s.type, "inf1.24xlarge");
    ck_assert_int_eq(s.min_nodes, 0);
    ck_assert_int_eq(s.max_nodes, 4);
    ck_assert_int_eq(s.has_price, 1);
    ck_assert(s.usd_per_hour == 2.10);
    ck_assert_int_eq(s.priority, 1);
    ck_assert_int_eq(info.spot, 1);
    ck_assert_str_eq(info.file, "cluster.yaml");
    ck_assert_int_eq(info.line, 14);
    ck_assert_int_eq(info.type_line, 15);
    ck_assert_int_eq(info.type_column, 20);
    ck_assert_int_eq(ncg_cortex_get_nodegroup(c, 0, NULL, &info, &err), 0);
    ck_assert_int_eq(info.spot, 0);

    ck_assert_ptr_nonnull(cl = ncg_cortex_new_cluster(c, cat, NULL, &err));
    ck_assert_int_eq(ncg_cluster_nodegroup_count(cl), 3);
    ck_assert_int_eq(ncg_cortex_check(c, cat, cl, &err), 0);
    plan = ncg_plan_new(cl, 0, NULL);
    ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, NCG_CORTEX_REPLICAS_INIT, &err), 6);
    for (int i = 0; i < 6; i++) {
        ncg_cortex_get_api(c, i, &a, NULL);
        want += a.init_replicas;
        ck_assert_str_eq(ncg_plan_get_api_name(plan, i), a.name);
    }
    /* a second time: every name is taken, and the plan is unchanged */
    ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, NCG_CORTEX_REPLICAS_MAX, &err), NCG_E_EXISTS);
    ck_assert_str_eq(err.message, "apis.yaml:4:3: api image-classifier-resnet50: the plan has an API of that name "
                                  "already");
    ck_assert_int_eq(ncg_plan_api_count(plan), 6);
    ck_assert_int_eq(ncg_plan_solve(plan, &err), 0);
    ncg_plan_get_summary(plan, &sum, NULL);
    ck_assert_int_eq(sum.replicas, want);
    ck_assert_int_eq(sum.placed, want);
    ncg_plan_free(plan);
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
    free(apis);
    free(cluster);
}
END_TEST

START_TEST(replicas_min_max_and_a_count)
{
    char *apis = example("apis.yaml");
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_cluster *cl;
    ncg_error err = {0};
    const int which[] = {NCG_CORTEX_REPLICAS_MIN, NCG_CORTEX_REPLICAS_MAX, 3};
    ncg_cortex_load_apis(c, "apis.yaml", apis, NULL);
    cl = ncg_cortex_new_cluster(c, cat, NULL, NULL); /* no cluster file: no node groups */
    ck_assert_int_eq(ncg_cluster_nodegroup_count(cl), 0);
    ncg_cluster_free(cl);
    cl = ncg_cluster_new(0, NULL);
    {
        ncg_nodegroup_spec s = {.size = sizeof(s), .name = "inf", .type = "inf1.24xlarge", .max_nodes = 1000};
        ncg_cluster_add_nodegroup(cl, cat, &s, NULL);
    }
    for (int w = 0; w < 3; w++) {
        ncg_plan *plan = ncg_plan_new(cl, 0, NULL);
        ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
        int want = 0;
        ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, which[w], &err), 6);
        for (int i = 0; i < 6; i++) {
            ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
            ncg_cortex_get_api(c, i, &a, NULL);
            want += w == 0 ? a.min_replicas : w == 1 ? a.max_replicas : 3;
        }
        ncg_plan_solve(plan, NULL);
        ncg_plan_get_summary(plan, &sum, NULL);
        ck_assert_int_eq(sum.replicas, want);
        ncg_plan_free(plan);
    }
    {
        ncg_plan *plan = ncg_plan_new(cl, 0, NULL);
        ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, -4, &err), NCG_E_INVALID);
        ck_assert_str_eq(err.message, "replicas: -4 is not NCG_CORTEX_REPLICAS_MIN/INIT/MAX or a count 0..10000000");
        ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, 10000001, &err), NCG_E_INVALID);
        ck_assert_int_eq(ncg_cortex_add_to_plan(NULL, plan, 1, &err), NCG_E_INVALID);
        ck_assert_str_eq(err.message, "cortex: NULL");
        ck_assert_int_eq(ncg_cortex_add_to_plan(c, NULL, 1, &err), NCG_E_INVALID);
        ck_assert_str_eq(err.message, "plan: NULL");
        ck_assert_int_eq(ncg_plan_api_count(plan), 0);
        ncg_plan_free(plan);
    }
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
    free(apis);
}
END_TEST

START_TEST(a_node_group_the_plan_lacks_is_refused_before_any_api_is_added)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_cluster *cl = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec s = {.size = sizeof(s), .name = "inf", .type = "inf1.xlarge", .max_nodes = 10};
    ncg_plan *plan;
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "a.yaml",
                                          "- name: a\n  compute:\n    inf: 1\n"
                                          "- name: b\n  compute:\n    inf: 1\n    node_groups: [gpu]\n", &err), 2);
    ncg_cluster_add_nodegroup(cl, cat, &s, NULL);
    plan = ncg_plan_new(cl, 0, NULL);
    ck_assert_int_eq(ncg_cortex_add_to_plan(c, plan, 1, &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "a.yaml:4:3: api b: node_groups: the plan's cluster has no node group \"gpu\"");
    ck_assert_int_eq(ncg_plan_api_count(plan), 0);
    ck_assert_int_eq(ncg_cortex_check(c, cat, cl, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "a.yaml:4:3: api b: node_groups: unknown node group \"gpu\"");
    ncg_plan_free(plan);
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
}
END_TEST

static const char bad_apis[] = "- name: good\n  compute:\n    cpu: 1\n"
                               "- name: Bad_Name\n  compute:\n    cpu: 1\n"
                               "- name: three\n  compute:\n    cpu: lots\n    mme: 1G\n";

START_TEST(strict_mode_refuses_a_bad_file_and_changes_nothing)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "ok.yaml", "- name: first\n", &err), 1);
    ck_assert_int_eq(ncg_cortex_load_apis(c, "bad.yaml", bad_apis, &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "bad.yaml:4:9: api Bad_Name: name: \"Bad_Name\" is not a valid API name: at most 42 "
                                  "characters of a-z, 0-9 and '-', starting with a letter and not ending with '-' "
                                  "(Cortex's rule, a DNS-1035 label)");
    ck_assert_int_eq(ncg_cortex_api_count(c), 1);
    ck_assert_int_eq(ncg_cortex_file_count(c), 1);
    ck_assert_int_eq(ncg_cortex_diagnostic_count(c), 0);
    ck_assert_int_eq(ncg_cortex_error_count(c), 0);
    /* the names of the refused file are not taken */
    ck_assert_int_eq(ncg_cortex_load_apis(c, "again.yaml", "- name: good\n", &err), 1);
    ck_assert_int_eq(ncg_cortex_load_apis(c, "dup.yaml", "- name: first\n", &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "dup.yaml:1:9: api first: name: another API has the name \"first\" (ok.yaml:1:3)");
    ncg_cortex_free(c);
}
END_TEST

START_TEST(keep_going_records_every_problem_in_line_order)
{
    ncg_cortex *c = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, NULL);
    ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_error err = {0};
    const char *want[] = {
        "bad.yaml:4:9: api Bad_Name: name: \"Bad_Name\" is not a valid API name: at most 42 characters of a-z, 0-9 "
        "and '-', starting with a letter and not ending with '-' (Cortex's rule, a DNS-1035 label)",
        "bad.yaml:9:10: api three: compute.cpu: invalid CPU quantity \"lots\": expected a number with an optional "
        "\"m\" suffix, such as 1, 1.5 or 500m",
        "bad.yaml:10:5: api three: compute: unknown field \"mme\"",
    };
    ck_assert_int_eq(ncg_cortex_load_apis(c, "bad.yaml", bad_apis, &err), 3);
    ck_assert_int_eq(ncg_cortex_diagnostic_count(c), 3);
    ck_assert_int_eq(ncg_cortex_error_count(c), 3);
    for (int i = 0; i < 3; i++) {
        static const char *const fields[] = {"name", "compute.cpu", "compute"};
        ck_assert_int_eq(ncg_cortex_get_diagnostic(c, i, &d, &err), 0);
        ck_assert_str_eq(d.message, want[i]);
        ck_assert_str_eq(d.file, "bad.yaml");
        ck_assert_int_eq(d.warning, 0);
        ck_assert_str_eq(d.field, fields[i]);
    }
    {   /* a 2.1 caller's struct ends before field: accepted, and nothing past its size is written */
        union { ncg_cortex_diagnostic d; unsigned char bytes[sizeof(ncg_cortex_diagnostic)]; } old;
        memset(&old, 0xa5, sizeof(old));
        old.d.size = (uint32_t)offsetof(ncg_cortex_diagnostic, field);
        ck_assert_int_eq(ncg_cortex_get_diagnostic(c, 0, &old.d, &err), 0);
        ck_assert_str_eq(old.d.message, want[0]);
        for (size_t k = offsetof(ncg_cortex_diagnostic, field); k < sizeof(old); k++)
            ck_assert_uint_eq(old.bytes[k], 0xa5);
    }
    ck_assert_int_eq(d.line, 10);
    ck_assert_int_eq(d.column, 5);
    ncg_cortex_get_api(c, 0, &a, NULL);
    ck_assert_int_eq(a.invalid, 0);
    ncg_cortex_get_api(c, 2, &a, NULL);
    ck_assert_int_eq(a.invalid, 1);
    ck_assert_int_eq(ncg_cortex_get_diagnostic(c, 3, &d, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "index: 3 is not a diagnostic (there are 3)");
    ncg_cortex_free(c);
}
END_TEST

START_TEST(a_placeholder_region_is_a_warning)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "c.yaml", "region: <region>\ninstance_type: inf1.xlarge\n", &err), 1);
    ck_assert_ptr_null(ncg_cortex_get_region(c));
    ck_assert_int_eq(ncg_cortex_diagnostic_count(c), 1);
    ck_assert_int_eq(ncg_cortex_error_count(c), 0);
    ncg_cortex_get_diagnostic(c, 0, &d, NULL);
    ck_assert_str_eq(d.message, "c.yaml:1:9: warning: region \"<region>\" is not one of the catalog's 23 regions; "
                                "using us-east-1 (--region R chooses one)");
    ck_assert_int_eq(d.warning, 1);
    ck_assert_str_eq(d.field, "region");
    ncg_cortex_free(c);
}
END_TEST

START_TEST(a_traffic_splitter_has_backends_and_places_nothing)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_cortex_backend b = NCG_INIT(ncg_cortex_backend);
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "s.yaml",
                                          "- name: a\n  kind: RealtimeAPI\n- name: b\n  kind: RealtimeAPI\n"
                                          "- name: s\n  kind: TrafficSplitter\n  apis:\n"
                                          "    - name: a\n      weight: 70\n    - name: b\n      weight: 30\n"
                                          "      shadow: false\n", &err), 3);
    ncg_cortex_get_api(c, 2, &a, NULL);
    ck_assert_int_eq(a.splitter, 1);
    ck_assert_int_eq((int)a.backend_count, 2);
    ck_assert_int_eq(ncg_cortex_get_backend(c, 2, 1, &b, &err), 0);
    ck_assert_str_eq(b.name, "b");
    ck_assert_int_eq(b.weight, 30);
    ck_assert_int_eq(b.shadow, 0);
    ck_assert_int_eq(b.line, 10);
    ck_assert_int_eq(b.column, 7);
    ck_assert_int_eq(ncg_cortex_get_backend(c, 2, 2, &b, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "index: 2 is not a backend of API s (it has 2)");
    ck_assert_int_eq(ncg_cortex_get_backend(c, 3, 0, &b, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "api: 3 is not an API (there are 3)");
    ncg_cortex_free(c);
}
END_TEST

START_TEST(container_sums_that_overflow_are_an_error)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "o.yaml",
                                          "- name: big\n  pod:\n    containers:\n"
                                          "      - name: a\n        compute: {mem: 9223372036854775807}\n"
                                          "      - name: b\n        compute: {mem: 9223372036854775807}\n"
                                          "      - name: c\n        compute: {mem: 2}\n", &err),
                     NCG_E_PARSE);
    ck_assert_str_eq(err.message, "o.yaml:7:24: api big: pod.containers[1].compute.mem: the containers' mem adds up "
                                  "to more than 9223372036854775807 bytes (8 EiB)");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "o.yaml",
                                          "- name: big\n  pod:\n    containers:\n"
                                          "      - name: a\n        compute: {cpu: 9223372036854775}\n"
                                          "      - name: b\n        compute: {cpu: 9223372036854775}\n", &err),
                     NCG_E_PARSE);
    ck_assert_str_eq(err.message, "o.yaml:7:24: api big: pod.containers[1].compute.cpu: the containers' cpu adds up "
                                  "to more than 9223372036854775807 milli-CPU");
    ck_assert_int_eq(ncg_cortex_api_count(c), 0);
    ncg_cortex_free(c);
}
END_TEST

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1), *p = s;
    memcpy(p, head, hl);
    p += hl;
    for (int i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

START_TEST(hostile_yaml_is_refused_at_a_limit)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_error err = {0};
    char *deep = repeat("- name: a\n  x: ", "[", 100000, "");
    char *ok = repeat("", "[", 64, "");
    char *big = repeat("", "#", (int)NCG_CORTEX_MAX_FILE_BYTES + 1, "");
    char *aliases = repeat("- &a name: a\n  x: [", "*a, ", 257, "]\n");
    const char *laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                         "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                         "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                         "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                         "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    ck_assert_int_eq(ncg_cortex_load_apis(c, "deep.yaml", deep, &err), NCG_E_RANGE);
    ck_assert_str_eq(err.message, "deep.yaml:2:68: the YAML nests deeper than 64 levels (the limit)");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "ok.yaml", ok, &err), NCG_E_PARSE); /* 64 levels: YAML's own error */
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "laughs.yaml", laughs, &err), NCG_E_RANGE);
    ck_assert_str_eq(err.message, "laughs.yaml:7:8: the YAML has more than 1000000 nodes with its aliases expanded "
                                  "(the limit)");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "aliases.yaml", aliases, &err), NCG_E_RANGE);
    ck_assert_str_eq(err.message, "aliases.yaml:2:1031: the YAML has more than 256 aliases (the limit)");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "big.yaml", big, &err), NCG_E_RANGE);
    ck_assert_str_eq(err.message, "big.yaml:1:1: the file is larger than 16777216 bytes (16 MiB), the limit");
    ck_assert_int_eq(ncg_cortex_api_count(c), 0);
    ck_assert_int_eq(ncg_cortex_file_count(c), 0);
    ncg_cortex_free(c);
    free(deep);
    free(ok);
    free(big);
    free(aliases);
}
END_TEST

START_TEST(a_catalog_file_applies_all_or_nothing)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_catalog(c, cat, "cat.yaml",
                                             "- name: inf1.xlarge\n  price: 0.1\n- name: inf1.2xlarge\n  chips: x\n",
                                             &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "cat.yaml:4:10: chips: invalid type (expected integer)");
    ncg_catalog_find_type(cat, "inf1.xlarge", &t, NULL);
    ck_assert(t.usd_per_hour == 0.228);
    ck_assert_int_eq(ncg_cortex_load_catalog(c, cat, "cat.yaml", "- name: inf1.xlarge\n  price: 0.1\n", &err), 1);
    ncg_catalog_find_type(cat, "inf1.xlarge", &t, NULL);
    ck_assert(t.usd_per_hour == 0.1);
    ck_assert_int_eq(ncg_cortex_load_catalog(c, NULL, "cat.yaml", "", &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "catalog: NULL");
    ck_assert_str_eq(ncg_cortex_suggest_type(cat, "inf.xlarge"), "inf1.xlarge");
    ck_assert_ptr_null(ncg_cortex_suggest_type(cat, "zzzzzzzzzz"));
    ck_assert_ptr_null(ncg_cortex_suggest_type(NULL, "inf1"));
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
}
END_TEST

START_TEST(bad_arguments_name_what_is_wrong)
{
    ncg_error err = {0};
    ncg_cortex *c;
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_cortex_diagnostic d = {.size = 4};
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    ck_assert_ptr_null(ncg_cortex_new(4, &err));
    ck_assert_int_eq(err.code, NCG_E_INVALID);
    ck_assert_str_eq(err.message, "flags: unknown bits 0x4");
    ck_assert_ptr_null(ncg_cortex_free(NULL));
    c = ncg_cortex_new(0, NULL);
    ck_assert_int_eq(ncg_cortex_load_apis(NULL, "x", "", &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "cortex: NULL");
    ck_assert_int_eq(ncg_cortex_load_apis(c, NULL, "", &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "path: NULL");
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "/nonexistent/cluster.yaml", NULL, &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "/nonexistent/cluster.yaml: No such file or directory");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "empty.yaml", "", &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "empty.yaml:1:1: the file holds no APIs");
    ck_assert_int_eq(ncg_cortex_get_api(c, 0, &a, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "index: 0 is not an API (there are 0)");
    ck_assert_int_eq(ncg_cortex_get_api(c, 0, NULL, &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "out: NULL");
    ck_assert_int_eq(ncg_cortex_get_diagnostic(c, 0, &d, &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "out: size 4 is smaller than 40");
    ck_assert_int_eq(ncg_cortex_get_nodegroup(c, 0, NULL, NULL, &err), NCG_E_NOT_FOUND);
    ck_assert_str_eq(err.message, "index: 0 is not a node group (there are 0)");
    ck_assert_int_eq(ncg_cortex_api_count(NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_nodegroup_count(NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_diagnostic_count(NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_error_count(NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_file_count(NULL), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_cortex_get_region(NULL));
    ck_assert_ptr_null(ncg_cortex_get_file(NULL, 0));
    ck_assert_int_eq(ncg_cortex_get_backend(NULL, 0, 0, NULL, &err), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_get_nodegroup(NULL, 0, NULL, NULL, &err), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cortex_get_diagnostic(NULL, 0, &d, &err), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_cortex_new_cluster(c, NULL, NULL, &err));
    ck_assert_str_eq(err.message, "catalog: NULL");
    ck_assert_int_eq(ncg_cortex_check(c, cat, NULL, &err), NCG_E_INVALID);
    ck_assert_str_eq(err.message, "cluster: NULL");
    ck_assert_str_eq(ncg_cortex_version(), ncg_version());
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
}
END_TEST

START_TEST(a_file_over_the_size_limit_is_refused_in_both_modes)
{
    char path[] = "/tmp/test-cortex-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    ncg_cortex *strict = ncg_cortex_new(0, NULL), *keep = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, NULL);
    ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
    ncg_error err = {0};
    char want[128];
    ck_assert_ptr_nonnull(f);
    for (long i = 0; i <= NCG_CORTEX_MAX_FILE_BYTES; i++)
        fputc('#', f);
    fclose(f);
    snprintf(want, sizeof(want), "%s:1:1: the file is larger than 16777216 bytes (16 MiB), the limit", path);
    ck_assert_int_eq(ncg_cortex_load_apis(strict, path, NULL, &err), NCG_E_RANGE);
    ck_assert_str_eq(err.message, want);
    ck_assert_int_eq(ncg_cortex_file_count(strict), 0);
    ck_assert_int_eq(ncg_cortex_load_apis(keep, path, NULL, &err), 0);
    ck_assert_int_eq(ncg_cortex_file_count(keep), 1);
    ck_assert_int_eq(ncg_cortex_error_count(keep), 1);
    ncg_cortex_get_diagnostic(keep, 0, &d, NULL);
    ck_assert_str_eq(d.message, want);
    ck_assert_str_eq(d.file, path);
    remove(path);
    ncg_cortex_free(strict);
    ncg_cortex_free(keep);
}
END_TEST

START_TEST(a_nul_byte_is_refused_with_its_position_in_both_modes)
{
    char path[] = "/tmp/test-cortex-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    static const char text[] = "- name: a\n  kind: RealtimeAPI\n- name: b\x00\n- name: c\n";
    ncg_cortex *strict = ncg_cortex_new(0, NULL), *keep = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, NULL);
    ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
    ncg_error err = {0};
    char want[128];
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
    fclose(f);
    snprintf(want, sizeof(want), "%s:3:10: a NUL byte: control characters are not allowed in YAML", path);
    ck_assert_int_eq(ncg_cortex_load_apis(strict, path, NULL, &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, want);
    ck_assert_int_eq(ncg_cortex_api_count(strict), 0);
    ck_assert_int_eq(ncg_cortex_load_apis(keep, path, NULL, &err), 0);
    ck_assert_int_eq(ncg_cortex_error_count(keep), 1);
    ck_assert_int_eq(ncg_cortex_api_count(keep), 0);
    ncg_cortex_get_diagnostic(keep, 0, &d, NULL);
    ck_assert_str_eq(d.message, want);
    remove(path);
    ncg_cortex_free(strict);
    ncg_cortex_free(keep);
}
END_TEST

START_TEST(a_key_given_twice_is_refused)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "d.yaml", "- name: a\n  compute: {inf: 1, cpu: 1, inf: 4}\n", &err),
                     NCG_E_PARSE);
    ck_assert_str_eq(err.message, "d.yaml:2:29: invalid YAML: the key \"inf\" is given twice in one mapping (first at "
                                  "2:13)");
    ck_assert_int_eq(ncg_cortex_api_count(c), 0);
    ck_assert_int_eq(ncg_cortex_load_apis(c, "d.yaml", "- name: a\n  compute: {inf: 1, cpu: 1}\n", &err), 1);
    ncg_cortex_free(c);
}
END_TEST

START_TEST(ncg_section_sets_max_per_node)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_apis(c, "m.yaml", "- name: a\n  ncg:\n    max_per_node: 2\n", &err), 1);
    ncg_cortex_get_api(c, 0, &a, NULL);
    ck_assert_int_eq(a.max_per_node, 2);
    ck_assert_int_eq(ncg_cortex_load_apis(c, "m.yaml", "- name: b\n  ncg:\n    max_pernode: 2\n", &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "m.yaml:3:5: api b: ncg: unknown field \"max_pernode\" (known: models, max_per_node, lnc)");
    ncg_cortex_free(c);
}
END_TEST

/* The Logical NeuronCore setting: `lnc` of a node group (its nodes' setting), `ncg: lnc` of an API (what its
 * models were compiled for), `lnc` and `hbm_banks` of a catalog entry, and the topology "switched". */
START_TEST(lnc_in_cluster_api_and_catalog_files)
{
    ncg_cortex *c = ncg_cortex_new(0, NULL);
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_cluster *cl;
    ncg_type t = NCG_INIT(ncg_type);
    ncg_error err = {0};
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "c.yaml", "node_groups:\n  - name: t1\n    instance_type: trn2.48xlarge\n"
                                             "    lnc: 1\n  - name: t2\n    instance_type: trn2.48xlarge\n", &err), 2);
    ck_assert_int_eq(ncg_cortex_get_nodegroup(c, 0, &spec, NULL, NULL), 0);
    ck_assert_int_eq(spec.lnc, 1);
    ck_assert_int_eq(ncg_cortex_get_nodegroup(c, 1, &spec, NULL, NULL), 0);
    ck_assert_int_eq(spec.lnc, 0);
    ck_assert_ptr_nonnull(cl = ncg_cortex_new_cluster(c, cat, NULL, &err));
    ck_assert_int_eq(ncg_cluster_get_nodegroup(cl, 0, &spec, &t, NULL), 0);
    ck_assert_int_eq(spec.lnc, 1);
    ck_assert_int_eq(t.cores_per_chip, 8);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(cl, 1, &spec, &t, NULL), 0);
    ck_assert_int_eq(spec.lnc, 2);
    ck_assert_int_eq(t.cores_per_chip, 4);
    ncg_cluster_free(cl);
    ck_assert_int_eq(ncg_cortex_load_cluster(c, "d.yaml", "node_groups:\n  - name: t3\n    instance_type: trn2.48xlarge\n"
                                             "    lnc: 4\n", &err), NCG_E_PARSE);
    ck_assert_str_eq(err.message, "d.yaml:4:10: lnc: 4 is out of range 1..2");
    ck_assert_int_eq(ncg_cortex_load_apis(c, "m.yaml", "- name: a\n  compute: {inf: 1}\n  ncg:\n    lnc: 1\n", &err), 1);
    ck_assert_int_eq(ncg_cortex_get_api(c, 0, &a, NULL), 0);
    ck_assert_int_eq(a.request->lnc, 1);
    ck_assert_int_eq(ncg_cortex_load_catalog(c, cat, "cat.yaml", "- name: trn3.test\n  family: trn3\n  accelerator: "
                                             "trainium\n  chips: 16\n  cores_per_chip: 4\n  physical_cores_per_chip: 8\n"
                                             "  lnc: 2\n  hbm_banks: 4\n  device_memory: 144Gi\n  cpu: 192\n  memory: "
                                             "2Ti\n  topology: switched\n", &err), 1);
    ck_assert_int_ge(ncg_catalog_find_type(cat, "trn3.test", &t, NULL), 0);
    ck_assert_int_eq(t.lnc, 2);
    ck_assert_int_eq(t.hbm_banks, 4);
    ck_assert_int_eq(t.topology, NCG_TOPOLOGY_SWITCHED);
    ncg_catalog_free(cat);
    ncg_cortex_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cortex");
    TCase *t = tcase_create("cortex");
    SRunner *r;
    int failed;
    tcase_set_timeout(t, 120);
    tcase_add_test(t, every_corpus_api_file_loads_and_checks);
    tcase_add_test(t, lnc_in_cluster_api_and_catalog_files);
    tcase_add_test(t, every_corpus_cluster_file_is_accepted_or_refused_as_cortex_did);
    tcase_add_test(t, the_example_reads_into_apis_node_groups_a_cluster_and_a_plan);
    tcase_add_test(t, replicas_min_max_and_a_count);
    tcase_add_test(t, a_node_group_the_plan_lacks_is_refused_before_any_api_is_added);
    tcase_add_test(t, strict_mode_refuses_a_bad_file_and_changes_nothing);
    tcase_add_test(t, keep_going_records_every_problem_in_line_order);
    tcase_add_test(t, a_placeholder_region_is_a_warning);
    tcase_add_test(t, a_traffic_splitter_has_backends_and_places_nothing);
    tcase_add_test(t, container_sums_that_overflow_are_an_error);
    tcase_add_test(t, hostile_yaml_is_refused_at_a_limit);
    tcase_add_test(t, a_catalog_file_applies_all_or_nothing);
    tcase_add_test(t, bad_arguments_name_what_is_wrong);
    tcase_add_test(t, ncg_section_sets_max_per_node);
    tcase_add_test(t, a_nul_byte_is_refused_with_its_position_in_both_modes);
    tcase_add_test(t, a_key_given_twice_is_refused);
    tcase_add_test(t, a_file_over_the_size_limit_is_refused_in_both_modes);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
