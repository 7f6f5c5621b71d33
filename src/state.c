/* SPDX-License-Identifier: Apache-2.0 */
/* Dump and restore of a cluster as text. The format (doc/state-format.md):
 *
 *   ncg-cluster 1
 *   group NAME MIN MAX PRICE TYPE ACCEL CHIPS CPC PHYS DEVMEM GPUS CPU MEM HUGEPAGES TOPOLOGY TYPEPRICE
 *         CPU_USABLE MEM_USABLE RUNTIME_RESERVE_PER_CHIP
 *   node NAME GROUP POLICY NEXT_ID
 *   alloc ID WHOLE FIRST_CORE CORE_COUNT PPR SIZES CPU MEM HUGEPAGES MODELS
 *   model BYTES COMPILED_CORES STATIC NAME
 *   end
 *
 * One record per line, fields separated by one space. Prices are "-" when unknown, else C's %.17g (exact for a
 * double). SIZES is "-" when every NCG has CORE_COUNT/PPR cores, else the comma list of sizes. Model names are
 * percent-encoded ("-" for none). Integers are decimal. Every field is checked on restore; the first bad line is
 * reported with its number. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

typedef struct out {
    char *buf;
    size_t size, len;
} out;

static void put(out *o, const char *fmt, ...) NCG_PRINTF(2, 3);
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL, o->len < o->size ? o->size - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void put_price(out *o, bool known, double price)
{
    if (known)
        put(o, " %.17g", price);
    else
        put(o, " -");
}

static void put_escaped(out *o, const char *s)
{
    if (!s || !*s) {
        put(o, " -");
        return;
    }
    if (strcmp(s, "-") == 0) {
        put(o, " %%2D");
        return;
    }
    put(o, " ");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= ' ' || ch >= 0x7f || ch == '%')
            put(o, "%%%02X", ch);
        else
            put(o, "%c", ch);
    }
}

NCG_EXPORT int ncg_cluster_dump(const ncg_cluster *c, char *buf, size_t size, ncg_error *err)
{
    out o = {buf, size, 0};
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "cluster_dump: buf is NULL but size is %zu", size);
    put(&o, "ncg-cluster 1\n");
    for (int gi = 0; gi < c->group_count; gi++) {
        const cgroup *g = &c->groups[gi];
        const ncg_type *t = &g->type.t;
        put(&o, "group %s %d %d", g->name, g->min_nodes, g->max_nodes);
        put_price(&o, g->has_price, g->spec_price);
        put(&o, " %s %d %d %d %d %" PRId64 " %d %" PRId64 " %" PRId64 " %" PRId64 " %d", g->type.name,
            (int)t->accelerator, t->chips, t->cores_per_chip, t->physical_cores_per_chip, t->device_memory_bytes,
            t->gpus, t->cpu_milli, t->memory_bytes, t->hugepages_bytes, (int)t->topology);
        put_price(&o, t->has_price, t->usd_per_hour);
        put(&o, " %" PRId64 " %" PRId64 " %" PRId64 "\n", g->type.cpu_usable_milli, g->type.memory_usable_bytes,
            g->type.runtime_reserve_bytes_per_chip);
    }
    for (int i = 0; i < c->node_count; i++) {
        const cnode *n = c->nodes[i];
        put(&o, "node %s %s %d %" PRIu32 "\n", n->name, c->groups[n->group].name, (int)n->node->policy,
            n->node->next_id);
        for (int k = 0; k < n->node->count; k++) {
            const alloc_rec *r = &n->node->allocs[k];
            put(&o, "alloc %" PRIu32 " %d %d %d %d ", r->a.id, r->a.whole_chips, r->a.first_core, r->a.core_count,
                r->a.ppr);
            if (r->group_sizes)
                for (int p = 0; p < r->a.ppr; p++)
                    put(&o, "%s%d", p ? "," : "", r->group_sizes[p]);
            else
                put(&o, "-");
            put(&o, " %" PRId64 " %" PRId64 " %" PRId64 " %zu\n", r->a.cpu_milli, r->a.memory_bytes,
                r->a.hugepages_bytes, r->model_count);
            for (size_t m = 0; m < r->model_count; m++) {
                put(&o, "model %" PRId64 " %d %d", r->models[m].bytes, r->models[m].compiled_cores,
                    r->models[m].static_weights ? 1 : 0);
                put_escaped(&o, r->models[m].name);
                put(&o, "\n");
            }
        }
    }
    put(&o, "end\n");
    if (o.len > INT32_MAX)
        return ncg_fail(err, NCG_E_RANGE, "cluster state of %zu bytes exceeds 2^31", o.len);
    return (int)o.len;
}

/* ---- restore ---- */

typedef struct reader {
    const char *p;
    int line;
    char *fields[24];
    int count;
    char buf[1024];
} reader;

/* Read the next line into fields; false at end of text. */
static bool next_line(reader *rd)
{
    size_t n = 0;
    char *s;
    if (!*rd->p)
        return false;
    while (rd->p[n] && rd->p[n] != '\n')
        n++;
    rd->line++;
    if (n >= sizeof(rd->buf))
        n = sizeof(rd->buf) - 1;
    memcpy(rd->buf, rd->p, n);
    rd->buf[n] = '\0';
    rd->p += n;
    while (*rd->p && *rd->p != '\n')
        rd->p++;
    if (*rd->p == '\n')
        rd->p++;
    rd->count = 0;
    for (s = rd->buf; *s && rd->count < 24;) {
        rd->fields[rd->count++] = s;
        s = strchr(s, ' ');
        if (!s)
            break;
        *s++ = '\0';
    }
    return true;
}

static bool to_i64(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    char *end;
    long long x;
    if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
        return false;
    errno = 0;
    x = strtoll(s, &end, 10);
    if (errno || *end || x < lo || x > hi)
        return false;
    *v = x;
    return true;
}

static bool to_int(const char *s, int lo, int hi, int *v)
{
    int64_t x;
    if (!to_i64(s, lo, hi, &x))
        return false;
    *v = (int)x;
    return true;
}

static bool to_price(const char *s, int *known, double *v)
{
    char *end;
    if (strcmp(s, "-") == 0) {
        *known = 0;
        *v = 0;
        return true;
    }
    errno = 0;
    *v = strtod(s, &end);
    *known = 1;
    return !errno && !*end && end != s && isfinite(*v) && *v >= 0;
}

static bool unescape(const char *s, char *outp, size_t size)
{
    size_t o = 0;
    if (strcmp(s, "-") == 0) {
        outp[0] = '\0';
        return true;
    }
    for (; *s; s++) {
        unsigned v;
        if (o + 1 >= size)
            return false;
        if (*s == '%') {
            if (sscanf(s + 1, "%2X", &v) != 1 || !s[1] || !s[2])
                return false;
            outp[o++] = (char)v;
            s += 2;
        } else {
            outp[o++] = *s;
        }
    }
    outp[o] = '\0';
    return true;
}

static int bad(ncg_error *err, const reader *rd, const char *what)
{
    return ncg_fail(err, NCG_E_PARSE, "cluster state line %d: %s", rd->line, what);
}

static int restore_group(ncg_cluster *c, reader *rd, ncg_error *err)
{
    ncg_type t = {0};
    ncg_group_spec spec = {0};
    ncg_catalog *cat;
    int accel, topo, rc, has_type_price;
    int64_t cpu_usable, mem_usable, runtime;
    cgroup *g;

    if (rd->count != 20)
        return bad(err, rd, "a group line has 20 fields");
    spec.name = rd->fields[1];
    spec.type = rd->fields[5];
    t.name = rd->fields[5];
    if (!to_int(rd->fields[2], 0, 1000000, &spec.min_nodes) || !to_int(rd->fields[3], 0, 1000000, &spec.max_nodes) ||
        !to_price(rd->fields[4], &spec.has_price, &spec.usd_per_hour))
        return bad(err, rd, "bad group MIN, MAX or PRICE");
    if (!to_int(rd->fields[6], 0, 3, &accel) || !to_int(rd->fields[7], 0, NCG_MAX_CHIPS, &t.chips) ||
        !to_int(rd->fields[8], 0, NCG_MAX_CORES_PER_CHIP, &t.cores_per_chip) ||
        !to_int(rd->fields[9], 0, 64, &t.physical_cores_per_chip) ||
        !to_i64(rd->fields[10], 0, INT64_MAX, &t.device_memory_bytes) || !to_int(rd->fields[11], 0, 64, &t.gpus) ||
        !to_i64(rd->fields[12], 1, INT64_MAX, &t.cpu_milli) || !to_i64(rd->fields[13], 1, INT64_MAX, &t.memory_bytes) ||
        !to_i64(rd->fields[14], 0, INT64_MAX, &t.hugepages_bytes) || !to_int(rd->fields[15], 0, 3, &topo) ||
        !to_price(rd->fields[16], &has_type_price, &t.usd_per_hour) ||
        !to_i64(rd->fields[17], 0, INT64_MAX, &cpu_usable) || !to_i64(rd->fields[18], 0, INT64_MAX, &mem_usable) ||
        !to_i64(rd->fields[19], 0, INT64_MAX, &runtime))
        return bad(err, rd, "bad instance type field in group line");
    t.accelerator = (ncg_accel)accel;
    t.topology = (ncg_topology)topo;
    t.has_price = has_type_price;
    cat = ncg_catalog_new_empty(err);
    if (!cat)
        return NCG_E_NOMEM;
    rc = ncg_catalog_set_type(cat, &t, err);
    if (rc >= 0)
        rc = ncg_cluster_add_group(c, cat, &spec, err);
    ncg_catalog_free(cat);
    if (rc < 0) {
        if (err && rc != NCG_E_NOMEM) {
            char msg[NCG_MESSAGE_MAX];
            snprintf(msg, sizeof(msg), "%s", err->message);
            return bad(err, rd, msg);
        }
        return rc;
    }
    g = &c->groups[rc];
    g->type.cpu_usable_milli = cpu_usable;
    g->type.memory_usable_bytes = mem_usable;
    g->type.runtime_reserve_bytes_per_chip = runtime;
    return 0;
}

static int restore_alloc(cnode *n, reader *rd, ncg_error *err)
{
    const ncg_type *t = &n->node->type.t;
    int64_t id, cpu, mem, hp, nmodels;
    int whole, first, count, ppr, sizes[NCG_MAX_CORES], rc;
    bool uniform = true;
    placement p = {.first_chip = -1, .first_core = -1};
    ncg_request r;
    ncg_model *models = NULL;
    char *names = NULL;

    if (rd->count != 11)
        return bad(err, rd, "an alloc line has 11 fields");
    if (!to_i64(rd->fields[1], 1, UINT32_MAX, &id) || !to_int(rd->fields[2], 0, 1, &whole) ||
        !to_int(rd->fields[3], -1, NCG_MAX_CORES - 1, &first) || !to_int(rd->fields[4], 0, NCG_MAX_CORES, &count) ||
        !to_int(rd->fields[5], 0, NCG_MAX_CORES, &ppr) || !to_i64(rd->fields[7], 0, INT64_MAX, &cpu) ||
        !to_i64(rd->fields[8], 0, INT64_MAX, &mem) || !to_i64(rd->fields[9], 0, INT64_MAX, &hp) ||
        !to_i64(rd->fields[10], 0, 4096, &nmodels))
        return bad(err, rd, "bad alloc field");
    if (id < n->node->next_id && n->node->count > 0)
        return bad(err, rd, "alloc ids must increase within a node");
    if (count > 0 && (first < 0 || first + count > t->chips * t->cores_per_chip || ppr < 1))
        return bad(err, rd, "alloc cores out of range for the node's type");
    if (count == 0 && (whole || first != -1))
        return bad(err, rd, "an alloc without cores has WHOLE 0 and FIRST_CORE -1");
    if (strcmp(rd->fields[6], "-") != 0) {
        int sum = 0, k = ncg_parse_group_sizes(rd->fields[6], sizes, NCG_MAX_CORES, NULL);
        if (k != ppr)
            return bad(err, rd, "alloc SIZES must list PPR sizes");
        for (int i = 0; i < k; i++)
            sum += sizes[i];
        if (sum != count)
            return bad(err, rd, "alloc SIZES must add up to CORE_COUNT");
        uniform = false;
    } else if (ppr > 0 && count % ppr != 0) {
        return bad(err, rd, "alloc CORE_COUNT must be a multiple of PPR");
    }
    if (whole && (first % t->cores_per_chip || count % t->cores_per_chip))
        return bad(err, rd, "a whole-chip alloc covers whole chips");
    ncg_request_init(&r);
    r.cpu_milli = cpu;
    r.memory_bytes = mem;
    r.hugepages_bytes = hp;
    if (nmodels > 0) {
        models = calloc((size_t)nmodels, sizeof(*models));
        names = calloc((size_t)nmodels, 256);
        if (!models || !names) {
            free(models);
            free(names);
            return ncg_fail(err, NCG_E_NOMEM, "out of memory restoring models");
        }
    }
    rc = 0;
    for (int64_t m = 0; m < nmodels && rc == 0; m++) {
        int compiled, stat;
        if (!next_line(rd) || rd->count != 5 || strcmp(rd->fields[0], "model") != 0 ||
            !to_i64(rd->fields[1], 0, INT64_MAX, &models[m].bytes) ||
            !to_int(rd->fields[2], 0, NCG_MAX_CORES, &compiled) || !to_int(rd->fields[3], 0, 1, &stat) ||
            !unescape(rd->fields[4], names + m * 256, 256))
            rc = bad(err, rd, "expected a model line: model BYTES COMPILED_CORES STATIC NAME");
        models[m].compiled_cores = compiled;
        models[m].static_weights = stat;
        models[m].name = names + m * 256;
    }
    if (rc == 0) {
        r.models = models;
        r.model_count = (size_t)nmodels;
        p.whole_chips = whole;
        p.first_core = count ? first : -1;
        p.core_count = count;
        p.shape.ppr = ppr;
        if (count) {
            p.first_chip = first / t->cores_per_chip;
            p.chip_count = (first + count - 1) / t->cores_per_chip - p.first_chip + 1;
        }
        n->node->next_id = (uint32_t)id;
        rc = ncg_node_insert(n->node, &p, &r, uniform ? NULL : sizes, NULL, NULL, err);
        if (rc > 0)
            rc = 0;
        else if (err && rc != NCG_E_NOMEM) {
            char msg[NCG_MESSAGE_MAX];
            snprintf(msg, sizeof(msg), "%s", err->message);
            rc = bad(err, rd, msg);
            err->code = NCG_E_OVERLAP;
            rc = NCG_E_OVERLAP;
        }
    }
    free(models);
    free(names);
    return rc;
}

NCG_EXPORT ncg_cluster *ncg_cluster_restore(const char *text, ncg_error *err)
{
    reader rd = {.p = text};
    ncg_cluster *c;
    cnode *n = NULL;
    int rc = 0;
    int64_t next_id = 1;
    bool ended = false;

    if (!text) {
        ncg_fail(err, NCG_E_INVALID, "cluster state text is NULL");
        return NULL;
    }
    if (!next_line(&rd) || rd.count != 2 || strcmp(rd.fields[0], "ncg-cluster") != 0 ||
        strcmp(rd.fields[1], "1") != 0) {
        bad(err, &rd, "expected the header \"ncg-cluster 1\"");
        return NULL;
    }
    c = ncg_cluster_new(err);
    if (!c)
        return NULL;
    while (rc == 0 && next_line(&rd)) {
        const char *kind = rd.count ? rd.fields[0] : "";
        if (ended) {
            rc = bad(err, &rd, "text after \"end\"");
        } else if (strcmp(kind, "group") == 0) {
            rc = n ? bad(err, &rd, "group lines come before node lines") : restore_group(c, &rd, err);
        } else if (strcmp(kind, "node") == 0) {
            int g, policy;
            if (n)
                n->node->next_id = (uint32_t)next_id;
            if (rd.count != 5 || (g = ncg_cluster_group_index(c, rd.fields[2])) < 0 ||
                !to_int(rd.fields[3], 0, 1, &policy) || !to_i64(rd.fields[4], 1, UINT32_MAX, &next_id)) {
                rc = bad(err, &rd, "expected: node NAME GROUP POLICY NEXT_ID with a known group");
                continue;
            }
            n = ncg_cluster_insert_node(c, rd.fields[1], g, err);
            if (!n) {
                char msg[NCG_MESSAGE_MAX];
                snprintf(msg, sizeof(msg), "%s", err ? err->message : "bad node");
                rc = bad(err, &rd, msg);
                continue;
            }
            n->node->policy = (ncg_policy)policy;
        } else if (strcmp(kind, "alloc") == 0) {
            rc = n ? restore_alloc(n, &rd, err) : bad(err, &rd, "an alloc line comes after its node line");
            if (rc == 0 && n->node->next_id > next_id)
                rc = bad(err, &rd, "alloc id is not below the node's NEXT_ID");
            if (rc == 0)
                ncg_cluster_reindex(c, n);
        } else if (strcmp(kind, "end") == 0 && rd.count == 1) {
            ended = true;
        } else {
            rc = bad(err, &rd, "unknown record");
        }
    }
    if (rc == 0 && !ended)
        rc = bad(err, &rd, "missing \"end\"");
    if (rc != 0)
        return ncg_cluster_free(c);
    if (n)
        n->node->next_id = (uint32_t)next_id;
    return c;
}

ncg_cluster *ncg_cluster_clone(const ncg_cluster *c, ncg_error *err)
{
    int len = ncg_cluster_dump(c, NULL, 0, err);
    ncg_cluster *copy;
    char *text;
    if (len < 0)
        return NULL;
    text = malloc((size_t)len + 1);
    if (!text) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory copying a cluster");
        return NULL;
    }
    ncg_cluster_dump(c, text, (size_t)len + 1, NULL);
    copy = ncg_cluster_restore(text, err);
    free(text);
    return copy;
}
