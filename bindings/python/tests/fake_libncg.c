/* SPDX-License-Identifier: Apache-2.0 */
/* A stand-in for an older libncg 2 (it has ncg_version and nothing else) for the Python binding's import test:
 * the binding must refuse it with a clear ImportError, not fail on a missing symbol. The version comes from
 * the build (-DFAKE_VERSION). */
const char *ncg_version(void);

const char *ncg_version(void)
{
    return FAKE_VERSION;
}
