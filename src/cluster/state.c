/* SPDX-License-Identifier: Apache-2.0 */
/* Dump and restore of a cluster as text. The format (doc/state-format.md):
 *
 *   ncg-cluster 2
 *   nodegroup NAME MIN MAX PRICE TYPE ACCEL CHIPS CPC PHYS DEVMEM GPUS CPU MEM HUGEPAGES TOPOLOGY TYPEPRICE
 *             CPU_USABLE MEM_USABLE RUNTIME_RESERVE_PER_CHIP PRIORITY POLICY LNC HBM_BANKS
 *   node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION]
 *   alloc ID WHOLE FIRST_CORE CORE_COUNT PPR SIZES CPU MEM HUGEPAGES MODELS [SERVERS]
 *   model BYTES COMPILED_CORES STATIC NAME
 *   end
 *
 * One record per line, fields separated by one space. Prices are "-" when unknown, else the shortest decimal that
 * reads back to the same double, with '.' under every locale. SIZES is "-" when every NCG has CORE_COUNT/PPR
 * cores, else the comma list of sizes. Model names are percent-encoded ("-" for none). Integers are decimal;
 * ids are unsigned 64-bit. Every field is checked on restore; the first bad line is reported with its number.
 * Lines and names have no length limit here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"

/* ---- dump ---- */

typedef struct out {
    char *buf;                  /* NULL: the measuring pass; else a buffer the measured text fits in */
    size_t len;
} out;

/* The text is written by hand, not by printf: a daemon dumps its state often, and formatting was nearly all of
 * the time. Each writer counts what it writes; it writes only in the second pass, when all of it fits. */
static void put_bytes(out *o, const char *s, size_t n)
{
    if (o->buf) /* the writing pass: everything fits, the measuring pass made sure */
        memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_str(out *o, const char *s) { put_bytes(o, s, strlen(s)); }

static void put_char(out *o, char ch)
{
    if (o->buf)
        o->buf[o->len] = ch;
    o->len++;
}

static void put_u64(out *o, uint64_t v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char text[20];
    size_t n = sizeof(text);
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        text[--n] = pairs[d + 1];
        text[--n] = pairs[d];
    }
    if (v >= 10) {
        text[--n] = pairs[v * 2 + 1];
        text[--n] = pairs[v * 2];
    } else {
        text[--n] = (char)('0' + v);
    }
    put_bytes(o, text + n, sizeof(text) - n);
}

static void put_i64(out *o, int64_t v)
{
    if (v < 0) {
        put_char(o, '-');
        put_u64(o, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
    } else {
        put_u64(o, (uint64_t)v);
    }
}

/* " " and the integer: the fields of a record. */
static void put_field(out *o, int64_t v)
{
    put_char(o, ' ');
    put_i64(o, v);
}

static void put_escaped(out *o, const char *s)
{
    static const char hexdig[] = "0123456789ABCDEF";
    if (!s || !*s) {
        put_str(o, " -");
        return;
    }
    if (strcmp(s, "-") == 0) {
        put_str(o, " %2D");
        return;
    }
    put_char(o, ' ');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= ' ' || ch >= 0x7f || ch == '%') {
            char esc[3] = {'%', hexdig[ch >> 4], hexdig[ch & 15]};
            put_bytes(o, esc, 3);
        } else {
            put_char(o, (char)ch);
        }
    }
}

static void dump_node(out *o, const ncg_cluster *c, int i)
{
    const ncg_node *n = ncg_cluster_node(c, i);
    ncg_nodegroup_info g;
    ncg_cluster_nodegroup_info(c, ncg_cluster_node_nodegroup(c, i), &g);
    put_str(o, "node ");
    put_str(o, ncg_cluster_node_name(c, i));
    put_char(o, ' ');
    put_str(o, g.name);
    put_field(o, (int)ncg_node_policy(n));
    put_char(o, ' ');
    put_u64(o, ncg_node_next_id(n));
    {
        const char *us;
        int position;
        ncg_cluster_get_node_ultraserver(c, i, &us, &position, NULL);
        if (us) {
            put_char(o, ' ');
            put_str(o, us);
            put_field(o, position);
        }
    }
    put_char(o, '\n');
    for (int k = 0; k < ncg_node_alloc_count(n); k++) {
        ncg_alloc a;
        const int *sizes = ncg_node_alloc_sizes(n, k);
        size_t count;
        const ncg_model *models = ncg_node_alloc_models(n, k, &count);
        ncg_node_alloc_at(n, k, &a);
        put_str(o, "alloc ");
        put_u64(o, a.id);
        put_field(o, a.whole_chips);
        put_field(o, a.first_core);
        put_field(o, a.core_count);
        put_field(o, a.ppr);
        put_char(o, ' ');
        if (sizes) {
            for (int p = 0; p < a.ppr; p++) {
                if (p)
                    put_char(o, ',');
                put_i64(o, sizes[p]);
            }
        } else {
            put_char(o, '-');
        }
        put_field(o, a.cpu_milli);
        put_field(o, a.memory_bytes);
        put_field(o, a.hugepages_bytes);
        put_char(o, ' ');
        put_u64(o, count);
        {
            int servers = ncg_ultras_servers(ncg_cluster_ultras_const(c), ncg_cluster_node_seq(c, i), a.id);
            if (servers > 0)
                put_field(o, servers);
        }
        put_char(o, '\n');
        for (size_t m = 0; m < count; m++) {
            put_str(o, "model");
            put_field(o, models[m].bytes);
            put_field(o, models[m].compiled_cores);
            put_field(o, models[m].static_weights ? 1 : 0);
            put_escaped(o, models[m].name);
            put_char(o, '\n');
        }
    }
}

static void dump(out *o, const ncg_cluster *c)
{
    put_str(o, "ncg-cluster 2\n");
    for (int gi = 0; gi < ncg_cluster_nodegroup_count(c); gi++) {
        ncg_nodegroup_info g;
        const ncg_type *t;
        ncg_cluster_nodegroup_info(c, gi, &g);
        t = &g.type->t;
        put_str(o, "nodegroup ");
        put_str(o, g.name);
        put_field(o, g.min_nodes);
        put_field(o, g.max_nodes);
        put_char(o, ' ');
        put_str(o, g.spec_price_text);
        put_char(o, ' ');
        put_str(o, g.type->name);
        put_field(o, (int)t->accelerator);
        put_field(o, t->chips);
        put_field(o, t->cores_per_chip);
        put_field(o, t->physical_cores_per_chip);
        put_field(o, t->device_memory_bytes);
        put_field(o, t->gpus);
        put_field(o, t->cpu_milli);
        put_field(o, t->memory_bytes);
        put_field(o, t->hugepages_bytes);
        put_field(o, (int)t->topology);
        put_char(o, ' ');
        put_str(o, g.type_price_text);
        put_field(o, g.type->cpu_usable_milli);
        put_field(o, g.type->memory_usable_bytes);
        put_field(o, g.type->runtime_reserve_bytes_per_chip);
        put_field(o, g.priority);
        put_field(o, (int)g.policy);
        put_field(o, t->lnc);
        put_field(o, t->hbm_banks);
        put_char(o, '\n');
    }
    for (int i = 0; i < ncg_cluster_node_count(c); i++)
        dump_node(o, c, i);
    put_str(o, "end\n");
}

NCG_EXPORT int ncg_cluster_dump(const ncg_cluster *c, char *buf, size_t size, ncg_error *err)
{
    out o = {NULL, 0};
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "cluster_dump: buf is NULL but size is %zu", size);
    dump(&o, c); /* measure first: the buffer is written only when all of it fits */
    if (o.len > INT32_MAX)
        return ncg_fail(err, NCG_E_RANGE, "cluster state of %zu bytes exceeds 2^31", o.len);
    if (o.len < size) { /* buf is not NULL: size > 0 */
        out w = {buf, 0};
        dump(&w, c);
        buf[w.len] = '\0';
    }
    return (int)o.len;
}

/* ---- restore ---- */

#define MAX_FIELDS 24

typedef struct reader {
    char *p;            /* rest of the (copied) text */
    int line;
    char *fields[MAX_FIELDS];
    int count;          /* fields on the line; MAX_FIELDS + 1 when there are more */
} reader;

/* Cut the next line into fields in place; false at end of text. */
static bool next_line(reader *rd)
{
    char *s = rd->p, *end;
    if (!*s)
        return false;
    end = strchr(s, '\n');
    if (end) {
        *end = '\0';
        rd->p = end + 1;
    } else {
        rd->p = s + strlen(s);
    }
    rd->line++;
    rd->count = 0;
    while (rd->count <= MAX_FIELDS) {
        if (rd->count == MAX_FIELDS) {
            rd->count++;
            break;
        }
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

static bool to_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    char *end;
    unsigned long long x;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    x = strtoull(s, &end, 10);
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

static bool to_price(const char *s, bool *known, double *v)
{
    if (strcmp(s, "-") == 0) {
        *known = false;
        *v = 0;
        return true;
    }
    *known = true;
    return ncg_parse_double(s, v) && *v >= 0;
}

static int hex(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Decode a percent-encoded name in place. */
static bool unescape(char *s)
{
    char *o = s;
    if (strcmp(s, "-") == 0) {
        s[0] = '\0';
        return true;
    }
    for (; *s; s++) {
        if (*s == '%') {
            int hi = hex(s[1]), lo = hi < 0 ? -1 : hex(s[2]);
            if (lo < 0)
                return false;
            *o++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return true;
}

static int bad(ncg_error *err, const reader *rd, const char *what)
{
    return ncg_fail(err, NCG_E_PARSE, "cluster state line %d: %s", rd->line, what);
}

/* A failure of a library call while restoring: out of memory stays NCG_E_NOMEM, an overlap NCG_E_OVERLAP, the
 * rest is a parse error of that line. */
static int bad_call(ncg_error *err, const reader *rd, int rc, const ncg_error *inner)
{
    if (rc == NCG_E_NOMEM)
        return ncg_fail(err, rc, "%s", inner->message);
    return ncg_fail_prefix(err, rc == NCG_E_OVERLAP ? rc : NCG_E_PARSE, inner, "cluster state line %d", rd->line);
}

static int restore_nodegroup(ncg_cluster *c, reader *rd, ncg_error *err)
{
    ncg_type_copy tc = {0};
    ncg_type *t = &tc.t;
    int accel, topo, min, max, priority = 0, policy = NCG_POLICY_PACK, rc;
    bool has_price, has_type_price;
    double price;
    ncg_error e;

    if (rd->count != 24 && rd->count != 22 && rd->count != 20)
        return bad(err, rd, "a nodegroup line has 24 fields");
    /* 22 fields: a 2.2 dump, no Logical NeuronCore setting and one memory pool per chip */
    if (rd->count == 24 && (!to_int(rd->fields[22], 0, NCG_LNC_MAX, &t->lnc) ||
                            !to_int(rd->fields[23], 0, 4 * NCG_MAX_CORES_PER_CHIP, &t->hbm_banks)))
        return bad(err, rd, "bad nodegroup LNC or HBM_BANKS");
    /* the 20 fields of earlier 2.0 development dumps: priority 0 and the packing policy */
    if (rd->count >= 22 && (!to_int(rd->fields[20], INT32_MIN, INT32_MAX, &priority) ||
                            !to_int(rd->fields[21], 0, 1, &policy)))
        return bad(err, rd, "bad nodegroup PRIORITY or POLICY");
    if (!to_int(rd->fields[2], 0, 1000000, &min) || !to_int(rd->fields[3], 0, 1000000, &max) ||
        !to_price(rd->fields[4], &has_price, &price))
        return bad(err, rd, "bad nodegroup MIN, MAX or PRICE");
    if (strlen(rd->fields[5]) > NCG_NAME_MAX)
        return bad(err, rd, "instance type name is longer than 63 characters");
    strcpy(tc.name, rd->fields[5]);
    t->size = sizeof(*t);
    t->name = tc.name;
    if (!to_int(rd->fields[6], 0, 3, &accel) || !to_int(rd->fields[7], 0, NCG_MAX_CHIPS, &t->chips) ||
        !to_int(rd->fields[8], 0, NCG_MAX_CORES_PER_CHIP, &t->cores_per_chip) ||
        !to_int(rd->fields[9], 0, 64, &t->physical_cores_per_chip) ||
        !to_i64(rd->fields[10], 0, INT64_MAX, &t->device_memory_bytes) || !to_int(rd->fields[11], 0, 64, &t->gpus) ||
        !to_i64(rd->fields[12], 1, INT64_MAX, &t->cpu_milli) || !to_i64(rd->fields[13], 1, INT64_MAX, &t->memory_bytes) ||
        !to_i64(rd->fields[14], 0, INT64_MAX, &t->hugepages_bytes) ||
        !to_int(rd->fields[15], 0, NCG_TOPOLOGY_SWITCHED, &topo) ||
        !to_price(rd->fields[16], &has_type_price, &t->usd_per_hour) ||
        !to_i64(rd->fields[17], 0, INT64_MAX, &tc.cpu_usable_milli) ||
        !to_i64(rd->fields[18], 0, INT64_MAX, &tc.memory_usable_bytes) ||
        !to_i64(rd->fields[19], 0, INT64_MAX, &tc.runtime_reserve_bytes_per_chip))
        return bad(err, rd, "bad instance type field in nodegroup line");
    t->accelerator = (ncg_accel)accel;
    t->topology = (ncg_topology)topo;
    t->has_price = has_type_price;
    rc = ncg_type_check(t, &e);
    if (rc == 0)
        rc = ncg_cluster_add_nodegroup_type(c, rd->fields[1], &tc, min, max, has_price, price, &e);
    if (rc < 0)
        return bad_call(err, rd, rc, &e);
    ncg_cluster_set_nodegroup_priority(c, rc, priority);
    ncg_cluster_set_nodegroup_policy(c, rc, (ncg_policy)policy);
    return 0;
}

static int restore_alloc(ncg_node *node, uint64_t next_id, reader *rd, ncg_error *err)
{
    const ncg_type *t = &ncg_node_type_copy(node)->t;
    int64_t cpu, mem, hp, nmodels;
    uint64_t id;
    int whole, first, count, ppr, sizes[NCG_MAX_CORES], rc;
    bool uniform = true;
    ncg_slot p = {.first_chip = -1, .first_core = -1};
    ncg_request r;
    ncg_model *models = NULL;
    ncg_error e;

    if (rd->count != 11)
        return bad(err, rd, "an alloc line has 11 fields");
    if (!to_u64(rd->fields[1], 1, UINT64_MAX - 1, &id) || !to_int(rd->fields[2], 0, 1, &whole) ||
        !to_int(rd->fields[3], -1, NCG_MAX_CORES - 1, &first) || !to_int(rd->fields[4], 0, NCG_MAX_CORES, &count) ||
        !to_int(rd->fields[5], 0, NCG_MAX_CORES, &ppr) || !to_i64(rd->fields[7], 0, INT64_MAX, &cpu) ||
        !to_i64(rd->fields[8], 0, INT64_MAX, &mem) || !to_i64(rd->fields[9], 0, INT64_MAX, &hp) ||
        !to_i64(rd->fields[10], 0, 4096, &nmodels))
        return bad(err, rd, "bad alloc field");
    if (id < ncg_node_next_id(node))
        return bad(err, rd, "alloc ids must increase within a node");
    if (id >= next_id)
        return bad(err, rd, "alloc id is not below the node's NEXT_ID");
    if (count > 0 && (first < 0 || first + count > t->chips * t->cores_per_chip || ppr < 1))
        return bad(err, rd, "alloc cores out of range for the node's type");
    if (count == 0 && (whole || first != -1))
        return bad(err, rd, "an alloc without cores has WHOLE 0 and FIRST_CORE -1");
    if (strcmp(rd->fields[6], "-") != 0) {
        int sum = 0, k = ncg_parse_core_group_sizes(rd->fields[6], sizes, NCG_MAX_CORES, NULL);
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
    if (whole && !ncg_window_valid_at(t->topology, t->chips, first / t->cores_per_chip, count / t->cores_per_chip))
        return bad(err, rd, "a whole-chip alloc is not a valid window of the node's topology");
    ncg_request_init(&r);
    r.cpu_milli = cpu;
    r.memory_bytes = mem;
    r.hugepages_bytes = hp;
    if (nmodels > 0 && !(models = calloc((size_t)nmodels, sizeof(*models))))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory restoring models");
    rc = 0;
    for (int64_t m = 0; m < nmodels && rc == 0; m++) {
        int compiled, stat;
        if (!next_line(rd) || rd->count != 5 || strcmp(rd->fields[0], "model") != 0 ||
            !to_i64(rd->fields[1], 0, INT64_MAX, &models[m].bytes) ||
            !to_int(rd->fields[2], 0, NCG_MAX_CORES, &compiled) || !to_int(rd->fields[3], 0, 1, &stat) ||
            !unescape(rd->fields[4])) {
            rc = bad(err, rd, "expected a model line: model BYTES COMPILED_CORES STATIC NAME");
            break;
        }
        models[m].size = sizeof(ncg_model);
        models[m].compiled_cores = compiled;
        models[m].static_weights = stat;
        models[m].name = rd->fields[4]; /* in the reader's copy of the text, which outlives this call */
    }
    if (rc == 0) {
        r.models = models;
        r.model_count = (size_t)nmodels;
        p.whole_chips = whole;
        p.first_core = count ? first : -1;
        p.core_count = count;
        p.shape.ppr = ppr;
        if (count)
            ncg_span_chips(first, count, t->cores_per_chip, &p.first_chip, &p.chip_count);
        rc = ncg_node_insert(node, &p, &r, uniform ? NULL : sizes, NULL, id, NULL, &e);
        if (rc < 0)
            rc = bad_call(err, rd, rc, &e);
    }
    free(models);
    return rc;
}

/* Give the node before its NEXT_ID (restore_alloc() checked that it exceeds every id on the node). */
static void finish_node(ncg_cluster *c, int node, uint64_t next_id)
{
    if (node >= 0)
        ncg_node_set_next_id(ncg_cluster_node_mut(c, node), next_id);
}

static int restore(ncg_cluster *c, reader *rd, ncg_error *err)
{
    int node = -1, rc = 0;
    uint64_t next_id = 1;
    bool ended = false;
    ncg_error e;

    while (rc == 0 && next_line(rd)) {
        const char *kind = rd->fields[0];
        if (ended) {
            rc = bad(err, rd, "text after \"end\"");
        } else if (strcmp(kind, "nodegroup") == 0) {
            rc = node >= 0 ? bad(err, rd, "nodegroup lines come before node lines") : restore_nodegroup(c, rd, err);
        } else if (strcmp(kind, "node") == 0) {
            int g, policy, position = -1;
            finish_node(c, node, next_id);
            if ((rd->count != 5 && rd->count != 7) || (g = ncg_cluster_nodegroup_index(c, rd->fields[2])) < 0 ||
                !to_int(rd->fields[3], 0, 1, &policy) || !to_u64(rd->fields[4], 1, UINT64_MAX, &next_id) ||
                (rd->count == 7 && !to_int(rd->fields[6], 0, NCG_ULTRASERVER_MAX_NODES - 1, &position))) {
                rc = bad(err, rd, "expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a known "
                         "node group");
                break;
            }
            node = ncg_cluster_insert_node(c, rd->fields[1], g, &e);
            if (node < 0 || (rd->count == 7 && (rc = ncg_cluster_set_node_ultraserver(c, rd->fields[1],
                                                                                      rd->fields[5], position,
                                                                                      &e)) < 0)) {
                rc = bad_call(err, rd, node < 0 ? node : rc, &e);
                break;
            }
            ncg_node_set_policy(ncg_cluster_node_mut(c, node), (ncg_policy)policy, NULL);
        } else if (strcmp(kind, "alloc") == 0) {
            if (node < 0) {
                rc = bad(err, rd, "an alloc line comes after its node line");
                break;
            }
            int servers = 0;
            uint64_t id = 0;
            /* a 12th field: the allocation is a server of a replica of that many servers of its UltraServer */
            if (rd->count == 12) {
                if (!to_int(rd->fields[11], 1, NCG_ULTRASERVER_MAX_NODES, &servers) || servers == 3 ||
                    ncg_cluster_node_ultra(c, node) < 0 || !to_u64(rd->fields[1], 1, UINT64_MAX - 1, &id)) {
                    rc = bad(err, rd, "bad alloc SERVERS: 1, 2 or 4, on a node of an UltraServer");
                    break;
                }
                rd->count = 11;
            }
            rc = ncg_cluster_reserve_change(c, err);
            if (rc == 0)
                rc = restore_alloc(ncg_cluster_node_mut(c, node), next_id, rd, err);
            if (rc == 0)
                ncg_cluster_node_changed(c, node);
            if (rc == 0 && servers > 0 &&
                ncg_ultras_record(ncg_cluster_ultras(c), ncg_cluster_node_seq(c, node), id, servers) < 0)
                rc = ncg_fail(err, NCG_E_NOMEM, "out of memory restoring the cluster state");
        } else if (strcmp(kind, "end") == 0 && rd->count == 1) {
            ended = true;
            finish_node(c, node, next_id);
        } else {
            rc = bad(err, rd, "unknown record");
        }
    }
    if (rc == 0 && !ended)
        rc = bad(err, rd, "missing \"end\"");
    return rc;
}

NCG_EXPORT ncg_cluster *ncg_cluster_restore(const char *text, unsigned flags, ncg_error *err)
{
    reader rd = {0};
    ncg_cluster *c;
    char *copy;
    size_t len;
    int rc;

    if (!text) {
        ncg_fail(err, NCG_E_INVALID, "cluster state text is NULL");
        return NULL;
    }
    if (flags) {
        ncg_fail(err, NCG_E_INVALID, "cluster_restore: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    len = strlen(text);
    copy = malloc(len + 1);
    if (!copy) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory reading a cluster state of %zu bytes", len);
        return NULL;
    }
    memcpy(copy, text, len + 1);
    rd.p = copy;
    if (!next_line(&rd) || rd.count != 2 || strcmp(rd.fields[0], "ncg-cluster") != 0 ||
        strcmp(rd.fields[1], "2") != 0) {
        rd.line = 1;
        bad(err, &rd, "expected the header \"ncg-cluster 2\"");
        free(copy);
        return NULL;
    }
    c = ncg_cluster_new(0, err);
    if (c) {
        rc = restore(c, &rd, err);
        if (rc < 0)
            c = ncg_cluster_free(c);
    }
    free(copy);
    return c;
}
