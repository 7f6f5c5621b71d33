/* SPDX-License-Identifier: Apache-2.0 */
/* Decimal numbers in text that read the same under every locale: the C library's conversions use the current
 * locale's decimal point, so the text is written and read with '.' and translated at the edge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* The current locale's decimal point as printf writes it (may be more than one byte). */
static size_t radix(char *buf, size_t size)
{
    char probe[16];
    int n = snprintf(probe, sizeof(probe), "%.1f", 0.5); /* "0" radix "5" */
    size_t len = n > 2 ? (size_t)n - 2 : 0;
    if (len == 0 || len >= size) {
        buf[0] = '.';
        buf[1] = '\0';
        return 1;
    }
    memcpy(buf, probe + 1, len);
    buf[len] = '\0';
    return len;
}

int ncg_format_double(double v, char *buf)
{
    char tmp[NCG_DOUBLE_MAX + 16];
    size_t o = 0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* copy, turning the locale's decimal point (any run of bytes that are not digits, signs or an exponent)
     * into '.' */
    for (const char *s = tmp; *s && o < NCG_DOUBLE_MAX - 1;) {
        if ((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == 'e') {
            buf[o++] = *s++;
            continue;
        }
        buf[o++] = '.';
        while (*s && !((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == 'e'))
            s++;
    }
    buf[o] = '\0';
    return (int)o;
}

static const char *digits(const char *s)
{
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > s ? p : NULL;
}

bool ncg_parse_double(const char *s, double *out)
{
    char local[NCG_DOUBLE_MAX + 16], point[8];
    const char *p = digits(s), *dot = NULL;
    size_t o = 0, plen;
    char *end;
    double v;

    if (!p)
        return false;
    if (*p == '.') {
        dot = p;
        if (!(p = digits(p + 1)))
            return false;
    }
    if (*p == 'e') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(p = digits(p)))
            return false;
    }
    if (*p || (size_t)(p - s) >= NCG_DOUBLE_MAX)
        return false;
    plen = radix(point, sizeof(point));
    for (const char *q = s; *q; q++) {
        if (q == dot) {
            memcpy(local + o, point, plen);
            o += plen;
        } else {
            local[o++] = *q;
        }
    }
    local[o] = '\0';
    v = strtod(local, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}
