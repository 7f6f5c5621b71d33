/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the env-string parsers (NEURON_RT_VISIBLE_CORES, AWS_NEURON_VISIBLE_DEVICES,
 * NEURONCORE_GROUP_SIZES). The first input byte picks the limit; the rest is the string.
 * Invariants: success gives an in-range contiguous range that formats and parses back to itself; failure is a
 * documented code with a message and leaves the outputs untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UNTOUCHED 0x5a5a5a5a

static void check_range(int rc, int first, int count, int limit, const ncg_error *e, int devices)
{
    if (rc == 0) {
        char buf[2048];
        int f2 = -1, c2 = -1, n;
        if (first < 0 || count < 1 || (limit > 0 && first + count > limit))
            abort();
        n = ncg_format_ids(first, count, !devices, buf, sizeof(buf), NULL);
        if (n < 0)
            abort();
        if ((size_t)n < sizeof(buf)) {
            int r = devices ? ncg_parse_visible_devices(buf, limit, &f2, &c2, NULL)
                            : ncg_parse_visible_cores(buf, limit, &f2, &c2, NULL);
            if (r != 0 || f2 != first || c2 != count)
                abort();
        }
        return;
    }
    if (first != UNTOUCHED || count != UNTOUCHED)
        abort();
    if (rc != NCG_E_PARSE && rc != NCG_E_RANGE)
        abort();
    if (e->code != rc || e->message[0] == '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    int limit, first, count, rc;
    int sizes[8];
    ncg_error e;
    if (size < 1)
        return 0;
    limit = (int)data[0] - 8; /* -8 .. 247: no bound when <= 0 */
    text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    for (int devices = 0; devices < 2; devices++) {
        first = count = UNTOUCHED;
        memset(&e, 0, sizeof(e));
        rc = devices ? ncg_parse_visible_devices(text, limit, &first, &count, &e)
                     : ncg_parse_visible_cores(text, limit, &first, &count, &e);
        check_range(rc, first, count, limit, &e, devices);
    }

    memset(sizes, 0x5a, sizeof(sizes));
    memset(&e, 0, sizeof(e));
    rc = ncg_parse_core_group_sizes(text, sizes, 8, &e);
    if (rc < 0) {
        for (int i = 0; i < 8; i++)
            if (sizes[i] != UNTOUCHED)
                abort();
        if ((rc != NCG_E_PARSE && rc != NCG_E_RANGE) || e.code != rc || !e.message[0])
            abort();
    } else {
        int n2 = ncg_parse_core_group_sizes(text, NULL, 0, NULL);
        if (rc == 0 || n2 != rc)
            abort();
        for (int i = 0; rc <= 8 && i < rc; i++)
            if (sizes[i] < 1 || sizes[i] > NCG_MAX_CORES)
                abort();
        if (rc > 8)
            for (int i = 0; i < 8; i++)
                if (sizes[i] != UNTOUCHED)
                    abort(); /* buffer rule: untouched when the count does not fit */
    }
    free(text);
    return 0;
}
