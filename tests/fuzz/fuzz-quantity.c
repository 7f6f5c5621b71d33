/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the quantity parsers (ncg_parse_cpu, ncg_parse_memory) and their formatters.
 * Invariants: a parse either succeeds with a value >= 0 or fails with a documented code and a non-empty message,
 * and leaves the output untouched when it fails; a parsed value formats and parses back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, int64_t v, const ncg_error *e, int is_cpu)
{
    if (rc == 0) {
        char buf[64];
        int64_t back = -1;
        int n;
        if (v < 0)
            abort();
        n = is_cpu ? ncg_format_cpu(v, buf, sizeof(buf), NULL) : ncg_format_memory(v, buf, sizeof(buf), NULL);
        if (n <= 0 || (size_t)n >= sizeof(buf) || strlen(buf) != (size_t)n)
            abort();
        if ((is_cpu ? ncg_parse_cpu(buf, &back, NULL) : ncg_parse_memory(buf, &back, NULL)) != 0 || back != v)
            abort();
        return;
    }
    if (v != INT64_C(0x5a5a5a5a5a5a5a5a))
        abort(); /* a failed call changed its output */
    if (rc != NCG_E_PARSE && rc != NCG_E_RANGE)
        abort();
    if (e->code != rc || e->message[0] == '\0' || strlen(e->message) >= NCG_MESSAGE_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ncg_error e;
    int64_t v;
    int rc;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    v = INT64_C(0x5a5a5a5a5a5a5a5a);
    memset(&e, 0, sizeof(e));
    rc = ncg_parse_cpu(text, &v, &e);
    check(rc, v, &e, 1);
    v = INT64_C(0x5a5a5a5a5a5a5a5a);
    memset(&e, 0, sizeof(e));
    rc = ncg_parse_memory(text, &v, &e);
    check(rc, v, &e, 0);
    free(text);
    return 0;
}
