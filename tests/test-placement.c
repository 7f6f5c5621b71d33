/* SPDX-License-Identifier: Apache-2.0 */
/* Cluster-wide placement (doc/placement.md): the index against a linear scan of the same score over random place
 * and release operations of every request kind, with a dump and restore in the middle; the score's rules one by
 * one; node-group priority and policy. The differential test runs 100,000 operations, 5,000 when NCG_TEST_QUICK is
 * set (the valgrind setup). */
#include "test-common.h"

#include "cluster/cluster.h"

static void add_group(ncg_cluster *c, ncg_catalog *cat, const char *name, const char *type, int priority)
{
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = name;
    g.type = type;
    g.max_nodes = 1000;
    g.priority = priority;
    ck_assert_int_ge(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
}

/* Node groups of every topology, one type with hugepages; `nodes` nodes spread over them. */
static ncg_cluster *mixed_cluster(int nodes)
{
    static const char *const groups[] = {"small", "big", "inf2", "trn1", "one", "hp"};
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_type hp = NCG_INIT(ncg_type);
    hp.name = "hp.test";
    hp.accelerator = NCG_ACCEL_INFERENTIA;
    hp.chips = 4;
    hp.cores_per_chip = 4;
    hp.device_memory_bytes = 8 * GIB;
    hp.cpu_milli = 16000;
    hp.memory_bytes = 64 * GIB;
    hp.hugepages_bytes = 8 * GIB;
    hp.topology = NCG_TOPOLOGY_CHAIN;
    ck_assert_int_ge(ncg_catalog_set_type(cat, &hp, NULL), 0);
    add_group(c, cat, "small", "inf1.6xlarge", 0);
    add_group(c, cat, "big", "inf1.24xlarge", 0);
    add_group(c, cat, "inf2", "inf2.48xlarge", 0);
    add_group(c, cat, "trn1", "trn1.32xlarge", 0);
    add_group(c, cat, "one", "inf1.xlarge", 0);
    add_group(c, cat, "hp", "hp.test", 0);
    for (int i = 0; i < nodes; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, NULL, groups[i % 6], NULL), i);
    ncg_catalog_free(cat);
    return c;
}

/* A random request: whole chips, NeuronCores or CPU only, with CPU, memory and sometimes hugepages. */
static ncg_request random_request(uint64_t *seed)
{
    static const int chips[] = {1, 1, 1, 2, 2, 3, 4, 4, 6, 8, 12, 16};
    ncg_request r;
    uint64_t kind = test_rand(seed) % 10;
    ncg_request_init(&r);
    if (kind < 5) {
        r.inf = chips[test_rand(seed) % ARRAY_SIZE(chips)];
    } else if (kind < 8) {
        r.neuroncores = 1 + (int64_t)(test_rand(seed) % 8);
    }
    r.cpu_milli = (int64_t)(test_rand(seed) % 8) * 1000 + 100;
    r.memory_bytes = (int64_t)(test_rand(seed) % 24) * GIB;
    if (test_rand(seed) % 8 == 0)
        r.hugepages_bytes = (int64_t)(1 + test_rand(seed) % 4) * GIB;
    return r;
}

typedef struct live {
    int node;
    uint64_t id;
} live;

static int op_count(void)
{
    return getenv("NCG_TEST_QUICK") ? 5000 : 100000;
}

START_TEST(index_agrees_with_linear_scan)
{
    ncg_cluster *c = mixed_cluster(120);
    int ops = op_count(), count = 0, placed = 0, failed = 0;
    live *lives = malloc((size_t)ops * sizeof(*lives));
    uint64_t seed = 42;
    static const char *const subset[] = {"big", "trn1", "hp"};
    ck_assert_ptr_nonnull(lives);
    for (int op = 0; op < ops; op++) {
        if (op == ops / 2) {
            /* dump and restore in the middle: the restored cluster chooses the same from here on */
            char *text = dump_text(c), *again;
            ncg_cluster *restored = ncg_cluster_restore(text, 0, NULL);
            ck_assert_ptr_nonnull(restored);
            again = dump_text(restored);
            ck_assert_str_eq(text, again);
            free(text);
            free(again);
            ncg_cluster_free(c);
            c = restored;
        }
        if (op == ops / 4) {
            ck_assert_int_eq(ncg_cluster_set_policy(c, "inf2", NCG_POLICY_FIRST_FIT, NULL), 0);
            ncg_cluster_set_nodegroup_priority(c, 5, 1); /* "hp" strictly first from here on */
        }
        if (count > 0 && (test_rand(&seed) % 100 < 45 || count >= ops)) {
            int k = (int)(test_rand(&seed) % (uint64_t)count);
            const char *name = NULL;
            ck_assert_int_eq(ncg_cluster_get_node(c, lives[k].node, NULL, &name, NULL, NULL), 0);
            ck_assert_int_eq(ncg_cluster_release(c, name, lives[k].id, NULL), 0);
            lives[k] = lives[--count];
        } else {
            ncg_request r = random_request(&seed);
            bool some = test_rand(&seed) % 4 == 0;
            const char *const *groups = some ? subset : NULL;
            size_t ngroups = some ? ARRAY_SIZE(subset) : 0;
            ncg_choice fast, slow;
            ncg_placement pl = NCG_INIT(ncg_placement);
            int rc;
            ck_assert_int_eq(ncg_cluster_choose(c, &r, groups, ngroups, false, &fast), 0);
            ck_assert_int_eq(ncg_cluster_choose(c, &r, groups, ngroups, true, &slow), 0);
            ck_assert_msg(fast.node == slow.node, "op %d: index chose node %d, the scan %d", op, fast.node,
                          slow.node);
            if (fast.node >= 0) {
                ck_assert_int_eq(fast.leftover, slow.leftover);
                ck_assert(fast.free_after == slow.free_after);
                ck_assert_int_eq(fast.free_cores, slow.free_cores);
            }
            if (fast.node >= 0 && op % 16 == 0) {
                /* ncg_cluster_score_node gives the chosen node's terms, and no node scores better */
                const char *name = NULL, *other = NULL;
                ncg_node_score s = NCG_INIT(ncg_node_score), o = NCG_INIT(ncg_node_score);
                int k = (int)(test_rand(&seed) % (uint64_t)ncg_cluster_node_count(c)), og = -1;
                ck_assert_int_eq(ncg_cluster_get_node(c, fast.node, NULL, &name, NULL, NULL), 0);
                ck_assert_int_eq(ncg_cluster_score_node(c, name, &r, &s, NULL), 0);
                ck_assert_int_eq(s.node_index, fast.node);
                ck_assert_int_eq(s.priority, fast.priority);
                ck_assert_int_eq(s.free_cores, fast.free_cores);
                ck_assert(s.free_after == fast.free_after);
                ck_assert_int_eq(s.leftover, fast.leftover);
                ck_assert_int_eq(ncg_cluster_get_node(c, k, NULL, &other, &og, NULL), 0);
                if (!groups || og == 1 || og == 3 || og == 5) /* big, trn1, hp: the subset */
                    if (ncg_cluster_score_node(c, other, &r, &o, NULL) == 0)
                        ck_assert_int_le(ncg_node_score_compare(&s, &o), 0);
            }
            rc = ncg_cluster_place(c, &r, groups, ngroups, &pl, NULL);
            if (fast.node < 0) {
                ck_assert_int_lt(rc, 0);
                failed++;
            } else {
                ck_assert_int_eq(rc, 0);
                ck_assert_int_eq(pl.node_index, fast.node);
                lives[count].node = pl.node_index;
                lives[count].id = pl.alloc_id;
                count++;
                placed++;
            }
        }
    }
    /* every kind of outcome happened */
    ck_assert_int_gt(placed, ops / 4);
    ck_assert_int_gt(failed, 0);
    free(lives);
    ncg_cluster_free(c);
}
END_TEST

/* A whole-chip request goes to the node whose largest free window it fills best, in any node group. */
START_TEST(whole_chips_take_the_tightest_window_across_nodegroups)
{
    ncg_cluster *c = mixed_cluster(6);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(3, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    /* node big-1 (16 chips) keeps a window of exactly 3 free: chips 13-15 */
    ck_assert_int_eq(ncg_cluster_adopt(c, "big-1", NULL, "0-12", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "big-1");
    ncg_cluster_free(c);
}
END_TEST

/* CPU-only replicas go first to nodes whose NeuronCores are all in use. */
START_TEST(cpu_only_goes_where_accelerators_are_used_up)
{
    ncg_cluster *c = mixed_cluster(6);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r;
    ncg_request_init(&r);
    r.cpu_milli = 1000;
    ck_assert_int_eq(ncg_cluster_adopt(c, "one-1", NULL, "0", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "one-1");
    ncg_cluster_free(c);
}
END_TEST

/* Among equal accelerator fits, the node with the least free capacity left; group order only breaks ties. */
START_TEST(equal_fits_take_the_fullest_node_then_the_earlier_nodegroup)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(1, 1);
    add_group(c, cat, "a", "inf1.6xlarge", 0);
    add_group(c, cat, "b", "inf1.6xlarge", 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "a1", "a", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "b1", "b", NULL), 1);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "a1"); /* a tie: the earlier node group */
    {
        ncg_request cpu;
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ncg_request_init(&cpu);
        cpu.cpu_milli = 8000;
        /* b1 loses chip 0 too, and 8 CPUs */
        ck_assert_int_eq(ncg_cluster_adopt(c, "b1", &cpu, "0", NULL, 0, &a, NULL), 0);
    }
    /* both have a largest free window of 3 chips now; b1 has less CPU free */
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "b1");
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* Two nodes of one inf1.6xlarge node group, a then b. */
static ncg_cluster *two_nodes(void)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    add_group(c, cat, "g", "inf1.6xlarge", 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "a", "g", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "b", "g", NULL), 1);
    ncg_catalog_free(cat);
    return c;
}

static ncg_node_score score(const ncg_cluster *c, const char *node, const ncg_request *r)
{
    ncg_node_score s = NCG_INIT(ncg_node_score);
    ck_assert_int_eq(ncg_cluster_score_node(c, node, r, &s, NULL), 0);
    return s;
}

/* Best fit over every resource comes before the window: a node whose CPU and memory are nearly used up is filled
 * before a node whose largest free window the replica would fill exactly but whose CPU and memory are free. */
START_TEST(least_free_capacity_beats_a_tighter_window)
{
    ncg_cluster *c = two_nodes();
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc x = NCG_INIT(ncg_alloc);
    ncg_request heavy, r = chips_request(1, 1);
    ncg_node_score sa, sb;
    ncg_request_init(&heavy);
    heavy.cpu_milli = 20000;
    heavy.memory_bytes = 40 * GIB;
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", &heavy, "0", NULL, 0, &x, NULL), 0); /* window 3: chips 1-3 */
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", NULL, "0", NULL, 0, &x, NULL), 0);
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", NULL, "2", NULL, 0, &x, NULL), 0);   /* window 1: chip 1 or 3 */
    sa = score(c, "a", &r);
    sb = score(c, "b", &r);
    ck_assert_int_eq(sa.leftover, 2);
    ck_assert_int_eq(sb.leftover, 0);
    ck_assert_int_eq(sa.free_cores, 0);
    ck_assert(sa.free_after < sb.free_after);
    ck_assert_int_lt(ncg_node_score_compare(&sa, &sb), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "a");
    ncg_cluster_free(c);
}
END_TEST

/* Equal free capacity: the smaller leftover of the largest free window wins, before the order nodes were added. */
START_TEST(equal_free_capacity_takes_the_tighter_window)
{
    ncg_cluster *c = two_nodes();
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc x = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(1, 1);
    ncg_node_score sa, sb;
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", NULL, "0", NULL, 0, &x, NULL), 0); /* window 3: chips 1-3 */
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", NULL, "1", NULL, 0, &x, NULL), 0); /* window 2: chips 2-3 */
    sa = score(c, "a", &r);
    sb = score(c, "b", &r);
    ck_assert(sa.free_after == sb.free_after);
    ck_assert_int_eq(sa.leftover, 2);
    ck_assert_int_eq(sb.leftover, 1);
    ck_assert_int_gt(ncg_node_score_compare(&sa, &sb), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "b");
    ncg_cluster_free(c);
}
END_TEST

/* CPU-only replicas: fewest free NeuronCores first, whatever the free CPU and memory; the score says so. */
START_TEST(cpu_only_takes_the_fewest_free_cores_first)
{
    ncg_cluster *c = two_nodes();
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc x = NCG_INIT(ncg_alloc);
    ncg_request heavy, r;
    ncg_node_score sa, sb;
    ncg_request_init(&heavy);
    heavy.cpu_milli = 20000;
    heavy.memory_bytes = 40 * GIB;
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", NULL, "0-2", NULL, 0, &x, NULL), 0); /* 4 cores free */
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", &heavy, "0", NULL, 0, &x, NULL), 0); /* 12 free, little CPU */
    ncg_request_init(&r);
    r.cpu_milli = 1000;
    sa = score(c, "a", &r);
    sb = score(c, "b", &r);
    ck_assert_int_eq(sa.free_cores, 4);
    ck_assert_int_eq(sb.free_cores, 12);
    ck_assert(sb.free_after < sa.free_after);
    ck_assert_int_eq(sa.leftover, 4); /* the longest free run, as for core-granular requests */
    ck_assert_int_lt(ncg_node_score_compare(&sa, &sb), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "a");
    /* free cores count before free capacity in the comparison, and after the priority */
    sb.free_cores = 3;
    ck_assert_int_gt(ncg_node_score_compare(&sa, &sb), 0);
    sa.priority = 1;
    ck_assert_int_lt(ncg_node_score_compare(&sa, &sb), 0);
    ncg_cluster_free(c);
}
END_TEST

/* A CPU-only replica that no node takes: how many nodes are short of which resource. */
START_TEST(cpu_only_failure_names_resources)
{
    ncg_cluster *c = two_nodes();
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc x = NCG_INIT(ncg_alloc);
    ncg_request use, r;
    char *before = NULL, *after;
    ncg_request_init(&use);
    use.cpu_milli = 23000;
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", &use, "0", NULL, 0, &x, NULL), 0);
    use.cpu_milli = 100;
    use.memory_bytes = 46 * GIB;
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", &use, "0", NULL, 0, &x, NULL), 0);
    ncg_request_init(&r);
    r.cpu_milli = 1000;
    r.memory_bytes = GIB;
    before = dump_text(c);
    ck_assert_fails(NCG_E_FULL, "no node can take the replica: node group g: 2 nodes, max_instances 1000: 1 short "
                    "of CPU, 1 short of memory", ncg_cluster_place(c, &r, NULL, 0, &pl, &err));
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), NCG_E_FULL); /* no reasons asked */
    ck_assert_ptr_null(pl.node);
    after = dump_text(c);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_cluster_free(c);
}
END_TEST

/* The same nodes added with the node groups in the other order give the same placements (no exact ties). */
START_TEST(nodegroup_order_does_not_decide)
{
    static const char *const types[] = {"inf1.6xlarge", "inf2.48xlarge", "trn1.32xlarge"};
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c[2];
    uint64_t seed[2] = {7, 7};
    for (int k = 0; k < 2; k++) {
        c[k] = ncg_cluster_new(0, NULL);
        for (int g = 0; g < 3; g++) {
            int t = k ? 2 - g : g;
            add_group(c[k], cat, types[t], types[t], 0);
        }
        for (int i = 0; i < 30; i++)
            ck_assert_int_ge(ncg_cluster_add_node(c[k], NULL, types[i % 3], NULL), 0);
    }
    for (int i = 0; i < 300; i++) {
        ncg_request r[2] = {random_request(&seed[0]), random_request(&seed[1])};
        ncg_placement pl[2] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement)};
        int rc0 = ncg_cluster_place(c[0], &r[0], NULL, 0, &pl[0], NULL);
        int rc1 = ncg_cluster_place(c[1], &r[1], NULL, 0, &pl[1], NULL);
        ck_assert_int_eq(rc0, rc1);
        if (rc0 == 0)
            ck_assert_str_eq(pl[0].node, pl[1].node);
    }
    ncg_cluster_free(c[0]);
    ncg_cluster_free(c[1]);
    ncg_catalog_free(cat);
}
END_TEST

/* A node group of higher priority is chosen whenever one of its nodes fits, however good the others' fit. */
START_TEST(higher_priority_is_strict)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(1, 1);
    ncg_nodegroup_spec got = NCG_INIT(ncg_nodegroup_spec);
    add_group(c, cat, "fit", "inf1.xlarge", 0);
    add_group(c, cat, "preferred", "inf1.24xlarge", 3);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 1, &got, NULL, NULL), 0);
    ck_assert_int_eq(got.priority, 3);
    ck_assert_int_eq(ncg_cluster_add_node(c, "f", "fit", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "p", "preferred", NULL), 1);
    for (int i = 0; i < 16; i++) {
        ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
        ck_assert_str_eq(pl.node, "p");
    }
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "f");
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* The reason of a failure, per node group: resources by node count, and max_instances. */
START_TEST(failure_names_resources_per_nodegroup)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_request cpu, r = chips_request(2, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    r.memory_bytes = GIB;
    g.name = "g";
    g.type = "inf1.6xlarge";
    g.max_nodes = 3;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    g.name = "empty";
    g.max_nodes = 0;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 1);
    for (int i = 0; i < 3; i++)
        ck_assert_int_ge(ncg_cluster_add_node(c, NULL, "g", NULL), 0);
    ncg_request_init(&cpu);
    cpu.cpu_milli = 23000;
    ck_assert_int_eq(ncg_cluster_adopt(c, "g-1", NULL, "0-2", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_adopt(c, "g-2", &cpu, "0", NULL, 0, &a, NULL), 0);
    cpu.cpu_milli = 100;
    cpu.memory_bytes = 46 * GIB;
    ck_assert_int_eq(ncg_cluster_adopt(c, "g-3", &cpu, "0", NULL, 0, &a, NULL), 0);
    ck_assert_fails(NCG_E_FULL, "no node can take the replica: node group g: 3 nodes, max_instances 3 reached: 1 "
                    "without a free window of 2 chips, 1 short of CPU, 1 short of memory; node group empty: has no "
                    "nodes, max_instances 0 reached",
                    ncg_cluster_place(c, &r, NULL, 0, &pl, &err));
    r.inf = 0;
    r.neuroncores = 13;
    ck_assert_fails(NCG_E_FULL, "no node can take the replica: node group g: 3 nodes, max_instances 3 reached: 3 "
                    "without 13 contiguous free NeuronCores",
                    ncg_cluster_place(c, &r, (const char *const[]){"g"}, 1, &pl, &err));
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(policy_applies_to_existing_and_later_nodes)
{
    ncg_cluster *c = mixed_cluster(6);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(1, 1);
    char *text;
    ncg_cluster *back;
    ck_assert_int_eq(ncg_cluster_get_policy(c, NULL, NULL), NCG_POLICY_PACK);
    ck_assert_int_eq(ncg_cluster_set_policy(c, "small", NCG_POLICY_FIRST_FIT, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_policy(c, "small", NULL), NCG_POLICY_FIRST_FIT);
    ck_assert_int_eq(ncg_cluster_get_policy(c, "big", NULL), NCG_POLICY_PACK);
    ck_assert_int_eq(ncg_node_get_status(ncg_cluster_node(c, 0), &st, NULL), 0);
    ck_assert_int_eq(st.policy, NCG_POLICY_FIRST_FIT);
    ck_assert_int_eq(ncg_cluster_add_node(c, "later", "small", NULL), 6);
    ck_assert_int_eq(ncg_node_get_status(ncg_cluster_node(c, 6), &st, NULL), 0);
    ck_assert_int_eq(st.policy, NCG_POLICY_FIRST_FIT);
    /* first fit on the node: chip 0 of a chain with chips 1-2 taken goes before the packing choice of chip 3 */
    ck_assert_int_eq(ncg_cluster_adopt(c, "later", NULL, "1-2", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, (const char *const[]){"small"}, 1, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "later");
    ck_assert_int_eq(ncg_node_get_alloc(ncg_cluster_node(c, 6), pl.alloc_id, &a, NULL), 0);
    ck_assert_int_eq(a.first_chip, 0);
    ck_assert_fails(NCG_E_INVALID, "cluster_get_policy: node groups small and big have different policies; "
                    "name one", ncg_cluster_get_policy(c, NULL, &err));
    text = dump_text(c);
    back = ncg_cluster_restore(text, 0, NULL);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(ncg_cluster_get_policy(back, "small", NULL), NCG_POLICY_FIRST_FIT);
    ck_assert_int_eq(ncg_cluster_add_node(back, "later2", "small", NULL), 7);
    ck_assert_int_eq(ncg_node_get_status(ncg_cluster_node(back, 7), &st, NULL), 0);
    ck_assert_int_eq(st.policy, NCG_POLICY_FIRST_FIT);
    ck_assert_int_eq(ncg_cluster_set_policy(back, NULL, NCG_POLICY_FIRST_FIT, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_policy(back, NULL, NULL), NCG_POLICY_FIRST_FIT);
    free(text);
    ncg_cluster_free(back);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(policy_errors_change_nothing)
{
    ncg_cluster *c = mixed_cluster(2);
    char *before = dump_text(c), *after;
    ck_assert_fails(NCG_E_INVALID, "cluster_set_policy: cluster is NULL",
                    ncg_cluster_set_policy(NULL, NULL, NCG_POLICY_PACK, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_set_policy: policy 2 is not a known ncg_policy",
                    ncg_cluster_set_policy(c, NULL, (ncg_policy)2, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "unknown node group \"nope\"",
                    ncg_cluster_set_policy(c, "nope", NCG_POLICY_FIRST_FIT, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_get_policy: cluster is NULL", ncg_cluster_get_policy(NULL, "big", &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "unknown node group \"nope\"", ncg_cluster_get_policy(c, "nope", &err));
    after = dump_text(c);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_cluster_free(c);
    c = ncg_cluster_new(0, NULL);
    ck_assert_int_eq(ncg_cluster_get_policy(c, NULL, NULL), NCG_POLICY_PACK);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(priority_round_trips)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL), *back;
    ncg_nodegroup_spec got = NCG_INIT(ncg_nodegroup_spec);
    char *text, *again;
    add_group(c, cat, "low", "inf1.xlarge", -7);
    add_group(c, cat, "high", "inf1.xlarge", 2147483647);
    text = dump_text(c);
    ck_assert_msg(strstr(text, " -7 0 0 0\nnodegroup high ") != NULL, "%s", text);
    back = ncg_cluster_restore(text, 0, NULL);
    ck_assert_ptr_nonnull(back);
    again = dump_text(back);
    ck_assert_str_eq(text, again);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(back, 1, &got, NULL, NULL), 0);
    ck_assert_int_eq(got.priority, 2147483647);
    free(text);
    free(again);
    ncg_cluster_free(back);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

NCG_SUITE(placement)
{
    Suite *s = suite_create("placement");
    TCase *t = add_tcase(s, "differential");
    tcase_set_timeout(t, 600);
    add_test(t, index_agrees_with_linear_scan);
    t = add_tcase(s, "score");
    add_test(t, whole_chips_take_the_tightest_window_across_nodegroups);
    add_test(t, cpu_only_goes_where_accelerators_are_used_up);
    add_test(t, equal_fits_take_the_fullest_node_then_the_earlier_nodegroup);
    add_test(t, least_free_capacity_beats_a_tighter_window);
    add_test(t, equal_free_capacity_takes_the_tighter_window);
    add_test(t, cpu_only_takes_the_fewest_free_cores_first);
    add_test(t, cpu_only_failure_names_resources);
    add_test(t, nodegroup_order_does_not_decide);
    add_test(t, higher_priority_is_strict);
    add_test(t, failure_names_resources_per_nodegroup);
    t = add_tcase(s, "policy");
    add_test(t, policy_applies_to_existing_and_later_nodes);
    add_test(t, policy_errors_change_nothing);
    add_test(t, priority_round_trips);
    return s;
}
