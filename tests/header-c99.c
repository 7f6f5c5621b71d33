/* SPDX-License-Identifier: Apache-2.0 */
/* The public header compiles on its own as C99 with -pedantic (built with warning_level=3 and warnings as errors),
 * and the documented way of setting up every sized struct, NCG_INIT(), compiles there without a warning. */
#include <ncg.h>

int main(void)
{
    ncg_type type = NCG_INIT(ncg_type);
    ncg_reserve reserve = NCG_INIT(ncg_reserve);
    ncg_model model = NCG_INIT(ncg_model);
    ncg_request request = NCG_INIT(ncg_request);
    ncg_env env = NCG_INIT(ncg_env);
    ncg_alloc alloc = NCG_INIT(ncg_alloc);
    ncg_node_status status = NCG_INIT(ncg_node_status);
    ncg_chip_cache chip_cache = NCG_INIT(ncg_chip_cache);
    ncg_core_group_cache core_group_cache = NCG_INIT(ncg_core_group_cache);
    ncg_nodegroup_spec nodegroup = NCG_INIT(ncg_nodegroup_spec);
    ncg_placement placement = NCG_INIT(ncg_placement);
    ncg_api_spec api = NCG_INIT(ncg_api_spec);
    ncg_plan_summary summary = NCG_INIT(ncg_plan_summary);
    ncg_plan_replica replica = NCG_INIT(ncg_plan_replica);
    ncg_error err = {0};
    int bad = 0;

    ncg_request_init(&request);
    bad |= type.size != sizeof(type) || reserve.size != sizeof(reserve) || model.size != sizeof(model);
    bad |= request.size != sizeof(request) || env.size != sizeof(env) || alloc.size != sizeof(alloc);
    bad |= status.size != sizeof(status) || chip_cache.size != sizeof(chip_cache);
    bad |= core_group_cache.size != sizeof(core_group_cache) || nodegroup.size != sizeof(nodegroup);
    bad |= placement.size != sizeof(placement) || api.size != sizeof(api) || summary.size != sizeof(summary);
    bad |= replica.size != sizeof(replica) || err.code != 0;
    return bad || ncg_strerror(NCG_OK)[0] != 's' ? 1 : 0;
}
