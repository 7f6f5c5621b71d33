/* SPDX-License-Identifier: Apache-2.0 */
/* The first version's size of each sized struct (doc/abi.md), for the tests that check the smallest size the
 * library accepts. Written from the header's "2.3" markers, not from the library's table. */
#ifndef NCG_TEST_FIRST_VERSION_H
#define NCG_TEST_FIRST_VERSION_H

#include <stddef.h>
#include <string.h>

#include <ncg.h>

/* The size of a sized struct's first version (doc/abi.md): the structs that grew in 2.3 end before their lnc. */
static inline size_t first_version_size(const char *type, size_t full)
{
    static const struct { const char *type; size_t size; } grown[] = {
        {"ncg_type", offsetof(ncg_type, lnc)},
        {"ncg_request", offsetof(ncg_request, lnc)},
        {"ncg_env", offsetof(ncg_env, logical_nc_config)},
        {"ncg_node_status", offsetof(ncg_node_status, lnc)},
        {"ncg_nodegroup_spec", offsetof(ncg_nodegroup_spec, lnc)},
    };
    for (size_t i = 0; i < sizeof(grown) / sizeof(grown[0]); i++)
        if (strcmp(grown[i].type, type) == 0)
            return grown[i].size;
    return full;
}

/* The same for a type name: FIRST_VERSION_SIZE(ncg_request). */
#define FIRST_VERSION_SIZE(type) first_version_size(#type, sizeof(type))

#endif
