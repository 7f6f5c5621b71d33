/* SPDX-License-Identifier: Apache-2.0 */
/* Status codes, their descriptions, and the helper that fills an ncg_error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

#define STR_(x) #x
#define STR(x) STR_(x)

NCG_EXPORT const char *ncg_version(void)
{
    return STR(NCG_VERSION_MAJOR) "." STR(NCG_VERSION_MINOR) "." STR(NCG_VERSION_PATCH);
}

NCG_EXPORT const char *ncg_strerror(int code)
{
    switch (code) {
    case NCG_OK: return "success";
    case NCG_E_INVALID: return "invalid argument";
    case NCG_E_NOMEM: return "out of memory";
    case NCG_E_PARSE: return "malformed string";
    case NCG_E_RANGE: return "value out of range";
    case NCG_E_UNKNOWN_TYPE: return "unknown instance type";
    case NCG_E_NOT_FOUND: return "not found";
    case NCG_E_PPR: return "processes_per_replica does not divide the NeuronCores";
    case NCG_E_NO_FIT: return "request does not fit the instance type";
    case NCG_E_TOPOLOGY: return "chip count not valid for the topology";
    case NCG_E_FULL: return "not enough free resources";
    case NCG_E_OVERLAP: return "allocation overlaps an existing one";
    case NCG_E_MODEL: return "model cannot load on its NeuronCore Group";
    case NCG_E_EXISTS: return "name already exists";
    case NCG_E_LNC: return "Logical NeuronCore setting differs";
    default: return "unknown error";
    }
}

int ncg_fail(ncg_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

int ncg_fail_prefix(ncg_error *err, int code, const ncg_error *inner, const char *fmt, ...)
{
    if (err) {
        char msg[NCG_MESSAGE_MAX];
        va_list ap;
        int n;
        snprintf(msg, sizeof(msg), "%s", inner ? inner->message : "");
        va_start(ap, fmt);
        n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n + 2 < sizeof(err->message)) {
            size_t at = (size_t)n, room = sizeof(err->message) - at - 3, len = strlen(msg);
            memcpy(err->message + at, ": ", 2);
            len = len < room ? len : room;
            memcpy(err->message + at + 2, msg, len);
            err->message[at + 2 + len] = '\0';
        }
        err->code = code;
    }
    return code;
}

const char *ncg_quote(ncg_quoted *buf, const char *text)
{
    size_t o = 0, i;
    buf->s[o++] = '"';
    for (i = 0; text[i] && i < 64; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            buf->s[o++] = '\\';
            buf->s[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(buf->s + o, 5, "\\x%02x", c);
        } else {
            buf->s[o++] = (char)c;
        }
    }
    if (text[i]) {
        buf->s[o++] = '.';
        buf->s[o++] = '.';
        buf->s[o++] = '.';
    }
    buf->s[o++] = '"';
    buf->s[o] = '\0';
    return buf->s;
}
