/* SPDX-License-Identifier: Apache-2.0 */
/* cortex-layout: the memory layout of every public struct of ncg-cortex.h, in the format of tests/abi/layout.c
 * (which see), for bindings that mirror them (the Python binding loads libncg-cortex with ctypes).
 * tests/abi/check_layout.py checks that it lists exactly the header's structs and members, in order. */
#include <stddef.h>
#include <stdio.h>

#include <ncg-cortex.h>

#define STRUCT(type) printf("%s sizeof %zu\n", #type, sizeof(type))
#define MEMBER(type, member) \
    printf("%s.%s offset %zu size %zu\n", #type, #member, offsetof(type, member), sizeof(((type *)0)->member))

int main(void)
{
    STRUCT(ncg_cortex_api);
    MEMBER(ncg_cortex_api, size);
    MEMBER(ncg_cortex_api, name);
    MEMBER(ncg_cortex_api, kind);
    MEMBER(ncg_cortex_api, file);
    MEMBER(ncg_cortex_api, line);
    MEMBER(ncg_cortex_api, column);
    MEMBER(ncg_cortex_api, splitter);
    MEMBER(ncg_cortex_api, invalid);
    MEMBER(ncg_cortex_api, request);
    MEMBER(ncg_cortex_api, min_replicas);
    MEMBER(ncg_cortex_api, init_replicas);
    MEMBER(ncg_cortex_api, max_replicas);
    MEMBER(ncg_cortex_api, nodegroups);
    MEMBER(ncg_cortex_api, nodegroup_count);
    MEMBER(ncg_cortex_api, max_per_node);
    MEMBER(ncg_cortex_api, backend_count);

    STRUCT(ncg_cortex_backend);
    MEMBER(ncg_cortex_backend, size);
    MEMBER(ncg_cortex_backend, name);
    MEMBER(ncg_cortex_backend, weight);
    MEMBER(ncg_cortex_backend, shadow);
    MEMBER(ncg_cortex_backend, line);
    MEMBER(ncg_cortex_backend, column);

    STRUCT(ncg_cortex_nodegroup);
    MEMBER(ncg_cortex_nodegroup, size);
    MEMBER(ncg_cortex_nodegroup, file);
    MEMBER(ncg_cortex_nodegroup, line);
    MEMBER(ncg_cortex_nodegroup, column);
    MEMBER(ncg_cortex_nodegroup, type_line);
    MEMBER(ncg_cortex_nodegroup, type_column);
    MEMBER(ncg_cortex_nodegroup, spot);

    STRUCT(ncg_cortex_diagnostic);
    MEMBER(ncg_cortex_diagnostic, size);
    MEMBER(ncg_cortex_diagnostic, message);
    MEMBER(ncg_cortex_diagnostic, file);
    MEMBER(ncg_cortex_diagnostic, line);
    MEMBER(ncg_cortex_diagnostic, column);
    MEMBER(ncg_cortex_diagnostic, warning);
    MEMBER(ncg_cortex_diagnostic, field);
    return 0;
}
