/* SPDX-License-Identifier: Apache-2.0 */
/* Structure-aware libFuzzer target of libncg-cortex: the input chooses, byte by byte, an API file and a cluster file
 * that are YAML as Cortex users write them (APIs of every kind with their sections, keys and values drawn from
 * tables of valid and invalid ones; node groups with types, counts, prices and priorities), so that the reader's
 * rules, not libyaml's syntax errors, are what the fuzzer explores. Each pair of files is loaded in both modes,
 * checked, turned into a cluster and added to a plan. It checks: every diagnostic names the file and a position;
 * strict mode fails exactly when keep-going mode records an error, and when it does not fail it reads the same
 * APIs; loading the same files again gives the same diagnostics. Seed corpus: tests/fuzz/corpus/cortex-gen. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg-cortex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                                  \
    do {                                                                                                           \
        fprintf(stderr, "fuzz-cortex-gen: " __VA_ARGS__);                                                          \
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

#define PICK(s, table) (table)[u8(s) % (sizeof(table) / sizeof((table)[0]))]

/* A growing text. */
typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        if (!(t->p = realloc(t->p, cap)))
            abort();
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static const char *const kinds[] = {"RealtimeAPI", "BatchAPI", "TaskAPI", "AsyncAPI", "TrafficSplitter", "Other"};
static const char *const names[] = {"a", "b", "c", "resnet", "bert-large", "A", "-x", "x_y", "a", "b"};
static const char *const counts[] = {"0", "1", "2", "3", "4", "6", "8", "12", "16", "-1", "1.5", "1e3", "two",
                                     "99999999999999999999", ".nan", "null", "[1]", "{}"};
static const char *const cpus[] = {"1", "200m", "1.5", "0", "-1", "4000m", "1Gi", "x", "96"};
static const char *const mems[] = {"1Gi", "512Mi", "1G", "0", "4Gi", "-1Gi", "1Ti", "1gi", "200Gi"};
static const char *const types[] = {"inf1.xlarge", "inf1.6xlarge", "inf1.24xlarge", "inf2.48xlarge",
                                    "trn1.32xlarge", "m5.large", "g4dn.xlarge", "inf3.xlarge", "INF1.xlarge"};
static const char *const prices[] = {"0.5", "1", "0", "-1", "x", "1e3"};
static const char *const ngs[] = {"ng0", "ng1", "ng2", "missing"};

/* One API of the file. */
static void gen_api(in *s, text *t)
{
    unsigned keys = u8(s) | u8(s) << 8;
    add(t, "- name: %s\n", PICK(s, names));
    if (keys & 1)
        add(t, "  kind: %s\n", PICK(s, kinds));
    if (keys & 2) {
        add(t, "  predictor:\n    type: python\n");
        if (keys & 4)
            add(t, "    processes_per_replica: %s\n", PICK(s, counts));
        if (keys & 8)
            add(t, "    models:\n      paths:\n        - name: m\n          path: s3://b/m\n");
    }
    if (keys & 16) {
        add(t, "  compute:\n");
        if (keys & 32)
            add(t, "    inf: %s\n", PICK(s, counts));
        if (keys & 64)
            add(t, "    cpu: %s\n", PICK(s, cpus));
        if (keys & 128)
            add(t, "    mem: %s\n", PICK(s, mems));
        if (keys & 256)
            add(t, "    gpu: %s\n", PICK(s, counts));
    }
    if (keys & 512) {
        add(t, "  autoscaling:\n");
        if (u8(s) & 1)
            add(t, "    min_replicas: %s\n", PICK(s, counts));
        if (u8(s) & 1)
            add(t, "    init_replicas: %s\n", PICK(s, counts));
        if (u8(s) & 1)
            add(t, "    max_replicas: %s\n", PICK(s, counts));
    }
    if (keys & 1024)
        add(t, "  node_groups: [%s, %s]\n", PICK(s, ngs), PICK(s, ngs));
    if (keys & 2048)
        add(t, "  apis:\n    - name: %s\n      weight: %s\n", PICK(s, names), PICK(s, counts));
    if (keys & 4096) {
        add(t, "  ncg:\n    max_per_node: %s\n", PICK(s, counts));
        if (u8(s) & 1)
            add(t, "    models: [{name: m, size: %s, compiled_cores: %s}]\n", PICK(s, mems), PICK(s, counts));
    }
    if (keys & 8192)
        add(t, "  %s: 1\n", PICK(s, ((const char *const[]){"unknown", "name", "compute", "networking"})));
}

static void gen_cluster(in *s, text *t)
{
    int groups = 1 + (int)(u8(s) % 3);
    add(t, "region: %s\n", u8(s) & 1 ? "us-east-1" : "mars-1");
    add(t, "node_groups:\n");
    for (int i = 0; i < groups; i++) {
        unsigned keys = u8(s);
        add(t, "  - name: ng%d\n    instance_type: %s\n", (int)(u8(s) % 3), PICK(s, types));
        if (keys & 1)
            add(t, "    min_instances: %s\n", PICK(s, counts));
        if (keys & 2)
            add(t, "    max_instances: %s\n", PICK(s, counts));
        if (keys & 4)
            add(t, "    price: %s\n", PICK(s, prices));
        if (keys & 8)
            add(t, "    priority: %s\n", PICK(s, counts));
        if (keys & 16)
            add(t, "    spot: %s\n", u8(s) & 1 ? "true" : "maybe");
    }
}

/* The diagnostics of a reader, one per line, checked to name the file and a position. */
static char *diagnostics(const ncg_cortex *c)
{
    text t = {0};
    add(&t, "%d errors\n", ncg_cortex_error_count(c));
    for (int i = 0; i < ncg_cortex_diagnostic_count(c); i++) {
        ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
        ncg_cortex_get_diagnostic(c, i, &d, NULL);
        if (!d.message || !d.file || strncmp(d.message, d.file, strlen(d.file)) != 0 ||
            d.message[strlen(d.file)] != ':')
            FAIL("a diagnostic without its file and position: %s", d.message ? d.message : "(null)");
        add(&t, "%s\n", d.message);
    }
    return t.p;
}

static ncg_catalog *cat;

/* Load the two files with flags; the diagnostics, the count of APIs read in *apis, and the errors of the loads
 * (before the check adds its own) in *errors. */
static char *load(unsigned flags, const char *apis_text, const char *cluster_text, int *apis, int *rc, int *errors)
{
    ncg_cortex *c = ncg_cortex_new(flags, NULL);
    ncg_cluster *cl;
    char *diag;
    if (!c)
        abort();
    *rc = ncg_cortex_load_apis(c, "apis.yaml", apis_text, NULL);
    if (*rc >= 0 || (flags & NCG_CORTEX_KEEP_GOING)) {
        int r = ncg_cortex_load_cluster(c, "cluster.yaml", cluster_text, NULL);
        *rc = *rc < 0 ? *rc : r;
    }
    *apis = ncg_cortex_api_count(c);
    *errors = ncg_cortex_error_count(c);
    if ((cl = ncg_cortex_new_cluster(c, cat, NULL, NULL))) {
        ncg_plan *plan;
        ncg_cortex_check(c, cat, cl, NULL);
        if (ncg_cluster_nodegroup_count(cl) > 0 && (plan = ncg_plan_new(cl, 0, NULL))) {
            ncg_cortex_add_to_plan(c, plan, NCG_CORTEX_REPLICAS_MIN, NULL);
            ncg_plan_free(plan);
        }
        ncg_cluster_free(cl);
    }
    diag = diagnostics(c);
    ncg_cortex_free(c);
    return diag;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in s = {data, size};
    text apis = {0}, cluster = {0};
    int napis = 1 + (int)(u8(&s) % 4), strict_apis, keep_apis, keep_apis2, strict_rc, keep_rc, rc2, e1, e2, e3;
    char *strict_diag, *keep_diag, *again;
    if (!cat && !(cat = ncg_catalog_new_region("us-east-1", 0, NULL)))
        abort();
    for (int i = 0; i < napis; i++)
        gen_api(&s, &apis);
    gen_cluster(&s, &cluster);
    strict_diag = load(0, apis.p, cluster.p, &strict_apis, &strict_rc, &e1);
    keep_diag = load(NCG_CORTEX_KEEP_GOING, apis.p, cluster.p, &keep_apis, &keep_rc, &e2);
    again = load(NCG_CORTEX_KEEP_GOING, apis.p, cluster.p, &keep_apis2, &rc2, &e3);
    if (strcmp(keep_diag, again) != 0 || keep_apis != keep_apis2)
        FAIL("the same files read twice differ:\n%s---\n%s", keep_diag, again);
    if ((strict_rc < 0) != (e2 > 0))
        FAIL("strict mode returned %d, keep-going recorded:\n%s\nin\n%s%s", strict_rc, keep_diag, apis.p, cluster.p);
    if (strict_rc >= 0 && strict_apis != keep_apis)
        FAIL("strict mode read %d APIs, keep-going %d", strict_apis, keep_apis);
    free(strict_diag);
    free(keep_diag);
    free(again);
    free(apis.p);
    free(cluster.p);
    return 0;
}
