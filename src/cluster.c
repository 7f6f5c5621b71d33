/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster: node groups, named nodes, and an index that finds a node for one replica without scanning them all.
 *
 * The index: per node group, one list of nodes per "largest free window" (0 .. chips). A request for k whole
 * chips looks at the lists k, k+1, ... in turn, so it lands on the node with the smallest free window that holds
 * it (best fit), and never visits nodes whose windows are too small. Every change to a node moves it to its new
 * list in O(1). The layout below is private to this file. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

typedef struct cnode {
    ncg_node *node;
    char name[NCG_NODE_NAME_MAX + 1];
    int group;
    int index;                  /* position in cluster->nodes */
    int bucket;                 /* index bucket: largest free window in chips */
    struct cnode *prev, *next;  /* bucket list of its node group */
} cnode;

typedef struct cgroup {
    char name[NCG_NAME_MAX + 1];
    ncg_type_copy type;
    int min_nodes, max_nodes;
    bool has_price;             /* the spec's override */
    double spec_price;
    double price;               /* effective: override, else catalog price, else 0 */
    bool priced;                /* effective price known */
    int nodes;                  /* nodes in the node group */
    int next_seq;               /* for generated names */
    cnode **buckets;            /* heads, chips + 1 of them */
} cgroup;

struct ncg_cluster {
    cgroup *groups;
    int group_count, group_capacity;
    cnode **nodes;
    int node_count, node_capacity;
    cnode **table;              /* open addressing by name, size table_size (power of two) */
    int table_size;
};

NCG_EXPORT ncg_cluster *ncg_cluster_new(unsigned flags, ncg_error *err)
{
    ncg_cluster *c;
    if (flags) {
        ncg_fail(err, NCG_E_INVALID, "cluster_new: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
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

static cnode *lookup(const ncg_cluster *c, const char *name)
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

/* Make room in the name table for count nodes. */
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
    const ncg_type *t = &ncg_node_type_copy(n->node)->t;
    return t->chips ? ncg_window_largest(t->topology, t->chips, ncg_node_free_chip_mask(n->node)) : 0;
}

static void reindex(ncg_cluster *c, cnode *n)
{
    int b = node_bucket(n);
    if (b != n->bucket) {
        bucket_unlink(&c->groups[n->group], n);
        bucket_link(&c->groups[n->group], n, b);
    }
}

/* ---- node groups ---- */

int ncg_cluster_nodegroup_index(const ncg_cluster *c, const char *name)
{
    for (int g = 0; g < c->group_count; g++)
        if (strcmp(c->groups[g].name, name) == 0)
            return g;
    return -1;
}

void ncg_cluster_nodegroup_info(const ncg_cluster *c, int gi, ncg_nodegroup_info *out)
{
    const cgroup *g = &c->groups[gi];
    out->name = g->name;
    out->type = &g->type;
    out->min_nodes = g->min_nodes;
    out->max_nodes = g->max_nodes;
    out->nodes = g->nodes;
    out->has_spec_price = g->has_price;
    out->spec_price = g->spec_price;
    out->price = g->price;
    out->priced = g->priced;
}

const ncg_type_copy *ncg_cluster_nodegroup_type(const ncg_cluster *c, int g) { return &c->groups[g].type; }
double ncg_cluster_nodegroup_price(const ncg_cluster *c, int g) { return c->groups[g].price; }
int ncg_cluster_nodegroup_nodes(const ncg_cluster *c, int g) { return c->groups[g].nodes; }

bool ncg_cluster_nodegroup_has_room(const ncg_cluster *c, int g)
{
    return c->groups[g].nodes < c->groups[g].max_nodes;
}

int ncg_cluster_add_nodegroup_type(ncg_cluster *c, const char *name, const ncg_type_copy *type, int min_nodes,
                                   int max_nodes, bool has_price, double price, ncg_error *err)
{
    cgroup g = {0};
    ncg_quoted q;

    if (!ncg_valid_name(name, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID, "node group name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", ncg_quote(&q, name), NCG_NAME_MAX);
    if (ncg_cluster_nodegroup_index(c, name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "node group %s exists already", name);
    if (min_nodes < 0 || max_nodes < min_nodes || max_nodes > 1000000)
        return ncg_fail(err, NCG_E_RANGE, "node group %s: min_instances %d and max_instances %d must satisfy "
                        "0 <= min <= max <= 1000000", name, min_nodes, max_nodes);
    if (has_price && !(price >= 0 && price < 1e12))
        return ncg_fail(err, NCG_E_RANGE, "node group %s: price %g must be finite and >= 0", name, price);
    strcpy(g.name, name);
    g.type = *type;
    g.min_nodes = min_nodes;
    g.max_nodes = max_nodes;
    g.has_price = has_price;
    g.spec_price = has_price && price != 0 ? price : 0; /* no -0.0 */
    g.priced = g.has_price || g.type.t.has_price;
    g.price = g.has_price ? g.spec_price : g.type.t.has_price ? g.type.t.usd_per_hour : 0;
    if (c->group_count == c->group_capacity) {
        int cap = c->group_capacity ? c->group_capacity * 2 : 4;
        cgroup *grown = realloc(c->groups, (size_t)cap * sizeof(*grown));
        if (!grown)
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
        c->groups = grown;
        c->group_capacity = cap;
    }
    g.buckets = calloc((size_t)g.type.t.chips + 1, sizeof(*g.buckets));
    if (!g.buckets)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
    c->groups[c->group_count] = g;
    ncg_type_copy_fix(&c->groups[c->group_count].type);
    return c->group_count++;
}

NCG_EXPORT int ncg_cluster_add_nodegroup(ncg_cluster *c, const ncg_catalog *catalog, const ncg_nodegroup_spec *user,
                                         ncg_error *err)
{
    ncg_nodegroup_spec spec = {0};
    ncg_type_copy tc;
    ncg_quoted q;
    int rc;

    if (!c || !catalog || !user)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_nodegroup: %s is NULL",
                        !c ? "cluster" : !catalog ? "catalog" : "spec");
    if ((rc = NCG_CHECK_SIZED(user, ncg_nodegroup_spec, err)) < 0)
        return rc;
    ncg_sized_in(&spec, sizeof(spec), user);
    if (!spec.name || !ncg_valid_name(spec.name, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID, "node group name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", spec.name ? ncg_quote(&q, spec.name) : "NULL", NCG_NAME_MAX);
    if (ncg_cluster_nodegroup_index(c, spec.name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "node group %s exists already", spec.name);
    if (!spec.type)
        return ncg_fail(err, NCG_E_INVALID, "node group %s: instance_type is NULL", spec.name);
    rc = ncg_catalog_copy_type(catalog, spec.type, &tc, err);
    if (rc < 0)
        return rc;
    return ncg_cluster_add_nodegroup_type(c, spec.name, &tc, spec.min_nodes, spec.max_nodes, spec.has_price != 0,
                                          spec.usd_per_hour, err);
}

NCG_EXPORT int ncg_cluster_nodegroup_count(const ncg_cluster *c)
{
    return c ? c->group_count : 0;
}

NCG_EXPORT int ncg_cluster_get_nodegroup(const ncg_cluster *c, int index, ncg_nodegroup_spec *out,
                                         ncg_type *out_type, ncg_error *err)
{
    ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
    const cgroup *g;
    int rc;
    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_get_nodegroup: %s is NULL", !c ? "cluster" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_nodegroup_spec, err)) < 0)
        return rc;
    if (out_type && (rc = NCG_CHECK_SIZED(out_type, ncg_type, err)) < 0)
        return rc;
    if (index < 0 || index >= c->group_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "node group index %d is out of range 0..%d", index,
                        c->group_count - 1);
    g = &c->groups[index];
    spec.name = g->name;
    spec.type = g->type.name;
    spec.min_nodes = g->min_nodes;
    spec.max_nodes = g->max_nodes;
    spec.has_price = g->priced;
    spec.usd_per_hour = g->price;
    ncg_sized_out(out, &spec, sizeof(spec));
    if (out_type) {
        ncg_type t = g->type.t;
        t.size = sizeof(t);
        t.name = g->type.name;
        t.family = NULL;
        ncg_sized_out(out_type, &t, sizeof(t));
    }
    return 0;
}

/* ---- nodes ---- */

const ncg_node *ncg_cluster_node(const ncg_cluster *c, int i) { return c->nodes[i]->node; }
ncg_node *ncg_cluster_node_mut(ncg_cluster *c, int i) { return c->nodes[i]->node; }
void ncg_cluster_node_changed(ncg_cluster *c, int i) { reindex(c, c->nodes[i]); }
const char *ncg_cluster_node_name(const ncg_cluster *c, int i) { return c->nodes[i]->name; }
int ncg_cluster_node_nodegroup(const ncg_cluster *c, int i) { return c->nodes[i]->group; }

int ncg_cluster_node_lookup(const ncg_cluster *c, const char *name)
{
    const cnode *n = lookup(c, name);
    return n ? n->index : -1;
}

/* A name "<node group>-<n>" that no node has; advances the node group's counter. */
static void generate_name(ncg_cluster *c, cgroup *g, char *name, size_t size)
{
    do
        snprintf(name, size, "%s-%d", g->name, ++g->next_seq);
    while (lookup(c, name));
}

int ncg_cluster_insert_node(ncg_cluster *c, const char *name, int group, ncg_error *err)
{
    cgroup *g = &c->groups[group];
    char generated[NCG_NODE_NAME_MAX + 1];
    int seq = g->next_seq, rc;
    cnode *n;
    ncg_quoted q;

    if (g->nodes >= g->max_nodes)
        return ncg_fail(err, NCG_E_RANGE, "node group %s has max_instances %d nodes already", g->name,
                        g->max_nodes);
    if (!name) {
        generate_name(c, g, generated, sizeof(generated));
        name = generated;
    } else if (!ncg_valid_name(name, NCG_NODE_NAME_MAX)) {
        return ncg_fail(err, NCG_E_INVALID, "node name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, '.', "
                        "'_' and '-'", ncg_quote(&q, name), NCG_NODE_NAME_MAX);
    } else if (lookup(c, name)) {
        return ncg_fail(err, NCG_E_EXISTS, "node %s exists already", name);
    }
    rc = table_reserve(c, c->node_count + 1, err);
    if (rc == 0 && c->node_count == c->node_capacity) {
        int cap = c->node_capacity ? c->node_capacity * 2 : 16;
        cnode **grown = realloc(c->nodes, (size_t)cap * sizeof(*grown));
        if (!grown)
            rc = ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
        else {
            c->nodes = grown;
            c->node_capacity = cap;
        }
    }
    n = rc == 0 ? calloc(1, sizeof(*n)) : NULL;
    if (n)
        n->node = ncg_node_from_type(&g->type);
    if (rc == 0 && (!n || !n->node)) {
        free(n);
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
    }
    if (rc < 0) {
        g->next_seq = seq; /* a failed call changes nothing, not even the generated-name counter */
        return rc;
    }
    strcpy(n->name, name);
    n->group = group;
    n->index = c->node_count;
    c->nodes[c->node_count++] = n;
    table_put(c->table, c->table_size, n);
    bucket_link(g, n, node_bucket(n));
    g->nodes++;
    return n->index;
}

NCG_EXPORT int ncg_cluster_add_node(ncg_cluster *c, const char *name, const char *group, ncg_error *err)
{
    int g;
    if (!c || !group)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_node: %s is NULL", !c ? "cluster" : "nodegroup");
    g = ncg_cluster_nodegroup_index(c, group);
    if (g < 0) {
        ncg_quoted q;
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s", ncg_quote(&q, group));
    }
    return ncg_cluster_insert_node(c, name, g, err);
}

int ncg_cluster_node_replace(ncg_cluster *c, int i, int g, ncg_node *fresh, ncg_error *err)
{
    cnode *n = c->nodes[i];
    cgroup *from = &c->groups[n->group], *to = &c->groups[g];
    if (g != n->group && to->nodes >= to->max_nodes)
        return ncg_fail(err, NCG_E_RANGE, "node group %s has max_instances %d nodes already", to->name,
                        to->max_nodes);
    bucket_unlink(from, n);
    table_remove(c, n);
    ncg_node_free(n->node);
    n->node = fresh;
    from->nodes--;
    to->nodes++;
    n->group = g;
    generate_name(c, to, n->name, sizeof(n->name));
    table_put(c->table, c->table_size, n);
    bucket_link(to, n, node_bucket(n));
    return 0;
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
    n = lookup(c, name);
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

NCG_EXPORT int ncg_cluster_get_node(const ncg_cluster *c, int index, const ncg_node **out_node, const char **out_name,
                                    int *out_nodegroup, ncg_error *err)
{
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (index < 0 || index >= c->node_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "node index %d is out of range 0..%d", index, c->node_count - 1);
    if (out_node)
        *out_node = c->nodes[index]->node;
    if (out_name)
        *out_name = c->nodes[index]->name;
    if (out_nodegroup)
        *out_nodegroup = c->nodes[index]->group;
    return 0;
}

NCG_EXPORT int ncg_cluster_find_node(const ncg_cluster *c, const char *name, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, name, &rc, err);
    return n ? n->index : rc;
}

/* ---- deep copy ---- */

NCG_EXPORT ncg_cluster *ncg_cluster_clone(const ncg_cluster *c, ncg_error *err)
{
    ncg_cluster *copy;
    if (!c) {
        ncg_fail(err, NCG_E_INVALID, "cluster_clone: cluster is NULL");
        return NULL;
    }
    copy = calloc(1, sizeof(*copy));
    if (!copy)
        goto nomem;
    if (c->group_count) {
        copy->groups = calloc((size_t)c->group_count, sizeof(*copy->groups));
        if (!copy->groups)
            goto nomem;
        copy->group_capacity = c->group_count;
    }
    for (int g = 0; g < c->group_count; g++) {
        cgroup *dst = &copy->groups[g];
        *dst = c->groups[g];
        ncg_type_copy_fix(&dst->type);
        dst->buckets = calloc((size_t)dst->type.t.chips + 1, sizeof(*dst->buckets));
        if (!dst->buckets)
            goto nomem;
        copy->group_count++;
    }
    if (c->node_count) {
        copy->nodes = malloc((size_t)c->node_count * sizeof(*copy->nodes));
        if (!copy->nodes || table_reserve(copy, c->node_count, NULL) < 0)
            goto nomem;
        copy->node_capacity = c->node_count;
    }
    /* link in the original's bucket order, back to front, so that the index visits nodes in the same order */
    for (int i = 0; i < c->node_count; i++) {
        cnode *n = malloc(sizeof(*n));
        if (!n)
            goto nomem;
        *n = *c->nodes[i];
        n->prev = n->next = NULL;
        n->node = ncg_node_clone(c->nodes[i]->node, NULL);
        if (!n->node) {
            free(n);
            goto nomem;
        }
        copy->nodes[copy->node_count++] = n;
        table_put(copy->table, copy->table_size, n);
    }
    for (int g = 0; g < c->group_count; g++)
        for (int b = 0; b <= c->groups[g].type.t.chips; b++) {
            const cnode *last = c->groups[g].buckets[b];
            while (last && last->next)
                last = last->next;
            for (; last; last = last->prev)
                bucket_link(&copy->groups[g], copy->nodes[last->index], b);
        }
    return copy;
nomem:
    ncg_cluster_free(copy);
    ncg_fail(err, NCG_E_NOMEM, "out of memory copying a cluster");
    return NULL;
}

/* ---- placement ---- */

static int allowed_groups(const ncg_cluster *c, const char *const *groups, size_t count, bool *allowed,
                          ncg_error *err)
{
    if (!groups) {
        if (count)
            return ncg_fail(err, NCG_E_INVALID, "nodegroups is NULL but nodegroup_count is %zu", count);
        for (int g = 0; g < c->group_count; g++)
            allowed[g] = true;
        return 0;
    }
    for (int g = 0; g < c->group_count; g++)
        allowed[g] = false;
    for (size_t i = 0; i < count; i++) {
        int g = groups[i] ? ncg_cluster_nodegroup_index(c, groups[i]) : -1;
        if (g < 0) {
            ncg_quoted q;
            return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s",
                            groups[i] ? ncg_quote(&q, groups[i]) : "NULL");
        }
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

NCG_EXPORT int ncg_cluster_place(ncg_cluster *c, const ncg_request *request, const char *const *groups,
                                 size_t group_count, ncg_placement *out, ncg_error *err)
{
    bool stack_allowed[64], *allowed = stack_allowed;
    char reasons[NCG_MESSAGE_MAX] = "";
    ncg_request req, *r = &req;
    int rc;

    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place: %s is NULL", !c ? "cluster" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_placement, err)) < 0)
        return rc;
    rc = ncg_request_in(request, &req, err);
    if (rc < 0)
        return rc;
    if (c->group_count > 64 && !(allowed = malloc((size_t)c->group_count * sizeof(bool))))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory placing a replica");
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
            snprintf(line, sizeof(line), "node group %s: %s", g->name, e.message);
            append(reasons, sizeof(reasons), line);
            continue;
        }
        for (int b = shape.chips; b <= g->type.t.chips; b++) {
            for (cnode *n = g->buckets[b]; n; n = n->next) {
                ncg_placement pl = NCG_INIT(ncg_placement);
                ncg_slot p;
                ncg_alloc a;
                visited++;
                if (ncg_node_plan(n->node, r, &p, NULL) < 0)
                    continue;
                rc = ncg_node_commit(n->node, &p, r, &a, err);
                if (rc < 0)
                    goto done;
                reindex(c, n);
                pl.node = n->name;
                pl.node_index = n->index;
                pl.nodegroup = gi;
                pl.alloc_id = a.id;
                ncg_sized_out(out, &pl, sizeof(pl));
                goto done;
            }
        }
        snprintf(line, sizeof(line), "node group %s: %s", g->name,
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

NCG_EXPORT int ncg_cluster_release(ncg_cluster *c, const char *node, uint64_t id, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, node, &rc, err);
    if (!n)
        return rc;
    rc = ncg_node_release(n->node, id, err);
    if (rc == 0)
        reindex(c, n);
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
    if (rc == 0)
        reindex(c, n);
    return rc;
}
