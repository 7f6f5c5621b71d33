/* SPDX-License-Identifier: Apache-2.0 */
/* UltraServers: nodes as servers of one, replicas of 1, 2 or 4 whole servers placed all or none, their
 * NEURON_RT_ULTRASERVER_* env, and a restart through the state text. */
#include "test-common.h"

/* A cluster of trn2u.48xlarge nodes: u1 = a0..a3 (positions 0..3), u2 = b0, b1 (positions 0, 1), and c0 in none. */
static ncg_cluster *us_cluster(ncg_catalog **cat)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    static const char *const a[] = {"a0", "a1", "a2", "a3"};
    *cat = ncg_catalog_new(0, NULL);
    g.name = "us";
    g.type = "trn2u.48xlarge";
    g.max_nodes = 8;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, *cat, &g, NULL), 0);
    for (int p = 0; p < 4; p++) {
        ck_assert_int_eq(ncg_cluster_add_node(c, a[p], "us", NULL), p);
        ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, a[p], "u1", p, NULL), 0);
    }
    ck_assert_int_eq(ncg_cluster_add_node(c, "b0", "us", NULL), 4);
    ck_assert_int_eq(ncg_cluster_add_node(c, "b1", "us", NULL), 5);
    ck_assert_int_eq(ncg_cluster_add_node(c, "c0", "us", NULL), 6);
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "b0", "u2", 0, NULL), 0);
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "b1", "u2", 1, NULL), 0);
    return c;
}

static ncg_request whole_server(void)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = 16;
    return r;
}

START_TEST(membership_is_set_read_and_checked)
{
    ncg_catalog *cat;
    ncg_cluster *c = us_cluster(&cat);
    const char *id = "x";
    int pos = 9;
    ck_assert_int_eq(ncg_cluster_get_node_ultraserver(c, 2, &id, &pos, NULL), 0);
    ck_assert_str_eq(id, "u1");
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(ncg_cluster_get_node_ultraserver(c, 6, &id, &pos, NULL), 0);
    ck_assert_ptr_null(id);
    ck_assert_int_eq(pos, -1);
    ck_assert_fails(NCG_E_EXISTS, "node a1 is at position 1 of UltraServer u1 already",
                    ncg_cluster_set_node_ultraserver(c, "c0", "u1", 1, &err));
    ck_assert_fails(NCG_E_RANGE, "UltraServer position 4 is out of range 0..3",
                    ncg_cluster_set_node_ultraserver(c, "c0", "u3", 4, &err));
    ck_assert_fails(NCG_E_INVALID, "UltraServer id \"a b\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', "
                    "'_' and '-'", ncg_cluster_set_node_ultraserver(c, "c0", "a b", 0, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"zz\" in the cluster",
                    ncg_cluster_set_node_ultraserver(c, "zz", "u1", 0, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_set_node_ultraserver: node is NULL",
                    ncg_cluster_set_node_ultraserver(c, NULL, "u1", 0, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "node index 7 is out of range 0..6",
                    ncg_cluster_get_node_ultraserver(c, 7, &id, &pos, &err));
    /* moving a node: it leaves its place, which another node may take */
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "b1", "u2", 3, NULL), 0);
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "c0", "u2", 1, NULL), 0);
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "c0", NULL, 0, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_node_ultraserver(c, 6, &id, &pos, NULL), 0);
    ck_assert_ptr_null(id);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(replicas_take_whole_servers_of_one_ultraserver)
{
    ncg_catalog *cat;
    ncg_cluster *c = us_cluster(&cat);
    ncg_request r = whole_server();
    ncg_placement pl[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                           NCG_INIT(ncg_placement)};
    ncg_env e = NCG_INIT(ncg_env);
    char *before, *after;

    /* 2 servers: u2 (left with no free server) rather than u1 (left with 2) */
    ck_assert_int_eq(ncg_cluster_place_ultraserver(c, &r, 2, NULL, 0, pl, 4, NULL), 2);
    ck_assert_str_eq(pl[0].node, "b0");
    ck_assert_str_eq(pl[1].node, "b1");
    ck_assert_int_eq(ncg_cluster_get_env(c, "b1", pl[1].alloc_id, 0, &e, NULL), 0);
    ck_assert_str_eq(e.visible_cores, "0-63");
    ck_assert_str_eq(e.logical_nc_config, "2");
    ck_assert_str_eq(e.ultraserver_mode, "2");
    ck_assert_str_eq(e.ultraserver_server_id, "u2");
    ck_assert_str_eq(e.ultraserver_node_id, "1");
    /* 4 servers: u1, in position order */
    ck_assert_int_eq(ncg_cluster_place_ultraserver(c, &r, 4, NULL, 0, pl, 4, NULL), 4);
    for (int p = 0; p < 4; p++) {
        char want[8];
        snprintf(want, sizeof(want), "a%d", p);
        ck_assert_str_eq(pl[p].node, want);
        ck_assert_int_eq(ncg_cluster_get_env(c, want, pl[p].alloc_id, 0, &e, NULL), 0);
        ck_assert_str_eq(e.ultraserver_mode, "1");
        snprintf(want, sizeof(want), "%d", p);
        ck_assert_str_eq(e.ultraserver_node_id, want);
    }
    /* none left: nothing changes, the outputs neither */
    before = dump_text(c);
    ck_assert_fails(NCG_E_FULL, "no UltraServer of the allowed node groups has 4 whole servers free for the replica "
                    "(2 UltraServers, 6 of the 7 nodes in one)", ncg_cluster_place_ultraserver(c, &r, 4, NULL, 0, pl,
                                                                                               4, &err));
    ck_assert_str_eq(pl[0].node, "a0");
    after = dump_text(c);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* an ordinary allocation has no UltraServer env, nor does a node outside one */
    {
        ncg_placement one = NCG_INIT(ncg_placement);
        ck_assert_int_eq(ncg_cluster_place_on(c, "c0", &r, &one, NULL), 0);
        ck_assert_int_eq(ncg_cluster_get_env(c, "c0", one.alloc_id, 0, &e, NULL), 0);
        ck_assert_str_eq(e.ultraserver_mode, "");
        ck_assert_str_eq(e.ultraserver_server_id, "");
    }
    /* a node holding a server stays where it is until it is released */
    ck_assert_fails(NCG_E_INVALID, "node a0 holds a server of a replica of whole servers of its UltraServer: release "
                    "it before the node changes UltraServer", ncg_cluster_set_node_ultraserver(c, "a0", NULL, 0, &err));
    ck_assert_int_eq(ncg_cluster_release(c, "a0", pl[0].alloc_id, NULL), 0);
    ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c, "a0", NULL, 0, NULL), 0);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(pairs_are_positions_0_1_and_2_3)
{
    ncg_catalog *cat;
    ncg_cluster *c = us_cluster(&cat);
    ncg_request r = whole_server();
    ncg_placement pl[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                           NCG_INIT(ncg_placement)};
    ncg_env e = NCG_INIT(ncg_env);
    const char *groups[] = {"us"};
    ck_assert_int_eq(ncg_cluster_remove_node(c, "b0", NULL), 0);
    ck_assert_int_eq(ncg_cluster_place_on(c, "a1", &r, &pl[0], NULL), 0); /* a1 busy: only the pair a2-a3 */
    ck_assert_int_eq(ncg_cluster_place_ultraserver(c, &r, 2, groups, 1, pl, 4, NULL), 2);
    ck_assert_str_eq(pl[0].node, "a2");
    ck_assert_str_eq(pl[1].node, "a3");
    ck_assert_int_eq(ncg_cluster_get_env(c, "a3", pl[1].alloc_id, 0, &e, NULL), 0);
    ck_assert_str_eq(e.ultraserver_node_id, "1");
    /* a0 and b1 are free but in no free pair */
    ck_assert_fails(NCG_E_FULL, "no UltraServer of the allowed node groups has 2 whole servers free for the replica "
                    "(2 UltraServers, 5 of the 6 nodes in one)", ncg_cluster_place_ultraserver(c, &r, 2, groups, 1, pl,
                                                                                               4, &err));
    /* one server: u1's a0 and u2's b1 both leave their UltraServer with none free; the earlier UltraServer wins */
    ck_assert_int_eq(ncg_cluster_place_ultraserver(c, &r, 1, NULL, 0, pl, 1, NULL), 1);
    ck_assert_str_eq(pl[0].node, "a0");
    ck_assert_int_eq(ncg_cluster_get_env(c, "a0", pl[0].alloc_id, 0, &e, NULL), 0);
    ck_assert_str_eq(e.ultraserver_mode, "4");
    ck_assert_str_eq(e.ultraserver_node_id, "0");
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(bad_arguments_change_nothing)
{
    ncg_catalog *cat;
    ncg_cluster *c = us_cluster(&cat);
    ncg_request r = whole_server();
    ncg_placement pl[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                           NCG_INIT(ncg_placement)};
    ncg_env e = NCG_INIT(ncg_env);
    const char *nope[] = {"nope"};
    ck_assert_fails(NCG_E_RANGE, "servers 3 is not 1, 2 or 4 (the sets of an UltraServer)",
                    ncg_cluster_place_ultraserver(c, &r, 3, NULL, 0, pl, 4, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_place_ultraserver: out has room for 1 placements, not 2",
                    ncg_cluster_place_ultraserver(c, &r, 2, NULL, 0, pl, 1, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "no node group \"nope\" in the cluster",
                    ncg_cluster_place_ultraserver(c, &r, 2, nope, 1, pl, 4, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_place_ultraserver: request is NULL",
                    ncg_cluster_place_ultraserver(c, NULL, 2, NULL, 0, pl, 4, &err));
    r.inf = 4;
    ck_assert_fails(NCG_E_INVALID, "a replica of whole servers takes every chip of a server: inf 4 is not the 16 "
                    "chips of trn2u.48xlarge", ncg_cluster_place_ultraserver(c, &r, 2, NULL, 0, pl, 4, &err));
    r.inf = 0;
    r.neuroncores = 8;
    ck_assert_fails(NCG_E_INVALID, "a replica of whole servers asks for inf (every chip of a server), not 0 chips and "
                    "8 NeuronCores", ncg_cluster_place_ultraserver(c, &r, 2, NULL, 0, pl, 4, &err));
    ck_assert_ptr_null(pl[0].node);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"zz\" in the cluster", ncg_cluster_get_env(c, "zz", 1, 0, &e, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 1 on this trn2u.48xlarge node",
                    ncg_cluster_get_env(c, "a0", 1, 0, &e, &err));
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(a_restart_keeps_ultraservers_and_their_replicas)
{
    ncg_catalog *cat;
    ncg_cluster *c = us_cluster(&cat), *back, *copy;
    ncg_request r = whole_server();
    ncg_placement pl[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                           NCG_INIT(ncg_placement)};
    ncg_env e = NCG_INIT(ncg_env);
    char *text, *again;
    ck_assert_int_eq(ncg_cluster_place_ultraserver(c, &r, 2, NULL, 0, pl, 4, NULL), 2);
    text = dump_text(c);
    ck_assert_msg(strstr(text, "\nnode a2 us 0 1 u1 2\nnode a3 ") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "\nnode b1 us 0 2 u2 1\nalloc 1 1 0 64 1 - 200 0 0 0 2\nnode c0 us 0 1\n") != NULL,
                  "%s", text);
    back = ncg_cluster_restore(text, 0, NULL);
    ck_assert_ptr_nonnull(back);
    again = dump_text(back);
    ck_assert_str_eq(again, text);
    free(again);
    ck_assert_int_eq(ncg_cluster_get_env(back, "b1", 1, 0, &e, NULL), 0);
    ck_assert_str_eq(e.ultraserver_server_id, "u2");
    ck_assert_str_eq(e.ultraserver_mode, "2");
    copy = ncg_cluster_clone(back, NULL);
    again = dump_text(copy);
    ck_assert_str_eq(again, text);
    free(again);
    /* the restored cluster places as the original would */
    ck_assert_int_eq(ncg_cluster_place_ultraserver(copy, &r, 4, NULL, 0, pl, 4, NULL), 4);
    ck_assert_str_eq(pl[3].node, "a3");
    /* a SERVERS field of 3 is refused */
    {
        ncg_error err = {0};
        char *bad = malloc(strlen(text) + 8), *at;
        strcpy(bad, text);
        at = strstr(bad, " 0 0 0 2\n");
        at[7] = '3';
        ck_assert_ptr_null(ncg_cluster_restore(bad, 0, &err));
        ck_assert_int_eq(err.code, NCG_E_PARSE);
        ck_assert_msg(strstr(err.message, ": bad alloc SERVERS: 1, 2 or 4, on a node of an UltraServer") != NULL,
                      "%s", err.message);
        free(bad);
    }
    free(text);
    ncg_cluster_free(copy);
    ncg_cluster_free(back);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

NCG_SUITE(ultraserver)
{
    Suite *s = suite_create("ultraserver");
    TCase *t = add_tcase(s, "ultraserver");
    add_test(t, membership_is_set_read_and_checked);
    add_test(t, replicas_take_whole_servers_of_one_ultraserver);
    add_test(t, pairs_are_positions_0_1_and_2_3);
    add_test(t, bad_arguments_change_nothing);
    add_test(t, a_restart_keeps_ultraservers_and_their_replicas);
    return s;
}
