/* SPDX-License-Identifier: Apache-2.0 */
/* The monotonic clock, read for time limits and the planner's timings only: never for a decision that a
 * deterministic call (one without a time limit) depends on. */
#include <time.h>

#include "base/base.h"

double ncg_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
