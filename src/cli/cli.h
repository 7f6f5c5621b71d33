/* SPDX-License-Identifier: Apache-2.0 */
/* Shared declarations of the ncg tool. */
#ifndef NCG_CLI_H
#define NCG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>
#include <ncg.h>

#include <ncg-cortex.h>

/* The built-in catalog of a region (NULL: us-east-1) with the override file applied (path may be NULL); NULL
 * after printing the errors. */
ncg_catalog *cli_catalog(const char *path, const char *region);
/* The end of an unknown-type message: the region, the nearest name, where to find and add types. */
void cli_type_hint(const ncg_catalog *catalog, const char *name, char *buf, size_t size);
/* Read a whole file ("-": standard input) into memory, at most the reader's size limit plus one byte; NULL with
 * the error printed on failure. */
char *cli_slurp(const char *path);
/* Load a file ("-": standard input, named <stdin>) into the reader with the loader given. -1 out of memory. */
int cli_load(ncg_cortex *cx, const char *path,
             int (*loader)(ncg_cortex *, const char *, const char *, ncg_error *));
/* Print the reader's diagnostics (stderr); 1 when one of them is an error. */
int cli_print_diagnostics(const ncg_cortex *cx);

/* Write the cluster file text to out with min_instances and max_instances of node group g (in the reader's order)
 * set to min[g] and max[g] where either is not 0, every other key as it was; -1 when the text does not hold
 * exactly groups node groups, or out of memory or on a write error. */
int cli_write_cluster_file(FILE *out, const char *text, int groups, const int *min, const int *max);

/* getopt_long with "o:" and opts, printing its own messages: an unknown option with the long option it most likely
 * means, an option without its value. '?' for both. */
int cli_getopt(int argc, char **argv, const struct option *opts);

int cli_fail(const ncg_error *err);
/* The advice of ncg_request_advice() as a malloc'd string ("" when there is none); NULL with err set on failure. */
char *cli_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_error *err);
int cli_usage(const char *usage, const char *problem);
int cli_print_json(json_t *doc);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);

/* Bundled example (examples/cortex/), embedded at build time. */
extern const char cli_example_apis[];
extern const char cli_example_cluster[];

#endif
