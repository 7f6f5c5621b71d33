/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout: print the memory layout of every public struct of ncg.h, as this compiler lays it out.
 *
 * It uses the header only (sizeof and offsetof; it links nothing of the library), so that bindings written in
 * other languages can compare their mirror of each struct with the C one (bindings/python/tests/test_layout.py),
 * and tests/abi/check_layout.py checks that it names exactly the structs and members of the header.
 *
 * Output format (stable; one record per line, fields separated by one space, '\n' line ends, nothing else):
 *
 *     STRUCT sizeof N
 *     STRUCT.MEMBER offset N size N
 *
 * STRUCT is the typedef name (e.g. "ncg_alloc"), MEMBER the member name as declared (a struct member such as
 * ncg_core_group_cache.core_group is one member; its own members are not listed), N a decimal byte count. For
 * each struct, in the order the header defines them, its "sizeof" line comes first, then one line per member
 * in declaration order (the `size` members included). Exit status 0.
 *
 * Every struct and member of the header must be listed here: check_layout.py fails otherwise.
 */
#include <stddef.h>
#include <stdio.h>

#include <ncg.h>

#define STRUCT(type) printf("%s sizeof %zu\n", #type, sizeof(type))
#define MEMBER(type, member) \
    printf("%s.%s offset %zu size %zu\n", #type, #member, offsetof(type, member), sizeof(((type *)0)->member))

int main(void)
{
    STRUCT(ncg_error);
    MEMBER(ncg_error, code);
    MEMBER(ncg_error, message);

    STRUCT(ncg_type);
    MEMBER(ncg_type, size);
    MEMBER(ncg_type, name);
    MEMBER(ncg_type, family);
    MEMBER(ncg_type, accelerator);
    MEMBER(ncg_type, chips);
    MEMBER(ncg_type, cores_per_chip);
    MEMBER(ncg_type, physical_cores_per_chip);
    MEMBER(ncg_type, device_memory_bytes);
    MEMBER(ncg_type, gpus);
    MEMBER(ncg_type, cpu_milli);
    MEMBER(ncg_type, memory_bytes);
    MEMBER(ncg_type, hugepages_bytes);
    MEMBER(ncg_type, topology);
    MEMBER(ncg_type, has_price);
    MEMBER(ncg_type, usd_per_hour);
    MEMBER(ncg_type, lnc);
    MEMBER(ncg_type, hbm_banks);

    STRUCT(ncg_reserve);
    MEMBER(ncg_reserve, size);
    MEMBER(ncg_reserve, cpu_milli);
    MEMBER(ncg_reserve, memory_bytes);
    MEMBER(ncg_reserve, plugin_cpu_milli);
    MEMBER(ncg_reserve, plugin_memory_bytes);
    MEMBER(ncg_reserve, runtime_bytes_per_core);

    STRUCT(ncg_model);
    MEMBER(ncg_model, size);
    MEMBER(ncg_model, name);
    MEMBER(ncg_model, bytes);
    MEMBER(ncg_model, compiled_cores);
    MEMBER(ncg_model, static_weights);

    STRUCT(ncg_request);
    MEMBER(ncg_request, size);
    MEMBER(ncg_request, inf);
    MEMBER(ncg_request, neuroncores);
    MEMBER(ncg_request, ppr);
    MEMBER(ncg_request, cpu_milli);
    MEMBER(ncg_request, memory_bytes);
    MEMBER(ncg_request, gpu);
    MEMBER(ncg_request, hugepages_bytes);
    MEMBER(ncg_request, models);
    MEMBER(ncg_request, model_count);
    MEMBER(ncg_request, lnc);

    STRUCT(ncg_core_group);
    MEMBER(ncg_core_group, process);
    MEMBER(ncg_core_group, first_core);
    MEMBER(ncg_core_group, core_count);
    MEMBER(ncg_core_group, first_chip);
    MEMBER(ncg_core_group, chip_count);
    MEMBER(ncg_core_group, cache_bytes);

    STRUCT(ncg_env);
    MEMBER(ncg_env, size);
    MEMBER(ncg_env, visible_cores);
    MEMBER(ncg_env, core_group_sizes);
    MEMBER(ncg_env, visible_devices);
    MEMBER(ncg_env, logical_nc_config);
    MEMBER(ncg_env, ultraserver_mode);
    MEMBER(ncg_env, ultraserver_server_id);
    MEMBER(ncg_env, ultraserver_node_id);

    STRUCT(ncg_alloc);
    MEMBER(ncg_alloc, size);
    MEMBER(ncg_alloc, id);
    MEMBER(ncg_alloc, whole_chips);
    MEMBER(ncg_alloc, first_chip);
    MEMBER(ncg_alloc, chip_count);
    MEMBER(ncg_alloc, first_core);
    MEMBER(ncg_alloc, core_count);
    MEMBER(ncg_alloc, ppr);
    MEMBER(ncg_alloc, ncg_size);
    MEMBER(ncg_alloc, cpu_milli);
    MEMBER(ncg_alloc, memory_bytes);
    MEMBER(ncg_alloc, hugepages_bytes);

    STRUCT(ncg_node_status);
    MEMBER(ncg_node_status, size);
    MEMBER(ncg_node_status, chips);
    MEMBER(ncg_node_status, cores_per_chip);
    MEMBER(ncg_node_status, free_chip_mask);
    MEMBER(ncg_node_status, free_chips);
    MEMBER(ncg_node_status, free_cores);
    MEMBER(ncg_node_status, largest_window);
    MEMBER(ncg_node_status, cpu_usable_milli);
    MEMBER(ncg_node_status, memory_usable_bytes);
    MEMBER(ncg_node_status, cpu_free_milli);
    MEMBER(ncg_node_status, memory_free_bytes);
    MEMBER(ncg_node_status, hugepages_free_bytes);
    MEMBER(ncg_node_status, allocations);
    MEMBER(ncg_node_status, policy);
    MEMBER(ncg_node_status, lnc);

    STRUCT(ncg_chip_cache);
    MEMBER(ncg_chip_cache, size);
    MEMBER(ncg_chip_cache, chip);
    MEMBER(ncg_chip_cache, capacity_bytes);
    MEMBER(ncg_chip_cache, reserve_bytes);
    MEMBER(ncg_chip_cache, used_bytes);
    MEMBER(ncg_chip_cache, free_bytes);
    MEMBER(ncg_chip_cache, core_groups);

    STRUCT(ncg_core_group_ref);
    MEMBER(ncg_core_group_ref, alloc_id);
    MEMBER(ncg_core_group_ref, process);

    STRUCT(ncg_core_group_cache);
    MEMBER(ncg_core_group_cache, size);
    MEMBER(ncg_core_group_cache, core_group);
    MEMBER(ncg_core_group_cache, reachable_bytes);
    MEMBER(ncg_core_group_cache, share_bytes);
    MEMBER(ncg_core_group_cache, need_bytes);
    MEMBER(ncg_core_group_cache, shared_with);
    MEMBER(ncg_core_group_cache, state);

    STRUCT(ncg_nodegroup_spec);
    MEMBER(ncg_nodegroup_spec, size);
    MEMBER(ncg_nodegroup_spec, name);
    MEMBER(ncg_nodegroup_spec, type);
    MEMBER(ncg_nodegroup_spec, min_nodes);
    MEMBER(ncg_nodegroup_spec, max_nodes);
    MEMBER(ncg_nodegroup_spec, has_price);
    MEMBER(ncg_nodegroup_spec, usd_per_hour);
    MEMBER(ncg_nodegroup_spec, priority);
    MEMBER(ncg_nodegroup_spec, lnc);

    STRUCT(ncg_placement);
    MEMBER(ncg_placement, size);
    MEMBER(ncg_placement, node);
    MEMBER(ncg_placement, node_index);
    MEMBER(ncg_placement, nodegroup);
    MEMBER(ncg_placement, alloc_id);

    STRUCT(ncg_move);
    MEMBER(ncg_move, from);
    MEMBER(ncg_move, alloc_id);
    MEMBER(ncg_move, to);

    STRUCT(ncg_node_score);
    MEMBER(ncg_node_score, size);
    MEMBER(ncg_node_score, node_index);
    MEMBER(ncg_node_score, nodegroup);
    MEMBER(ncg_node_score, priority);
    MEMBER(ncg_node_score, leftover);
    MEMBER(ncg_node_score, free_after);
    MEMBER(ncg_node_score, seq);
    MEMBER(ncg_node_score, free_cores);
    STRUCT(ncg_api_spec);
    MEMBER(ncg_api_spec, size);
    MEMBER(ncg_api_spec, name);
    MEMBER(ncg_api_spec, request);
    MEMBER(ncg_api_spec, replicas);
    MEMBER(ncg_api_spec, nodegroups);
    MEMBER(ncg_api_spec, nodegroup_count);
    MEMBER(ncg_api_spec, max_per_node);

    STRUCT(ncg_plan_summary);
    MEMBER(ncg_plan_summary, size);
    MEMBER(ncg_plan_summary, price_per_hour);
    MEMBER(ncg_plan_summary, lower_bound_per_hour);
    MEMBER(ncg_plan_summary, gap);
    MEMBER(ncg_plan_summary, nodes);
    MEMBER(ncg_plan_summary, new_nodes);
    MEMBER(ncg_plan_summary, replicas);
    MEMBER(ncg_plan_summary, placed);
    MEMBER(ncg_plan_summary, unplaced);
    MEMBER(ncg_plan_summary, unpriced_nodes);
    MEMBER(ncg_plan_summary, chips_used);
    MEMBER(ncg_plan_summary, chips_total);
    MEMBER(ncg_plan_summary, cpu_used_milli);
    MEMBER(ncg_plan_summary, cpu_total_milli);
    MEMBER(ncg_plan_summary, memory_used_bytes);
    MEMBER(ncg_plan_summary, memory_total_bytes);

    MEMBER(ncg_plan_summary, converged);
    MEMBER(ncg_plan_summary, solve_seconds);
    MEMBER(ncg_plan_summary, generation_seconds);
    MEMBER(ncg_plan_summary, rounding_seconds);
    MEMBER(ncg_plan_summary, packing_seconds);
    MEMBER(ncg_plan_summary, rounds);
    MEMBER(ncg_plan_summary, patterns);
    MEMBER(ncg_plan_summary, stopped);
    MEMBER(ncg_plan_summary, optimal);
    STRUCT(ncg_plan_options);
    MEMBER(ncg_plan_options, size);
    MEMBER(ncg_plan_options, time_limit_s);
    MEMBER(ncg_plan_options, work_limit);
    MEMBER(ncg_plan_options, flags);
    STRUCT(ncg_plan_replica);
    MEMBER(ncg_plan_replica, size);
    MEMBER(ncg_plan_replica, api);
    MEMBER(ncg_plan_replica, replica);
    MEMBER(ncg_plan_replica, node);
    MEMBER(ncg_plan_replica, alloc_id);

    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
