/* SPDX-License-Identifier: Apache-2.0 */
/* The public header compiles on its own as C99 with -pedantic (built with warnings as errors). */
#include <ncg.h>

int main(void)
{
    return ncg_strerror(NCG_OK)[0] == 's' ? 0 : 1;
}
