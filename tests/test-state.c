/* SPDX-License-Identifier: Apache-2.0 */
/* The cluster state text (doc/state-format.md, "ncg-cluster 2"): dump, restore, round trips, the buffer rule,
 * 64-bit ids, long names, locale-independent prices, and refusal of malformed text with a line number. */
#include <locale.h>

#include "test-common.h"

/* Node groups "small" (inf1.6xlarge) and "big" (inf1.24xlarge at 1.5 USD/h), nodes alternating small-N/big-N. */
static ncg_cluster *make_cluster(int nodes)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec small = NCG_INIT(ncg_nodegroup_spec), big = NCG_INIT(ncg_nodegroup_spec);
    small.name = "small";
    small.type = "inf1.6xlarge";
    small.max_nodes = 100;
    big.name = "big";
    big.type = "inf1.24xlarge";
    big.max_nodes = 100;
    big.has_price = 1;
    big.usd_per_hour = 1.5;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &small, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &big, NULL), 1);
    for (int i = 0; i < nodes; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, NULL, i % 2 ? "big" : "small", NULL), i);
    ncg_catalog_free(cat);
    return c;
}

/* Node group "g" of inf1.xlarge (1 chip) with a price override (has_price 0: none), no nodes. */
static ncg_cluster *single_chip_cluster(int has_price, double price)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "g";
    g.type = "inf1.xlarge";
    g.max_nodes = 10;
    g.has_price = has_price;
    g.usd_per_hour = price;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    ncg_catalog_free(cat);
    return c;
}

/* text with the first occurrence of `from` replaced by `to` (malloc'd); `from` must occur. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t head, n;
    char *s;
    ck_assert_msg(at != NULL, "\"%s\" is not in the text:\n%s", from, text);
    head = (size_t)(at - text);
    n = strlen(text) - strlen(from) + strlen(to);
    s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, text, head);
    strcpy(s + head, to);
    strcat(s, at + strlen(from));
    return s;
}

/* Restore, dump again, and compare with the text. Returns the restored cluster. */
static ncg_cluster *restore_same(const char *text)
{
    ncg_error err = {0};
    ncg_cluster *back = ncg_cluster_restore(text, 0, &err);
    char *again;
    ck_assert_msg(back != NULL, "restore failed: %s", err.message);
    again = dump_text(back);
    ck_assert_str_eq(again, text);
    free(again);
    return back;
}

START_TEST(dump_of_empty_cluster)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    char *text = dump_text(c);
    ck_assert_str_eq(text, "ncg-cluster 2\nend\n");
    free(text);
    ncg_cluster_free(c);
}
END_TEST

/* The example of doc/state-format.md, byte for byte. */
START_TEST(dump_matches_documented_example)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(2, 4);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    char *text;
    g.name = "inf";
    g.type = "inf1.6xlarge";
    g.max_nodes = 10;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, "inf", NULL), 0);
    m.name = "resnet50";
    m.bytes = GIB;
    m.compiled_cores = 2;
    m.static_weights = 1;
    r.cpu_milli = 3000;
    r.memory_bytes = 4 * GIB;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_int_eq(ncg_cluster_adopt(c, "inf-1", NULL, "3", NULL, 0, &a, NULL), 0);
    text = dump_text(c);
    ck_assert_str_eq(text, "ncg-cluster 2\n"
                           "nodegroup inf 0 10 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 1.18 23190 "
                           "50281316352 402653184 0 0 0 0\n"
                           "node inf-1 inf 0 3\n"
                           "alloc 1 1 0 8 4 - 3000 4294967296 0 1\n"
                           "model 1073741824 2 1 resnet50\n"
                           "alloc 2 1 12 4 1 - 0 0 0 0\n"
                           "end\n");
    free(text);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(dump_writes_override_and_type_prices)
{
    ncg_cluster *c = make_cluster(0);
    char *text = dump_text(c);
    ck_assert_msg(strstr(text, "\nnodegroup big 0 100 1.5 inf1.24xlarge ") != NULL, "%s", text);
    ck_assert_msg(strstr(text, " 4.721 ") != NULL, "%s", text);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(dump_small_buffer_returns_length_untouched)
{
    ncg_cluster *c = make_cluster(2);
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *buf = malloc((size_t)n + 8);
    ck_assert_int_gt(n, 0);
    fill_sentinel(buf, (size_t)n + 8);
    ck_assert_int_eq(ncg_cluster_dump(c, buf, (size_t)n / 2, NULL), n);
    ck_assert_untouched(buf, (size_t)n + 8);
    free(buf);
    ncg_cluster_free(c);
}
END_TEST

/* length < size: room for the text but not its NUL leaves the buffer untouched; one byte more writes it all. */
START_TEST(dump_needs_room_for_the_nul)
{
    ncg_cluster *c = make_cluster(2);
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *buf = malloc((size_t)n + 8);
    fill_sentinel(buf, (size_t)n + 8);
    ck_assert_int_eq(ncg_cluster_dump(c, buf, (size_t)n, NULL), n);
    ck_assert_untouched(buf, (size_t)n + 8);
    ck_assert_int_eq(ncg_cluster_dump(c, buf, (size_t)n + 1, NULL), n);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
    ck_assert_untouched(buf + n + 1, 7);
    free(buf);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(dump_rejects_null_buffer_with_size)
{
    ncg_cluster *c = make_cluster(0);
    ck_assert_fails(NCG_E_INVALID, "cluster_dump: buf is NULL but size is 8", ncg_cluster_dump(c, NULL, 8, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(dump_rejects_null_cluster)
{
    ck_assert_fails(NCG_E_INVALID, "cluster is NULL", ncg_cluster_dump(NULL, NULL, 0, &err));
}
END_TEST

/* Adopted NCGs of unequal sizes, whole-chip and CPU-only allocations, a model name needing escapes, a released
 * allocation: restoring gives a cluster that dumps identically. */
START_TEST(restore_round_trips_a_busy_cluster)
{
    ncg_cluster *c = make_cluster(4), *back;
    ncg_model m = NCG_INIT(ncg_model);
    const char *cores[] = {"12-14", "15"};
    ncg_request r = chips_request(1, 4), cpu = chips_request(0, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    char *text;
    m.name = "res net%50";
    m.bytes = GIB;
    m.compiled_cores = 1;
    m.static_weights = 1;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_cluster_adopt(c, "small-2", NULL, "3", cores, 2, &a, NULL), 0);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &cpu, NULL, 0, &pl, NULL), 0);
    ck_assert_int_eq(ncg_cluster_release(c, "small-1", 1, NULL), 0);
    text = dump_text(c);
    ck_assert_msg(strstr(text, "\nalloc 1 1 12 4 2 3,1 0 0 0 0\n") != NULL, "%s", text);
    ck_assert_msg(strstr(text, " res%20net%2550\n") != NULL, "%s", text);
    back = restore_same(text);
    ck_assert_int_eq(ncg_cluster_node_count(back), 4);
    free(text);
    ncg_cluster_free(back);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(restore_accepts_empty_cluster)
{
    ncg_cluster *c = ncg_cluster_restore("ncg-cluster 2\nend\n", 0, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ncg_cluster_nodegroup_count(c), 0);
    ck_assert_int_eq(ncg_cluster_node_count(c), 0);
    ncg_cluster_free(c);
}
END_TEST

/* 1.x dumps are not read. */
START_TEST(restore_rejects_version_1)
{
    ck_assert_fails_null(NCG_E_PARSE, "cluster state line 1: expected the header \"ncg-cluster 2\"",
                         ncg_cluster_restore("ncg-cluster 1\nend\n", 0, &err));
}
END_TEST

START_TEST(restore_rejects_node_of_unknown_nodegroup)
{
    ck_assert_fails_null(NCG_E_PARSE,
                         "cluster state line 2: expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a "
                         "known node group",
                         ncg_cluster_restore("ncg-cluster 2\nnode x small 0 1\nend\n", 0, &err));
}
END_TEST

START_TEST(restore_rejects_unknown_flags)
{
    ck_assert_fails_null(NCG_E_INVALID, "cluster_restore: flags 0x1 has unknown bits",
                         ncg_cluster_restore("ncg-cluster 2\nend\n", 1, &err));
}
END_TEST

START_TEST(restore_rejects_null_text)
{
    ck_assert_fails_null(NCG_E_INVALID, "cluster state text is NULL", ncg_cluster_restore(NULL, 0, &err));
}
END_TEST

/* Malformed state texts, built from a valid dump of node group g (inf1.xlarge) so that each breaks one rule. */
static const struct {
    const char *what;
    const char *from, *to; /* replace in the valid text; from NULL: `to` is the whole text */
    int code;
    const char *message;
} garbage[] = {
    {"empty text", NULL, "", NCG_E_PARSE, "cluster state line 1: expected the header \"ncg-cluster 2\""},
    {"header only", NULL, "ncg-cluster 2\n", NCG_E_PARSE, "cluster state line 1: missing \"end\""},
    {"binary bytes", NULL, "ncg-cluster 2\n\x01\x02\xff\n", NCG_E_PARSE, "cluster state line 2: unknown record"},
    {"header with a trailing space", "ncg-cluster 2\n", "ncg-cluster 2 \n", NCG_E_PARSE,
     "cluster state line 1: expected the header \"ncg-cluster 2\""},
    {"text after end", "end\n", "end\nend\n", NCG_E_PARSE, "cluster state line 7: text after \"end\""},
    {"no end", "end\n", "", NCG_E_PARSE, "cluster state line 5: missing \"end\""},
    {"alloc before any node", "node n g 0 2\n", "", NCG_E_PARSE,
     "cluster state line 3: an alloc line comes after its node line"},
    {"NEXT_ID not above the ids", "node n g 0 2\n", "node n g 0 1\n", NCG_E_PARSE,
     "cluster state line 4: alloc id is not below the node's NEXT_ID"},
    {"NEXT_ID 0", "node n g 0 2\n", "node n g 0 0\n", NCG_E_PARSE,
     "cluster state line 3: expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a known "
     "node group"},
    {"unknown policy", "node n g 0 2\n", "node n g 2 2\n", NCG_E_PARSE,
     "cluster state line 3: expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a known "
     "node group"},
    {"model line missing", "model 0 0 0 m\n", "", NCG_E_PARSE,
     "cluster state line 5: expected a model line: model BYTES COMPILED_CORES STATIC NAME"},
    {"malformed model line", "model 0 0 0 m\n", "model x\n", NCG_E_PARSE,
     "cluster state line 5: expected a model line: model BYTES COMPILED_CORES STATIC NAME"},
    {"cores past the chip", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 1 4 4 1 - 200 0 0 1\n", NCG_E_PARSE,
     "cluster state line 4: alloc cores out of range for the node's type"},
    {"alloc with 10 fields", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 1 0 4 1 - 200 0 0\n", NCG_E_PARSE,
     "cluster state line 4: an alloc line has 11 fields"},
    {"ids not increasing", "model 0 0 0 m\n", "model 0 0 0 m\nalloc 1 0 -1 0 1 - 0 0 0 0\n", NCG_E_PARSE,
     "cluster state line 6: alloc ids must increase within a node"},
    {"overlapping allocations", "node n g 0 2\nalloc 1 1 0 4 1 - 200 0 0 1\nmodel 0 0 0 m\n",
     "node n g 0 3\nalloc 1 1 0 4 1 - 200 0 0 1\nmodel 0 0 0 m\nalloc 2 1 0 4 1 - 0 0 0 0\n", NCG_E_OVERLAP, NULL},
    {"duplicate node", "end\n", "node n g 0 1\nend\n", NCG_E_PARSE, "cluster state line 6: node n exists already"},
    {"invalid node name", "node n g 0 2\n", "node n! g 0 2\n", NCG_E_PARSE,
     "cluster state line 3: node name \"n!\" is not valid: 1 to 253 characters of A-Z, a-z, 0-9, '.', '_' and '-'"},
    {"nodegroup after a node", "end\n", "nodegroup h 0 1 - inf1.xlarge\nend\n", NCG_E_PARSE,
     "cluster state line 6: nodegroup lines come before node lines"},
    {"1.x group line", "nodegroup g ", "group g ", NCG_E_PARSE, "cluster state line 2: unknown record"},
    {"negative price", "nodegroup g 0 10 - ", "nodegroup g 0 10 -1 ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup MIN, MAX or PRICE"},
    {"price with a comma", "nodegroup g 0 10 - ", "nodegroup g 0 10 1,5 ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup MIN, MAX or PRICE"},
    {"price inf", "nodegroup g 0 10 - ", "nodegroup g 0 10 inf ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup MIN, MAX or PRICE"},
    {"truncated alloc line", "alloc 1 1 0 4 1 - 200 0 0 1\nmodel 0 0 0 m\nend\n", "alloc 1 1 0", NCG_E_PARSE,
     "cluster state line 4: an alloc line has 11 fields"},
    {"nodegroup line with 19 fields", "nodegroup g 0 10 - inf1.xlarge ", "nodegroup g 0 10 - ", NCG_E_PARSE,
     "cluster state line 2: a nodegroup line has 24 fields"},
    {"nodegroup policy 2", " 0 0 0 0\nnode n ", " 0 2 0 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup PRIORITY or POLICY"},
    {"nodegroup priority not a number", " 0 0 0 0\nnode n ", " x 0 0 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup PRIORITY or POLICY"},
    {"nodegroup priority past int", " 0 0 0 0\nnode n ", " 2147483648 0 0 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup PRIORITY or POLICY"},
    {"nodegroup line with 21 fields", " 0 0 0 0\nnode n ", " 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: a nodegroup line has 24 fields"},
    {"nodegroup line with 23 fields", " 0 0 0 0\nnode n ", " 0 0 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: a nodegroup line has 24 fields"},
    {"nodegroup lnc 3", " 0 0 0 0\nnode n ", " 0 0 3 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup LNC or HBM_BANKS"},
    {"nodegroup hbm banks negative", " 0 0 0 0\nnode n ", " 0 0 0 -1\nnode n ", NCG_E_PARSE,
     "cluster state line 2: bad nodegroup LNC or HBM_BANKS"},
    {"lnc on a type without physical cores", " 0 0 0 0\nnode n ", " 0 0 2 0\nnode n ", NCG_E_PARSE,
     "cluster state line 2: type inf1.xlarge: lnc 2 needs physical_cores_per_chip = cores_per_chip x lnc = 8, "
     "not 4"},
    {"type name of 64 characters", "inf1.xlarge 1 ",
     "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt 1 ", NCG_E_PARSE,
     "cluster state line 2: instance type name is longer than 63 characters"},
    {"accelerator 7", "inf1.xlarge 1 ", "inf1.xlarge 7 ", NCG_E_PARSE,
     "cluster state line 2: bad instance type field in nodegroup line"},
    {"inferentia type without chips", "inf1.xlarge 1 1 ", "inf1.xlarge 1 0 ", NCG_E_PARSE,
     "cluster state line 2: type inf1.xlarge: chips 0 is out of range 1..64"},
    {"duplicate nodegroup", NULL, "NODEGROUP_AGAIN", NCG_E_PARSE,
     "cluster state line 3: node group g exists already"},
    {"alloc id 0", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 0 1 0 4 1 - 200 0 0 1\n", NCG_E_PARSE,
     "cluster state line 4: bad alloc field"},
    {"CPU-only alloc marked whole", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 1 -1 0 1 - 200 0 0 1\n",
     NCG_E_PARSE, "cluster state line 4: an alloc without cores has WHOLE 0 and FIRST_CORE -1"},
    {"SIZES listing too few NCGs", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 0 0 4 2 4 200 0 0 1\n", NCG_E_PARSE,
     "cluster state line 4: alloc SIZES must list PPR sizes"},
    {"SIZES not adding up", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 0 0 4 2 1,2 200 0 0 1\n", NCG_E_PARSE,
     "cluster state line 4: alloc SIZES must add up to CORE_COUNT"},
    {"CORE_COUNT not a multiple of PPR", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 0 0 3 2 - 200 0 0 1\n",
     NCG_E_PARSE, "cluster state line 4: alloc CORE_COUNT must be a multiple of PPR"},
    {"whole chips off the chip boundary", "alloc 1 1 0 4 1 - 200 0 0 1\n", "alloc 1 1 1 3 1 - 200 0 0 1\n",
     NCG_E_PARSE, "cluster state line 4: a whole-chip alloc covers whole chips"},
    {"model name with a bad escape", "model 0 0 0 m\n", "model 0 0 0 m%4\n", NCG_E_PARSE,
     "cluster state line 5: expected a model line: model BYTES COMPILED_CORES STATIC NAME"},
};

static char *valid_text(void)
{
    ncg_cluster *c = single_chip_cluster(0, 0);
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    char *text;
    m.name = "m";
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_cluster_add_node(c, "n", "g", NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    text = dump_text(c);
    ncg_cluster_free(c);
    return text;
}

/* The valid text the garbage rows start from: lines 1-6. */
START_TEST(garbage_base_text_is_as_expected)
{
    char *text = valid_text(), *ng = strchr(text, '\n') + 1;
    ck_assert_msg(strncmp(ng, "nodegroup g 0 10 - inf1.xlarge ", 31) == 0, "%s", text);
    ck_assert_str_eq(strchr(ng, '\n') + 1, "node n g 0 2\nalloc 1 1 0 4 1 - 200 0 0 1\nmodel 0 0 0 m\nend\n");
    free(text);
}
END_TEST

/* Row _i: the text is refused with a line number, and the code and message the row names. */
START_TEST(restore_rejects_garbage_row)
{
    char *base = valid_text(), *text;
    if (garbage[_i].to && strcmp(garbage[_i].to, "NODEGROUP_AGAIN") == 0) {
        /* the nodegroup line (line 2) twice */
        char *ng = strchr(base, '\n') + 1, *end = strchr(ng, '\n') + 1, line[1024];
        size_t len = (size_t)(end - ng);
        ck_assert_uint_lt(len, sizeof(line));
        memcpy(line, ng, len);
        line[len] = '\0';
        {
            char *twice = malloc(strlen(line) * 2 + 1);
            strcpy(twice, line);
            strcat(twice, line);
            text = replaced(base, line, twice);
            free(twice);
        }
    } else {
        text = garbage[_i].from ? replaced(base, garbage[_i].from, garbage[_i].to) : strdup(garbage[_i].to);
    }
    ncg_error err = {0};
    ck_assert_msg(ncg_cluster_restore(text, 0, &err) == NULL, "%s: restored", garbage[_i].what);
    ck_assert_msg(err.code == garbage[_i].code, "%s: code %d, expected %d (%s)", garbage[_i].what, err.code,
                  garbage[_i].code, err.message);
    if (garbage[_i].message)
        ck_assert_msg(strcmp(err.message, garbage[_i].message) == 0, "%s: message \"%s\", expected \"%s\"",
                      garbage[_i].what, err.message, garbage[_i].message);
    else
        ck_assert_msg(strncmp(err.message, "cluster state line ", 19) == 0, "%s: %s", garbage[_i].what,
                      err.message);
    free(text);
    free(base);
}
END_TEST

START_TEST(restore_accepts_the_garbage_base_text)
{
    char *text = valid_text();
    ncg_cluster *c = restore_same(text);
    ncg_cluster_free(c);
    free(text);
}
END_TEST

/* Ids are 64-bit: a node whose next id is 2^40 hands out 2^40, which dumps and restores as such. */
START_TEST(ids_beyond_32_bits_round_trip)
{
    char *base = valid_text(), *text = replaced(base, "node n g 0 2\n", "node n g 0 1099511627776\n"), *after;
    ncg_cluster *c = restore_same(text);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(0, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    const ncg_node *n = NULL;
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_uint_eq(pl.alloc_id, UINT64_C(1099511627776));
    ncg_cluster_get_node(c, 0, &n, NULL, NULL, NULL);
    ck_assert_int_eq(ncg_node_get_alloc(n, UINT64_C(1099511627776), &a, NULL), 0);
    ck_assert_int_eq(ncg_node_get_alloc(n, 0, &a, NULL), NCG_E_NOT_FOUND);
    after = dump_text(c);
    ck_assert_msg(strstr(after, "\nnode n g 0 1099511627777\n") != NULL, "%s", after);
    ck_assert_msg(strstr(after, "\nalloc 1099511627776 0 -1 0 1 - 200 0 0 0\n") != NULL, "%s", after);
    ncg_cluster_free(restore_same(after));
    ck_assert_int_eq(ncg_cluster_release(c, "n", UINT64_C(1099511627776), NULL), 0);
    free(after);
    free(base);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(largest_next_id_round_trips)
{
    char *base = valid_text(), *text = replaced(base, "node n g 0 2\n", "node n g 0 18446744073709551615\n");
    ncg_cluster *c = restore_same(text);
    ncg_cluster_free(c);
    free(base);
    free(text);
}
END_TEST

START_TEST(next_id_past_64_bits_is_refused)
{
    char *base = valid_text(), *text = replaced(base, "node n g 0 2\n", "node n g 0 18446744073709551616\n");
    ck_assert_fails_null(NCG_E_PARSE,
                         "cluster state line 3: expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a known node group",
                         ncg_cluster_restore(text, 0, &err));
    free(base);
    free(text);
}
END_TEST

/* Model names of any length (here 300 bytes, beyond 1.x's 255) dump in full and restore. */
START_TEST(long_model_name_round_trips)
{
    ncg_cluster *c = single_chip_cluster(0, 0), *back;
    char name[301], *text;
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    for (int i = 0; i < 300; i++)
        name[i] = (char)('A' + i % 26);
    name[300] = '\0';
    m.name = name;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_cluster_add_node(c, "n", "g", NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    text = dump_text(c);
    ck_assert_msg(strstr(text, name) != NULL, "%s", text);
    back = restore_same(text);
    ncg_cluster_free(back);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(model_name_dash_and_empty_round_trip)
{
    ncg_cluster *c = single_chip_cluster(0, 0), *back;
    ncg_model m[3] = {NCG_INIT(ncg_model), NCG_INIT(ncg_model), NCG_INIT(ncg_model)};
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    char *text;
    m[0].name = "-";
    m[1].name = "";
    m[2].name = NULL;
    r.models = m;
    r.model_count = 3;
    ck_assert_int_eq(ncg_cluster_add_node(c, "n", "g", NULL), 0);
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    text = dump_text(c);
    ck_assert_msg(strstr(text, "model 0 0 0 %2D\nmodel 0 0 0 -\nmodel 0 0 0 -\n") != NULL, "%s", text);
    back = restore_same(text);
    ncg_cluster_free(back);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(node_name_of_253_characters_round_trips)
{
    ncg_cluster *c = single_chip_cluster(0, 0), *back;
    char name[NCG_NODE_NAME_MAX + 1], *text;
    for (int i = 0; i < NCG_NODE_NAME_MAX; i++)
        name[i] = "node-1.example_"[i % 15];
    name[NCG_NODE_NAME_MAX] = '\0';
    ck_assert_int_eq(ncg_cluster_add_node(c, name, "g", NULL), 0);
    text = dump_text(c);
    back = restore_same(text);
    ck_assert_int_eq(ncg_cluster_find_node(back, name, NULL), 0);
    ncg_cluster_free(back);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(node_name_of_254_characters_is_refused)
{
    char name[NCG_NODE_NAME_MAX + 2], line[NCG_NODE_NAME_MAX + 32];
    char *base = valid_text(), *text;
    ncg_error err = {0};
    memset(name, 'n', NCG_NODE_NAME_MAX + 1);
    name[NCG_NODE_NAME_MAX + 1] = '\0';
    snprintf(line, sizeof(line), "node %s g 0 2\n", name);
    text = replaced(base, "node n g 0 2\n", line);
    ck_assert_ptr_null(ncg_cluster_restore(text, 0, &err));
    ck_assert_int_eq(err.code, NCG_E_PARSE);
    ck_assert_msg(strncmp(err.message, "cluster state line 3: ", 22) == 0, "%s", err.message);
    free(text);
    free(base);
}
END_TEST

/* Prices are the shortest decimal that reads back to the same double. */
static const struct {
    double price;
    const char *text;
} prices[] = {{1.18, " 1.18 "}, {0.1, " 0.1 "}, {2, " 2 "}, {0.00001, " 1e-05 "}, {0.055, " 0.055 "},
              {1.0 / 3, " 0.3333333333333333 "}, {0, " 0 "}};

START_TEST(price_is_written_shortest)
{
    ncg_cluster *c = single_chip_cluster(1, prices[_i].price), *back;
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    char *text = dump_text(c), want[64];
    snprintf(want, sizeof(want), "\nnodegroup g 0 10%s", prices[_i].text);
    ck_assert_msg(strstr(text, want) != NULL, "no \"%s\" in:\n%s", want, text);
    back = restore_same(text);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(back, 0, &g, NULL, NULL), 0);
    ck_assert_msg(g.usd_per_hour == prices[_i].price, "read back %.17g, wrote %.17g", g.usd_per_hour,
                  prices[_i].price);
    ncg_cluster_free(back);
    free(text);
    ncg_cluster_free(c);
}
END_TEST

/* A locale whose decimal point is ','. tests/meson.build builds de_DE.UTF-8 into LOCPATH and names it in
 * NCG_TEST_LOCALE when it can; otherwise a few common names are tried. NULL when none is available. */
static const char *comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE", "fr_FR"};
    const char *forced = getenv("NCG_TEST_LOCALE");
    if (forced) {
        ck_assert_msg(setlocale(LC_NUMERIC, forced) != NULL, "NCG_TEST_LOCALE=%s cannot be set", forced);
        ck_assert_str_eq(localeconv()->decimal_point, ",");
        return forced;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (setlocale(LC_NUMERIC, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            return names[i];
    setlocale(LC_NUMERIC, "C");
    return NULL;
}

/* Dumped under a ',' locale: the same bytes as under "C", which restore under either to the same cluster. */
START_TEST(dump_and_restore_ignore_the_locale)
{
    ncg_cluster *c = make_cluster(2), *back;
    char *plain = dump_text(c), *local;
    const char *name = comma_locale();
    if (!name)
        fprintf(stderr, "dump_and_restore_ignore_the_locale: no locale with a ',' decimal point; checked under C\n");
    local = dump_text(c);
    ck_assert_str_eq(local, plain);
    ck_assert_msg(strstr(local, " 1.18 ") != NULL && strstr(local, " 1.5 ") != NULL, "%s", local);
    back = restore_same(plain);
    setlocale(LC_NUMERIC, "C");
    ncg_cluster_free(back);
    back = restore_same(local);
    ncg_cluster_free(back);
    free(plain);
    free(local);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(restored_cluster_can_be_cloned)
{
    char *text = valid_text();
    ncg_cluster *c = restore_same(text), *copy = ncg_cluster_clone(c, NULL);
    ncg_cluster_free(c);
    c = restore_same(text);
    ck_assert_same_dump(c, copy);
    ncg_cluster_free(copy);
    ncg_cluster_free(c);
    free(text);
}
END_TEST

/* A whole-chip allocation of 3 chips at chip 1 is no window of a 4x4 torus: restore refuses it (issue 13). */
START_TEST(restore_rejects_a_torus_window_that_is_not_one)
{
    const char *text = "ncg-cluster 2\n"
                       "nodegroup t 0 10 - trn1.32xlarge 2 16 2 0 34359738368 0 128000 549755813888 0 3 21.5 127190 "
                       "548576165888 201326592\n"
                       "node n t 0 2\n"
                       "alloc 1 1 2 6 1 - 0 0 0 0\n"
                       "end\n";
    ncg_error err = {0};
    ck_assert_ptr_null(ncg_cluster_restore(text, 0, &err));
    ck_assert_int_eq(err.code, NCG_E_PARSE);
    ck_assert_str_eq(err.message, "cluster state line 4: a whole-chip alloc is not a valid window of the node's "
                                  "topology");
}
END_TEST

/* Overlapping allocations in a dump: the message names the chips of the second one as a device list. */
START_TEST(restore_names_overlapping_devices)
{
    const char *text = "ncg-cluster 2\n"
                       "nodegroup g 0 3 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 1.18 23190 "
                       "50281316352 402653184 0 0\n"
                       "node a g 0 3\nalloc 1 1 0 8 1 - 200 0 0 0\nalloc 2 1 4 4 1 - 200 0 0 0\nend\n";
    ck_assert_fails_null(NCG_E_OVERLAP, "cluster state line 5: chip 1 overlaps chips in use on inf1.6xlarge",
                         ncg_cluster_restore(text, 0, &err));
}
END_TEST

NCG_SUITE(state)
{
    Suite *s = suite_create("state");
    TCase *t = add_tcase(s, "dump");
    add_test(t, dump_of_empty_cluster);
    add_test(t, restore_rejects_a_torus_window_that_is_not_one);
    add_test(t, dump_matches_documented_example);
    add_test(t, dump_writes_override_and_type_prices);
    add_test(t, dump_small_buffer_returns_length_untouched);
    add_test(t, dump_needs_room_for_the_nul);
    add_test(t, dump_rejects_null_buffer_with_size);
    add_test(t, dump_rejects_null_cluster);
    t = add_tcase(s, "restore");
    add_test(t, restore_names_overlapping_devices);
    add_test(t, restore_round_trips_a_busy_cluster);
    add_test(t, restore_accepts_empty_cluster);
    add_test(t, restore_rejects_version_1);
    add_test(t, restore_rejects_node_of_unknown_nodegroup);
    add_test(t, restore_rejects_unknown_flags);
    add_test(t, restore_rejects_null_text);
    add_test(t, garbage_base_text_is_as_expected);
    add_test(t, restore_accepts_the_garbage_base_text);
    add_loop_test(t, restore_rejects_garbage_row, 0, (int)ARRAY_SIZE(garbage));
    add_test(t, restored_cluster_can_be_cloned);
    t = add_tcase(s, "ids-and-names");
    add_test(t, ids_beyond_32_bits_round_trip);
    add_test(t, largest_next_id_round_trips);
    add_test(t, next_id_past_64_bits_is_refused);
    add_test(t, long_model_name_round_trips);
    add_test(t, model_name_dash_and_empty_round_trip);
    add_test(t, node_name_of_253_characters_round_trips);
    add_test(t, node_name_of_254_characters_is_refused);
    t = add_tcase(s, "numbers");
    add_loop_test(t, price_is_written_shortest, 0, (int)ARRAY_SIZE(prices));
    add_test(t, dump_and_restore_ignore_the_locale);
    return s;
}
