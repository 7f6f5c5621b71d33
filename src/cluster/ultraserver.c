/* SPDX-License-Identifier: Apache-2.0 */
/* UltraServers: nodes that are servers of one UltraServer (trn2u.48xlarge: 4 servers joined by NeuronLinks), and
 * replicas of whole servers of one UltraServer.
 *
 * A node refers to its UltraServer by an index into the cluster's table of ids, with its position (0..3). A replica
 * of N servers (1, 2 or 4) is N ordinary allocations, one per server, of a request that takes every chip of a
 * server; the cluster records which allocations are servers of such a replica, and of how many, for the
 * NEURON_RT_ULTRASERVER_* env. The sets a replica may take are AWS's: all 4 servers, a pair of servers (the
 * library pairs positions 0-1 and 2-3, the horizontal links of the runtime's 2-node mode), or one. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"

#define MAXN NCG_ULTRASERVER_MAX_NODES

/* ---- the tables ---- */

void ncg_ultras_free(ncg_ultras *u)
{
    for (int i = 0; i < u->count; i++)
        free(u->ids[i]);
    free(u->ids);
    free(u->sets);
    memset(u, 0, sizeof(*u));
}

int ncg_ultras_copy(ncg_ultras *dst, const ncg_ultras *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->count) {
        if (!(dst->ids = calloc((size_t)src->count, sizeof(*dst->ids))))
            return NCG_E_NOMEM;
        dst->cap = src->count;
        for (; dst->count < src->count; dst->count++)
            if (!(dst->ids[dst->count] = strdup(src->ids[dst->count]))) {
                ncg_ultras_free(dst);
                return NCG_E_NOMEM;
            }
    }
    if (src->set_count) {
        if (!(dst->sets = malloc((size_t)src->set_count * sizeof(*dst->sets)))) {
            ncg_ultras_free(dst);
            return NCG_E_NOMEM;
        }
        memcpy(dst->sets, src->sets, (size_t)src->set_count * sizeof(*dst->sets));
        dst->set_count = dst->set_cap = src->set_count;
    }
    return 0;
}

/* Index of the first set entry at or after (seq, id). */
static int set_at(const ncg_ultras *u, uint64_t seq, uint64_t id)
{
    int lo = 0, hi = u->set_count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const ncg_ultra_set *e = &u->sets[mid];
        if (e->seq < seq || (e->seq == seq && e->id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void ncg_ultras_forget(ncg_ultras *u, uint64_t seq, uint64_t id)
{
    int i = set_at(u, seq, id), end = i;
    while (end < u->set_count && u->sets[end].seq == seq && (id == 0 || u->sets[end].id == id))
        end++;
    if (end == i)
        return; /* nothing recorded (sets may be NULL) */
    memmove(&u->sets[i], &u->sets[end], (size_t)(u->set_count - end) * sizeof(*u->sets));
    u->set_count -= end - i;
}

int ncg_ultras_servers(const ncg_ultras *u, uint64_t seq, uint64_t id)
{
    int i = set_at(u, seq, id);
    return i < u->set_count && u->sets[i].seq == seq && u->sets[i].id == id ? u->sets[i].servers : 0;
}

/* Room for `more` set entries. */
static int sets_reserve(ncg_ultras *u, int more)
{
    if (u->set_count + more > u->set_cap) {
        int cap = u->set_cap ? 2 * u->set_cap : 16;
        ncg_ultra_set *grown;
        while (cap < u->set_count + more)
            cap *= 2;
        if (!(grown = realloc(u->sets, (size_t)cap * sizeof(*grown))))
            return NCG_E_NOMEM;
        u->sets = grown;
        u->set_cap = cap;
    }
    return 0;
}

int ncg_ultras_record(ncg_ultras *u, uint64_t seq, uint64_t id, int servers)
{
    int i;
    if (sets_reserve(u, 1) < 0)
        return NCG_E_NOMEM;
    i = set_at(u, seq, id);
    memmove(&u->sets[i + 1], &u->sets[i], (size_t)(u->set_count - i) * sizeof(*u->sets));
    u->sets[i] = (ncg_ultra_set){seq, id, servers};
    u->set_count++;
    return 0;
}

/* Index of an UltraServer id, or -1. */
static int ultra_index(const ncg_ultras *u, const char *id)
{
    for (int i = 0; i < u->count; i++)
        if (strcmp(u->ids[i], id) == 0)
            return i;
    return -1;
}

/* Does node i hold an allocation that is a server of a replica? */
static bool holds_servers(const ncg_cluster *c, int i)
{
    const ncg_ultras *u = ncg_cluster_ultras_const(c);
    uint64_t seq = ncg_cluster_node_seq(c, i);
    int k = set_at(u, seq, 0);
    return k < u->set_count && u->sets[k].seq == seq;
}

/* ---- membership ---- */

NCG_EXPORT int ncg_cluster_set_node_ultraserver(ncg_cluster *c, const char *node, const char *ultraserver,
                                                int position, ncg_error *err)
{
    ncg_ultras *u;
    ncg_quoted q;
    int i, k, slot;

    if (!c || !node)
        return ncg_fail(err, NCG_E_INVALID, "cluster_set_node_ultraserver: %s is NULL", !c ? "cluster" : "node");
    i = ncg_cluster_find_node(c, node, err);
    if (i < 0)
        return i;
    if (ultraserver && !ncg_valid_name(ultraserver, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID, "UltraServer id %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", ncg_quote(&q, ultraserver), NCG_NAME_MAX);
    if (ultraserver && (position < 0 || position >= MAXN))
        return ncg_fail(err, NCG_E_RANGE, "UltraServer position %d is out of range 0..%d", position, MAXN - 1);
    u = ncg_cluster_ultras(c);
    k = ultraserver ? ultra_index(u, ultraserver) : -1;
    slot = ultraserver && k >= 0 ? k * MAXN + position : -1;
    if (slot >= 0 && slot == ncg_cluster_node_ultra(c, i))
        return 0; /* where it is already */
    if (holds_servers(c, i))
        return ncg_fail(err, NCG_E_INVALID, "node %s holds a server of a replica of whole servers of its UltraServer: "
                        "release it before the node changes UltraServer", ncg_cluster_node_name(c, i));
    if (slot >= 0)
        for (int j = 0; j < ncg_cluster_node_count(c); j++)
            if (ncg_cluster_node_ultra(c, j) == slot)
                return ncg_fail(err, NCG_E_EXISTS, "node %s is at position %d of UltraServer %s already",
                                ncg_cluster_node_name(c, j), position, ultraserver);
    if (ultraserver && k < 0) { /* a new id */
        char *copy = strdup(ultraserver);
        if (copy && u->count == u->cap) {
            int cap = u->cap ? 2 * u->cap : 8;
            char **grown = realloc(u->ids, (size_t)cap * sizeof(*grown));
            if (!grown) {
                free(copy);
                copy = NULL;
            } else {
                u->ids = grown;
                u->cap = cap;
            }
        }
        if (!copy)
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding UltraServer %s", ultraserver);
        k = u->count;
        u->ids[u->count++] = copy;
        slot = k * MAXN + position;
    }
    ncg_cluster_set_node_ultra(c, i, slot);
    return 0;
}

NCG_EXPORT int ncg_cluster_get_node_ultraserver(const ncg_cluster *c, int index, const char **out_ultraserver,
                                                int *out_position, ncg_error *err)
{
    int slot;
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (index < 0 || index >= ncg_cluster_node_count(c))
        return ncg_fail(err, NCG_E_NOT_FOUND, "node index %d is out of range 0..%d", index,
                        ncg_cluster_node_count(c) - 1);
    slot = ncg_cluster_node_ultra(c, index);
    if (out_ultraserver)
        *out_ultraserver = slot < 0 ? NULL : ncg_cluster_ultras_const(c)->ids[slot / MAXN];
    if (out_position)
        *out_position = slot < 0 ? -1 : slot % MAXN;
    return 0;
}

/* ---- placement ---- */

/* The server sets a replica of `servers` may take, as position bitmasks. */
static int server_sets(int servers, unsigned *out)
{
    switch (servers) {
    case 4: out[0] = 0xf; return 1;
    case 2: out[0] = 0x3; out[1] = 0xc; return 2;
    default:
        for (int p = 0; p < MAXN; p++)
            out[p] = 1u << p;
        return MAXN;
    }
}

/* Is node i a whole server that is free for the request? */
static bool server_free(const ncg_cluster *c, int i, const ncg_request *r, const bool *allowed)
{
    const ncg_node *n = ncg_cluster_node(c, i);
    ncg_slot slot;
    return allowed[ncg_cluster_node_nodegroup(c, i)] && ncg_node_plan(n, r, &slot, NULL) == 0;
}

NCG_EXPORT int ncg_cluster_place_ultraserver(ncg_cluster *c, const ncg_request *request, int servers,
                                             const char *const *nodegroups, size_t nodegroup_count,
                                             ncg_placement *out, size_t size, ncg_error *err)
{
    ncg_request r;
    int groups, nodes, ultras, *at = NULL, best = -1, best_free = 0, best_priority = 0, members = 0, rc, nsets;
    unsigned sets[MAXN], best_set = 0;
    bool *allowed = NULL, whole = false;
    ncg_placement pl[MAXN];
    uint64_t next_ids[MAXN];
    int placed = 0, pos_of[MAXN];

    if (!c || !request || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place_ultraserver: %s is NULL",
                        !c ? "cluster" : !request ? "request" : "out");
    if (servers != 1 && servers != 2 && servers != 4)
        return ncg_fail(err, NCG_E_RANGE, "servers %d is not 1, 2 or 4 (the sets of an UltraServer)", servers);
    if (size < (size_t)servers)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place_ultraserver: out has room for %zu placements, not %d",
                        size, servers);
    if (!nodegroups && nodegroup_count)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place_ultraserver: nodegroups is NULL but nodegroup_count is %zu",
                        nodegroup_count);
    for (int k = 0; k < servers; k++)
        if ((rc = NCG_CHECK_SIZED(&out[k], ncg_placement, err)) < 0)
            return rc;
    if ((rc = ncg_request_in(request, &r, err)) < 0 || (rc = ncg_request_check_fields(&r, err)) < 0)
        return rc;
    if (r.inf < 1)
        return ncg_fail(err, NCG_E_INVALID, "a replica of whole servers asks for inf (every chip of a server), not "
                        "%" PRId64 " chips and %" PRId64 " NeuronCores", r.inf, r.neuroncores);
    groups = ncg_cluster_nodegroup_count(c);
    nodes = ncg_cluster_node_count(c);
    ultras = ncg_cluster_ultras_const(c)->count;
    allowed = calloc((size_t)groups + 1, sizeof(*allowed));
    at = malloc(((size_t)ultras * MAXN + 1) * sizeof(*at));
    if (!allowed || !at) {
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory placing a replica of %d servers", servers);
        goto out;
    }
    for (int g = 0; g < groups; g++)
        allowed[g] = !nodegroups;
    for (size_t k = 0; k < nodegroup_count; k++) {
        int g = nodegroups[k] ? ncg_cluster_nodegroup_index(c, nodegroups[k]) : -1;
        ncg_quoted q;
        if (g < 0) {
            rc = nodegroups[k] ? ncg_fail(err, NCG_E_NOT_FOUND, "no node group %s in the cluster",
                                          ncg_quote(&q, nodegroups[k]))
                               : ncg_fail(err, NCG_E_INVALID, "nodegroups[%zu] is NULL", k);
            goto out;
        }
        allowed[g] = true;
    }
    /* every allowed node group's type must take the request as whole servers */
    for (int g = 0; g < groups; g++) {
        const ncg_type_copy *tc = ncg_cluster_nodegroup_type(c, g);
        if (!allowed[g] || tc->t.chips == 0)
            continue;
        if (r.inf != tc->t.chips) {
            rc = ncg_fail(err, NCG_E_INVALID, "a replica of whole servers takes every chip of a server: inf %" PRId64
                          " is not the %d chips of %s", r.inf, tc->t.chips, tc->name);
            goto out;
        }
        whole = true;
    }
    for (int k = 0; k < ultras * MAXN; k++)
        at[k] = -1;
    for (int i = 0; i < nodes; i++) {
        int slot = ncg_cluster_node_ultra(c, i);
        if (slot >= 0) {
            at[slot] = i;
            members++;
        }
    }
    nsets = server_sets(servers, sets);
    for (int k = 0; k < ultras && whole; k++) {
        unsigned free_mask = 0;
        int priority = INT32_MIN;
        for (int p = 0; p < MAXN; p++) {
            int i = at[k * MAXN + p];
            if (i >= 0 && server_free(c, i, &r, allowed)) {
                int pr;
                ncg_nodegroup_info info;
                ncg_cluster_nodegroup_info(c, ncg_cluster_node_nodegroup(c, i), &info);
                pr = info.priority;
                free_mask |= 1u << p;
                priority = pr > priority ? pr : priority;
            }
        }
        for (int s = 0; s < nsets; s++) {
            int left;
            if ((free_mask & sets[s]) != sets[s])
                continue;
            left = ncg_popcount64(free_mask & ~sets[s]);
            if (best < 0 || priority > best_priority || (priority == best_priority && left < best_free)) {
                best = k;
                best_set = sets[s];
                best_free = left;
                best_priority = priority;
            }
        }
    }
    if (best < 0) {
        rc = ncg_fail(err, NCG_E_FULL, "no UltraServer of the allowed node groups has %d whole server%s free for the "
                      "replica (%d UltraServer%s, %d of the %d nodes in one)", servers, servers == 1 ? "" : "s",
                      ultras, ultras == 1 ? "" : "s", members, nodes);
        goto out;
    }
    /* all servers or none: each placement is undone, its next id put back, when a later one fails */
    if ((rc = sets_reserve(ncg_cluster_ultras(c), servers)) < 0) {
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory placing a replica of %d servers", servers);
        goto out;
    }
    for (int p = 0; p < MAXN && rc == 0; p++) {
        int i = at[best * MAXN + p];
        if (!(best_set & (1u << p)))
            continue;
        pl[placed] = (ncg_placement)NCG_INIT(ncg_placement);
        next_ids[placed] = ncg_node_next_id(ncg_cluster_node(c, i));
        pos_of[placed] = i;
        rc = ncg_cluster_place_on(c, ncg_cluster_node_name(c, i), &r, &pl[placed], err);
        if (rc == 0)
            placed++;
    }
    if (rc < 0) {
        while (placed-- > 0) {
            ncg_cluster_release(c, ncg_cluster_node_name(c, pos_of[placed]), pl[placed].alloc_id, NULL);
            ncg_node_set_next_id(ncg_cluster_node_mut(c, pos_of[placed]), next_ids[placed]);
        }
        goto out;
    }
    for (int k = 0; k < placed; k++) {
        ncg_ultras_record(ncg_cluster_ultras(c), ncg_cluster_node_seq(c, pos_of[k]), pl[k].alloc_id, servers);
        ncg_sized_out(&out[k], &pl[k], sizeof(pl[k]));
    }
    rc = servers;
out:
    free(allowed);
    free(at);
    return rc;
}

/* ---- env ---- */

NCG_EXPORT int ncg_cluster_get_env(const ncg_cluster *c, const char *node, uint64_t id, int process, ncg_env *out,
                                   ncg_error *err)
{
    ncg_env e = NCG_INIT(ncg_env);
    int i, rc, servers, slot;
    if (!c || !node || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_get_env: %s is NULL", !c ? "cluster" : !node ? "node" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_env, err)) < 0)
        return rc;
    if ((i = ncg_cluster_find_node(c, node, err)) < 0)
        return i;
    if ((rc = ncg_node_get_env(ncg_cluster_node(c, i), id, process, &e, err)) < 0)
        return rc;
    servers = ncg_ultras_servers(ncg_cluster_ultras_const(c), ncg_cluster_node_seq(c, i), id);
    slot = ncg_cluster_node_ultra(c, i);
    if (servers > 0 && slot >= 0) {
        /* the runtime's modes: 1 = 4 servers, 2 = 2 servers on horizontal links, 4 = one server */
        snprintf(e.ultraserver_mode, sizeof(e.ultraserver_mode), "%d", servers == 4 ? 1 : servers == 2 ? 2 : 4);
        snprintf(e.ultraserver_server_id, sizeof(e.ultraserver_server_id), "%s",
                 ncg_cluster_ultras_const(c)->ids[slot / MAXN]);
        snprintf(e.ultraserver_node_id, sizeof(e.ultraserver_node_id), "%d", slot % MAXN % servers);
    }
    ncg_sized_out(out, &e, sizeof(e));
    return 0;
}
