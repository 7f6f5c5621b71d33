/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the state format (ncg_cluster_restore). Invariants: a restore either fails with a documented
 * code and message, or gives a cluster whose dump restores to a cluster that dumps the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const ncg_cluster *c)
{
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *s;
    if (n < 0)
        abort();
    s = malloc((size_t)n + 1);
    if (!s)
        abort();
    if (ncg_cluster_dump(c, s, (size_t)n + 1, NULL) != n || strlen(s) != (size_t)n)
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ncg_error e;
    ncg_cluster *c;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&e, 0, sizeof(e));
    c = ncg_cluster_restore(text, 0, &e);
    if (!c) {
        if ((e.code != NCG_E_PARSE && e.code != NCG_E_OVERLAP && e.code != NCG_E_INVALID) || !e.message[0])
            abort();
    } else {
        char *d1 = dump(c), *d2;
        ncg_cluster *c2 = ncg_cluster_restore(d1, 0, &e);
        if (!c2)
            abort(); /* a dump the library wrote must restore */
        d2 = dump(c2);
        if (strcmp(d1, d2) != 0)
            abort();
        free(d1);
        free(d2);
        ncg_cluster_free(c2);
        ncg_cluster_free(c);
    }
    free(text);
    return 0;
}
