/* SPDX-License-Identifier: Apache-2.0 */
/* `ncg plan -o cortex-cluster` on a cluster file: the input document with only the min_instances and max_instances
 * of the node groups the plans use changed. Every other key stays, in order and in its style; libyaml's document
 * model has no comments, so those of the input are lost, which the header says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cli.h"

/* Set key of the mapping map_id to the integer value, adding the pair at the end when the key is absent. Node ids,
 * not pointers, since adding a node may move the document's node array. -1 out of memory. */
static int set_int(yaml_document_t *doc, int map_id, const char *key, int value)
{
    yaml_node_t *map = yaml_document_get_node(doc, map_id);
    char text[16];
    int k, v;
    snprintf(text, sizeof(text), "%d", value);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        if (!kn || kn->type != YAML_SCALAR_NODE || strcmp((const char *)kn->data.scalar.value, key) != 0)
            continue;
        if (vn && vn->type == YAML_SCALAR_NODE) {
            char *copy = strdup(text);
            if (!copy)
                return -1;
            free(vn->data.scalar.value); /* libyaml's allocator is malloc */
            vn->data.scalar.value = (yaml_char_t *)copy;
            vn->data.scalar.length = strlen(copy);
            vn->data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
            return 0;
        }
        v = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text, -1, YAML_PLAIN_SCALAR_STYLE);
        if (!v)
            return -1;
        yaml_document_get_node(doc, map_id)->data.mapping.pairs.start[p - map->data.mapping.pairs.start].value = v;
        return 0;
    }
    k = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)key, -1, YAML_PLAIN_SCALAR_STYLE);
    v = k ? yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text, -1, YAML_PLAIN_SCALAR_STYLE) : 0;
    return v && yaml_document_append_mapping_pair(doc, map_id, k, v) ? 0 : -1;
}

static yaml_node_t *get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        if (kn && kn->type == YAML_SCALAR_NODE && strcmp((const char *)kn->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

int cli_write_cluster_file(FILE *out, const char *text, int groups, const int *min, const int *max)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_emitter_t emitter;
    yaml_node_t *root, *list;
    int *ids = malloc(((size_t)groups + 1) * sizeof(*ids)), n = 0, ok;
    if (!ids || !yaml_parser_initialize(&parser)) {
        free(ids);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    ok = yaml_parser_load(&parser, &doc);
    yaml_parser_delete(&parser);
    if (!ok) {
        free(ids);
        return -1;
    }
    /* the node groups in the reader's order: the node_groups list, or the root itself (Cortex before 0.34) */
    root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE && (list = get(&doc, root, "node_groups")) &&
        list->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
            yaml_node_t *g = yaml_document_get_node(&doc, *it);
            if (g && g->type == YAML_MAPPING_NODE && n++ < groups)
                ids[n - 1] = *it;
        }
    } else if (root && root->type == YAML_MAPPING_NODE) {
        if (n++ < groups)
            ids[0] = 1; /* the root is node 1 */
    }
    ok = n == groups;
    for (int g = 0; ok && g < groups; g++)
        if (min[g] || max[g])
            ok = set_int(&doc, ids[g], "min_instances", min[g]) == 0 &&
                 set_int(&doc, ids[g], "max_instances", max[g]) == 0;
    free(ids);
    if (!ok || !yaml_emitter_initialize(&emitter)) {
        yaml_document_delete(&doc);
        return -1;
    }
    yaml_emitter_set_output_file(&emitter, out);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, 120);
    ok = yaml_emitter_open(&emitter) && yaml_emitter_dump(&emitter, &doc) && yaml_emitter_close(&emitter);
    yaml_emitter_delete(&emitter); /* yaml_emitter_dump deleted the document */
    return ok ? 0 : -1;
}
