/* SPDX-License-Identifier: Apache-2.0 */
/* libncg-cortex: the handle, its accessors, and what the files become: a cluster, checks, a plan's APIs. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortex-private.h"

int cx_fail(ncg_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

char *cx_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int cmp_diag(const cx_diag *x, const cx_diag *y)
{
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

bool cx_grow(void *array, size_t *cap, size_t need, size_t size)
{
    void **p = array;
    size_t n = *cap ? *cap : 8;
    void *grown;
    if (need <= *cap)
        return true;
    while (n < need)
        n = n > SIZE_MAX / 4 ? need : n * 2;
    if (n > SIZE_MAX / size || !(grown = realloc(*p, n * size)))
        return false;
    *p = grown;
    *cap = n;
    return true;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

long cx_api_find(const ncg_cortex *c, const char *name)
{
    if (c->names_broken) { /* an API could not be indexed (out of memory): look at them all */
        for (size_t i = 0; i < c->api_count; i++)
            if (strcmp(c->apis[i].name, name) == 0)
                return (long)i;
        return -1;
    }
    if (!c->names_cap)
        return -1;
    for (size_t k = (size_t)name_hash(name) & (c->names_cap - 1);; k = (k + 1) & (c->names_cap - 1)) {
        size_t i = c->names[k];
        if (i == 0)
            return -1;
        if (i - 1 < c->api_count && strcmp(c->apis[i - 1].name, name) == 0)
            return (long)(i - 1);
    }
}

/* Put index i in the table of names (capacity a power of two, more than twice the slots in use). */
static void names_put(size_t *names, size_t cap, const char *name, size_t i)
{
    size_t k = (size_t)name_hash(name) & (cap - 1);
    while (names[k])
        k = (k + 1) & (cap - 1);
    names[k] = i + 1;
}

bool cx_api_index(ncg_cortex *c, size_t i)
{
    if (!c->names_broken && 2 * (c->names_slots + 1) < c->names_cap) {
        names_put(c->names, c->names_cap, c->apis[i].name, i);
        c->names_slots++;
        return true;
    }
    /* Rebuilt from the APIs there are (i among them): a rollback's stale slots go. */
    {
        size_t cap = 16, *names;
        while (cap <= 2 * (c->api_count + 1))
            cap *= 2;
        free(c->names);
        c->names = NULL;
        c->names_cap = c->names_slots = 0;
        if (!(names = calloc(cap, sizeof(*names)))) {
            c->names_broken = true;
            return false;
        }
        for (size_t k = 0; k < c->api_count; k++)
            names_put(names, cap, c->apis[k].name, k);
        c->names = names;
        c->names_cap = cap;
        c->names_slots = c->api_count;
        c->names_broken = false;
    }
    return true;
}

static bool diag_addv(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *field,
                      const char *fmt, va_list ap) CX_PRINTF(7, 0);
static bool diag_addv(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *field,
                      const char *fmt, va_list ap)
{
    va_list again;
    cx_diag d = {NULL, NULL, file, line, column, c->diag_seq, warning}, *grown;
    int n;
    size_t at;
    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || !(d.message = malloc((size_t)n + 1)) || (field && !(d.field = strdup(field)))) {
        va_end(again);
        free(d.message);
        return false;
    }
    vsnprintf(d.message, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!cx_grow(&c->diags, &c->diag_cap, c->diag_count + 1, sizeof(*grown))) {
        free(d.message);
        free(d.field);
        return false;
    }
    grown = c->diags;
    /* kept sorted: the common case (in order) appends */
    for (at = c->diag_count; at > 0 && cmp_diag(&d, &c->diags[at - 1]) < 0; at--)
        ;
    memmove(&c->diags[at + 1], &c->diags[at], (c->diag_count - at) * sizeof(*grown));
    c->diags[at] = d;
    c->diag_count++;
    c->diag_seq++;
    c->error_count += !warning;
    return true;
}

bool cx_diag_add(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *fmt, ...)
{
    va_list ap;
    bool ok;
    va_start(ap, fmt);
    ok = diag_addv(c, file, line, column, warning, NULL, fmt, ap);
    va_end(ap);
    return ok;
}

bool cx_diag_add_field(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *field,
                       const char *fmt, ...)
{
    va_list ap;
    bool ok;
    va_start(ap, fmt);
    ok = diag_addv(c, file, line, column, warning, field, fmt, ap);
    va_end(ap);
    return ok;
}

void cx_api_clear(cx_api *a)
{
    for (size_t k = 0; k < a->model_count; k++)
        free((char *)a->models[k].name);
    for (size_t k = 0; k < a->nodegroup_count; k++)
        free(a->nodegroups[k]);
    for (size_t k = 0; k < a->backend_count; k++)
        free(a->backends[k].name);
    free(a->backends);
    free(a->kind);
    free(a->models);
    free(a->nodegroups);
    free(a->file);
    free(a->name);
    memset(a, 0, sizeof(*a));
}

void cx_nodegroup_clear(cx_nodegroup *g)
{
    free(g->file);
    free(g->name);
    free(g->type);
    memset(g, 0, sizeof(*g));
}

CX_EXPORT const char *ncg_cortex_version(void)
{
    return ncg_version();
}

CX_EXPORT ncg_cortex *ncg_cortex_new(unsigned flags, ncg_error *err)
{
    ncg_cortex *c;
    if (flags & ~(unsigned)NCG_CORTEX_KEEP_GOING) {
        cx_fail(err, NCG_E_INVALID, "flags: unknown bits 0x%x", flags & ~(unsigned)NCG_CORTEX_KEEP_GOING);
        return NULL;
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        cx_fail(err, NCG_E_NOMEM, "out of memory");
        return NULL;
    }
    c->flags = flags;
    return c;
}

CX_EXPORT ncg_cortex *ncg_cortex_free(ncg_cortex *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->api_count; i++)
        cx_api_clear(&c->apis[i]);
    for (size_t i = 0; i < c->nodegroup_count; i++)
        cx_nodegroup_clear(&c->nodegroups[i]);
    for (size_t i = 0; i < c->diag_count; i++) {
        free(c->diags[i].message);
        free(c->diags[i].field);
    }
    for (size_t i = 0; i < c->file_count; i++)
        free(c->files[i]);
    free(c->apis);
    free(c->names);
    free(c->nodegroups);
    free(c->diags);
    free(c->files);
    free(c->region);
    free(c);
    return NULL;
}

/* The line and column (from 1, in bytes) of the first NUL byte of text[0..len), which holds one. */
static void nul_position(const char *text, size_t len, long *line, long *column)
{
    const char *nul = memchr(text, '\0', len), *bol = text;
    long l = 1;
    for (const char *p = text; p < nul; p++)
        if (*p == '\n') {
            l++;
            bol = p + 1;
        }
    *line = l;
    *column = (long)(nul - bol) + 1;
}

/* A whole file, at most the size limit (one byte more tells that it is larger). A NUL byte is refused with its
 * position: the reader takes NUL-terminated text, so a NUL would end the file there without a word. */
static int read_file(const char *path, char **out, ncg_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        return cx_fail(err, NCG_E_INVALID, "%s: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (len + 1 >= cap) {
            char *g;
            cap = cap ? cap * 2 : 8192;
            if (cap > (size_t)NCG_CORTEX_MAX_FILE_BYTES + 2)
                cap = (size_t)NCG_CORTEX_MAX_FILE_BYTES + 2;
            if (!(g = realloc(buf, cap))) {
                free(buf);
                fclose(f);
                return cx_fail(err, NCG_E_NOMEM, "out of memory");
            }
            buf = g;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0 || len > (size_t)NCG_CORTEX_MAX_FILE_BYTES)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        return cx_fail(err, NCG_E_INVALID, "%s: %s", path, strerror(e));
    }
    fclose(f);
    buf[len] = '\0';
    if (len <= (size_t)NCG_CORTEX_MAX_FILE_BYTES && memchr(buf, '\0', len)) {
        long line, column;
        nul_position(buf, len, &line, &column);
        free(buf);
        return cx_fail(err, NCG_E_PARSE, "%s:%ld:%ld: a NUL byte: control characters are not allowed in YAML", path,
                       line, column);
    }
    if (len > (size_t)NCG_CORTEX_MAX_FILE_BYTES) {
        free(buf);
        return cx_fail(err, NCG_E_RANGE, "%s:1:1: the file is larger than %ld bytes (16 MiB), the limit", path,
                       (long)NCG_CORTEX_MAX_FILE_BYTES);
    }
    *out = buf;
    return 0;
}

static int load_any(ncg_cortex *c, enum cx_kind kind, ncg_catalog *catalog, const char *path, const char *text,
                    ncg_error *err)
{
    char *owned = NULL;
    int rc;
    if (!c)
        return cx_fail(err, NCG_E_INVALID, "cortex: NULL");
    if (!path)
        return cx_fail(err, NCG_E_INVALID, "path: NULL");
    if (kind == CX_CATALOG && !catalog)
        return cx_fail(err, NCG_E_INVALID, "catalog: NULL");
    if (!text) {
        ncg_error e;
        if ((rc = read_file(path, &owned, &e)) < 0) {
            char **grown;
            /* too large, or a NUL byte: in keep-going mode a diagnostic like the other limits and parse errors */
            if ((rc != NCG_E_RANGE && rc != NCG_E_PARSE) || !(c->flags & NCG_CORTEX_KEEP_GOING))
                return cx_fail(err, rc, "%s", e.message);
            if (!(grown = realloc(c->files, (c->file_count + 1) * sizeof(*grown))))
                return cx_fail(err, NCG_E_NOMEM, "out of memory");
            c->files = grown;
            if (!(c->files[c->file_count] = cx_dup(path)))
                return cx_fail(err, NCG_E_NOMEM, "out of memory");
            if (!cx_diag_add(c, c->file_count, 1, 1, false, "%s", e.message)) {
                free(c->files[c->file_count]);
                return cx_fail(err, NCG_E_NOMEM, "out of memory");
            }
            c->file_count++;
            return 0;
        }
        text = owned;
    }
    rc = cx_load(c, kind, catalog, path, text, err);
    free(owned);
    return rc;
}

CX_EXPORT int ncg_cortex_load_apis(ncg_cortex *c, const char *path, const char *text, ncg_error *err)
{
    return load_any(c, CX_APIS, NULL, path, text, err);
}

CX_EXPORT int ncg_cortex_load_cluster(ncg_cortex *c, const char *path, const char *text, ncg_error *err)
{
    return load_any(c, CX_CLUSTER, NULL, path, text, err);
}

CX_EXPORT int ncg_cortex_load_catalog(ncg_cortex *c, ncg_catalog *catalog, const char *path, const char *text,
                                      ncg_error *err)
{
    return load_any(c, CX_CATALOG, catalog, path, text, err);
}

CX_EXPORT int ncg_cortex_api_count(const ncg_cortex *c)
{
    return c ? (int)c->api_count : NCG_E_INVALID;
}

static int check_out(const void *out, uint32_t min_size, const char *what, ncg_error *err)
{
    if (!out)
        return cx_fail(err, NCG_E_INVALID, "%s: NULL", what);
    if (*(const uint32_t *)out < min_size)
        return cx_fail(err, NCG_E_INVALID, "%s: size %u is smaller than %u", what, *(const uint32_t *)out,
                       (unsigned)min_size);
    return 0;
}

/* Copy a filled struct into the caller's, which may be older (smaller) or newer (larger: the rest zeroed). */
static void copy_out(void *out, const void *full, size_t full_size)
{
    uint32_t size = *(const uint32_t *)out;
    size_t n = size < full_size ? size : full_size;
    memcpy(out, full, n);
    if (size > full_size)
        memset((char *)out + full_size, 0, size - full_size);
    *(uint32_t *)out = size;
}

CX_EXPORT int ncg_cortex_get_api(const ncg_cortex *c, int index, ncg_cortex_api *out, ncg_error *err)
{
    ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
    const cx_api *x;
    int rc;
    if (!c)
        return cx_fail(err, NCG_E_INVALID, "cortex: NULL");
    if ((rc = check_out(out, (uint32_t)sizeof(ncg_cortex_api), "out", err)) < 0)
        return rc;
    if (index < 0 || (size_t)index >= c->api_count)
        return cx_fail(err, NCG_E_NOT_FOUND, "index: %d is not an API (there are %zu)", index, c->api_count);
    x = &c->apis[index];
    a.name = x->name;
    a.kind = x->kind;
    a.file = x->file;
    a.line = x->line;
    a.column = x->column;
    a.splitter = x->splitter;
    a.invalid = x->invalid;
    a.request = &x->request;
    a.min_replicas = x->min_replicas;
    a.init_replicas = x->init_replicas;
    a.max_replicas = x->max_replicas;
    a.nodegroups = (const char *const *)x->nodegroups;
    a.nodegroup_count = x->nodegroup_count;
    a.max_per_node = x->max_per_node;
    a.backend_count = x->backend_count;
    copy_out(out, &a, sizeof(a));
    return 0;
}

CX_EXPORT int ncg_cortex_get_backend(const ncg_cortex *c, int api, int index, ncg_cortex_backend *out,
                                     ncg_error *err)
{
    ncg_cortex_backend b = NCG_INIT(ncg_cortex_backend);
    const cx_backend *x;
    int rc;
    if (!c)
        return cx_fail(err, NCG_E_INVALID, "cortex: NULL");
    if ((rc = check_out(out, (uint32_t)sizeof(ncg_cortex_backend), "out", err)) < 0)
        return rc;
    if (api < 0 || (size_t)api >= c->api_count)
        return cx_fail(err, NCG_E_NOT_FOUND, "api: %d is not an API (there are %zu)", api, c->api_count);
    if (index < 0 || (size_t)index >= c->apis[api].backend_count)
        return cx_fail(err, NCG_E_NOT_FOUND, "index: %d is not a backend of API %s (it has %zu)", index,
                       c->apis[api].name, c->apis[api].backend_count);
    x = &c->apis[api].backends[index];
    b.name = x->name;
    b.weight = x->weight;
    b.shadow = x->shadow;
    b.line = x->line;
    b.column = x->column;
    copy_out(out, &b, sizeof(b));
    return 0;
}

CX_EXPORT int ncg_cortex_nodegroup_count(const ncg_cortex *c)
{
    return c ? (int)c->nodegroup_count : NCG_E_INVALID;
}

CX_EXPORT int ncg_cortex_get_nodegroup(const ncg_cortex *c, int index, ncg_nodegroup_spec *spec,
                                       ncg_cortex_nodegroup *info, ncg_error *err)
{
    const cx_nodegroup *g;
    int rc;
    if (!c)
        return cx_fail(err, NCG_E_INVALID, "cortex: NULL");
    if (spec && (rc = check_out(spec, (uint32_t)offsetof(ncg_nodegroup_spec, lnc), "spec", err)) < 0)
        return rc;
    if (info && (rc = check_out(info, (uint32_t)sizeof(ncg_cortex_nodegroup), "info", err)) < 0)
        return rc;
    if (index < 0 || (size_t)index >= c->nodegroup_count)
        return cx_fail(err, NCG_E_NOT_FOUND, "index: %d is not a node group (there are %zu)", index,
                       c->nodegroup_count);
    g = &c->nodegroups[index];
    if (spec) {
        ncg_nodegroup_spec s = {.size = sizeof(s), .name = g->name, .type = g->type, .min_nodes = g->min_nodes,
                                .max_nodes = g->max_nodes, .has_price = g->has_price, .usd_per_hour = g->price,
                                .priority = g->priority, .lnc = g->lnc};
        copy_out(spec, &s, sizeof(s));
    }
    if (info) {
        ncg_cortex_nodegroup i = {.size = sizeof(i), .file = g->file, .line = g->line, .column = g->column,
                                  .type_line = g->type_line, .type_column = g->type_column, .spot = g->spot};
        copy_out(info, &i, sizeof(i));
    }
    return 0;
}

CX_EXPORT const char *ncg_cortex_get_region(const ncg_cortex *c)
{
    return c ? c->region : NULL;
}

CX_EXPORT int ncg_cortex_file_count(const ncg_cortex *c)
{
    return c ? (int)c->file_count : NCG_E_INVALID;
}

CX_EXPORT const char *ncg_cortex_get_file(const ncg_cortex *c, int index)
{
    return c && index >= 0 && (size_t)index < c->file_count ? c->files[index] : NULL;
}

CX_EXPORT int ncg_cortex_diagnostic_count(const ncg_cortex *c)
{
    return c ? (int)c->diag_count : NCG_E_INVALID;
}

CX_EXPORT int ncg_cortex_error_count(const ncg_cortex *c)
{
    return c ? (int)c->error_count : NCG_E_INVALID;
}

CX_EXPORT int ncg_cortex_get_diagnostic(const ncg_cortex *c, int index, ncg_cortex_diagnostic *out, ncg_error *err)
{
    ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
    const cx_diag *x;
    int rc;
    if (!c)
        return cx_fail(err, NCG_E_INVALID, "cortex: NULL");
    /* the 2.0 struct ends before field */
    if ((rc = check_out(out, (uint32_t)offsetof(ncg_cortex_diagnostic, field), "out", err)) < 0)
        return rc;
    if (index < 0 || (size_t)index >= c->diag_count)
        return cx_fail(err, NCG_E_NOT_FOUND, "index: %d is not a diagnostic (there are %zu)", index,
                       c->diag_count);
    x = &c->diags[index];
    d.message = x->message;
    d.file = x->file < c->file_count ? c->files[x->file] : NULL;
    d.line = (int)x->line;
    d.column = (int)x->column;
    d.warning = x->warning;
    d.field = x->field;
    copy_out(out, &d, sizeof(d));
    return 0;
}

/* The edit distance of a and b, or at least bound once it is sure to reach it. */
static size_t edit_distance(const char *a, const char *b, size_t bound)
{
    size_t la = strlen(a), lb = strlen(b), row[NCG_NAME_MAX + 2];
    if (la > NCG_NAME_MAX || lb > NCG_NAME_MAX)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], next, least;
        row[0] = least = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = diag + (a[i - 1] != b[j - 1]);
            next = row[j];
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = next;
            if (best < least)
                least = best;
        }
        if (least >= bound)
            return least; /* no row below gets smaller */
    }
    return row[lb];
}

CX_EXPORT const char *ncg_cortex_suggest_type(const ncg_catalog *catalog, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3, n;
    if (!catalog || !name)
        return NULL;
    n = strlen(name);
    for (int i = 0; i < ncg_catalog_type_count(catalog); i++) {
        ncg_type t = NCG_INIT(ncg_type);
        size_t d, m;
        ncg_catalog_get_type(catalog, i, &t, NULL);
        m = strlen(t.name);
        if ((n > m ? n - m : m - n) >= best_d)
            continue; /* the distance is at least the difference in length */
        d = edit_distance(name, t.name, best_d);
        if (d < best_d) {
            best_d = d;
            best = t.name;
        }
    }
    return best;
}

/* A problem of a check: a diagnostic (keep-going) or the call's error (strict: the first one ends the call). */
typedef struct sink {
    ncg_cortex *c;
    ncg_error *err;
    int count, code;
    bool nomem;
} sink;

static void problem(sink *s, int code, size_t file, long line, long column, const char *field, const char *fmt,
                    ...) CX_PRINTF(7, 8);
static void problem(sink *s, int code, size_t file, long line, long column, const char *field, const char *fmt, ...)
{
    char *msg;
    va_list ap;
    int n;
    if (s->code)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(msg = malloc((size_t)n + 1))) {
        s->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->count++;
    if (s->c->flags & NCG_CORTEX_KEEP_GOING) {
        if (!cx_diag_add_field(s->c, file, line, column, false, field, "%s", msg))
            s->nomem = true;
    } else {
        s->code = cx_fail(s->err, code, "%s", msg);
    }
    free(msg);
}

static size_t file_index(const ncg_cortex *c, const char *path)
{
    for (size_t f = c->file_count; f-- > 0;)
        if (strcmp(c->files[f], path) == 0)
            return f;
    return c->file_count;
}

static void type_hint(const ncg_catalog *catalog, const char *name, const char *region, char *buf, size_t size)
{
    const char *near = ncg_cortex_suggest_type(catalog, name);
    if (near) /* the catalog's message names its region already */
        snprintf(buf, size, "; did you mean \"%s\"? (ncg types --region %s lists them; --catalog FILE adds types)",
                 near, region);
    else
        snprintf(buf, size, " (ncg types --region %s lists them; --catalog FILE adds types)", region);
}

CX_EXPORT ncg_cluster *ncg_cortex_new_cluster(ncg_cortex *c, const ncg_catalog *catalog, const char *region,
                                              ncg_error *err)
{
    ncg_cluster *cl;
    sink s = {c, err, 0, 0, false};
    if (!c || !catalog) {
        cx_fail(err, NCG_E_INVALID, "%s: NULL", !c ? "cortex" : "catalog");
        return NULL;
    }
    (void)region; /* since 2.2 the catalog names its own region */
    if (!(cl = ncg_cluster_new(0, err)))
        return NULL;
    for (size_t i = 0; i < c->nodegroup_count && !s.code && !s.nomem; i++) {
        const cx_nodegroup *g = &c->nodegroups[i];
        ncg_nodegroup_spec spec = {.size = sizeof(spec), .name = g->name, .type = g->type, .min_nodes = g->min_nodes,
                                   .max_nodes = g->max_nodes, .has_price = g->has_price, .usd_per_hour = g->price,
                                   .priority = g->priority, .lnc = g->lnc};
        ncg_error e;
        if (ncg_catalog_find_type(catalog, g->type, NULL, &e) < 0) {
            char hint[256];
            type_hint(catalog, g->type, ncg_catalog_get_region(catalog), hint, sizeof(hint));
            problem(&s, e.code, file_index(c, g->file), g->type_line, g->type_column, "node_groups.instance_type",
                    "%s:%d:%d: node group %s: instance_type: %s%s", g->file, g->type_line, g->type_column, g->name,
                    e.message, hint);
        } else if (ncg_cluster_add_nodegroup(cl, catalog, &spec, &e) < 0) {
            if (e.code == NCG_E_NOMEM)
                s.nomem = true;
            else
                problem(&s, e.code, file_index(c, g->file), g->line, g->column, NULL, "%s:%d:%d: node group %s: %s",
                        g->file, g->line, g->column, g->name, e.message);
        }
    }
    if (s.code || s.nomem) {
        ncg_cluster_free(cl);
        if (s.nomem)
            cx_fail(err, NCG_E_NOMEM, "out of memory");
        return NULL;
    }
    return cl;
}

/* The library's error, placed at the API and named by the field it concerns. */
static const char *field_of(int code)
{
    switch (code) {
    case NCG_E_PPR: return "processes_per_replica";
    case NCG_E_TOPOLOGY: return "compute.inf";
    case NCG_E_MODEL: return "ncg.models";
    case NCG_E_UNKNOWN_TYPE: return "node_groups";
    default: return "compute";
    }
}

static const char *nodegroup_name(const ncg_cluster *cl, int g)
{
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    ncg_cluster_get_nodegroup(cl, g, &s, NULL, NULL);
    return s.name ? s.name : "";
}

/* e's message is first's or one of the count in shown. */
static bool seen(const ncg_error *first, const ncg_error *shown, int count, const ncg_error *e)
{
    if (strcmp(e->message, first->message) == 0)
        return true;
    for (int i = 0; i < count; i++)
        if (strcmp(e->message, shown[i].message) == 0)
            return true;
    return false;
}

static void check_api(sink *s, const ncg_catalog *cat, const ncg_cluster *cl, const cx_api *a)
{
    const ncg_cortex *c = s->c;
    ncg_error first = {0}, e;
    int nnodegroups = ncg_cluster_nodegroup_count(cl);
    size_t f = file_index(c, a->file);
    if (a->splitter) { /* routes to RealtimeAPIs of the same deployment; places nothing itself */
        for (size_t k = 0; k < a->backend_count; k++) {
            const cx_api *to = NULL;
            for (size_t i = 0; i < c->api_count && !to; i++)
                if (strcmp(c->apis[i].name, a->backends[k].name) == 0)
                    to = &c->apis[i];
            if (!to)
                problem(s, NCG_E_NOT_FOUND, f, a->backends[k].line, a->backends[k].column, "apis",
                        "%s:%d:%d: api %s: apis: no API named \"%s\" in the files given", a->file, a->backends[k].line,
                        a->backends[k].column, a->name, a->backends[k].name);
            else if (to->splitter || (to->kind && strcmp(to->kind, "RealtimeAPI") && strcmp(to->kind, "SyncAPI")))
                problem(s, NCG_E_INVALID, f, a->backends[k].line, a->backends[k].column, "apis",
                        "%s:%d:%d: api %s: apis: \"%s\" is a %s; a TrafficSplitter routes to RealtimeAPIs", a->file,
                        a->backends[k].line, a->backends[k].column, a->name, a->backends[k].name, to->kind);
        }
        return;
    }
    char more[1024] = "";
    size_t used = 0;
    int others = 0, hidden = 0; /* groups that fail for another reason than the first: shown, left out */
    ncg_error shown[3];
    for (int g = 0; g < nnodegroups; g++) {
        ncg_nodegroup_spec gs = NCG_INIT(ncg_nodegroup_spec);
        bool allowed = a->nodegroup_count == 0;
        ncg_cluster_get_nodegroup(cl, g, &gs, NULL, NULL);
        for (size_t k = 0; k < a->nodegroup_count; k++)
            allowed |= strcmp(a->nodegroups[k], gs.name) == 0;
        if (!allowed)
            continue;
        if (ncg_request_check(cat, gs.type, &a->request, &e) >= 0)
            return;
        if (e.code == NCG_E_NOMEM) {
            s->nomem = true;
            return;
        }
        if (!first.code) {
            first = e;
            snprintf(more, sizeof(more), " (node group %s, %s)", gs.name, gs.type);
            used = strlen(more);
        } else if (!seen(&first, shown, others, &e) && others >= 3) {
            hidden++;
        } else if (!seen(&first, shown, others, &e) && used < sizeof(more)) {
            shown[others] = e;
            /* Cortex names the first group that fails; the others' reasons, without Cortex's common preamble,
             * show what the cluster does offer (a larger group, one with Inferentia at all) */
            const char *why = strstr(e.message, " quantity - ");
            int n = snprintf(more + used, sizeof(more) - used, "; node group %s (%s): %s", gs.name, gs.type,
                             why ? why + strlen(" quantity - ") : e.message);
            used = n < 0 ? sizeof(more) : used + (size_t)n;
            others++;
        }
    }
    if (!others)
        more[0] = '\0'; /* one group, or every group fails alike: Cortex's sentence alone */
    else if (hidden && used < sizeof(more))
        snprintf(more + used, sizeof(more) - used, "; %d more node group%s", hidden, hidden == 1 ? "" : "s");
    for (size_t k = 0; k < a->nodegroup_count; k++)
        if (nnodegroups && !first.code) {
            bool known = false;
            for (int g = 0; g < nnodegroups; g++)
                known |= strcmp(a->nodegroups[k], nodegroup_name(cl, g)) == 0;
            if (!known) {
                problem(s, NCG_E_NOT_FOUND, f, a->line, a->column, "node_groups",
                        "%s:%d:%d: api %s: node_groups: unknown node group \"%s\"", a->file, a->line, a->column,
                        a->name, a->nodegroups[k]);
                return;
            }
        }
    if (!first.code && ncg_request_check(cat, NULL, &a->request, &first) >= 0)
        return;
    if (first.code == NCG_E_NOMEM) {
        s->nomem = true;
        return;
    }
    problem(s, first.code, f, a->line, a->column, field_of(first.code), "%s:%d:%d: api %s: %s: %s%s", a->file, a->line,
            a->column, a->name, field_of(first.code), first.message, more);
}

CX_EXPORT int ncg_cortex_check(ncg_cortex *c, const ncg_catalog *catalog, const ncg_cluster *cluster,
                               ncg_error *err)
{
    sink s = {c, err, 0, 0, false};
    if (!c || !catalog || !cluster)
        return cx_fail(err, NCG_E_INVALID, "%s: NULL", !c ? "cortex" : !catalog ? "catalog" : "cluster");
    for (size_t i = 0; i < c->api_count && !s.code && !s.nomem; i++)
        if (!c->apis[i].invalid)
            check_api(&s, catalog, cluster, &c->apis[i]);
    if (s.nomem)
        return cx_fail(err, NCG_E_NOMEM, "out of memory");
    return s.code ? s.code : s.count;
}

CX_EXPORT int ncg_cortex_add_to_plan(const ncg_cortex *c, ncg_plan *plan, int replicas, ncg_error *err)
{
    const ncg_cluster *cl;
    int added = 0, ng;
    if (!c || !plan)
        return cx_fail(err, NCG_E_INVALID, "%s: NULL", !c ? "cortex" : "plan");
    if (replicas < NCG_CORTEX_REPLICAS_MAX || replicas > 10000000)
        return cx_fail(err, NCG_E_INVALID, "replicas: %d is not NCG_CORTEX_REPLICAS_MIN/INIT/MAX or a count "
                       "0..10000000", replicas);
    cl = ncg_plan_get_cluster(plan);
    ng = ncg_cluster_nodegroup_count(cl);
    for (size_t i = 0; i < c->api_count; i++) { /* everything that can be checked, before the plan changes */
        const cx_api *a = &c->apis[i];
        if (a->splitter || a->invalid)
            continue;
        for (int k = 0; k < ncg_plan_api_count(plan); k++)
            if (strcmp(ncg_plan_get_api_name(plan, k), a->name) == 0)
                return cx_fail(err, NCG_E_EXISTS, "%s:%d:%d: api %s: the plan has an API of that name already",
                               a->file, a->line, a->column, a->name);
        for (size_t k = 0; k < a->nodegroup_count; k++) {
            bool known = false;
            for (int g = 0; g < ng && !known; g++)
                known = strcmp(nodegroup_name(cl, g), a->nodegroups[k]) == 0;
            if (!known)
                return cx_fail(err, NCG_E_INVALID, "%s:%d:%d: api %s: node_groups: the plan's cluster has no node "
                               "group \"%s\"", a->file, a->line, a->column, a->name, a->nodegroups[k]);
        }
    }
    for (size_t i = 0; i < c->api_count; i++) {
        const cx_api *a = &c->apis[i];
        ncg_api_spec s = {.size = sizeof(s), .name = a->name, .request = &a->request,
                          .nodegroups = (const char *const *)a->nodegroups, .nodegroup_count = a->nodegroup_count,
                          .max_per_node = a->max_per_node};
        ncg_error e;
        int rc;
        if (a->splitter || a->invalid)
            continue;
        s.replicas = replicas >= 0                          ? replicas
                     : replicas == NCG_CORTEX_REPLICAS_MIN ? a->min_replicas
                     : replicas == NCG_CORTEX_REPLICAS_MAX ? a->max_replicas
                                                            : a->init_replicas;
        if ((rc = ncg_plan_add_api(plan, &s, &e)) < 0) {
            /* The plan's message names the API already ("api NAME: ..."): said once, with the field it is about
             * when the message does not say it. */
            char prefix[NCG_NAME_MAX + 300];
            const char *msg = e.message;
            snprintf(prefix, sizeof(prefix), "api %s: ", a->name);
            if (strncmp(msg, prefix, strlen(prefix)) == 0)
                msg += strlen(prefix);
            bool limit = strncmp(msg, "replicas ", 9) == 0 || strncmp(msg, "the plan has ", 13) == 0;
            return cx_fail(err, rc, "%s:%d:%d: api %s: %s%s", a->file, a->line, a->column, a->name,
                           rc == NCG_E_NOT_FOUND ? "node_groups: " : limit ? "" : "compute: ", msg);
        }
        added++;
    }
    return added;
}
