package ncg

/*
#include <ncg.h>
*/
import "C"

// cSizes is sizeof of every public struct as cgo sees the header; the tests compare it with the layout program
// (tests/abi/layout.c). The binding sets every `size` member from these, never by hand.
func cSizes() map[string]int {
	return map[string]int{
		"ncg_error": C.sizeof_ncg_error, "ncg_type": C.sizeof_ncg_type, "ncg_reserve": C.sizeof_ncg_reserve,
		"ncg_model": C.sizeof_ncg_model, "ncg_request": C.sizeof_ncg_request,
		"ncg_core_group": C.sizeof_ncg_core_group, "ncg_env": C.sizeof_ncg_env, "ncg_alloc": C.sizeof_ncg_alloc,
		"ncg_node_status": C.sizeof_ncg_node_status, "ncg_chip_cache": C.sizeof_ncg_chip_cache,
		"ncg_core_group_ref": C.sizeof_ncg_core_group_ref, "ncg_core_group_cache": C.sizeof_ncg_core_group_cache,
		"ncg_nodegroup_spec": C.sizeof_ncg_nodegroup_spec, "ncg_placement": C.sizeof_ncg_placement,
		"ncg_move": C.sizeof_ncg_move, "ncg_node_score": C.sizeof_ncg_node_score,
		"ncg_api_spec":     C.sizeof_ncg_api_spec,
		"ncg_plan_summary": C.sizeof_ncg_plan_summary, "ncg_plan_replica": C.sizeof_ncg_plan_replica,
		"ncg_plan_options": C.sizeof_ncg_plan_options,
	}
}
