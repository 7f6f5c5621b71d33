/* SPDX-License-Identifier: Apache-2.0 */
/* The benchmark's workloads (Cortex-like mixes, the Alibaba trace), shared by ncg-bench and the tests that check
 * its master LPs against HiGHS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads.h"

#define GIB (INT64_C(1) << 30)



const char *const inf1_types[] = {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge", "inf1.24xlarge"};
const char *const inf2_types[] = {"inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};
/* the 4x4 torus: trn1.32xlarge and trn1n.32xlarge (16 chips), with trn1.2xlarge (1 chip) */
const char *const trn1_types[] = {"trn1.2xlarge", "trn1.32xlarge", "trn1n.32xlarge"};

uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void workload_alloc(workload *w, int apis)
{
    w->apis = calloc((size_t)apis, sizeof(*w->apis));
    w->names = calloc((size_t)apis, sizeof(*w->names));
    w->api_count = apis;
    if (!w->apis || !w->names) {
        fprintf(stderr, "ncg-bench: out of memory\n");
        exit(1);
    }
}

/* (a) Cortex-like mixes: inf from {0,1,2,4,8,16}, ppr a valid divisor, cpu 0.5-16, memory 1-64Gi. */
const int mix_infs[] = {0, 1, 2, 4, 8, 16};
/* (c) replicas larger than half a node (of inf1.6xlarge's 4 chips, inf1.24xlarge's 16): 3, 9, 12 or 16 chips. */
const int large_infs[] = {3, 3, 9, 12, 16, 0};

void mix(workload *w, const char *label, const char *family, const char *const *types, int ntypes,
                const int *infs, int napis, int replicas, uint64_t seed)
{
    int cores_per_chip = strcmp(family, "inf1") == 0 ? 4 : 2, left = replicas;
    memset(w, 0, sizeof(*w));
    snprintf(w->name, sizeof(w->name), "%s %s %d APIs", label, family, napis);
    w->catalog = ncg_catalog_new(0, NULL);
    w->types = types;
    w->type_count = ntypes;
    workload_alloc(w, napis);
    for (int i = 0; i < napis; i++) {
        validate_api *a = &w->apis[i];
        int64_t pprs[64];
        ncg_request_init(&a->request);
        a->request.inf = infs[splitmix(&seed) % 6];
        if (a->request.inf) {
            int k = ncg_ppr_values(a->request.inf * cores_per_chip, pprs, 64, NULL);
            a->request.ppr = pprs[splitmix(&seed) % (uint64_t)k];
        }
        a->request.cpu_milli = 500 + (int64_t)(splitmix(&seed) % 15501);
        a->request.memory_bytes = GIB * (1 + (int64_t)(splitmix(&seed) % 64));
        a->replicas = i == napis - 1 ? left : replicas / napis;
        left -= a->replicas;
        snprintf(w->names[i], sizeof(w->names[i]), "api-%d", i);
    }
    w->replicas = replicas;
}

void synthetic(workload *w, const char *family, const char *const *types, int napis, int replicas,
                      uint64_t seed)
{
    mix(w, "synthetic", family, types, 4, mix_infs, napis, replicas, seed);
}

/* (b) the Alibaba trace: one API per app_name, one chip per accelerator replica. */
int alibaba(workload *w, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    memset(w, 0, sizeof(*w));
    if (!f)
        return -1;
    snprintf(w->name, sizeof(w->name), "alibaba trace on inf2");
    w->catalog = ncg_catalog_new(0, NULL);
    w->types = inf2_types;
    w->type_count = 4;
    workload_alloc(w, 512);
    w->api_count = 0;
    fgets(line, sizeof(line), f); /* header */
    while (fgets(line, sizeof(line), f)) {
        char *fld[20], *s = line;
        int n = 0, i;
        while (n < 20) {
            fld[n++] = s;
            s = strchr(s, ',');
            if (!s)
                break;
            *s++ = '\0';
        }
        if (n < 14)
            continue;
        for (i = 0; i < w->api_count && strcmp(w->names[i], fld[2]) != 0; i++)
            ;
        if (i == w->api_count) {
            validate_api *a = &w->apis[i];
            if (i == 512)
                break;
            snprintf(w->names[i], sizeof(w->names[i]), "%s", fld[2]);
            ncg_request_init(&a->request);
            a->request.inf = atoi(fld[5]);
            a->request.cpu_milli = (int64_t)(atof(fld[3]) * 1000);
            a->request.memory_bytes = (int64_t)(atof(fld[9]) * (double)GIB);
            a->max_per_node = atoi(fld[13]) > 0 ? atoi(fld[13]) : 0;
            w->api_count++;
        }
        w->apis[i].replicas++;
        w->replicas++;
    }
    fclose(f);
    return 0;
}


void workload_free(workload *w)
{
    free(w->apis);
    free(w->names);
    ncg_catalog_free(w->catalog);
}
