/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hooks.h: test-only host imports of the worker.
 *
 * Built only with WASMD_TEST_HOOKS (the asan preset turns it on, release
 * builds never have it): then every invoke is offered the import
 * `wasmd_test.forbidden_syscall : [] -> []`, which makes a system call
 * outside the sandbox's allowlist so that tests can watch the supervisor
 * report a sandbox violation. Without the option the lookup finds nothing
 * and hooks.c is not compiled.
 *
 * Included by worker/serve.c only.
 */
#ifndef WASMD_WORKER_HOOKS_H
#define WASMD_WORKER_HOOKS_H

#include <stddef.h>

#include <wasmd/engine.h>

#if defined(WASMD_TEST_HOOKS) && WASMD_TEST_HOOKS
/*
 * The test hook that satisfies import d, made in store s, or NULL when d
 * names no hook or has another type. Borrowed: lives as long as s.
 */
we_func *wrk_hook_import(we_store *s, const we_importdesc *d);
#else
static inline we_func *
wrk_hook_import(we_store *s, const we_importdesc *d)
{
	(void)s;
	(void)d;
	return NULL;
}
#endif

#endif /* WASMD_WORKER_HOOKS_H */
