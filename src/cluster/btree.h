/* SPDX-License-Identifier: Apache-2.0 */
/* The placement index's class trees: B+-trees of entries ordered by a key pair (a, b), each entry with the free
 * CPU and memory of its node and a pointer to it. Inner nodes keep per child its smallest key and its largest CPU
 * and memory, so a search skips whole subtrees that cannot fit a request. A tree of n entries has height
 * O(log n / log 4): an update reads and writes a few contiguous nodes instead of a root-to-leaf path of scattered
 * ones. Tree nodes come from a pool the owner fills beforehand (ncg_bt_reserve), so inserting and erasing never
 * fail. Not installed. */
#ifndef NCG_BTREE_H
#define NCG_BTREE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ncg_bt_node ncg_bt_node;

/* Spare tree nodes for the trees that share it, and the largest height any of them has had. */
typedef struct ncg_bt_pool {
    ncg_bt_node *spare;
    int count;
    int height;
} ncg_bt_pool;

typedef struct ncg_bt_entry {
    int64_t a;                  /* first key */
    uint64_t b;                 /* second key: (a, b) is unique in a tree */
    int64_t cpu, mem;
    void *item;
} ncg_bt_entry;

/* Make sure the pool holds the nodes that `inserts` inserts into its trees may need, and give back to libc what
 * it holds beyond that and a margin. Returns false when out of memory (the pool keeps what it had). */
bool ncg_bt_reserve(ncg_bt_pool *pool, int inserts);
/* Free the pool's spare nodes. */
void ncg_bt_pool_free(ncg_bt_pool *pool);
/* Free every node of a tree (to libc, not the pool). */
void ncg_bt_free(ncg_bt_node *root);

/* Insert an entry whose key is not in the tree; the pool must have been reserved for it. */
void ncg_bt_insert(ncg_bt_node **root, ncg_bt_pool *pool, const ncg_bt_entry *e);
/* Erase the entry with key (a, b), which is in the tree. Freed nodes go to the pool. */
void ncg_bt_erase(ncg_bt_node **root, ncg_bt_pool *pool, int64_t a, uint64_t b);

/* Give the entry with key (a, b), which is in the tree, the key, CPU, memory and item of e in place, when e's key
 * belongs in the same leaf (every level sends both keys to the same child): one descent instead of an erase's and
 * an insert's, no node split or merged. Returns false, changing nothing, when e's key belongs elsewhere (then
 * erase and insert). */
bool ncg_bt_move(ncg_bt_node *root, int64_t a, uint64_t b, const ncg_bt_entry *e);

/* The smallest first key of a tree that is not empty. */
int64_t ncg_bt_min_a(const ncg_bt_node *root);
/* The largest CPU and memory of the entries of a tree that is not empty (from its root alone). */
void ncg_bt_max(const ncg_bt_node *root, int64_t *cpu, int64_t *mem);

/* The item of the first entry in key order with lo <= a <= hi, cpu >= the given CPU and mem >= the given memory,
 * for which accept(item, ctx) holds (accept NULL: every item); NULL if none. */
void *ncg_bt_first_fit(const ncg_bt_node *root, int64_t lo, int64_t hi, int64_t cpu, int64_t mem,
                       bool (*accept)(const void *item, const void *ctx), const void *ctx);

/* Call fn for every entry in key order. */
void ncg_bt_each(const ncg_bt_node *root, void (*fn)(const ncg_bt_entry *e, void *ctx), void *ctx);

/* Check a tree's invariants (order, summaries, fill, equal leaf depths); the number of entries, or -1 when one
 * fails. For the tests. */
long ncg_bt_check(const ncg_bt_node *root);

#endif
