/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes quantities: CPU in milli-CPU, memory in bytes. Strict: one number, one optional suffix. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

__extension__ typedef unsigned __int128 u128;

typedef struct suffix {
    const char *text;
    uint64_t multiplier;
} suffix;

/* CPU: the value is counted in milli-CPU. */
static const suffix cpu_suffixes[] = {
    {"", 1000}, {"m", 1},
};

static const suffix memory_suffixes[] = {
    {"", 1},
    {"k", 1000ULL}, {"M", 1000000ULL}, {"G", 1000000000ULL}, {"T", 1000000000000ULL},
    {"P", 1000000000000000ULL}, {"E", 1000000000000000000ULL},
    {"Ki", 1ULL << 10}, {"Mi", 1ULL << 20}, {"Gi", 1ULL << 30}, {"Ti", 1ULL << 40},
    {"Pi", 1ULL << 50}, {"Ei", 1ULL << 60},
};

/* Parse "digits[.digits]suffix" and return ceil(value * multiplier) in *out. */
static int parse_quantity(const char *what, const char *hint, const suffix *suffixes, size_t nsuffixes,
                          const char *text, int64_t *out, ncg_error *err)
{
    ncg_quoted q;
    const char *p = text;
    u128 integer = 0;
    uint64_t frac = 0, frac_den = 1;
    bool sticky = false, digits = false;
    size_t i;

    if (!text)
        return ncg_fail(err, NCG_E_INVALID, "%s quantity is NULL", what);
    if (!out)
        return ncg_fail(err, NCG_E_INVALID, "%s quantity: output pointer is NULL", what);
    if (*p == '\0')
        return ncg_fail(err, NCG_E_PARSE, "invalid %s quantity \"\": empty", what);
    if (*p == '-')
        return ncg_fail(err, NCG_E_RANGE, "invalid %s quantity %s: must not be negative", what,
                        ncg_quote(&q, text));
    for (; *p >= '0' && *p <= '9'; p++) {
        digits = true;
        integer = integer * 10 + (unsigned)(*p - '0');
        if (integer > INT64_MAX)
            return ncg_fail(err, NCG_E_RANGE, "invalid %s quantity %s: too large", what, ncg_quote(&q, text));
    }
    if (*p == '.') {
        bool frac_digits = false;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac_digits = true;
            if (frac_den < 1000000000000000000ULL) {
                frac = frac * 10 + (unsigned)(*p - '0');
                frac_den *= 10;
            } else if (*p != '0') {
                sticky = true;
            }
        }
        digits = frac_digits; /* "1." and "." are rejected, ".5" is accepted */
    }
    for (i = 0; i < nsuffixes; i++)
        if (strcmp(p, suffixes[i].text) == 0)
            break;
    if (!digits || i == nsuffixes)
        return ncg_fail(err, NCG_E_PARSE, "invalid %s quantity %s: expected %s", what, ncg_quote(&q, text), hint);

    u128 m = suffixes[i].multiplier;
    u128 whole = integer * m;
    u128 f = (u128)frac * m;
    u128 part = f / frac_den;
    if (f % frac_den != 0 || sticky)
        part++;
    whole += part;
    if (whole > INT64_MAX)
        return ncg_fail(err, NCG_E_RANGE, "invalid %s quantity %s: too large", what, ncg_quote(&q, text));
    *out = (int64_t)whole;
    return 0;
}

NCG_EXPORT int ncg_parse_cpu(const char *text, int64_t *out_milli, ncg_error *err)
{
    return parse_quantity("CPU", "a number with an optional \"m\" suffix, such as 1, 1.5 or 500m", cpu_suffixes,
                          sizeof(cpu_suffixes) / sizeof(cpu_suffixes[0]), text, out_milli, err);
}

NCG_EXPORT int ncg_parse_memory(const char *text, int64_t *out_bytes, ncg_error *err)
{
    return parse_quantity("memory",
                          "a number of bytes with an optional suffix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei, "
                          "such as 4G, 4Gi or 512Mi",
                          memory_suffixes, sizeof(memory_suffixes) / sizeof(memory_suffixes[0]), text, out_bytes,
                          err);
}

static int emit(char *buf, size_t size, ncg_error *err, int64_t value, const char *unit)
{
    char text[32];
    int n;
    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "buffer is NULL but size is %zu", size);
    n = snprintf(text, sizeof(text), "%" PRId64 "%s", value, unit);
    if ((size_t)n < size)
        memcpy(buf, text, (size_t)n + 1);
    return n;
}

NCG_EXPORT int ncg_format_cpu(int64_t milli, char *buf, size_t size, ncg_error *err)
{
    if (milli < 0)
        return ncg_fail(err, NCG_E_RANGE, "cpu %" PRId64 "m must not be negative", milli);
    if (milli % 1000 == 0)
        return emit(buf, size, err, milli / 1000, "");
    return emit(buf, size, err, milli, "m");
}

NCG_EXPORT int ncg_format_memory(int64_t bytes, char *buf, size_t size, ncg_error *err)
{
    static const char *const dec[] = {"", "k", "M", "G", "T", "P", "E"};
    static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int64_t best = bytes, v;
    const char *unit = "";
    int k;

    if (bytes < 0)
        return ncg_fail(err, NCG_E_RANGE, "memory %" PRId64 " bytes must not be negative", bytes);
    if (bytes > 0) {
        for (k = 1, v = bytes; k <= 6 && v % 1000 == 0; k++) {
            v /= 1000;
            if (v < best) {
                best = v;
                unit = dec[k];
            }
        }
        for (k = 1, v = bytes; k <= 6 && v % 1024 == 0; k++) {
            v /= 1024;
            if (v <= best) {
                best = v;
                unit = bin[k];
            }
        }
    }
    return emit(buf, size, err, best, unit);
}
