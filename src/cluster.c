/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster: node groups, named nodes, and an index that finds a node for one replica without scanning them all.
 *
 * The index: per group, one list of nodes per "largest free window" (0 .. chips). A request for k whole chips
 * looks at the lists k, k+1, ... in turn, so it lands on the node with the smallest free window that holds it
 * (best fit), and never visits nodes whose windows are too small. Every change to a node moves it to its new
 * list in O(1). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

NCG_EXPORT ncg_cluster *ncg_cluster_new(ncg_error *err)
{
    ncg_cluster *c = calloc(1, sizeof(*c));
    if (!c)
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a cluster");
    return c;
}

NCG_EXPORT ncg_cluster *ncg_cluster_free(ncg_cluster *c)
{
    if (!c)
        return NULL;
    for (int i = 0; i < c->node_count; i++) {
        ncg_node_free(c->nodes[i]->node);
        free(c->nodes[i]);
    }
    for (int g = 0; g < c->group_count; g++)
        free(c->groups[g].buckets);
    free(c->nodes);
    free(c->groups);
    free(c->table);
    free(c);
    return NULL;
}

/* ---- name table: open addressing, linear probing, backward-shift deletion ---- */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

cnode *ncg_cluster_lookup(const ncg_cluster *c, const char *name)
{
    if (!c->table_size)
        return NULL;
    for (uint32_t i = hash_name(name) & (uint32_t)(c->table_size - 1);; i = (i + 1) & (uint32_t)(c->table_size - 1)) {
        cnode *n = c->table[i];
        if (!n)
            return NULL;
        if (strcmp(n->name, name) == 0)
            return n;
    }
}

static void table_put(cnode **table, int size, cnode *n)
{
    uint32_t i = hash_name(n->name) & (uint32_t)(size - 1);
    while (table[i])
        i = (i + 1) & (uint32_t)(size - 1);
    table[i] = n;
}

static int table_reserve(ncg_cluster *c, int count, ncg_error *err)
{
    int size;
    cnode **t;
    if (count * 2 <= c->table_size)
        return 0;
    size = c->table_size ? c->table_size * 2 : 64;
    while (count * 2 > size)
        size *= 2;
    t = calloc((size_t)size, sizeof(*t));
    if (!t)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory indexing nodes");
    for (int i = 0; i < c->node_count; i++)
        table_put(t, size, c->nodes[i]);
    free(c->table);
    c->table = t;
    c->table_size = size;
    return 0;
}

static void table_remove(ncg_cluster *c, cnode *n)
{
    uint32_t mask = (uint32_t)(c->table_size - 1), i = hash_name(n->name) & mask, j;
    while (c->table[i] != n)
        i = (i + 1) & mask;
    c->table[i] = NULL;
    for (j = (i + 1) & mask; c->table[j]; j = (j + 1) & mask) {
        uint32_t home = hash_name(c->table[j]->name) & mask;
        /* move j back to i when its home is not in the cyclic range (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            c->table[i] = c->table[j];
            c->table[j] = NULL;
            i = j;
        }
    }
}

/* ---- bucket index ---- */

static void bucket_unlink(cgroup *g, cnode *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        g->buckets[n->bucket] = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->prev = n->next = NULL;
}

static void bucket_link(cgroup *g, cnode *n, int bucket)
{
    n->bucket = bucket;
    n->prev = NULL;
    n->next = g->buckets[bucket];
    if (n->next)
        n->next->prev = n;
    g->buckets[bucket] = n;
}

static int node_bucket(const cnode *n)
{
    const ncg_type *t = &n->node->type.t;
    return t->chips ? ncg_window_largest(t->topology, t->chips, ncg_node_free_chips(n->node)) : 0;
}

void ncg_cluster_reindex(ncg_cluster *c, cnode *n)
{
    int b = node_bucket(n);
    if (b != n->bucket) {
        bucket_unlink(&c->groups[n->group], n);
        bucket_link(&c->groups[n->group], n, b);
    }
}

void ncg_cluster_detach(ncg_cluster *c, cnode *n)
{
    bucket_unlink(&c->groups[n->group], n);
    table_remove(c, n);
}

void ncg_cluster_attach(ncg_cluster *c, cnode *n)
{
    table_put(c->table, c->table_size, n);
    bucket_link(&c->groups[n->group], n, node_bucket(n));
}

/* ---- groups ---- */

int ncg_cluster_group_index(const ncg_cluster *c, const char *name)
{
    for (int g = 0; g < c->group_count; g++)
        if (strcmp(c->groups[g].name, name) == 0)
            return g;
    return -1;
}

NCG_EXPORT int ncg_cluster_add_group(ncg_cluster *c, const ncg_catalog *catalog, const ncg_group_spec *spec,
                                     ncg_error *err)
{
    cgroup g = {0};
    ncg_quoted q;
    int rc;

    if (!c || !catalog || !spec)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_group: %s is NULL",
                        !c ? "cluster" : !catalog ? "catalog" : "spec");
    if (!spec->name || !ncg_valid_name(spec->name))
        return ncg_fail(err, NCG_E_INVALID, "node group name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", spec->name ? ncg_quote(&q, spec->name) : "NULL", NCG_NAME_MAX);
    if (ncg_cluster_group_index(c, spec->name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "node group %s exists already", spec->name);
    if (!spec->type)
        return ncg_fail(err, NCG_E_INVALID, "node group %s: instance_type is NULL", spec->name);
    if (spec->min_nodes < 0 || spec->max_nodes < spec->min_nodes || spec->max_nodes > 1000000)
        return ncg_fail(err, NCG_E_RANGE, "node group %s: min_instances %d and max_instances %d must satisfy "
                        "0 <= min <= max <= 1000000", spec->name, spec->min_nodes, spec->max_nodes);
    if (spec->has_price && !(spec->usd_per_hour >= 0 && spec->usd_per_hour < 1e12))
        return ncg_fail(err, NCG_E_RANGE, "node group %s: price %g must be finite and >= 0", spec->name,
                        spec->usd_per_hour);
    rc = ncg_catalog_copy_type(catalog, spec->type, &g.type, err);
    if (rc < 0)
        return rc;
    strcpy(g.name, spec->name);
    g.min_nodes = spec->min_nodes;
    g.max_nodes = spec->max_nodes;
    g.has_price = spec->has_price != 0;
    g.spec_price = spec->has_price ? spec->usd_per_hour : 0;
    g.priced = g.has_price || g.type.t.has_price;
    g.price = g.has_price ? g.spec_price : g.type.t.has_price ? g.type.t.usd_per_hour : 0;
    g.buckets = calloc((size_t)g.type.t.chips + 1, sizeof(*g.buckets));
    if (!g.buckets)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", spec->name);
    if (c->group_count == c->group_capacity) {
        int cap = c->group_capacity ? c->group_capacity * 2 : 4;
        cgroup *grown = realloc(c->groups, (size_t)cap * sizeof(*grown));
        if (!grown) {
            free(g.buckets);
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", spec->name);
        }
        c->groups = grown;
        c->group_capacity = cap;
    }
    c->groups[c->group_count] = g;
    c->groups[c->group_count].type.t.name = c->groups[c->group_count].type.name;
    /* node types point at their own copies; nothing refers to the moved group structs */
    return c->group_count++;
}

NCG_EXPORT int ncg_cluster_group_count(const ncg_cluster *c)
{
    return c ? c->group_count : 0;
}

NCG_EXPORT int ncg_cluster_group_at(const ncg_cluster *c, int index, ncg_group_spec *out, ncg_type *out_type,
                                    ncg_error *err)
{
    const cgroup *g;
    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_group_at: %s is NULL", !c ? "cluster" : "out");
    if (index < 0 || index >= c->group_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "node group index %d is out of range 0..%d", index, c->group_count - 1);
    g = &c->groups[index];
    out->name = g->name;
    out->type = g->type.name;
    out->min_nodes = g->min_nodes;
    out->max_nodes = g->max_nodes;
    out->has_price = g->priced;
    out->usd_per_hour = g->price;
    if (out_type) {
        *out_type = g->type.t;
        out_type->name = g->type.name;
        out_type->family = NULL;
    }
    return 0;
}

/* ---- nodes ---- */

cnode *ncg_cluster_insert_node(ncg_cluster *c, const char *name, int group, ncg_error *err)
{
    cgroup *g = &c->groups[group];
    char generated[NCG_NAME_MAX + 1];
    cnode *n;
    ncg_quoted q;

    if (g->nodes >= g->max_nodes) {
        ncg_fail(err, NCG_E_RANGE, "node group %s has max_instances %d nodes already", g->name, g->max_nodes);
        return NULL;
    }
    if (!name) {
        do {
            snprintf(generated, sizeof(generated), "%.50s-%d", g->name, ++g->next_seq);
        } while (ncg_cluster_lookup(c, generated));
        name = generated;
    } else if (!ncg_valid_name(name)) {
        ncg_fail(err, NCG_E_INVALID, "node name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and "
                 "'-'", ncg_quote(&q, name), NCG_NAME_MAX);
        return NULL;
    } else if (ncg_cluster_lookup(c, name)) {
        ncg_fail(err, NCG_E_EXISTS, "node %s exists already", name);
        return NULL;
    }
    if (table_reserve(c, c->node_count + 1, err) < 0)
        return NULL;
    if (c->node_count == c->node_capacity) {
        int cap = c->node_capacity ? c->node_capacity * 2 : 16;
        cnode **grown = realloc(c->nodes, (size_t)cap * sizeof(*grown));
        if (!grown) {
            ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
            return NULL;
        }
        c->nodes = grown;
        c->node_capacity = cap;
    }
    n = calloc(1, sizeof(*n));
    if (n)
        n->node = ncg_node_from_type(&g->type);
    if (!n || !n->node) {
        free(n);
        ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
        return NULL;
    }
    strcpy(n->name, name);
    n->group = group;
    n->index = c->node_count;
    c->nodes[c->node_count++] = n;
    table_put(c->table, c->table_size, n);
    bucket_link(g, n, node_bucket(n));
    g->nodes++;
    return n;
}

NCG_EXPORT int ncg_cluster_add_node(ncg_cluster *c, const char *name, const char *group, ncg_error *err)
{
    int g;
    cnode *n;
    if (!c || !group)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_node: %s is NULL", !c ? "cluster" : "group");
    g = ncg_cluster_group_index(c, group);
    if (g < 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group \"%.64s\"", group);
    {
        ncg_error e;
        n = ncg_cluster_insert_node(c, name, g, &e);
        if (!n) {
            if (err)
                *err = e;
            return e.code;
        }
    }
    return n->index;
}

/* The node called name, or NULL with *rc set to the error (NCG_E_INVALID or NCG_E_NOT_FOUND). */
static cnode *need_node(const ncg_cluster *c, const char *name, int *rc, ncg_error *err)
{
    cnode *n;
    ncg_quoted q;
    if (!c || !name) {
        *rc = ncg_fail(err, NCG_E_INVALID, "%s is NULL", !c ? "cluster" : "node name");
        return NULL;
    }
    n = ncg_cluster_lookup(c, name);
    if (!n)
        *rc = ncg_fail(err, NCG_E_NOT_FOUND, "no node %s in the cluster", ncg_quote(&q, name));
    return n;
}

NCG_EXPORT int ncg_cluster_remove_node(ncg_cluster *c, const char *name, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, name, &rc, err);
    if (!n)
        return rc;
    bucket_unlink(&c->groups[n->group], n);
    table_remove(c, n);
    c->groups[n->group].nodes--;
    memmove(&c->nodes[n->index], &c->nodes[n->index + 1], (size_t)(c->node_count - n->index - 1) * sizeof(cnode *));
    c->node_count--;
    for (int i = n->index; i < c->node_count; i++)
        c->nodes[i]->index = i;
    ncg_node_free(n->node);
    free(n);
    return 0;
}

NCG_EXPORT int ncg_cluster_node_count(const ncg_cluster *c)
{
    return c ? c->node_count : 0;
}

NCG_EXPORT const ncg_node *ncg_cluster_node_at(const ncg_cluster *c, int index, const char **out_name,
                                               int *out_group, ncg_error *err)
{
    if (!c) {
        ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
        return NULL;
    }
    if (index < 0 || index >= c->node_count) {
        ncg_fail(err, NCG_E_NOT_FOUND, "node index %d is out of range 0..%d", index, c->node_count - 1);
        return NULL;
    }
    if (out_name)
        *out_name = c->nodes[index]->name;
    if (out_group)
        *out_group = c->nodes[index]->group;
    return c->nodes[index]->node;
}

NCG_EXPORT int ncg_cluster_find_node(const ncg_cluster *c, const char *name, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, name, &rc, err);
    return n ? n->index : rc;
}

/* ---- placement ---- */

static int allowed_groups(const ncg_cluster *c, const char *const *groups, size_t count, bool *allowed,
                          ncg_error *err)
{
    if (!groups) {
        if (count)
            return ncg_fail(err, NCG_E_INVALID, "groups is NULL but group_count is %zu", count);
        for (int g = 0; g < c->group_count; g++)
            allowed[g] = true;
        return 0;
    }
    for (int g = 0; g < c->group_count; g++)
        allowed[g] = false;
    for (size_t i = 0; i < count; i++) {
        int g = groups[i] ? ncg_cluster_group_index(c, groups[i]) : -1;
        if (g < 0)
            return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group \"%.64s\"", groups[i] ? groups[i] : "(null)");
        allowed[g] = true;
    }
    return 0;
}

/* Append "; text" (or "text" to an empty buffer), truncating at size. */
static void append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf), n = strlen(text);
    if (used && used + 2 < size) {
        memcpy(buf + used, "; ", 2);
        used += 2;
    }
    if (n > size - used - 1)
        n = size - used - 1;
    memcpy(buf + used, text, n);
    buf[used + n] = '\0';
}

NCG_EXPORT int ncg_cluster_place(ncg_cluster *c, const ncg_request *r, const char *const *groups,
                                 size_t group_count, ncg_placement *out, ncg_error *err)
{
    bool stack_allowed[64], *allowed = stack_allowed;
    char reasons[NCG_MESSAGE_MAX] = "";
    int rc;

    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    rc = ncg_request_check_fields(r, err);
    if (rc < 0)
        return rc;
    if (c->group_count > 64 && !(allowed = malloc((size_t)c->group_count * sizeof(bool))))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory");
    rc = allowed_groups(c, groups, group_count, allowed, err);
    for (int gi = 0; rc == 0 && gi < c->group_count; gi++) {
        cgroup *g = &c->groups[gi];
        ncg_shape shape;
        ncg_error e;
        char line[NCG_MESSAGE_MAX + 80];
        int visited = 0;
        if (!allowed[gi])
            continue;
        if (ncg_request_check_type(&g->type, r, &shape, &e) < 0) {
            snprintf(line, sizeof(line), "group %s: %s", g->name, e.message);
            append(reasons, sizeof(reasons), line);
            continue;
        }
        for (int b = shape.chips; b <= g->type.t.chips; b++) {
            for (cnode *n = g->buckets[b]; n; n = n->next) {
                placement p;
                ncg_alloc a;
                visited++;
                if (ncg_node_plan(n->node, r, &p, NULL) < 0)
                    continue;
                rc = ncg_node_allocate(n->node, r, &a, err);
                if (rc < 0)
                    goto done;
                ncg_cluster_reindex(c, n);
                if (out) {
                    strcpy(out->node, n->name);
                    out->group = gi;
                    out->alloc = a;
                }
                goto done;
            }
        }
        snprintf(line, sizeof(line), "group %s: %s", g->name,
                 g->nodes == 0 ? "has no nodes"
                 : visited == 0 ? "no node has a free window of that many chips"
                                : "no node with a free window has the CPU, memory or hugepages free");
        append(reasons, sizeof(reasons), line);
    }
    if (rc == 0)
        rc = ncg_fail(err, NCG_E_FULL, "no node can take the replica: %s", reasons[0] ? reasons : "no node groups");
done:
    if (allowed != stack_allowed)
        free(allowed);
    return rc;
}

NCG_EXPORT int ncg_cluster_release(ncg_cluster *c, const char *node, uint32_t id, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, node, &rc, err);
    if (!n)
        return rc;
    rc = ncg_node_release(n->node, id, err);
    if (rc == 0)
        ncg_cluster_reindex(c, n);
    return rc;
}

NCG_EXPORT int ncg_cluster_adopt(ncg_cluster *c, const char *node, const ncg_request *request,
                                 const char *visible_devices, const char *const *visible_cores, size_t process_count,
                                 ncg_alloc *out, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, node, &rc, err);
    if (!n)
        return rc;
    rc = ncg_node_adopt(n->node, request, visible_devices, visible_cores, process_count, out, err);
    if (rc > 0)
        ncg_cluster_reindex(c, n);
    return rc;
}
