/* SPDX-License-Identifier: Apache-2.0 */
/* The env strings of a pod: NEURON_RT_VISIBLE_CORES, AWS_NEURON_VISIBLE_DEVICES, NEURONCORE_GROUP_SIZES. */
#include <stdio.h>
#include <string.h>

#include "model/model.h"

#define ID_MAX 999999

/* Read a decimal number at *p: 1 when it has 1 to 6 digits, 0 when there is none, -1 when it is longer. */
static int read_number(const char **p, int *out)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (*s >= '0' && *s <= '9') {
        if (++n > 6)
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    if (n == 0)
        return 0;
    *p = s;
    *out = v;
    return 1;
}

static int bad_number(const char *what, const char *text, const char *p, const char *unit, int got, ncg_error *err)
{
    ncg_quoted q;
    if (got < 0)
        return ncg_fail(err, NCG_E_RANGE, "%s %s: the %s id at character %d is out of range 0..%d", what,
                        ncg_quote(&q, text), unit, (int)(p - text) + 1, ID_MAX);
    return ncg_fail(err, NCG_E_PARSE, "%s %s is malformed at character %d: expected a %s id", what,
                    ncg_quote(&q, text), (int)(p - text) + 1, unit);
}

int ncg_parse_id_range(const char *what, const char *text, int limit, int *out_first, int *out_count,
                       ncg_error *err)
{
    const char *unit = strcmp(what, "AWS_NEURON_VISIBLE_DEVICES") == 0 ? "device" : "core";
    const char *p = text;
    int first = -1, last = -1;
    ncg_quoted q;

    if (!text || !out_first || !out_count)
        return ncg_fail(err, NCG_E_INVALID, "%s: %s is NULL", what, !text ? "text" : "output pointer");
    if (*p == '\0')
        return ncg_fail(err, NCG_E_PARSE, "%s \"\" is empty", what);
    for (;;) {
        int a, b, got;
        if ((got = read_number(&p, &a)) != 1)
            return bad_number(what, text, p, unit, got, err);
        b = a;
        if (*p == '-') {
            p++;
            if ((got = read_number(&p, &b)) != 1)
                return bad_number(what, text, p, unit, got, err);
            if (b < a)
                return ncg_fail(err, NCG_E_PARSE, "%s %s is not increasing: range %d-%d goes down", what,
                                ncg_quote(&q, text), a, b);
        }
        if (first < 0) {
            first = a;
        } else if (a <= last) {
            return ncg_fail(err, NCG_E_PARSE, "%s %s is not increasing: %d follows %d", what, ncg_quote(&q, text),
                            a, last);
        } else if (a != last + 1) {
            return ncg_fail(err, NCG_E_PARSE, "%s %s is not contiguous: %d follows %d", what, ncg_quote(&q, text),
                            a, last);
        }
        last = b;
        if (*p == '\0')
            break;
        if (*p != ',')
            return ncg_fail(err, NCG_E_PARSE, "%s %s is malformed at character %d: expected ',' or '-'", what,
                            ncg_quote(&q, text), (int)(p - text) + 1);
        p++;
    }
    if (limit > 0 && last >= limit)
        return ncg_fail(err, NCG_E_RANGE, "%s %s names %s %d but the node has %d (0-%d)", what, ncg_quote(&q, text),
                        unit, last, limit, limit - 1);
    *out_first = first;
    *out_count = last - first + 1;
    return 0;
}

NCG_EXPORT int ncg_parse_visible_cores(const char *text, int limit, int *out_first, int *out_count, ncg_error *err)
{
    return ncg_parse_id_range("NEURON_RT_VISIBLE_CORES", text, limit, out_first, out_count, err);
}

NCG_EXPORT int ncg_parse_visible_devices(const char *text, int limit, int *out_first, int *out_count,
                                         ncg_error *err)
{
    return ncg_parse_id_range("AWS_NEURON_VISIBLE_DEVICES", text, limit, out_first, out_count, err);
}

NCG_EXPORT int ncg_parse_core_group_sizes(const char *text, int *out, size_t size, ncg_error *err)
{
    const char *p = text;
    size_t n = 0;
    ncg_quoted q;

    if (!text)
        return ncg_fail(err, NCG_E_INVALID, "NEURONCORE_GROUP_SIZES: text is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "NEURONCORE_GROUP_SIZES: out is NULL but size is %zu", size);
    if (*p == '\0')
        return ncg_fail(err, NCG_E_PARSE, "NEURONCORE_GROUP_SIZES \"\" is empty");
    for (;;) {
        int v = 0, got = read_number(&p, &v);
        if (got == 0)
            return ncg_fail(err, NCG_E_PARSE, "NEURONCORE_GROUP_SIZES %s is malformed at character %d: expected "
                            "a group size", ncg_quote(&q, text), (int)(p - text) + 1);
        if (got < 0)
            return ncg_fail(err, NCG_E_RANGE, "NEURONCORE_GROUP_SIZES %s: the group size at character %d is out of "
                            "range 1..%d", ncg_quote(&q, text), (int)(p - text) + 1, NCG_MAX_CORES);
        if (v < 1 || v > NCG_MAX_CORES)
            return ncg_fail(err, NCG_E_RANGE, "NEURONCORE_GROUP_SIZES %s: group size %d is out of range 1..%d",
                            ncg_quote(&q, text), v, NCG_MAX_CORES);
        n++;
        if (*p == '\0')
            break;
        if (*p != ',')
            return ncg_fail(err, NCG_E_PARSE, "NEURONCORE_GROUP_SIZES %s is malformed at character %d: expected ','",
                            ncg_quote(&q, text), (int)(p - text) + 1);
        p++;
    }
    if (n <= size) { /* valid: a second pass writes the sizes */
        p = text;
        for (size_t i = 0; i < n; i++) {
            read_number(&p, &out[i]);
            p++;
        }
    }
    return (int)n;
}

NCG_EXPORT int ncg_format_ids(int first, int count, int ranged, char *buf, size_t size, ncg_error *err)
{
    size_t len = 0;
    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "format_ids: buf is NULL but size is %zu", size);
    if (first < 0 || count < 1 || first > ID_MAX || count > ID_MAX - first + 1)
        return ncg_fail(err, NCG_E_RANGE, "ids %d (+%d) are out of range: first 0..%d, count >= 1", first, count,
                        ID_MAX);
    if (ranged || count == 1) {
        char text[32];
        int n = count == 1 ? snprintf(text, sizeof(text), "%d", first)
                           : snprintf(text, sizeof(text), "%d-%d", first, first + count - 1);
        if ((size_t)n < size)
            memcpy(buf, text, (size_t)n + 1);
        return n;
    }
    for (int i = 0; i < count; i++)
        len += (size_t)snprintf(NULL, 0, "%s%d", i ? "," : "", first + i);
    if (len > INT32_MAX)
        return ncg_fail(err, NCG_E_RANGE, "ids %d (+%d) need %zu characters", first, count, len);
    if (len < size) {
        size_t o = 0;
        for (int i = 0; i < count; i++)
            o += (size_t)snprintf(buf + o, size - o, "%s%d", i ? "," : "", first + i);
    }
    return (int)len;
}
