/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_host.h: the host functions `wasmctl run` serves to a guest
 * (wasmctl_host.c), useful from a shell:
 *   wasmd.print_str(ptr i32, len i32)   guest memory bytes to stdout
 *   wasmd.print_i32(i32), print_i64(i64), print_f32(f32), print_f64(f64)
 *                                       the value and a newline
 *   wasmd.now_ms() -> i64               wall-clock time, ms since 1970
 * Included by wasmctl.c only.
 */
#ifndef WASMD_WASMCTL_HOST_H
#define WASMD_WASMCTL_HOST_H

#include <wasmd/client.h>

/*
 * Sets opts->host_funcs to the built-ins that info's module imports with
 * their exact types (others are left for the daemon to refuse by name).
 * The table is static: nothing to free.
 */
void wasmctl_host_serve(
    const wasmd_module_info *info, wasmd_invoke_options *opts);

#endif /* WASMD_WASMCTL_HOST_H */
